"""skdeep on Keras' TensorFlow backend against skdeep on JAX, and scikit-learn.

Keras picks its backend once per process, so each skdeep backend runs the
same workloads in a child process (``--child tensorflow|jax``) and this script
prints one table with scikit-learn measured in the same run:

W1   one fit, 2000x20, hidden (64,), Adam, 50 epochs, batch 200 and 32 (warm);
new  the first fit of an architecture the process has not compiled;
W2   GridSearchCV, 3 hidden sizes x 2 alphas x 5 folds, 30 epochs, n_jobs=1 and 2
     (each of the 2 worker processes starts the backend and compiles its own);
W2d  the same with 2 dropout rates instead of alphas;
P    predict_proba on 2000 rows with dropout (compiled model, not NumPy) and
     100 Monte-Carlo passes over 2000 rows.

Run ``python benchmarks/bench_backends.py`` (needs ``pip install jax``).
"""

import argparse
import json
import os
import subprocess
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import table, timed, versions  # noqa: E402

warnings.simplefilter("ignore")


def data():
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, random_state=0)
    return X.astype(np.float32), y


GRID = {"hidden_layer_sizes": [(16,), (64,), (64, 32)], "alpha": [1e-4, 1e-2]}
GRID_DROPOUT = {"hidden_layer_sizes": [(16,), (64,), (64, 32)], "dropout": [0.1, 0.3]}
COMMON = dict(max_iter=30, random_state=0, tol=0.0, n_iter_no_change=1000)


def workloads(Estimator, dropout_too):
    """Time every workload with ``Estimator``; return {name: (median, min, max)}."""
    from sklearn.model_selection import GridSearchCV

    X, y = data()
    out, scores = {}, {}
    for batch in (200, 32):
        est = Estimator(hidden_layer_sizes=(64,), max_iter=50, batch_size=batch, random_state=0,
                        tol=0.0, n_iter_no_change=1000)
        est.fit(X, y)
        out[f"W1 batch {batch}"], fitted = timed(lambda: est.fit(X, y), 5)
        scores[f"W1 batch {batch}"] = fitted.score(X, y)
    new = Estimator(hidden_layer_sizes=(63,), max_iter=50, random_state=0, tol=0.0,
                    n_iter_no_change=1000)
    out["new architecture, first fit"], _ = timed(lambda: new.fit(X, y), 1)
    out["W2"], g = timed(lambda: GridSearchCV(Estimator(**COMMON), GRID, cv=5).fit(X, y), 1)
    scores["W2"] = g.best_score_
    out["W2 n_jobs=2"], g = timed(
        lambda: GridSearchCV(Estimator(**COMMON), GRID, cv=5, n_jobs=2).fit(X, y), 1
    )
    if dropout_too:
        out["W2d"], g = timed(
            lambda: GridSearchCV(Estimator(**COMMON), GRID_DROPOUT, cv=5).fit(X, y), 1
        )
        scores["W2d"] = g.best_score_
        from skdeep._estimators import mlp as _mlp

        _mlp.NUMPY_PREDICT_LIMIT = 0  # time the compiled model
        clf = Estimator(hidden_layer_sizes=(64,), dropout=0.2, mc_samples=100, max_iter=5,
                        random_state=0).fit(X, y)
        clf.predict_proba(X)
        out["predict_proba 2000 rows (ms)"], _ = timed(lambda: clf.predict_proba(X), 50)
        clf.predict_proba(X, return_std=True)
        out["MC dropout 100 x 2000 rows (ms)"], _ = timed(
            lambda: clf.predict_proba(X, return_std=True), 10
        )
    return out, scores


def child(expected):
    from skdeep import MLPClassifier
    from skdeep._backend import backend

    MLPClassifier(hidden_layer_sizes=(8,), max_iter=2).fit(*data())  # import + start-up
    assert backend() == expected, backend()
    times, scores = workloads(MLPClassifier, dropout_too=True)
    print(json.dumps({"times": times, "scores": scores}))


def run_child(backend):
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run([sys.executable, __file__, "--child", backend], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr.strip().splitlines()[-1:]
    return json.loads(result.stdout.strip().splitlines()[-1]), None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["tensorflow", "jax"], help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="(accepted for make bench)")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from sklearn.neural_network import MLPClassifier as SkMLP

    print(f"_{versions()}_\n")
    sk_times, sk_scores = workloads(SkMLP, dropout_too=False)
    results = {name: run_child(name) for name in ("tensorflow", "jax")}
    rows = []
    for work, sk in sk_times.items():
        ms = "(ms)" in work
        scale = 1e3 if ms else 1.0
        row = [work, f"{sk[0] * scale:.3f}"]
        for name in ("tensorflow", "jax"):
            res, _ = results[name]
            t = res["times"].get(work) if res else None
            row.append(f"{t[0] * scale:.3f} ({t[0] / sk[0]:.2f}x)" if t else "--")
        rows.append(row)
    for work in ("W2d", "predict_proba 2000 rows (ms)", "MC dropout 100 x 2000 rows (ms)"):
        ms = "(ms)" in work
        row = [work, "--"]
        for name in ("tensorflow", "jax"):
            res, _ = results[name]
            t = res["times"].get(work) if res else None
            row.append((f"{t[0] * 1e3:.2f}" if ms else f"{t[0]:.2f}") if t else "--")
        rows.append(row)
    print("### skdeep on TensorFlow and on JAX, against scikit-learn's MLP "
          "(seconds unless marked; median of repeats; ratio to scikit-learn)\n")
    table(["workload", "sklearn MLP", "skdeep, TensorFlow", "skdeep, JAX"], rows)
    for name in ("tensorflow", "jax"):
        res, err = results[name]
        if res is None:
            print(f"skdeep on {name} failed: {err}\n")
    accuracy = [[w, f"{sk_scores[w]:.3f}" if w in sk_scores else "--"]
                + [f"{results[n][0]['scores'][w]:.3f}" if results[n][0] else "--"
                   for n in ("tensorflow", "jax")] for w in ("W1 batch 200", "W1 batch 32",
                                                               "W2", "W2d")]
    print("Accuracy (train accuracy for W1, best CV accuracy for W2/W2d):\n")
    table(["workload", "sklearn MLP", "skdeep, TensorFlow", "skdeep, JAX"], accuracy)


if __name__ == "__main__":
    main()
