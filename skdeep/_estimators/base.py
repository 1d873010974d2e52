"""The fit / partial_fit / predict template shared by every skdeep estimator.

:class:`BaseNeuralEstimator` runs every fit through the same named steps --
``_prepare`` (front end and target head), ``_plan`` (configuration,
placement, callbacks), ``_run`` per ``n_init`` restart (initial weights, the
epoch loop of :mod:`skdeep._training`), ``_keep_best``, ``_check_finite`` --
over an engine leased from :mod:`skdeep._engine.cache`.  Its mixins carry the
rest: the input side (:mod:`~skdeep._estimators.frontend`), the fitted weights
(:mod:`~skdeep._estimators.weights`) and the parameters' meaning
(:mod:`~skdeep._estimators.settings`).

A family (MLP, CNN, RNN, ...) provides the hooks:

* ``_model_spec(input_shape, n_outputs, dtype, loss)`` -- which Keras model to
  build (a :class:`~skdeep._engine.spec.ModelSpec`, usually via ``_make_spec``);
* ``_validate_input(X, y, incremental, reset, classes)`` -- validation of ``X``
  and ``y`` (the heads implement it over the front end);
* ``_encode_target(y, dtype)`` -- the float target matrix the network learns;
* ``_output_setup()`` -- ``(out_activation_, loss)`` for the fitted target;
* ``_score_output(y, output, sample_weight)`` -- the validation score of early
  stopping (accuracy or R^2, as in scikit-learn);

and may override ``_setup_network`` (fitted attributes of a new network),
``_initial_weights``, ``_shape_input``, ``_numpy_forward``,
``_training_config``, ``_training_hooks``, ``_class_sample_weight``,
``_stratify_labels`` and ``_cohort_eligible``.

An accelerator above this layer can answer a training ``fit`` with a state it
trained already through the fit-cache slot (:func:`install_fit_cache`).
"""

import dataclasses
import inspect
import warnings
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from .._engine import cache as _engines
from .._private import check_sample_weight
from .._training.callbacks import CallbackSupportMixin, FitCallbacks, with_callbacks
from .._training.lbfgs import run_lbfgs
from .._training.loop import EpochLoop
from .._training.state import FitState
from .._training.stochastic import run_stochastic
from .._version import __version__
from .frontend import FrontEndMixin, check_positive_weights
from .restarts import train_runs
from .settings import SettingsMixin
from .weights import WeightsMixin

__all__ = ["BaseNeuralEstimator", "FitCache", "install_fit_cache"]


class FitCache(Protocol):
    """What fills the fit-cache slot (:func:`install_fit_cache`).

    The fit template asks it before a ``fit`` trains and tells it after, so
    an accelerator above this layer (a grouped search, :mod:`skdeep._cohort`)
    can hand back a state it trained already -- the policy layer owns the
    interface, the accelerator implements it.
    """

    def take(self, estimator, X, y, sample_weight):
        """The ``__dict__`` of an identical fit trained already, or None."""

    def store(self, estimator, X, y, sample_weight):
        """Called after ``estimator`` was fitted on ``(X, y, sample_weight)``."""


#: The fit-cache slot; a module global so that a search's worker threads see it.
_fit_cache = None


def install_fit_cache(cache):
    """Fill (or, with None, empty) the fit-cache slot.

    Parameters
    ----------
    cache : FitCache or None
        Consulted by every training ``fit`` (not ``partial_fit``).
    """
    global _fit_cache
    _fit_cache = cache


@dataclasses.dataclass
class _Data:
    """One call's data, validated and encoded; ``fresh``: a new network."""

    X: object
    Y: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray
    fresh: bool


#: A loss that ends this many times above its first epoch's value is a divergence.
DIVERGED_GROWTH = 1000.0


@dataclasses.dataclass
class _Plan:
    """How one call trains: its configuration and what it needs besides data."""

    config: object
    train: bool
    incremental: bool
    n_runs: int
    placement: object
    callbacks: object
    rng: object


class BaseNeuralEstimator(FrontEndMixin, WeightsMixin, SettingsMixin, CallbackSupportMixin,
                          BaseEstimator):
    """Base class of skdeep's estimators; not for direct use.

    It implements scikit-learn's MLP training semantics on a Keras model:
    minibatch epochs with the same shuffling, learning-rate schedules,
    ``tol``/``n_iter_no_change`` stopping, validation-based early stopping
    with best-weight restore, L-BFGS, ``warm_start`` and ``partial_fit``.
    """

    #: The dtype ``precision='auto'`` computes in: None follows the input's
    #: float dtype (the drop-in MLPs, as scikit-learn's); image, sequence and
    #: tabular networks set ``'float32'``.
    _auto_precision = None

    #: A parameter added after a file was pickled takes, when it is loaded,
    #: the value here (what the file's network was) rather than its default.
    _values_before_added = {}

    # ------------------------------------------------------------------ public API
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix ``X`` and target(s) ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers
            in regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; the loss is their weighted average.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def initialize(self, X, y, classes=None):
        """Set the network up for ``(X, y)`` without training it.

        Validates the data, fixes the architecture (inputs, outputs, classes)
        and draws the initial weights, as the first step of :meth:`fit`
        does; ``n_iter_`` is 0 and ``loss_`` is the loss of the initial
        weights on ``(X, y)``. Use it to predict with weights you assign to
        ``coefs_`` and ``intercepts_`` -- for example with the untrainable
        ``'step'`` and ``'sign'`` activations.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data fixing the number of features.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets fixing the outputs (and, for classifiers, the classes).
        classes : array-like of shape (n_classes,), default=None
            Classifiers only: all classes, if ``y`` does not show them all.

        Returns
        -------
        self : object
            The initialised estimator.
        """
        self._validate_params()
        return self._fit(X, y, classes=classes, train=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = self._imputes()
        tags.target_tags.multi_output = True
        tags.non_deterministic = self.random_state is None
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_keras_model", None)
        state.pop("callbacks_", None)  # run-time objects: open files, writers
        state["_skdeep_version"] = __version__
        return state

    def __setstate__(self, state):
        saved = state.pop("_skdeep_version", None)
        if saved is not None and saved != __version__:
            warnings.warn(
                f"This {type(self).__name__} was pickled with skdeep {saved} and is loaded "
                f"with skdeep {__version__}; check its predictions before relying on them.",
                UserWarning, stacklevel=2,
            )
        super().__setstate__(state)
        # a parameter added since the file was written takes the value that
        # describes the file's network (_values_before_added), else its default
        for name, param in inspect.signature(type(self).__init__).parameters.items():
            if (param.default is not param.empty and name not in self.__dict__
                    and not isinstance(getattr(type(self), name, None), property)):
                setattr(self, name, self._values_before_added.get(name, param.default))

    # ------------------------------------------------------------------ the fit template
    @with_callbacks
    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None, train=True,
             validation_split=None):
        # Ctrl-C that ends a fit (before its first epoch, or inside a search)
        # leaves the estimator as it was before the call, never half-fitted
        cache = _fit_cache if train and not incremental else None
        if cache is not None:
            # an accelerator above (a grouped search) trained this very fit
            # already (same parameters, same data): take its state instead
            state = cache.take(self, X, y, sample_weight)
            if state is not None:
                self.__dict__.update(state)
                return self
        before = {k: list(v) if isinstance(v, list) else v for k, v in self.__dict__.items()}
        try:
            self._fit_body(X, y, sample_weight, incremental, classes, train, validation_split)
            if cache is not None:
                cache.store(self, X, y, sample_weight)
            return self
        except KeyboardInterrupt:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    def _fit_body(self, X, y, sample_weight, incremental, classes, train, validation_split):
        """The named steps of every fit; ``validation_split`` (``(train_index,
        val_index)`` or None) fixes the rows early stopping holds out."""
        config = self._training_config(incremental)
        data = self._prepare(X, y, sample_weight, config, incremental, classes, train)
        if data.fresh:  # a new network may fix settings (a Keras model's compiled optimizer)
            config = self._training_config(incremental)
        plan = self._plan(data, (X, y, sample_weight), config, incremental, train)
        # Keras callbacks need the engine's Keras model: such a fit trains on a
        # compiled engine, never on one an accelerator lends (a cohort member)
        lend = train and not (plan.callbacks is not None and plan.callbacks.keras)
        runs = train_runs(self, data, plan, lend, validation_split)
        kept = runs[-1][0]
        if data.fresh and train:
            kept = self._keep_best(runs, config)
        self._check_finite(config, train, kept)
        self._refresh_model()
        if plan.callbacks is not None:
            plan.callbacks.end()
        return self

    def _prepare(self, X, y, sample_weight, config, incremental, classes, train):
        """Validate and encode the call's data; set a new network up if one is due."""
        first = not self.__sklearn_is_fitted__() or (not self.warm_start and not incremental)
        if not first and train:
            self._check_same_architecture()
        if config.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        if train:
            self._check_trainable(config)
        X, y = self._validate_input(
            X, y, incremental, reset=first or not train, classes=classes
        )
        if sp.issparse(X) and not self._sparse_rows:
            X = X.toarray()
        sample_weight = check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = sample_weight * self._class_sample_weight(y).astype(X.dtype)
        if train:
            check_positive_weights(sample_weight)
        fresh = first or not train
        if fresh:  # a head that rescales its targets learns how from these
            self._fit_targets(y, sample_weight)
        Y = self._encode_target(y, X.dtype)
        if fresh:
            # a network fitted on sparse rows takes sparse rows (dense ones are
            # converted); fixed by the first fit, like the architecture
            self._sparse_input = bool(sp.issparse(X))
            self._setup_network(X, Y, sample_weight)
        else:
            self._check_same_precision()
        if np.dtype(self._spec.dtype) != X.dtype:  # the network's precision, not the input's
            X = X.astype(self._spec.dtype)
            Y = Y.astype(self._spec.dtype)
            sample_weight = sample_weight.astype(self._spec.dtype)
        return _Data(X, Y, y, sample_weight, fresh)

    def _plan(self, data, raw, config, incremental, train):
        """Restarts, devices, callbacks and the random generator of the call."""
        rng = check_random_state(self.random_state)
        n_runs = int(getattr(self, "n_init", 1)) if (data.fresh and train) else 1
        placement = self._placement(config) if train else None
        # scikit-learn's callbacks score on the data as passed to fit
        callbacks = FitCallbacks(self, *raw, n_runs, incremental, config) if train else None
        return _Plan(config, train, incremental, n_runs, placement, callbacks, rng)

    def _run(self, engine, data, plan, run, split):
        """One training run: initial (or current) weights, then the epoch loop.

        Returns the run's :class:`~skdeep._training.state.FitState` and the
        validation split it used (restarts of ``n_init`` share it).
        """
        config = plan.config
        if data.fresh:
            state = FitState.fresh(config.early_stopping, self._spec.track_grad_norm,
                                   config.early_stopping or config.validates)
            self._store_weights(self._initial_weights(engine, plan.rng))
        else:
            state = FitState.of(self)
            self._store_weights(self._apply_rates(list(self._weights)))
        engine.set_weights(self._weights, self._weights_token)
        state.weights = initial = self._weights
        if not plan.train:
            tensors = engine.tensors(data.X, data.Y, data.sample_weight)
            _, state.loss = engine.evaluate(*tensors, config.penalties)
        else:
            hooks = [*self._training_hooks(plan.incremental), *plan.callbacks.hooks(run)]
            loop = EpochLoop(config, state, engine, hooks)
            if config.stochastic:
                split = run_stochastic(
                    loop, data.X, data.Y, data.y, data.sample_weight, plan.incremental,
                    plan.rng, self._score_output, self._stratify_labels(data.y), split)
            else:
                run_lbfgs(loop, data.X, data.Y, data.sample_weight)
            self._store_weights(state.weights)
            state.start_loss = self._start_loss(engine, data, config, state, initial)
        engine.loaded = self._weights_token
        state.publish(self)
        if plan.train:
            plan.callbacks.end_run()
        return state, split

    def _start_loss(self, engine, data, config, state, initial):
        """The loss of the ``initial`` weights, when the kept loss is so far above a
        constant guess's (``_chance_loss``) that training may have diverged; else None.

        One forward pass over the data, only on that suspicion; the fitted
        weights are loaded back.
        """
        kept = state.kept_loss()
        chance = self._chance_loss(data.Y, data.sample_weight)
        if not (np.isfinite(kept) and kept > DIVERGED_GROWTH * max(chance, 1e-3)):
            return None
        engine.set_weights(initial, object())
        _, start = engine.evaluate(*engine.tensors(data.X, data.Y, data.sample_weight),
                                   config.penalties)
        engine.set_weights(self._weights, self._weights_token)
        return float(start)

    def _keep_best(self, runs, config):
        """Of the ``n_init`` runs, keep the best (validation score, else final loss)."""
        if config.early_stopping:
            scores = [float(state.best_validation_score) for state, *_ in runs]
            best = int(np.argmax([s if np.isfinite(s) else -np.inf for s in scores]))
        else:
            scores = [float(state.loss) for state, *_ in runs]
            best = int(np.argmin([s if np.isfinite(s) else np.inf for s in scores]))
        state, weights, token, self._mc_seed = runs[best]
        state.publish(self)
        self._store_weights(weights, token)
        self.init_scores_ = np.asarray(scores, dtype=float)
        self.best_init_ = best
        return state

    def _chance_loss(self, Y, sample_weight):
        """The loss of a constant guess (hook; 0: unknown), the scale of a divergence."""
        return 0.0

    def _check_finite(self, config, train, kept=None):
        """Refuse a fit that diverged: weights or loss inf/NaN, or a loss grown 1000-fold.

        scikit-learn refuses non-finite weights with the sentence that starts
        the message here. With early stopping, the best epoch's weights are
        kept (scikit-learn 1.9) and a later divergence is no error, unless no
        epoch scored at all. A kept loss that stays finite but is more than
        :data:`DIVERGED_GROWTH` times the loss training started from
        (``kept``, the kept run's :class:`~skdeep._training.state.FitState`,
        measured it; scikit-learn stays silent) is a divergence too.
        """
        finite = all(np.isfinite(w).all() for w in self._weights if w.dtype.kind == "f")
        best_epoch = bool(config.early_stopping and train)
        scored = not best_epoch or np.isfinite(self.best_validation_score_)
        if finite and scored and (best_epoch or not train or np.isfinite(self.loss_)):
            start = getattr(kept, "start_loss", None)
            if start is None or not kept.kept_loss() > DIVERGED_GROWTH * max(start, 1e-3):
                return
            which = "the best epoch's loss" if best_epoch else "the loss"
            raise ValueError(
                f"Training diverged: {which}, {kept.kept_loss():.4g}, is more than "
                f"{DIVERGED_GROWTH:g} times the initial weights' loss, {start:.4g} "
                f"(solver={config.solver!r}, learning_rate_init={config.learning_rate_init:g}"
                "). Lower learning_rate_init, use solver='adam', or scale the inputs "
                "(StandardScaler) and, for regression, the targets."
            )
        curve = np.asarray(self.loss_curve_, dtype=float) if train else np.empty(0)
        bad = np.flatnonzero(~np.isfinite(curve))
        when = f" at epoch {bad[0] + 1}" if bad.size else ""
        runs = " in every one of the n_init runs" if getattr(self, "n_init", 1) > 1 else ""
        what = "the loss" if finite else "the weights"
        if not scored:
            what = "the loss, before any epoch had a validation score,"
        raise ValueError(
            "Solver produced non-finite parameter weights. The input data may contain "
            "large values and need to be preprocessed. "
            f"Training diverged ({what} became inf or NaN{when}{runs}; "
            f"solver={config.solver!r}, learning_rate_init={config.learning_rate_init:g}): "
            "scale the inputs (StandardScaler) and, for regression, the targets; or "
            "lower learning_rate_init, or use solver='adam'."
        )

    def _setup_network(self, X, Y, sample_weight=None):
        """Fix a new network's outputs, activation, loss and spec (hook; extend it)."""
        self.n_outputs_ = Y.shape[1]
        self.out_activation_, loss = self._output_setup()
        self._spec = self._model_spec(X.shape[1:], self.n_outputs_,
                                      self._compute_dtype(X.dtype).name, loss)

    def _compute_dtype(self, input_dtype):
        """The float dtype the network computes in for input of ``input_dtype``.

        ``precision='auto'`` is the family's rule (:attr:`_auto_precision`):
        None follows the input, as scikit-learn's MLP does; a dtype name fixes it.
        """
        precision = getattr(self, "precision", "auto")
        if precision == "auto":
            return np.dtype(self._auto_precision or input_dtype)
        return np.dtype(precision)

    def _check_same_precision(self):
        """warm_start / partial_fit continue the fitted network in its own precision."""
        precision = getattr(self, "precision", "auto")
        if precision != "auto" and np.dtype(precision) != np.dtype(self._spec.dtype):
            raise ValueError(
                f"warm_start and partial_fit continue the fitted network, which computes in "
                f"{self._spec.dtype}; precision={precision!r} would change that. Set "
                f"precision={self._spec.dtype!r} (or 'auto') to continue it, or "
                "warm_start=False to train a new network."
            )

    # ------------------------------------------------------------------ prediction
    def _forward(self, X):
        """Validate ``X`` and return the network output in ``X``'s float dtype."""
        X = self._validate_X(X)
        out_dtype = X.dtype
        X = X.astype(self._spec.dtype, copy=False)
        output = self._numpy_forward(X)
        if output is None:
            with _engines.lease(self._spec) as engine:
                engine.set_weights(self._weights, self._weights_token)
                output = engine.predict(X)
        return output.astype(out_dtype, copy=False)

    def _numpy_forward(self, X):
        """The network's output computed in NumPy, or None to use the engine (hook).

        Small predictions cost far more in TensorFlow's call overhead than in
        arithmetic; bodies whose inference is a few matrix products override
        this for inputs below a size limit.
        """
        return None

    def _mc_forward(self, X):
        """``(mc_samples, n_samples, n_outputs)`` outputs with dropout kept on.

        One compiled call draws all passes (a graph loop, not a Python loop
        of predictions); the draws are seeded by the fit, so repeated calls
        give the same numbers.
        """
        X = self._validate_X(X)
        if self._mc_seed is None or not any(
            self._weights[i] > 0
            for i, p in enumerate(self._variable_paths)
            if p.endswith("/rate")
        ):
            raise ValueError(
                f"This {type(self).__name__} has no dropout or dropconnect, so repeated "
                "stochastic passes would all be equal and give no uncertainty. Fit it "
                "with dropout > 0 (or dropconnect > 0) to use return_std or "
                "predict_interval."
            )
        out_dtype = X.dtype
        X = X.astype(self._spec.dtype, copy=False)
        with _engines.lease(self._spec) as engine:
            engine.set_weights(self._weights, self._weights_token)
            draws = engine.mc_predict(X, int(self.mc_samples), self._mc_seed)
        return draws.astype(out_dtype, copy=False)

    # ------------------------------------------------------------------ default hooks
    def _training_hooks(self, incremental):
        """The body's own :class:`~skdeep._training.hooks.EpochHook` objects (a schedule, say).

        They run before the user's callbacks in every epoch, so a callback
        sees -- and may override -- what they set.
        """
        return []

    def _class_sample_weight(self, y):
        return np.ones(y.shape[0])

    def _fit_targets(self, y, sample_weight):
        """Learn how the targets are encoded, from a new network's training
        data (hook; see :class:`~skdeep._estimators.targets.ScaledTargets`)."""

    def _cohort_eligible(self, activations):
        """Whether a fit with these parameters can train in a search cohort (hook).

        A cohort (:mod:`skdeep._cohort`) trains dense networks whose
        hidden activation is one of ``activations``; families that build
        other networks keep the default, False.
        """
        return False

    def _stratify_labels(self, y):
        return None
