"""Default settings never warn: every estimator fitted with its defaults on a small table.

Only the number of epochs is lowered (to keep the suite fast), so the one
warning allowed is scikit-learn's ConvergenceWarning of a fit stopped by
``max_iter``; anything else -- a clipped batch size, a Keras or TensorFlow
warning, a deprecation -- fails the test.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

import skdeep


def _model(n_features_in, n_outputs):
    import keras

    inputs = keras.Input((n_features_in,))
    return keras.Model(inputs, keras.layers.Dense(n_outputs)(keras.layers.Dense(8)(inputs)))


def _cases():
    rng = np.random.RandomState(0)
    n = 60  # fewer rows than any default batch size
    table = pd.DataFrame({"x": rng.randn(n), "count": rng.poisson(3, n),
                          "kind": rng.choice(["a", "b", "c"], n)})
    labels = np.where(table["x"] + rng.randn(n) > 0, "yes", "no")
    values = table["x"].to_numpy() * 2 + rng.randn(n)
    numbers = table[["x", "count"]].to_numpy(dtype=float)
    images = rng.rand(n, 8, 8)
    series = rng.randn(n, 12, 2)
    return [
        (skdeep.MLPClassifier, table, labels),
        (skdeep.MLPRegressor, table, values),
        (skdeep.TabularMLPClassifier, table, labels),
        (skdeep.TabularMLPRegressor, table, values),
        (skdeep.CNNClassifier, images, labels),
        (skdeep.CNNRegressor, images, values),
        (skdeep.RNNSequenceClassifier, series, labels),
        (skdeep.RNNSequenceRegressor, series, values),
        (lambda **kw: skdeep.KerasClassifier(_model, **kw), numbers, labels),
        (lambda **kw: skdeep.KerasRegressor(_model, **kw), numbers, values),
    ]


@pytest.mark.parametrize("index", range(10), ids=[
    "MLPClassifier", "MLPRegressor", "TabularMLPClassifier", "TabularMLPRegressor",
    "CNNClassifier", "CNNRegressor", "RNNSequenceClassifier", "RNNSequenceRegressor",
    "KerasClassifier", "KerasRegressor"])
def test_a_default_fit_and_prediction_never_warn(index):
    make, X, y = _cases()[index]
    est = make(max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=3 stops it early
        est.fit(X, y)
        est.predict(X)
        est.score(X, y)


def test_charrnn_defaults_never_warn():
    texts = ["the cat sat on the mat", "a dog ran in the fog"] * 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)
        lm = skdeep.CharRNN(units=8, max_iter=2, random_state=0).fit(texts)
        assert len(lm.sample("th", n_chars=5, random_state=0)) == 7
