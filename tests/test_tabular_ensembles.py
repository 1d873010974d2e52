"""Tabular ensembles trained as one network (n_members; skdeep.layers.MemberAdapter/MemberDense)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.model_selection import GridSearchCV

import skdeep
from skdeep import TabularMLPClassifier, TabularMLPRegressor

X_iris, y_iris = load_iris(return_X_y=True)
X_db, y_db = load_diabetes(return_X_y=True)


def small(cls=TabularMLPClassifier, **params):
    return cls(**{"hidden_layer_sizes": (16,), "max_iter": 8, "random_state": 0,
                  "n_members": 3, **params})


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_the_prediction_is_the_mean_of_each_members_own_softmax():
    clf = small().fit(X_iris, y_iris)
    model = clf.model_
    assert model.output_shape == (None, 9) and clf.n_outputs_ == 3
    assert [layer.name for layer in model.layers][-2:] == ["output", "output_activation"]
    X = clf._validate_X(X_iris).astype(np.float32)  # the network's inputs
    logits = _logits(model, X).astype(np.float64)
    members = softmax(logits.reshape(len(X), 3, 3))  # each member's softmax over its block
    np.testing.assert_allclose(clf.predict_proba(X_iris), members.mean(axis=1), atol=1e-5)
    np.testing.assert_allclose(clf.predict_proba(X_iris).sum(axis=1), 1.0, atol=1e-6)


def _logits(model, X):
    import keras

    return keras.Model(model.inputs, model.get_layer("output").output).predict(X, verbose=0)


def test_members_start_apart_and_share_the_hidden_layers():
    clf = small().fit(X_iris, y_iris)
    weights = {w.path: np.asarray(w) for w in clf.model_.weights}
    signs = weights["members/signs"]
    assert signs.shape[0] == 3 and not np.array_equal(signs[0], signs[1])
    assert weights["dense_0/kernel"].ndim == 2  # shared by every member
    assert weights["output/kernel"].shape[0] == 3  # one head per member


def test_regression_averages_the_members_on_the_target_scale():
    reg = small(TabularMLPRegressor, max_iter=20).fit(X_db, y_db)
    assert reg.predict(X_db).shape == (len(y_db),)
    X = reg._validate_X(X_db).astype(np.float32)
    raw = reg.model_.predict(X, verbose=0).astype(np.float64)  # (n, 3): standardised
    expected = raw.mean(axis=1) * reg._target_scale[0] + reg._target_center[0]
    np.testing.assert_allclose(reg.predict(X_db), expected, rtol=1e-5)
    assert reg.score(X_db, y_db) > 0.3


def test_ensembles_are_reproducible_clone_pickle_and_save(tmp_path):
    clf = small().fit(X_iris, y_iris)
    expected = clf.predict_proba(X_iris)
    np.testing.assert_array_equal(clone(clf).fit(X_iris, y_iris).predict_proba(X_iris), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X_iris), expected)
    skdeep.save(clf, tmp_path / "e.skdeep", format="data")
    np.testing.assert_array_equal(skdeep.load(tmp_path / "e.skdeep").predict_proba(X_iris),
                                  expected)
    assert not np.array_equal(small(random_state=1).fit(X_iris, y_iris).predict_proba(X_iris),
                              expected)


def test_the_ensemble_size_is_fixed_by_the_first_fit():
    clf = small(warm_start=True).fit(X_iris, y_iris)
    clf.set_params(n_members=2)
    with pytest.raises(ValueError, match=r"n_members"):
        clf.fit(X_iris, y_iris)
    clf.set_params(n_members=3).fit(X_iris, y_iris)  # same size: continues
    assert clf.n_iter_ == 8
    with pytest.raises(ValueError, match="n_members"):
        small(n_members=0).fit(X_iris, y_iris)


def test_a_search_over_the_ensemble_size():
    search = GridSearchCV(small(max_iter=4), {"n_members": [1, 2]}, cv=2).fit(X_iris, y_iris)
    assert set(search.cv_results_["param_n_members"]) == {1, 2}
    assert search.best_estimator_.predict(X_iris).shape == (150,)


def test_mc_dropout_averages_members_per_pass():
    clf = small(dropout=0.2, mc_samples=5).fit(X_iris, y_iris)
    mean, std = clf.predict_proba(X_iris, return_std=True)
    assert mean.shape == std.shape == (150, 3)
    np.testing.assert_allclose(mean.sum(axis=1), 1.0, atol=1e-5)
    assert (std > 0).any()
