"""Searches: skdeep's grouped GridSearchCV against scikit-learn's, in one run.

W2   GridSearchCV, 3 hidden sizes x 2 alphas x 5 folds, 30 epochs, 2000 x 20
     (as in bench_mlp.py): skdeep.model_selection.GridSearchCV over skdeep's
     MLP, scikit-learn's GridSearchCV over skdeep's MLP, and over
     scikit-learn's MLP.  Fresh architectures each repeat (the search's
     widths shift by one unit per repeat, so no compiled engine is reused).
W2-64  W2 on float64 data (what the drop-in MLPs compute in for a DataFrame);
     every search starts from skdeep.clear_cache(), so none reuses what another
     compiled (on JAX, whose cohorts are 32-bit, both skdeep searches fit one
     candidate at a time, and the second would otherwise find the first's engines).
W2-up  W2 with float32 data behind a Pipeline step that makes it float64
     (``FunctionTransformer``): the search sees groupable fits, but on JAX the
     network's own fit is one no cohort takes, and is left to scikit-learn's
     pass; each search starts from skdeep.clear_cache(), as W2-64.
W2d  The mission's grid: 3 hidden sizes x 2 dropout rates (0, 0.2), otherwise
     as W2; scikit-learn's MLP has no dropout and searches sizes x alpha.
MISSION  The mission's workflow as a user runs it: digits, Pipeline with a
     scaler, early stopping, 4 sizes x 3 dropout rates, 5 folds (scikit-learn's
     MLP: 4 sizes x 3 alphas).
BC   A typical first search in a fresh process: breast cancer, Pipeline
     (StandardScaler, MLP with early stopping), 3 sizes x 2 alphas x 3 folds;
     each library in its own new Python process, import included.
NETS  The issue's CNN and RNN grids: skdeep.model_selection.GridSearchCV
     against scikit-learn's GridSearchCV over the same estimators, warm
     process.  CNN: digits (8x8 images), default network, filters (8 or 16)
     x dropout (0, 0.2) x 5 folds, 20 epochs.  RNN: Japanese Vowels (ragged
     series), units (16 or 32) x dropout (0, 0.2) x 5 folds, 30 epochs.
     Neither joins a cohort; they train side by side, one per core.
REFIT  Refit at the cross-validated epoch (``refit_epochs='median'``) against
     scikit-learn's refit with a new validation split, on breast cancer:
     test accuracy and log-loss over 10 stratified train/test splits.

Run ``python benchmarks/bench_search.py`` (``--quick``: 1 repeat, 4 refit splits;
``--only W2,NETS``: those sections).
"""

import statistics
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

from _common import table, versions  # noqa: E402
from sklearn.datasets import load_breast_cancer, make_classification  # noqa: E402
from sklearn.metrics import accuracy_score, log_loss  # noqa: E402
from sklearn.model_selection import GridSearchCV as SkGridSearchCV  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLP  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, StandardScaler  # noqa: E402

import skdeep  # noqa: E402
from skdeep import MLPClassifier  # noqa: E402
from skdeep.model_selection import GridSearchCV  # noqa: E402

QUICK = "--quick" in sys.argv


def _float64(X):
    """W2-up's pipeline step."""
    return np.asarray(X, dtype=np.float64)


def w2(repeats, second="alpha", dtype=np.float32, upcast=False):
    """W2 (sizes x alpha) or W2d (sizes x dropout; scikit-learn's MLP has no
    dropout, so it searches sizes x alpha, a grid of the same size); W2-64 is
    W2 on float64 data, which the drop-in MLPs compute in (as a DataFrame's);
    W2-up (``upcast``) W2 behind a pipeline step that makes the data float64."""
    X, y = make_classification(2000, 20, n_informative=10, random_state=0)
    X = X.astype(dtype)

    def wrap(model):
        return make_pipeline(FunctionTransformer(_float64), model) if upcast else model

    common = dict(max_iter=30, random_state=0, tol=0.0, n_iter_no_change=1000)
    MLPClassifier(max_iter=1).fit(X[:50], y[:50])  # Keras import and start-up, once
    times = {"grouped": [], "sk_search": [], "sk_mlp": []}
    values = {"alpha": [1e-4, 1e-2], "dropout": [0.0, 0.2]}[second]
    for r in range(repeats):
        sizes = [(16 + r,), (64 + r,), (64 + r, 32 + r)]
        grid = {"hidden_layer_sizes": sizes, second: values}
        sk_grid = {"hidden_layer_sizes": sizes, "alpha": [1e-4, 1e-2]}
        if upcast:  # the pipeline's parameters: its last step's, prefixed
            grid = {f"mlpclassifier__{k}": v for k, v in grid.items()}
            sk_grid = {f"mlpclassifier__{k}": v for k, v in sk_grid.items()}
        for name, make in [
            ("grouped", lambda: GridSearchCV(wrap(MLPClassifier(**common)), grid, cv=5)),
            ("sk_search", lambda: SkGridSearchCV(wrap(MLPClassifier(**common)), grid, cv=5)),
            ("sk_mlp", lambda: SkGridSearchCV(wrap(SkMLP(**common)), sk_grid, cv=5)),
        ]:
            if dtype == np.float64 or upcast:  # each search compiles what it uses (W2-64)
                skdeep.clear_cache()
            start = time.perf_counter()
            search = make().fit(X, y)
            times[name].append((time.perf_counter() - start, search.best_score_))
    med = {k: statistics.median(t for t, _ in v) for k, v in times.items()}
    rows = [
        ["skdeep.model_selection.GridSearchCV + skdeep MLP", f"{med['grouped']:.2f}",
         f"{med['grouped'] / med['sk_mlp']:.2f}",
         f"{med['grouped'] / med['sk_search']:.2f}", f"{times['grouped'][-1][1]:.4f}"],
        ["sklearn GridSearchCV + skdeep MLP", f"{med['sk_search']:.2f}",
         f"{med['sk_search'] / med['sk_mlp']:.2f}", "1.00", f"{times['sk_search'][-1][1]:.4f}"],
        ["sklearn GridSearchCV + sklearn MLP (sizes x alpha)", f"{med['sk_mlp']:.2f}", "1.00",
         "", f"{times['sk_mlp'][-1][1]:.4f}"],
    ]
    label = ("W2" if second == "alpha" else "W2d") + ("-64" if dtype == np.float64 else "")
    label += "-up" if upcast else ""
    print(f"### {label}: {np.dtype(dtype).name} data, 3 sizes x 2 {second} values x 5 folds, "
          f"30 epochs, fresh architectures (seconds, median of {repeats})\n")
    table(["search", "time", "/ sklearn MLP", "/ ungrouped skdeep", "best CV accuracy"], rows)


def mission(repeats):
    """The mission's workflow as a user runs it: digits, Pipeline(StandardScaler,
    MLP with early stopping), 4 hidden sizes x 3 dropout rates, 5 folds."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    common = dict(early_stopping=True, n_iter_no_change=10, max_iter=200, random_state=0)
    sizes = [(32,), (64,), (128,), (64, 32)]
    grid = {"mlpclassifier__hidden_layer_sizes": sizes,
            "mlpclassifier__dropout": [0.0, 0.1, 0.3]}
    sk_grid = {"mlpclassifier__hidden_layer_sizes": sizes,
               "mlpclassifier__alpha": [1e-4, 1e-3, 1e-2]}
    times = {"grouped": [], "sk_search": [], "sk_mlp": []}
    for _ in range(repeats):
        for name, make in [
            ("grouped", lambda: GridSearchCV(
                make_pipeline(StandardScaler(), MLPClassifier(**common)), grid, cv=5)),
            ("sk_search", lambda: SkGridSearchCV(
                make_pipeline(StandardScaler(), MLPClassifier(**common)), grid, cv=5)),
            ("sk_mlp", lambda: SkGridSearchCV(
                make_pipeline(StandardScaler(), SkMLP(**common)), sk_grid, cv=5)),
        ]:
            start = time.perf_counter()
            search = make().fit(X, y)
            times[name].append((time.perf_counter() - start, search.best_score_))
    med = {k: statistics.median(t for t, _ in v) for k, v in times.items()}
    rows = [[label, f"{med[k]:.1f}", f"{med[k] / med['sk_mlp']:.2f}",
             f"{times[k][-1][1]:.4f}"] for k, label in [
        ("grouped", "skdeep.model_selection.GridSearchCV + skdeep MLP (sizes x dropout)"),
        ("sk_search", "sklearn GridSearchCV + skdeep MLP (sizes x dropout)"),
        ("sk_mlp", "sklearn GridSearchCV + sklearn MLP (sizes x alpha)")]]
    print(f"### MISSION: digits (1,797 rows), Pipeline + early stopping, 12 candidates x 5 "
          f"folds (seconds, median of {repeats})\n")
    table(["search", "time", "/ sklearn MLP", "best CV accuracy"], rows)


FRESH = textwrap.dedent("""
    import time, warnings
    start = time.perf_counter()
    warnings.filterwarnings("ignore")
    from sklearn.datasets import load_breast_cancer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    {imports}
    X, y = load_breast_cancer(return_X_y=True)
    grid = {{"mlpclassifier__hidden_layer_sizes": [(10,), (50,), (100,)],
            "mlpclassifier__alpha": [1e-4, 1e-2]}}
    pipe = make_pipeline(StandardScaler(), MLPClassifier(early_stopping=True, random_state=0))
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    print(time.perf_counter() - start, search.best_score_)
""")


def fresh_process(repeats):
    runs = {
        "skdeep (grouped search)": "from skdeep import MLPClassifier\n"
                                   "from skdeep.model_selection import GridSearchCV",
        "skdeep (sklearn's search)": "from skdeep import MLPClassifier\n"
                                     "from sklearn.model_selection import GridSearchCV",
        "sklearn MLP": "from sklearn.neural_network import MLPClassifier\n"
                       "from sklearn.model_selection import GridSearchCV",
    }
    results = {}
    for name, imports in runs.items():
        code = FRESH.format(imports=textwrap.indent(imports, "").replace("\n", "\n"))
        out = []
        for _ in range(repeats):
            start = time.perf_counter()
            line = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout.split()
            out.append((time.perf_counter() - start, float(line[0]), float(line[1])))
        results[name] = out
    base = statistics.median(t for t, _, _ in results["sklearn MLP"])
    rows = []
    for name, out in results.items():
        wall = statistics.median(t for t, _, _ in out)
        inner = statistics.median(t for _, t, _ in out)
        rows.append([name, f"{wall:.2f}", f"{inner:.2f}", f"{wall / base:.2f}",
                     f"{out[-1][2]:.4f}"])
    print(f"### BC: first search in a fresh process (breast cancer, 6 candidates x 3 folds, "
          f"early stopping; seconds, median of {repeats})\n")
    table(["library", "process wall time", "imports + search", "wall / sklearn",
           "best CV accuracy"],
          rows)


def networks(repeats):
    """NETS: CNN and RNN grids, trained side by side against scikit-learn's search."""
    from sklearn.datasets import load_digits

    from skdeep import CNNClassifier, RNNSequenceClassifier
    from skdeep.datasets import load_japanese_vowels

    digits = load_digits()
    X_img = (digits.data / 16.0).reshape(-1, 8, 8, 1)
    X_seq, y_seq = load_japanese_vowels()[:2]
    cases = [
        ("CNN, digits: filters x dropout", CNNClassifier(max_iter=20, random_state=0),
         {"filters": [(8,), (16,)], "dropout": [0.0, 0.2]}, X_img, digits.target),
        ("RNN, Japanese Vowels: units x dropout", RNNSequenceClassifier(max_iter=30,
                                                                        random_state=0),
         {"units": [16, 32], "dropout": [0.0, 0.2]}, X_seq, y_seq),
    ]
    rows = []
    for label, est, grid, X, y in cases:
        SkGridSearchCV(est, {"dropout": [0.1]}, cv=2).fit(X, y)  # start-up, once
        times = {"ours": [], "theirs": []}
        for _ in range(repeats):
            for name, cls in [("ours", GridSearchCV), ("theirs", SkGridSearchCV)]:
                start = time.perf_counter()
                search = cls(est, grid, cv=5).fit(X, y)
                times[name].append((time.perf_counter() - start, search.best_score_))
        ours = statistics.median(t for t, _ in times["ours"])
        theirs = statistics.median(t for t, _ in times["theirs"])
        rows.append([label, f"{ours:.2f}", f"{theirs:.2f}", f"{ours / theirs:.2f}",
                     f"{times['ours'][-1][1]:.4f} / {times['theirs'][-1][1]:.4f}"])
    print(f"### NETS: CNN and RNN grids, 4 candidates x 5 folds, warm process (seconds, median "
          f"of {repeats})\n")
    table(["grid", "skdeep GridSearchCV", "sklearn GridSearchCV", "ratio",
           "best CV accuracy (ours / theirs)"], rows)


def refit_at_cv_epoch(n_splits):
    X, y = load_breast_cancer(return_X_y=True)
    grid = {"mlpclassifier__hidden_layer_sizes": [(10,), (50,)],
            "mlpclassifier__alpha": [1e-4, 1e-2]}
    scores = {"sklearn's refit (new validation split)": [], "refit_epochs='median'": []}
    epochs = []
    for seed in range(n_splits):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y,
                                                  random_state=seed)
        pipe = make_pipeline(StandardScaler(),
                             MLPClassifier(early_stopping=True, random_state=seed))
        for name, refit_epochs in [("sklearn's refit (new validation split)", None),
                                   ("refit_epochs='median'", "median")]:
            search = GridSearchCV(pipe, grid, cv=5, refit_epochs=refit_epochs).fit(X_tr, y_tr)
            proba = search.predict_proba(X_te)
            scores[name].append((accuracy_score(y_te, proba.argmax(1)), log_loss(y_te, proba)))
            if refit_epochs:
                epochs.append(search.refit_epochs_)
    rows = []
    for name, values in scores.items():
        acc, ll = np.array(values).T
        rows.append([name, f"{acc.mean():.4f} ± {acc.std():.4f}",
                     f"{ll.mean():.4f} ± {ll.std():.4f}"])
    print(f"### REFIT: refit at the cross-validated epoch, breast cancer, {n_splits} stratified "
          f"70/30 splits (mean ± sd; refit epochs {min(epochs)}-{max(epochs)})\n")
    table(["refit", "test accuracy", "test log-loss"], rows)


if __name__ == "__main__":
    print(versions() + "\n")
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else None
    sections = {
        "W2": lambda: w2(1 if QUICK else 3),
        "W2d": lambda: w2(1 if QUICK else 3, "dropout"),
        "W2-64": lambda: w2(1 if QUICK else 3, dtype=np.float64),
        "W2-up": lambda: w2(1 if QUICK else 3, upcast=True),
        "MISSION": lambda: mission(1),
        "NETS": lambda: networks(1 if QUICK else 3),
        "BC": lambda: fresh_process(1 if QUICK else 3),
        "REFIT": lambda: refit_at_cv_epoch(4 if QUICK else 10),
    }
    for name, run in sections.items():
        if only is None or name in only:
            run()
