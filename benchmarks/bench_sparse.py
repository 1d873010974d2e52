"""Sparse input: memory and time of fit and predict on a 2000 x 20000 CSR matrix.

The matrix has 0.1 % of its entries set (40,000 values, 0.5 MB); a bag of words
or one-hot codes look like this.  Each row of the table runs in a fresh
process: the peak resident memory that fit (or predict) adds to a process that
has already fitted once, and the median time of 3 fits (20 epochs, hidden (64,),
Adam, batch 200) and of 3 predictions of the 2000 rows (measured in a process of its own, with a
model of the same size).  The data themselves (0.5 MB sparse, 320 MB as
``toarray()``) are made before the measurement starts.

* skdeep on the TensorFlow and on the JAX engine, keeping the rows sparse
  (each minibatch's rows are gathered from the CSR arrays inside the compiled
  epoch and multiplied by the first kernel as a sparse product);
* the same networks on ``X.toarray()`` (what skdeep did before: 320 MB of
  float64, plus TensorFlow's copy);
* scikit-learn's ``MLPClassifier`` on the sparse matrix.

Run ``python benchmarks/bench_sparse.py``.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from _common import table, versions  # noqa: E402

CHILD = r"""
import json, os, statistics, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np, scipy.sparse as sp
which, dense, mode = sys.argv[1], sys.argv[2] == "dense", sys.argv[3]
rng = np.random.default_rng(0)
X = sp.random(2000, 20000, density=0.001, format="csr", random_state=0)
y = (X @ rng.normal(size=20000) > 0).astype(int)
if which == "sklearn":
    from sklearn.neural_network import MLPClassifier
else:
    from skdeep import MLPClassifier
make = lambda: MLPClassifier(hidden_layer_sizes=(64,), max_iter=20, random_state=0)
small = sp.random(50, 20000, density=0.001, format="csr", random_state=1)
warm = small.toarray() if dense else small
make().fit(warm, np.arange(50) % 2)  # imports, first trace of the engine kind

def status(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1]) / 1024

def rss():
    # the peak so far (imports, making the data) must not count: Linux resets
    # the high-water mark VmHWM to the current RSS on "5" > clear_refs
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return status("VmRSS")

def peak():
    return status("VmHWM")

if mode == "predict":  # a model of the same size, fitted on a few rows
    clf = make().fit(X[:200].toarray() if dense else X[:200], y[:200])
data = X.toarray() if dense else X
base = rss()
times = []
for _ in range(3):
    t = time.perf_counter()
    if mode == "fit":
        clf = make().fit(data, y)
    else:
        clf.predict_proba(data)
    times.append(time.perf_counter() - t)
print(json.dumps({"s": statistics.median(times), "mb": peak() - base,
                  "acc": float(clf.score(data, y))}))
"""


def run(which, dense, backend):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    result = {}
    for mode in ("fit", "predict"):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, which, "dense" if dense else "sparse", mode],
            capture_output=True, text=True, env=env, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        result[f"{mode}_s"], result[f"{mode}_mb"] = r["s"], r["mb"]
        if mode == "fit":
            result["train_acc"] = r["acc"]
    return result


def main():
    print(f"_{versions()}_\n")
    print("### Sparse input: 2000 x 20000 CSR, 0.1 % dense, hidden (64,), 20 epochs\n")
    cases = [
        ("scikit-learn MLPClassifier (sparse)", "sklearn", False, "tensorflow"),
        ("skdeep, TensorFlow engine, sparse rows", "skdeep", False, "tensorflow"),
        ("skdeep, TensorFlow engine, X.toarray()", "skdeep", True, "tensorflow"),
        ("skdeep, JAX engine, sparse rows", "skdeep", False, "jax"),
        ("skdeep, JAX engine, X.toarray()", "skdeep", True, "jax"),
    ]
    results = [(name, run(which, dense, backend)) for name, which, dense, backend in cases]
    ref = results[0][1]
    rows = []
    for name, r in results:
        rows.append([name, f"{r['fit_s']:.2f}", f"{r['fit_s'] / ref['fit_s']:.2f}",
                     f"{r['predict_s'] * 1e3:.1f}", f"{max(r['fit_mb'], 0):.0f}",
                     f"{max(r['predict_mb'], 0):.0f}", f"{r['train_acc']:.3f}"])
    table(["", "fit s (median of 3)", "ratio to sklearn", "predict ms", "fit: peak RSS added MB",
           "predict: peak RSS added MB", "train accuracy"], rows)


if __name__ == "__main__":
    main()
