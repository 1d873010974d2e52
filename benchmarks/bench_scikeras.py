"""A scikeras user's fit on skdeep: scikeras' spelling vs skdeep's, and Keras' own fit.

scikeras' Basic-usage model function (a Dense network with dropout, sigmoid
output) on 2,000 x 20 rows, 50 epochs, batch 32, Adam at 1e-3:

* the scikeras spelling -- ``KerasClassifier(model=get_clf, loss=...,
  optimizer="adam", optimizer__learning_rate=..., hidden_layer_sizes=...,
  epochs=50, batch_size=32, metrics=[...], validation_split=...)``, the code
  a scikeras user brings with only the import changed;
* skdeep's own spelling of the same fit (``model_params``, ``solver``,
  ``learning_rate_init``, ``max_iter``);
* Keras' ``model.fit`` on the same model function -- what scikeras runs
  (scikeras itself does not install on scikit-learn 1.9).

Both skdeep fits run the same loop, so their ratio should be 1; the epochs
column shows each fit ran all 50 (``n_iter_no_change=50``). A second table
times scikeras' multi-output pattern (DataTransformers notebook, §3: a
binary and a 5-class head, each with its own compiled loss, a target encoder
splitting ``y``) against Keras' ``model.fit`` of the same two-output model.
Medians of repeats in one process.
"""

import sys
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from _common import fmt, table, timed, versions  # noqa: E402

from skdeep.wrappers import KerasClassifier  # noqa: E402


def get_clf(meta, hidden_layer_sizes, dropout):
    import keras

    model = keras.Sequential([keras.Input((meta["n_features_in_"],))])
    for size in hidden_layer_sizes:
        model.add(keras.layers.Dense(size, activation="relu"))
        model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    return model


def keras_fit(X, y, epochs, extra):
    import keras

    keras.utils.set_random_seed(0)
    model = get_clf({"n_features_in_": X.shape[1]}, (64,), 0.2)
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(1e-3),
                  metrics=extra.get("metrics"))
    model.fit(X, y, epochs=epochs, batch_size=32, verbose=0,
              validation_split=extra.get("validation_split", 0.0))
    return model


def main(repeats=5, epochs=50):
    print(versions(), "\n")
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(n_samples=2000, n_features=20, random_state=0)
    X = X.astype(np.float32)
    rows = []
    for label, extra in [("plain", {}),
                         ("metrics + validation_split",
                          {"metrics": ["accuracy"], "validation_split": 0.1})]:
        scikeras = dict(model=get_clf, loss="binary_crossentropy", optimizer="adam",
                        optimizer__learning_rate=1e-3, hidden_layer_sizes=(64,),
                        dropout=0.2, epochs=epochs, batch_size=32, verbose=0,
                        random_state=0, n_iter_no_change=epochs, **extra)
        own = dict(model=get_clf, model_params={"hidden_layer_sizes": (64,), "dropout": 0.2},
                   solver="adam", learning_rate_init=1e-3, max_iter=epochs, batch_size=32,
                   random_state=0, n_iter_no_change=epochs, **extra)
        cases = [("skdeep, scikeras' spelling", lambda: KerasClassifier(**scikeras).fit(X, y)),
                 ("skdeep, skdeep's spelling", lambda: KerasClassifier(**own).fit(X, y)),
                 ("Keras model.fit (what scikeras runs)", lambda: keras_fit(X, y, epochs, extra))]
        base = None
        for name, run in cases:
            run()  # compile once
            t, fitted = timed(run, repeats)
            base = base or t[0]
            epochs_run = (fitted.n_iter_ if hasattr(fitted, "n_iter_")
                          else len(fitted.history.history["loss"]))
            rows.append([label, name, fmt(t), f"{t[0] / base:.2f}x", epochs_run])
    print(f"2000 x 20, hidden (64,), dropout 0.2, {epochs} epochs of batch 32, "
          f"median of {repeats}")
    table(["fit", "who", "seconds (min-max)", "vs scikeras' spelling", "epochs"], rows)
    multi_output(repeats, epochs)


def two_heads(meta):
    """scikeras' DataTransformers notebook, §3: a binary and a 5-class head, each with
    its loss compiled into the model."""
    import keras

    inp = keras.Input((meta["n_features_in_"],))
    hidden = keras.layers.Dense(64, activation="relu")(inp)
    model = keras.Model(inp, [keras.layers.Dense(1, activation="sigmoid")(hidden),
                              keras.layers.Dense(5, activation="softmax")(hidden)])
    model.compile(loss=["binary_crossentropy", "sparse_categorical_crossentropy"],
                  optimizer=keras.optimizers.Adam(1e-3))
    return model


class TwoHeads(KerasClassifier):
    """The notebook's pattern: a target encoder splitting y into one array per head."""

    @property
    def target_encoder(self):
        from sklearn.preprocessing import FunctionTransformer

        return FunctionTransformer(
            lambda y: [y[:, 0], y[:, 1]],
            lambda out: np.column_stack([out[0][:, 0] > 0.5, out[1].argmax(1)]).astype(int),
            check_inverse=False)


def multi_output(repeats, epochs):
    X, y5 = make_classification(n_samples=2000, n_features=20, n_informative=10,
                                n_classes=5, random_state=0)
    X = X.astype(np.float32)
    y = np.column_stack([(y5 >= 2).astype(int), y5])

    def keras_two_heads():
        import keras

        keras.utils.set_random_seed(0)
        model = two_heads({"n_features_in_": X.shape[1]})
        model.fit(X, [y[:, 0], y[:, 1]], epochs=epochs, batch_size=32, verbose=0)
        return model

    def skdeep_two_heads():
        return TwoHeads(model=two_heads, epochs=epochs, batch_size=32, random_state=0,
                        n_iter_no_change=epochs).fit(X, y)

    rows, base = [], None
    for name, run in [("skdeep, the notebook's classes", skdeep_two_heads),
                      ("Keras model.fit (what scikeras runs)", keras_two_heads)]:
        run()  # compile once
        t, fitted = timed(run, repeats)
        base = base or t[0]
        if hasattr(fitted, "predict_proba"):
            accuracy = np.mean(fitted.predict(X) == y, axis=0)
        else:
            out = fitted.predict(X, verbose=0)
            accuracy = [np.mean((out[0][:, 0] > 0.5) == y[:, 0]),
                        np.mean(out[1].argmax(1) == y[:, 1])]
        rows.append([name, fmt(t), f"{t[0] / base:.2f}x",
                     f"{accuracy[0]:.3f} / {accuracy[1]:.3f}"])
    print(f"\nTwo outputs (binary + 5 classes, one loss each), 2000 x 20, hidden (64,), "
          f"{epochs} epochs of batch 32, median of {repeats}")
    table(["who", "seconds (min-max)", "vs skdeep", "training accuracy (binary / 5-class)"],
          rows)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
