"""Data-parallel training of one network: skdeep's ``distribution`` against Keras' own.

EPOCH   Seconds per epoch (median of 3 fits of 5 epochs after a warm-up fit;
        the warm-up pays each engine's trace), an MLP (512, 512) on
        40000 x 128 float32 rows, batch 1024, Adam, on one device and
        data-parallel on two:
        * skdeep ``MLPClassifier(distribution=None | [dev0, dev1])``;
        * Keras ``model.fit`` of the same network, plain and built in a
          ``tf.distribute.MirroredStrategy`` scope (TensorFlow) -- what a user
          of Keras (or of scikeras, which calls ``fit``) gets.
        Ratios are to skdeep on one device.
CURVE   The largest difference between the one-device and the two-device
        loss curves (skdeep: float32 summation order only).

Without GPUs the two devices are the CPU split in two (TensorFlow logical
devices; XLA's host device count on JAX): they share the same cores, so the
table measures what data parallelism *costs* (the split, the all-reduce, the
replicated update), not a speed-up.  On a machine with two GPUs pass
``--gpus`` to use ``/gpu:0`` and ``/gpu:1`` instead; ``--split-gpu`` splits
one GPU into two logical ones (TensorFlow; ``benchmarks/gpu_check.py`` runs
it), which exercises the GPU all-reduce path on a one-GPU machine.

Run ``python benchmarks/bench_multidevice.py`` (add ``KERAS_BACKEND=jax``
for the JAX engine; Keras' rows are TensorFlow's only).
"""

import os
import statistics
import sys
import time
import warnings

GPUS = "--gpus" in sys.argv or "--split-gpu" in sys.argv
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
if BACKEND == "jax":
    if not GPUS:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                                   + " --xla_force_host_platform_device_count=2")
        os.environ.setdefault("NPROC", "8")  # XLA's CPU pool: room for both devices' work
    DEVICES = ["gpu:0", "gpu:1"] if GPUS else ["cpu:0", "cpu:1"]
else:
    import tensorflow as tf

    if not GPUS:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    elif "--split-gpu" in sys.argv:  # one GPU as two logical GPUs (8 GB each)
        gpu = tf.config.list_physical_devices("GPU")[0]
        tf.config.set_logical_device_configuration(
            gpu, [tf.config.LogicalDeviceConfiguration(memory_limit=8192)] * 2)
    DEVICES = ["/gpu:0", "/gpu:1"] if GPUS else ["/cpu:0", "/cpu:1"]

import numpy as np  # noqa: E402

warnings.filterwarnings("ignore")

from _common import table, versions  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402

from skdeep import MLPClassifier  # noqa: E402

N, D, WIDTH, BATCH, EPOCHS = 40000, 128, 512, 1024, 5
X, y = make_classification(N, D, n_informative=40, n_classes=4, random_state=0)
X = X.astype(np.float32)


def skdeep_fit(devices):
    est = MLPClassifier((WIDTH, WIDTH), batch_size=BATCH, max_iter=EPOCHS, tol=0.0,
                        n_iter_no_change=1000, random_state=0, distribution=devices)
    start = time.perf_counter()
    est.fit(X, y)
    return (time.perf_counter() - start) / EPOCHS, est.loss_curve_


def keras_fit(strategy):
    import keras

    def build():
        model = keras.Sequential([
            keras.Input((D,)), keras.layers.Dense(WIDTH, activation="relu"),
            keras.layers.Dense(WIDTH, activation="relu"), keras.layers.Dense(4),
        ])
        model.compile(keras.optimizers.Adam(1e-3),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    if strategy is None:
        model = build()
    else:
        with strategy.scope():
            model = build()
    start = time.perf_counter()
    history = model.fit(X, y, batch_size=BATCH, epochs=EPOCHS, verbose=0, shuffle=True)
    return (time.perf_counter() - start) / EPOCHS, history.history["loss"]


def median_of(fn, arg, repeats=3):
    fn(arg)  # warm-up: traces, first allocation
    runs = [fn(arg) for _ in range(repeats)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def main():
    print(versions())
    print(f"{N} x {D}, MLP ({WIDTH}, {WIDTH}), batch {BATCH}, {EPOCHS} epochs; devices "
          f"{DEVICES}\n")
    one, curve_one = median_of(skdeep_fit, None)
    # on TensorFlow one strategy serves skdeep and Keras: two MirroredStrategy
    # objects over the same devices in one process collide in their
    # collective ops (Keras' fit then fails with a shape mismatch)
    strategy = tf.distribute.MirroredStrategy(DEVICES) if BACKEND == "tensorflow" else DEVICES
    two, curve_two = median_of(skdeep_fit, strategy)
    rows = [
        ["skdeep, one device", f"{one:.3f}", "1.00", ""],
        ["skdeep, distribution=2 devices", f"{two:.3f}", f"{two / one:.2f}",
         f"{np.max(np.abs(np.subtract(curve_one, curve_two))):.1e}"],
    ]
    if BACKEND == "tensorflow":
        k_one, _ = median_of(keras_fit, None)
        rows.append(["Keras fit, one device", f"{k_one:.3f}", f"{k_one / one:.2f}", ""])
        try:
            k_two, _ = median_of(keras_fit, strategy)
            rows.append(["Keras fit, MirroredStrategy 2 devices", f"{k_two:.3f}",
                         f"{k_two / one:.2f}", ""])
        except Exception as error:  # noqa: BLE001 - report what Keras does here
            message = next((line for line in str(error).splitlines() if "Collective" in line
                            or "Error" in line), str(error).splitlines()[0])
            rows.append(["Keras fit, MirroredStrategy 2 devices", "failed", "",
                         message.strip()[:120]])
    print("EPOCH (seconds per epoch, median of 3) and CURVE")
    table(["", "s / epoch", "/ skdeep one device", "max |curve difference|"], rows)


if __name__ == "__main__":
    main()
