"""scikit-learn's stochastic training (sgd, adam, ...) on a compiled engine.

:func:`run_stochastic` runs the minibatch epochs of one fit call: the same
validation split, shuffling, learning-rate schedules, ``tol`` /
``n_iter_no_change`` stopping, early stopping with best-weight restore and
ConvergenceWarning as scikit-learn's MLPs, plus the gradient-norm criterion
and the loop's hooks.  Ctrl-C after the first epoch keeps the last completed
one (except inside scikit-learn's cross-validation, which it stops).
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._private import inside_sklearn_validation
from .batching import (epoch_order, last_rows_split, resolve_batch_size, resolve_epochs,
                       validation_split)
from .rules import GradNormFloor, NoImprovement, Schedule

__all__ = ["run_stochastic"]


def run_stochastic(loop, X, Y, y, sample_weight, incremental, rng, score, stratify=None,
                   split=None):
    """Train ``loop.engine`` for one fit (or ``partial_fit``) call.

    Parameters
    ----------
    loop : EpochLoop
        Its config, state (advanced in place), engine and hooks.
    X, Y, y, sample_weight : arrays
        Inputs, encoded targets, targets as given (for the validation score)
        and sample weights.
    incremental : bool
        One epoch of ``partial_fit``: the optimizer state continues.
    rng : numpy.random.RandomState
        Draws the validation split, then each epoch's order.
    score : callable
        ``score(y, output, sample_weight)``: the validation score (accuracy,
        R^2, ...).
    stratify : array or None, default=None
        Labels to stratify the validation split by.
    split : (train_index, val_index) or None, default=None
        A validation split to use instead of drawing one.

    Returns
    -------
    split : (train_index, val_index) or None
        The validation split used (None without early stopping), so the
        runs of ``n_init`` are compared on the same rows.
    """
    epochs = _Epochs(loop, X, Y, y, sample_weight, incremental, rng, score, stratify, split)
    epochs.run()
    epochs.end()
    return epochs.split


class _Epochs:
    """The epochs of one call: data on the engine, rules, the held-out rows."""

    def __init__(self, loop, X, Y, y, sample_weight, incremental, rng, score, stratify, split):
        config, state, engine = loop.config, loop.state, loop.engine
        self.loop, self.incremental, self.rng = loop, incremental, rng
        saved = state.optimizer_state
        if incremental and saved is not None and saved[0] == config.optimizer:
            engine.reset_optimizer(state.learning_rate, saved[1])
        else:
            state.learning_rate = float(config.learning_rate_init)
            engine.reset_optimizer(state.learning_rate)
        self.split = self.val = None
        loop.datasets = {}
        if config.validates:
            if config.validation_split > 0:  # Keras' rule: the last rows, every call
                X, X_val, Y, Y_val, sample_weight, sw_val, self.split = last_rows_split(
                    X, Y, sample_weight, config.validation_split)
            else:
                X, X_val, Y, Y_val, sample_weight, sw_val, self.split = validation_split(
                    X, Y, sample_weight, stratify, config.validation_fraction, rng, split)
            self.val = (engine.tensors(X_val, Y_val, sw_val), y[self.split[1]], sw_val, score)
            loop.datasets["val_"] = (X_val, Y_val, sw_val)
            self.best_weights = state.weights
            if state.validation_scores is None:  # validation_split after a fit without
                state.validation_scores, state.validation_loss_curve = [], []
        loop.datasets[""] = (X, Y, sample_weight)
        self.X = X
        self.batch_size = resolve_batch_size(config.batch_size, X.shape[0],
                                             config.auto_batch_size)
        self.batches = -(-X.shape[0] // self.batch_size)
        loop.max_epochs, patience = resolve_epochs(config.max_iter, config.n_iter_no_change,
                                                   self.batches)
        if config.early_stopping and self.split is not None and (
                len(self.split[1]) < config.min_validation_rows):
            patience = np.inf  # too few held-out rows for a stall to say anything
        self.data = engine.tensors(X, Y, sample_weight)
        self.order = np.arange(X.shape[0], dtype=np.int32)
        self.no_improvement = NoImprovement(config.tol, patience, config.early_stopping,
                                            config.min_epochs)
        self.schedule = Schedule(config.learning_rate, config.learning_rate_init,
                                 config.power_t, config.solver)
        self.floor = GradNormFloor(config.min_grad_norm)
        self.logs = {}

    def run(self):
        """Epochs until a rule, a hook or ``max_epochs`` stops them."""
        loop, state = self.loop, self.loop.state
        state.n_iter = 0
        if loop.hooks:
            loop.call("on_train_begin")
        try:
            for _ in range(loop.max_epochs):
                if self.epoch() or self.incremental:
                    break
                if state.n_iter == loop.max_epochs and not loop.config.epoch_budget:
                    warnings.warn(
                        "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                        "optimization hasn't converged yet." % loop.max_epochs,
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            if state.n_iter == 0 or inside_sklearn_validation():
                raise  # nothing trained yet, or a search would score a cut-short fit
            warnings.warn(
                f"Training interrupted by user after {state.n_iter} epoch(s); keeping the "
                "last completed epoch.", UserWarning,
            )

    def epoch(self):
        """Train one epoch and apply the rules; True to stop."""
        loop, config, state, engine = self.loop, self.loop.config, self.loop.state, self.loop.engine
        loop.epoch = len(state.loss_curve)
        if loop.hooks:
            loop.call("on_epoch_begin")
        self.order = epoch_order(self.order, config.shuffle, self.rng)
        loss, grad_norm = engine.train_epoch(*self.data, self.order, self.batch_size,
                                             config.penalties)
        loop.steps += self.batches
        state.n_iter += 1
        state.loss = loss
        state.t += self.order.size
        state.loss_curve.append(loss)
        if state.grad_norm_curve is not None:
            state.grad_norm_curve.append(grad_norm)
        if config.verbose:
            print("Iteration %d, loss = %.8f" % (state.n_iter, loss))
        if not np.isfinite(loss):
            if self.val is not None:
                # as scikit-learn 1.9: a NaN validation score, the best epoch's weights kept
                state.validation_scores.append(np.nan)
                state.validation_loss_curve.append(np.nan)
            return True  # diverged: the divergence check reports it unless a best epoch is kept
        val = self.validate(loss) if self.val is not None else None
        if not config.early_stopping:
            self.no_improvement.update(state, loss)
        if loop.hooks:
            self.logs = loop.epoch_logs(loss, grad_norm, val)
            if loop.call("on_epoch_end", self.logs):
                loop.stop_training = True
            if loop.stop_training:
                return True
        return self.apply_rules(grad_norm)

    def validate(self, loss):
        """Score the held-out rows; keep the best weights. ``(score, val_loss)``."""
        state, engine = self.loop.state, self.loop.engine
        tensors, y_val, sw_val, score_fn = self.val
        output, val_loss = engine.evaluate(*tensors, self.loop.config.penalties)
        # outputs that overflowed score NaN (scikit-learn 1.9), which is no improvement
        score = score_fn(y_val, output, sw_val) if np.isfinite(output).all() else np.nan
        state.validation_scores.append(score)
        state.validation_loss_curve.append(val_loss)
        if self.loop.config.verbose:
            print("Validation score: %f" % score)
        if self.loop.config.early_stopping and self.no_improvement.update(state, loss, score):
            self.best_weights = engine.get_weights()
        return score, val_loss

    def apply_rules(self, grad_norm):
        """The schedule, the gradient-norm floor and the patience; True to stop."""
        config, state, engine = self.loop.config, self.loop.state, self.loop.engine
        if self.schedule.epoch_end(state):
            engine.set_learning_rate(state.learning_rate)
        if self.floor.reached(grad_norm):
            if config.verbose:
                print("Gradient norm %g fell below min_grad_norm=%g. Stopping."
                      % (grad_norm, config.min_grad_norm))
            return True
        if self.no_improvement.exhausted(state):
            stop = self.schedule.on_plateau(state)
            if config.verbose:
                print(self.no_improvement.message() + (
                    " Stopping." if stop else
                    " Setting learning rate to %f" % state.learning_rate))
            if stop:
                return True
            engine.set_learning_rate(state.learning_rate)
        return False

    def end(self):
        """Keep the optimizer state, restore the best weights, close the hooks."""
        loop, state, engine = self.loop, self.loop.state, self.loop.engine
        state.optimizer_state = (loop.config.optimizer, engine.optimizer_state())
        if self.val is not None and loop.config.early_stopping:
            engine.set_weights(self.best_weights, object())
        if loop.hooks:
            loop.train_end(self.logs)
        loop.finish(self.X, recalibrate=not self.incremental)
