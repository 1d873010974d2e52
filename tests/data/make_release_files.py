"""Write the saved files that tests/test_persistence.py loads with today's skdeep.

Run once with the release whose files must keep loading (skdeep 0.1.0, commit
62a739a, the package's flat layout before the redesign into layers)::

    PYTHONPATH=<checkout of that commit> python tests/data/make_release_files.py DIR

It writes, for each fitted estimator, ``NAME.skdeep`` (skdeep.save), ``NAME.pkl``
(plain pickle), ``NAME.input.pkl`` (the rows it predicts) and ``NAME.npy`` (what it
predicted then).  The estimators are tiny, so the files are a few kilobytes.
"""

import os
import pickle
import sys

import numpy as np
import pandas as pd

import skdeep
from skdeep import (
    CharRNN, CNNClassifier, KerasClassifier, MLPClassifier, MLPRegressor,
    RNNSequenceClassifier, TabularMLPClassifier,
)
from skdeep.model_selection import GridSearchCV

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from release_model import tiny_network  # noqa: E402 - a user's model function


def make(folder):
    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    y = (X[:, 0] + X[:, 1] > 1).astype(int)
    frame = pd.DataFrame({"a": np.where(rng.rand(60) < 0.1, np.nan, X[:, 0]), "b": X[:, 1],
                          "kind": rng.choice(["u", "v", "w"], 60)})
    images = rng.rand(30, 6, 6, 1)
    sequences = [rng.rand(n, 2) for n in rng.randint(3, 7, 30)]
    fitted = [
        ("mlp_frame", MLPClassifier(hidden_layer_sizes=(5,), dropout=0.2, missing="impute",
                                    max_iter=5, random_state=0).fit(frame, y), frame),
        ("mlp_regressor", MLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=20,
                                       random_state=0).fit(X, X.sum(axis=1)), X),
        ("cnn", CNNClassifier(filters=(2,), dense_layer_sizes=(4,), max_iter=2,
                              random_state=0).fit(images, y[:30]), images),
        ("rnn", RNNSequenceClassifier(units=3, max_iter=2, random_state=0).fit(
            sequences, y[:30]), sequences),
        ("charrnn", CharRNN(units=3, max_iter=2, random_state=0).fit("hello world"),
         ["hel", "wor"]),
        ("keras_model", KerasClassifier(tiny_network, max_iter=3, random_state=0).fit(X, y), X),
        ("tabular_frame", TabularMLPClassifier(hidden_layer_sizes=(4,), max_iter=3,
                                               random_state=0).fit(frame, y), frame),
        ("search", GridSearchCV(MLPClassifier(max_iter=5, random_state=0),
                                {"hidden_layer_sizes": [(3,), (4,)]}, cv=2).fit(X, y), X),
    ]
    for name, est, data in fitted:
        out = est.predict_proba(data) if hasattr(est, "predict_proba") else est.predict(data)
        skdeep.save(est, os.path.join(folder, f"{name}.skdeep"))
        with open(os.path.join(folder, f"{name}.pkl"), "wb") as f:
            pickle.dump(est, f)
        with open(os.path.join(folder, f"{name}.input.pkl"), "wb") as f:
            pickle.dump(data, f)
        np.save(os.path.join(folder, f"{name}.npy"), out)


if __name__ == "__main__":
    make(sys.argv[1])
