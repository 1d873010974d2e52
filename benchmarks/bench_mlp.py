"""MLP benchmarks: skdeep against scikit-learn's MLP, plain Keras and scikeras.

W1  one fit, 2000x20 binary data, hidden (64,), Adam, 50 epochs, batch 200 and 32,
    in a process that has already fitted once (tracing of a *new* architecture
    is measured separately).
W2  GridSearchCV, 3 hidden sizes x 2 alphas x 5 folds, 30 epochs, on W1 data;
    W2d the same with 2 dropout rates instead of alphas (skdeep, scikeras).
P   predict latency, 2000 rows and 1 row; Monte-Carlo dropout (100 passes).
M   resident memory growth over 50 sequential fits of one architecture, and over
    120 fits of 120 different architectures (a long random search), before and
    after ``skdeep.clear_cache()``.

Run ``python benchmarks/bench_mlp.py`` (``--quick`` skips the slow peers in W2).
"""

import argparse
import gc
import os
import resource
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import fmt, table, timed, versions  # noqa: E402

warnings.simplefilter("ignore")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.datasets import make_classification  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLP  # noqa: E402

from skdeep import MLPClassifier  # noqa: E402
from skdeep._backend import load  # noqa: E402

tf, keras = load()

X, y = make_classification(n_samples=2000, n_features=20, n_informative=10, random_state=0)
X = X.astype(np.float32)


def keras_model(hidden=(64,), alpha=0.0, dropout=0.0):
    reg = keras.regularizers.l2(alpha / 2) if alpha else None
    inputs = keras.Input((20,))
    h = inputs
    for units in hidden:
        h = keras.layers.Dense(units, activation="relu", kernel_regularizer=reg)(h)
        if dropout:
            h = keras.layers.Dropout(dropout)(h)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="binary_crossentropy")
    return model


def plain_keras_fit(epochs, batch_size):
    model = keras_model()
    model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return float(np.mean((model.predict(X, verbose=0).ravel() > 0.5) == y))


def scikeras_classifier(epochs, batch_size):
    from scikeras.wrappers import KerasClassifier

    def build(hidden=(64,), alpha=0.0, dropout=0.0):
        return keras_model(hidden, alpha, dropout)

    return KerasClassifier(model=build, epochs=epochs, batch_size=batch_size, verbose=0,
                           random_state=0, model__hidden=(64,), model__alpha=0.0,
                           model__dropout=0.0)


def w1(quick):
    rows = []
    for batch_size in (200, 32):
        common = dict(hidden_layer_sizes=(64,), max_iter=50, batch_size=batch_size,
                      random_state=0, tol=0.0, n_iter_no_change=1000)
        ours = MLPClassifier(**common)
        ours.fit(X, y)  # warm: the architecture is traced once per process
        t_ours, fitted = timed(lambda: ours.fit(X, y), 5)
        acc_ours = fitted.score(X, y)
        theirs = SkMLP(**common)
        t_sk, fitted = timed(lambda: theirs.fit(X, y), 5)
        acc_sk = fitted.score(X, y)
        rows.append([f"batch {batch_size}", "skdeep", fmt(t_ours), "1.00", f"{acc_ours:.3f}"])
        rows.append(["", "sklearn MLP", fmt(t_sk), f"{t_sk[0] / t_ours[0]:.2f}", f"{acc_sk:.3f}"])
        t_k, acc_k = timed(lambda: plain_keras_fit(50, batch_size), 3)
        rows.append(["", "plain Keras fit", fmt(t_k), f"{t_k[0] / t_ours[0]:.2f}", f"{acc_k:.3f}"])
        if not quick:
            try:
                sk = scikeras_classifier(50, batch_size)
                t_s, fitted = timed(lambda: sk.fit(X, y), 3)
                rows.append(["", "scikeras", fmt(t_s), f"{t_s[0] / t_ours[0]:.2f}",
                             f"{fitted.score(X, y):.3f}"])
            except Exception as exc:  # noqa: BLE001 - report a broken peer
                rows.append(["", "scikeras", f"failed: {type(exc).__name__}", "", ""])
    print("### W1: one fit, 2000x20, hidden (64,), Adam, 50 epochs (seconds, median of repeats)\n")
    table(["workload", "library", "fit time (min-max)", "time / skdeep", "train accuracy"], rows)

    # what a new architecture costs once per process
    new = MLPClassifier(hidden_layer_sizes=(63,), max_iter=50, random_state=0, tol=0.0,
                        n_iter_no_change=1000)
    t_new, _ = timed(lambda: new.fit(X, y), 1)
    print(f"A first fit of a new architecture (tracing included): {t_new[0]:.2f} s\n")


def w2(quick):
    grid = {"hidden_layer_sizes": [(16,), (64,), (64, 32)], "alpha": [1e-4, 1e-2]}
    common = dict(max_iter=30, random_state=0, tol=0.0, n_iter_no_change=1000)
    rows = []
    for n_jobs in (1, 2):
        t_ours, g = timed(lambda: GridSearchCV(MLPClassifier(**common), grid, cv=5,
                                               n_jobs=n_jobs).fit(X, y), 1)
        rows.append([n_jobs, "skdeep", f"{t_ours[0]:.1f}", "1.00", f"{g.best_score_:.3f}"])
        t_sk, g = timed(lambda: GridSearchCV(SkMLP(**common), grid, cv=5,
                                             n_jobs=n_jobs).fit(X, y), 1)
        rows.append(["", "sklearn MLP", f"{t_sk[0]:.1f}", f"{t_sk[0] / t_ours[0]:.2f}",
                     f"{g.best_score_:.3f}"])
        if not quick and n_jobs == 1:
            try:
                sk = scikeras_classifier(30, 200)
                sgrid = {"model__hidden": grid["hidden_layer_sizes"], "model__alpha": grid["alpha"]}
                t_s, g = timed(lambda: GridSearchCV(sk, sgrid, cv=5, n_jobs=n_jobs).fit(X, y), 1)
                rows.append(["", "scikeras", f"{t_s[0]:.1f}", f"{t_s[0] / t_ours[0]:.2f}",
                             f"{g.best_score_:.3f}"])
            except Exception as exc:  # noqa: BLE001
                rows.append(["", "scikeras", f"failed: {type(exc).__name__}: {exc}"[:80], "", ""])
    print("### W2: GridSearchCV, 6 configurations x 5 folds, 30 epochs "
          "(seconds, fresh architectures)\n")
    table(["n_jobs", "library", "search time", "time / skdeep", "best CV accuracy"], rows)


def w2_dropout(quick):
    sizes, rates = [(16,), (64,), (64, 32)], [0.1, 0.3]
    common = dict(max_iter=30, random_state=0, tol=0.0, n_iter_no_change=1000)
    search = GridSearchCV(MLPClassifier(**common),
                          {"hidden_layer_sizes": sizes, "dropout": rates}, cv=5)
    t_ours, g = timed(lambda: search.fit(X, y), 1)
    rows = [["skdeep (dropout)", f"{t_ours[0]:.1f}", "1.00", f"{g.best_score_:.3f}"]]
    if not quick:
        try:
            sk = scikeras_classifier(30, 200)
            sgrid = {"model__hidden": sizes, "model__dropout": rates}
            t_s, g = timed(lambda: GridSearchCV(sk, sgrid, cv=5).fit(X, y), 1)
            rows.append(["scikeras (Dropout layers)", f"{t_s[0]:.1f}", f"{t_s[0] / t_ours[0]:.2f}",
                         f"{g.best_score_:.3f}"])
        except Exception as exc:  # noqa: BLE001
            rows.append(["scikeras", f"failed: {type(exc).__name__}: {exc}"[:80], "", ""])
    print("### W2d: GridSearchCV, 3 hidden sizes x 2 dropout rates x 5 folds, 30 epochs, n_jobs=1 "
          "(seconds; skdeep compiles once per hidden size)\n")
    table(["library", "search time", "time / skdeep", "best CV accuracy"], rows)


def predict_latency():
    common = dict(hidden_layer_sizes=(64,), max_iter=5, random_state=0)
    ours, theirs = MLPClassifier(**common).fit(X, y), SkMLP(**common).fit(X, y)
    keras_m = keras_model()
    rows = []
    for label, data, reps in (("2000 rows", X, 50), ("1 row", X[:1], 200)):
        ours.predict_proba(data)
        t_o, _ = timed(lambda: ours.predict_proba(data), reps)
        t_s, _ = timed(lambda: theirs.predict_proba(data), reps)
        t_k, _ = timed(lambda: keras_m.predict(data, verbose=0), min(reps, 20))
        rows.append([label, f"{t_o[0] * 1e3:.2f}", f"{t_s[0] * 1e3:.2f}", f"{t_k[0] * 1e3:.1f}",
                     f"{t_o[0] / t_s[0]:.1f}"])
    print("### Predict latency (milliseconds, median)\n")
    table(["input", "skdeep predict_proba", "sklearn predict_proba", "Keras model.predict",
           "skdeep / sklearn"], rows)

    # Monte-Carlo dropout: 100 stochastic passes over 2000 rows
    mc = MLPClassifier(hidden_layer_sizes=(64,), dropout=0.2, mc_samples=100, max_iter=5,
                       random_state=0).fit(X, y)
    mc.predict_proba(X, return_std=True)
    t_mc, _ = timed(lambda: mc.predict_proba(X, return_std=True), 10)
    dropout_model = keras_model(dropout=0.2)
    dropout_model(X[:1], training=True)

    def keras_loop():
        return np.stack([dropout_model(X, training=True).numpy() for _ in range(100)])

    keras_loop()
    t_loop, _ = timed(keras_loop, 5)
    t_pred, _ = timed(lambda: [dropout_model.predict(X, verbose=0) for _ in range(3)], 1)
    print("### Monte-Carlo dropout: 100 passes over 2000 rows (milliseconds, median)\n")
    table(["method", "time", "time / skdeep"], [
        ["skdeep predict_proba(return_std=True)", f"{t_mc[0] * 1e3:.1f}", "1.00"],
        ["loop of model(X, training=True)", f"{t_loop[0] * 1e3:.1f}", f"{t_loop[0] / t_mc[0]:.1f}"],
        ["loop of model.predict (projected from 3)", f"{t_pred[0] / 3 * 100 * 1e3:.0f}",
         f"{t_pred[0] / 3 * 100 / t_mc[0]:.0f}"],
    ])


def memory():
    def rss_mb():
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    est = MLPClassifier(hidden_layer_sizes=(64,), max_iter=10, random_state=0)
    for _ in range(5):
        est.fit(X, y)
    gc.collect()
    before = rss_mb()
    for i in range(50):
        MLPClassifier(hidden_layer_sizes=(64,), max_iter=10, random_state=i).fit(X, y).predict(X)
    gc.collect()
    after = rss_mb()
    print(f"### Memory: RSS {before:.0f} MB before, {after:.0f} MB after 50 fits "
          f"(growth {after - before:+.1f} MB)\n")
    # a long random search: every fit a new architecture (a new compiled engine)
    import skdeep

    small = X[:300], y[:300]
    marks = {}
    start = rss_mb()
    for i in range(120):
        MLPClassifier(hidden_layer_sizes=(8 + i,), max_iter=2, random_state=0).fit(*small)
        if (i + 1) % 40 == 0:
            gc.collect()
            marks[i + 1] = rss_mb() - start
    skdeep.clear_cache()
    cleared = rss_mb() - start
    print("### Memory over new architectures: RSS growth after "
          + ", ".join(f"{k} fits {v:+.0f} MB" for k, v in marks.items())
          + f"; after clear_cache {cleared:+.0f} MB\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip scikeras (slow)")
    args = parser.parse_args()
    print(f"_{versions()}_\n")
    w1(args.quick)
    w2(args.quick)
    w2_dropout(args.quick)
    predict_latency()
    memory()


if __name__ == "__main__":
    main()
