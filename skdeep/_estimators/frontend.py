"""The input side of every estimator: validation, pandas frames, missing values, shapes.

:class:`FrontEndMixin` validates ``X`` (and, with the target head, ``y``)
through scikit-learn's ``validate_data``, routes mixed-dtype DataFrames
through the fitted :class:`~skdeep._estimators.frame.FrameEncoder`, fills
missing values when asked (``missing='impute'``), brings samples into the
network's layout (a hook each family may extend) and turns scikit-learn's
input errors into ones that say what to do.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y, validate_data

from .frame import FrameEncoder, frame_kinds, numeric_frame

__all__ = ["FrontEndMixin", "check_positive_weights"]


def check_positive_weights(sample_weight):
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


class FrontEndMixin:
    """Validation and encoding of ``X`` for fit and predict (a mixin)."""

    #: Whether samples may have more than one axis (images, sequences).
    _nd_samples = False

    #: Whether the network takes sparse rows as they are (MLPs: the first layer
    #: multiplies them by its kernel); other networks densify them.
    _sparse_rows = False

    def _uses_frame(self, X, reset):
        """Whether ``X`` goes through the categorical front end (fitted on reset).

        On reset the estimator's ``categorical_features`` decides which
        columns are categories (``'auto'``: by dtype, and by content for
        object columns); the decision is kept in ``is_categorical_``.
        """
        columns = getattr(X, "columns", None)
        if columns is not None and hasattr(columns, "duplicated") and columns.duplicated().any():
            dup = sorted({str(c) for c in columns[columns.duplicated()]})
            raise ValueError(
                f"X has duplicated column names {dup}; each column is one input of the "
                "network, so give every column its own name."
            )
        if not reset:
            return getattr(self, "_frame_encoder", None) is not None
        self._frame_encoder = None
        if not hasattr(self, "categorical_encoding"):
            return False
        spec = getattr(self, "categorical_features", "auto")
        self.is_categorical_ = None
        self._frame_encoder = self._new_frame_encoder(self._as_frame(X, spec), spec)
        return self._frame_encoder is not None

    def _new_frame_encoder(self, frame, spec):
        """The unfitted front end for ``frame``, or None to read it as numbers (hook).

        A DataFrame with a categorical column (by ``categorical_features``)
        gets a :class:`~skdeep._estimators.frame.FrameEncoder`; the column
        kinds are decided here, once per fit, and kept in ``is_categorical_``.
        """
        if not (hasattr(frame, "columns") and hasattr(frame, "dtypes")):
            return None
        kinds = frame_kinds(frame, spec)
        if "categorical" not in kinds:
            return None
        self.is_categorical_ = np.array([kind == "categorical" for kind in kinds])
        if getattr(self, "verbose", False):
            names = [str(c) for c, k in zip(frame.columns, kinds) if k == "categorical"]
            print(f"Categorical columns: {names}; the other {len(kinds) - len(names)} "
                  "are numeric.")
        return FrameEncoder(self.categorical_encoding, impute=self._imputes(), categorical=spec)

    @staticmethod
    def _as_frame(X, spec):
        """``X`` as a DataFrame when ``categorical_features`` names columns of an array."""
        if hasattr(X, "columns") or isinstance(spec, str) or spec is None:
            return X
        import pandas as pd

        if sp.issparse(X):
            raise ValueError(
                "categorical_features names columns, which needs a dense X (a NumPy "
                "array or a DataFrame); X is a sparse matrix. Encode the categories "
                "yourself (sklearn.preprocessing.OneHotEncoder) or pass a dense X."
            )
        array = np.asarray(X)
        if array.ndim != 2:
            raise ValueError(
                f"categorical_features needs 2-D X (samples x columns); X has shape "
                f"{array.shape}."
            )
        return pd.DataFrame(array)

    def _encode_frame(self, X, reset, y=None):
        """Check feature names / count on the raw frame, then encode it.

        In fit (``reset``) the encoder learns from ``X`` and the targets
        ``y`` (the tabular networks' target statistics) and encodes the
        training rows as it learned them.
        """
        import pandas as pd

        validate_data(self, X, skip_check_array=True, reset=reset)
        if not hasattr(X, "columns"):
            X = pd.DataFrame(np.asarray(X), columns=getattr(self, "feature_names_in_", None))
        if reset:
            return self._frame_encoder.fit_transform(X, y)
        return self._frame_encoder.transform(X)

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

        NaN errors name the columns and ``missing='impute'``; samples with
        several axes (images, sequences) get their shape, not a
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
                X = self._encode_frame(X, reset, y=y if reset else None)
                X, y = check_X_y(X, y, **check_params)
            else:
                X, y = validate_data(self, numeric_frame(X), y, reset=reset, **check_params)
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
                X = validate_data(self, numeric_frame(X), reset=False, **params)
                X = self._impute(X, reset=False)
        except ValueError as error:
            self._reraise_input_error(error, raw)
        return self._shape_input(X, reset=False)

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
