"""The pandas front end: categorical encodings inside the estimators."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score

from skdeep import MLPClassifier, MLPRegressor
from skdeep._estimators.frame import FrameEncoder

RNG = np.random.RandomState(0)
N = 240
FRAME = pd.DataFrame(
    {
        "size": RNG.randn(N) * 10 + 50,
        "colour": pd.Categorical(RNG.choice(list("rgbyk"), N)),  # k = 5
        "city": RNG.choice(["oslo", "rome", "lima"], N).astype(object),  # k = 3
        "member": RNG.rand(N) > 0.5,
    }
)
TARGET = ((FRAME.colour.isin(["r", "g"])) ^ (FRAME["size"] > 50)).to_numpy().astype(int)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_binary_encoding_uses_ceil_log2_k_inputs():
    enc = FrameEncoder("binary").fit(FRAME)
    names = enc.get_feature_names_out()
    for column, k in (("colour", 5), ("city", 3)):
        assert sum(n.startswith(f"{column}:bit") for n in names) == math.ceil(math.log2(k))
    Z = enc.transform(FRAME)
    assert Z.shape == (N, 1 + 3 + 2 + 1)
    # every level gets a distinct code
    colour_bits = Z[:, 1:4]
    assert len({tuple(r) for r in colour_bits}) == 5


def test_onehot_and_embedding_layouts():
    onehot = FrameEncoder("onehot").fit(FRAME)
    assert onehot.transform(FRAME).shape == (N, 1 + 5 + 3 + 1)
    assert onehot.get_feature_names_out()[:3] == ["size", "colour=b", "colour=g"]
    emb = FrameEncoder("embedding").fit(FRAME)
    Z = emb.transform(FRAME)
    assert emb.get_feature_names_out() == ["size", "member", "colour:code", "city:code"]
    assert emb.embeddings == ((5, 3), (3, 2))
    assert set(np.unique(Z[:, 2])) == {1, 2, 3, 4, 5}


def test_numeric_columns_standardised_on_the_fitted_rows_only():
    train, test = FRAME.iloc[:100], FRAME.iloc[100:]
    enc = FrameEncoder("onehot").fit(train)
    Z = enc.transform(test)
    expected = (test["size"] - train["size"].mean()) / train["size"].std(ddof=0)
    np.testing.assert_allclose(Z[:, 0], expected)
    np.testing.assert_array_equal(Z[:, -1], test["member"].astype(float))


def test_unknown_and_missing_categories_are_encoded_as_unknown():
    enc_one = FrameEncoder("onehot").fit(FRAME)
    enc_bin = FrameEncoder("binary").fit(FRAME)
    enc_emb = FrameEncoder("embedding").fit(FRAME)
    new = FRAME.head(3).copy()
    new["colour"] = pd.Categorical(["purple", None, "r"])
    new["city"] = ["paris", None, "rome"]
    np.testing.assert_array_equal(enc_one.transform(new)[:2, 1:6], 0)
    np.testing.assert_array_equal(enc_bin.transform(new)[:2, 1:4], 0.5)
    np.testing.assert_array_equal(enc_emb.transform(new)[:2, 2:], 0)


@pytest.mark.parametrize("encoding", ["onehot", "binary", "embedding"])
def test_estimators_take_a_raw_mixed_frame(encoding):
    clf = MLPClassifier(hidden_layer_sizes=(16,), categorical_encoding=encoding, max_iter=300,
                        learning_rate_init=0.01, random_state=0).fit(FRAME, TARGET)
    assert clf.score(FRAME, TARGET) > 0.95
    assert list(clf.feature_names_in_) == list(FRAME.columns) and clf.n_features_in_ == 4
    new = FRAME.head(4).copy()
    new["colour"] = pd.Categorical(["purple", None, "r", "g"])
    new["city"] = ["paris", None, "rome", "oslo"]
    proba = clf.predict_proba(new)
    assert proba.shape == (4, 2) and np.all(np.isfinite(proba))
    if encoding == "embedding":
        assert clf.model_.get_layer("embedding_0").input_dim == 6  # k + unknown
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(FRAME[["city", "size", "colour", "member"]])


def test_all_numeric_frames_bypass_the_front_end():
    numeric = FRAME[["size"]].assign(other=RNG.randn(N))
    y = numeric["size"].to_numpy() / 10 + numeric["other"].to_numpy()
    params = dict(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    from_frame = MLPRegressor(**params).fit(numeric, y)
    from_array = MLPRegressor(**params).fit(numeric.to_numpy(), y)
    assert from_frame._frame_encoder is None
    np.testing.assert_array_equal(from_frame.loss_curve_, from_array.loss_curve_)


def test_front_end_inside_cross_validation_and_grid_search():
    scores = cross_val_score(
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.01,
                      random_state=0),
        FRAME, TARGET, cv=3,
    )
    assert scores.mean() > 0.9
    search = GridSearchCV(
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=100, learning_rate_init=0.01,
                      random_state=0),
        {"categorical_encoding": ["onehot", "binary"]}, cv=3,
    ).fit(FRAME, TARGET)
    assert search.best_score_ > 0.85


def test_numeric_column_turning_into_text_is_a_clear_error():
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(FRAME, TARGET)
    bad = FRAME.head(3).copy()
    bad["size"] = ["a", "b", "c"]
    with pytest.raises(ValueError, match="was numeric"):
        clf.predict(bad)


@pytest.mark.parametrize("n", [1, 7, 200])
def test_epoch_order_draws_what_sklearn_shuffle_draws(n):
    from sklearn.utils import shuffle

    from skdeep._training.batching import epoch_order

    idx = np.arange(n, dtype=np.int32)[::-1].copy()
    ours, theirs = np.random.RandomState(3), np.random.RandomState(3)
    for _ in range(3):
        np.testing.assert_array_equal(
            epoch_order(idx, True, ours), shuffle(idx, random_state=theirs)
        )
    np.testing.assert_array_equal(epoch_order(idx, False, ours), idx)
