"""Keras' and scikit-learn's callbacks on skdeep's epoch loop.

Both enter training the same way, as :class:`~skdeep._training.hooks.EpochHook`s:

* :class:`KerasCallbackHook` calls Keras callbacks (``EarlyStopping``,
  ``ReduceLROnPlateau``, ``ModelCheckpoint``, ``CSVLogger``, ``TensorBoard``,
  your own) once per epoch with the logs Keras users know, hands them a Keras
  model holding the current weights, honours ``model.stop_training`` and lets
  them change the learning rate through ``model.optimizer.learning_rate``.
* :class:`SklearnCallbackHook` reports each epoch as a task to scikit-learn
  1.9's experimental callbacks (``sklearn.callback.ProgressBar``,
  ``ScoringMonitor``), so a search's progress display reaches down to epochs.

:class:`FitCallbacks` puts together the hooks of one fit call.
"""

import copy
import uuid
import warnings

from .._backend import load
from .._private import num_samples
from .hooks import EpochHook

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks

    SKLEARN_CALLBACKS = True
except ImportError:  # pragma: no cover - older scikit-learn: no callback API
    SKLEARN_CALLBACKS = False

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9, which has no callback API."""

    def with_callbacks(method):
        """Identity: scikit-learn < 1.9 has no callbacks to tear down."""
        return method


__all__ = ["CallbackSupportMixin", "FitCallbacks", "with_callbacks"]

#: Keras' per-batch hooks, which skdeep's compiled epochs cannot call.
_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end")


class _OptimizerView:
    """What Keras callbacks find as ``model.optimizer``: the loop's learning rate.

    skdeep's optimizer state lives in its compiled engine; this view reads and
    sets the learning rate there (``ReduceLROnPlateau``,
    ``LearningRateScheduler``) and counts the updates (``iterations``).
    """

    def __init__(self, loop):
        self._loop = loop

    @property
    def learning_rate(self):
        return self._loop.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._loop.learning_rate = value

    @property
    def iterations(self):
        return self._loop.steps


def check_keras_callbacks(callbacks, estimator, config):
    """Validate the ``callbacks`` parameter; return fresh copies to train with.

    The copies (kept as ``callbacks_``) leave the user's instances untouched,
    as scikit-learn requires of parameters, and keep the folds of a search
    from sharing state.  ``estimator`` names the estimator in messages;
    ``config`` (its :class:`~skdeep._training.state.TrainingConfig`) says
    which logs the fit produces.

    Raises
    ------
    TypeError
        If an entry is not a Keras callback instance.
    ValueError
        If a callback cannot work on skdeep's loop (it monitors a log the fit
        does not produce, wants a learning rate under L-BFGS, or needs Keras'
        own fit loop).
    """
    if callbacks is None:
        return []
    _, keras = load()
    name = type(estimator).__name__
    for cb in callbacks:
        if not isinstance(cb, keras.callbacks.Callback):
            hint = ""
            if hasattr(cb, "on_fit_task_end"):
                hint = (
                    " It looks like a scikit-learn callback: register those with "
                    f"{name}(...).set_callbacks(...) instead."
                )
            raise TypeError(
                f"callbacks must be a list of Keras callback instances "
                f"(keras.callbacks.Callback), got {type(cb).__name__}: {cb!r}.{hint}"
            )
    logs = available_logs(config)
    for cb in callbacks:
        _refuse_what_the_loop_cannot_serve(keras, cb, name, config, logs)
        _warn_what_runs_per_epoch(keras, cb)
    return [fresh_copy(cb) for cb in callbacks]


#: Modules whose objects a callback's copy copies (its own state); objects of
#: any other module it refers to are shared with the user's instance.
_COPIED_MODULES = ("builtins", "numpy", "keras", "collections", "datetime")


def fresh_copy(callback):
    """A deep copy of ``callback``'s own state that shares what it reports to.

    Numbers, strings, containers, arrays and Keras objects are copied (so the
    folds of a search do not share a best weight or a patience count); an
    object of another library the callback refers to -- an Optuna trial, a
    logger, a queue, a progress bar -- stays the user's object, so what the
    callback reports during the fit reaches it.
    """
    memo = {}
    for value in vars(callback).values():
        module = type(value).__module__.split(".")[0]
        if module not in _COPIED_MODULES:
            memo[id(value)] = value
    return copy.deepcopy(callback, memo)


def _refuse_what_the_loop_cannot_serve(keras, cb, name, config, logs):
    """A ValueError for a callback that needs Keras' own loop, a log the fit does
    not produce, or a learning rate under L-BFGS."""
    kind = type(cb).__name__
    if isinstance(cb, keras.callbacks.BackupAndRestore):
        raise ValueError(
            "BackupAndRestore resumes Keras' own fit loop, which skdeep does not "
            "run. To continue training, use warm_start=True or partial_fit; to keep "
            "the best weights, use ModelCheckpoint."
        )
    monitor = getattr(cb, "monitor", None)
    if isinstance(monitor, str) and monitor not in logs:
        more = ""
        if monitor.startswith("val_") and not config.validates:
            more = (
                " Validation logs come with early_stopping=True (its "
                "validation_fraction is held out; n_iter_no_change=np.inf leaves "
                "stopping to the callback); the Keras wrappers also log them with "
                "validation_split > 0 (the last rows, as in Keras)."
            )
        raise ValueError(
            f"{kind} monitors {monitor!r}, which this {name} fit does not log; it "
            f"logs {sorted(logs)}.{more}"
        )
    if not config.stochastic and isinstance(
        cb, (keras.callbacks.ReduceLROnPlateau, keras.callbacks.LearningRateScheduler)
    ):
        raise ValueError(
            f"{kind} changes the learning rate, but solver='lbfgs' has none (L-BFGS "
            "chooses its steps by line search). Use a stochastic solver ('adam', "
            "'sgd', 'rmsprop', 'adagrad') with this callback."
        )


def _warn_what_runs_per_epoch(keras, cb):
    """A warning for a callback that expects per-batch calls (they run per epoch)."""
    kind = type(cb).__name__
    if isinstance(cb, keras.callbacks.ModelCheckpoint) and cb.save_freq != "epoch":
        warnings.warn(
            f"ModelCheckpoint(save_freq={cb.save_freq!r}): skdeep trains each epoch "
            "in one compiled call, so callbacks run once per epoch; it will save "
            "every epoch. Pass save_freq='epoch' to silence this warning.",
            UserWarning,
        )
    elif isinstance(cb, keras.callbacks.TensorBoard) and cb.update_freq != "epoch":
        warnings.warn(
            f"TensorBoard(update_freq={cb.update_freq!r}): skdeep trains each epoch "
            "in one compiled call, so it logs once per epoch.",
            UserWarning,
        )
    elif not type(cb).__module__.startswith("keras"):
        base = keras.callbacks.Callback
        overridden = [
            hook for hook in _BATCH_HOOKS
            if getattr(type(cb), hook) is not getattr(base, hook) or hook in vars(cb)
        ]
        if overridden:
            warnings.warn(
                f"{kind} defines {', '.join(overridden)}, which skdeep never calls: "
                "each epoch trains in one compiled call, so callbacks run at epoch "
                "granularity (on_train_begin/end, on_epoch_begin/end).",
                UserWarning,
            )


def available_logs(config):
    """The keys of the logs each epoch of a fit configured by ``config`` passes
    to callbacks."""
    logs = {"loss"}
    if config.stochastic:
        logs.add("learning_rate")
    if config.min_grad_norm > 0:
        logs.add("grad_norm")
    logs |= set(config.metric_names)
    if config.validates:
        logs |= {"val_loss", "val_score", *(f"val_{m}" for m in config.metric_names)}
        if config.validation_score_name:
            logs.add(f"val_{config.validation_score_name}")
    return logs


class KerasCallbackHook(EpochHook):
    """Calls Keras callbacks from skdeep's epoch loop.

    Parameters
    ----------
    callbacks : list of keras.callbacks.Callback
        The (already copied) callbacks.
    """

    def __init__(self, callbacks):
        self.callbacks = callbacks

    def on_train_begin(self, loop):
        model = loop.model
        model.stop_training = False
        model.optimizer = _OptimizerView(loop)
        params = {"epochs": loop.max_epochs, "steps": None, "verbose": 0}
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
            cb.on_train_begin(logs={})

    def on_epoch_begin(self, loop):
        for cb in self.callbacks:
            cb.on_epoch_begin(loop.epoch, logs={})

    def on_epoch_end(self, loop, logs):
        model = loop.model  # now holding this epoch's weights
        logs = dict(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(loop.epoch, logs=logs)
        return bool(model.stop_training)

    def on_train_end(self, loop, logs):
        model = loop.model  # holding the weights skdeep would keep
        try:
            for cb in self.callbacks:
                cb.on_train_end(logs=dict(logs))
        finally:
            model.stop_training = False
            model.optimizer = None
            for cb in self.callbacks:
                # the engine (and its model) goes back to a cache shared by other fits
                cb.set_model(None)


class SklearnCallbackHook(EpochHook):
    """Reports each epoch as a subtask of ``parent`` to scikit-learn's callbacks.

    Parameters
    ----------
    parent : sklearn.callback.CallbackContext
        The task whose subtasks the epochs are.
    estimator : BaseNeuralEstimator
        The estimator being fitted.
    X, y, metadata :
        What the callbacks receive (the data as passed to ``fit``).
    task_name : str
        ``'epoch'`` or ``'iteration'`` (L-BFGS).
    """

    def __init__(self, parent, estimator, X, y, metadata, task_name):
        self.parent, self.estimator = parent, estimator
        self.X, self.y, self.metadata = X, y, metadata
        self.task_name = task_name
        self.task = None

    def on_epoch_begin(self, loop):
        self.task = self.parent.subcontext(task_name=self.task_name)
        self.task.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )

    def on_epoch_end(self, loop, logs):
        task, self.task = self.task, None
        return task.call_on_fit_task_end(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata,
            reconstruction_attributes=lambda: snapshot(loop.current_weights()),
        )

    def on_train_end(self, loop, logs):
        if self.task is not None:  # an epoch that did not finish (divergence, Ctrl-C)
            self.task.call_on_fit_task_end(estimator=self.estimator)
            self.task = None


def snapshot(weights):
    """Attributes that make a copy of a fitting estimator predict with ``weights``."""
    return {"_weights": weights, "_weights_token": uuid.uuid4().hex, "_keras_model": None}


class FitCallbacks:
    """The callback hooks of one ``fit`` / ``partial_fit`` call.

    Parameters
    ----------
    estimator : BaseNeuralEstimator
        The estimator being fitted.
    X, y, sample_weight :
        The data as passed to fit (scikit-learn's callbacks score on them).
    n_runs : int
        Restarts of this call (``n_init``).
    incremental : bool
        Whether this is a ``partial_fit`` call (one epoch).
    config : TrainingConfig
        How the call trains.
    """

    def __init__(self, estimator, X, y, sample_weight, n_runs, incremental, config):
        self.estimator = estimator
        # an estimator may build its callbacks for each fit (scikeras' routed classes)
        given = getattr(estimator, "_fit_callbacks",
                        lambda: getattr(estimator, "callbacks", None))()
        self.keras = check_keras_callbacks(given, estimator, config)
        estimator.callbacks_ = self.keras
        self.n_runs = n_runs
        self.root = None
        self.X, self.y = X, y
        self.metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        self.task_name = "epoch" if config.stochastic else "iteration"
        self.n_epochs = 1 if incremental else config.planned_epochs(num_samples(X))
        if SKLEARN_CALLBACKS and getattr(estimator, "_skl_callbacks", None):
            self.root = estimator._init_callback_context(
                max_subtasks=n_runs if n_runs > 1 else self.n_epochs
            )
            self.root.call_on_fit_task_begin(
                estimator=estimator, X=X, y=y, metadata=self.metadata
            )
        self._run_task = None

    def hooks(self, run):
        """The hooks for restart ``run`` (0-based)."""
        hooks = []
        if self.keras:
            hooks.append(KerasCallbackHook(self.keras))
        if self.root is not None:
            parent = self.root
            if self.n_runs > 1:
                parent = self._run_task = self.root.subcontext(
                    task_name="init", max_subtasks=self.n_epochs
                )
                parent.call_on_fit_task_begin(
                    estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
                )
            hooks.append(SklearnCallbackHook(
                parent, self.estimator, self.X, self.y, self.metadata, self.task_name
            ))
        return hooks

    def end_run(self):
        """Close restart ``run``'s task (``n_init > 1``)."""
        if self._run_task is not None:
            task, self._run_task = self._run_task, None
            weights = self.estimator._weights
            task.call_on_fit_task_end(
                estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata,
                reconstruction_attributes=lambda: snapshot(weights),
            )

    def end(self):
        """Close the fit's task, once the fitted attributes are final."""
        if self.root is not None:
            self.root.call_on_fit_task_end(
                estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata,
                reconstruction_attributes={},
            )
