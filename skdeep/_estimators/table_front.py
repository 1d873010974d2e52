"""The tabular networks' front end: raw frames read column by column.

:class:`TableFrontEnd` routes a raw DataFrame through
:class:`~skdeep._estimators.table.TableEncoder` (which decides what each
column becomes) and keeps the decisions as ``input_summary_``.
"""

import numpy as np

from .table import TableEncoder

__all__ = ["SUMMARY_COLUMNS", "TableFrontEnd", "needs_table_encoder", "summary_frame"]


#: The columns of ``input_summary_``.
SUMMARY_COLUMNS = ("column", "dtype", "treatment", "inputs", "note")


def summary_frame(rows):
    """``input_summary_``: the rows of :meth:`TableEncoder.summary` as a DataFrame.

    Parameters
    ----------
    rows : list of tuple

    Returns
    -------
    pandas.DataFrame
        Indexed by column name.
    """
    import pandas as pd

    return pd.DataFrame(list(rows), columns=list(SUMMARY_COLUMNS)).set_index("column")


def needs_table_encoder(X):
    """Whether a tabular network reads ``X`` through :class:`TableEncoder`.

    True for a DataFrame with a column that is not plain numbers or bools
    (text, categories, dates, numbers as objects).
    """
    import pandas as pd

    if not hasattr(X, "columns") or not hasattr(X, "dtypes"):
        return False
    return any(
        pd.api.types.is_object_dtype(d) or pd.api.types.is_string_dtype(d)
        or isinstance(d, pd.CategoricalDtype) or pd.api.types.is_datetime64_any_dtype(d)
        or not (pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d))
        for d in X.dtypes)


class TableFrontEnd:
    """The tabular estimators' front end: raw frames through :class:`TableEncoder` (a mixin).

    Overrides the shared front end's hooks so that a DataFrame with text,
    category, date or object columns (or columns named by
    ``categorical_features`` / ``column_treatment``) is read column by column
    as this module describes, and keeps what was decided in
    ``input_summary_``.
    """

    def _new_frame_encoder(self, frame, spec):
        """A :class:`~skdeep._estimators.table.TableEncoder` for a frame that is not all
        numbers, or whose columns ``categorical_features`` / ``column_treatment`` name."""
        if self.column_treatment and not hasattr(frame, "columns"):
            frame = self._as_frame(frame, [])
        named = not isinstance(spec, str) or bool(self.column_treatment)
        if not (needs_table_encoder(frame) or (named and hasattr(frame, "columns"))):
            return None
        from sklearn.base import is_classifier

        return TableEncoder(self.categorical_encoding, impute=self._imputes(),
                            categorical=spec, treatments=self.column_treatment,
                            task="classification" if is_classifier(self) else "regression",
                            random_state=self.random_state)

    def _encode_frame(self, X, reset, y=None):
        encoded = super()._encode_frame(X, reset, y)
        if reset:
            encoder = self._frame_encoder
            self.is_categorical_ = encoder.is_categorical if encoder.is_categorical.any() else None
            dtypes = getattr(X, "dtypes", [np.asarray(X).dtype] * len(encoder.columns_))
            self._input_summary = encoder.summary(list(dtypes))
        return encoded

    @property
    def input_summary_(self):
        """What each input column became (see the class's Attributes)."""
        if not hasattr(self, "_input_summary"):
            raise AttributeError(f"This {type(self).__name__} is not fitted yet: "
                                 "input_summary_ is learned in fit.")
        return summary_frame(self._input_summary)

    def _plain_summary(self, n_features):
        """The summary rows of an all-numbers input: one numeric input per column,
        two where a was-missing input was added."""
        names = getattr(self, "feature_names_in_", None)
        names = [str(n) for n in names] if names is not None else [
            f"x{i}" for i in range(n_features)]
        flagged = set()
        if getattr(self, "_imputer", None) is not None and self._imputer.indicator_ is not None:
            flagged = set(self._imputer.indicator_.features_.tolist())
        return [(name, "float64", "numeric", 1 + (i in flagged),
                 "was-missing input added" if i in flagged else "")
                for i, name in enumerate(names)]
