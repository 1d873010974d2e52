"""Compute threads on a small machine: skdeep's default against the backends' own.

On a machine of at most two cores skdeep starts TensorFlow with one intra-op
thread (its inter-op pool still runs independent operations side by side) and
XLA with single-threaded Eigen (``skdeep._backend.thread_defaults``); the
backends' own defaults give every operation a thread per core.  This runs the
same workloads in fresh processes under both settings, alternating, and prints
each workload's median time and the ratio:

W1      MLPClassifier (64,), 2000 x 20, batch 200, 50 epochs
W3s     MLPClassifier (256, 128), 20,000 x 100 float32, batch 256, 3 epochs
CNN     CNNClassifier (default network) on digits 8x8, 10 epochs
RNN     RNNSequenceClassifier (default) on 300 series x 30 steps x 12, 10 epochs
TAB-S   TabularMLPRegressor (defaults: 100 epochs), 412 x 30
TAB-L   TabularMLPRegressor, 5000 x 30, 40 epochs
W2      skdeep.model_selection.GridSearchCV, 3 sizes x 2 alphas x 5 folds,
        30 epochs, 2000 x 20 (grouped; warm: the repeat reuses the programs)

Each process fits every workload once to warm up, then three times (median).
On a machine of more than two cores both settings are the backends' own, and
the script says so.

Run ``python benchmarks/bench_threads.py [--repeats 3]`` (and with
``KERAS_BACKEND=jax``).
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

import numpy as np

from _common import table, versions

WORKLOADS = ("W1", "W3s", "CNN", "RNN", "TAB-S", "TAB-L", "W2")


def _workloads():
    from sklearn.datasets import load_digits

    from skdeep import CNNClassifier, MLPClassifier, RNNSequenceClassifier, TabularMLPRegressor
    from skdeep.model_selection import GridSearchCV

    rng = np.random.default_rng(0)
    big = rng.normal(size=(20000, 100)).astype(np.float32)
    big_y = (big[:, 0] + big[:, 1] > 0).astype(int)
    small, small_y = big[:2000, :20].astype(np.float64), big_y[:2000]
    digits = load_digits()
    images = digits.images[..., None] / 16.0
    series = rng.normal(size=(300, 30, 12)).astype(np.float32)
    series_y = (series[:, :, 0].mean(axis=1) > 0).astype(int)
    table_s = rng.normal(size=(412, 30))
    table_l = rng.normal(size=(5000, 30))
    grid = {"hidden_layer_sizes": [(16,), (32,), (64,)], "alpha": [1e-4, 1e-2]}
    return {
        "W1": lambda: MLPClassifier((64,), max_iter=50, random_state=0).fit(small, small_y),
        "W3s": lambda: MLPClassifier((256, 128), batch_size=256, max_iter=3,
                                     random_state=0).fit(big, big_y),
        "CNN": lambda: CNNClassifier(max_iter=10, random_state=0).fit(images, digits.target),
        "RNN": lambda: RNNSequenceClassifier(max_iter=10, random_state=0).fit(series, series_y),
        "TAB-S": lambda: TabularMLPRegressor(random_state=0).fit(
            table_s, table_s[:, 0] + rng.normal(size=412)),
        "TAB-L": lambda: TabularMLPRegressor(max_iter=40, random_state=0).fit(
            table_l, table_l[:, 0] + rng.normal(size=5000)),
        "W2": lambda: GridSearchCV(MLPClassifier(max_iter=30, random_state=0), grid,
                                   cv=5).fit(small, small_y),
    }


def child():
    warnings.simplefilter("ignore")
    times = {}
    for name, fit in _workloads().items():
        fit()
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            fit()
            runs.append(time.perf_counter() - start)
        times[name] = float(np.median(runs))
    print(json.dumps(times))


def settings():
    """``{label: environment}`` of the two settings compared."""
    from skdeep._backend import FEW_CORES, _cores

    cores = _cores()
    clean = {k: v for k, v in os.environ.items()
             if k not in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "XLA_FLAGS",
                          "OMP_NUM_THREADS", "SKDEEP_NUM_THREADS")}
    backends = {**clean, "TF_NUM_INTRAOP_THREADS": str(cores),
                "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=true"}
    if cores > FEW_CORES:
        print(f"{cores} cores: skdeep keeps the backends' own thread defaults here; "
              "both columns are the same setting.")
    return {"backends' defaults (a thread per core per op)": backends,
            "skdeep's default": clean}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="fresh processes per setting (alternating)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    print(versions())
    envs = settings()
    results = {label: [] for label in envs}
    for _ in range(args.repeats):
        for label, env in envs.items():
            out = subprocess.run([sys.executable, __file__, "--child"], env=env, check=True,
                                 capture_output=True, text=True)
            results[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
    (base, base_runs), (ours, our_runs) = results.items()
    rows = []
    for name in WORKLOADS:
        a = float(np.median([r[name] for r in base_runs]))
        b = float(np.median([r[name] for r in our_runs]))
        rows.append([name, f"{a:.3f}", f"{b:.3f}", f"{b / a:.2f}"])
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    print(f"\n### Seconds per fit on {backend}, median over {args.repeats} processes "
          "x 3 fits each\n")
    table(["workload", base, ours, "ratio"], rows)


if __name__ == "__main__":
    main()
