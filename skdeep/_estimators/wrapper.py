"""The base of the Keras wrappers: the user's model as the network, scikeras' arguments.

:class:`_BaseKerasWrapper` probes the user's model, builds the call arguments
of its function (the shapes, ``meta``, scikeras' ``compile_kwargs`` and
``params`` when it asks for them, the routed ``model_params``), starts a
pre-trained model from its own weights, and adds the ``metrics`` hook and
Keras' ``validation_split`` to skdeep's loop.
"""

import dataclasses
import functools
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import FunctionTransformer

from .._backend import load
from .._private import Interval, Options
from .._training.metrics import (MetricsHook, class_metric_name, metric_names,
                                 resolve_metrics)
from .._engine.spec import make_optimizer
from .._training.state import STOCHASTIC_SOLVERS
from .._user_model import (CompileArgs, OwnBuild, Unkeyed, asks_for, build_user_network,
                           freeze, probe)
from .base import BaseNeuralEstimator
from .lifecycle import LifecycleMixin
from .routed import build_routed, check_loss_arguments, routed_to
from .scikeras import SCIKERAS_NAMES, ModelParamsMixin, subclass_names

__all__ = ["EncodedTargetMixin", "_BaseKerasWrapper"]


_FROM_PROPERTY = "made again from the class' encoder property"


def _picklable(obj):
    import pickle

    try:
        pickle.dumps(obj)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def _keras_optimizer(config, learning_rate):
    """A fresh Keras optimizer as the engine builds it for ``config``
    (:attr:`TrainingConfig.optimizer`), at ``learning_rate``; None for L-BFGS."""
    _, keras = load()
    optimizer = make_optimizer(keras, config)
    if optimizer is not None:
        optimizer.learning_rate = learning_rate
    return optimizer


#: The wrappers' optimizer arguments at their defaults: a compiled optimizer is adopted.
_OPTIMIZER_DEFAULTS = {"solver": "adam", "learning_rate_init": 0.001, "momentum": 0.9,
                       "nesterovs_momentum": True, "beta_1": 0.9, "beta_2": 0.999,
                       "epsilon": 1e-8}
_SCIKERAS_SPELLING = {"solver": "optimizer", "learning_rate_init": "optimizer__learning_rate",
                      "nesterovs_momentum": "optimizer__nesterov"}


def _as_solver(kind, rate, config):
    """``(skdeep's optimizer arguments, settings they cannot express)`` of a compiled
    Keras optimizer; ``(None, [])`` when it is no solver of skdeep's."""
    if kind not in STOCHASTIC_SOLVERS or rate is None:
        return None, []
    unsupported = [k for k in ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm",
                               "use_ema", "amsgrad", "centered") if config.get(k)]
    adopted = {"solver": kind, "learning_rate_init": rate}
    if kind == "sgd":
        adopted.update(momentum=float(config.get("momentum", 0.0)),
                       nesterovs_momentum=bool(config.get("nesterov", False)))
    elif kind == "adam":
        adopted.update(beta_1=float(config["beta_1"]), beta_2=float(config["beta_2"]),
                       epsilon=float(config["epsilon"]))
    else:
        adopted.update(epsilon=float(config["epsilon"]))
        expected = {"rho": 0.9, "momentum": 0.0} if kind == "rmsprop" else {
            "initial_accumulator_value": 0.1}
        unsupported += [f"{k}={config.get(k)}" for k, v in expected.items()
                        if not np.isclose(config.get(k, v), v)]
    return adopted, unsupported


def _metadata(encoder):
    """scikeras' ``get_metadata()`` of an encoder: entries for ``meta`` (or none)."""
    if encoder is None or not hasattr(encoder, "get_metadata"):
        return {}
    return dict(encoder.get_metadata())


class _BaseKerasWrapper(ModelParamsMixin, LifecycleMixin, BaseNeuralEstimator):
    """The user's model as the network: call arguments, probing, no built-in layers."""

    _keras_initialization = True

    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "model": "no_validation",
        "model_params": [None, dict],
        # scikeras' -1: the whole training set in one batch ('full'); None: Keras' 32
        "batch_size": [*BaseNeuralEstimator._parameter_constraints["batch_size"],
                       Options(Integral, {-1}), None],
        "metrics": "no_validation",  # names, Keras metrics, functions: read at fit
        # scikeras: classes (and dicts of them) built from callbacks__ parameters
        "callbacks": [*BaseNeuralEstimator._parameter_constraints["callbacks"], dict, type],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
    }

    # ------------------------------------------------------------------ input
    _nd_samples = True

    @property
    def feature_encoder(self):
        """scikeras' hook: the transformer that turns ``X`` into what the model takes.

        The default passes ``X`` through. A subclass may return its own -- a
        reshape for images, ``FunctionTransformer(lambda X: [X[:, :3],
        X[:, 3:]])`` for a model with two inputs. It is fitted on the
        validated ``X`` by ``fit`` (``feature_encoder_``) and applied before
        every fit and prediction; a list of arrays feeds the model's inputs
        in order. Its ``get_metadata()``, if it has one, joins ``meta`` and
        the estimator's attributes.

        Returns
        -------
        transformer : object
            An unfitted scikit-learn transformer.
        """
        return FunctionTransformer()

    @property
    def target_encoder(self):
        """scikeras' hook for the targets: None (skdeep's own encoding) by default.

        :class:`~skdeep.KerasRegressor` subclasses may return a transformer
        with ``inverse_transform`` (``FunctionTransformer(np.log1p,
        np.expm1)``): the network learns its output and predictions go back
        through its inverse. Its ``get_metadata()`` joins ``meta``.

        Returns
        -------
        transformer : object or None
            An unfitted scikit-learn transformer, or None.
        """
        return None

    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: the estimator keeps its encoders
        for name in ("feature_encoder_", "target_encoder_"):
            encoder = state.get(name)
            if isinstance(encoder, FunctionTransformer) and not _picklable(encoder):
                # a stateless function of X (scikeras' lambdas): made again on load
                state[name] = _FROM_PROPERTY
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        for name, width in (("feature_encoder_", getattr(self, "n_features_in_", 1)),
                            ("target_encoder_", None)):
            if self.__dict__.get(name) == _FROM_PROPERTY:
                shape = (1, width) if width else (1,) * getattr(self, "_y_ndim", 1)
                encoder = getattr(self, name[:-1])
                setattr(self, name, encoder.fit(np.zeros(shape)))

    def _check_compiled_optimizer(self, compiled):
        """Adopt the optimizer the model's own ``compile()`` chose, or say why not.

        scikeras trained with the compiled optimizer. skdeep's loop steps
        with ``solver`` and its parameters, so while they are all at their
        defaults a compiled SGD / Adam / RMSprop / Adagrad with a constant
        learning rate becomes this fit's (``_adopted_optimizer``, applied by
        :meth:`_training_config`); given ones win, and a warning names the
        compiled optimizer and what would train with it. Compiling with
        scikeras' ``compile_kwargs['optimizer']`` (the wrapper's) is silent.
        """
        self._adopted_optimizer = None
        if compiled is None:
            return
        kind, rate, config = compiled
        if kind == self.solver and rate is not None and np.isclose(
                rate, self.learning_rate_init, rtol=1e-5):
            return
        adopted, unsupported = _as_solver(kind, rate, config)
        if adopted is not None and not unsupported and self._optimizer_at_defaults():
            self._adopted_optimizer = adopted
            return
        shown = f"{kind}, learning rate {rate:g}" if rate is not None else f"{kind} (a schedule)"
        if unsupported:
            reason = (f"skdeep's {kind} has no {', '.join(unsupported)}; give the wrapper "
                      "one of its optimizers to train with instead.")
        else:
            advice = ", ".join(f"{_SCIKERAS_SPELLING.get(k, k)}={v!r}"
                               for k, v in adopted.items())
            reason = (f"the wrapper's optimizer arguments were given and win; to train with "
                      f"the compiled one, give the wrapper {advice}.")
        warnings.warn(
            f"The model was compiled with an optimizer ({shown}), but skdeep trains "
            f"{type(self).__name__} with solver={self.solver!r}, learning_rate_init="
            f"{self.learning_rate_init:g} (scikeras would have used the compiled one): "
            f"{reason}", UserWarning, stacklevel=2)

    def _optimizer_at_defaults(self):
        """Whether the wrapper's optimizer arguments are all at their defaults (so a
        compiled optimizer trains)."""
        return all(getattr(self, k) == v for k, v in _OPTIMIZER_DEFAULTS.items())

    def _encode_features(self, X, reset):
        """``feature_encoder_``'s output as one array; several arrays side by side,
        their sample shapes in ``_input_parts``."""
        if reset:
            encoder = self.feature_encoder
            self.feature_encoder_ = encoder.fit(X)
            self._feature_meta = _metadata(encoder)
        encoder = getattr(self, "feature_encoder_", None)  # None: pickled before encoders
        out = X if encoder is None else encoder.transform(X)
        parts = None
        if isinstance(out, (list, tuple)):
            arrays = [np.asarray(a) for a in out]
            if not arrays or any(len(a) != len(X) for a in arrays):
                raise ValueError(
                    f"feature_encoder_ returned {len(arrays)} arrays of "
                    f"{[len(a) for a in arrays]} rows for X of {len(X)}: give each of the "
                    "model's inputs one array with a row per sample.")
            parts = tuple(tuple(int(d) for d in a.shape[1:]) or (1,) for a in arrays)
            out = np.concatenate([a.reshape(len(a), -1) for a in arrays], axis=1)
        if reset:
            self._input_parts = parts
        elif parts != getattr(self, "_input_parts", None):
            raise ValueError(
                f"feature_encoder_ gave inputs of sample shapes {parts}, but "
                f"{type(self).__name__} was fitted on {self._input_parts}.")
        return np.asarray(out)

    def _encode_y(self, y, reset):
        """``target_encoder_``'s output for ``y`` (``y`` itself without one; a list of
        arrays for a model with several outputs, see :mod:`.outputs`)."""
        if reset:
            encoder = self.target_encoder
            self.target_encoder_ = None if encoder is None else encoder.fit(y)
            self._target_meta = _metadata(encoder)
            self._y_ndim = np.ndim(y)
        encoder = getattr(self, "target_encoder_", None)
        if encoder is None:
            return y
        out = encoder.transform(y)
        if isinstance(out, (list, tuple)):  # one array per output of the model
            arrays = [np.asarray(a) for a in out]
            if any(len(a) != len(y) for a in arrays):
                raise ValueError(
                    f"target_encoder_ returned arrays of {[len(a) for a in arrays]} rows "
                    f"for y of {len(y)}: give each of the model's outputs one array with a "
                    "row per sample.")
            return arrays
        out = np.asarray(out, dtype=np.result_type(float, np.asarray(out).dtype))
        if reset:
            self._encoded_ndim = out.ndim
        return out.ravel() if out.ndim == 2 and out.shape[1] == 1 else out

    def _decode_prediction(self, prediction):
        """Predictions back through ``target_encoder_.inverse_transform``."""
        encoder = getattr(self, "target_encoder_", None)
        if encoder is None:
            return prediction
        if self._encoded_ndim == 2 and prediction.ndim == 1:
            prediction = prediction.reshape(-1, 1)
        decoded = np.asarray(encoder.inverse_transform(prediction))
        if self._y_ndim == 1 and decoded.ndim == 2 and decoded.shape[1] == 1:
            decoded = decoded.ravel()
        return decoded

    def _shape_input(self, X, reset):
        if sp.issparse(X):
            X = X.toarray()
        X = self._encode_features(X, reset)
        if reset:
            self.input_shape_ = tuple(int(d) for d in X.shape[1:])
        elif X.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {X.shape[1:]}, but {type(self).__name__} was "
                f"fitted on samples of shape {self.input_shape_}."
            )
        return X

    # ------------------------------------------------------------------ layers
    def _hidden_sizes(self):
        return ()

    def _layer_rates(self):
        return {}  # rates, if any, are the user's layers' own

    def _apply_rates(self, weights):
        return weights

    def _probe(self, input_shape, n_outputs, meta, grouped=False):
        """``(output width, final activation, compiled loss)`` of this fit's model
        (with ``grouped``, one of each per output: see :func:`probe`).

        Sets scikeras' fit attributes (``target_type_``, ``n_classes_``,
        ``X_shape_``, ...) on the estimator first -- a subclass'
        ``_keras_build_fn`` reads them there -- adopts (or names) an optimizer
        the model compiled with, and refuses loss settings skdeep would drop.
        """
        for name, value in meta.items():
            if name not in ("n_features_in_", "classes_", "n_outputs_"):
                setattr(self, name, value)
        model = self._model_fn(meta)
        call_kwargs = self._call_kwargs(input_shape, n_outputs, meta, model)
        width, final, compiled, optimizer, self._published_names = probe(
            model, call_kwargs, tuple(input_shape), type(self).__name__, self._input_parts,
            grouped)
        self._check_compiled_optimizer(optimizer)
        check_loss_arguments(self._built("loss"))  # the wrapper's loss, as the compiled one
        return width, final, compiled

    def _model_fn(self, meta):
        """``model``, or scikeras' ``_keras_build_fn`` method of a subclass when model is
        None (built on a parameter-only copy of the estimator, see :class:`OwnBuild`)."""
        if self.model is not None or not hasattr(type(self), "_keras_build_fn"):
            return self.model
        own = [n for n in subclass_names(type(self)) if n not in SCIKERAS_NAMES]
        return OwnBuild(type(self), self.get_params(deep=False), own, meta)

    def _call_kwargs(self, input_shape, n_outputs, meta, model):
        kwargs = {
            "n_features_in": int(np.prod(input_shape)),
            "input_shape": tuple(int(d) for d in input_shape),
            "n_outputs": int(n_outputs),
            **self._extra_call_kwargs(),
            **{k: freeze(v) for k, v in self._routed_params().items()},
        }
        kwargs["meta"] = freeze(dict(meta))
        kwargs["_routed"] = tuple(sorted(self._routed_params()))
        # scikeras' arguments for the function's own compile(), only if it asks for
        # them (they enter no cache key: skdeep trains with its own settings)
        if asks_for(model, "compile_kwargs"):
            config = self._training_config()
            kwargs["compile_kwargs"] = CompileArgs({
                "optimizer": functools.partial(_keras_optimizer, config.optimizer,
                                               config.learning_rate_init),
                "loss": self._keras_loss(), "metrics": self.metrics})
        if asks_for(model, "params"):
            kwargs["params"] = Unkeyed(self.get_params(deep=False))
        return tuple(sorted(kwargs.items()))

    # ------------------------------------------------------------------ training
    def _training_config(self, incremental=False):
        config = super()._training_config(incremental)
        adopted = getattr(self, "_adopted_optimizer", None)
        if adopted and self._optimizer_at_defaults():
            config = dataclasses.replace(config, **adopted)  # the model's compiled one
        return dataclasses.replace(config, metric_names=metric_names(self._fit_metrics()))

    def _training_hooks(self, incremental):
        metrics = resolve_metrics(self._fit_metrics())
        return [*super()._training_hooks(incremental), *([MetricsHook(metrics)] if metrics else [])]

    def _fit_metrics(self):
        """The metrics of this fit: with ``metrics__`` parameters, classes built from
        them and named as Keras names a first instance (``'auc'``, not ``'auc_3'``);
        without, ``metrics`` as given (:func:`resolve_metrics` names and builds
        classes the same way)."""
        metrics, routed = self.metrics, routed_to(self.model_params, "metrics")
        if routed:
            if isinstance(metrics, type):
                routed.setdefault("name", class_metric_name(metrics))
            for i, item in enumerate(metrics if isinstance(metrics, (list, tuple)) else ()):
                if isinstance(item, type):
                    routed.setdefault(f"{i}__name", class_metric_name(item))
            metrics = build_routed(metrics, routed, "metrics")
        if isinstance(metrics, dict):
            raise ValueError(
                f"metrics={self.metrics!r} maps outputs to metrics; skdeep measures metrics "
                "on the whole output: give a list.")
        return metrics

    def _fit_callbacks(self):
        """The callbacks of this fit: classes built from ``callbacks__`` parameters."""
        callbacks = self._built("callbacks")
        if isinstance(callbacks, dict):
            return list(callbacks.values())
        return [callbacks] if isinstance(self.callbacks, type) else callbacks

    def _meta(self, input_shape, dtype):
        return {
            **getattr(self, "_feature_meta", {}),
            **getattr(self, "_target_meta", {}),
            "n_features_in_": int(np.prod(input_shape)),
            "X_shape_": (None, *(int(d) for d in input_shape)),
            "X_ndim_": len(input_shape) + 1,
            "X_dtype_": str(dtype),
        }

    def _model_spec(self, input_shape, n_outputs, dtype, loss):
        model = self._model_fn(self._call_shape[1])
        kwargs = (
            ("model", model),
            # from the current model_params: warm_start refuses a changed model
            ("call_kwargs", self._call_kwargs(input_shape, *self._call_shape, model)),
            ("input_shape", tuple(int(d) for d in input_shape)),
            ("dtype", dtype),
            ("link", self._link),
            ("input_parts", getattr(self, "_input_parts", None)),
            ("output_activation", self.out_activation_),
        )
        return self._make_spec(build_user_network, kwargs, input_shape, n_outputs, dtype, loss)

    def _initial_weights(self, engine, rng):
        weights = super()._initial_weights(engine, rng)
        self.n_layers_ = len(engine.model.layers)
        return self._given_weights(weights)  # a given Keras model starts from its own


class EncodedTargetMixin:
    """A regressor's predictions back through a subclass' ``target_encoder_``."""

    def predict(self, X, **kwargs):
        """Predict for ``X``, back through ``target_encoder_`` when a subclass set one.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.
        **kwargs : dict
            ``return_std`` (not with a target encoder) and Keras' ``batch_size``
            and ``verbose``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions (and their standard deviation with ``return_std``).
        """
        self._refuse_encoded("return_std" if kwargs.get("return_std") else None)
        return self._decode_prediction(super().predict(X, **kwargs))

    def predict_interval(self, X, confidence=0.9):
        """Monte-Carlo prediction intervals (see :meth:`MLPRegressor.predict_interval`).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.
        confidence : float, default=0.9
            Coverage of the interval, in (0, 1).

        Returns
        -------
        interval : ndarray of shape (n_samples, 2) or (n_samples, n_outputs, 2)
            Lower and upper bounds (last axis).
        """
        self._refuse_encoded("predict_interval")
        return super().predict_interval(X, confidence)

    def _refuse_encoded(self, what):
        if what and getattr(self, "target_encoder_", None) is not None:
            raise ValueError(
                f"{what} is not available with a target_encoder: the spread of the "
                "network's outputs does not map through its inverse_transform.")
