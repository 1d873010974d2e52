"""Regression targets standardised inside the sequence, image and tabular regressors."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skdeep import CNNRegressor, MLPRegressor, RNNSequenceRegressor, TabularMLPRegressor

RNG = np.random.RandomState(0)
X = RNG.randn(120, 16)
SIGNAL = X[:, :4].sum(axis=1) + 0.1 * RNG.randn(120)
Y_BIG = 5e4 + 1e4 * SIGNAL  # a price-like target

REGRESSORS = [
    RNNSequenceRegressor(units=8, max_iter=40, learning_rate_init=0.01, random_state=0),
    CNNRegressor(filters=(4, 4), max_iter=40, learning_rate_init=0.01, random_state=0),
    TabularMLPRegressor(max_iter=20, random_state=0),
]


@pytest.mark.parametrize("est", REGRESSORS, ids=lambda e: type(e).__name__)
def test_fitting_y_equals_fitting_it_standardised_by_hand(est):
    """The network sees the same numbers whatever the targets' units: the fit on
    ``Y_BIG`` is the fit on ``(Y_BIG - mean) / sd``, its predictions mapped back."""
    mean, sd = Y_BIG.mean(), Y_BIG.std()
    big = clone(est).fit(X, Y_BIG)
    unit = clone(est).fit(X, (Y_BIG - mean) / sd)
    np.testing.assert_allclose(big.loss_curve_, unit.loss_curve_, rtol=2e-3, atol=1e-5)
    np.testing.assert_allclose(big.predict(X), unit.predict(X) * sd + mean, rtol=1e-4)
    assert big.score(X, Y_BIG) == pytest.approx(unit.score(X, (Y_BIG - mean) / sd), abs=1e-4)
    np.testing.assert_allclose(big._target_center, [mean])
    np.testing.assert_allclose(big._target_scale, [sd])
    again = pickle.loads(pickle.dumps(big))
    np.testing.assert_array_equal(again.predict(X), big.predict(X))


def test_the_plain_mlp_keeps_scikit_learns_targets():
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, Y_BIG)
    assert not hasattr(est, "_target_center")


def test_sample_weight_is_a_repeated_row_and_poisson_keeps_counts():
    weights = RNG.randint(0, 3, len(X)).astype(float)
    repeated = np.repeat(np.arange(len(X)), weights.astype(int))
    est = RNNSequenceRegressor(units=2, max_iter=1, random_state=0)
    weighted = clone(est).fit(X, Y_BIG, sample_weight=weights)
    duplicated = clone(est).fit(X[repeated], Y_BIG[repeated])
    np.testing.assert_allclose(weighted._target_center, duplicated._target_center, rtol=1e-12)
    np.testing.assert_allclose(weighted._target_scale, duplicated._target_scale, rtol=1e-12)
    counts = RNG.poisson(3.0, len(X)).astype(float)
    poisson = RNNSequenceRegressor(units=2, max_iter=1, loss="poisson", random_state=0)
    poisson.fit(X, counts)
    assert poisson._target_center.tolist() == [0.0] and poisson._target_scale.tolist() == [1.0]


def test_multi_output_constant_column_and_mc_intervals_in_the_targets_units():
    Y = np.c_[Y_BIG, np.full(len(X), 7.0)]
    est = CNNRegressor(filters=(4,), dense_layer_sizes=(8,), dropout=0.2, max_iter=30,
                       learning_rate_init=0.01, random_state=0).fit(X, Y)
    mean, std = est.predict(X[:20], return_std=True)
    assert mean.shape == std.shape == (20, 2)
    np.testing.assert_array_equal(mean[:, 1], 7.0)  # a constant predicts its value
    assert np.all(std[:, 1] == 0) and np.median(std[:, 0]) > 10  # the units of 1e4 * signal


def test_a_file_pickled_before_the_scaling_predicts_as_it_did():
    est = RNNSequenceRegressor(units=4, max_iter=3, random_state=0).fit(X, SIGNAL)
    raw = est.predict(X)
    state = dict(est.__getstate__())
    for name in ("_target_center", "_target_scale", "_target_spread"):
        del state[name]
    old = RNNSequenceRegressor.__new__(RNNSequenceRegressor)
    old.__setstate__(state)
    # the stored network's outputs, unchanged: it was trained on the raw targets
    np.testing.assert_allclose(old.predict(X), (raw - est._target_center) / est._target_scale,
                               rtol=1e-4, atol=1e-6)
