"""Searches on local clusters: 1 vs 2 worker processes, and worker start-up.

CLUSTER  GridSearchCV, MLP (64,), 8 configurations x 5 folds, 50 epochs,
         4000 x 20 -- 40 fits bound by per-step overhead, the kind one
         process cannot spread over cores: in this process (n_jobs=1, one
         compute thread, warm), on a local dask cluster with 1 and 2
         single-threaded worker processes, and on a local Ray with 2 CPUs.
         Workers are started and warmed (one fit each) before the clock runs;
         what a fresh worker costs is START.
START    Per worker: seconds from a new worker to its first finished skdeep fit
         (Keras/TensorFlow import, first trace, 2 epochs on 20 rows).

Needs ``pip install "skdeep[dask,ray]"``.  Run ``python benchmarks/bench_cluster.py``.
"""

import os
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")

from _common import table, versions  # noqa: E402
from joblib import parallel_config  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skdeep import MLPClassifier  # noqa: E402

X, y = make_classification(4000, 20, n_informative=10, random_state=0)
X = X.astype(np.float32)
GRID = {"alpha": [1e-4, 1e-2], "learning_rate_init": [1e-3, 3e-3], "batch_size": [100, 200]}
NET = MLPClassifier(hidden_layer_sizes=(64,), max_iter=50, random_state=0, tol=0.0,
                    n_iter_no_change=1000)


def search(n_jobs):
    start = time.perf_counter()
    result = GridSearchCV(NET, GRID, cv=5, n_jobs=n_jobs).fit(X, y)
    return time.perf_counter() - start, result.best_score_


def first_fit():
    start = time.perf_counter()
    MLPClassifier(max_iter=2).fit(np.random.rand(20, 3), np.arange(20) % 2)
    return time.perf_counter() - start


def main():
    import distributed
    import ray
    from ray.util.joblib import register_ray

    rows, starts = [], []
    first_fit()  # this process warm, like the workers
    t_local, best = search(1)
    rows.append(["this process, n_jobs=1", f"{t_local:.1f}", "1.00", f"{best:.4f}"])
    for n_workers in (1, 2):
        with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            workers = list(client.scheduler_info()["workers"])
            futures = [client.submit(first_fit, workers=[w], pure=False) for w in workers]
            starts += [(f"dask, {n_workers} worker(s) starting together", f.result())
                       for f in futures]
            with parallel_config(backend="dask"):
                t, best = search(-1)
        rows.append([f"dask LocalCluster, {n_workers} worker(s)", f"{t:.1f}",
                     f"{t_local / t:.2f}", f"{best:.4f}"])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})
    try:
        register_ray()
        starts += [("Ray, 2 workers starting together", t)
                   for t in ray.get([ray.remote(first_fit).remote() for _ in range(2)])]
        with parallel_config(backend="ray"):
            t, best = search(2)
        rows.append(["Ray, 2 CPUs", f"{t:.1f}", f"{t_local / t:.2f}", f"{best:.4f}"])
    finally:
        ray.shutdown()
    print(f"### CLUSTER: GridSearchCV, MLP (64,), 8 configurations x 5 folds, 50 epochs, "
          f"4000 x 20, warm workers ({os.cpu_count()} cores; seconds)\n")
    table(["where", "search time", "speed-up", "best CV accuracy"], rows)
    print("### START: a fresh worker's first skdeep fit (import + first trace + 2 epochs)\n")
    table(["cluster", "seconds"], [[name, f"{t:.1f}"] for name, t in starts])


if __name__ == "__main__":
    print(versions() + "\n")
    main()
