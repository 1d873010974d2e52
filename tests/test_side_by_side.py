"""skdeep.model_selection: fits that cannot be grouped train side by side.

skdeep's CNN, RNN and tabular networks (and MLPs the cohort program does not
compute) train in threads before scikit-learn's pass, which then finds each
fitted state instead of training again.  Every test compares with
scikit-learn's own search over the same estimator: training side by side
must change the time, never the results.
"""

import threading
import time
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn import model_selection as sk
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import FitFailedWarning

from skdeep import (CNNClassifier, KerasClassifier, MLPClassifier, RNNSequenceClassifier,
                    TabularMLPRegressor)
from skdeep._estimators import base
from skdeep.model_selection import GridSearchCV

_digits = load_digits()
X_IMG = (_digits.data[:240] / 16.0).reshape(-1, 8, 8, 1)
Y_IMG = _digits.target[:240]
_rng = np.random.RandomState(0)
X_SEQ = _rng.normal(size=(150, 12, 2))
Y_SEQ = (X_SEQ[:, :4, 0].sum(axis=1) > 0).astype(int)
X_RAGGED = [_rng.normal(size=(n, 2)) for n in _rng.randint(4, 15, size=120)]
Y_RAGGED = np.array([int(x[:3, 0].sum() > 0) for x in X_RAGGED])
FRAME = pd.DataFrame({"a": _rng.normal(size=200), "b": _rng.uniform(size=200),
                      "kind": _rng.choice(["x", "y", "z"], size=200)})
Y_FRAME = 2 * FRAME["a"] + (FRAME["kind"] == "x") + _rng.normal(scale=0.1, size=200)


@pytest.fixture
def two_cores(monkeypatch):
    """Two threads side by side, whatever this machine has."""
    monkeypatch.setattr(joblib, "cpu_count", lambda *a, **k: 2)


@pytest.fixture
def fit_log(monkeypatch):
    """Every fit that trains: (thread, start, end)."""
    log = []
    lock = threading.Lock()
    original = base.BaseNeuralEstimator._fit_body

    def logged(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            with lock:
                log.append((threading.get_ident(), start, time.perf_counter()))

    monkeypatch.setattr(base.BaseNeuralEstimator, "_fit_body", logged)
    return log


def _both(estimator, grid, X, y, group_fits=True, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short fits' ConvergenceWarning
        ours = GridSearchCV(estimator, grid, cv=3, group_fits=group_fits, **kwargs).fit(X, y)
        theirs = sk.GridSearchCV(estimator, grid, cv=3, **kwargs).fit(X, y)
    return ours, theirs


def _assert_same(ours, theirs, X):
    for key in theirs.cv_results_:
        if key.startswith(("split", "mean_test", "std_test", "rank")):
            np.testing.assert_allclose(np.asarray(ours.cv_results_[key], dtype=float),
                                       np.asarray(theirs.cv_results_[key], dtype=float),
                                       rtol=1e-6, atol=1e-9, err_msg=key)
    assert ours.best_params_ == theirs.best_params_
    a, b = ours.best_estimator_, theirs.best_estimator_
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("estimator, grid, X, y", [
    (CNNClassifier(filters=(4,), dense_layer_sizes=(16,), max_iter=4, random_state=0),
     {"filters": [(4,), (6,)], "dropout": [0.0, 0.3]}, X_IMG, Y_IMG),
    (RNNSequenceClassifier(units=6, max_iter=4, random_state=0),
     {"units": [4, 6]}, X_SEQ, Y_SEQ),
    # (slow: JAX compiles each bucket of lengths; CI runs it on TensorFlow)
    pytest.param(RNNSequenceClassifier(units=5, max_iter=3, random_state=0),
                 {"dropout": [0.0, 0.2]}, X_RAGGED, Y_RAGGED, marks=pytest.mark.slow),
    (TabularMLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0),
     {"dropout": [0.0, 0.2]}, FRAME, Y_FRAME),
    (MLPClassifier(solver="lbfgs", max_iter=30, random_state=0),
     {"hidden_layer_sizes": [(5,), (9,)]}, *make_classification(150, 6, random_state=0)),
], ids=["cnn", "rnn", "rnn-ragged-list", "tabular-frame", "mlp-lbfgs"])
def test_side_by_side_fits_equal_scikit_learns_search(estimator, grid, X, y, two_cores,
                                                      fit_log):
    ours, theirs = _both(estimator, grid, X, y)
    n_fits = len(ours.cv_results_["params"]) * 3
    assert ours.n_side_fits_ == n_fits and ours.n_grouped_fits_ == 0
    assert ours.side_fit_time_ > 0
    # ours: the fold fits side by side + the refit; scikit-learn's pass took
    # their states instead of training again.  Theirs: every fold + the refit
    assert len(fit_log) == 2 * (n_fits + 1)
    ours_log = fit_log[:n_fits]
    assert len({thread for thread, _, _ in ours_log}) == 2
    spans = sorted((s, e) for _, s, e in ours_log)
    assert any(b[0] < a[1] for a, b in zip(spans, spans[1:]))  # two fits at once
    _assert_same(ours, theirs, X)
    # each fit's own time is in cv_results_, as scikit-learn's would be
    assert np.all(ours.cv_results_["mean_fit_time"] > 0)


def test_side_by_side_is_off_where_scikit_learns_pass_should_run(two_cores, fit_log):
    cnn = CNNClassifier(filters=(4,), dense_layer_sizes=(8,), max_iter=2, random_state=0)
    grid = {"dropout": [0.0, 0.3]}
    # n_jobs=1 asks for one fit at a time; group_fits=False for scikit-learn's search
    for kwargs in ({"n_jobs": 1}, {"group_fits": False}):
        ours, theirs = _both(cnn, grid, X_IMG, Y_IMG, **kwargs)
        assert ours.n_side_fits_ == 0
        _assert_same(ours, theirs, X_IMG)

    # a user's Keras model: its code may touch Keras' process-wide state
    def model(meta):
        import keras

        return keras.Sequential([keras.Input((meta["n_features_in_"],)),
                                 keras.layers.Dense(meta["n_classes_"], activation="softmax")])

    wrapped = KerasClassifier(model=model, epochs=2, random_state=0, verbose=0)
    X, y = make_classification(90, 4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(wrapped, {"batch_size": [16, 32]}, cv=3).fit(X, y)
    assert search.n_side_fits_ == 0 and np.isfinite(search.best_score_)


def test_a_failing_side_fit_scores_error_score_as_in_scikit_learn(two_cores):
    # a 9x9 kernel does not fit 8x8 images (valid padding): that candidate fails
    cnn = CNNClassifier(filters=(4,), dense_layer_sizes=(8,), padding="valid", max_iter=2,
                        random_state=0)
    grid = {"kernel_size": [3, 9]}
    with pytest.warns(FitFailedWarning):
        ours = GridSearchCV(cnn, grid, cv=3).fit(X_IMG, Y_IMG)
    with pytest.warns(FitFailedWarning):
        theirs = sk.GridSearchCV(cnn, grid, cv=3).fit(X_IMG, Y_IMG)
    assert ours.n_side_fits_ == 3  # the failed fits were not kept
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"])
    assert np.isnan(ours.cv_results_["mean_test_score"][1])


def test_refit_at_the_cross_validated_epoch_of_side_by_side_fits(two_cores):
    cnn = CNNClassifier(filters=(4,), dense_layer_sizes=(8,), early_stopping=True,
                        n_iter_no_change=2, max_iter=8, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(cnn, {"dropout": [0.0, 0.3]}, cv=3,
                              refit_epochs="max").fit(X_IMG, Y_IMG)
    assert search.n_side_fits_ == 6
    assert len(search.cv_best_epochs_) == 3
    assert search.refit_epochs_ == search.cv_best_epochs_.max()
    assert search.best_estimator_.n_iter_ == search.refit_epochs_


def test_fingerprints_tell_ragged_series_apart():
    # the registry keys a fit by its data: lists of series of different
    # lengths hash whole (a long array's repr elides its middle)
    from skdeep._cohort.registry import fingerprint

    a = [np.arange(5000.0), np.arange(3.0)]
    b = [np.arange(5000.0), np.arange(3.0)]
    b[0][2500] = -1.0
    assert fingerprint(a) == fingerprint([x.copy() for x in a]) != fingerprint(b)
    objects = np.empty(2, dtype=object)
    objects[:] = a
    changed = objects.copy()
    changed[0] = b[0]
    assert fingerprint(objects) != fingerprint(changed)
    assert fingerprint(np.array(["ab", ""], dtype=object)) != fingerprint(
        np.array(["a", "b"], dtype=object))
