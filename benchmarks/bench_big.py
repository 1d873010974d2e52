"""W3 big data: 100,000 x 100 binary data, hidden (256, 128), ReLU, Adam, batch 256, 5 epochs.

Training throughput (samples/s and GFLOP/s) of skdeep, scikit-learn's MLP and
plain Keras ``model.fit`` -- with float64 input (what pandas gives) at skdeep's
default precision and at ``precision='float32'``, and with float32 input --
against the machine's matrix-product peaks measured in the same run (a 2048 x
2048 product in float32 and float64: TensorFlow, TensorFlow through XLA, JAX
when installed, NumPy's BLAS). FLOPs per training sample: 3 x the forward
pass's 2 x (100*256 + 256*128 + 128*1) multiply-adds (forward, backward to
activations, backward to weights).

Run ``python benchmarks/bench_big.py`` (``--samples N`` for a smaller run;
``KERAS_BACKEND=jax`` for the JAX engine).
"""

import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import fmt, table, timed, versions  # noqa: E402

warnings.simplefilter("ignore")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.neural_network import MLPClassifier as SkMLP  # noqa: E402

from skdeep import MLPClassifier  # noqa: E402
from skdeep._backend import load  # noqa: E402

_, keras = load()
HIDDEN = (256, 128)
EPOCHS = 5
BATCH = 256


def _best(fn, repeats=10):
    fn()
    t, _ = timed(fn, repeats)
    return t[1]  # best run: the peak


def matmul_peaks(n=2048):
    """GFLOP/s of an n x n matrix product per library and dtype (best of 10)."""
    flop = 2 * n**3 / 1e9
    rng = np.random.RandomState(0)
    peaks = {}
    for dtype in ("float32", "float64"):
        a, b = (rng.randn(n, n).astype(dtype) for _ in range(2))
        peaks[("NumPy (BLAS)", dtype)] = flop / _best(lambda: a @ b)
        import tensorflow as tf  # the peak of TensorFlow's kernels, whatever the backend

        ta, tb = tf.constant(a), tf.constant(b)
        for name, xla in (("TensorFlow", False), ("TensorFlow + XLA", True)):
            step = tf.function(lambda x, y: tf.matmul(x, y), jit_compile=xla)
            peaks[(name, dtype)] = flop / _best(lambda: step(ta, tb).numpy())
        try:
            import jax

            with jax.enable_x64(dtype == "float64"):
                ja, jb = jax.device_put(a), jax.device_put(b)
                product = jax.jit(lambda x, y: x @ y)
                peaks[("JAX (XLA)", dtype)] = flop / _best(
                    lambda: product(ja, jb).block_until_ready())
        except ImportError:
            pass
    return peaks


def keras_fit(X, y):
    layers = keras.layers
    model = keras.Sequential([keras.Input((X.shape[1],)),
                              layers.Dense(HIDDEN[0], activation="relu"),
                              layers.Dense(HIDDEN[1], activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="binary_crossentropy")
    model.fit(X, y, epochs=EPOCHS, batch_size=BATCH, verbose=0)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    args = parser.parse_args()
    rng = np.random.RandomState(0)
    X = rng.randn(args.samples, 100)  # float64, as a DataFrame's values are
    w = rng.randn(100)
    y = (np.tanh(X @ w / 10) + 0.3 * rng.randn(args.samples) > 0).astype(int)
    X32 = X.astype(np.float32)
    sizes = (100, *HIDDEN, 1)
    flops = 3 * 2 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) * args.samples * EPOCHS

    peaks = matmul_peaks()
    peak = peaks[("TensorFlow", "float32")]
    print(f"_{versions()}_\n")
    print("### Matrix-product peaks, 2048 x 2048 (GFLOP/s, best of 10)\n")
    libraries = list(dict.fromkeys(name for name, _ in peaks))
    table(["library", "float32", "float64"],
          [[name, *(f"{peaks[(name, d)]:.0f}" for d in ("float32", "float64"))]
           for name in libraries])
    common = dict(hidden_layer_sizes=HIDDEN, batch_size=BATCH, max_iter=EPOCHS, tol=0.0,
                  n_iter_no_change=1000, random_state=0)
    runs = [
        ("skdeep, float64 input (default: float64)", lambda: MLPClassifier(**common), X, 3),
        ("skdeep, float64 input, precision='float32'",
         lambda: MLPClassifier(precision="float32", **common), X, 3),
        ("skdeep, float32 input", lambda: MLPClassifier(**common), X32, 3),
        ("sklearn MLP, float64 input", lambda: SkMLP(**common), X, 1),
        ("sklearn MLP, float32 input", lambda: SkMLP(**common), X32, 1),
    ]
    results = []
    for name, make, data, repeats in runs:
        if name.startswith("skdeep"):  # trace once, as every later fit of a session
            make().set_params(max_iter=1).fit(data[:1000], y[:1000])
        t, fitted = timed(lambda: make().fit(data, y), repeats)
        results.append((name, t, fitted.score(data, y)))
    t_k, model = timed(lambda: keras_fit(X32, y), 1)
    acc_k = float(np.mean((model.predict(X32, verbose=0, batch_size=4096).ravel() > 0.5) == y))
    results.append(("plain Keras fit, float32", t_k, acc_k))
    sk64 = results[3][1][0]
    rows = []
    for name, t, acc in results:
        gflops = flops / t[0] / 1e9
        rows.append([name, fmt(t), f"{args.samples * EPOCHS / t[0]:,.0f}",
                     f"{sk64 / t[0]:.2f}", f"{gflops:.1f}", f"{100 * gflops / peak:.0f} %",
                     f"{acc:.3f}"])
    print(f"### W3: {args.samples:,} x 100, hidden {HIDDEN}, Adam, batch {BATCH}, {EPOCHS} "
          "epochs (seconds)\n")
    table(["fit", "time (min-max)", "samples / s", "throughput / sklearn float64", "GFLOP/s",
           "of TF float32 peak", "train accuracy"], rows)
    # steady state: the cost of 5 more epochs, without the fit's fixed costs
    longer = MLPClassifier(**{**common, "max_iter": 2 * EPOCHS})
    t_long, _ = timed(lambda: longer.fit(X32, y), 3)
    steady = flops / (t_long[0] - results[2][1][0]) / 1e9
    print(f"skdeep float32 in steady state (epochs 6-10 of a 10-epoch fit): {steady:.1f} "
          f"GFLOP/s, {100 * steady / peak:.0f} % of the float32 matmul peak.\n")


if __name__ == "__main__":
    main()
