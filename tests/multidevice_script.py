"""Fits on 2 devices against the same fits on one; run in a fresh process.

``python tests/multidevice_script.py tensorflow|jax`` splits the CPU into 2
devices (TensorFlow logical devices; XLA's host device count for JAX) before
the backend starts, trains each case with ``distribution`` and without, and
prints one JSON object: per case, the largest difference of the loss curves
and of the predictions, the epochs run, and the devices used.
"""

import json
import os
import sys
import warnings

BACKEND = sys.argv[1]
os.environ["KERAS_BACKEND"] = BACKEND
if BACKEND == "jax":
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"
    )
    # XLA sizes its CPU thread pool from NPROC (else the core count): on 2 busy
    # cores, one device's collective can hold a worker that the other device's
    # convolution waits for, and XLA aborts after 40 s (the CNN case, 3 runs of 3
    # under load; 0 of 6 with 8 workers)
    os.environ["NPROC"] = "8"
    DEVICES = ["cpu:0", "cpu:1"]
else:
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    DEVICES = ["/cpu:0", "/cpu:1"]

import numpy as np  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skdeep import CNNClassifier, MLPClassifier, MLPRegressor, RNNSequenceClassifier  # noqa: E402

warnings.simplefilter("ignore")
X, y = load_digits(return_X_y=True)
X = X / 16.0  # float64: the networks compute in float64
X32 = X.astype(np.float32)


def compare(name, make, X, y, predict="predict_proba", **fit):
    print(f"case {name}", file=sys.stderr, flush=True)  # names the case a crash stops in
    one = make(None).fit(X, y, **fit)
    two = make(DEVICES).fit(X, y, **fit)
    same = one.n_iter_ == two.n_iter_
    curve = np.subtract(one.loss_curve_, two.loss_curve_) if same else [np.inf]
    results[name] = {
        "curve": float(np.max(np.abs(curve))),
        "predictions": float(np.max(np.abs(getattr(one, predict)(X) - getattr(two, predict)(X)))),
        "n_iter": [one.n_iter_, two.n_iter_],
        "devices": two.devices_,
        "one_device": one.devices_,
        "loss": two.loss_,
    }
    return one, two


results = {}
compare("adam", lambda d: MLPClassifier((32,), max_iter=12, random_state=0, distribution=d), X, y)
compare("early_stopping", lambda d: MLPClassifier(
    (32, 16), max_iter=40, early_stopping=True, n_iter_no_change=3, random_state=0,
    distribution=d), X, y)
compare("sgd_odd_batches", lambda d: MLPClassifier(
    (32,), solver="sgd", batch_size=37, alpha=0.01, learning_rate="invscaling",
    learning_rate_init=0.1, max_iter=8, random_state=0, distribution=d), X, y)
compare("sample_weight_regression", lambda d: MLPRegressor(
    hidden_layer_sizes=(16,), max_iter=8, alpha=0.1, random_state=0, distribution=d),
    X, y.astype(float), predict="predict", sample_weight=np.linspace(0.5, 2.0, len(y)))
compare("batch_norm_last_batch_of_1", lambda d: MLPClassifier(
    (32,), batch_normalization=True, batch_size=256, max_iter=5, random_state=0,
    distribution=d), X[:513], y[:513])
compare("dropout_float32", lambda d: MLPClassifier(
    (32,), dropout=0.3, max_iter=6, random_state=0, distribution=d), X32, y)
compare("dropconnect_float32", lambda d: MLPClassifier(
    (16,), dropconnect=0.3, max_iter=6, random_state=0, distribution=d), X32, y)
# float64 data in float64 (the image networks' own default is float32): exact to 1e-12
compare("cnn", lambda d: CNNClassifier(filters=(4,), max_iter=3, random_state=0, distribution=d,
                                       precision="float64"), X.reshape(-1, 8, 8, 1), y)
compare("rnn", lambda d: RNNSequenceClassifier(units=8, conv_filters=(), max_iter=3,
                                               random_state=0, distribution=d),
        X32.reshape(-1, 8, 8), y)
# a convolutional front end: batch norm over the real steps of the whole minibatch
# (float64; the default's three 64-wide units and max read-out make ReLU zeros tie
# in the maximum, so rounding reroutes gradients and only the curve's start agrees)
compare("rnn_front_end", lambda d: RNNSequenceClassifier(
    units=8, conv_filters=(4,), pool_size=4, readout="max", max_iter=3, random_state=0,
    precision="float64", distribution=d), X.reshape(-1, 8, 8), y)

# an estimator with a device list clones and searches like any other
search = GridSearchCV(MLPClassifier(max_iter=5, random_state=0, distribution=DEVICES),
                      {"hidden_layer_sizes": [(8,), (16,)]}, cv=2).fit(X, y)
reference = GridSearchCV(MLPClassifier(max_iter=5, random_state=0),
                         {"hidden_layer_sizes": [(8,), (16,)]}, cv=2).fit(X, y)
results["search"] = {
    "scores": float(np.max(np.abs(search.cv_results_["mean_test_score"]
                                  - reference.cv_results_["mean_test_score"]))),
    "devices": search.best_estimator_.devices_,
}
results["data_parallel"] = MLPClassifier(
    (8,), max_iter=2, random_state=0, distribution="data_parallel").fit(X, y).devices_

if BACKEND == "tensorflow":
    # a strategy object: cloned (scikit-learn deep-copies parameters) and still working
    strategy = tf.distribute.MirroredStrategy(DEVICES)
    est = MLPClassifier((16,), max_iter=4, random_state=0, distribution=strategy)
    reference = MLPClassifier((16,), max_iter=4, random_state=0).fit(X, y)
    copy = clone(est).fit(X, y)
    results["strategy"] = {
        "curve": float(np.max(np.abs(np.subtract(copy.loss_curve_, reference.loss_curve_)))),
        "devices": copy.devices_,
    }
else:
    import jax
    from jax.sharding import Mesh

    mesh = Mesh(np.array(jax.devices()), ("batch",))
    reference = MLPClassifier((16,), max_iter=4, random_state=0).fit(X, y)
    est = MLPClassifier((16,), max_iter=4, random_state=0, distribution=mesh).fit(X, y)
    results["strategy"] = {
        "curve": float(np.max(np.abs(np.subtract(est.loss_curve_, reference.loss_curve_)))),
        "devices": est.devices_,
    }

print("RESULTS " + json.dumps(results))
