"""scikeras' ``BaseWrapper``: a Keras model behind scikit-learn's API with no task attached.

:class:`BaseWrapper` trains the model's output on the targets with a
regression-type loss (``'mse'``, ``'mae'``, ``'huber'``, ``'poisson'`` or
``'binary_crossentropy'`` for targets in [0, 1]) and predicts the output as
it is. It claims to be neither a classifier nor a regressor, and it has a
``score`` only when a subclass gives it scikeras' ``scorer``.
"""

from sklearn.utils.metaestimators import available_if

from .keras import KerasRegressor

__all__ = ["BaseWrapper"]


def _has_scorer(estimator):
    return callable(getattr(type(estimator), "scorer", None))


class BaseWrapper(KerasRegressor):
    """Any Keras model as a scikit-learn estimator with no task attached (scikeras' name).

    It takes every parameter of :class:`KerasRegressor` -- the model
    function or model, its arguments, ``loss``, the training parameters,
    scikeras' spellings -- and trains the same way; ``predict`` returns the
    model's output. Unlike the regressor it is not tagged as a regressor (so
    scikit-learn chooses no regression defaults for it) and, as in scikeras,
    has no ``score`` unless a subclass defines a static ``scorer(y_true,
    y_pred, **kwargs)``.

    Parameters
    ----------
    model : callable, keras.Model or None, default=None
        See :class:`KerasRegressor`, as are all other parameters
        (``model_params``, ``loss``, ``solver``, ``max_iter``, ...).
    **kwargs : dict
        The parameters of :class:`KerasRegressor`, and the model function's
        arguments as scikeras takes them.

    Attributes
    ----------
    model_ : keras.Model
        The trained network.
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    KerasRegressor : The same, scored by R^2 and tagged as a regressor.

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> from skdeep.wrappers import BaseWrapper
    >>> def autoencoder(n_features_in, encoding_dim=2):
    ...     return keras.Sequential([
    ...         keras.Input((n_features_in,)),
    ...         keras.layers.Dense(encoding_dim, activation="relu"),
    ...         keras.layers.Dense(n_features_in, activation="sigmoid")])
    >>> X = np.random.RandomState(0).uniform(size=(64, 6))
    >>> est = BaseWrapper(autoencoder, loss="binary_crossentropy", max_iter=5,
    ...                   random_state=0).fit(X, X)
    >>> est.predict(X).shape
    (64, 6)
    >>> hasattr(est, "score")
    False
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = None
        return tags

    @available_if(_has_scorer)
    def score(self, X, y, sample_weight=None):
        """The subclass' ``scorer(y, self.predict(X), sample_weight=...)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to ``scorer``.

        Returns
        -------
        score : float
            What ``scorer`` returns.
        """
        return super().score(X, y, sample_weight=sample_weight)  # the wrappers' scorer hook


BaseWrapper.__module__ = "skdeep"
