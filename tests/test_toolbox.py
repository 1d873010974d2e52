"""The course's toolbox on the shared core: penalties, dropout and
DropConnect, Monte-Carlo dropout uncertainty, batch normalisation, stopping
on the gradient norm, initialisers, n_init, threshold activations and losses."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skdeep import MLPClassifier, MLPRegressor
from skdeep._engine import cache as _engines
from skdeep._engine.backend import current
from skdeep._engine import core as _engine_core

RNG = np.random.RandomState(0)
X_1D = RNG.uniform(-1, 1, (200, 1))
Y_1D = np.sin(3 * X_1D[:, 0]) + 0.1 * RNG.randn(200)
X_CLF = RNG.randn(150, 5)
Y_CLF = (X_CLF[:, 0] + X_CLF[:, 1] ** 2 > 0.5).astype(int)
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0])


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _all_kernels(est):
    return np.concatenate([w.ravel() for w in est.coefs_])


# ---------------------------------------------------------------- penalties
def test_larger_l1_gives_more_near_zero_weights():
    fractions = []
    for l1 in (0.0, 0.01, 0.1):
        reg = MLPRegressor(hidden_layer_sizes=(32,), l1=l1, max_iter=150, random_state=0,
                           learning_rate_init=0.01).fit(X_1D, Y_1D)
        fractions.append(np.mean(np.abs(_all_kernels(reg)) < 1e-2))
    assert fractions[0] < fractions[1] < fractions[2]
    assert fractions[2] > fractions[0] + 0.15


def test_l1_penalty_value_is_in_the_loss():
    # initialize() reports the loss of the initial weights: the data loss
    # plus l1 * ||W||_1 / n (scaled like alpha), for alpha = 0.
    plain = MLPRegressor(hidden_layer_sizes=(8,), alpha=0.0, random_state=0)
    plain.initialize(X_1D, Y_1D)
    pen = clone(plain).set_params(l1=0.5).initialize(X_1D, Y_1D)
    expected = 0.5 * np.abs(_all_kernels(pen)).sum() / len(X_1D)
    np.testing.assert_allclose(pen.loss_ - plain.loss_, expected, rtol=1e-5)


def _hidden_activations(est, X):
    h = X
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1]):
        h = np.maximum(h @ W + b, 0)
    return h


def test_activity_penalty_shrinks_hidden_activations():
    sizes = []
    for strength in (0.0, 0.05):
        reg = MLPRegressor(hidden_layer_sizes=(16,), activity_l2=strength, max_iter=150,
                           random_state=0, learning_rate_init=0.01).fit(X_1D, Y_1D)
        sizes.append(np.mean(_hidden_activations(reg, X_1D) ** 2))
    assert sizes[1] < 0.5 * sizes[0]


def test_activity_l1_value_is_in_the_loss():
    plain = MLPRegressor(hidden_layer_sizes=(8,), alpha=0.0, random_state=0)
    plain.initialize(X_1D, Y_1D)
    pen = clone(plain).set_params(activity_l1=0.3).initialize(X_1D, Y_1D)
    expected = 0.3 * np.abs(_hidden_activations(pen, X_1D)).sum(axis=1).mean()
    np.testing.assert_allclose(pen.loss_ - plain.loss_, expected, rtol=1e-5)


# ---------------------------------------------------------------- losses
@pytest.mark.parametrize(
    "loss, per_sample",
    [
        ("squared_error", lambda r: 0.5 * r**2),
        ("absolute_error", np.abs),
        ("huber", lambda r: np.where(np.abs(r) <= 1, 0.5 * r**2, np.abs(r) - 0.5)),
    ],
)
def test_regression_losses_match_their_formula(loss, per_sample):
    y = 3 * Y_1D  # residuals on both sides of Huber's threshold
    reg = MLPRegressor(hidden_layer_sizes=(4,), loss=loss, alpha=0.0, random_state=0)
    reg.initialize(X_1D, y)
    residual = y - reg.predict(X_1D)
    np.testing.assert_allclose(reg.loss_, per_sample(residual).mean(), rtol=1e-5)


def test_absolute_error_resists_outliers():
    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, (300, 1))
    y = 2 * X[:, 0]
    outliers = rng.rand(300) < 0.15
    y_noisy = np.where(outliers, y + 20, y)
    errors = {}
    for loss in ("squared_error", "absolute_error"):
        reg = MLPRegressor(hidden_layer_sizes=(16,), loss=loss, max_iter=300, random_state=0,
                           learning_rate_init=0.01).fit(X, y_noisy)
        errors[loss] = np.median(np.abs(reg.predict(X) - y))
    assert errors["absolute_error"] < 0.3 * errors["squared_error"]


# ---------------------------------------------------------------- dropout
def test_dropout_rates_are_weights_not_graph():
    a = MLPClassifier(hidden_layer_sizes=(8, 8), dropout=0.1, max_iter=2, random_state=0)
    b = clone(a).set_params(dropout=(0.3, 0.2))
    c = clone(a).set_params(dropout=0.0)
    a.fit(X_CLF, Y_CLF), b.fit(X_CLF, Y_CLF), c.fit(X_CLF, Y_CLF)
    assert a._spec == b._spec != c._spec  # one compiled engine serves every rate > 0
    rates = {p: float(w) for p, w in zip(b._variable_paths, b._weights) if p.endswith("/rate")}
    assert rates == {"dropout_0/rate": pytest.approx(0.3), "dropout_1/rate": pytest.approx(0.2)}
    layer_names = [layer.name for layer in b.model_.layers]
    assert "dropout_0" in layer_names
    assert "dropout_0" not in [layer.name for layer in c.model_.layers]


def test_dropout_per_layer_length_and_range_are_checked():
    with pytest.raises(ValueError, match="one rate per hidden layer"):
        MLPClassifier(hidden_layer_sizes=(8, 8), dropout=(0.1,), max_iter=2).fit(X_CLF, Y_CLF)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        MLPClassifier(hidden_layer_sizes=(8,), dropout=(1.0,), max_iter=2).fit(X_CLF, Y_CLF)


def test_dropout_is_off_at_prediction_and_changes_training():
    base = dict(hidden_layer_sizes=(32,), max_iter=20, random_state=0)
    with_dropout = MLPRegressor(**base, dropout=0.5).fit(X_1D, Y_1D)
    without = MLPRegressor(**base).fit(X_1D, Y_1D)
    assert not np.allclose(with_dropout.loss_curve_, without.loss_curve_)
    p1, p2 = with_dropout.predict(X_1D), with_dropout.predict(X_1D)
    np.testing.assert_array_equal(p1, p2)


def test_dropout_fit_is_reproducible_and_cache_independent():
    params = dict(hidden_layer_sizes=(16,), dropout=0.3, max_iter=10, random_state=4)
    first = MLPRegressor(**params).fit(X_1D, Y_1D)
    _engines.clear_cache()
    second = MLPRegressor(**params).fit(X_1D, Y_1D)
    third = MLPRegressor(**params).fit(X_1D, Y_1D)  # from the cache
    np.testing.assert_allclose(first.loss_curve_, second.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(first.loss_curve_, third.loss_curve_, rtol=1e-6)


def test_mc_dropout_spread_grows_far_from_the_data():
    reg = MLPRegressor(hidden_layer_sizes=(64, 64), dropout=0.1, max_iter=200,
                       learning_rate_init=0.01, random_state=0).fit(X_1D, Y_1D)
    grid = np.array([[-4.0], [0.0], [4.0]])
    mean, std = reg.predict(grid, return_std=True)
    assert mean.shape == std.shape == (3,)
    assert std[0] > 2 * std[1] and std[2] > 2 * std[1]
    interval = reg.predict_interval(grid, confidence=0.9)
    assert interval.shape == (3, 2) and np.all(interval[:, 0] < interval[:, 1])
    width = interval[:, 1] - interval[:, 0]
    assert width[0] > 2 * width[1] and width[2] > 2 * width[1]
    # the MC mean stays close to the deterministic prediction on the data
    near_mean, _ = reg.predict(X_1D, return_std=True)
    assert np.mean(np.abs(near_mean - reg.predict(X_1D))) < 0.1


def test_mc_predictions_are_reproducible_and_survive_pickle():
    reg = MLPRegressor(hidden_layer_sizes=(16,), dropout=0.2, mc_samples=30, max_iter=5,
                       random_state=0).fit(X_1D, Y_1D)
    first = reg.predict(X_1D, return_std=True)
    second = reg.predict(X_1D, return_std=True)
    restored = pickle.loads(pickle.dumps(reg)).predict(X_1D, return_std=True)
    for a, b, c in zip(first, second, restored):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-6)
    # the MC call does not disturb later training from the same engine
    cont = clone(reg).set_params(warm_start=True).fit(X_1D, Y_1D)
    again = clone(reg).set_params(warm_start=True).fit(X_1D, Y_1D)
    np.testing.assert_allclose(cont.loss_curve_, again.loss_curve_, rtol=1e-6)


def test_mc_sampling_is_one_compiled_call(monkeypatch):
    reg = MLPRegressor(hidden_layer_sizes=(8,), dropout=0.2, mc_samples=50, max_iter=3,
                       random_state=0).fit(X_1D, Y_1D)

    def no_loop(*args, **kwargs):
        raise AssertionError("MC sampling must not call predict once per sample")

    monkeypatch.setattr(current().engine_class(), "predict", no_loop)
    calls = []
    original = current().engine_class().mc_predict

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(current().engine_class(), "mc_predict", counting)
    mean, std = reg.predict(X_1D[:20], return_std=True)
    assert len(calls) == 1 and std.shape == (20,) and np.all(std > 0)


def test_classifier_proba_with_std_and_multioutput_intervals():
    clf = MLPClassifier(hidden_layer_sizes=(16,), dropout=0.3, max_iter=30,
                        random_state=0).fit(X_CLF, Y_CLF)
    proba, std = clf.predict_proba(X_CLF[:10], return_std=True)
    assert proba.shape == std.shape == (10, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(std[:, 0], std[:, 1], rtol=1e-4, atol=1e-7)
    assert np.all(std > 0)
    Y2 = np.column_stack([Y_1D, -Y_1D])
    reg = MLPRegressor(hidden_layer_sizes=(8,), dropout=0.2, max_iter=3,
                       random_state=0).fit(X_1D, Y2)
    assert reg.predict(X_1D[:4], return_std=True)[1].shape == (4, 2)
    assert reg.predict_interval(X_1D[:4]).shape == (4, 2, 2)


def test_uncertainty_without_dropout_is_a_clear_error():
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(X_1D, Y_1D)
    with pytest.raises(ValueError, match="no dropout or dropconnect"):
        reg.predict(X_1D, return_std=True)
    with pytest.raises(ValueError, match="no dropout or dropconnect"):
        reg.predict_interval(X_1D)
    with pytest.raises(ValueError, match="confidence"):
        clone(reg).set_params(dropout=0.1).fit(X_1D, Y_1D).predict_interval(X_1D, 1.5)


def test_batch_normalization_statistics_are_exact_after_fit():
    reg = MLPRegressor(hidden_layer_sizes=(32,), batch_normalization=True, max_iter=100,
                       learning_rate_init=0.01, random_state=0).fit(X_1D, Y_1D)
    # 100 updates leave momentum-0.99 moving averages far off; the fit
    # recomputes them, so predictions use the training data's statistics
    assert reg.score(X_1D, Y_1D) > 0.85
    paths = reg._variable_paths
    pre = X_1D @ reg.coefs_[0] + reg.intercepts_[0]
    np.testing.assert_allclose(reg._weights[paths.index("batchnorm_0/moving_mean")],
                               pre.mean(axis=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(reg._weights[paths.index("batchnorm_0/moving_variance")],
                               pre.var(axis=0), rtol=1e-3, atol=1e-6)


def test_dropconnect_with_batch_normalization():
    reg = MLPRegressor(hidden_layer_sizes=(32,), dropconnect=0.3, batch_normalization=True,
                       max_iter=100, learning_rate_init=0.01, random_state=0).fit(X_1D, Y_1D)
    # a heavy, noisy regulariser: R^2 0.71 on TensorFlow's random stream, 0.55 on JAX's
    assert reg.score(X_1D, Y_1D) > 0.5
    assert type(reg.model_.get_layer("dense_0")).__name__ == "DropConnectDense"
    before = [w.copy() for w in reg._weights]
    mean, std = reg.predict(X_1D, return_std=True)  # DropConnect alone gives a spread
    assert np.all(std > 0)
    for a, b in zip(before, reg._weights):  # sampling leaves the fitted state alone
        np.testing.assert_array_equal(a, b)


def test_stochastic_regularisers_need_a_stochastic_solver():
    with pytest.raises(ValueError, match="L-BFGS"):
        MLPRegressor(solver="lbfgs", dropout=0.2).fit(X_1D, Y_1D)


def test_warm_start_may_change_rates_but_not_add_dropout():
    reg = MLPRegressor(hidden_layer_sizes=(8,), dropout=0.2, max_iter=3, warm_start=True,
                       random_state=0).fit(X_1D, Y_1D)
    reg.set_params(dropout=0.4).fit(X_1D, Y_1D)
    assert float(reg._weights[reg._variable_paths.index("dropout_0/rate")]) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="dropout"):
        reg.set_params(dropout=0.0).fit(X_1D, Y_1D)


def test_grid_search_over_hidden_sizes_and_dropout_traces_once_per_architecture(monkeypatch):
    built = []
    original = _engine_core._EngineCore.__init__

    def counting(self, spec):
        built.append(spec)
        original(self, spec)

    _engines.clear_cache()
    monkeypatch.setattr(_engine_core._EngineCore, "__init__", counting)
    search = GridSearchCV(
        MLPClassifier(max_iter=20, random_state=0, learning_rate_init=0.01),
        {"hidden_layer_sizes": [(8,), (16,)], "dropout": [0.1, 0.3]},
        cv=3,
    ).fit(X_CLF, Y_CLF)
    assert len(set(built)) == 2  # one compiled engine per hidden size, shared by rates
    assert search.best_score_ > 0.7


# ---------------------------------------------------------------- stopping, init
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_gradient_norm_criterion(solver):
    reg = MLPRegressor(hidden_layer_sizes=(16,), solver=solver, min_grad_norm=0.05,
                       max_iter=1000, tol=0.0, learning_rate_init=0.01, random_state=0)
    reg.fit(X_1D, Y_1D)
    assert reg.n_iter_ < 1000
    assert len(reg.grad_norm_curve_) == reg.n_iter_
    assert reg.grad_norm_curve_[-1] < 0.05 <= min(reg.grad_norm_curve_[:-1])
    assert reg.history_["grad_norm"] == reg.grad_norm_curve_
    assert MLPRegressor(max_iter=2).fit(X_1D, Y_1D).grad_norm_curve_ is None


def test_full_batch_grad_norm_is_the_gradient_norm():
    # with one batch per epoch, the recorded norm is the norm of the full
    # gradient at the epoch's starting weights, the same as L-BFGS computes
    reg = MLPRegressor(hidden_layer_sizes=(4,), solver="sgd", batch_size="full", momentum=0.0,
                       learning_rate_init=1e-12, min_grad_norm=1e-9, max_iter=1, alpha=0.0,
                       random_state=0).fit(X_1D, Y_1D)
    start = MLPRegressor(hidden_layer_sizes=(4,), alpha=0.0, random_state=0).initialize(X_1D, Y_1D)
    engine = _engines.acquire(start._spec)
    try:
        engine.set_weights(start._weights, start._weights_token)
        data = (a.astype(start._spec.dtype) for a in (X_1D, Y_1D[:, None], np.ones(len(X_1D))))
        _, _, grad = engine.loss_and_grad(
            engine.trainable_flat(), *engine.tensors(*data, pad=False), (0, 0, 0, 0))
    finally:
        _engines.release(engine)
    np.testing.assert_allclose(reg.grad_norm_curve_[0], np.linalg.norm(grad), rtol=1e-5)


def test_kernel_initializer_distribution_and_seeding():
    X = RNG.randn(50, 300)
    y = RNG.randn(50)
    reg = MLPRegressor(hidden_layer_sizes=(200,), kernel_initializer="he_normal", random_state=0)
    reg.initialize(X, y)
    W = reg.coefs_[0]
    assert abs(W.std() / np.sqrt(2 / 300) - 1) < 0.1
    assert np.all(reg.intercepts_[0] == 0)
    again = clone(reg).initialize(X, y)
    other = clone(reg).set_params(random_state=1).initialize(X, y)
    np.testing.assert_array_equal(W, again.coefs_[0])
    assert not np.allclose(W, other.coefs_[0])
    zeros = clone(reg).set_params(kernel_initializer="zeros").initialize(X, y)
    assert np.all(zeros.coefs_[0] == 0)
    with pytest.raises(ValueError, match="not a Keras initializer"):
        clone(reg).set_params(kernel_initializer="nope").initialize(X, y)


def test_n_init_keeps_the_best_run():
    reg = MLPRegressor(hidden_layer_sizes=(3,), n_init=4, max_iter=30, random_state=0)
    reg.fit(X_1D, Y_1D)
    assert reg.init_scores_.shape == (4,) and len(set(reg.init_scores_)) == 4
    assert reg.best_init_ == int(np.argmin(reg.init_scores_))
    assert reg.loss_ == reg.init_scores_.min() == reg.loss_curve_[-1]
    # every restart draws from its own generator seeded from random_state: the
    # fit is reproducible, and a restart does not depend on those before it
    again = clone(reg).fit(X_1D, Y_1D)
    np.testing.assert_allclose(again.init_scores_, reg.init_scores_, rtol=1e-6)
    fewer = clone(reg).set_params(n_init=2).fit(X_1D, Y_1D)  # restart k: k-th seed
    np.testing.assert_allclose(fewer.init_scores_, reg.init_scores_[:2], rtol=1e-6)

    clf = MLPClassifier(hidden_layer_sizes=(4,), n_init=3, early_stopping=True, max_iter=30,
                        random_state=0).fit(X_CLF, Y_CLF)
    assert clf.best_validation_score_ == clf.init_scores_.max()
    assert clf.best_init_ == int(np.argmax(clf.init_scores_))


# ---------------------------------------------------------------- perceptron and step
def test_perceptron_fails_xor_and_a_hidden_layer_solves_it():
    params = dict(solver="lbfgs", max_iter=500, random_state=0)
    perceptron = MLPClassifier(hidden_layer_sizes=(), **params).fit(XOR_X, XOR_Y)
    assert perceptron.score(XOR_X, XOR_Y) <= 0.75  # not linearly separable
    hidden = MLPClassifier(hidden_layer_sizes=(2,), activation="tanh", n_init=5, **params)
    assert hidden.fit(XOR_X, XOR_Y).score(XOR_X, XOR_Y) == 1.0


@pytest.mark.parametrize("activation, hidden_bias",
                         [("step", [-0.5, -1.5]), ("sign", [-0.5, -1.5])])
def test_threshold_activations_predict_with_assigned_weights(activation, hidden_bias):
    clf = MLPClassifier(hidden_layer_sizes=(2,), activation=activation)
    with pytest.raises(ValueError, match="zero gradient"):
        clf.fit(XOR_X, XOR_Y)
    clf.initialize(XOR_X, XOR_Y)
    assert clf.n_iter_ == 0 and np.isfinite(clf.loss_)
    # hidden units: OR and AND of the inputs; output: OR and not AND
    clf.coefs_ = [np.ones((2, 2)), np.array([[1.0], [-2.0]])]
    clf.intercepts_ = [np.array(hidden_bias), np.array([-0.5 if activation == "step" else -2.0])]
    np.testing.assert_array_equal(clf.predict(XOR_X), XOR_Y)
