"""Searches on local dask and Ray clusters, and worker thread limits.

Each cluster test starts its own cluster on 127.0.0.1 (2 worker processes)
and compares the search with the same search at ``n_jobs=1`` here.
"""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import make_classification
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV

from skdeep import MLPClassifier
from skdeep import model_selection as grouped

X, y = make_classification(300, 8, n_informative=5, random_state=0)
X = X.astype(np.float32)
GRID = {"hidden_layer_sizes": [(6,), (12,)], "alpha": [1e-4, 1e-1]}
NET = MLPClassifier(max_iter=12, random_state=0)


def _fit(search):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return search.fit(X, y)


def _same_results(a, b):
    # bit for bit: the workers and this process each run one compute thread in CI
    exact = os.environ.get("TF_NUM_INTRAOP_THREADS") == "1"
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        if exact:
            np.testing.assert_array_equal(a.cv_results_[key], b.cv_results_[key], err_msg=key)
        else:
            np.testing.assert_allclose(a.cv_results_[key], b.cv_results_[key], atol=1e-6)
    assert a.best_params_ == b.best_params_


SCRIPT = """
import json, os
from skdeep._backend import load, backend
tf, keras = load()
out = {k: os.environ.get(k) for k in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS",
                                       "XLA_FLAGS", "TF_FORCE_GPU_ALLOW_GROWTH")}
if tf is not None:
    out["intra"] = tf.config.threading.get_intra_op_parallelism_threads()
    out["inter"] = tf.config.threading.get_inter_op_parallelism_threads()
print(json.dumps(out))
"""


def _probe(**env):
    base = {k: v for k, v in os.environ.items()
            if k not in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "XLA_FLAGS",
                         "OMP_NUM_THREADS", "SKDEEP_NUM_THREADS")}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env={**base, **env},
                            capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_worker_thread_pools_follow_the_process_pools_share():
    from skdeep._backend import backend

    tensorflow = backend() == "tensorflow"
    # what loky, dask's nannies and Ray set in their workers
    out = _probe(OMP_NUM_THREADS="1")
    assert out["TF_NUM_INTRAOP_THREADS"] == "1" and out["TF_NUM_INTEROP_THREADS"] == "1"
    assert "intra_op_parallelism_threads=1" in out["XLA_FLAGS"]
    assert out["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"
    if tensorflow:
        assert (out["intra"], out["inter"]) == (1, 1)
    out = _probe(OMP_NUM_THREADS="1", SKDEEP_NUM_THREADS="3")  # skdeep's own wins
    assert out["TF_NUM_INTRAOP_THREADS"] == "3" and out["TF_NUM_INTEROP_THREADS"] == "2"
    # the user's explicit TensorFlow setting is left alone
    out = _probe(OMP_NUM_THREADS="1", TF_NUM_INTRAOP_THREADS="2")
    assert out["TF_NUM_INTRAOP_THREADS"] == "2"
    if tensorflow:
        assert out["intra"] == 0  # TensorFlow reads its own variable
    # no limit: one compute thread per operation on a machine of two cores or
    # fewer (TensorFlow reads its variable; its inter-op pool keeps both cores),
    # the backends' own defaults on larger ones
    from skdeep._backend import FEW_CORES, _cores

    out = _probe()
    if _cores() <= FEW_CORES:
        assert out["TF_NUM_INTRAOP_THREADS"] == "1" and out["TF_NUM_INTEROP_THREADS"] is None
        assert out["XLA_FLAGS"] == "--xla_cpu_multi_thread_eigen=false"
    else:
        assert out["TF_NUM_INTRAOP_THREADS"] is None and out["XLA_FLAGS"] is None
    # the user's own choice on a small machine is kept
    out = _probe(TF_NUM_INTRAOP_THREADS="2", XLA_FLAGS="--xla_cpu_multi_thread_eigen=true")
    assert out["TF_NUM_INTRAOP_THREADS"] == "2"
    assert out["XLA_FLAGS"] == "--xla_cpu_multi_thread_eigen=true"


def test_thread_defaults_by_machine_size():
    from skdeep._backend import thread_defaults

    one_per_op = {"TF_NUM_INTRAOP_THREADS": "1",
                  "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false"}
    assert thread_defaults({}, cores=1) == one_per_op
    assert thread_defaults({}, cores=2) == one_per_op
    assert thread_defaults({}, cores=3) == {}
    assert thread_defaults({}, cores=64) == {}
    # a process pool's share wins over the machine's size, on any machine
    assert thread_defaults({"OMP_NUM_THREADS": "4"}, cores=2) == {
        "TF_NUM_INTRAOP_THREADS": "4", "TF_NUM_INTEROP_THREADS": "2",
        "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=4"}
    assert thread_defaults({"SKDEEP_NUM_THREADS": "1", "OMP_NUM_THREADS": "8"}, cores=64)[
        "TF_NUM_INTRAOP_THREADS"] == "1"
    # the user's own settings stay; XLA flags of other kinds are extended
    assert thread_defaults({"TF_NUM_INTRAOP_THREADS": "2", "XLA_FLAGS": "--xla_dump_to=/tmp/x"},
                           cores=2) == {
        "XLA_FLAGS": "--xla_dump_to=/tmp/x --xla_cpu_multi_thread_eigen=false"}
    assert thread_defaults({"XLA_FLAGS": "intra_op_parallelism_threads=2"}, cores=1) == {
        "TF_NUM_INTRAOP_THREADS": "1"}
    # a malformed limit is no limit
    assert thread_defaults({"OMP_NUM_THREADS": "two"}, cores=8) == {}


@pytest.mark.slow
def test_searches_on_a_local_dask_cluster():
    distributed = pytest.importorskip("distributed")
    reference = _fit(GridSearchCV(NET, GRID, cv=3))
    halving_ref = _fit(HalvingGridSearchCV(NET, GRID, cv=3, random_state=0, min_resources=60))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with parallel_config(backend="dask"):
            on_dask = _fit(GridSearchCV(NET, GRID, cv=3, n_jobs=-1))
            halving = _fit(HalvingGridSearchCV(NET, GRID, cv=3, random_state=0,
                                               min_resources=60, n_jobs=-1))
            # skdeep's grouped search leaves the fits to the cluster there
            ours = _fit(grouped.GridSearchCV(NET, GRID, cv=3, n_jobs=-1))
        workers = client.run(lambda: (os.environ.get("TF_NUM_INTRAOP_THREADS"),
                                      os.environ.get("OMP_NUM_THREADS"),
                                      "keras" in sys.modules))
    _same_results(on_dask, reference)
    _same_results(halving, halving_ref)
    _same_results(ours, reference)
    assert ours.n_grouped_fits_ == 0
    assert len(workers) == 2
    # every worker trained (imported Keras) with one compute thread
    assert all(w == ("1", "1", True) for w in workers.values()), workers


@pytest.mark.slow
def test_randomized_search_on_a_local_ray():
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    dist = {"alpha": [1e-5, 1e-3, 1e-1], "hidden_layer_sizes": [(4,), (9,)]}
    reference = _fit(RandomizedSearchCV(NET, dist, n_iter=3, cv=3, random_state=0))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"OMP_NUM_THREADS": "1"}})
    try:
        register_ray()
        with parallel_config(backend="ray"):
            on_ray = _fit(RandomizedSearchCV(NET, dist, n_iter=3, cv=3, random_state=0,
                                             n_jobs=2))
    finally:
        ray.shutdown()
    _same_results(on_ray, reference)


def _hyperband(dask_ml, Xd, yd):
    from scipy.stats import loguniform

    search = dask_ml.model_selection.HyperbandSearchCV(
        MLPClassifier(random_state=0, learning_rate_init=0.01),
        {"hidden_layer_sizes": [(4,), (16,), (32,)], "alpha": loguniform(1e-5, 1e-1)},
        max_iter=9, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return search.fit(Xd, yd, classes=[0, 1])


@pytest.mark.slow
def test_dask_ml_partial_fit_searches_on_a_local_dask_cluster():
    distributed = pytest.importorskip("distributed")
    dask_ml = pytest.importorskip("dask_ml.model_selection")
    import dask
    import dask.array as da
    import dask_ml  # noqa: F811

    Xb, yb = make_classification(2000, 8, n_informative=5, random_state=0)
    Xb = Xb.astype(np.float32)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        # dask-ml 2025.1 calls dask.persist inside its coroutines, which dask
        # 2025+ refuses for the (then asynchronous) client; naming the
        # client's scheduler makes persist go through client.persist
        with dask.config.set(scheduler=client.get):
            Xd, yd = da.from_array(Xb, chunks=400), da.from_array(yb, chunks=400)
            first = _hyperband(dask_ml, Xd, yd)
            again = _hyperband(dask_ml, Xd, yd)
    # dask-ml ran the models and partial_fit calls it planned
    assert first.metadata_["n_models"] == first.metadata["n_models"] > 3
    assert first.metadata_["partial_fit_calls"] == first.metadata["partial_fit_calls"]
    # each partial_fit (one epoch over one chunk) survived the round trips
    # to the workers: the best model's curve has one entry per call
    history = first.model_history_[first.cv_results_["model_id"][first.best_index_]]
    calls = [record["partial_fit_calls"] for record in history]
    assert calls == sorted(calls) and calls[-1] == len(first.best_estimator_.loss_curve_)
    assert first.best_score_ > 0.75
    assert first.best_estimator_.score(Xb, yb) > 0.75
    # seeded: the same search on the cluster again picks the same model, same score
    assert again.best_params_ == first.best_params_
    assert again.best_score_ == first.best_score_
