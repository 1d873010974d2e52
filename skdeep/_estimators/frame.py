"""The pandas front end: a mixed-dtype DataFrame encoded inside an estimator.

:class:`FrameEncoder` is fitted by the estimator on the training rows (hence
inside each cross-validation fold); it is pickled with fitted estimators.
"""

import math
import warnings
from numbers import Integral, Number

import numpy as np

__all__ = [
    "FrameEncoder",
    "column_kind",
    "column_to_float",
    "frame_kinds",
    "is_categorical_column",
    "level_texts",
    "needs_frame_encoder",
    "number_markers",
    "numeric_frame",
    "resolve_categorical",
]


#: ``pandas.api.types.infer_dtype`` kinds of object columns that hold numbers
#: (``decimal.Decimal`` from SQL drivers, floats with ``None``, ``astype(object)``).
_NUMBER_KINDS = {"integer", "floating", "mixed-integer-float", "decimal", "empty"}


def _holds_numbers(column):
    """Whether every non-missing value of an object column is a number."""
    import pandas as pd

    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind in _NUMBER_KINDS:
        return True
    if kind != "mixed":
        return False
    values = column[column.notna()]
    return all(isinstance(v, Number) and not isinstance(v, bool) for v in values)


def column_kind(column):
    """How a pandas Series enters the network: ``'categorical'``, ``'bool'`` or ``'numeric'``.

    Decided by dtype where the dtype says it (``category`` and string
    dtypes are categorical, bool is bool, numbers are numeric) and by
    content for ``object`` columns: one whose non-missing values are all
    numbers (``decimal.Decimal``, ``int``, ``float``, NumPy scalars; ``None``
    and ``NaN`` are missing) is numeric, as scikit-learn's MLP would read
    it; one of ``True``/``False`` only is bool (numeric when some are
    missing, so they can be imputed); anything else, text included -- even
    text that looks like numbers, such as zip codes -- is categorical.
    """
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_object_dtype(dtype):
        if _holds_numbers(column):
            return "numeric"
        if pd.api.types.infer_dtype(column, skipna=True) == "boolean":
            return "numeric" if column.isna().any() else "bool"
        return "categorical"
    if pd.api.types.is_string_dtype(dtype):
        return "categorical"
    if pd.api.types.is_bool_dtype(dtype) and not column.isna().any():
        return "bool"
    return "numeric"


def is_categorical_column(column):
    """Whether a pandas Series is encoded as a categorical attribute (see :func:`column_kind`)."""
    return column_kind(column) == "categorical"


def column_to_float(column, name):
    """A column's values as float64, missing values as NaN; a ValueError names what failed."""
    try:
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        bad = next((v for v in column if not _converts(v)), None)
        raise ValueError(
            f"Column {name!r} is used as a number (dtype {column.dtype}) but holds "
            f"{bad!r}, which is not a number. Clean the column, or name it in "
            "categorical_features to encode it as a category."
        ) from None


def _converts(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return value is None
    return True


def resolve_categorical(spec, columns):
    """The columns ``categorical_features`` names, as a set of column labels or None.

    ``'auto'`` gives None (decide per column by :func:`column_kind`); None
    gives the empty set (every column numeric); a list of column names, of
    positions, or a boolean mask of length ``n_features`` gives those columns.
    """
    if isinstance(spec, str):
        return None
    if spec is None:
        return set()
    columns = list(columns)
    items = list(np.asarray(spec).ravel()) if not isinstance(spec, (list, tuple)) else list(spec)
    if items and all(isinstance(v, (bool, np.bool_)) for v in items):
        if len(items) != len(columns):
            raise ValueError(
                f"categorical_features is a boolean mask of length {len(items)}, but X has "
                f"{len(columns)} columns; give one True/False per column."
            )
        return {c for c, flag in zip(columns, items) if flag}
    chosen = set()
    for item in items:
        if isinstance(item, (Integral, np.integer)) and item not in columns:
            if not -len(columns) <= item < len(columns):
                raise ValueError(
                    f"categorical_features names column position {item}, but X has "
                    f"{len(columns)} columns (positions 0 to {len(columns) - 1})."
                )
            chosen.add(columns[item])
        elif item in columns:
            chosen.add(item)
        else:
            raise ValueError(
                f"categorical_features names {item!r}, which is not a column of X; the "
                f"columns are {[str(c) for c in columns[:20]]}"
                f"{' ...' if len(columns) > 20 else ''}."
            )
    return chosen


def frame_kinds(frame, spec="auto"):
    """The kind of each column of ``frame`` under ``categorical_features=spec``."""
    chosen = resolve_categorical(spec, frame.columns)
    kinds = []
    for name in frame.columns:
        column = frame[name]
        if chosen is None:
            kinds.append(column_kind(column))
        elif name in chosen:
            kinds.append("categorical")
        else:
            kind = column_kind(column)
            kinds.append("bool" if kind == "bool" else "numeric")
    return kinds


def needs_frame_encoder(X, spec="auto"):
    """True when ``X`` is a DataFrame with at least one categorical column.

    A frame whose columns are all numbers (by dtype or by content) needs
    none: it is used as given, as scikit-learn's MLP uses it (see
    :func:`numeric_frame`).
    """
    if not hasattr(X, "columns") or not hasattr(X, "dtypes"):
        return False
    return "categorical" in frame_kinds(X, spec)


def numeric_frame(X):
    """``X`` with its ``object`` (and text) columns as float64; missing values are NaN.

    What scikit-learn's ``check_array`` does to a frame of numbers, except
    that ``pd.NA`` becomes NaN instead of a TypeError and a value that is
    not a number is reported by column name. Other inputs pass unchanged.
    """
    import pandas as pd

    if not hasattr(X, "columns") or not hasattr(X, "dtypes"):
        return X
    objects = [
        name for name, dtype in X.dtypes.items()
        if pd.api.types.is_object_dtype(dtype) or not (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]
    if not objects:
        return X
    X = X.copy(deep=False)
    for name in objects:
        X[name] = column_to_float(X[name], name)
    return X


#: The share of a column's present values that must read as numbers for the
#: rest to be taken for missing-value markers ('?', 'n/a').
NUMBER_SHARE = 0.9


def number_markers(column):
    """``(share of numbers, the other texts)`` of a mostly-numbers text column, or None.

    None when fewer than :data:`NUMBER_SHARE` of the present values read as
    numbers, or when there are no present values. Used by the estimators'
    warning and by the command line's cleaning alike.
    """
    import pandas as pd

    present = column.dropna()
    if present.empty:
        return None
    numbers = pd.to_numeric(present.astype(str).str.strip(), errors="coerce").notna()
    if numbers.mean() < NUMBER_SHARE:
        return None
    return float(numbers.mean()), present[~numbers.to_numpy()].astype(str)


def _warn_numbers_as_text(name, column, n_levels):
    """Warn when a column is categorical only because a few texts sit among numbers.

    ``'?'`` or ``'n/a'`` standing for a missing value make a column of
    numbers text; encoded as categories it becomes one input per distinct
    number. scikit-learn's MLP refuses such a column; skdeep encodes it, so
    it says what it did and how to change it.
    """
    markers = number_markers(column) if n_levels > 20 else None
    if markers is None:
        return
    share, texts = markers
    texts = sorted(set(texts))[:5]
    warnings.warn(
        f"Column {name!r} is encoded as a category of {n_levels} levels, but "
        f"{share:.0%} of its values are numbers; its other values {texts} are "
        "probably missing-value markers. Replace them with NaN (e.g. "
        "pd.to_numeric(column, errors='coerce')) to use it as one numeric input, or "
        "name the categorical columns in categorical_features to keep this.",
        UserWarning, stacklevel=2,
    )


def level_texts(column):
    """A category column's values as text (``str(value)``), missing values as None.

    Parameters
    ----------
    column : pandas.Series

    Returns
    -------
    pandas.Series of object
    """
    values = column.astype(object).where(column.notna(), None)
    return values.map(lambda v: None if v is None else str(v))


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
    categorical : 'auto', None or list, default='auto'
        The estimator's ``categorical_features``: which columns are
        categorical (``'auto'``: decided per column by :func:`column_kind`).
    """

    def __init__(self, encoding="onehot", impute=False, categorical="auto"):
        self.encoding = encoding
        self.impute = impute
        self.categorical = categorical

    def fit(self, frame):
        """Learn column kinds, scaling and category levels from ``frame``."""
        self.columns_ = list(frame.columns)
        spec = getattr(self, "categorical", "auto")
        self.kinds_ = frame_kinds(frame, spec)
        self.stats_ = []
        for name, kind in zip(self.columns_, self.kinds_):
            column = frame[name]
            if kind == "categorical":
                levels = _sorted_levels(column.dropna().unique().tolist())
                if isinstance(spec, str):  # decided by content, not named by the user
                    _warn_numbers_as_text(name, column, len(levels))
                self.stats_.append(levels)
            elif kind == "bool":
                self.stats_.append(None)
            else:
                values = column_to_float(column, name)
                known = values[~np.isnan(values)]
                mean = float(known.mean()) if len(known) else 0.0
                std = float(known.std()) if len(known) else 1.0
                flag = bool(self.impute and len(known) < len(values))
                self.stats_.append((mean, std if std > 0 else 1.0, flag))
        return self

    def fit_transform(self, frame, y=None):
        """:meth:`fit` on ``frame``, then :meth:`transform` it (``y`` is not used).

        Parameters
        ----------
        frame : pandas.DataFrame
        y : None
            Accepted for the tabular networks' encoder, which learns from it.

        Returns
        -------
        ndarray of float64
        """
        return self.fit(frame).transform(frame)

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
                values = column_to_float(column, name)
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
