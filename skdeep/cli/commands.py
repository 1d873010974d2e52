"""The ``compare`` and ``search`` commands: cross-validate, print, plot, save."""

import contextlib
import json
import os
import sys
import threading
import time

from .models import _model_keys, _scorer_name, _splitter, build_models, check_scorer
from .tables import CLIError, _column_kinds, _note, load_table, prepare

def _cross_validate(cross_validate, label, model, X, y, splitter, scoring, args):
    """One model's row of the table, or None (with a note) when it failed."""
    from . import progress

    shown = None
    if args.n_jobs == 1 and progress.live():  # the folds' count, on a terminal
        from sklearn.metrics import check_scoring

        shown = progress.FoldProgress(splitter.get_n_splits())
        scoring = shown.counting(check_scoring(model, scoring=scoring))
    try:
        result = cross_validate(model, X, y, cv=splitter, scoring=scoring,
                                n_jobs=args.n_jobs, error_score="raise")
    except Exception as exc:  # noqa: BLE001 - one model failing must not hide the rest
        _note(f"{label} failed: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return None
    finally:
        if shown is not None:
            shown.close()
    scores = result["test_score"]
    return {
        "model": label, "mean": float(scores.mean()), "std": float(scores.std()),
        "scores": [float(s) for s in scores],
        "fit_time": float(result["fit_time"].mean()),
        "predict_time": float(result["score_time"].mean()),
    }


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
    # what the Keras stack's imports warn about (urllib3's optional SOCKS support,
    # ...) -- silenced with TensorFlow's C++ start-up lines, now in a thread
    warnings.filterwarnings(
        "ignore", module=r"(urllib3|requests|google|absl|tensorflow|keras|jax|h5py)(\..*)?$")


def _table(args):
    """What both commands start with: the table read, cleaned and described."""
    frame, target, name, read_notes = load_table(args.data, args.target, args.sep,
                                                 args.decimal, args.thousands)
    X, y, task, notes, cleaner = prepare(frame, target, args.task, args.cv)
    notes = read_notes + notes
    for n in notes:
        _note(n)
    scoring = _scorer_name(args.scoring, task)
    check_scorer(scoring, task, X, y)
    return X, y, task, notes, cleaner, name, target, scoring


class KerasStart:
    """Keras' one-time start-up in a background thread, while other work goes on.

    Started once scikit-learn's modules are imported (the thread then imports
    only Keras and its backend); :meth:`wait` joins it before the first model
    that needs Keras.  While it runs, ``sys.stderr`` is a copy of the
    process's standard error, so the caller's progress lines are printed while
    Keras' start-up silences file descriptor 2 (TensorFlow's C++ start-up lines).
    """

    def __init__(self):
        self.seconds = self.error = None
        self._thread = None
        self._saved = None

    def start(self):
        """Start Keras in a daemon thread."""
        from .._backend import load

        def run():
            begin = time.perf_counter()
            try:
                load()
            except BaseException as exc:  # noqa: BLE001 - raised again by wait()
                self.error = exc
            self.seconds = time.perf_counter() - begin

        with contextlib.suppress(AttributeError, ValueError, OSError):
            if sys.stderr is sys.__stderr__:
                copy = os.fdopen(os.dup(sys.__stderr__.fileno()), "w", buffering=1)
                self._saved, sys.stderr = sys.stderr, copy
        self._thread = threading.Thread(target=run, name="skdeep-keras-start", daemon=True)
        self._thread.start()
        return self

    def wait(self):
        """Join the start-up; return the seconds spent waiting for it here."""
        begin = time.perf_counter()
        self._thread.join()
        waited = time.perf_counter() - begin
        self.abandon()
        if self.error is not None:
            raise self.error
        return waited

    def abandon(self):
        """Give ``sys.stderr`` back once the start-up is over; while it runs (Ctrl-C,
        an error before any skdeep model) the copy stays, so the message is seen."""
        if self._saved is not None and not self._thread.is_alive():
            copy, sys.stderr, self._saved = sys.stderr, self._saved, None
            copy.close()


def _needs_keras(model):
    """Whether ``model`` (or a step of it) is one of skdeep's networks."""
    steps = [s for _, s in getattr(model, "steps", [])] or [model]
    return any(type(s).__module__.split(".")[0] == "skdeep" for s in steps)


def compare(args):
    """``skdeep compare``: cross-validated scores, fit and predict times, best first."""
    from .report import report_format, write_report

    report = getattr(args, "report", None)
    if report:
        report_format(report)  # a bad suffix fails before any training
    X, y, task, notes, _, name, target, scoring = _table(args)
    keys = _model_keys(args.models)
    splitter = _splitter(task, args.cv, args.seed)
    summary = _describe(name, X, y, task, args.cv, scoring)
    print(summary + "\n", flush=True)
    _quiet()
    from sklearn.model_selection import cross_validate

    models = build_models(task, X, keys, args.seed)
    # scikit-learn's models first, while Keras starts in the background
    models.sort(key=lambda item: _needs_keras(item[1]))
    keras = KerasStart().start() if any(_needs_keras(m) for _, m in models) else None
    rows, failed = [], []
    try:
        for i, (label, model) in enumerate(models, 1):
            if keras is not None and _needs_keras(model):
                waited = keras.wait()
                _note(f"Keras started in {keras.seconds:.1f} s ({keras.seconds - waited:.1f} s "
                      "of it while scikit-learn's models trained)")
                keras = None
            print(f"[{i}/{len(keys)}] {label} ...", file=sys.stderr, flush=True)
            row = _cross_validate(cross_validate, label, model, X, y, splitter, scoring, args)
            if row is None:
                failed.append(label)
                continue
            rows.append(row)
            print(f"[{i}/{len(keys)}] {label}: {row['mean']:.4f} ± {row['std']:.4f} "
                  f"({row['fit_time']:.2f} s per fit)", file=sys.stderr, flush=True)
    finally:
        if keras is not None:  # no skdeep model was reached (Ctrl-C, an error)
            keras.abandon()
    rows.sort(key=lambda r: r["mean"], reverse=True)
    _print_table(rows, scoring)
    if report:
        write_report(report, summary, notes, rows, failed, scoring,
                     f"{name}: {args.cv}-fold CV")
    if args.json:
        _write_json(args.json, {
            "data": name, "target": target, "task": task, "scoring": scoring, "cv": args.cv,
            "seed": args.seed, "rows": len(X), "features": X.shape[1], "notes": notes,
            "results": rows, "failed": failed,
        })
    if args.plot and rows:
        from ..plotting import ScoreComparisonDisplay

        display = ScoreComparisonDisplay.from_results(rows, scoring=scoring)
        display.ax_.set_title(f"{name}: {args.cv}-fold CV")
        _save_figure(display.figure_, args.plot)
    return 1 if failed else 0


def _print_table(rows, scoring):
    print(f"| rank | model | {scoring} (mean ± std) | fit time (s) | predict time (s) |")
    print("|---|---|---|---|---|")
    for rank, r in enumerate(rows, 1):
        print(f"| {rank} | {r['model']} | {r['mean']:.4f} ± {r['std']:.4f} | "
              f"{r['fit_time']:.2f} | {r['predict_time']:.3f} |")
    print("\nfit and predict times are per fold; predict time includes scoring.")


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
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .. import MLPClassifier, MLPRegressor
    from ..model_selection import GridSearchCV  # the candidates' folds trained together

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
    from .progress import live

    # on a terminal: the grouped epochs and finished fits as they go
    searcher = GridSearchCV(model, grid, cv=splitter, scoring=scoring, n_jobs=args.n_jobs,
                            error_score="raise", verbose=int(live()))
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
    best_params = {k[len(prefix):]: v for k, v in searcher.best_params_.items()}
    print(f"\nbest: {best_params}, refitted on all {len(X)} rows in {best_net.n_iter_} "
          f"epochs; search took {seconds:.1f} s")
    if args.plot:
        _search_figure(searcher, prefix + next(iter(grid))[len(prefix):], name, args.plot)
    if args.save:
        from sklearn.pipeline import Pipeline

        # the cleaning first, so the saved model predicts on raw rows of the table
        about = {"target": str(y.name), "task": task, "data": name, "rows": len(X),
                 "scoring": scoring, "cv_folds": args.cv,
                 "cv_score": round(float(searcher.best_score_), 6),
                 "best_params": {k: repr(v) for k, v in best_params.items()}}
        _save_model(Pipeline([("clean", cleaner), ("model", best)]), args.save, about)
    return 0


def _search_figure(searcher, param, name, path):
    from ..plotting import LossCurveDisplay, SearchResultsDisplay, _pyplot

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


def _save_model(model, path, about):
    """:func:`skdeep.save`: atomic, versioned, loaded back with :func:`skdeep.load`."""
    from .._persistence import save

    try:
        save(model, path, about=about)
    except OSError as exc:
        raise CLIError(f"cannot save the model to {path!r}: {exc}") from None
    _note(f"best model saved to {path} (skdeep predict {path} DATA, or skdeep.load({path!r}) "
          "in Python; it predicts on raw rows of the table)")


def _write_json(path, payload):
    try:
        with open(path, "w") as f:
            json.dump(payload, f, indent=2)
    except OSError as exc:
        raise CLIError(f"cannot write {path!r}: {exc}") from None
    _note(f"results written to {path}")
