"""The ``precision`` parameter: the dtype a network computes in, whatever the input's.

'auto' keeps scikit-learn parity for the drop-in MLPs (float64 data trains in
float64) and is float32 for the image, sequence and tabular networks;
predictions come back in the input's dtype; a float32 fit stays within
float32's precision of the float64 one; searches, sparse rows, warm starts,
clones and pickles keep it.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn import model_selection as sk
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

from skdeep import (CNNClassifier, KerasRegressor, MLPClassifier, MLPRegressor,
                    RNNSequenceRegressor, TabularMLPRegressor)
from skdeep.model_selection import GridSearchCV

X, y = make_classification(200, 8, n_informative=5, random_state=0)  # float64
XR, yR = make_regression(200, 6, noise=3.0, random_state=0)
yR = yR / yR.std()


def _quiet_fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


def _dense_model(n_features_in, n_outputs):
    import keras

    inputs = keras.Input((n_features_in,))
    hidden = keras.layers.Dense(8, activation="tanh")(inputs)
    return keras.Model(inputs, keras.layers.Dense(n_outputs)(hidden))


def _families():
    images = np.random.RandomState(0).rand(60, 6, 6)
    labels = (images.mean(axis=(1, 2)) > 0.5).astype(int)
    series = np.random.RandomState(1).randn(60, 7, 2)
    return [
        (MLPClassifier(hidden_layer_sizes=(6,), max_iter=5, random_state=0), X, y, None),
        (MLPRegressor(hidden_layer_sizes=(6,), max_iter=5, random_state=0), XR, yR, None),
        (CNNClassifier(filters=(2,), kernel_size=(3,), dense_layer_sizes=(), max_iter=3,
                       random_state=0), images, labels, "float32"),
        (RNNSequenceRegressor(units=4, max_iter=3, random_state=0), series,
         series.sum(axis=(1, 2)), "float32"),
        (TabularMLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0), XR, yR,
         "float32"),
        (KerasRegressor(_dense_model, max_iter=3, random_state=0), XR, yR, None),
    ]


@pytest.mark.parametrize("index", range(6), ids=["mlp-classifier", "mlp-regressor", "cnn",
                                                 "rnn", "tabular", "keras-wrapper"])
def test_every_estimator_computes_in_the_precision_asked_for(index):
    est, Xf, yf, auto = _families()[index]
    # 'auto': the family's rule -- the input's dtype, or float32
    _quiet_fit(est, Xf, yf)
    assert est._spec.dtype == (auto or "float64")
    for precision, data_dtype in (("float32", np.float64), ("float64", np.float32)):
        fitted = _quiet_fit(clone(est).set_params(precision=precision), Xf.astype(data_dtype),
                            yf)
        assert fitted._spec.dtype == precision
        kernels = [w for w, p in zip(fitted._weights, fitted._variable_paths)
                   if p.endswith("/kernel")]
        assert kernels and all(w.dtype == np.dtype(precision) for w in kernels)
        # predictions come back in the dtype of the input
        predict = getattr(fitted, "predict_proba", fitted.predict)
        for given in (np.float32, np.float64):
            out = predict(Xf.astype(given))
            # the tabular network's predictions are float64 (documented)
            assert out.dtype == (np.float64 if index == 4 else given)


def test_auto_keeps_scikit_learn_parity_and_float32_stays_within_its_precision():
    from sklearn.neural_network import MLPRegressor as SkMLP

    params = dict(hidden_layer_sizes=(10,), activation="tanh", max_iter=30, random_state=0,
                  solver="sgd", learning_rate_init=0.01, batch_size=32, shuffle=True)
    ours = _quiet_fit(MLPRegressor(**params), XR, yR)
    theirs = _quiet_fit(SkMLP(**params), XR, yR)
    # the default computes in float64 and follows scikit-learn's loss curve
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    single = _quiet_fit(MLPRegressor(precision="float32", **params), XR, yR)
    assert single.predict(XR).dtype == np.float64
    np.testing.assert_allclose(single.loss_curve_, ours.loss_curve_, rtol=2e-4)
    np.testing.assert_allclose(single.predict(XR), ours.predict(XR), rtol=1e-3, atol=1e-3)


def test_a_grid_search_trains_float32_candidates_together_as_alone():
    grid = {"hidden_layer_sizes": [(6,), (10,)], "dropout": [0.0, 0.2]}
    est = MLPClassifier(precision="float32", max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = GridSearchCV(est, grid, cv=3).fit(X, y)
        theirs = sk.GridSearchCV(est, grid, cv=3).fit(X, y)
    assert ours.n_grouped_fits_ == 12
    assert ours.best_estimator_._spec.dtype == "float32"
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], atol=1e-6)
    np.testing.assert_allclose(ours.best_estimator_.loss_curve_,
                               theirs.best_estimator_.loss_curve_, rtol=1e-4)


def test_sparse_rows_train_in_float32():
    Xs = sp.csr_matrix(np.where(np.abs(X) > 1.0, X, 0.0))
    params = dict(hidden_layer_sizes=(6,), max_iter=8, random_state=0, precision="float32")
    sparse = _quiet_fit(MLPClassifier(**params), Xs, y)
    dense = _quiet_fit(MLPClassifier(**params), Xs.toarray(), y)
    assert sparse._spec.dtype == "float32" and sparse._sparse_input
    proba = sparse.predict_proba(Xs)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, dense.predict_proba(Xs.toarray()), atol=1e-5)


def test_warm_start_keeps_the_first_fits_precision():
    est = _quiet_fit(MLPRegressor(hidden_layer_sizes=(5,), max_iter=3, random_state=0,
                                  warm_start=True, precision="float32"), XR, yR)
    _quiet_fit(est.set_params(precision="auto"), XR, yR)  # 'auto' continues as fitted
    assert est._spec.dtype == "float32"
    with pytest.raises(ValueError, match=r"computes in float32; precision='float64'"):
        est.set_params(precision="float64").fit(XR, yR)
    with pytest.raises(ValueError, match="computes in float32"):
        est.partial_fit(XR, yR)
    est.set_params(precision="float32").partial_fit(XR, yR)


def test_bad_precision_is_refused_by_name_and_kept_by_clone_and_pickle():
    with pytest.raises(ValueError, match="'precision' parameter of MLPClassifier .* Got 'float16'"):
        MLPClassifier(precision="float16").fit(X, y)
    est = _quiet_fit(MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0,
                                   precision="float32"), X, y)
    assert clone(est).precision == "float32"
    back = pickle.loads(pickle.dumps(est))
    assert back._spec.dtype == "float32"
    np.testing.assert_array_equal(back.predict_proba(X), est.predict_proba(X))


def test_float64_fits_of_a_search_train_one_at_a_time_where_cohorts_are_32_bit():
    # the drop-in MLPs follow float64 data into float64; JAX's cohort programs run
    # in 32 bits, so such fits train in scikit-learn's pass, one engine per
    # architecture reused fold after fold (before, each fit compiled its own in a
    # thread of its own: 30 s for a search scikit-learn's GridSearchCV over
    # skdeep ran in 0.7 s)
    from skdeep._cohort import data_dtype
    from skdeep._engine.backend import current

    grid = {"hidden_layer_sizes": [(6,), (10,)], "alpha": [1e-4, 1e-2]}
    est = MLPClassifier(max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = GridSearchCV(est, grid, cv=3).fit(X, y)
        theirs = sk.GridSearchCV(est, grid, cv=3).fit(X, y)
    assert ours.best_estimator_._spec.dtype == "float64"
    if current().float64_programs:
        assert ours.n_grouped_fits_ == 12
    else:
        assert ours.n_grouped_fits_ == ours.n_side_fits_ == 0
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], atol=1e-6)
    np.testing.assert_allclose(ours.best_estimator_.loss_curve_,
                               theirs.best_estimator_.loss_curve_, rtol=1e-6)
    # the data's dtype as the networks' validation gives it
    assert data_dtype(X) == np.float64 and data_dtype(X.astype(np.float32)) == np.float32
    frame = pd.DataFrame(X.astype(np.float32))
    assert data_dtype(frame) == np.float32
    assert data_dtype(frame.assign(extra=1)) == np.float64  # an int column
    assert data_dtype(frame.astype("Float32")) == np.float64  # pandas' own dtype
