"""CNN and RNN benchmarks: skdeep against plain Keras ``model.fit`` on the same model.

C  digits as 8x8 images (1437 training, 360 test), CNNClassifier's default
   network (conv 32 + pool, conv 64 + pool, dense 128), Adam, batch 200,
   20 epochs.
R  Japanese Vowels (270 training utterances of 7-26 steps x 12 features, 370
   test), LSTM(64) many-to-one, Adam, batch 200, 40 epochs; Keras masks the
   zero padding with a Masking layer, skdeep its NaN padding.

For each: skdeep's fit in a process that has fitted the architecture once
(as every GridSearchCV fold after the first), skdeep's first fit (tracing
included), the generic KerasClassifier wrapping the same Keras model, plain
``model.fit`` on a freshly built model (what a Keras user or a wrapper does
per fit) and ``model.fit`` again on the already-trained, compiled model
(Keras at its best: no tracing). Accuracy on the test part.

Run ``python benchmarks/bench_cnn_rnn.py``.
"""

import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _common import fmt, table, timed, versions  # noqa: E402

warnings.simplefilter("ignore")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from skdeep import CNNClassifier, KerasClassifier, RNNSequenceClassifier, clear_cache  # noqa: E402
from skdeep._backend import load  # noqa: E402
from skdeep._estimators.sequences import pad_sequences  # noqa: E402
from skdeep.datasets import load_japanese_vowels  # noqa: E402

tf, keras = load()
FIXED = dict(tol=0.0, n_iter_no_change=10_000, random_state=0)


# ---------------------------------------------------------------------- models
def cnn_model(input_shape=(8, 8, 1), n_classes=10):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2, padding="same"),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(n_classes, activation="softmax"),
    ])


def rnn_model(n_features=12, n_classes=9):
    return keras.Sequential([
        keras.Input((None, n_features)),
        keras.layers.Masking(0.0),
        keras.layers.LSTM(64),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])


def keras_fit(build, X, y, epochs, model=None):
    if model is None:
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(0.001),
                      loss="sparse_categorical_crossentropy")
    model.fit(X, y, epochs=epochs, batch_size=200, verbose=0)
    return model


def keras_accuracy(model, X, y):
    return float(np.mean(np.argmax(model.predict(X, verbose=0), axis=1) == y))


# ---------------------------------------------------------------------- runs
def compare(title, ours, wrapper, build, ours_data, wrapper_data, keras_data, epochs):
    """Time the four ways of fitting; each ``*_data`` is ``(X_tr, y_tr, X_te, y_te)``."""
    X_tr, y_tr, X_te, y_te = ours_data
    clear_cache()
    t_first, _ = timed(lambda: ours.fit(X_tr, y_tr), 1)
    t_ours, fitted = timed(lambda: ours.fit(X_tr, y_tr), 3)
    acc_ours = fitted.score(X_te, y_te)
    wX_tr, wy_tr, wX_te, wy_te = wrapper_data
    wrapper.fit(wX_tr, wy_tr)
    t_wrap, fitted_wrap = timed(lambda: wrapper.fit(wX_tr, wy_tr), 3)
    acc_wrap = fitted_wrap.score(wX_te, wy_te)
    kX_tr, ky_tr, kX_te, ky_te = keras_data
    t_keras, model = timed(lambda: keras_fit(build, kX_tr, ky_tr, epochs), 3)
    acc_keras = keras_accuracy(model, kX_te, ky_te)
    t_again, _ = timed(lambda: keras_fit(build, kX_tr, ky_tr, epochs, model), 3)
    name = type(ours).__name__
    rows = [
        [f"skdeep {name} (architecture fitted before)", fmt(t_ours), "1.00",
         f"{acc_ours:.3f}"],
        [f"skdeep {name}, first fit (tracing)", fmt(t_first),
         f"{t_first[0] / t_ours[0]:.2f}", ""],
        ["skdeep KerasClassifier(same Keras model)", fmt(t_wrap),
         f"{t_wrap[0] / t_ours[0]:.2f}", f"{acc_wrap:.3f}"],
        ["plain Keras model.fit, new model", fmt(t_keras), f"{t_keras[0] / t_ours[0]:.2f}",
         f"{acc_keras:.3f}"],
        ["plain Keras model.fit, compiled model again", fmt(t_again),
         f"{t_again[0] / t_ours[0]:.2f}", ""],
    ]
    print(f"### {title}\n")
    table(["library", "fit time (min-max)", "time / skdeep", "test accuracy"], rows)


def cnn():
    X, y = load_digits(return_X_y=True)
    images = (X / 16).reshape(-1, 8, 8, 1).astype(np.float32)
    X_tr, X_te, y_tr, y_te = train_test_split(images, y, test_size=0.2, random_state=0,
                                              stratify=y)
    epochs = 20
    ours = CNNClassifier(max_iter=epochs, batch_size=200, standardize=False, **FIXED)
    wrapper = KerasClassifier(cnn_model, max_iter=epochs, batch_size=200, **FIXED)
    data = (X_tr, y_tr, X_te, y_te)
    compare(f"C: CNN on digits 8x8, {epochs} epochs, batch 200 (seconds, median of 3)",
            ours, wrapper, cnn_model, data, data, data, epochs)


def user_rnn(n_classes):
    return rnn_model(12, n_classes)


def rnn():
    X_tr, y_tr = load_japanese_vowels(split="train")
    X_te, y_te = load_japanese_vowels(split="test")
    classes = np.unique(y_tr)
    # zero padding to one length (29 steps), for Keras' Masking(0.0)
    padded = np.nan_to_num(pad_sequences(X_tr + X_te)[0])
    padded_tr, padded_te = padded[: len(X_tr)], padded[len(X_tr) :]
    epochs = 40
    ours = RNNSequenceClassifier(units=64, standardize=False, max_iter=epochs,
                                 batch_size=200, **FIXED)
    wrapper = KerasClassifier(user_rnn, max_iter=epochs, batch_size=200, **FIXED)
    compare(f"R: LSTM(64) on Japanese Vowels, {epochs} epochs, batch 200 "
            "(seconds, median of 3)", ours, wrapper, rnn_model,
            (X_tr, y_tr, X_te, y_te), (padded_tr, y_tr, padded_te, y_te),
            (padded_tr, np.searchsorted(classes, y_tr), padded_te,
             np.searchsorted(classes, y_te)), epochs)


def main():
    print(f"_{versions()}_\n")
    cnn()
    rnn()


if __name__ == "__main__":
    main()
