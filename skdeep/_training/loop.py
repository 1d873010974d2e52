"""The epoch loop shared by every skdeep estimator: what hooks see and steer.

:class:`EpochLoop` drives one fit call's training over a compiled engine
with a :class:`~skdeep._training.state.TrainingConfig` and a
:class:`~skdeep._training.state.FitState` -- never the estimator -- by one
of two runs: scikit-learn's minibatch epochs
(:func:`skdeep._training.stochastic.run_stochastic`) or L-BFGS through SciPy
(:func:`skdeep._training.lbfgs.run_lbfgs`).  Everything else that wants to see
or steer training -- Keras callbacks, scikit-learn's callbacks (progress
bars, scoring monitors), schedules, checkpoints, plots -- enters through one
small protocol, :class:`~skdeep._training.hooks.EpochHook`, and sees the
loop's attributes below.
"""

import numpy as np

__all__ = ["EpochLoop"]


class EpochLoop:
    """One fit call's training loop over a compiled engine.

    Parameters
    ----------
    config : TrainingConfig
        How to train.
    state : FitState
        Where training starts; advanced in place.
    engine : engine
        The compiled engine holding the network's variables.
    hooks : list of EpochHook
        Called around every epoch.
    """

    def __init__(self, config, state, engine, hooks=()):
        self.config = config
        self.state = state
        self.engine = engine
        self.hooks = list(hooks)
        self.stop_training = False
        self.steps = 0  # optimizer updates in this call
        #: L-BFGS: the iterate (flat trainable weights) hooks see, between evaluations
        self.iterate = None
        self._model_used = False  # whether a hook was handed ``model``
        #: epochs (iterations for L-BFGS) this call may run: ``max_iter``, or
        #: what ``max_iter='auto'`` makes of a budget of optimizer steps
        self.max_epochs = config.max_iter
        #: The call's rows as NumPy arrays ``(X, Y, sample_weight)`` by log prefix:
        #: ``''`` the training rows, ``'val_'`` the held-out ones (if any)
        self.datasets = {}

    # ------------------------------------------------------------------ hook API
    #: 0-based index of the epoch being run (or just finished), counted over
    #: warm starts and ``partial_fit`` calls like ``loss_curve_``.
    epoch = 0

    @property
    def learning_rate(self):
        """float: the learning rate of the next update (stochastic solvers)."""
        return float(self.state.learning_rate)

    @learning_rate.setter
    def learning_rate(self, value):
        if not self.config.stochastic:
            raise ValueError(
                "A callback tried to set the learning rate, but solver='lbfgs' has none "
                "(L-BFGS chooses its steps by line search). Use a stochastic solver "
                "('adam', 'sgd', 'rmsprop', 'adagrad') with learning-rate callbacks."
            )
        value = float(value)
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"A callback set the learning rate to {value}; it must be > 0.")
        self.state.learning_rate = value
        self.engine.set_learning_rate(value)

    def current_weights(self):
        """The network's current weights, one NumPy array per model variable."""
        weights = self.engine.get_weights()
        if self.iterate is not None:  # L-BFGS: the variables hold the last evaluation
            weights = _with_flat_trainable(self.engine, weights, self.iterate)
        return weights

    @property
    def model(self):
        """keras.Model: the engine's model, holding the current weights.

        A hook that changes its weights (``model.set_weights``) in
        ``on_train_end`` changes the fitted weights.
        """
        self.engine.sync_model(None if self.iterate is None else self.current_weights())
        self._model_used = True
        return self.engine.model

    # ------------------------------------------------------------------ for the runs
    def call(self, name, *args):
        """Call hook method ``name`` on every hook; True if one asked to stop."""
        stop = False
        for hook in self.hooks:
            stop = bool(getattr(hook, name)(self, *args)) or stop
        return stop

    def epoch_logs(self, loss, grad_norm, val=None):
        """The logs of an epoch, as Keras callbacks know them."""
        logs = {"loss": float(loss)}
        if val is not None:
            score, val_loss = val
            logs["val_loss"] = float(val_loss)
            logs["val_score"] = float(score)
            alias = self.config.validation_score_name
            if alias:
                logs[f"val_{alias}"] = float(score)
        if self.config.stochastic:
            logs["learning_rate"] = self.learning_rate
        if self.state.grad_norm_curve is not None:
            logs["grad_norm"] = float(grad_norm)
        return logs

    def train_end(self, logs):
        """The hooks' ``on_train_end``; weights they load into ``model`` are kept."""
        self.iterate = None  # L-BFGS: the engine holds the solution now
        self.call("on_train_end", logs)
        if self._model_used:
            # a hook may have loaded other weights into the model (Keras'
            # EarlyStopping(restore_best_weights=True)): they become the fitted ones
            self.engine.adopt_model_weights()

    def finish(self, X, recalibrate=True):
        """End a run: batch-norm statistics on the training rows, the fitted weights."""
        if recalibrate and self.engine.batchnorms:
            self.engine.recalibrate_batchnorm(X)
        self.state.weights = self.engine.get_weights()


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
