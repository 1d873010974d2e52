"""The pandas front end: a mixed-dtype DataFrame encoded inside an estimator.

:class:`FrameEncoder` is fitted by the estimator on the training rows (hence
inside each cross-validation fold); it is pickled with fitted estimators.
"""

import math

import numpy as np

__all__ = ["FrameEncoder", "is_categorical_column", "needs_frame_encoder"]


def is_categorical_column(column):
    """Whether a pandas Series is encoded as a categorical attribute.

    ``category``, ``object`` and string columns are; numeric and bool
    columns are not.
    """
    import pandas as pd

    dtype = column.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def needs_frame_encoder(X):
    """True when ``X`` is a DataFrame with at least one categorical column."""
    if not hasattr(X, "columns") or not hasattr(X, "dtypes"):
        return False
    return any(is_categorical_column(X[c]) for c in X.columns)


def _sorted_levels(values):
    try:
        return sorted(values)
    except TypeError:  # mixed types: order by their text, deterministically
        return sorted(values, key=lambda v: (type(v).__name__, str(v)))


class FrameEncoder:
    """Turn a mixed-dtype DataFrame into the float matrix a network takes.

    scikit-learn's ``ColumnTransformer(OneHotEncoder, StandardScaler)`` does
    one-hot only and needs the user to list the columns; this encoder picks
    the columns by dtype, adds the course's binary code and embedding codes,
    and is fitted inside the estimator, hence on the training fold only.

    Numeric columns are standardised (mean 0, unit variance on the training
    rows), bool columns become 0/1, and each categorical column with ``k``
    levels seen in training becomes

    * ``'onehot'``: ``k`` indicator columns; unknown or missing -> all zeros;
    * ``'binary'``: ``max(1, ceil(log2 k))`` columns holding the bits of the
      level's index; unknown or missing -> 0.5 in every bit (equally far
      from every known level);
    * ``'embedding'``: one column of integer codes (1..k, 0 for unknown or
      missing), placed after all other columns, which the network maps
      through a learned embedding of ``min(50, (k + 1) // 2)`` dimensions.

    With ``impute=True``, a missing value in a numeric column becomes the
    column's training mean (0 after standardising), and each numeric column
    that had missing values in training gains a 0/1 "was missing" input
    right after it; otherwise NaN is passed on (and refused downstream).

    Parameters
    ----------
    encoding : {'onehot', 'binary', 'embedding'}
        How categorical columns are encoded.
    impute : bool, default=False
        Fill missing numeric values and add missing-indicator inputs.
    """

    def __init__(self, encoding="onehot", impute=False):
        self.encoding = encoding
        self.impute = impute

    def fit(self, frame):
        """Learn column kinds, scaling and category levels from ``frame``."""
        self.columns_ = list(frame.columns)
        self.kinds_, self.stats_ = [], []
        for name in self.columns_:
            column = frame[name]
            if is_categorical_column(column):
                levels = _sorted_levels(column.dropna().unique().tolist())
                self.kinds_.append("categorical")
                self.stats_.append(levels)
            elif column.dtype == bool:
                self.kinds_.append("bool")
                self.stats_.append(None)
            else:
                values = np.asarray(column, dtype=np.float64)
                known = values[~np.isnan(values)]
                mean = float(known.mean()) if len(known) else 0.0
                std = float(known.std()) if len(known) else 1.0
                flag = bool(self.impute and len(known) < len(values))
                self.kinds_.append("numeric")
                self.stats_.append((mean, std if std > 0 else 1.0, flag))
        return self

    def _width(self, levels):
        k = len(levels)
        if self.encoding == "onehot":
            return k
        if self.encoding == "binary":
            return max(1, math.ceil(math.log2(k))) if k > 1 else 1
        return 1

    @property
    def embeddings(self):
        """``(n_categories, dimension)`` of each embedded column, in output order."""
        if self.encoding != "embedding":
            return ()
        return tuple(
            (len(levels), max(1, min(50, (len(levels) + 1) // 2)))
            for kind, levels in zip(self.kinds_, self.stats_)
            if kind == "categorical"
        )

    def get_feature_names_out(self):
        """Names of the encoded columns, in the order the network sees them.

        Returns
        -------
        list of str
        """
        plain, coded = [], []
        for name, kind, stats in zip(self.columns_, self.kinds_, self.stats_):
            if kind != "categorical":
                plain.append(str(name))
                if kind == "numeric" and stats[2]:
                    plain.append(f"{name}:missing")
            elif self.encoding == "onehot":
                plain.extend(f"{name}={level}" for level in stats)
            elif self.encoding == "binary":
                plain.extend(f"{name}:bit{b}" for b in range(self._width(stats)))
            else:
                coded.append(f"{name}:code")
        return plain + coded

    def transform(self, frame):
        """Encode ``frame`` (same columns as in :meth:`fit`) as float64."""
        import pandas as pd

        plain, coded = [], []
        for name, kind, stats in zip(self.columns_, self.kinds_, self.stats_):
            column = frame[name]
            if kind == "numeric":
                try:
                    values = np.asarray(column, dtype=np.float64)
                except (TypeError, ValueError):
                    raise ValueError(
                        f"Column {name!r} was numeric when the estimator was fitted but "
                        f"holds non-numeric values now (dtype {column.dtype})."
                    ) from None
                mean, std, flag = stats
                scaled = (values - mean) / std
                if self.impute:
                    missing = np.isnan(values)
                    scaled[missing] = 0.0
                    plain.append(scaled[:, None])
                    if flag:
                        plain.append(missing.astype(np.float64)[:, None])
                    continue
                plain.append(scaled[:, None])
                continue
            if kind == "bool":
                plain.append(np.asarray(column, dtype=np.float64)[:, None])
                continue
            codes = pd.Index(stats, dtype=object).get_indexer(column.astype(object))
            k = len(stats)
            if self.encoding == "onehot":
                block = np.zeros((len(codes), k))
                known = codes >= 0
                block[np.flatnonzero(known), codes[known]] = 1.0
                plain.append(block)
            elif self.encoding == "binary":
                width = self._width(stats)
                bits = (codes[:, None] >> np.arange(width)[None, :]) & 1
                block = bits.astype(np.float64)
                block[codes < 0] = 0.5
                plain.append(block)
            else:
                coded.append((codes + 1).astype(np.float64)[:, None])
        blocks = plain + coded
        if not blocks:
            return np.empty((len(frame), 0))
        return np.hstack(blocks)
