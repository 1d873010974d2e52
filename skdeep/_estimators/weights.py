"""The fitted network as NumPy arrays: coefs_, intercepts_, model_, initial weights.

An estimator's fitted state is plain arrays (``_weights``, one per model
variable, named by ``_variable_paths``) -- cheap to clone and pickle; the
compiled engines never stay with it.  :class:`WeightsMixin` shows them as
scikit-learn's ``coefs_`` / ``intercepts_`` and as a Keras ``model_``, and
draws a new network's initial values (the ``_initial_weights`` hook).
"""

import dataclasses
import uuid

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .._backend import float64_outside_skdeep
from .._training.init import keras_initializer, layer_initial_weights, sklearn_initial_weights

__all__ = ["WeightsMixin"]


class WeightsMixin:
    """Fitted weights as attributes, and a new network's initial weights (a mixin)."""

    #: Draw initial weights with each layer's own Keras initializers (seeded
    #: from ``random_state``) instead of scikit-learn's Glorot scheme; set by
    #: estimators whose layers (recurrent cells, user models) need their own.
    _keras_initialization = False

    def __sklearn_is_fitted__(self):
        return hasattr(self, "_weights")

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
        by the estimator.  Every later fit of the same architecture (a refit,
        ``warm_start``, ``partial_fit``) assigns its weights to the same object,
        so references to it, and models sharing its layers, see them.
        On the JAX backend a network fitted on float64 data comes as a float32
        copy unless JAX's 64-bit mode is on (``JAX_ENABLE_X64=1``): Keras on
        JAX cannot otherwise hold float64.
        """
        check_is_fitted(self)
        cached = getattr(self, "_keras_model", None)
        if cached is not None and cached[0] == self._weights_token:
            return cached[2]
        spec = self._keras_spec()
        architecture = (spec.builder, spec.builder_kwargs)
        same = cached is not None and cached[1] == architecture
        model = cached[2] if same else spec.build()
        for variable, value in zip(model.variables, self._weights):
            variable.assign(value.astype(variable.dtype) if value.dtype.kind == "f" else value)
        self._keras_model = (self._weights_token, architecture, model)
        return model

    def _keras_spec(self):
        spec = self._spec
        if spec.dtype == "float64" and not float64_outside_skdeep():
            # Keras on JAX cannot hold float64 unless JAX's 64-bit mode is on:
            # give the user a float32 copy they can call.
            kwargs = tuple(
                (k, "float32" if k == "dtype" else v) for k, v in spec.builder_kwargs
            )
            spec = dataclasses.replace(spec, builder_kwargs=kwargs, dtype="float32")
        return spec

    def _refresh_model(self):
        """After a fit: a ``model_`` already built for this architecture takes the new
        weights now (references to it follow); otherwise it is built when read."""
        cached = getattr(self, "_keras_model", None)
        if cached is not None and cached[0] != self._weights_token:
            spec = self._keras_spec()
            if cached[1] == (spec.builder, spec.builder_kwargs):
                self.model_  # noqa: B018 -- assigns the weights

    def _store_weights(self, weights, token=None):
        """Keep ``weights`` as the fitted ones, under a new token (or ``token``).

        The token names these very weights: an engine that holds them
        (``engine.loaded == token``) skips loading them again.
        """
        self._weights = weights
        self._weights_token = uuid.uuid4().hex if token is None else token

    def _initial_weights(self, engine, rng):
        """Draw every variable's initial value from ``rng`` (hook).

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
        initializer = keras_initializer(getattr(self, "kernel_initializer", None))
        if self._keras_initialization:
            weights = layer_initial_weights(engine, rng, initializer)
        else:
            weights = sklearn_initial_weights(engine, rng, initializer,
                                              getattr(self, "activation", None))
        weights = self._apply_input_statistics(self._apply_rates(weights))
        self._mc_seed = int(rng.randint(2**30)) if engine.stochastic else None
        return weights

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
