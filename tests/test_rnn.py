"""RNNSequenceClassifier / RNNSequenceRegressor: layouts, ragged input, masking."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skdeep import RNNSequenceClassifier, RNNSequenceRegressor
from skdeep.datasets import load_japanese_vowels

# one full batch per epoch (what batch_size="auto" meant for these 120 rows before
# the step budget): these tests are about layouts and padding, not the budget
SMALL = dict(units=8, max_iter=30, learning_rate_init=0.02, batch_size="full", random_state=0)


def _ragged(n=120, seed=0, features=1):
    """Sequences of 4..14 steps; the class is the sign of the sum of feature 0."""
    rng = np.random.RandomState(seed)
    X = [rng.randn(rng.randint(4, 15), features) for _ in range(n)]
    y = np.array(["pos" if x[:, 0].sum() > 0 else "neg" for x in X])
    return X, y


X_RAGGED, Y_RAGGED = _ragged()



@pytest.mark.parametrize(
    "make_X, n_features, max_length",
    [
        (lambda: np.stack([x[:4, 0] for x in X_RAGGED]), 1, 4),  # (n, t) univariate
        (lambda: np.stack([x[:4] for x in X_RAGGED]).repeat(3, axis=2), 3, 4),  # (n, t, f)
        (lambda: X_RAGGED, 1, 14),  # list of (t_i, 1)
        (lambda: [x[:, 0] for x in X_RAGGED], 1, 14),  # list of 1-D arrays
        (lambda: pd.Series([x[:, 0] for x in X_RAGGED]), 1, 14),  # a column of arrays
        (lambda: np.array([x[:, 0] for x in X_RAGGED], dtype=object), 1, 14),
    ],
)
def test_input_layouts(make_X, n_features, max_length):
    X = make_X()
    clf = RNNSequenceClassifier(**SMALL).fit(X, Y_RAGGED)
    assert clf.n_step_features_ == n_features
    assert clf.max_length_ == max_length
    assert clf.classes_.tolist() == ["neg", "pos"]
    proba = clf.predict_proba(X)
    assert proba.shape == (len(Y_RAGGED), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert clf.score(X, Y_RAGGED) > 0.7


@pytest.mark.parametrize("cell, bidirectional, readout, conv_filters, pool_size", [
    ("lstm", False, "last", (), 1), ("gru", False, "last", (), 1),
    ("simple", False, "last", (), 1), ("lstm", True, "last", (), 1),
    ("gru", True, "last", (), 1), ("simple", True, "last", (), 1),
    # pooled read-outs: padding steps never enter the mean or the maximum
    ("gru", False, "mean", (), 1), ("lstm", True, "max", (), 1), ("simple", False, "max", (), 1),
    # a convolutional front end: padding reset to 0 after each unit, batch norm over
    # the real steps, pooling windows from each series' first step (4-step series
    # pooled by 3 end in a partial window, padded or not)
    ("gru", False, "auto", (4, 4), "auto"), ("lstm", True, "last", (3,), 3),
    ("simple", False, "mean", (4, 4), 2), ("gru", False, "max", (4,), 1),
])
def test_padding_never_changes_predictions(cell, bidirectional, readout, conv_filters,
                                           pool_size):
    clf = RNNSequenceClassifier(cell=cell, bidirectional=bidirectional, readout=readout,
                                conv_filters=conv_filters, pool_size=pool_size,
                                dense_layer_sizes=(5,), **{**SMALL, "units": (6, 4)})
    clf.fit(X_RAGGED, Y_RAGGED)
    short = [x for x in X_RAGGED if len(x) == 4][:3]
    alone = clf.predict_proba(short)  # padded to 4 steps: no padding at all
    with_long = clf.predict_proba(short + [np.ones((40, 1))])[:3]  # padded to 40 steps
    np.testing.assert_allclose(alone, with_long, rtol=1e-5, atol=1e-6)
    # one by one equals batched
    single = np.vstack([clf.predict_proba([x]) for x in X_RAGGED[:5]])
    np.testing.assert_allclose(single, clf.predict_proba(X_RAGGED)[:5], rtol=1e-5, atol=1e-6)


def test_zero_valued_steps_are_data_not_padding():
    """Real zeros are not mistaken for padding (unlike Keras' Masking(0))."""
    X = [np.r_[np.zeros(k), 1.0] for k in range(1, 9)] * 10
    y = np.array([len(x) > 5 for x in X])  # at least five leading zeros
    clf = RNNSequenceClassifier(units=16, max_iter=150, learning_rate_init=0.02,
                                random_state=0).fit(X, y)
    assert clf.score(X, y) == 1.0


def test_array_length_is_fixed_but_lists_are_free():
    X = np.stack([x[:4, 0] for x in X_RAGGED])
    clf = RNNSequenceClassifier(**SMALL).fit(X, Y_RAGGED)
    assert clf.n_features_in_ == 4
    with pytest.raises(ValueError, match="expecting 4 features"):
        clf.predict(X[:, :3])
    assert clf.predict([x[:, 0] for x in X_RAGGED[:4]]).shape == (4,)  # any lengths
    ragged = RNNSequenceClassifier(**SMALL).fit(X_RAGGED, Y_RAGGED)
    assert not hasattr(ragged, "n_features_in_")
    assert ragged.predict(X).shape == (len(X),)


def test_clear_errors_on_bad_sequences():
    clf = RNNSequenceClassifier(**SMALL)
    words = np.array([["a", "b"], ["c", "d"]], dtype=object)
    with pytest.raises(ValueError, match="numeric sequences.*CharRNN"):
        clf.fit(words, [0, 1])
    with pytest.raises(ValueError, match="numeric sequences"):
        clf.fit(["hello", "world"], [0, 1])
    with pytest.raises(ValueError, match="numeric sequences"):
        clf.fit([np.array(["a", "b"]), np.array(["c"])], [0, 1])
    with pytest.raises(ValueError, match="same number of features"):
        clf.fit([np.ones((3, 2)), np.ones((4, 3))], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        clf.fit([np.ones(3), np.ones(0)], [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        clf.fit([np.ones(3), np.array([1.0, np.nan])], [0, 1])
    fitted = RNNSequenceClassifier(**SMALL).fit(X_RAGGED, Y_RAGGED)
    with pytest.raises(ValueError, match="2 features per step.*fitted with 1"):
        fitted.predict([np.ones((3, 2))])


def test_standardize_uses_real_steps_only():
    clf = RNNSequenceClassifier(**SMALL).fit(X_RAGGED, Y_RAGGED)
    steps = np.concatenate(X_RAGGED)
    layer = clf.model_.get_layer("standardize")
    np.testing.assert_allclose(np.asarray(layer.mean), steps.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(layer.variance), steps.var(axis=0), rtol=1e-5)


def test_seeded_initialisation_and_reproducibility():
    a = RNNSequenceClassifier(**SMALL).fit(X_RAGGED, Y_RAGGED)
    b = RNNSequenceClassifier(**SMALL).fit(X_RAGGED, Y_RAGGED)
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    c = RNNSequenceClassifier(**{**SMALL, "random_state": 1}).fit(X_RAGGED, Y_RAGGED)
    assert a.loss_curve_[0] != c.loss_curve_[0]
    # Keras' own initial values: orthogonal recurrent kernel, LSTM forget bias 1
    init = RNNSequenceClassifier(cell="lstm", units=8, random_state=0).initialize(
        X_RAGGED, Y_RAGGED)
    paths = init._variable_paths
    recurrent = init._weights[paths.index("hidden_0/lstm_cell/recurrent_kernel")]
    assert recurrent.shape == (8, 32)  # four gates side by side, orthonormal rows
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(8), atol=1e-5)
    bias = init._weights[paths.index("hidden_0/lstm_cell/bias")]
    np.testing.assert_array_equal(bias, np.r_[np.zeros(8), np.ones(8), np.zeros(16)])


def test_regressor_on_a_time_series_and_mc_dropout():
    t = np.arange(300) * 0.3
    series = np.sin(t)
    windows = np.stack([series[i : i + 10] for i in range(280)])
    target = series[10:290]
    reg = RNNSequenceRegressor(cell="gru", units=12, dropout=0.1, max_iter=60,
                               learning_rate_init=0.01, random_state=0).fit(windows, target)
    assert reg.score(windows, target) > 0.95
    mean, std = reg.predict(windows[:5], return_std=True)
    assert mean.shape == std.shape == (5,)
    assert (std > 0).all()


def test_grid_search_over_ragged_lists_shares_one_trace_per_architecture():
    from skdeep._engine import cache as _engines
    from skdeep._engine import core as _engine_core

    _engines.clear_cache()
    built = []
    original = _engine_core._EngineCore.__init__

    def counting(self, spec):
        built.append(spec)
        original(self, spec)

    _engine_core._EngineCore.__init__ = counting
    try:
        search = GridSearchCV(
            RNNSequenceClassifier(units=8, max_iter=10, random_state=0),
            {"dropout": [0.0, 0.2], "alpha": [1e-4, 1e-2]}, cv=3,
        ).fit(X_RAGGED, Y_RAGGED)
    finally:
        _engine_core._EngineCore.__init__ = original
    assert search.best_score_ > 0.6
    # folds have different longest sequences; the time axis is not part of the graph
    assert len(built) == 2  # with and without a dropout layer


def test_pickle_round_trip():
    clf = RNNSequenceClassifier(**{**SMALL, "bidirectional": True}).fit(X_RAGGED, Y_RAGGED)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X_RAGGED), clf.predict_proba(X_RAGGED))


@pytest.mark.slow
def test_japanese_vowels_with_defaults():
    """Real multivariate series, unequal lengths (7-29), string labels."""
    X_train, y_train = load_japanese_vowels(split="train")
    X_test, y_test = load_japanese_vowels(split="test")
    clf = RNNSequenceClassifier(random_state=0).fit(X_train, y_train)
    assert clf.classes_.dtype.kind == "U"
    assert clf.score(X_test, y_test) >= 0.95


def test_pooled_readout_reads_every_step():
    """The class is decided at the first step, then 40 noise steps follow: the last
    state of a small plain GRU forgets it, the mean of its outputs over the steps keeps it."""
    rng = np.random.RandomState(0)
    signs = rng.choice([-1.0, 1.0], 200)
    X = [np.r_[3 * s, 0.3 * rng.randn(40)] for s in signs]
    y = signs > 0
    scores = {}
    for readout in ("last", "mean", "max"):
        clf = RNNSequenceClassifier(cell="gru", units=4, readout=readout, conv_filters=(),
                                    max_iter=40, learning_rate_init=0.01,
                                    random_state=0).fit(X[:150], y[:150])
        scores[readout] = clf.score(X[150:], y[150:])
        assert ("readout" in [layer.name for layer in clf.model_.layers]) == (readout != "last")
    assert scores["last"] < 0.75 and scores["mean"] > 0.9 and scores["max"] > 0.9
    # the default network (convolutional front end, maximum over the steps) reads it too
    default = RNNSequenceClassifier(cell="gru", units=4, max_iter=40, learning_rate_init=0.01,
                                    random_state=0).fit(X[:150], y[:150])
    assert default.score(X[150:], y[150:]) > 0.9


def test_default_network_reads_pooled_convolution_features():
    """The default: three convolution units, steps pooled by 4, the maximum of the
    recurrent outputs; conv_filters=() is the course's plain network on the raw steps."""
    clf = RNNSequenceClassifier(**SMALL).fit(X_RAGGED, Y_RAGGED)
    names = [layer.name for layer in clf.model_.layers]
    assert [n for n in names if n.startswith("conv_")] == ["conv_0", "conv_1", "conv_2"]
    assert "pool_steps" in names and "readout" in names
    assert clf.model_.get_layer("readout").mode == "max"
    assert clf.model_.get_layer("conv_2").kernel.shape == (3, 64, 64)  # kernels 8, 5, 3
    probe = clf.model_.get_layer("pool_steps")
    import keras

    features = keras.Model(clf.model_.inputs, probe.output)
    pooled, real = features(np.r_[np.ones(9), np.full(3, np.nan)].reshape(1, 12, 1)
                            .astype("float32"))
    assert tuple(pooled.shape) == (1, 3, 64)  # ceil(12 / 4) windows
    assert np.asarray(real).tolist() == [[True, True, True]]  # 9 real steps reach window 3
    plain = RNNSequenceClassifier(**{**SMALL, "conv_filters": ()}).fit(X_RAGGED, Y_RAGGED)
    plain_names = [layer.name for layer in plain.model_.layers]
    assert not any(n.startswith(("conv", "pool", "readout")) for n in plain_names)
    # the GRU's kernels and two biases, one logistic output, the standardisation's mean/variance
    assert plain.model_.count_params() == 8 * 3 * (1 + 8) + 2 * 8 * 3 + 9 * 1 + 2
    with pytest.raises(ValueError, match="conv_filters"):
        RNNSequenceClassifier(conv_filters=(4, 0)).fit(X_RAGGED, Y_RAGGED)


def test_a_file_pickled_before_the_front_end_keeps_its_network():
    """A parameter added after a file was written takes the value that describes the
    file's network (the plain recurrent one), not the new default."""
    clf = RNNSequenceClassifier(**{**SMALL, "conv_filters": ()}).fit(X_RAGGED, Y_RAGGED)
    state = dict(clf.__getstate__())
    for name in ("conv_filters", "conv_kernel_size", "pool_size", "readout"):
        del state[name]
    old = RNNSequenceClassifier.__new__(RNNSequenceClassifier)
    old.__setstate__(state)
    assert old.conv_filters == () and old.pool_size == 1 and old.readout == "auto"
    np.testing.assert_array_equal(old.predict_proba(X_RAGGED), clf.predict_proba(X_RAGGED))
    refit = clone(old).fit(X_RAGGED, Y_RAGGED)
    np.testing.assert_array_equal(refit.loss_curve_, clf.loss_curve_)
