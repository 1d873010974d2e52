"""W3 big data: 100,000 x 100 binary data, hidden (256, 128), ReLU, Adam, batch 256, 5 epochs.

Training throughput (samples/s and GFLOP/s) of skdeep, scikit-learn's MLP and
plain Keras ``model.fit``, against the machine's float32 matmul peak measured
in the same run (a 2048 x 2048 TensorFlow matmul). FLOPs per training sample:
3 x the forward pass's 2 x (100*256 + 256*128 + 128*1) multiply-adds (forward,
backward to activations, backward to weights).

Run ``python benchmarks/bench_big.py`` (``--samples N`` for a smaller run).
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

tf, keras = load()
HIDDEN = (256, 128)
EPOCHS = 5
BATCH = 256


def matmul_peak(n=2048, repeats=10):
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    step = tf.function(lambda a, b: tf.matmul(a, b))
    step(a, b).numpy()
    t, _ = timed(lambda: step(a, b).numpy(), repeats)
    return 2 * n**3 / t[1] / 1e9  # best run: the peak


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
    X = rng.randn(args.samples, 100).astype(np.float32)
    w = rng.randn(100)
    y = (np.tanh(X @ w / 10) + 0.3 * rng.randn(args.samples) > 0).astype(int)
    sizes = (100, *HIDDEN, 1)
    flops = 3 * 2 * sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) * args.samples * EPOCHS

    peak = matmul_peak()
    print(f"_{versions()}; float32 matmul peak {peak:.1f} GFLOP/s (TensorFlow, 2048^2)_\n")
    common = dict(hidden_layer_sizes=HIDDEN, batch_size=BATCH, max_iter=EPOCHS, tol=0.0,
                  n_iter_no_change=1000, random_state=0)
    ours = MLPClassifier(**common)
    MLPClassifier(**{**common, "max_iter": 1}).fit(X[:1000], y[:1000])  # trace once
    t_ours, fitted = timed(lambda: ours.fit(X, y), 3)
    acc_ours = fitted.score(X, y)
    t_sk, fitted = timed(lambda: SkMLP(**common).fit(X, y), 1)
    acc_sk = fitted.score(X, y)
    t_k, model = timed(lambda: keras_fit(X, y), 1)
    acc_k = float(np.mean((model.predict(X, verbose=0, batch_size=4096).ravel() > 0.5) == y))
    rows = []
    for name, t, acc in [("skdeep", t_ours, acc_ours), ("sklearn MLP", t_sk, acc_sk),
                         ("plain Keras fit", t_k, acc_k)]:
        gflops = flops / t[0] / 1e9
        rows.append([name, fmt(t), f"{args.samples * EPOCHS / t[0]:,.0f}",
                     f"{t_ours[0] / t[0]:.2f}", f"{gflops:.1f}", f"{100 * gflops / peak:.0f} %",
                     f"{acc:.3f}"])
    print(f"### W3: {args.samples:,} x 100, hidden {HIDDEN}, Adam, batch {BATCH}, {EPOCHS} "
          "epochs (seconds)\n")
    table(["library", "fit time (min-max)", "samples / s", "speed / skdeep", "GFLOP/s",
           "of matmul peak", "train accuracy"], rows)
    # steady state: the cost of 5 more epochs, without the fit's fixed costs
    longer = MLPClassifier(**{**common, "max_iter": 2 * EPOCHS})
    t_long, _ = timed(lambda: longer.fit(X, y), 3)
    steady = flops / (t_long[0] - t_ours[0]) / 1e9
    print(f"skdeep in steady state (epochs 6-10 of a 10-epoch fit): {steady:.1f} GFLOP/s, "
          f"{100 * steady / peak:.0f} % of the matmul peak.\n")


if __name__ == "__main__":
    main()
