"""Reading and cleaning the user's table for ``skdeep compare`` and ``skdeep search``.

Standard library only at the top (pandas and scikit-learn load when a command
runs). :class:`TableCleaner` is part of the models ``skdeep search --save``
writes, so it must stay importable as ``skdeep.cli.TableCleaner``.
"""

import os
import sys

#: Bundled data sets: name -> (loader in sklearn.datasets, task).
BUNDLED = {
    "breast_cancer": ("load_breast_cancer", "classification"),
    "iris": ("load_iris", "classification"),
    "wine": ("load_wine", "classification"),
    "digits": ("load_digits", "classification"),
    "diabetes": ("load_diabetes", "regression"),
}


DEFAULT_DATA = "breast_cancer"


#: Integer targets with at most this many distinct values are classes.
MAX_INTEGER_CLASSES = 20


class CLIError(Exception):
    """A problem with the user's invocation or data, reported as one line."""


def _note(message):
    print(f"note: {message}", file=sys.stderr)


#: Separators tried when ``--sep`` is not given, in order of preference on a tie.
SEPARATORS = (",", ";", "\t", "|")

#: A number written with a decimal comma, thousands optionally grouped by dots
#: (``1,5``, ``-0,25``, ``1.234,5``, ``12``).
_COMMA_NUMBER = r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$"


def _unquoted_counts(line, sep):
    """How often ``sep`` occurs in ``line`` outside double quotes."""
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            count += 1
    return count


def sniff_separator(path, n_lines=50):
    """The column separator of a text table, or None when the header holds none.

    Of :data:`SEPARATORS`, those the header line holds (outside quotes)
    compete: the one that splits the most of the first ``n_lines`` lines
    into as many fields as the header wins, then the one occurring most
    often. Decimal commas (``1,5``) thus never pass for separators: the
    header holds none, or not as many. Lines broken inside a quoted field
    only lower a candidate's share.
    """
    lines = []
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        for line in f:
            if line.strip():
                lines.append(line.rstrip("\r\n"))
            if len(lines) >= n_lines:
                break
    best, best_key = None, (0, 0)
    for sep in SEPARATORS:
        header = _unquoted_counts(lines[0], sep) if lines else 0
        if header == 0:
            continue
        share = sum(_unquoted_counts(line, sep) == header for line in lines) / len(lines)
        if (share, header) > best_key:
            best, best_key = sep, (share, header)
    return best


def _comma_number_columns(frame):
    """Text columns whose every value is a number written with a decimal comma."""
    import pandas as pd

    found = []
    for name in frame.columns:
        column = frame[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        values = column.dropna().astype(str).str.strip()
        if len(values) and values.str.match(_COMMA_NUMBER).all() and values.str.contains(
                ",", regex=False).any():
            found.append(name)
    return found


def _read_text_table(data, sep, decimal, thousands):
    """Read a CSV/TSV with the given or detected separator and decimal mark."""
    import pandas as pd

    notes = []
    if sep is None:
        if data.lower().endswith((".tsv", ".tab")):
            sep = "\t"
        else:
            sep = sniff_separator(data) or ","
            if sep != ",":
                notes.append(f"read {os.path.basename(data)!r} with separator {sep!r}")
    frame = pd.read_csv(data, sep=sep, decimal=decimal or ".", thousands=thousands,
                        encoding="utf-8-sig")
    commas = _comma_number_columns(frame)
    if commas and decimal is None:
        if sep == ",":
            # a comma-separated file with quoted "1,5": decimal or thousands? ask
            raise CLIError(
                f"column(s) {[str(c) for c in commas][:5]} hold numbers written with a "
                "comma (e.g. "
                f"{frame[commas[0]].dropna().astype(str).iloc[0]!r}); pass --decimal , "
                "if the comma is the decimal mark, or --thousands , if it groups thousands"
            )
        grouped = any(frame[c].dropna().astype(str).str.contains(r"\d\.\d{3}").any()
                      for c in commas)
        frame = pd.read_csv(data, sep=sep, decimal=",", thousands="." if grouped else None,
                            encoding="utf-8-sig")
        notes.append(f"read decimal commas in column(s) {[str(c) for c in commas][:5]}"
                     f"{' ...' if len(commas) > 5 else ''} (--decimal ,)")
    return frame, notes


def load_table(data, target, sep=None, decimal=None, thousands=None):
    """Read DATA (a file or a bundled name) into a DataFrame; return it and the target.

    Text tables are read with the separator given (``sep``) or detected
    (:func:`sniff_separator`), and numbers with decimal commas are
    recognised in files not separated by commas (European CSVs: ``;`` and
    ``1,5``); ambiguous commas are refused with a hint.

    Parameters
    ----------
    data : str or None
        Path to a CSV/TSV/Parquet file, or a name in :data:`BUNDLED`
        (default ``'breast_cancer'``).
    target : str or None
        Target column; bundled data sets default to ``'target'``.
    sep, decimal, thousands : str or None
        ``--sep``, ``--decimal`` and ``--thousands`` (None: detect).

    Returns
    -------
    frame : pandas.DataFrame
    target : str
    name : str
        What to call the data in the output.
    notes : list of str
        How the file was read, when not the plain way.
    """
    if data is None:
        data = DEFAULT_DATA
    frame, name, notes = read_table(data, sep, decimal, thousands)
    if _bundled(data):
        return frame, target or "target", name, notes
    if frame.shape[1] < 2:
        hint = "" if sep else "; if its columns are split by another character, pass --sep"
        raise CLIError(
            f"{data!r} holds {frame.shape[0]} rows and {frame.shape[1]} columns; a target and "
            f"at least one feature column are needed{hint}"
        )
    if target is None:
        raise CLIError(f"--target COL is required; the columns are {list(frame.columns)}")
    return frame, target, name, notes


def _bundled(data):
    """Whether DATA names a bundled data set (a file of that name wins)."""
    return data in BUNDLED and not os.path.exists(data)


def read_table(data, sep=None, decimal=None, thousands=None):
    """Read DATA (a CSV/TSV/Parquet file or a bundled name) as :func:`load_table` does.

    Parameters
    ----------
    data : str
        Path to a CSV/TSV or Parquet file, or a name in :data:`BUNDLED`.
    sep, decimal, thousands : str or None
        ``--sep``, ``--decimal`` and ``--thousands`` (None: detect).

    Returns
    -------
    frame : pandas.DataFrame
        At least one row and one column.
    name : str
        What to call the data in the output.
    notes : list of str
        How the file was read, when not the plain way.
    """
    import pandas as pd

    if _bundled(data):
        import sklearn.datasets

        loader, task = BUNDLED[data]
        bunch = getattr(sklearn.datasets, loader)(as_frame=True)
        frame = bunch.frame.copy()
        if task == "classification" and "target_names" in bunch:
            frame["target"] = pd.Categorical.from_codes(bunch.target, bunch.target_names)
        return frame, data, []
    if not os.path.exists(data):
        raise CLIError(
            f"no such file or bundled data set: {data!r} (bundled: {', '.join(BUNDLED)})"
        )
    if os.path.isdir(data):
        raise CLIError(f"{data!r} is a directory; pass a CSV or Parquet file")
    notes = []
    try:
        if data.lower().endswith((".parquet", ".pq")):
            frame = pd.read_parquet(data)
        else:
            frame, notes = _read_text_table(data, sep, decimal, thousands)
    except CLIError:
        raise
    except ImportError as exc:
        raise CLIError(f"cannot read {data!r}: {exc} (pip install pyarrow for Parquet)") from None
    except Exception as exc:  # noqa: BLE001 - pandas raises many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"cannot read {data!r} as a table: {first}") from None
    if frame.empty or frame.shape[1] < 1:
        raise CLIError(f"{data!r} holds {frame.shape[0]} rows and {frame.shape[1]} columns")
    return frame, os.path.basename(data), notes


def _number_markers(column):
    """``(count, examples)`` of the texts in a column that is otherwise numbers, or None.

    At least 90 % of the present values must read as numbers (the estimators'
    rule, :func:`skdeep._estimators.frame.number_markers`): the rest (``'?'``,
    ``'-'``, ``'n.a.'``) are taken for missing-value markers.
    """
    from .._estimators.frame import number_markers

    markers = number_markers(column)
    if markers is None:
        return None
    texts = markers[1]
    if texts.empty:  # digits only, as text (zip codes, codes): kept as text
        return None
    return int(len(texts)), sorted(set(texts))[:3]


def _looks_like_dates(column):
    from .._estimators.table import parse_dates

    return parse_dates(column)


def _check_classes(y, target, cv):
    """A class target as text, refused when cross-validation cannot stratify it."""
    import pandas as pd

    y = y.astype(str) if not isinstance(y.dtype, pd.CategoricalDtype) else y
    counts = y.value_counts()
    counts = counts[counts > 0]
    if len(counts) < 2:
        raise CLIError(
            f"target {target!r} has one class ({counts.index[0]!r}): nothing to classify"
        )
    if counts.min() < 2:
        rare = [str(c) for c in counts.index[counts < 2]]
        raise CLIError(
            f"class(es) {rare[:5]}{' ...' if len(rare) > 5 else ''} of target {target!r} "
            "have a single row, and cross-validation needs at least 2 rows per class: "
            "drop those rows, merge the class with another, or add data"
        )
    if counts.min() < cv:
        raise CLIError(
            f"too few rows for {cv}-fold CV: class {counts.idxmin()!r} has "
            f"{counts.min()} row(s); use --cv {max(2, int(counts.min()))} or fewer, or "
            "more data"
        )
    return y


def _check_numbers(y, target, cv):
    """A regression target as floats, refused when infinite, constant or too short."""
    import numpy as np
    import pandas as pd

    if not pd.api.types.is_numeric_dtype(y):
        raise CLIError(f"--task regression needs a numeric target; {target!r} is {y.dtype}")
    y = y.astype(float)
    infinite = int((~np.isfinite(y)).sum())
    if infinite:
        raise CLIError(f"target {target!r} holds {infinite} infinite value(s); remove or "
                       "replace those rows")
    if y.nunique() < 2:
        raise CLIError(f"target {target!r} is constant ({y.iloc[0]:g} in every row): "
                       "nothing to predict")
    if len(y) < 2 * cv:
        raise CLIError(f"too few rows ({len(y)}) for {cv}-fold CV; use a smaller --cv")
    return y


def prepare(frame, target, task="auto", cv=5):
    """Split a raw table into features and target, with notes on what changed.

    Rows without a target are dropped; constant columns and identifier-like
    text columns (a different value in every row) are dropped; date columns
    become days since 1970-01-01; bool columns become 0/1. Everything else --
    numbers with missing values, text and category columns -- is kept for the
    models' own preprocessing.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    target : str
        Target column.
    task : {'auto', 'classification', 'regression'}, default='auto'
        ``'auto'`` picks classification for text, category, bool and integer
        targets with at most 20 values.
    cv : int, default=5
        Folds the data must support.

    Returns
    -------
    X : pandas.DataFrame
    y : pandas.Series
    task : str
    notes : list of str
    cleaner : TableCleaner
        The fitted column cleaning, to replay on new tables.
    """
    import numpy as np
    import pandas as pd

    if target not in frame.columns:
        raise CLIError(f"no column {target!r}; the columns are {[str(c) for c in frame.columns]}")
    if frame.columns.duplicated().any():
        dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise CLIError(f"duplicated column names {dup}: rename them")
    notes = []
    y = frame[target]
    keep = y.notna()
    if not keep.all():
        notes.append(f"dropped {int((~keep).sum())} rows without a target")
    frame, y = frame[keep], y[keep]
    if y.empty:
        raise CLIError(f"target {target!r} has no values: every row of it is empty")
    if task == "auto":
        discrete = (
            isinstance(y.dtype, pd.CategoricalDtype) or y.dtype == bool
            or pd.api.types.is_object_dtype(y) or pd.api.types.is_string_dtype(y)
            or (pd.api.types.is_integer_dtype(y) and y.nunique() <= MAX_INTEGER_CLASSES)
        )
        task = "classification" if discrete else "regression"
    y = _check_classes(y, target, cv) if task == "classification" else _check_numbers(
        y, target, cv)
    cleaner = TableCleaner().fit(frame.drop(columns=[target]))
    notes.extend(cleaner.notes_)
    X = cleaner.transform(frame.drop(columns=[target]))
    if X.shape[1] == 0:
        raise CLIError("no usable feature column is left (see the notes above)")
    numeric = X.select_dtypes("number")
    infinite = [str(c) for c in numeric.columns if np.isinf(numeric[c].to_numpy(float)).any()]
    if infinite:
        raise CLIError(
            f"column(s) {infinite[:5]}{' ...' if len(infinite) > 5 else ''} hold infinite "
            "values (inf); replace them (with empty cells, which the models impute) or drop "
            "those rows"
        )
    return X, y, task, notes, cleaner


class TableCleaner:
    """What ``skdeep compare`` / ``search`` do to a raw table's feature columns.

    Learned once, replayed on new tables (the model ``skdeep search --save``
    writes starts with it, so it predicts on raw rows): constant columns and
    identifier-like text columns are dropped, text columns of numbers with a
    few missing-value markers (``'?'``) become numbers, date columns (or text holding
    dates) become days since 1970-01-01, bool columns become 0/1, text
    columns keep their values (missing as None). A scikit-learn transformer.
    """

    def fit(self, X, y=None):
        """Decide what to do with each column of the DataFrame ``X``."""
        import pandas as pd

        self.drop_, self.dates_, self.notes_, self.numbers_ = [], [], [], []
        for name in X.columns:
            column = X[name]
            if column.nunique(dropna=False) <= 1:
                self.drop_.append(name)
                self.notes_.append(f"dropped column {name!r}: it holds one value")
            elif pd.api.types.is_datetime64_any_dtype(column):
                self.dates_.append(name)
                self.notes_.append(f"column {name!r} (dates) converted to days since 1970-01-01")
            elif column.dtype != bool and (
                    pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
                markers = _number_markers(column)
                if markers is not None:
                    self.numbers_.append(name)
                    self.notes_.append(
                        f"column {name!r} holds numbers; its {markers[0]} other value(s) "
                        f"{markers[1]} read as missing")
                elif _looks_like_dates(column) is not None:
                    self.dates_.append(name)
                    self.notes_.append(f"column {name!r} (dates as text) converted to days "
                                       "since 1970-01-01")
                elif column.nunique() == len(column) and len(column) > 20:
                    self.drop_.append(name)
                    self.notes_.append(f"dropped column {name!r}: a different text in every "
                                       "row (an identifier?)")
        self.columns_ = [c for c in X.columns if c not in self.drop_]
        return self

    def transform(self, X):
        """Apply the learned cleaning to a DataFrame with the fitted columns."""
        import pandas as pd

        missing = [c for c in self.columns_ if c not in X.columns]
        if missing:
            raise ValueError(f"columns {missing} are missing from the table")
        X = X[self.columns_].copy()
        for name in X.columns:
            column = X[name]
            if name in getattr(self, "numbers_", ()):  # models saved before it: none
                X[name] = pd.to_numeric(column.astype(str).str.strip(), errors="coerce").where(
                    column.notna())
            elif name in self.dates_:
                X[name] = _days(column)
            elif column.dtype == bool:
                X[name] = column.astype(float)
            elif pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
                X[name] = column.astype(object).where(column.notna(), None)
        X.columns = [str(c) for c in X.columns]
        return X

    def fit_transform(self, X, y=None):
        """Fit, then transform ``X``."""
        return self.fit(X, y).transform(X)

    def get_params(self, deep=True):
        """No parameters (scikit-learn's estimator API)."""
        return {}

    def set_params(self, **params):
        """No parameters (scikit-learn's estimator API)."""
        return self


def _days(column):
    """Days since 1970-01-01 of a date column (datetimes or date texts; UTC when zoned)."""
    import numpy as np
    import pandas as pd

    from .._estimators.table import parse_dates

    parsed = parse_dates(column)
    if parsed is None:  # a later table's column that holds no dates: all missing
        parsed = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns]")
    values = parsed.astype("datetime64[ns]")
    days = (values - np.datetime64("1970-01-01")) / np.timedelta64(1, "D")
    return days.astype(float)


def _column_kinds(X):
    import pandas as pd

    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    return numeric, categorical


# the cleaner is pickled into saved models: its name must not depend on this file
TableCleaner.__module__ = "skdeep.cli"
