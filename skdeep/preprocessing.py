"""Input scaling for tabular networks.

:class:`RobustSmoothClipScaler` is the first stage of
:class:`~skdeep.TabularMLPClassifier` / :class:`~skdeep.TabularMLPRegressor`
and a scikit-learn transformer of its own.  scikit-learn's ``RobustScaler``
centres and scales by quantiles but leaves outliers as far out as they were;
``QuantileTransformer`` bounds them but forgets how far out they were.  This
scaler does the former and then bends the tails smoothly, so a value ten
interquartile ranges out still reads "far out" to the network without
dominating its first layer (Holzmüller et al., "Better by default", 2024).

Importing this module imports neither TensorFlow nor Keras.
"""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from ._private import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["RobustSmoothClipScaler", "smooth_clip"]


def smooth_clip(z, bound=3.0):
    """Squash ``z`` smoothly into ``(-bound, bound)``: ``z / sqrt(1 + (z / bound)^2)``.

    Near zero it is the identity (slope 1); it is odd, increasing, and
    approaches ``+-bound`` far out, so the order of values is kept.

    Parameters
    ----------
    z : ndarray
        Values to squash.
    bound : float, default=3.0
        The asymptote.

    Returns
    -------
    ndarray
        Same shape and dtype as ``z``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.preprocessing import smooth_clip
    >>> np.round(smooth_clip(np.array([0.0, 1.0, 3.0, 100.0])), 3).tolist()
    [0.0, 0.949, 2.121, 2.999]
    >>> smooth_clip(np.array([-1e300, 1e300, np.inf])).tolist()  # no overflow to 0
    [-3.0, 3.0, 3.0]
    """
    z = np.asarray(z)
    with np.errstate(over="ignore", invalid="ignore"):
        # hypot instead of sqrt(1 + t^2): the square overflows from |z| ~ 1e154 on,
        # which turned 1e300 into 0 (the median) instead of the bound
        out = z / np.hypot(np.ones((), z.dtype), z / bound)
    return np.where(np.isinf(z), np.sign(z) * bound, out).astype(out.dtype, copy=False)


class RobustSmoothClipScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Centre by the median, scale by the interquartile range, clip smoothly.

    Each column becomes ``smooth_clip((x - median) / spread, clip)`` where
    ``spread`` is the distance between the ``quantile_range`` quantiles of
    the training values; when those coincide (a column that is mostly one
    value) half the full range is used instead, and a constant column is
    only centred. Columns with at most two distinct training values (0/1
    indicators, one-hot codes) are left as they are when ``skip_binary``.
    Missing values (NaN) are ignored when fitting and kept in ``transform``.

    Parameters
    ----------
    quantile_range : tuple of float, default=(25.0, 75.0)
        Lower and upper quantile (in percent) whose distance is the spread.
    clip : float or None, default=3.0
        Bound of :func:`smooth_clip` applied after scaling; None leaves
        scaled values unbounded (a plain robust scaler).
    skip_binary : bool, default=True
        Leave columns with at most two distinct training values unchanged.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        Median of each column (0 for skipped columns).
    scale_ : ndarray of shape (n_features,)
        Spread of each column (1 for skipped and constant columns).
    scaled_ : ndarray of shape (n_features,), dtype=bool
        Which columns are scaled (False: passed through).
    n_features_in_ : int
        Number of columns seen in fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names seen in fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : Median / IQR scaling without clipping.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.preprocessing import RobustSmoothClipScaler
    >>> X = np.array([[1.0, 0], [2.0, 1], [3.0, 0], [4.0, 1], [1000.0, 1]])
    >>> Z = RobustSmoothClipScaler().fit_transform(X)
    >>> np.round(Z[:, 0], 2).tolist()
    [-0.95, -0.49, 0.0, 0.49, 3.0]
    >>> Z[:, 1].tolist()
    [0.0, 1.0, 0.0, 1.0, 1.0]
    """

    _parameter_constraints = {
        "quantile_range": [tuple],
        "clip": [None, Interval(Real, 0, None, closed="neither")],
        "skip_binary": ["boolean"],
    }

    def __init__(self, quantile_range=(25.0, 75.0), clip=3.0, skip_binary=True):
        self.quantile_range = quantile_range
        self.clip = clip
        self.skip_binary = skip_binary

    def fit(self, X, y=None):
        """Learn each column's median and spread.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; NaN values are ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        self._validate_params()
        low, high = self.quantile_range
        if not 0 <= low < high <= 100:
            raise ValueError(
                f"quantile_range must be (low, high) with 0 <= low < high <= 100, "
                f"got {self.quantile_range!r}."
            )
        X = validate_data(self, X, dtype=(np.float64, np.float32),
                          ensure_all_finite="allow-nan")
        n_features = X.shape[1]
        self.center_ = np.zeros(n_features)
        self.scale_ = np.ones(n_features)
        self.scaled_ = np.zeros(n_features, dtype=bool)
        for j in range(n_features):
            column = X[:, j]
            column = column[~np.isnan(column)].astype(np.float64)
            if column.size == 0:
                continue
            if self.skip_binary and np.unique(column).size <= 2:
                continue
            q_low, median, q_high = np.percentile(column, [low, 50.0, high])
            spread = q_high - q_low
            if spread <= 0:
                spread = 0.5 * (column.max() - column.min())
            self.center_[j] = median
            self.scale_[j] = spread if spread > 0 else 1.0
            self.scaled_[j] = True
        return self

    def transform(self, X):
        """Scale and clip the fitted columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data with the columns seen in fit.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            The transformed data, in ``X``'s float dtype.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32),
                          ensure_all_finite="allow-nan", copy=True)
        columns = np.flatnonzero(self.scaled_)
        with np.errstate(over="ignore"):  # far outliers overflow to +-inf: clipped below
            Z = (X[:, columns] - self.center_[columns]) / self.scale_[columns]
        if self.clip is not None:
            Z = smooth_clip(Z, self.clip)
        X[:, columns] = Z
        return X

    def inverse_transform(self, X):
        """Undo :meth:`transform` (exact for values inside the clipping bound).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Transformed data.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Data on the original scale; values at or beyond ``clip`` (which
            :meth:`transform` never produces) are not finite.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32),
                          ensure_all_finite="allow-nan", copy=True)
        columns = np.flatnonzero(self.scaled_)
        Z = X[:, columns]
        if self.clip is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                Z = Z / np.sqrt(1.0 - (Z / self.clip) ** 2)
        X[:, columns] = Z * self.scale_[columns] + self.center_[columns]
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
