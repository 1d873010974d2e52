"""GPU check: skdeep on an accelerator, in one short run (about 2 minutes).

What it checks and prints (markdown):

1. the devices the Keras backend sees (TensorFlow, or JAX when the script
   runs with ``KERAS_BACKEND=jax``);
2. every estimator fits and predicts on the GPU with the same accuracy as
   expected on CPU (MLP, CNN, RNN with ragged sequences, KerasClassifier);
3. GPU and CPU give the same predictions for the same fitted weights: shown
   for the GPU's default float32 matmuls (TF32 on Ampere and later, about
   three significant digits) and checked (< 1e-4) with full float32 matmuls;
4. GPU memory does not grow over 30 sequential fits and returns after
   ``skdeep.clear_cache()`` (TensorFlow's ``get_memory_info``, JAX's
   ``memory_stats``);
5. W3 big-data throughput (100,000 x 100, hidden (256, 128), batch 256,
   5 epochs) in GFLOP/s on the GPU, against scikit-learn on the CPU;
6. data-parallel training (``distribution=``): on TensorFlow the GPU split
   into two logical GPUs (``bench_multidevice.py --split-gpu``, in a fresh
   process), whose two-device loss curve must match the one-device curve.

On a machine without a GPU it says so and runs the CPU parts, so the
script itself can be checked anywhere. Run:
``python benchmarks/gpu_check.py`` (``KERAS_BACKEND=jax python
benchmarks/gpu_check.py`` for the JAX engine).
"""

import contextlib
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import table, versions  # noqa: E402

warnings.simplefilter("ignore")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

import skdeep  # noqa: E402
from skdeep import (  # noqa: E402
    CNNClassifier,
    KerasClassifier,
    MLPClassifier,
    RNNSequenceClassifier,
    TabularMLPClassifier,
)
from skdeep._backend import backend, load  # noqa: E402
from skdeep.datasets import load_japanese_vowels  # noqa: E402

tf, keras = load()
BACKEND = backend()
if BACKEND == "jax":
    import jax

    GPUS = [d for d in jax.devices() if d.platform == "gpu"]

    def on_cpu():
        return jax.default_device(jax.devices("cpu")[0])

    def full_float32():
        return jax.default_matmul_precision("highest")

    def gpu_memory_mb():
        if not GPUS:
            return float("nan")
        return GPUS[0].memory_stats()["bytes_in_use"] / 2**20
else:
    GPUS = tf.config.list_physical_devices("GPU")

    def on_cpu():
        return tf.device("/CPU:0")

    @contextlib.contextmanager
    def full_float32():
        before = tf.config.experimental.tensor_float_32_execution_enabled()
        tf.config.experimental.enable_tensor_float_32_execution(False)
        try:
            yield
        finally:
            tf.config.experimental.enable_tensor_float_32_execution(before)

    def gpu_memory_mb():
        if not GPUS:
            return float("nan")
        return tf.config.experimental.get_memory_info("GPU:0")["current"] / 2**20


def dense_net(n_features_in, n_classes):
    return keras.Sequential([keras.Input((n_features_in,)),
                             keras.layers.Dense(64, activation="relu"),
                             keras.layers.Dense(n_classes)])


def estimators():
    X, y = load_digits(return_X_y=True)
    X = (X / 16).astype(np.float32)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    images_tr, images_te = X_tr.reshape(-1, 8, 8), X_te.reshape(-1, 8, 8)
    jv_tr, jy_tr = load_japanese_vowels(split="train")
    jv_te, jy_te = load_japanese_vowels(split="test")
    return [
        ("MLPClassifier digits", MLPClassifier(hidden_layer_sizes=(128,), max_iter=60,
                                               random_state=0), X_tr, y_tr, X_te, y_te, 0.95),
        ("CNNClassifier digits 8x8", CNNClassifier(max_iter=40, random_state=0),
         images_tr, y_tr, images_te, y_te, 0.97),
        # the sequence defaults: GRU, batches of 32, a budget of optimizer steps
        # (0.968 on 2 CPU cores in 8 s; masked ragged batches on the GPU's GRU)
        ("RNNSequenceClassifier Japanese Vowels", RNNSequenceClassifier(random_state=0),
         jv_tr, jy_tr, jv_te, jy_te, 0.93),
        ("KerasClassifier digits", KerasClassifier(dense_net, max_iter=60, random_state=0),
         X_tr, y_tr, X_te, y_te, 0.95),
        # 0.980 on 2 CPU cores (15 s): embeddings, schedule and float32 network on the GPU
        ("TabularMLPClassifier digits", TabularMLPClassifier(random_state=0),
         X_tr, y_tr, X_te, y_te, 0.96),
    ]


def check_estimators():
    from skdeep._estimators import mlp as _mlp

    _mlp.NUMPY_PREDICT_LIMIT = 0  # compare the compiled model on both devices, not NumPy
    rows, ok = [], True
    for name, est, X_tr, y_tr, X_te, y_te, floor in estimators():
        start = time.perf_counter()
        est.fit(X_tr, y_tr)
        elapsed = time.perf_counter() - start
        acc = est.score(X_te, y_te)
        proba = est.predict_proba(X_te)
        skdeep.clear_cache()
        with full_float32():  # GPUs multiply float32 in TF32 by default
            exact = est.predict_proba(X_te)
        with on_cpu():  # same weights, compiled again on the CPU
            skdeep.clear_cache()
            cpu = est.predict_proba(X_te)
        skdeep.clear_cache()
        diff = float(np.abs(proba - cpu).max())
        diff_exact = float(np.abs(exact - cpu).max())
        passed = acc >= floor and diff_exact < 1e-4
        ok &= passed
        rows.append([name, f"{elapsed:.1f}", f"{acc:.3f} (>= {floor})", f"{diff:.1e}",
                     f"{diff_exact:.1e}", "ok" if passed else "FAIL"])
    print("### Estimators on the default device\n")
    table(["estimator", "fit s", "test accuracy", "max abs diff of proba, GPU (default) vs CPU",
           "same, GPU with full float32 matmuls", "result"], rows)
    return ok


def check_memory():
    X = np.random.RandomState(0).randn(5000, 50).astype(np.float32)
    y = (X[:, 0] > 0).astype(int)
    skdeep.clear_cache()
    base = gpu_memory_mb()
    MLPClassifier(hidden_layer_sizes=(256,), max_iter=5).fit(X, y)
    after_one = gpu_memory_mb()
    for i in range(30):
        sizes = (256,) if i % 2 else (128, 64)  # two architectures, as a grid search
        MLPClassifier(hidden_layer_sizes=sizes, max_iter=5, random_state=i).fit(X, y)
    after_30 = gpu_memory_mb()
    skdeep.clear_cache()
    import gc

    gc.collect()
    cleared = gpu_memory_mb()
    print(f"### GPU memory (MB in use): start {base:.1f}, after 1 fit {after_one:.1f}, "
          f"after 30 more {after_30:.1f}, after clear_cache {cleared:.1f}\n")
    if not GPUS:
        return True
    return after_30 - after_one < 50 and cleared - base < 50


def check_throughput():
    from sklearn.neural_network import MLPClassifier as SkMLP

    rng = np.random.RandomState(0)
    X = rng.randn(100_000, 100).astype(np.float32)
    y = (X @ rng.randn(100) > 0).astype(int)
    common = dict(hidden_layer_sizes=(256, 128), batch_size=256, max_iter=5, tol=0.0,
                  n_iter_no_change=1000, random_state=0)
    MLPClassifier(**{**common, "max_iter": 1}).fit(X[:1000], y[:1000])
    start = time.perf_counter()
    MLPClassifier(**common).fit(X, y)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    SkMLP(**common).fit(X, y)
    theirs = time.perf_counter() - start
    flops = 3 * 2 * (100 * 256 + 256 * 128 + 128) * 100_000 * 5
    print(f"### W3 on the default device: skdeep {ours:.2f} s ({flops / ours / 1e9:.0f} "
          f"GFLOP/s), scikit-learn (CPU) {theirs:.2f} s, speed-up {theirs / ours:.1f}x\n")
    return ours < theirs


def check_multidevice():
    """Data-parallel fits on the GPU split in two (TensorFlow), in a fresh process."""
    import subprocess

    print("### Data-parallel training (distribution=, one GPU as two logical GPUs)\n")
    if BACKEND == "jax" or not GPUS:
        print("skipped: needs TensorFlow and a GPU (JAX cannot split a GPU)\n")
        return True
    script = os.path.join(os.path.dirname(__file__), "bench_multidevice.py")
    done = subprocess.run([sys.executable, script, "--split-gpu"], capture_output=True,
                          text=True, timeout=400)
    rows = [line for line in done.stdout.splitlines() if line.startswith("|")]
    print("\n".join(rows) + "\n")
    if done.returncode != 0:
        print(done.stderr[-2000:])
        return False
    two = next((line for line in rows if "distribution=" in line), None)
    try:
        difference = float(two.split("|")[4])
    except (AttributeError, IndexError, ValueError):
        return False
    return difference < 1e-3


def main():
    print(f"_{versions()}_\n")
    names = [str(d) if BACKEND == "jax" else d.name for d in GPUS]
    print(f"Keras backend: {BACKEND}; GPUs: {names or 'none (CPU-only run)'}\n")
    results = {"estimators": check_estimators(), "memory": check_memory(),
               "throughput": check_throughput(), "multidevice": check_multidevice()}
    print("### Summary\n")
    table(["check", "result"], [[k, "ok" if v else "FAIL"] for k, v in results.items()])
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
