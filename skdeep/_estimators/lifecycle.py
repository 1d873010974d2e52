"""scikeras' model lifecycle on skdeep's wrappers: ``_initialize`` and what a build sets.

scikeras builds the Keras model on the estimator itself and trains that very
object, so its tutorials keep Keras models sharing layers with it -- an
autoencoder's encoder and decoder, wrapped as estimators of their own by
``_keras_build_fn`` and set up by an overridden ``_initialize``.  skdeep
trains on engines and keeps the fitted weights as arrays;
:class:`LifecycleMixin` gives such code what it relies on:

- ``_initialize(X, y=None)``, scikeras' hook, sets the network up (as
  ``initialize`` does) and returns the validated ``(X, y)``; a class that
  overrides it has it called at the start of every fit that sets a new
  network up, as scikeras calls it.
- Attributes that ``_keras_build_fn`` sets on ``self`` are set on the
  estimator, from the build of ``model_``; after every fit ``model_`` (one
  Keras object while the architecture stays) takes the new weights, so the
  models sharing its layers hold them too.
- A wrapper given a built Keras model and only initialized, never trained,
  follows that model: it predicts with the model's current weights.
"""

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_array

from .._backend import load
from .._user_model import published

__all__ = ["LifecycleMixin"]


class LifecycleMixin:
    """scikeras' ``_initialize``, build-set attributes and followed models (a mixin)."""

    def initialize(self, X, y=None, classes=None):
        """Set the network up for ``X`` (and ``y``) without training it, as scikeras does.

        Validates the data, fixes the architecture and draws the initial
        weights -- a Keras model given as ``model`` keeps its own -- as the
        first step of ``fit`` does; ``n_iter_`` is 0. Until it is trained,
        a wrapper around a given Keras model predicts with that model's
        current weights, so it follows a model whose layers another one
        trains (scikeras' autoencoder keeps its encoder so).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            Input data fixing the input shape.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets fixing the outputs (and, for classifiers, the classes).
            None (not for classifiers) takes the outputs from ``model``, a
            built Keras model; ``loss_`` is then None.
        classes : array-like of shape (n_classes,), default=None
            Classifiers only: all classes, if ``y`` does not show them all.

        Returns
        -------
        self : object
            The initialised estimator.
        """
        self._validate_params()
        return self._set_up(X, y, classes)

    def _initialize(self, X, y=None):
        """scikeras' hook: :meth:`initialize`, returning the validated ``(X, y)``.

        A subclass may override it (calling ``super()._initialize``); fit
        calls it first whenever it sets a new network up.
        """
        self._validate_params()
        self._set_up(X, y, None)
        X = check_array(X, accept_sparse=True, allow_nd=True, dtype=None,
                        ensure_all_finite=False)
        return X, (None if y is None else np.asarray(y))

    def fit(self, X, y, sample_weight=None):
        """Fit the model to ``X`` and ``y``, after a subclass' own ``_initialize``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        overridden = type(self)._initialize is not LifecycleMixin._initialize
        if overridden and not (self.warm_start and self.__sklearn_is_fitted__()):
            X, y = self._initialize(X, y)
        return super().fit(X, y, sample_weight=sample_weight)

    def _set_up(self, X, y, classes):
        no_target = y is None
        if no_target:
            y = self._target_of_model(X)
        self._fit(X, y, classes=classes, train=False)
        if no_target:
            self.loss_ = None  # no targets, no loss
        return self

    def _target_of_model(self, X):
        """Zeros in the shape of the given model's output: ``initialize(X)`` without y."""
        _, keras = load()
        name = type(self).__name__
        outputs = getattr(self.model, "outputs", None) if isinstance(
            self.model, keras.Model) else None
        if is_classifier(self) or not outputs or len(outputs) != 1 or len(
                outputs[0].shape) != 2:
            what = ("a classifier needs y for its classes" if is_classifier(self) else
                    "model= is not a built Keras model with one 2-D output")
            raise ValueError(
                f"{name}.initialize(X) was given no y, and {what}; pass y (the targets "
                "fix the outputs), or give model= a built Keras model whose output "
                "(batch, units) fixes them.")
        width, n = int(outputs[0].shape[-1]), (X.shape[0] if hasattr(X, "shape") else len(X))
        return np.zeros(n if width == 1 else (n, width))

    # ------------------------------------------------------------------ a given model
    def _given_weights(self, weights):
        """``weights`` with the values of the Keras model given as ``model`` (as in
        scikeras, a pre-trained model keeps its weights); unchanged if it has none.

        The wrapper adds no variables, so the network's variables are the
        model's, in order; random seed states keep their seeded draws.
        """
        _, keras = load()
        if not isinstance(self.model, keras.Model) or not self.model.built:
            return weights
        own = list(self.model.variables)
        if len(own) != len(weights) or any(
                tuple(o.shape) != w.shape for o, w in zip(own, weights)):
            return weights
        return [w if path.endswith("seed_generator_state") else
                np.asarray(o.value, dtype=w.dtype).reshape(w.shape)
                for w, path, o in zip(weights, self._variable_paths, own)]

    def _forward(self, X):
        if self.__dict__.get("_follows_model"):
            current = self._given_weights(list(self._weights))
            if any(not np.array_equal(a, b) for a, b in zip(current, self._weights)):
                self._store_weights(current)
        return super()._forward(X)

    def _fit_body(self, X, y, sample_weight, incremental, classes, train, validation_split):
        super()._fit_body(X, y, sample_weight, incremental, classes, train, validation_split)
        _, keras = load()
        self._follows_model = not train and isinstance(self.model, keras.Model)
        if getattr(self, "_published_names", ()):
            # the build's attributes, about the model_ holding this fit's weights
            for name, value in published(self.model_).items():
                setattr(self, name, value)
        return self
