"""The epoch loop shared by every skdeep estimator.

:class:`EpochLoop` runs scikit-learn's MLP training semantics on a compiled
engine -- minibatch epochs with scikit-learn's shuffling, learning-rate
schedules, ``tol`` / ``n_iter_no_change`` stopping, validation-based early
stopping with best-weight restore, the gradient-norm criterion, and L-BFGS
through SciPy.  Everything else that wants to see or steer training -- Keras
callbacks, scikit-learn's callbacks (progress bars, scoring monitors),
checkpoints, plots -- enters through one small protocol,
:class:`~skdeep._training.hooks.EpochHook`.
"""

import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from .._private import inside_sklearn_validation
from .batching import epoch_order, resolve_batch_size, resolve_epochs, validation_split

__all__ = ["EpochLoop"]


class EpochLoop:
    """One fit call's training loop over a compiled engine.

    Parameters
    ----------
    estimator : BaseNeuralEstimator
        The estimator being fitted; its parameters drive the loop and its
        fitted attributes (``loss_curve_``, ``n_iter_``, ...) are updated.
    engine : engine
        The compiled engine holding the network's variables.
    hooks : list of EpochHook
        Called around every epoch.
    """

    def __init__(self, estimator, engine, hooks=()):
        self.estimator = estimator
        self.engine = engine
        self.hooks = list(hooks)
        self.stop_training = False
        self.steps = 0  # optimizer updates in this call
        self._flat = None  # L-BFGS: the iterate whose weights hooks see
        self._model_used = False  # whether a hook was handed ``model``
        #: epochs (iterations for L-BFGS) this call may run: ``max_iter``, or
        #: what ``max_iter='auto'`` makes of a budget of optimizer steps
        self.max_epochs = estimator.max_iter

    # ------------------------------------------------------------------ hook API
    #: 0-based index of the epoch being run (or just finished), counted over
    #: warm starts and ``partial_fit`` calls like ``loss_curve_``.
    epoch = 0

    @property
    def learning_rate(self):
        """float: the learning rate of the next update (stochastic solvers)."""
        return float(self.estimator._learning_rate)

    @learning_rate.setter
    def learning_rate(self, value):
        est = self.estimator
        if est.solver == "lbfgs":
            raise ValueError(
                "A callback tried to set the learning rate, but solver='lbfgs' has none "
                "(L-BFGS chooses its steps by line search). Use a stochastic solver "
                "('adam', 'sgd', 'rmsprop', 'adagrad') with learning-rate callbacks."
            )
        value = float(value)
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"A callback set the learning rate to {value}; it must be > 0.")
        est._learning_rate = value
        self.engine.set_learning_rate(value)

    def current_weights(self):
        """The network's current weights, one NumPy array per model variable."""
        weights = self.engine.get_weights()
        if self._flat is not None:  # L-BFGS: the variables hold the last evaluation
            weights = _with_flat_trainable(self.engine, weights, self._flat)
        return weights

    @property
    def model(self):
        """keras.Model: the engine's model, holding the current weights.

        A hook that changes its weights (``model.set_weights``) in
        ``on_train_end`` changes the fitted weights.
        """
        self.engine.sync_model(None if self._flat is None else self.current_weights())
        self._model_used = True
        return self.engine.model

    def _call(self, name, *args):
        stop = False
        for hook in self.hooks:
            stop = bool(getattr(hook, name)(self, *args)) or stop
        return stop

    def _epoch_logs(self, loss, grad_norm, val=None):
        logs = {"loss": float(loss)}
        if val is not None:
            score, val_loss = val
            logs["val_loss"] = float(val_loss)
            logs["val_score"] = float(score)
            alias = getattr(self.estimator, "_validation_score_name", None)
            if alias:
                logs[f"val_{alias}"] = float(score)
        if self.estimator.solver != "lbfgs":
            logs["learning_rate"] = self.learning_rate
        if self.estimator.grad_norm_curve_ is not None:
            logs["grad_norm"] = float(grad_norm)
        return logs

    # ------------------------------------------------------------------ stochastic
    def run_stochastic(self, X, Y, y, sample_weight, incremental, rng, split=None):
        """scikit-learn's stochastic training (sgd, adam, ...) for one fit call.

        Returns the ``(train_index, val_index)`` validation split it used
        (``None`` without early stopping), so ``n_init`` runs share it.
        """
        est, engine = self.estimator, self.engine
        saved = est._optimizer_state
        if incremental and saved is not None and saved[0] == est._spec.optimizer:
            engine.reset_optimizer(est._learning_rate, saved[1])
        else:
            est._learning_rate = float(est.learning_rate_init)
            engine.reset_optimizer(est._learning_rate)

        early_stopping = est.early_stopping
        if early_stopping:
            stratify = est._stratify_labels(y)
            X, X_val, Y, Y_val, sample_weight, sw_val, split = validation_split(
                X, Y, sample_weight, stratify, est.validation_fraction, rng, split
            )
            y_val = y[split[1]]
            val = engine.tensors(X_val, Y_val, sw_val)
            best_weights = est._weights

        n_samples = X.shape[0]
        batch_size = resolve_batch_size(est.batch_size, n_samples, est._auto_batch_size)
        batches = -(-n_samples // batch_size)
        max_epochs, patience = resolve_epochs(est.max_iter, est.n_iter_no_change, batches)
        self.max_epochs = max_epochs
        Xt, Yt, SWt = engine.tensors(X, Y, sample_weight)
        penalties = est._penalty_values()
        min_grad_norm = float(getattr(est, "min_grad_norm", 0.0))
        adaptive_solver = est.solver != "adam"
        sample_idx = np.arange(n_samples, dtype=np.int32)
        hooks = self.hooks
        logs = {}

        est.n_iter_ = 0
        if hooks:
            self._call("on_train_begin")
        try:
            for _ in range(max_epochs):
                self.epoch = len(est.loss_curve_)
                if hooks:
                    self._call("on_epoch_begin")
                sample_idx = epoch_order(sample_idx, est.shuffle, rng)
                loss, grad_norm = engine.train_epoch(
                    Xt, Yt, SWt, sample_idx, batch_size, penalties
                )
                self.steps += batches
                est.n_iter_ += 1
                est.loss_ = loss
                est.t_ += n_samples
                est.loss_curve_.append(loss)
                if est.grad_norm_curve_ is not None:
                    est.grad_norm_curve_.append(grad_norm)
                if est.verbose:
                    print("Iteration %d, loss = %.8f" % (est.n_iter_, loss))
                if not np.isfinite(loss):
                    break  # diverged: the finite-weights check reports it

                val_result = None
                if early_stopping:
                    output, val_loss = engine.evaluate(*val, penalties)
                    score = est._score_output(y_val, output, sw_val)
                    val_result = (score, val_loss)
                    est.validation_scores_.append(score)
                    est.validation_loss_curve_.append(val_loss)
                    if est.verbose:
                        print("Validation score: %f" % score)
                    if score < est.best_validation_score_ + est.tol:
                        est._no_improvement_count += 1
                    else:
                        est._no_improvement_count = 0
                    if score > est.best_validation_score_:
                        est.best_validation_score_ = score
                        best_weights = engine.get_weights()
                else:
                    if loss > est.best_loss_ - est.tol:
                        est._no_improvement_count += 1
                    else:
                        est._no_improvement_count = 0
                    est.best_loss_ = min(est.best_loss_, loss)

                if hooks:
                    logs = self._epoch_logs(loss, grad_norm, val_result)
                    if self._call("on_epoch_end", logs):
                        self.stop_training = True
                    if self.stop_training:
                        break

                if adaptive_solver and est.learning_rate == "invscaling":
                    est._learning_rate = est.learning_rate_init / (est.t_ + 1) ** est.power_t
                    engine.set_learning_rate(est._learning_rate)

                if min_grad_norm > 0 and grad_norm < min_grad_norm:
                    if est.verbose:
                        print(
                            "Gradient norm %g fell below min_grad_norm=%g. Stopping."
                            % (grad_norm, min_grad_norm)
                        )
                    break

                if est._no_improvement_count > patience:
                    what = "Validation score" if early_stopping else "Training loss"
                    msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                        what, est.tol, patience,
                    )
                    if (
                        adaptive_solver
                        and est.learning_rate == "adaptive"
                        and est._learning_rate > 1e-6
                    ):
                        est._learning_rate /= 5.0
                        engine.set_learning_rate(est._learning_rate)
                        est._no_improvement_count = 0
                        if est.verbose:
                            print(msg + " Setting learning rate to %f" % est._learning_rate)
                    else:
                        if est.verbose:
                            print(msg + " Stopping.")
                        break

                if incremental:
                    break
                if est.n_iter_ == max_epochs and not est._epoch_budget:
                    warnings.warn(
                        "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                        "optimization hasn't converged yet." % max_epochs,
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            if est.n_iter_ == 0 or inside_sklearn_validation():
                raise  # nothing trained yet, or a search would score a cut-short fit
            warnings.warn(
                f"Training interrupted by user after {est.n_iter_} epoch(s); keeping the "
                "last completed epoch.", UserWarning,
            )

        est._optimizer_state = (est._spec.optimizer, engine.optimizer_state())
        if early_stopping:
            engine.set_weights(best_weights, object())
        if hooks:
            self._train_end(logs)
        if engine.batchnorms and not incremental:
            engine.recalibrate_batchnorm(X)
        est._store_weights(engine.get_weights())
        engine.loaded = est._weights_token
        est._record_history()
        return split

    def _train_end(self, logs):
        self._flat = None  # L-BFGS: the engine holds the solution now
        self._call("on_train_end", logs)
        if self._model_used:
            # a hook may have loaded other weights into the model (Keras'
            # EarlyStopping(restore_best_weights=True)): they become the fitted ones
            self.engine.adopt_model_weights()

    # ------------------------------------------------------------------ L-BFGS
    def run_lbfgs(self, X, Y, sample_weight):
        """Full-batch L-BFGS-B through SciPy, with the loop's hooks per iteration."""
        est, engine = self.estimator, self.engine
        Xt, Yt, SWt = engine.tensors(X, Y, sample_weight, pad=False)
        penalties = est._penalty_values()
        min_grad_norm = float(getattr(est, "min_grad_norm", 0.0))
        hooks = self.hooks
        last, logs = {}, {}
        self.max_epochs = est._planned_epochs(X)  # max_iter, or 200 for "auto"

        def fun(flat):
            objective, rep, grad = engine.loss_and_grad(flat, Xt, Yt, SWt, penalties)
            last["loss"], last["grad_norm"] = rep, float(np.linalg.norm(grad))
            return objective, grad

        curve = est.loss_curve_
        start = len(curve)

        def callback(intermediate_result):
            curve.append(last["loss"])
            if est.grad_norm_curve_ is not None:
                est.grad_norm_curve_.append(last["grad_norm"])
            if est.verbose:
                print("Iteration %d, loss = %.8f" % (len(curve) - start, last["loss"]))
            if hooks:
                # scipy reports an iteration once it is done: both hooks run here
                self.epoch = len(curve) - 1
                self._flat = np.asarray(intermediate_result.x)
                logs.clear()
                logs.update(self._epoch_logs(last["loss"], last["grad_norm"]))
                self._call("on_epoch_begin")
                if self._call("on_epoch_end", logs) or self.stop_training:
                    self.stop_training = True
                    raise StopIteration
            if min_grad_norm > 0 and last["grad_norm"] < min_grad_norm:
                raise StopIteration

        if hooks:
            self._call("on_train_begin")
        result = scipy.optimize.minimize(
            fun,
            engine.trainable_flat(),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxfun": est.max_fun, "maxiter": self.max_epochs, "gtol": est.tol},
        )
        n_done = len(curve) - start
        stopped_on_gradient = min_grad_norm > 0 and n_done and (
            est.grad_norm_curve_[-1] < min_grad_norm
        )
        if result.status != 0 and not stopped_on_gradient and not self.stop_training:
            warnings.warn(
                "lbfgs failed to converge after %d iteration(s) (status=%d): %s. Increase "
                "max_iter or max_fun, or scale the data." % (result.nit, result.status, result.message),
                ConvergenceWarning,
            )
        # leave the variables at the solution (the last evaluation may differ)
        _, est.loss_, _ = engine.loss_and_grad(result.x, Xt, Yt, SWt, penalties)
        if hooks:
            self._train_end(logs)
        if engine.batchnorms:
            engine.recalibrate_batchnorm(X)
        est.n_iter_ = int(result.nit)
        est.best_loss_ = min(curve + [est.loss_])
        est._store_weights(engine.get_weights())
        engine.loaded = est._weights_token
        est._record_history()


def _with_flat_trainable(engine, weights, flat):
    """``weights`` with the trainable variables replaced by the flat vector ``flat``."""
    slot = {id(v): i for i, v in enumerate(engine.variables)}
    weights = list(weights)
    offset = 0
    for v in engine.trainable:
        i = slot[id(v)]
        size = weights[i].size
        weights[i] = flat[offset : offset + size].reshape(weights[i].shape).astype(weights[i].dtype)
        offset += size
    return weights
