"""Nothing silent, nothing lost: divergence, Ctrl-C and fork()."""

import multiprocessing
import random
import sys
import warnings

import keras
import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

import pandas as pd  # noqa: E402

from skdeep import (
    CharRNN,
    CNNClassifier,
    CNNRegressor,
    KerasRegressor,
    MLPClassifier,
    MLPRegressor,
    RNNSequenceClassifier,
    RNNSequenceRegressor,
)
from skdeep._engine import cache as _engines
from skdeep._engine.backend import current

X, y = make_classification(n_samples=200, n_features=8, random_state=0)
Xr, yr = make_regression(n_samples=100, n_features=5, random_state=0)


def dense(input_shape, n_outputs):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                             keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(n_outputs)])


series = np.random.RandomState(0).rand(60, 8, 2)


@pytest.mark.parametrize("estimator,data,target", [
    (MLPRegressor(solver="sgd", learning_rate_init=1e6, max_iter=5), Xr, yr),
    (MLPRegressor(solver="sgd", learning_rate_init=1e6, max_iter=5, n_init=2), Xr, yr),
    (CNNRegressor(filters=(4,), solver="sgd", learning_rate_init=1e6, max_iter=5),
     series, 1e3 * series.sum(axis=(1, 2))),
    (RNNSequenceRegressor(units=4, solver="sgd", learning_rate_init=1e8, max_iter=5),
     series, 1e160 * series.sum(axis=(1, 2))),  # its squared error overflows float64
    (KerasRegressor(dense, solver="sgd", learning_rate_init=1e6, max_iter=5), Xr, yr),
], ids=["mlp", "mlp-n_init", "cnn", "rnn", "keras"])
def test_divergence_is_an_error_not_a_fitted_model(estimator, data, target):
    with pytest.raises(ValueError, match=r"(Solver produced non-finite parameter weights|"
                                         r"Training diverged: the loss).*scale the inputs"):
        estimator.fit(data, target)


SKLEARN_NON_FINITE = ("Solver produced non-finite parameter weights. The input data may "
                      "contain large values and need to be preprocessed.")


def test_the_non_finite_error_starts_with_scikit_learns_sentence():
    """Code that matches scikit-learn's message keeps working; skdeep's advice follows."""
    from sklearn.neural_network import MLPRegressor as SkMLPRegressor

    X_big = np.array([[1e150, 1.0], [1.0, 1e150], [-1e150, 2.0], [3.0, -1e150]])
    y_big = [1.0, 2.0, 3.0, 4.0]
    params = dict(hidden_layer_sizes=(4,), solver="sgd", max_iter=5, random_state=0)
    with pytest.raises(ValueError) as theirs:
        SkMLPRegressor(**params).fit(X_big, y_big)
    assert str(theirs.value) == SKLEARN_NON_FINITE
    with pytest.raises(ValueError) as ours:
        MLPRegressor(**params).fit(X_big, y_big)
    assert str(ours.value).startswith(SKLEARN_NON_FINITE + " Training diverged")


@pytest.mark.parametrize("make,data,target", [
    (lambda: MLPClassifier(solver="sgd", learning_rate_init=10, max_iter=30, random_state=0),
     X, y),
    (lambda: CNNClassifier(filters=(4,), solver="sgd", learning_rate_init=10, max_iter=5,
                           conv_dims=2, random_state=0),
     np.random.RandomState(0).randn(40, 8, 1),
     np.arange(40) % 2),
    (lambda: CharRNN(solver="sgd", learning_rate_init=1e6, max_iter=5, random_state=0),
     "the quick brown fox jumps over the lazy dog. " * 20, None),
], ids=["mlp", "cnn", "charrnn"])
def test_a_loss_grown_a_thousandfold_is_a_divergence(make, data, target):
    """The loss stays finite (no inf, no NaN) but ends orders of magnitude above the
    initial weights' loss: an error naming both losses, not a fitted model with only a
    max-iterations warning (scikit-learn's MLP returns such a model silently)."""
    with pytest.raises(ValueError, match=r"Training diverged: the (best epoch's )?loss, "
                                         r"[0-9.e+]+, is more than 1000 times the initial "
                                         r"weights' loss, [0-9.]+ \(solver='sgd'"):
        make().fit(data) if target is None else make().fit(data, target)


def test_scikit_learn_returns_the_thousandfold_loss_silently():
    """What the check above improves on: scikit-learn 1.9 keeps a model whose loss went
    from 0.7 to about 1e33 (same data and settings as the MLP case)."""
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkMLPClassifier(solver="sgd", learning_rate_init=10, max_iter=30,
                              random_state=0).fit(X, y)
    assert ref.loss_ > 1e6 * ref.loss_curve_[0]


def test_a_loss_that_falls_from_far_above_a_constant_guess_is_no_divergence():
    """Unscaled regression targets (mean 1000, spread 1): every loss is a million times a
    constant guess's, but it falls from the initial weights' loss, so the fit stands."""
    rng = np.random.RandomState(0)
    Xs = rng.randn(100, 3)
    ys = 1000 + Xs[:, 0] + 0.1 * rng.randn(100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(Xs, ys)
    assert reg.loss_ > 1e5 and reg.loss_ < reg.loss_curve_[0]


def test_early_stopping_keeps_the_best_epoch_when_the_loss_diverges_later():
    """scikit-learn 1.9: a diverging epoch scores NaN and the best epoch's weights are
    kept, no error. skdeep does the same (and stops there instead of training NaNs to
    max_iter); the scores before the divergence are scikit-learn's."""
    from sklearn.neural_network import MLPRegressor as SkMLPRegressor

    Xd, yd = make_regression(200, 5, noise=1, random_state=0)
    params = dict(solver="sgd", learning_rate_init=0.03, early_stopping=True, max_iter=30,
                  n_iter_no_change=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkMLPRegressor(**params).fit(Xd, yd)
        ours = MLPRegressor(**params).fit(Xd, yd)
    assert np.isnan(ref.validation_scores_[-1]) and np.isnan(ours.validation_scores_[-1])
    finite = np.isfinite(ref.validation_scores_)
    n = min(int(finite.sum()), int(np.isfinite(ours.validation_scores_).sum()))
    np.testing.assert_allclose(ours.validation_scores_[:n],
                               np.asarray(ref.validation_scores_)[finite][:n], rtol=1e-3)
    assert ours.best_validation_score_ == pytest.approx(ref.best_validation_score_, rel=1e-4)
    np.testing.assert_allclose(ours.predict(Xd), ref.predict(Xd), rtol=1e-3, atol=1e-3)
    assert ours.n_iter_ < ref.n_iter_ == 30


def test_early_stopping_with_no_scored_epoch_is_an_error():
    with pytest.raises(ValueError, match=r"^Solver produced non-finite parameter weights\. "
                                         r".*before any epoch had a validation score"):
        MLPRegressor(solver="sgd", learning_rate_init=1e6, early_stopping=True,
                     max_iter=5).fit(Xr, 1e100 * yr)


def test_the_stratified_split_error_reads_as_scikit_learns():
    Xs = np.random.RandomState(0).randn(30, 3)
    ys = np.array([True] * 29 + [False])
    with pytest.raises(ValueError, match=r"^The least populated classes in y have only 1 "
                                         r"member, which is too few\. .*Classes with too few "
                                         r"members are: \[.*False.*\] \(early stopping's"):
        MLPClassifier(early_stopping=True).fit(Xs, ys)


class Interrupt(keras.callbacks.Callback):
    """Presses Ctrl-C at the start of epoch ``at``."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt


def clf(**params):
    return MLPClassifier(**{"hidden_layer_sizes": (16,), "max_iter": 20, "random_state": 0,
                            **params})


def test_ctrl_c_after_some_epochs_keeps_the_last_completed_one():
    with pytest.warns(UserWarning, match="interrupted by user after 3 epoch"):
        net = clf(callbacks=[Interrupt(3)]).fit(X, y)
    assert net.n_iter_ == 3 and len(net.loss_curve_) == 3 and np.isfinite(net.loss_)
    assert net.predict(X).shape == y.shape


def test_ctrl_c_before_the_first_epoch_leaves_the_estimator_as_it_was():
    fresh = clf(callbacks=[Interrupt(0)])
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X, y)
    with pytest.raises(NotFittedError):
        fresh.predict(X)
    assert not hasattr(fresh, "loss_curve_")

    fitted = clf().fit(X, y)
    before = fitted.predict_proba(X)
    fitted.set_params(callbacks=[Interrupt(0)], hidden_layer_sizes=(4,))
    with pytest.raises(KeyboardInterrupt):
        fitted.fit(X, y)
    np.testing.assert_array_equal(fitted.predict_proba(X), before)  # the old fit, intact


def test_ctrl_c_while_the_network_is_built(monkeypatch):
    def interrupted(spec, training=False, placement=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(_engines, "acquire", interrupted)
    net = clf()
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, y)
    with pytest.raises(NotFittedError):
        net.predict(X)


def test_ctrl_c_inside_a_search_stops_the_search():
    search = GridSearchCV(clf(callbacks=[Interrupt(3)]), {"alpha": [1e-4, 1e-2]}, cv=2)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def test_interrupted_lbfgs_leaves_no_stale_compiled_model():
    class StopAt2(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise KeyboardInterrupt

    good = clf(solver="lbfgs", max_iter=50).fit(X, y)
    with pytest.raises(KeyboardInterrupt):
        clf(solver="lbfgs", max_iter=50, callbacks=[StopAt2()]).fit(X, y)
    # small inputs are predicted in NumPy, large ones by the cached compiled model
    big = np.tile(X, (400, 1))
    np.testing.assert_allclose(good.predict_proba(big)[:200], good.predict_proba(X),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_a_forked_child_gets_a_clear_error_instead_of_hanging():
    clf(max_iter=2).fit(X, y)  # TensorFlow runs in this process now
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_fit_in_child, args=(queue,))
    child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung")
    message = queue.get(timeout=10)
    assert message.startswith("RuntimeError") and "loky" in message and "spawn" in message


def _fit_in_child(queue):
    try:
        clf(max_iter=2).fit(X, y)
        queue.put("fitted")
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        queue.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.parametrize("make,bad", [
    (lambda v: MLPClassifier(hidden_layer_sizes=v, max_iter=2), (2.5,)),
    (lambda v: MLPClassifier(hidden_layer_sizes=v, max_iter=2), ("4",)),
    (lambda v: MLPClassifier(hidden_layer_sizes=v, max_iter=2), (4.0,)),
    (lambda v: MLPClassifier(hidden_layer_sizes=v, max_iter=2), (True,)),
    (lambda v: CNNClassifier(dense_layer_sizes=v, max_iter=2), (1.5,)),
    (lambda v: RNNSequenceClassifier(units=v, max_iter=2), (8, 0.5)),
    (lambda v: RNNSequenceClassifier(units=v, max_iter=2), ()),
])
def test_layer_sizes_must_be_positive_integers(make, bad):
    with pytest.raises(ValueError, match="positive integer"):
        make(bad).fit(X, y)


def test_small_faults_get_clear_errors():
    with pytest.raises(NotFittedError):
        CharRNN().predict("hel")
    with pytest.raises(ValueError, match="pass a string or a list of strings, got NoneType"):
        CharRNN().fit(None)
    text = CharRNN(units=4, max_iter=2).fit("hello")
    with pytest.raises(ValueError, match="temperature must be a finite number"):
        text.sample("h", temperature=float("nan"))
    with pytest.raises(ValueError, match="No contexts given"):
        text.predict_proba([])
    frame = pd.DataFrame(X[:, :3], columns=["a", "a", "b"])
    with pytest.raises(ValueError, match=r"duplicated column names \['a'\]"):
        clf(max_iter=2).fit(frame, y)
    with pytest.raises(ValueError, match="non-zero"):
        clf(max_iter=2).fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="must be >= 0.*class_weight"):
        clf(max_iter=2, class_weight={0: -1.0, 1: 1.0}).fit(X, y)


def test_a_seeded_fit_leaves_pythons_random_state_alone():
    _engines.clear_cache()  # a new network is built (Keras seeds its dropout layers)
    random.seed(5)
    expected = random.random()
    random.seed(5)
    clf(hidden_layer_sizes=(13,), dropout=0.2, max_iter=2).fit(X, y)
    assert random.random() == expected


def test_images_of_another_layout_are_refused_with_their_shapes():
    rng = np.random.RandomState(0)
    images = rng.rand(40, 8, 8, 3)
    labels = rng.randint(0, 2, 40)
    net = CNNClassifier(filters=(4,), max_iter=2).fit(images, labels)
    for bad in (rng.rand(3, 8, 3, 8), rng.rand(3, 10, 8, 3), rng.rand(3, 192)):
        with pytest.raises(ValueError, match=rf"samples of shape \({bad.shape[1]},.*fitted on "
                                             r"samples of shape \(8, 8, 3\).*channels last"):
            net.predict(bad)
    gray = CNNClassifier(filters=(4,), max_iter=2).fit(images[..., 0], labels)
    assert gray.predict(images[:3, ..., :1]).shape == (3,)  # an explicit channel axis is fine
    with pytest.raises(ValueError, match=r"\(8, 4, 2\).*\(8, 8\)"):
        gray.predict(rng.rand(3, 8, 4, 2))


def test_a_user_model_that_cannot_take_x_says_which_shapes():
    def fixed_width(n_outputs):
        return keras.Sequential([keras.Input((10,)), keras.layers.Dense(n_outputs)])

    with pytest.raises(ValueError, match=r"cannot take samples of shape \(8,\).*expected "
                                         r"shape=\(None, 10\), found shape=\(None, 8\)"):
        KerasRegressor(fixed_width, max_iter=2).fit(X, X[:, 0])

    def dense_only(n_outputs):
        return keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(n_outputs)])

    with pytest.raises(ValueError, match=r"samples of shape \(5, 3\) it returned shape "
                                         r"\(None, 5, 1\).*Flatten"):
        KerasRegressor(dense_only, max_iter=2).fit(np.random.rand(20, 5, 3), np.random.rand(20))


def test_n_iter_no_change_inf_turns_the_stop_off():
    # scikit-learn 1.9 accepts np.inf; an unimprovable loss (tol huge) still runs max_iter
    net = clf(n_iter_no_change=np.inf, tol=1e9, max_iter=7).fit(X, y)
    assert net.n_iter_ == 7
    assert clf(tol=1e9, max_iter=50).fit(X, y).n_iter_ == 12  # the default patience of 10


import skdeep  # noqa: E402


def _live(kind):
    import gc

    gc.collect()
    return sum(type(o).__name__ == kind for o in gc.get_objects())


def test_new_architectures_do_not_pile_up_engines_or_graphs(monkeypatch):
    """A long random search (a new network per fit) runs in bounded memory.

    Keras' ``optimizer.apply`` in graph code leaked each traced epoch graph
    through TensorFlow's gradient registry, and JAX's caches kept every
    evicted engine alive: ~4-7 MB per architecture that clear_cache never
    gave back.  Counted here as live objects, which is exact.
    """
    from skdeep._engine import cache as _engines

    engine_type = current().engine_class().__name__
    graph_type = "ClosedJaxpr" if engine_type == "JaxEngine" else "FuncGraph"
    skdeep.clear_cache()
    base_engines, base_graphs = _live(engine_type), _live(graph_type)
    monkeypatch.setattr(_engines, "MAX_IDLE_ENGINES", 2)
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    for i in range(7):
        MLPClassifier(hidden_layer_sizes=(3 + i,), max_iter=1).fit(X, y)
        # the cache holds 2; at most 2 evicted ones wait for the next trim
        assert _live(engine_type) - base_engines <= 4
    skdeep.clear_cache()
    assert _live(engine_type) == base_engines
    assert _live(graph_type) <= base_graphs
