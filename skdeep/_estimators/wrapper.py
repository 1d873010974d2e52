"""The base of the Keras wrappers: the user's model as the network, scikeras' arguments.

:class:`_BaseKerasWrapper` probes the user's model, builds the call arguments
of its function (the shapes, ``meta``, scikeras' ``compile_kwargs`` and
``params`` when it asks for them, the routed ``model_params``), starts a
pre-trained model from its own weights, and adds the ``metrics`` hook and
Keras' ``validation_split`` to skdeep's loop.
"""

import dataclasses
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

from .._backend import load
from .._private import Interval, Options
from .._training.metrics import MetricsHook, metric_names, resolve_metrics
from .._user_model import (CompileArgs, OwnBuild, Unkeyed, asks_for, build_user_network,
                           freeze)
from .base import BaseNeuralEstimator
from .scikeras import SCIKERAS_NAMES, ModelParamsMixin, subclass_names

__all__ = ["_BaseKerasWrapper"]


class _BaseKerasWrapper(ModelParamsMixin, BaseNeuralEstimator):
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
        "validation_split": [Interval(Real, 0, 1, closed="left")],
    }

    # ------------------------------------------------------------------ input
    _nd_samples = True

    def _shape_input(self, X, reset):
        if sp.issparse(X):
            X = X.toarray()
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

    def _model_fn(self, meta):
        """``model``, or scikeras' ``_keras_build_fn`` method of a subclass when model is
        None; scikeras' fit attributes (``target_type_``, ``n_classes_``, ``X_shape_``,
        ...) are set on the estimator, as the method reads them there."""
        for name, value in meta.items():
            if name not in ("n_features_in_", "classes_", "n_outputs_"):
                setattr(self, name, value)
        if self.model is not None or not hasattr(type(self), "_keras_build_fn"):
            return self.model
        own = [n for n in subclass_names(type(self)) if n not in SCIKERAS_NAMES]
        return OwnBuild(type(self), self.get_params(deep=False), own, meta)

    def _call_kwargs(self, input_shape, n_outputs, meta):
        kwargs = {
            "n_features_in": int(np.prod(input_shape)),
            "input_shape": tuple(int(d) for d in input_shape),
            "n_outputs": int(n_outputs),
            **self._extra_call_kwargs(),
            **{k: freeze(v) for k, v in self._routed_params().items()},
        }
        kwargs["meta"] = tuple(sorted(meta.items()))
        kwargs["_routed"] = tuple(sorted(self._routed_params()))
        # scikeras' arguments for the function's own compile(), only if it asks for
        # them (they enter no cache key: skdeep trains with its own settings)
        model = self._model_fn(meta)
        if asks_for(model, "compile_kwargs"):
            config = self._training_config()
            kwargs["compile_kwargs"] = CompileArgs({
                "optimizer": config.optimizer, "learning_rate": config.learning_rate_init,
                "loss": self._keras_loss(), "metrics": self.metrics})
        if asks_for(model, "params"):
            kwargs["params"] = Unkeyed(self.get_params(deep=False))
        return tuple(sorted(kwargs.items()))

    # ------------------------------------------------------------------ training
    def _training_config(self, incremental=False):
        config = super()._training_config(incremental)
        return dataclasses.replace(config, metric_names=metric_names(self.metrics))

    def _training_hooks(self, incremental):
        metrics = resolve_metrics(self.metrics)
        return [*super()._training_hooks(incremental), *([MetricsHook(metrics)] if metrics else [])]

    def _meta(self, input_shape, dtype):
        return {
            "n_features_in_": int(np.prod(input_shape)),
            "X_shape_": (None, *(int(d) for d in input_shape)),
            "X_ndim_": len(input_shape) + 1,
            "X_dtype_": str(dtype),
        }

    def _model_spec(self, input_shape, n_outputs, dtype, loss):
        kwargs = (
            ("model", self._model_fn(self._call_shape[1])),
            # from the current model_params: warm_start refuses a changed model
            ("call_kwargs", self._call_kwargs(input_shape, *self._call_shape)),
            ("input_shape", tuple(int(d) for d in input_shape)),
            ("dtype", dtype),
            ("link", self._link),
            ("output_activation", self.out_activation_),
        )
        return self._make_spec(build_user_network, kwargs, input_shape, n_outputs, dtype, loss)

    def _initial_weights(self, engine, rng):
        weights = super()._initial_weights(engine, rng)
        self.n_layers_ = len(engine.model.layers)
        return self._pretrained(engine, weights)

    def _pretrained(self, engine, weights):
        """A Keras model given as ``model`` starts from its own weights (as in scikeras).

        The wrapper adds no variables, so the engine's variables are the
        model's, in order; random seed states keep their seeded draws.
        """
        _, keras = load()
        if not isinstance(self.model, keras.Model) or not self.model.built:
            return weights
        own = list(self.model.variables)
        if len(own) != len(engine.variables) or any(
                tuple(a.shape) != tuple(b.shape) for a, b in zip(own, engine.variables)):
            return weights
        return [w if v.path.endswith("seed_generator_state") else
                np.asarray(o.numpy(), dtype=w.dtype).reshape(w.shape)
                for w, v, o in zip(weights, engine.variables, own)]


