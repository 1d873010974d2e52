"""What callbacks cost a fit: none, a passive Keras callback, Keras' usual ones, sklearn's.

W1-sized fits (2,000 x 20, hidden (64,), 50 epochs, batch 200) on a compiled
engine, in one process; medians of repeats. The ratio is to the fit without
callbacks, so "no callbacks" measures the epoch loop's hook plumbing against
the previous release's loop (same code path, empty hook list).
"""

import sys
import tempfile
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SklearnMLP

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import fmt, table, timed, versions  # noqa: E402

from skdeep import MLPClassifier  # noqa: E402


def main(repeats=7):
    import keras
    from sklearn.callback import ScoringMonitor

    print(versions(), "\n")
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(n_samples=2000, n_features=20, random_state=0)
    X = X.astype(np.float32)
    common = dict(hidden_layer_sizes=(64,), max_iter=50, tol=0.0, random_state=0)

    class Passive(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    tmp = tempfile.mkdtemp()
    cases = [
        ("skdeep, no callbacks", lambda: MLPClassifier(**common)),
        ("skdeep + passive Keras callback", lambda: MLPClassifier(**common, callbacks=[Passive()])),
        ("skdeep + EarlyStopping + ReduceLROnPlateau + CSVLogger", lambda: MLPClassifier(
            **common, callbacks=[
                keras.callbacks.EarlyStopping(monitor="loss", patience=100),
                keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=100),
                keras.callbacks.CSVLogger(f"{tmp}/log.csv"),
            ])),
        ("skdeep + sklearn ScoringMonitor (scores X every epoch)", lambda: MLPClassifier(
            **common).set_callbacks(ScoringMonitor(scoring="accuracy"))),
        ("sklearn MLPClassifier (reference)", lambda: SklearnMLP(**common)),
    ]
    rows, base = [], None
    for name, make in cases:
        make().fit(X, y)  # compile once
        t, est = timed(lambda: make().fit(X, y), repeats)
        base = base or t[0]
        rows.append([name, fmt(t), f"{t[0] / base:.2f}x", est.n_iter_])
    print(f"W1 fits with callbacks, 2000 x 20, {common['max_iter']} epochs, "
          f"median of {repeats}")
    table(["fit", "seconds (min-max)", "vs no callbacks", "epochs"], rows)


if __name__ == "__main__":
    main()
