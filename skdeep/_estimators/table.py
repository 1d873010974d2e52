"""How the tabular networks read the columns of a real table.

:class:`TableEncoder` decides, per column of a raw DataFrame, what it
becomes -- learned on the training rows only, like every other fitted step
of an estimator -- and hands the result to the shared
:class:`~skdeep._estimators.frame.FrameEncoder`:

* ``'numeric'``: numbers, including numbers stored as text (``'1,234.5'``,
  European ``'1.234,5'``, ``'12 %'``, ``'$3'``) where a few other texts
  (``'?'``, ``'n/a'``) stand for missing values;
* ``'bool'``: two-valued True/False columns, as 0/1;
* ``'category'``: category and text columns, encoded by the estimator's
  ``categorical_encoding``; with more than :data:`MAX_LEVELS` levels only
  the :data:`MAX_LEVELS` most frequent levels seen at least twice keep an
  input of their own (the rest share the 'unknown' code);
* ``'target'`` (only when ``column_treatment`` asks for it): what
  ``'category'`` gives, plus target statistics of every level
  (:mod:`~skdeep._estimators.target_stats`), so that a rare zip code or
  country still says what its rows did.  Not the default: measured on the
  benchmark tables with more than :data:`MAX_LEVELS` levels in a column,
  they helped on two, changed nothing on two and lost 5 points of R^2 on
  a third (see the tabular guide);
* ``'words'``: text of many distinct values made of several words (names,
  titles, descriptions): one 0/1 input per word that occurs in at least
  two training rows, the :data:`MAX_WORDS` most frequent -- a car's name
  carries its make, an item's name its kind;
* ``'date'``: datetime columns and text holding dates: days since
  1970-01-01, plus the position in the year as a cosine/sine pair when the
  month varies, the weekday as a category when the day varies, and the
  time of day as a cosine/sine pair when the time varies;
* ``'drop'``: columns with no value, one value, or a different single
  token in every row (an identifier).

Each decision is written down in :meth:`TableEncoder.summary` (the
estimators' ``input_summary_``) and can be overridden per column.
"""

import re
import warnings

import numpy as np

from .frame import (FrameEncoder, column_kind, column_to_float, level_texts,
                    resolve_categorical)
from .target_stats import TargetStatistics, target_type

__all__ = ["MAX_LEVELS", "MAX_WORDS", "TREATMENTS", "TableEncoder", "parse_dates",
           "parse_numbers"]

#: What a column can become (see the module's docstring).
TREATMENTS = ("numeric", "bool", "category", "target", "words", "date", "drop")

#: Levels of a category column that each keep an input of their own.
MAX_LEVELS = 32

#: Word inputs of a ``'words'`` column at most.
MAX_WORDS = 64

#: Share of a column's present values that must parse (as numbers, as dates).
PARSE_SHARE = 0.9

_DECORATION = re.compile(r"^[$€£¥]|[%$€£¥]$")
#: texts only a decimal comma explains: '3,5', '0,612', '1.234,5', '2,0001'
_EUROPEAN = re.compile(r"^[-+]?(0,\d+|\d+,(\d{1,2}|\d{4,})|\d{1,3}(\.\d{3})+,\d+)$")
#: texts only a decimal point explains: '3.5', '0.612', '1,234.5', '2.0001'
_POINT = re.compile(r"^[-+]?(0\.\d+|\d+\.(\d{1,2}|\d{4,})|\d{1,3}(,\d{3})+\.\d+)$")
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
_WORD = re.compile(r"[^\W_]+")


def _clean_number(text):
    return _DECORATION.sub("", text.strip().replace("\u00a0", "").replace(" ", ""))


def _decimal_comma(texts, counts):
    """Whether a column's number texts use a decimal comma (decided for the whole column).

    '1,624' alone is ambiguous (thousands, or 1.624); the column's other
    values decide: more texts that only a decimal comma explains than texts
    that only a decimal point explains. ``texts`` are the column's distinct
    texts, ``counts`` how many rows hold each.
    """
    comma = sum(n for t, n in zip(texts, counts) if _EUROPEAN.match(t))
    point = sum(n for t, n in zip(texts, counts) if _POINT.match(t))
    return comma > point


def _distinct_texts(column):
    """``(codes, texts, rows)``: the distinct texts (``str()``) of a column's
    present values, each row's index into them (-1: missing), and how many
    rows hold each.

    Distinct as texts: 1, 1.0 and True are one value to pandas but three
    texts ('1', '1.0', 'True'), as a row-by-row reading sees them.
    """
    import pandas as pd

    present = column.notna().to_numpy()
    codes = np.full(len(column), -1, dtype=np.intp)
    codes[present], texts = pd.factorize(column[present].astype(str))
    return codes, texts, np.bincount(codes[present], minlength=len(texts))


def _to_floats(column):
    """A column's values read as number texts, as float64; what is missing or
    not a number is NaN.

    Each distinct text is cleaned and read once (a column of categories
    repeats a few texts over many rows).
    """
    import pandas as pd

    codes, texts, rows = _distinct_texts(column)
    texts = pd.Series([_clean_number(t) for t in texts], dtype=object)
    if _decimal_comma(texts, rows):
        texts = texts.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        texts = texts.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=np.float64)
    return np.append(numbers, np.nan)[codes]  # code -1 (missing): the NaN at the end


def _distinct_words(column):
    """``(codes, word sets, rows)``: :func:`_distinct_texts` with each text's words."""
    codes, texts, rows = _distinct_texts(column)
    return codes, [_words(t) for t in texts], rows


def parse_numbers(column):
    """A text column's values as float64 when at least 90 % of the present ones are numbers.

    Reads plain numbers, thousands separators (``'12,500'``), European
    decimals (``'3,5'``, ``'1.234,5'``), and a leading currency sign or
    trailing percent sign (kept as written: ``'12 %'`` is 12). The present
    values that are not numbers become NaN (missing-value markers such as
    ``'?'`` or ``'n/a'``).

    Parameters
    ----------
    column : pandas.Series

    Returns
    -------
    ndarray of float64 or None
        None when fewer than 90 % of the present values are numbers, or
        when no value is present.
    """
    present = column.notna().to_numpy()
    if not present.any():
        return None
    values = _to_floats(column)
    if (~np.isnan(values[present])).mean() < PARSE_SHARE:
        return None
    return values


def parse_dates(column):
    """A column as datetimes when it holds dates (datetime dtype, or text of dates).

    Text qualifies when at least 90 % of the present values look like
    dates (digits separated by ``-``, ``/`` or ``.``) and parse. Times with
    a UTC offset become UTC; the result is always time-zone naive.

    Parameters
    ----------
    column : pandas.Series

    Returns
    -------
    pandas.Series of datetime64 or None
    """
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(column):
        if getattr(column.dt, "tz", None) is not None:  # as UTC wall time
            return column.dt.tz_convert("UTC").dt.tz_localize(None)
        return column
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return None
    present = column.dropna().astype(str)
    if present.empty or present.str.contains(_DATE_LIKE).mean() < PARSE_SHARE:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # utc=True: offsets ('...Z', '+02:00', mixed) become UTC; texts without one stay
        parsed = pd.to_datetime(column.astype(object).where(column.notna(), None),
                                errors="coerce", format="mixed", utc=True)
    if parsed.notna().sum() < PARSE_SHARE * len(present):
        return None
    return parsed.dt.tz_localize(None)


def _words(text):
    return set(_WORD.findall(str(text).lower()))


def _is_text(column):
    import pandas as pd

    return column_kind(column) == "categorical" and not isinstance(
        column.dtype, pd.CategoricalDtype)


def _decide(column, forced):
    """``(treatment, note)`` of one column; ``forced`` is a treatment asked for or None."""
    present = column.dropna()
    n_levels = present.nunique()
    if forced is not None:
        return forced, "as asked (column_treatment)"
    if present.empty:
        return "drop", "no value in the training rows"
    if n_levels == 1 and not column.isna().any():
        return "drop", "one value in every training row"
    kind = column_kind(column)
    if kind == "bool":
        return "bool", "True/False as 0/1"
    if parse_dates(column) is not None:
        return "date", None
    if kind == "numeric":
        return "numeric", None
    if _is_text(column) and parse_numbers(column) is not None:
        return "numeric", "numbers stored as text"
    if n_levels <= MAX_LEVELS:
        return "category", f"{n_levels} levels"
    codes, words, _ = _distinct_words(present)
    mean_words = np.mean(np.array([len(w) for w in words])[codes])
    if _is_text(column) and mean_words >= 1.5:
        return "words", f"{n_levels} distinct texts of {mean_words:.1f} words on average"
    if _is_text(column) and n_levels == len(present) and len(present) > 20:
        return "drop", "a different text in every row (an identifier?)"
    return "category", f"{n_levels} levels"


class TableEncoder:
    """Turn a raw DataFrame into the columns a tabular network takes (see the module).

    Parameters
    ----------
    encoding : {'onehot', 'binary', 'embedding'}
        How ``'category'`` columns are encoded.
    impute : bool
        Fill missing numbers with the training mean and add was-missing inputs.
    categorical : 'auto', None or list
        The estimator's ``categorical_features``.
    treatments : dict or None
        The estimator's ``column_treatment``: column name (or position) ->
        one of :data:`TREATMENTS`, overriding the decision for that column.
    task : {'classification', 'regression'} or None, default=None
        What the targets passed to :meth:`fit_transform` are, for target
        statistics; None learns none (``'target'`` columns are then read as
        ``'category'``).
    random_state : int, RandomState instance or None, default=None
        Seed of the target statistics' cross-fitting folds (the estimator's).
    """

    def __init__(self, encoding="onehot", impute=True, categorical="auto", treatments=None,
                 task=None, random_state=None):
        self.encoding = encoding
        self.impute = impute
        self.categorical = categorical
        self.treatments = treatments
        self.task = task
        self.random_state = random_state

    def _forced(self, frame):
        """``{column: treatment}`` from ``categorical_features`` and ``column_treatment``.

        Columns that ``categorical_features`` names are categories; when it
        names columns, the others are numbers (bools and dates stay what
        they are).
        """
        columns, forced = self.columns_, {}
        chosen = resolve_categorical(self.categorical, columns)
        if chosen is not None:
            for c in columns:
                kind = column_kind(frame[c])
                forced[c] = ("category" if c in chosen else "bool" if kind == "bool" else
                             "date" if parse_dates(frame[c]) is not None and kind != "numeric"
                             else "numeric")
        for key, value in (self.treatments or {}).items():
            name = key
            if key not in columns and isinstance(key, (int, np.integer)) and (
                    -len(columns) <= key < len(columns)):
                name = columns[key]
            if name not in columns:
                raise ValueError(
                    f"column_treatment names {key!r}, which is not a column of X; the "
                    f"columns are {[str(c) for c in columns[:20]]}"
                    f"{' ...' if len(columns) > 20 else ''}.")
            if value not in TREATMENTS:
                raise ValueError(
                    f"column_treatment[{key!r}] is {value!r}; use one of {list(TREATMENTS)}.")
            forced[name] = value
        return forced

    def fit(self, frame, y=None):
        """Decide each column's treatment on ``frame`` and fit the encoding of the result.

        Parameters
        ----------
        frame : pandas.DataFrame
            The training rows.
        y : array-like or None, default=None
            Their targets, for target statistics (see ``task``).

        Returns
        -------
        self
        """
        self._fit(frame, y)
        return self

    def fit_transform(self, frame, y=None):
        """:meth:`fit`, then the training rows encoded as fitted.

        Target statistics of the training rows are the cross-fitted ones
        (each row's from the other folds' rows), which :meth:`transform`
        of the same frame would not give.

        Parameters
        ----------
        frame : pandas.DataFrame
            The training rows.
        y : array-like or None, default=None
            Their targets.

        Returns
        -------
        ndarray of float64
        """
        derived = self._fit(frame, y)
        return self._encoder.transform(derived)

    def _fit(self, frame, y):
        """Fit; return the training rows' derived frame."""
        self.columns_ = list(frame.columns)
        forced = self._forced(frame)
        self.target_type_ = target_type(y, self.task)
        self.treatments_, self.notes_, self.vocabulary_ = {}, {}, {}
        for name in self.columns_:
            self.treatments_[name], self.notes_[name] = self._treat(
                name, frame[name], forced.get(name))
        derived = self._derive(frame, self._fit_targets(frame, y))
        self._encoder = FrameEncoder(self.encoding, impute=self.impute,
                                     categorical=self._derived_categories)
        self._encoder.fit(derived)
        return derived

    def _treat(self, name, column, asked):
        """``(treatment, note)`` of a training column; stores what it needs to learn."""
        treatment, note = _decide(column, asked)
        self._check_forced(column, name, treatment)
        n_levels = column.nunique()
        notes = [note]
        if treatment == "target" and self.target_type_ is None:
            treatment = "category"
            if asked is not None:
                notes.append("no target statistics: they need one target column, and for "
                             "classes 5 rows of each")
        if treatment == "words":
            self.vocabulary_[name] = self._vocabulary(column)
        elif treatment in ("category", "target") and n_levels > MAX_LEVELS:
            self.vocabulary_[name] = self._frequent_levels(column)
            notes[0] = (f"{n_levels} levels; the {len(self.vocabulary_[name])} most "
                        "frequent kept, the others read as unknown")
        elif treatment == "date":
            self.vocabulary_[name] = self._calendar(parse_dates(column), name)
        if treatment == "target":
            notes.append("target statistics of every level (cross-fitted)")
        return treatment, "; ".join(n for n in notes if n) or None

    def _fit_targets(self, frame, y):
        """Fit the target statistics; the training rows' cross-fitted values, or None."""
        columns = [c for c in self.columns_ if self.treatments_[c] == "target"]
        self.target_statistics_ = None
        if not columns:
            return None
        self.target_statistics_ = TargetStatistics(columns, self.target_type_,
                                                   self.random_state)
        return self.target_statistics_.fit_transform(frame, y)

    @staticmethod
    def _check_forced(column, name, treatment):
        """Refuse a treatment asked for that the column's values cannot take."""
        if treatment == "date" and parse_dates(column) is None:
            raise ValueError(
                f"column_treatment asks for column {name!r} as dates, but its values "
                f"({column.dtype}) do not read as dates; pass datetimes or date texts.")
        if treatment == "numeric" and column_kind(column) == "categorical" and (
                parse_numbers(column) is None):
            column_to_float(column, name)  # raises, naming a value that is not a number
        if treatment == "bool" and column_kind(column) == "categorical":
            raise ValueError(
                f"column_treatment asks for column {name!r} as True/False, but it holds "
                f"{column.dropna().iloc[0]!r} ({column.dtype}); map it to bool first.")

    @staticmethod
    def _vocabulary(column):
        _, words, rows = _distinct_words(column)
        counts = {}
        for found, n in zip(words, rows):
            for word in found:
                counts[word] = counts.get(word, 0) + int(n)
        frequent = sorted((w for w, n in counts.items() if n >= 2),
                          key=lambda w: (-counts[w], w))
        return frequent[:MAX_WORDS]

    @staticmethod
    def _frequent_levels(column):
        counts = column.dropna().astype(str).value_counts()
        counts = counts[counts >= 2]
        order = sorted(counts.index, key=lambda level: (-counts[level], level))
        return order[:MAX_LEVELS]

    @staticmethod
    def _calendar(dates, name):
        """Which calendar parts of a date column vary in training (the others say nothing)."""
        present = dates.dropna()
        parts = []
        if present.dt.month.nunique() > 1:
            parts.append("year")
        if present.dt.day.nunique() > 1:
            parts.append("weekday")
        if (present - present.dt.normalize()).nunique() > 1:
            parts.append("day")
        return parts

    def _derive(self, frame, targets=None):
        """``frame``'s columns as the numeric, bool and category columns they become;
        ``targets``: the target statistics of its rows (None: computed from
        the fitted statistics)."""
        import pandas as pd

        out, categories = {}, []
        statistics = getattr(self, "target_statistics_", None)  # None in earlier files
        if statistics is not None and targets is None:
            targets = statistics.transform(frame)
        for name in self.columns_:
            column, treatment = frame[name], self.treatments_[name]
            if treatment == "drop":
                continue
            if treatment == "numeric":
                out[name] = self._numbers(column, name)
            elif treatment == "bool":
                out[name] = self._bools(column, name)
            elif treatment in ("category", "target"):
                kept = self.vocabulary_.get(name)
                values = column.astype(object).where(column.notna(), None)
                if kept is not None:
                    texts = level_texts(column)
                    values = texts.where(texts.isin(kept), None)
                out[name] = values
                categories.append(name)
                if treatment == "target":
                    for key in statistics.names_of(name):
                        out[key] = pd.Series(targets[key], index=frame.index)
            elif treatment == "words":
                codes, words, _ = _distinct_words(column)
                vocabulary = self.vocabulary_[name]
                has = np.zeros((len(words) + 1, len(vocabulary)), dtype=bool)  # last: missing
                for j, word in enumerate(vocabulary):
                    has[:-1, j] = [word in found for found in words]
                has = has[codes]
                for j, word in enumerate(vocabulary):
                    out[f"{name}:{word}"] = pd.Series(has[:, j], index=frame.index)
            else:
                out.update(self._dates(column, name))
                if "weekday" in self.vocabulary_[name]:
                    categories.append(f"{name}:weekday")
        self._derived_categories = categories
        return pd.DataFrame(out, index=frame.index)

    @staticmethod
    def _numbers(column, name):
        import pandas as pd

        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            return column.astype(np.float64)
        if pd.api.types.is_bool_dtype(column):
            return column.astype(np.float64)
        if column_kind(column) == "numeric":  # object column of numbers
            return pd.Series(column.to_numpy(dtype=np.float64, na_value=np.nan),
                             index=column.index)
        # text: what does not read as a number is a missing-value marker (checked in fit)
        return pd.Series(_to_floats(column), index=column.index, dtype=np.float64)

    @staticmethod
    def _bools(column, name):
        import pandas as pd

        if column_kind(column) == "bool":
            return pd.Series(column.to_numpy(dtype=bool), index=column.index)
        # True/False with gaps, or 0/1 numbers: imputed as numbers
        return TableEncoder._numbers(column, name)

    def _dates(self, column, name):
        import pandas as pd

        dates = parse_dates(column)
        if dates is None:  # a later frame's column that holds no dates: all missing
            dates = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns]")
        stamps = dates.astype("datetime64[ns]")
        days = (stamps - np.datetime64("1970-01-01")) / np.timedelta64(1, "D")
        out = {name: days.astype(np.float64)}
        parts = self.vocabulary_[name]
        if "year" in parts:
            angle = 2 * np.pi * (dates.dt.day_of_year - 1) / 365.25
            out[f"{name}:year_cos"], out[f"{name}:year_sin"] = np.cos(angle), np.sin(angle)
        if "weekday" in parts:
            names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
            out[f"{name}:weekday"] = dates.dt.day_of_week.map(
                lambda d: names[int(d)] if d == d else None).astype(object)
        if "day" in parts:
            seconds = (stamps - stamps.dt.normalize()).dt.total_seconds()
            angle = 2 * np.pi * seconds / 86400.0
            out[f"{name}:day_cos"], out[f"{name}:day_sin"] = np.cos(angle), np.sin(angle)
        return {key: pd.Series(value, index=column.index) for key, value in out.items()}

    def transform(self, frame):
        """Encode ``frame`` (the columns seen in :meth:`fit`) as float64."""
        missing = [c for c in self.columns_ if c not in frame.columns]
        if missing:
            raise ValueError(f"X lacks the column(s) {missing} seen in fit.")
        return self._encoder.transform(self._derive(frame))

    @property
    def embeddings(self):
        """``(n_categories, dimension)`` of each embedded column, in output order."""
        return self._encoder.embeddings

    def get_feature_names_out(self):
        """Names of the encoded columns, in the order the network sees them.

        Returns
        -------
        list of str
        """
        return self._encoder.get_feature_names_out()

    @property
    def is_categorical(self):
        """Which input columns became category or word inputs (ndarray of bool)."""
        return np.array([self.treatments_[c] in ("category", "target", "words")
                         for c in self.columns_])

    def summary(self, frame_dtypes):
        """One row per input column: ``(column, dtype, treatment, inputs, note)``.

        Parameters
        ----------
        frame_dtypes : sequence of dtype
            The training frame's column dtypes.

        Returns
        -------
        list of tuple
            Plain values (the estimators' ``input_summary_`` frames them), so
            a fitted estimator saves without pandas objects.
        """
        names = self._encoder.get_feature_names_out()
        rows = []
        for name, dtype in zip(self.columns_, frame_dtypes):
            inputs = sum(1 for n in names if n == str(name) or n.startswith(
                (f"{name}:", f"{name}=")))
            treatment, note = self.treatments_[name], self.notes_[name]
            if treatment == "date":
                labels = {"year": "time of year", "weekday": "weekday", "day": "time of day"}
                note = ", ".join(["days since 1970-01-01"] + [
                    labels[p] for p in self.vocabulary_[name]])
            elif treatment == "words":
                note = f"{note}; words {self.vocabulary_[name][:8]}"
            rows.append((str(name), str(dtype), treatment, int(inputs), note or ""))
        return rows
