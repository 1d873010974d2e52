"""The ``skdeep`` command: would a neural network beat my usual models on this table?

``skdeep compare DATA --target COL`` cross-validates skdeep's networks against
scikit-learn's usual models on one table; ``skdeep search DATA --target COL``
runs the course's model selection (hidden-layer sizes x dropout, early
stopping) and saves a validation-curve plot and, optionally, the refitted best
model. DATA is a CSV/TSV or Parquet file, or a bundled data set's name.

This module imports only the standard library at the top, so ``skdeep --help``
answers at once; scikit-learn, pandas and Keras load when a command runs.
"""

import argparse
import json
import os
import sys
import time

#: Bundled data sets: name -> (loader in sklearn.datasets, task).
BUNDLED = {
    "breast_cancer": ("load_breast_cancer", "classification"),
    "iris": ("load_iris", "classification"),
    "wine": ("load_wine", "classification"),
    "digits": ("load_digits", "classification"),
    "diabetes": ("load_diabetes", "regression"),
}
DEFAULT_DATA = "breast_cancer"

#: ``--models`` keys, in the order they are listed.
MODELS = ("tabular", "skdeep-mlp", "skdeep-mlp-dropout", "linear", "forest", "hgb",
          "sklearn-mlp")

#: Integer targets with at most this many distinct values are classes.
MAX_INTEGER_CLASSES = 20


class CLIError(Exception):
    """A problem with the user's invocation or data, reported as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse prints the whole usage block; one line says it better
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _note(message):
    print(f"note: {message}", file=sys.stderr)


# ---------------------------------------------------------------------- data
def load_table(data, target):
    """Read DATA (a file or a bundled name) into a DataFrame; return it and the target.

    Parameters
    ----------
    data : str or None
        Path to a CSV/TSV/Parquet file, or a name in :data:`BUNDLED`
        (default ``'breast_cancer'``).
    target : str or None
        Target column; bundled data sets default to ``'target'``.

    Returns
    -------
    frame : pandas.DataFrame
    target : str
    name : str
        What to call the data in the output.
    """
    import pandas as pd

    if data is None:
        data = DEFAULT_DATA
    if data in BUNDLED and not os.path.exists(data):
        import sklearn.datasets

        loader, task = BUNDLED[data]
        bunch = getattr(sklearn.datasets, loader)(as_frame=True)
        frame = bunch.frame.copy()
        if task == "classification" and "target_names" in bunch:
            frame["target"] = pd.Categorical.from_codes(bunch.target, bunch.target_names)
        return frame, target or "target", data
    if not os.path.exists(data):
        raise CLIError(
            f"no such file or bundled data set: {data!r} (bundled: {', '.join(BUNDLED)})"
        )
    if os.path.isdir(data):
        raise CLIError(f"{data!r} is a directory; pass a CSV or Parquet file")
    lower = data.lower()
    try:
        if lower.endswith((".parquet", ".pq")):
            frame = pd.read_parquet(data)
        elif lower.endswith((".tsv", ".tab")):
            frame = pd.read_csv(data, sep="\t")
        else:
            frame = pd.read_csv(data, sep=None, engine="python")
    except ImportError as exc:
        raise CLIError(f"cannot read {data!r}: {exc} (pip install pyarrow for Parquet)") from None
    except Exception as exc:  # noqa: BLE001 - pandas raises many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"cannot read {data!r} as a table: {first}") from None
    if frame.empty or frame.shape[1] < 2:
        raise CLIError(
            f"{data!r} holds {frame.shape[0]} rows and {frame.shape[1]} columns; a target and "
            "at least one feature column are needed"
        )
    if target is None:
        raise CLIError(f"--target COL is required; the columns are {list(frame.columns)}")
    return frame, target, os.path.basename(data)


def _looks_like_dates(column):
    import pandas as pd

    values = column.dropna().astype(str)
    if values.empty or not values.str.contains(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}").mean() > 0.9:
        return None
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(column, errors="coerce", format="mixed")
    if parsed.notna().sum() < 0.9 * column.notna().sum():
        return None
    return parsed


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
    if task == "auto":
        discrete = (
            isinstance(y.dtype, pd.CategoricalDtype) or y.dtype == bool
            or pd.api.types.is_object_dtype(y) or pd.api.types.is_string_dtype(y)
            or (pd.api.types.is_integer_dtype(y) and y.nunique() <= MAX_INTEGER_CLASSES)
        )
        task = "classification" if discrete else "regression"
    if task == "classification":
        y = y.astype(str) if not isinstance(y.dtype, pd.CategoricalDtype) else y
        counts = y.value_counts()
        counts = counts[counts > 0]
        if len(counts) < 2:
            raise CLIError(
                f"target {target!r} has one class ({counts.index[0]!r}): nothing to classify"
            )
        if counts.min() < cv:
            raise CLIError(
                f"too few rows for {cv}-fold CV: class {counts.idxmin()!r} has "
                f"{counts.min()} row(s); use --cv {max(2, int(counts.min()))} or fewer, or "
                "more data"
            )
    else:
        if not pd.api.types.is_numeric_dtype(y):
            raise CLIError(f"--task regression needs a numeric target; {target!r} is {y.dtype}")
        y = y.astype(float)
        if len(y) < 2 * cv:
            raise CLIError(f"too few rows ({len(y)}) for {cv}-fold CV; use a smaller --cv")
    cleaner = TableCleaner().fit(frame.drop(columns=[target]))
    notes.extend(cleaner.notes_)
    X = cleaner.transform(frame.drop(columns=[target]))
    if X.shape[1] == 0:
        raise CLIError("no usable feature column is left (see the notes above)")
    return X, y, task, notes, cleaner


class TableCleaner:
    """What ``skdeep compare`` / ``search`` do to a raw table's feature columns.

    Learned once, replayed on new tables (the model ``skdeep search --save``
    writes starts with it, so it predicts on raw rows): constant columns and
    identifier-like text columns are dropped, date columns (or text holding
    dates) become days since 1970-01-01, bool columns become 0/1, text
    columns keep their values (missing as None). A scikit-learn transformer.
    """

    def fit(self, X, y=None):
        """Decide what to do with each column of the DataFrame ``X``."""
        import pandas as pd

        self.drop_, self.dates_, self.notes_ = [], [], []
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
                if _looks_like_dates(column) is not None:
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
            if name in self.dates_:
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    X[name] = _days(pd.to_datetime(column, errors="coerce", format="mixed"))
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
    import numpy as np

    values = column.astype("datetime64[ns]")
    days = (values - np.datetime64("1970-01-01")) / np.timedelta64(1, "D")
    return days.astype(float)


def _column_kinds(X):
    import pandas as pd

    numeric = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    categorical = [c for c in X.columns if c not in numeric]
    return numeric, categorical


# ---------------------------------------------------------------------- models
def build_models(task, X, keys, seed):
    """The models of ``skdeep compare`` for ``X``: ``[(name, estimator), ...]``.

    skdeep's MLPs take the raw frame (their own front end encodes text and
    category columns, standardises numbers and, with ``missing='impute'``,
    fills missing values); all-numeric tables get a StandardScaler in front,
    as scikit-learn's MLP needs too. scikit-learn's models get the usual
    ColumnTransformer: impute (with indicators), scale, one-hot encode;
    HistGradientBoosting keeps NaN and codes categories natively.
    """
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier
    from sklearn.neural_network import MLPRegressor as SkMLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    from . import MLPClassifier, MLPRegressor, TabularMLPClassifier, TabularMLPRegressor

    classify = task == "classification"
    numeric, categorical = _column_kinds(X)

    def tabular(scale):
        num = [SimpleImputer(add_indicator=True, keep_empty_features=True)]
        if scale:
            num.append(StandardScaler())
        parts = [("num", make_pipeline(*num), numeric)]
        if categorical:
            parts.append(("cat", make_pipeline(
                SimpleImputer(strategy="constant", fill_value="missing"),
                OneHotEncoder(handle_unknown="ignore", min_frequency=2)), categorical))
        return ColumnTransformer(parts)

    def skdeep(**extra):
        cls = MLPClassifier if classify else MLPRegressor
        net = cls(hidden_layer_sizes=(64, 32), early_stopping=True, missing="impute",
                  learning_rate_init=0.003, max_iter=300, n_iter_no_change=20,
                  random_state=seed, **extra)
        return net if categorical else make_pipeline(StandardScaler(), net)

    def hgb():
        small = [c for c in categorical if X[c].nunique() <= 250]
        cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        if not categorical:
            return cls(random_state=seed)
        big = [c for c in categorical if c not in small]

        def codes():
            return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)

        # small-cardinality columns first: their positions are the categorical ones
        coder = ColumnTransformer([("cat", codes(), small), ("big", codes(), big),
                                   ("num", "passthrough", numeric)])
        return make_pipeline(coder, cls(categorical_features=list(range(len(small))),
                                        random_state=seed))

    catalogue = {
        "skdeep-mlp": (f"skdeep.{'MLPClassifier' if classify else 'MLPRegressor'}", skdeep),
        "tabular": (f"skdeep.{'TabularMLPClassifier' if classify else 'TabularMLPRegressor'}",
                    lambda: (TabularMLPClassifier if classify else TabularMLPRegressor)(
                        random_state=seed)),
        "skdeep-mlp-dropout": (
            f"skdeep.{'MLPClassifier' if classify else 'MLPRegressor'} (dropout 0.2)",
            lambda: skdeep(dropout=0.2)),
        "linear": ("LogisticRegression" if classify else "Ridge", lambda: make_pipeline(
            tabular(True), LogisticRegression(max_iter=2000) if classify else Ridge())),
        "forest": ("RandomForest", lambda: make_pipeline(tabular(False), (
            RandomForestClassifier if classify else RandomForestRegressor)(
                n_estimators=200, n_jobs=1, random_state=seed))),
        "hgb": ("HistGradientBoosting", hgb),
        "sklearn-mlp": (f"sklearn.{'MLPClassifier' if classify else 'MLPRegressor'}",
                        lambda: make_pipeline(tabular(True), (
                            SkMLPClassifier if classify else SkMLPRegressor)(
                                hidden_layer_sizes=(64, 32), early_stopping=True,
                                learning_rate_init=0.003, max_iter=300, n_iter_no_change=20,
                                random_state=seed))),
    }
    return [(catalogue[k][0], catalogue[k][1]()) for k in keys]


def _model_keys(text):
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in MODELS]
    if unknown or not keys:
        raise CLIError(f"unknown --models {unknown or text!r}; choose from {', '.join(MODELS)}")
    return keys


def _scorer_name(scoring, task):
    from sklearn.metrics import get_scorer, get_scorer_names

    name = scoring or ("accuracy" if task == "classification" else "r2")
    try:
        get_scorer(name)
    except ValueError:
        import difflib

        close = difflib.get_close_matches(name, get_scorer_names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise CLIError(f"unknown --scoring {name!r}{hint}") from None
    return name


def _splitter(task, cv, seed):
    from sklearn.model_selection import KFold, StratifiedKFold

    if cv < 2:
        raise CLIError(f"--cv must be at least 2, got {cv}")
    cls = StratifiedKFold if task == "classification" else KFold
    return cls(n_splits=cv, shuffle=True, random_state=seed)


def _describe(name, X, y, task, cv, scoring):
    numeric, categorical = _column_kinds(X)
    what = f"{y.nunique()} classes" if task == "classification" else "regression"
    missing = int(X.isna().sum().sum())
    return (
        f"{name}: {len(X)} rows, {X.shape[1]} features ({len(numeric)} numeric, "
        f"{len(categorical)} categorical; {missing} missing values); target {y.name!r} "
        f"({what}); {cv}-fold {'stratified ' if task == 'classification' else ''}CV, "
        f"scoring {scoring}"
    )


def _quiet():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.filterwarnings("ignore", message=".*Stochastic Optimizer.*")


def _table(args):
    """What both commands start with: the table read, cleaned and described."""
    frame, target, name = load_table(args.data, args.target)
    X, y, task, notes, cleaner = prepare(frame, target, args.task, args.cv)
    for n in notes:
        _note(n)
    return X, y, task, notes, cleaner, name, target, _scorer_name(args.scoring, task)


# ---------------------------------------------------------------------- compare
def compare(args):
    """``skdeep compare``: cross-validated scores, fit and predict times, best first."""
    X, y, task, notes, _, name, target, scoring = _table(args)
    keys = _model_keys(args.models)
    splitter = _splitter(task, args.cv, args.seed)
    print(_describe(name, X, y, task, args.cv, scoring) + "\n")
    _quiet()
    from sklearn.model_selection import cross_validate

    from ._backend import load

    start = time.perf_counter()
    load()  # Keras' one-time start-up, reported apart from the models' times
    _note(f"Keras started in {time.perf_counter() - start:.1f} s")
    rows, failed = [], []
    for i, (label, model) in enumerate(build_models(task, X, keys, args.seed), 1):
        print(f"[{i}/{len(keys)}] {label} ...", file=sys.stderr, flush=True)
        try:
            result = cross_validate(model, X, y, cv=splitter, scoring=scoring,
                                    n_jobs=args.n_jobs, error_score="raise")
        except Exception as exc:  # noqa: BLE001 - one model failing must not hide the rest
            failed.append(label)
            _note(f"{label} failed: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            continue
        scores = result["test_score"]
        rows.append({
            "model": label, "mean": float(scores.mean()), "std": float(scores.std()),
            "scores": [float(s) for s in scores],
            "fit_time": float(result["fit_time"].mean()),
            "predict_time": float(result["score_time"].mean()),
        })
    rows.sort(key=lambda r: r["mean"], reverse=True)
    print(f"| rank | model | {scoring} (mean ± std) | fit time (s) | predict time (s) |")
    print("|---|---|---|---|---|")
    for rank, r in enumerate(rows, 1):
        print(f"| {rank} | {r['model']} | {r['mean']:.4f} ± {r['std']:.4f} | "
              f"{r['fit_time']:.2f} | {r['predict_time']:.3f} |")
    print("\nfit and predict times are per fold; predict time includes scoring.")
    if args.json:
        _write_json(args.json, {
            "data": name, "target": target, "task": task, "scoring": scoring, "cv": args.cv,
            "seed": args.seed, "rows": len(X), "features": X.shape[1], "notes": notes,
            "results": rows, "failed": failed,
        })
    if args.plot and rows:
        from .plotting import ScoreComparisonDisplay

        display = ScoreComparisonDisplay.from_results(rows, scoring=scoring)
        display.ax_.set_title(f"{name}: {args.cv}-fold CV")
        _save_figure(display.figure_, args.plot)
    return 1 if failed else 0


# ---------------------------------------------------------------------- search
DEFAULT_GRID = {"hidden_layer_sizes": [[16], [64], [64, 32]], "dropout": [0.0, 0.2]}


def _grid(text, estimator, prefix):
    """The parameter grid from ``--grid`` JSON (or the course's default)."""
    if text is None:
        grid = DEFAULT_GRID
    else:
        source = text
        if os.path.exists(text):
            with open(text) as f:
                source = f.read()
        try:
            grid = json.loads(source)
        except json.JSONDecodeError as exc:
            raise CLIError(f"--grid is not valid JSON: {exc}") from None
        if not isinstance(grid, dict) or not grid or not all(
                isinstance(v, list) and v for v in grid.values()):
            raise CLIError('--grid must be a JSON object of non-empty lists, e.g. '
                           '\'{"hidden_layer_sizes": [[32], [64, 32]], "alpha": [0.0001, 0.01]}\'')
    valid = estimator.get_params(deep=False)
    unknown = [k for k in grid if k not in valid]
    if unknown:
        raise CLIError(f"unknown parameter(s) {unknown} in --grid; "
                       f"{type(estimator).__name__} takes {sorted(valid)}")
    out = {}
    for key, values in grid.items():
        if key == "hidden_layer_sizes":
            values = [tuple(v) if isinstance(v, list) else v for v in values]
        out[prefix + key] = values
    return out


def search(args):
    """``skdeep search``: cross-validated hidden-unit x dropout search with early stopping."""
    X, y, task, _, cleaner, name, _, scoring = _table(args)
    splitter = _splitter(task, args.cv, args.seed)
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import MLPClassifier, MLPRegressor

    cls = MLPClassifier if task == "classification" else MLPRegressor
    net = cls(early_stopping=True, missing="impute", max_iter=args.max_iter,
              learning_rate_init=0.003, n_iter_no_change=20, random_state=args.seed)
    _, categorical = _column_kinds(X)
    model, prefix = (net, "") if categorical else (
        make_pipeline(StandardScaler(), net), f"{cls.__name__.lower()}__")
    grid = _grid(args.grid, net, prefix)
    n_candidates = 1
    for values in grid.values():
        n_candidates *= len(values)
    print(_describe(name, X, y, task, args.cv, scoring))
    print(f"GridSearchCV over {', '.join(k[len(prefix):] for k in grid)}: {n_candidates} "
          f"candidates x {args.cv} folds, early stopping on a validation split of each "
          "training fold\n")
    _quiet()
    searcher = GridSearchCV(model, grid, cv=splitter, scoring=scoring, n_jobs=args.n_jobs,
                            error_score="raise")
    start = time.perf_counter()
    try:
        searcher.fit(X, y)
    except ValueError as exc:
        raise CLIError(f"the search failed: {str(exc).splitlines()[0]}") from None
    seconds = time.perf_counter() - start
    results = searcher.cv_results_
    order = sorted(range(len(results["params"])), key=lambda i: results["rank_test_score"][i])
    print(f"| rank | {' | '.join(k[len(prefix):] for k in grid)} | {scoring} (mean ± std) "
          "| fit time (s) |")
    print("|---|" + "---|" * len(grid) + "---|---|")
    for i in order:
        values = " | ".join(str(results["params"][i][k]) for k in grid)
        print(f"| {results['rank_test_score'][i]} | {values} | "
              f"{results['mean_test_score'][i]:.4f} ± {results['std_test_score'][i]:.4f} | "
              f"{results['mean_fit_time'][i]:.2f} |")
    best = searcher.best_estimator_
    best_net = best.steps[-1][1] if hasattr(best, "steps") else best
    print(f"\nbest: {searcher.best_params_ if not prefix else {k[len(prefix):]: v for k, v in searcher.best_params_.items()}}"
          f", refitted on all {len(X)} rows in {best_net.n_iter_} epochs; search took "
          f"{seconds:.1f} s")
    if args.plot:
        _search_figure(searcher, prefix + next(iter(grid))[len(prefix):], name, args.plot)
    if args.save:
        from sklearn.pipeline import Pipeline

        # the cleaning first, so the saved model predicts on raw rows of the table
        _save_model(Pipeline([("clean", cleaner), ("model", best)]), args.save)
    return 0


def _search_figure(searcher, param, name, path):
    from .plotting import LossCurveDisplay, SearchResultsDisplay, _pyplot

    plt = _pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    SearchResultsDisplay.from_search(searcher, param=param, ax=left)
    left.set_title(f"{name}: validation curve")
    LossCurveDisplay.from_estimator(searcher, ax=right)
    right.set_title("best model, refitted")
    figure.tight_layout()
    _save_figure(figure, path)


def _save_figure(figure, path):
    figure.tight_layout()
    try:
        figure.savefig(path, dpi=110)
    except (OSError, ValueError) as exc:
        raise CLIError(f"cannot write the plot to {path!r}: {exc}") from None
    _note(f"plot saved to {path}")


def _save_model(model, path):
    """:func:`skdeep.save`: atomic, versioned, loaded back with :func:`skdeep.load`."""
    from ._persistence import save

    try:
        save(model, path)
    except OSError as exc:
        raise CLIError(f"cannot save the model to {path!r}: {exc}") from None
    _note(f"best model saved to {path} (load it with skdeep.load({path!r}); it predicts on "
          "raw rows of the table)")


def _write_json(path, payload):
    try:
        with open(path, "w") as f:
            json.dump(payload, f, indent=2)
    except OSError as exc:
        raise CLIError(f"cannot write {path!r}: {exc}") from None
    _note(f"results written to {path}")


# ---------------------------------------------------------------------- parser
def build_parser():
    """The ``skdeep`` argument parser (standard library only)."""
    parser = _Parser(prog="skdeep", description="skdeep: would a neural network beat my "
                     "usual models on this table? Keras networks as scikit-learn estimators.")
    parser.add_argument("--version", action="store_true", help="print skdeep's version")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def common(sub):
        sub.add_argument("data", nargs="?", default=None, metavar="DATA",
                         help=f"CSV/TSV or Parquet file, or a bundled data set "
                              f"({', '.join(BUNDLED)}; default {DEFAULT_DATA})")
        sub.add_argument("--target", "-t", metavar="COL",
                         help="target column (bundled data: 'target')")
        sub.add_argument("--task", choices=("auto", "classification", "regression"),
                         default="auto", help="force the task (default: from the target)")
        sub.add_argument("--scoring", metavar="NAME",
                         help="scikit-learn scorer name (default accuracy / r2)")
        sub.add_argument("--cv", type=int, default=5, help="number of folds (default 5)")
        sub.add_argument("--n-jobs", type=int, default=1, metavar="N",
                         help="parallel folds (default 1: small networks run fastest in "
                              "one process)")
        sub.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    cmp = commands.add_parser("compare", help="skdeep's networks against scikit-learn's "
                              "usual models, cross-validated",
                              description=compare.__doc__)
    common(cmp)
    cmp.add_argument("--models", default=",".join(MODELS), metavar="LIST",
                     help=f"comma-separated, from {', '.join(MODELS)} (default: all)")
    cmp.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    cmp.add_argument("--plot", metavar="FILE", help="bar chart of the scores (PNG, SVG, PDF)")
    cmp.set_defaults(func=compare)

    srch = commands.add_parser("search", help="cross-validated search over hidden-layer "
                               "sizes and dropout with early stopping",
                               description=search.__doc__)
    common(srch)
    srch.add_argument("--grid", metavar="JSON",
                      help="parameter grid as JSON text or a JSON file (default "
                           f"{json.dumps(DEFAULT_GRID)})")
    srch.add_argument("--max-iter", type=int, default=200, metavar="N",
                      help="most epochs per fit (default 200)")
    srch.add_argument("--plot", metavar="FILE", default="skdeep-search.png",
                      help="validation curve and the best model's loss curve "
                           "(default skdeep-search.png; '' for none)")
    srch.add_argument("--save", metavar="FILE",
                      help="save the refitted best model here (skdeep.save; load it with "
                           "skdeep.load)")
    srch.set_defaults(func=search)
    return parser


def main(argv=None):
    """Run the ``skdeep`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 if a model failed, 2 on a usage or data error.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(f"skdeep {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"skdeep {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"skdeep {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
