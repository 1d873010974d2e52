"""Data-parallel training of one network over several devices (``distribution``).

The 2-device runs split the CPU in a fresh process (TensorFlow logical
devices, XLA's host device count) -- see ``multidevice_script.py``; the rest
runs here, on this process's one device.
"""

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification

from skdeep import MLPClassifier, MLPRegressor
from skdeep._backend import backend

SCRIPT = Path(__file__).with_name("multidevice_script.py")

X, y = make_classification(n_samples=120, n_features=6, random_state=0)


def _run_script(engine):
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "XLA_FLAGS")}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), engine], capture_output=True, text=True, env=env,
        timeout=540,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert done.returncode == 0 and lines, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(lines[-1][len("RESULTS "):])


@pytest.mark.skipif(backend() == "jax", reason="run once, from the TensorFlow pass")
@pytest.mark.parametrize("engine", ["tensorflow", "jax"])
def test_two_devices_train_like_one(engine):
    results = _run_script(engine)
    two = ["/device:CPU:0", "/device:CPU:1"] if engine == "tensorflow" else ["cpu:0", "cpu:1"]
    # deterministic float64 networks: the same curve to the last bits of summation order
    exact = ["adam", "early_stopping", "sgd_odd_batches", "sample_weight_regression", "cnn"]
    for case in exact:
        r = results[case]
        assert r["devices"] == two and r["one_device"] is None, case
        assert r["n_iter"][0] == r["n_iter"][1], case
        assert r["curve"] < 1e-12 and r["predictions"] < 1e-12, (case, r)
    # early stopping stopped on the same epoch, after some epochs but before max_iter
    assert 5 < results["early_stopping"]["n_iter"][0] < 40
    # batch normalization over the whole minibatch (synchronized moments),
    # also when the last minibatch has fewer rows than devices
    bn = results["batch_norm_last_batch_of_1"]
    assert bn["curve"] < 1e-6 and bn["predictions"] < 1e-6, bn
    # skdeep's dropout and DropConnect draw the masks one device would (float32)
    for case in ("dropout_float32", "dropconnect_float32", "rnn"):
        r = results[case]
        assert r["n_iter"][0] == r["n_iter"][1], case
        assert r["curve"] < 1e-5 and r["predictions"] < 1e-5, (case, r)
    # masked batch norm: the real steps' moments summed over the replicas
    # (Keras' own masked moments stay per replica: 5e-3 on TensorFlow)
    r = results["rnn_front_end"]
    assert r["n_iter"][0] == r["n_iter"][1]
    assert r["curve"] < 1e-7 and r["predictions"] < 1e-6, r
    assert results["search"]["scores"] == 0.0
    assert results["search"]["devices"] == two
    assert results["data_parallel"] == two
    # a backend object (a MirroredStrategy, cloned; a jax Mesh with another axis name)
    assert results["strategy"]["curve"] < 1e-12
    assert len(results["strategy"]["devices"]) == 2


def test_one_device_warns_and_trains_alone():
    plain = MLPClassifier((5,), max_iter=3, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="found one device"):
        est = MLPClassifier((5,), max_iter=3, random_state=0,
                            distribution="data_parallel").fit(X, y)
    assert est.devices_ is None and plain.devices_ is None
    np.testing.assert_allclose(est.loss_curve_, plain.loss_curve_)


@pytest.mark.parametrize("distribution, message", [
    ("mirrored", "not understood"),
    ([], "non-empty list"),
    (["cpu:0", 1], "non-empty list"),
    (["cpu:0", "cpu:0"], "names a device twice"),
    (["gpu:7"], "does not see"),
    (3, "not understood"),
    # names no device parser understands: skdeep's message, not the backend parser's
    (["banana"], r"names device 'banana', which .* does not see"),
    (["/cpu:0", "gpu:zero"], r"names device 'gpu:zero', which .* does not see"),
    ([""], r"names device '', which .* does not see"),
])
def test_bad_distribution_is_a_clear_error(distribution, message):
    with pytest.raises(ValueError, match=message):
        MLPRegressor(hidden_layer_sizes=(3,), max_iter=2,
                     distribution=distribution).fit(X, y.astype(float))


def test_lbfgs_refuses_distribution():
    with pytest.raises(ValueError, match="solver='lbfgs'"):
        MLPClassifier((3,), solver="lbfgs", distribution=["cpu:0"]).fit(X, y)


def test_one_named_device_trains_like_default_and_pickles():
    name = "/cpu:0" if backend() == "tensorflow" else "cpu:0"
    plain = MLPClassifier((5,), max_iter=4, random_state=0).fit(X, y)
    est = MLPClassifier((5,), max_iter=4, random_state=0, distribution=[name]).fit(X, y)
    assert len(est.devices_) == 1
    np.testing.assert_allclose(est.loss_curve_, plain.loss_curve_, rtol=1e-6)
    copy = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(copy.predict_proba(X), est.predict_proba(X))
    assert clone(est).get_params()["distribution"] == [name]
    # a partial_fit continues on the same devices
    est.partial_fit(X, y)
    assert len(est.loss_curve_) == 5 and len(est.devices_) == 1


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.skipif(backend() == "jax", reason="MultiWorkerMirroredStrategy is TensorFlow's")
def test_two_workers_train_like_one_process():
    from sklearn.datasets import load_digits

    ports = f"{_free_port()},{_free_port()}"
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "TF_CONFIG")}
    script = Path(__file__).with_name("multiworker_script.py")
    workers = [
        subprocess.Popen([sys.executable, str(script), str(i), ports], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
        for i in range(2)
    ]
    try:
        outputs = [w.communicate(timeout=400) for w in workers]
    finally:
        for w in workers:
            w.kill()
    results = []
    for w, (out, err) in zip(workers, outputs):
        lines = [line for line in out.splitlines() if line.startswith("RESULTS ")]
        assert w.returncode == 0 and lines, out[-2000:] + err[-3000:]
        results.append(json.loads(lines[-1][len("RESULTS "):]))
    Xd, yd = load_digits(return_X_y=True)
    Xd = Xd / 16.0
    alone = MLPClassifier((32,), max_iter=12, early_stopping=True, random_state=0).fit(Xd, yd)
    for i, r in enumerate(results):
        assert r["devices"] == [f"/job:worker/replica:0/task:{i}/device:CPU:0"]
        np.testing.assert_allclose(r["loss_curve"], alone.loss_curve_, rtol=1e-12)
        np.testing.assert_allclose(r["validation_scores"], alone.validation_scores_)
        np.testing.assert_allclose(r["proba"], alone.predict_proba(Xd[:5]), atol=1e-12)
        # workers that were given other seeds refuse to train apart silently
        assert "given different weights" in r["mismatch"]
