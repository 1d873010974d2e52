"""The one fit / partial_fit / predict path shared by every skdeep estimator.

Subclasses provide a few small hooks:

* ``_model_spec(input_shape, n_outputs, dtype, loss)`` -- which Keras model to
  build (a :class:`~skdeep._engine.spec.ModelSpec`, usually via :meth:`_make_spec`);
* ``_validate_input(X, y, incremental, reset, classes)`` -- sklearn validation
  of ``X`` and ``y``;
* ``_encode_target(y, dtype)`` -- the float target matrix the network learns;
* ``_output_setup()`` -- ``(out_activation_, loss)`` for the fitted target;
* ``_score_output(y, output, sample_weight)`` -- the validation score used by
  early stopping (accuracy or R^2, as in scikit-learn).

Everything else -- seeding, weight initialisation (``kernel_initializer``,
``n_init``), the validation split, the epoch loop with scikit-learn's stopping
rules and the gradient-norm criterion, L-BFGS, penalties, dropout rates,
Monte-Carlo dropout predictions, the pandas categorical front end, fitted
attributes, prediction, pickling -- lives here once.
"""

import dataclasses
import math
import uuid
import warnings
from numbers import Integral, Real
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y, validate_data

from .._engine import cache as _engines
from .._engine.backend import resolve_placement
from .._private import (
    Interval, Options, StrOptions, check_sample_weight, flatten_layers, num_samples,
)
from .._engine.spec import PENALTIES, ModelSpec
from .._backend import float64_outside_skdeep, load, precision
from .._training.callbacks import CallbackSupportMixin, FitCallbacks, with_callbacks
from .._training.batching import resolve_batch_size, resolve_epochs
from .frame import FrameEncoder, needs_frame_encoder
from .._training.loop import EpochLoop
from .._activations import ACTIVATIONS, THRESHOLD_ACTIVATIONS
from ..builders import _per_layer

_RATE = [Interval(Real, 0, 1, closed="left"), "array-like"]


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

_STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop", "adagrad")


def _check_positive_weights(sample_weight):
    """Refuse negative weights and weights that sum to zero (nothing to learn)."""
    negative = np.flatnonzero(sample_weight < 0)
    if negative.size:
        raise ValueError(
            f"sample_weight (times class_weight) must be >= 0; {negative.size} sample(s) "
            f"have negative weights, the first at index {negative[0]} "
            f"({sample_weight[negative[0]]:g}). Check sample_weight and class_weight."
        )
    if not np.isfinite(sample_weight).all():
        raise ValueError("sample_weight (times class_weight) must be finite.")
    if sample_weight.sum() <= 0:
        raise ValueError(
            "The sample weights (times class_weight) sum to zero: there is nothing to "
            "learn from. Give some samples a positive weight."
        )


def positive_ints(value, name, allow_empty=True):
    """``value`` (an int or a sequence of ints) as a tuple of positive ints.

    Floats (``2.5``, even ``4.0``), strings and bools are refused, as
    scikit-learn refuses them for ``hidden_layer_sizes``.
    """
    items = value if hasattr(value, "__iter__") and not isinstance(value, str) else [value]
    items = list(items)
    bad = [v for v in items if isinstance(v, (bool, np.bool_)) or not isinstance(v, Integral)]
    if bad or any(v <= 0 for v in items) or (not items and not allow_empty):
        what = ("a positive integer or a tuple of positive integers" if allow_empty
                else "one or more positive integers")
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    return tuple(int(v) for v in items)


class BaseNeuralEstimator(CallbackSupportMixin, BaseEstimator):
    """Base class of skdeep's estimators; not for direct use.

    It implements scikit-learn's MLP training semantics on a Keras model:
    minibatch epochs with the same shuffling, learning-rate schedules,
    ``tol``/``n_iter_no_change`` stopping, validation-based early stopping
    with best-weight restore, L-BFGS, ``warm_start`` and ``partial_fit``.
    """

    _parameter_constraints = {
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", *_STOCHASTIC_SOLVERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto", "full"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        # np.inf turns the no-improvement stop off, as in scikit-learn 1.9
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "output_activation": [None, StrOptions(set(ACTIVATIONS))],
        "l1": [Interval(Real, 0, None, closed="left")],
        "activity_l1": [Interval(Real, 0, None, closed="left")],
        "activity_l2": [Interval(Real, 0, None, closed="left")],
        "dropout": _RATE,
        "dropconnect": _RATE,
        "batch_normalization": ["boolean"],
        "mc_samples": [Interval(Integral, 2, None, closed="left")],
        "min_grad_norm": [Interval(Real, 0, None, closed="left")],
        "kernel_initializer": [None, str],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [None, list, tuple],
        # resolved at fit time by skdeep._engine.distribution (strings, device lists,
        # backend objects), which raises a ValueError naming what it accepts
        "distribution": "no_validation",
    }

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

    def __sklearn_is_fitted__(self):
        return hasattr(self, "_weights")

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
        from .. import __version__

        state["_skdeep_version"] = __version__
        return state

    def __setstate__(self, state):
        from .. import __version__

        saved = state.pop("_skdeep_version", None)
        if saved is not None and saved != __version__:
            warnings.warn(
                f"This {type(self).__name__} was pickled with skdeep {saved} and is loaded "
                f"with skdeep {__version__}; check its predictions before relying on them.",
                UserWarning, stacklevel=2,
            )
        super().__setstate__(state)

    # ------------------------------------------------------------------ fitted weights
    def _variable_slots(self, suffix):
        return [i for i, p in enumerate(self._variable_paths) if p.endswith(suffix)]

    def _get_slot_weights(self, suffix):
        check_is_fitted(self)
        out = []
        for i in self._variable_slots(suffix):
            view = self._weights[i].view()
            view.flags.writeable = False
            out.append(view)
        return out

    def _set_slot_weights(self, suffix, values, name):
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"Fit {type(self).__name__} before assigning {name}: the network's "
                f"architecture is fixed by the first fit (or partial_fit)."
            )
        slots = self._variable_slots(suffix)
        values = list(values)
        if len(values) != len(slots):
            raise ValueError(f"{name} needs {len(slots)} arrays, got {len(values)}.")
        new = list(self._weights)
        for i, value in zip(slots, values):
            value = np.asarray(value, dtype=self._weights[i].dtype)
            if value.shape != self._weights[i].shape:
                raise ValueError(
                    f"{name}: array for {self._variable_paths[i]!r} has shape {value.shape}, "
                    f"expected {self._weights[i].shape}."
                )
            new[i] = value.copy()
        self._store_weights(new)

    @property
    def coefs_(self):
        """list of ndarray: weight matrices, ``coefs_[i]`` maps layer i to i + 1.

        Read-only views; assign a new list to change the network's weights.
        """
        return self._get_slot_weights("/kernel")

    @coefs_.setter
    def coefs_(self, values):
        self._set_slot_weights("/kernel", values, "coefs_")

    @property
    def intercepts_(self):
        """list of ndarray: bias vectors, ``intercepts_[i]`` is added in layer i + 1.

        Read-only views; assign a new list to change the network's biases.
        """
        return self._get_slot_weights("/bias")

    @intercepts_.setter
    def intercepts_(self, values):
        self._set_slot_weights("/bias", values, "intercepts_")

    @property
    def model_(self):
        """keras.Model: a Keras model holding the fitted weights.

        Built on first access and cached; changes made to it are not read back
        by the estimator.  On the JAX backend a network fitted on float64 data
        comes as a float32 copy unless JAX's 64-bit mode is on
        (``JAX_ENABLE_X64=1``): Keras on JAX cannot otherwise hold float64.
        """
        check_is_fitted(self)
        cached = getattr(self, "_keras_model", None)
        if cached is not None and cached[0] == self._weights_token:
            return cached[1]
        spec = self._spec
        if spec.dtype == "float64" and not float64_outside_skdeep():
            # Keras on JAX cannot hold float64 unless JAX's 64-bit mode is on:
            # give the user a float32 copy they can call.
            kwargs = tuple(
                (k, "float32" if k == "dtype" else v) for k, v in spec.builder_kwargs
            )
            spec = dataclasses.replace(spec, builder_kwargs=kwargs, dtype="float32")
        model = spec.build()
        for variable, value in zip(model.variables, self._weights):
            variable.assign(value.astype(variable.dtype) if value.dtype.kind == "f" else value)
        self._keras_model = (self._weights_token, model)
        return model

    def _store_weights(self, weights):
        self._weights = weights
        self._weights_token = uuid.uuid4().hex

    # ------------------------------------------------------------------ fitting
    def _hidden_sizes(self):
        return positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")

    def _optimizer_config(self):
        if self.solver == "sgd":
            return ("sgd", float(self.momentum), bool(self.nesterovs_momentum))
        if self.solver == "adam":
            return ("adam", float(self.beta_1), float(self.beta_2), float(self.epsilon))
        if self.solver in ("rmsprop", "adagrad"):
            return (self.solver, float(self.epsilon))
        return ("lbfgs",)

    def _penalty_values(self):
        """Strengths of the penalties, in :data:`skdeep._engine.spec.PENALTIES` order."""
        return tuple(float(getattr(self, name, 0.0)) for name in PENALTIES)

    def _make_spec(self, builder, builder_kwargs, input_shape, n_outputs, dtype, loss):
        """A :class:`~skdeep._engine.spec.ModelSpec` with this estimator's training settings."""
        penalties = []
        if getattr(self, "l1", 0.0) > 0:
            penalties.append("l1")
        if getattr(self, "activity_l1", 0.0) > 0 or getattr(self, "activity_l2", 0.0) > 0:
            penalties.append("activity")
        return ModelSpec(
            builder=builder,
            builder_kwargs=tuple(builder_kwargs),
            input_shape=tuple(None if d is None else int(d) for d in input_shape),
            n_outputs=int(n_outputs),
            dtype=dtype,
            loss=loss,
            optimizer=self._optimizer_config(),
            penalties=tuple(penalties),
            track_grad_norm=getattr(self, "min_grad_norm", 0.0) > 0,
        )

    def _layer_rates(self):
        """``{variable path: rate}`` for the dropout / DropConnect rate variables.

        Rates are weights, not part of the compiled graph, so a grid over
        them shares one trace; the builder only fixes which layers have one.
        """
        n_hidden = len(self._hidden_sizes())
        rates = {}
        for param, prefix in (("dropout", "dropout"), ("dropconnect", "hidden")):
            values = _per_layer(getattr(self, param, 0.0), n_hidden, param)
            for i, rate in enumerate(values):
                rates[f"{prefix}_{i}/rate"] = rate
                if prefix == "hidden":
                    rates[f"dense_{i}/rate"] = rate  # DropConnect under batch norm
        return rates

    def _present_rates(self, prefix):
        """Builder argument saying which hidden layers have a ``prefix`` rate.

        Only *which* layers drop is architecture (0.5 marks one); the rates
        themselves are weights set by :meth:`_apply_rates`.
        """
        rates = self._layer_rates()
        return tuple(
            0.5 if rates.get(f"{prefix}_{i}/rate", 0) > 0 else 0.0
            for i in range(len(self._hidden_sizes()))
        )

    def _apply_rates(self, weights):
        rates = self._layer_rates()
        for i, path in enumerate(self._variable_paths):
            if path.endswith("/rate"):
                weights[i] = np.asarray(rates[path], dtype=weights[i].dtype)
        return weights

    def _check_trainable(self):
        for param in ("activation", "output_activation"):
            value = getattr(self, param, None)
            if value in THRESHOLD_ACTIVATIONS:
                raise ValueError(
                    f"{param}={value!r} has a zero gradient, so the network cannot be "
                    "trained with it. To predict with given weights (as in the course's "
                    "exercise), call initialize(X, y), assign coefs_ and intercepts_, "
                    "then predict."
                )
        stochastic = any(r > 0 for r in self._layer_rates().values())
        if self.solver == "lbfgs" and stochastic:
            raise ValueError(
                "dropout and dropconnect make the loss random, which L-BFGS's line "
                "search cannot handle; use a stochastic solver ('adam', 'sgd', ...) or "
                "set dropout=0 and dropconnect=0."
            )

    def _uses_frame(self, X, reset):
        """Whether ``X`` goes through the categorical front end (fitted on reset)."""
        columns = getattr(X, "columns", None)
        if columns is not None and hasattr(columns, "duplicated") and columns.duplicated().any():
            dup = sorted({str(c) for c in columns[columns.duplicated()]})
            raise ValueError(
                f"X has duplicated column names {dup}; each column is one input of the "
                "network, so give every column its own name."
            )
        if reset:
            active = hasattr(self, "categorical_encoding") and needs_frame_encoder(X)
            self._frame_encoder = (
                FrameEncoder(self.categorical_encoding, impute=self._imputes())
                if active else None
            )
            return active
        return getattr(self, "_frame_encoder", None) is not None

    def _encode_frame(self, X, reset):
        """Check feature names / count on the raw frame, then encode it."""
        import pandas as pd

        validate_data(self, X, skip_check_array=True, reset=reset)
        if not hasattr(X, "columns"):
            X = pd.DataFrame(X, columns=self.feature_names_in_)
        if reset:
            self._frame_encoder.fit(X)
        return self._frame_encoder.transform(X)

    #: Whether samples may have more than one axis (images, sequences).
    _nd_samples = False

    def _imputes(self, reset=True):
        """Whether missing values are filled in (``missing='impute'``) or refused.

        At fit time (``reset``) the parameter decides; afterwards the fitted
        front end does, so a later ``set_params`` cannot let NaN through.
        """
        if reset:
            return getattr(self, "missing", "error") == "impute"
        return getattr(self, "_imputer", None) is not None

    def _X_check_params(self, reset=True):
        """``check_array`` options for ``X``."""
        params = dict(allow_nd=self._nd_samples, accept_sparse=["csr", "csc"],
                      dtype=(np.float64, np.float32))
        if self._imputes(reset):
            params["ensure_all_finite"] = "allow-nan"
        return params

    #: Whether the network takes sparse rows as they are (MLPs: the first layer
    #: multiplies them by its kernel); other networks densify them.
    _sparse_rows = False

    def _shape_input(self, X, reset):
        """Bring validated ``X`` into the network's sample layout (hook)."""
        if sp.issparse(X):
            X = X.tocsr() if self._sparse_rows else X.toarray()
        return X

    def _impute(self, X, reset):
        """``missing='impute'``: training means in, plus a was-missing input per column.

        scikit-learn's ``SimpleImputer(add_indicator=True)``, fitted inside
        the estimator (hence on each training fold only); columns that had
        no missing value in training get no indicator, and a value missing
        there at predict time is filled with the training mean.
        """
        if reset:
            if self._imputes():
                from sklearn.impute import SimpleImputer

                self._imputer = SimpleImputer(
                    strategy="mean", add_indicator=True, keep_empty_features=True
                ).fit(X)
        if self._imputer is None:
            return X
        return self._imputer.transform(X).astype(X.dtype, copy=False)

    def _reraise_input_error(self, error, X):
        """Re-raise scikit-learn's input errors with what to do about them.

        NaN errors name the columns and ``missing='impute'``; samples with several axes (images, sequences) get their shape, not a
        feature count, in the message when it does not fit.
        """
        fitted = getattr(self, "_fit_sample_shape", ())
        if (self._nd_samples and "features, but" in str(error) and hasattr(X, "shape")
                and hasattr(self, "_shape_message") and (len(X.shape) > 2 or len(fitted) > 1)):
            # rows against rows keep scikit-learn's feature-count message
            raise ValueError(self._shape_message(X.shape[1:])) from None
        if "NaN" not in str(error) or "Input y" in str(error) or not hasattr(self, "missing"):
            raise error  # missing='impute' is about X: a NaN target keeps its own message
        where, columns = "", []
        if hasattr(X, "columns") and hasattr(X, "isna"):
            try:
                columns = [str(c) for c in X.columns[X.isna().any().to_numpy()]]
            except (TypeError, ValueError):
                columns = []
        else:
            try:
                if sp.issparse(X):
                    coo = X.tocoo()
                    columns = np.unique(coo.col[np.isnan(coo.data)]).tolist()
                else:
                    columns = np.flatnonzero(np.isnan(np.asarray(X, float)).any(axis=0)).tolist()
            except (TypeError, ValueError, AttributeError):
                columns = []
            if columns:
                columns = [f"#{c}" for c in columns]
        if columns:
            where = f" in column(s) {columns[:10]}{' ...' if len(columns) > 10 else ''}"
        raise ValueError(
            f"Input X contains NaN (missing values){where}. {type(self).__name__} "
            "refuses them by default, as scikit-learn's MLP does. Pass missing='impute' "
            "to fill them with the training mean and add a 0/1 'was missing' input per "
            "such column (learned on the training data only), or impute in a Pipeline "
            "(sklearn.impute.SimpleImputer, IterativeImputer), or use "
            "HistGradientBoostingClassifier/Regressor, which handle NaN natively."
        ) from None

    def _validate_Xy(self, X, y, reset, **check_params):
        """``validate_data`` for fit, routing mixed-dtype frames through the front end."""
        if reset:
            self._imputer = None  # a frame fit must not inherit an earlier array fit's
        check_params = {**self._X_check_params(), **check_params}
        raw = X
        try:
            if self._uses_frame(X, reset):
                X = self._encode_frame(X, reset)
                X, y = check_X_y(X, y, **check_params)
            else:
                X, y = validate_data(self, X, y, reset=reset, **check_params)
                X = self._impute(X, reset)
        except ValueError as error:
            self._reraise_input_error(error, raw)
        return self._shape_input(X, reset), y

    def _validate_X(self, X):
        """``validate_data(reset=False)`` for prediction, with the front end."""
        check_is_fitted(self)
        params = self._X_check_params(reset=False)
        raw = X
        try:
            if self._uses_frame(X, reset=False):
                X = check_array(self._encode_frame(X, reset=False), **params)
            else:
                X = self._impute(validate_data(self, X, reset=False, **params), reset=False)
        except ValueError as error:
            self._reraise_input_error(error, raw)
        return self._shape_input(X, reset=False)

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

    def _check_same_architecture(self):
        """warm_start / partial_fit: refuse parameter changes that alter the network."""
        built = self._spec.builder_kwargs
        spec = self._model_spec(
            self._spec.input_shape, self.n_outputs_, self._spec.dtype, self._spec.loss
        )
        if spec.builder_kwargs != built:
            changed = sorted(
                k for (k, old), (_, new) in zip(built, spec.builder_kwargs) if old != new
            )
            raise ValueError(
                "warm_start and partial_fit continue the fitted network, whose "
                "architecture was fixed by the first fit; these settings changed it: "
                f"{changed}. Set warm_start=False to train a new architecture "
                "(dropout and dropconnect rates may change, but not from or to 0)."
            )
        self._spec = spec

    @with_callbacks
    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None, train=True):
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
            self._fit_body(X, y, sample_weight, incremental, classes, train)
            if cache is not None:
                cache.store(self, X, y, sample_weight)
            return self
        except KeyboardInterrupt:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    def _fit_body(self, X, y, sample_weight, incremental, classes, train):
        raw = (X, y, sample_weight)  # what scikit-learn's callbacks score on
        first_pass = not self.__sklearn_is_fitted__() or (not self.warm_start and not incremental)
        if not first_pass and train:
            self._check_same_architecture()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        if train:
            self._check_trainable()
        X, y = self._validate_input(
            X, y, incremental, reset=first_pass or not train, classes=classes
        )
        if sp.issparse(X) and not self._sparse_rows:
            X = X.toarray()
        sample_weight = check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = sample_weight * self._class_sample_weight(y).astype(X.dtype)
        if train:
            _check_positive_weights(sample_weight)
        Y = self._encode_target(y, X.dtype)
        rng = check_random_state(self.random_state)
        fresh = first_pass or not train

        if fresh:
            # a network fitted on sparse rows takes sparse rows (dense ones are
            # converted); fixed by the first fit, like the architecture
            self._sparse_input = bool(sp.issparse(X))
            self._initialize(X, Y, sample_weight)
        elif np.dtype(self._spec.dtype) != X.dtype:
            X = X.astype(self._spec.dtype)
            Y = Y.astype(self._spec.dtype)
            sample_weight = sample_weight.astype(self._spec.dtype)

        n_runs = int(getattr(self, "n_init", 1)) if (fresh and train) else 1
        placement = self._placement() if train else None
        callbacks = FitCallbacks(self, *raw, n_runs, incremental) if train else None
        engine = _engines.acquire(self._spec, training=train, placement=placement)
        try:
            # a body may fix the validation rows (CharRNN holds out each text's end)
            runs, split = [], getattr(self, "_validation_rows", None)
            for run in range(n_runs):
                if run:
                    self._initialize(X, Y, sample_weight)
                if fresh:
                    self._store_weights(self._initial_weights(engine, rng))
                else:
                    self._store_weights(self._apply_rates(list(self._weights)))
                engine.set_weights(self._weights, self._weights_token)
                hooks = ()
                if train:
                    hooks = [*self._training_hooks(incremental), *callbacks.hooks(run)]
                if not train:
                    self._evaluate_initial(engine, X, Y, sample_weight)
                elif self.solver == "lbfgs":
                    EpochLoop(self, engine, hooks).run_lbfgs(X, Y, sample_weight)
                else:
                    split = EpochLoop(self, engine, hooks).run_stochastic(
                        X, Y, y, sample_weight, incremental, rng, split
                    )
                if train:
                    callbacks.end_run()
                if fresh and train:
                    runs.append((self._run_score(), dict(self.__dict__)))
        except BaseException:
            engine.loaded = None  # its variables may hold a half-done update
            raise
        finally:
            _engines.release(engine)

        if runs:
            scores = [score for score, _ in runs]
            if self.early_stopping:
                key = [s if np.isfinite(s) else -np.inf for s in scores]
                best = int(np.argmax(key))
            else:
                key = [s if np.isfinite(s) else np.inf for s in scores]
                best = int(np.argmin(key))
            self.__dict__.update(runs[best][1])
            self.init_scores_ = np.asarray(scores, dtype=float)
            self.best_init_ = best

        finite = all(np.isfinite(w).all() for w in self._weights if w.dtype.kind == "f")
        if not finite or (train and not np.isfinite(self.loss_)):
            self._raise_diverged(finite)
        if train:
            callbacks.end()
        return self

    def _placement(self):
        """The devices this fit trains on data-parallel (``distribution``), or None."""
        distribution = getattr(self, "distribution", None)
        placement = None
        if distribution is not None:
            if self.solver == "lbfgs":
                raise ValueError(
                    "distribution trains with minibatch steps shared by several devices; "
                    "solver='lbfgs' takes full-batch steps on one device. Use a stochastic "
                    "solver ('adam', 'sgd', ...) or distribution=None."
                )
            placement = resolve_placement(distribution)
        self.devices_ = None if placement is None else list(placement.devices)
        return placement

    def _raise_diverged(self, finite_weights):
        """Refuse a fit whose weights or loss became inf or NaN, as scikit-learn does."""
        curve = np.asarray(self.loss_curve_, dtype=float)
        bad = np.flatnonzero(~np.isfinite(curve))
        when = f" at epoch {bad[0] + 1}" if bad.size else ""
        runs = " in every one of the n_init runs" if getattr(self, "n_init", 1) > 1 else ""
        what = "the loss" if finite_weights else "the weights"
        raise ValueError(
            f"Solver produced non-finite parameter weights or loss: training diverged "
            f"({what} became inf or NaN{when}{runs}; "
            f"solver={self.solver!r}, learning_rate_init={self.learning_rate_init:g}). "
            "The input data may contain large values and need to be preprocessed: "
            "scale the inputs (StandardScaler) and, for regression, the targets; or "
            "lower learning_rate_init, or use solver='adam'."
        )

    def _run_score(self):
        """What ``n_init`` compares runs by: validation score, else final loss."""
        if self.early_stopping:
            return float(self.best_validation_score_)
        return float(self.loss_)

    def _initialize(self, X, Y, sample_weight=None):
        self.n_outputs_ = Y.shape[1]
        self.out_activation_, loss = self._output_setup()
        self._spec = self._model_spec(X.shape[1:], self.n_outputs_, X.dtype.name, loss)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.validation_loss_curve_ = [] if self.early_stopping else None
        self.grad_norm_curve_ = [] if self._spec.track_grad_norm else None
        self._no_improvement_count = 0
        self._optimizer_state = None
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf

    def _initial_weights(self, engine, rng):
        """Draw every variable's initial value from ``rng``.

        With ``kernel_initializer=None`` kernels and biases are drawn in
        layer order exactly as scikit-learn's MLP draws them (Glorot uniform,
        with scikit-learn's narrower bound for the logistic activation), so
        a seeded skdeep network starts from the same weights as a seeded
        scikit-learn one.  A Keras initializer name draws kernels with that
        initializer (seeded from ``rng``) and zero biases.  Embeddings,
        dropout seeds and rates are set from ``rng`` and the parameters;
        other variables (batch-norm statistics) keep their Keras values.
        """
        self._variable_paths = [v.path for v in engine.variables]
        initializer = self._keras_initializer()
        if self._keras_initialization:
            weights = _seeded_layer_initial_weights(engine, rng, initializer)
        else:
            weights = self._sklearn_initial_weights(engine, rng, initializer)
        weights = self._apply_input_statistics(self._apply_rates(weights))
        self._mc_seed = int(rng.randint(2**30)) if engine.stochastic else None
        return weights

    def _sklearn_initial_weights(self, engine, rng, initializer):
        """scikit-learn's Glorot draws in layer order (see :meth:`_initial_weights`)."""
        factor = 2.0 if getattr(self, "activation", None) == "logistic" else 6.0
        weights = [np.array(w) for w in engine.initial_weights]
        bound = None
        for i, (path, w) in enumerate(zip(self._variable_paths, weights)):
            leaf = path.rsplit("/", 1)[-1]
            if leaf == "kernel":
                if initializer is None:
                    # Glorot's fans; a conv kernel's include its receptive field
                    fan_in = int(np.prod(w.shape[:-1]))
                    fan_out = int(np.prod(w.shape[:-2])) * w.shape[-1] if w.ndim > 2 else w.shape[-1]
                    bound = np.sqrt(factor / (fan_in + fan_out))
                    weights[i] = rng.uniform(-bound, bound, w.shape).astype(w.dtype)
                else:
                    weights[i] = _draw(initializer, w, rng)
            elif leaf == "bias" and bound is not None and initializer is None:
                weights[i] = rng.uniform(-bound, bound, w.shape).astype(w.dtype)
            elif leaf == "embeddings":
                weights[i] = rng.uniform(-0.05, 0.05, w.shape).astype(w.dtype)
            elif leaf == "seed_generator_state":
                weights[i] = np.array([rng.randint(2**30), 0], dtype=w.dtype)
        return weights

    def _set_input_statistics(self, X, sample_weight):
        """Learn the per-channel (last axis) mean and variance of ``X``.

        Weighted like the loss (a weight of 2 counts as a duplicated sample);
        steps that are NaN in every channel -- sequence padding -- are left
        out. A network's :class:`~skdeep.layers.Standardize` layer starts
        from these (see :meth:`_apply_input_statistics`).
        """
        steps = X.reshape(-1, X.shape[-1]).astype(np.float64)
        real = ~np.isnan(steps).all(axis=1)
        weights = None
        if sample_weight is not None:
            per_step = steps.shape[0] // X.shape[0]
            weights = np.repeat(np.asarray(sample_weight, dtype=np.float64), per_step)[real]
        steps = steps[real]
        mean = np.average(steps, axis=0, weights=weights)
        var = np.average((steps - mean) ** 2, axis=0, weights=weights)
        self._input_statistics = (mean, var)

    def _apply_input_statistics(self, weights):
        stats = getattr(self, "_input_statistics", None)
        if stats is None:
            return weights
        for i, path in enumerate(self._variable_paths):
            if path == "standardize/mean":
                weights[i] = stats[0].astype(weights[i].dtype)
            elif path == "standardize/variance":
                weights[i] = stats[1].astype(weights[i].dtype)
        return weights

    #: Draw initial weights with each layer's own Keras initializers (seeded
    #: from ``random_state``) instead of scikit-learn's Glorot scheme; set by
    #: estimators whose layers (recurrent cells, user models) need their own.
    _keras_initialization = False

    def _keras_initializer(self):
        name = getattr(self, "kernel_initializer", None)
        if name is None:
            return None
        _, keras = load()
        try:
            return keras.initializers.get(name)
        except ValueError:
            raise ValueError(
                f"kernel_initializer={name!r} is not a Keras initializer name; use e.g. "
                "'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', "
                "'lecun_normal', 'orthogonal', or None for scikit-learn's scheme."
            ) from None

    def _evaluate_initial(self, engine, X, Y, sample_weight):
        tensors = engine.tensors(X, Y, sample_weight)
        _, self.loss_ = engine.evaluate(*tensors, self._penalty_values())
        engine.loaded = self._weights_token
        self._record_history()

    def _record_history(self):
        history = {"loss": list(self.loss_curve_)}
        if self.validation_scores_ is not None:
            history["val_loss"] = list(self.validation_loss_curve_)
            history["val_score"] = list(self.validation_scores_)
        if self.grad_norm_curve_ is not None:
            history["grad_norm"] = list(self.grad_norm_curve_)
        self.history_ = history

    # ------------------------------------------------------------------ prediction
    def _forward(self, X):
        """Validate ``X`` and return the network output in ``X``'s float dtype."""
        X = self._validate_X(X)
        out_dtype = X.dtype
        X = X.astype(self._spec.dtype, copy=False)
        output = self._numpy_forward(X)
        if output is None:
            engine = _engines.acquire(self._spec)
            try:
                engine.set_weights(self._weights, self._weights_token)
                output = engine.predict(X)
            finally:
                _engines.release(engine)
        return output.astype(out_dtype, copy=False)

    def _numpy_forward(self, X):
        """The network's output computed in NumPy, or None to use TensorFlow (hook).

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
        engine = _engines.acquire(self._spec)
        try:
            engine.set_weights(self._weights, self._weights_token)
            draws = engine.mc_predict(X, int(self.mc_samples), self._mc_seed)
        finally:
            _engines.release(engine)
        return draws.astype(out_dtype, copy=False)

    #: Whether ``max_iter`` is a planned number of epochs (a schedule's length)
    #: rather than a cap: reaching it then raises no ConvergenceWarning.
    _epoch_budget = False

    #: Rows of ``batch_size='auto'``: scikit-learn's 200 for the MLPs; the
    #: sequence and image networks take Keras' 32.
    _auto_batch_size = 200

    def _planned_epochs(self, X):
        """The most epochs (L-BFGS iterations) a ``fit`` on ``X`` may run.

        ``max_iter`` itself, or what ``max_iter='auto'`` makes of its step
        budget for the rows that train (without the validation fraction).
        """
        if self.solver == "lbfgs":
            return 200 if self.max_iter == "auto" else int(self.max_iter)
        if self.max_iter != "auto":
            return int(self.max_iter)
        n = num_samples(X)
        if self.early_stopping:
            n -= math.ceil(self.validation_fraction * n)
        batch = resolve_batch_size(self.batch_size, max(n, 1), self._auto_batch_size,
                                   warn=False)
        return resolve_epochs("auto", 10, -(-max(n, 1) // batch))[0]

    # ------------------------------------------------------------------ default hooks
    def _training_hooks(self, incremental):
        """The body's own :class:`~skdeep._training.hooks.EpochHook` objects (a schedule, say).

        They run before the user's callbacks in every epoch, so a callback
        sees -- and may override -- what they set.
        """
        return []

    def _class_sample_weight(self, y):
        return np.ones(y.shape[0])

    def _cohort_eligible(self, activations):
        """Whether a fit with these parameters can train in a search cohort (hook).

        A cohort (:mod:`skdeep._cohort`) trains plain dense networks whose
        hidden activation is one of ``activations``; families that build
        other networks keep the default, False.
        """
        return False

    def _stratify_labels(self, y):
        return None


#: Variable attribute of a Keras layer -> attribute holding its initializer.
_INITIALIZER_ATTRIBUTES = {
    "kernel": "kernel_initializer",
    "recurrent_kernel": "recurrent_initializer",
    "bias": "bias_initializer",
    "embeddings": "embeddings_initializer",
    "depthwise_kernel": "depthwise_initializer",
    "pointwise_kernel": "pointwise_initializer",
    "gamma": "gamma_initializer",
    "beta": "beta_initializer",
}


def _seeded_layer_initial_weights(engine, rng, kernel_initializer=None):
    """Initial values from the model's own layer initializers, seeded by ``rng``.

    Every variable whose initializer is random (Glorot, orthogonal, ...) is
    drawn again from a copy of that initializer seeded from ``rng``, in
    variable order, so a fit is reproducible with ``random_state``.
    Deterministic initial values (zeros, ones, an LSTM's unit forget bias,
    batch-norm statistics) are kept as built.  ``kernel_initializer``, when
    given, replaces the initializer of every ``kernel``.
    """
    owners = {}
    for layer in flatten_layers(engine.model):
        for attr, init_attr in _INITIALIZER_ATTRIBUTES.items():
            variable = getattr(layer, attr, None)
            initializer = getattr(layer, init_attr, None)
            if variable is not None and initializer is not None and hasattr(variable, "path"):
                owners[id(variable)] = (attr, initializer)
    weights = [np.array(w) for w in engine.initial_weights]
    for i, variable in enumerate(engine.variables):
        leaf = variable.path.rsplit("/", 1)[-1]
        if leaf == "seed_generator_state":
            weights[i] = np.array([rng.randint(2**30), 0], dtype=weights[i].dtype)
            continue
        attr, initializer = owners.get(id(variable), (None, None))
        if attr == "kernel" and kernel_initializer is not None:
            initializer = kernel_initializer
        if initializer is not None and "seed" in initializer.get_config():
            weights[i] = _draw(initializer, weights[i], rng)
    return weights


def _draw(initializer, like, rng):
    """Draw an array shaped like ``like`` from a Keras initializer seeded by ``rng``."""
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = int(rng.randint(2**31 - 1))
        initializer = type(initializer).from_config(config)
    with precision(like.dtype):
        return np.asarray(initializer(like.shape, dtype=like.dtype)).astype(like.dtype)
