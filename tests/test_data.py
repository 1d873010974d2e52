"""The pandas front end: categorical encodings inside the estimators."""

import math
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.model_selection import GridSearchCV, cross_val_score

from skdeep import MLPClassifier, MLPRegressor, TabularMLPClassifier
from skdeep._estimators.frame import FrameEncoder, column_kind, column_to_float

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
    with pytest.raises(ValueError, match="Column .size. is used as a number .* holds .a."):
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


# ---------------------------------------------------------------- numbers in object columns
def _number_frame(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4)).round(6)
    y = (X[:, 0] - X[:, 1] + 0.5 * X[:, 2] > 0).astype(int)
    return pd.DataFrame(X, columns=list("abcd")), y


NUMBER_KINDS = {
    "decimal": lambda v: Decimal(repr(v)),  # what SQL drivers return
    "python float": float,
    "numpy float64": np.float64,
    "python int when whole": lambda v: int(v) if float(v).is_integer() else float(v),
}


@pytest.mark.parametrize("estimator", [
    MLPClassifier(hidden_layer_sizes=(8,), max_iter=15, random_state=0),
    TabularMLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0),
])
@pytest.mark.parametrize("kind", sorted(NUMBER_KINDS))
def test_object_columns_of_numbers_are_numeric_as_in_scikit_learn(estimator, kind):
    """A column of Decimals (or floats stored as object) is one numeric input, not a
    one-hot block of its values: the fit is the float frame's fit, number for number."""
    frame, y = _number_frame()
    as_objects = frame.map(NUMBER_KINDS[kind]).astype(object)
    assert all(pd.api.types.is_object_dtype(d) for d in as_objects.dtypes)
    from_floats = clone(estimator).fit(frame, y)
    from_objects = clone(estimator).fit(as_objects, y)
    assert from_objects.is_categorical_ is None
    assert from_objects.coefs_[0].shape == from_floats.coefs_[0].shape
    assert from_objects.n_features_in_ == 4
    np.testing.assert_array_equal(from_objects.loss_curve_, from_floats.loss_curve_)
    np.testing.assert_array_equal(from_objects.predict_proba(as_objects),
                                  from_floats.predict_proba(frame))
    # scikit-learn's MLP reads the same frame as four numeric inputs too
    assert SkMLP(hidden_layer_sizes=(3,), max_iter=5).fit(as_objects, y).coefs_[0].shape[0] == 4


_missing = st.sampled_from([None, np.nan, pd.NA])
_number = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: Decimal(repr(v))),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.integers(-10**6, 10**6),
    st.floats(-1e6, 1e6, allow_nan=False).map(np.float32),
)
_text = st.sampled_from(["x", "1,5", "n/a", "001234", ""])


@settings(max_examples=60, deadline=None, derandomize=True)
@given(values=st.lists(st.one_of(_number, _missing, _text), min_size=1, max_size=12))
def test_an_object_column_is_numeric_exactly_when_its_present_values_are_numbers(values):
    """The content rule over mixes of Decimal, int, float, float32, None, NaN, pd.NA and
    text: numeric iff every present value is a number, and then the column converts to
    the float values with NaN where missing; anything with text is categorical."""
    column = pd.Series(values, dtype=object)
    present = [v for v in values if not (v is None or v is pd.NA
                                         or (isinstance(v, float) and np.isnan(v)))]
    numbers = all(not isinstance(v, str) for v in present)
    assert (column_kind(column) == "numeric") == numbers
    if numbers:
        expected = [np.nan if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)))
                    else float(v) for v in values]
        np.testing.assert_array_equal(column_to_float(column, "c"), expected)
    else:
        assert column_kind(column) == "categorical"


def test_missing_numbers_in_object_columns_are_missing_values():
    """None and pd.NA in a column of numbers are NaN: refused by default with the column
    named, imputed with missing='impute' (one numeric input plus its indicator)."""
    frame, y = _number_frame()
    holed = frame.astype(object)
    holed.loc[3, "b"] = None
    holed.loc[5, "c"] = pd.NA
    with pytest.raises(ValueError, match=r"NaN \(missing values\) in column\(s\) \['b', 'c'\]"):
        MLPClassifier(max_iter=2).fit(holed, y)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, missing="impute").fit(holed, y)
    assert clf.coefs_[0].shape[0] == 4 + 2  # two indicators
    assert np.isfinite(clf.predict_proba(holed)).all()


def test_categorical_features_overrides_the_decision_per_column():
    frame, y = _number_frame()
    frame["g"] = np.random.RandomState(1).choice(["p", "q", "r"], len(frame))
    auto = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(frame, y)
    np.testing.assert_array_equal(auto.is_categorical_, [False] * 4 + [True])
    assert auto.coefs_[0].shape[0] == 4 + 3
    # by name, by position, by mask: 'a' becomes categorical too (all its distinct values)
    for spec in (["a", "g"], [0, 4], [True, False, False, False, True]):
        clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0,
                            categorical_features=spec).fit(frame, y)
        np.testing.assert_array_equal(clf.is_categorical_, [True] + [False] * 3 + [True])
        assert clf.coefs_[0].shape[0] == frame["a"].nunique() + 3 + 3
    # text in a column the user says is numeric: named, with what to do
    with pytest.raises(ValueError, match=r"Column 'g' is used as a number .* categorical_features"):
        MLPClassifier(max_iter=2, categorical_features=None).fit(frame, y)
    numeric = MLPClassifier(max_iter=2, categorical_features=None).fit(frame.drop(columns="g"), y)
    assert numeric.is_categorical_ is None
    for bad, match in [(["zz"], r"names 'zz', which is not a column of X; the columns are"),
                       ([7], r"position 7, but X has 5 columns"),
                       ([True], r"boolean mask of length 1, but X has 5 columns")]:
        with pytest.raises(ValueError, match=match):
            MLPClassifier(max_iter=2, categorical_features=bad).fit(frame, y)
    with pytest.raises(ValueError, match="categorical_features"):
        MLPClassifier(categorical_features="yes").fit(frame, y)


def test_integer_codes_in_an_array_are_categories_when_named():
    """``categorical_features=[2]`` on a NumPy array one-hot encodes that column exactly as
    the same data in a DataFrame with a category column."""
    rng = np.random.RandomState(0)
    X = np.c_[rng.normal(size=(150, 2)), rng.randint(0, 4, 150)]
    y = (X[:, 0] + (X[:, 2] == 2) > 0.5).astype(int)
    params = dict(hidden_layer_sizes=(6,), max_iter=10, random_state=0)
    from_array = MLPClassifier(categorical_features=[2], **params).fit(X, y)
    frame = pd.DataFrame({0: X[:, 0], 1: X[:, 1], 2: pd.Categorical(X[:, 2])})
    from_frame = MLPClassifier(**params).fit(frame, y)
    assert from_array.coefs_[0].shape[0] == 2 + 4
    np.testing.assert_array_equal(from_array.is_categorical_, [False, False, True])
    np.testing.assert_allclose(from_array.loss_curve_, from_frame.loss_curve_, rtol=1e-6)
    np.testing.assert_array_equal(from_array.predict(X), from_frame.predict(frame))
    with pytest.raises(ValueError, match="needs a dense X"):
        MLPClassifier(categorical_features=[2]).fit(sp.csr_matrix(X), y)


def test_the_decision_is_said(capsys):
    frame, y = _number_frame()
    frame["g"] = "p"
    MLPClassifier(hidden_layer_sizes=(2,), max_iter=1, verbose=True).fit(
        frame.astype({"a": object}), y)
    assert "Categorical columns: ['g']; the other 4 are numeric." in capsys.readouterr().out


def test_a_pickle_without_a_newer_parameter_takes_its_default():
    """Files written before categorical_features existed load with its default."""
    clf = MLPClassifier(max_iter=3).fit(*_number_frame())
    state = clf.__getstate__()
    del state["categorical_features"]
    old = MLPClassifier.__new__(MLPClassifier)
    old.__setstate__(state)
    assert old.get_params()["categorical_features"] == "auto"
    np.testing.assert_array_equal(old.predict(_number_frame()[0]), clf.predict(_number_frame()[0]))


def test_a_few_texts_among_numbers_are_named_in_a_warning():
    """'?' as a missing-value marker makes a column of numbers text: encoded as 194
    categories, with a warning naming the markers and the way out."""
    rng = np.random.RandomState(0)
    values = rng.randn(200).round(3).astype(object)
    values[:3] = "?"
    frame = pd.DataFrame({"x": values, "g": rng.choice(["a", "b"], 200)})
    with pytest.warns(UserWarning, match=r"Column 'x' is encoded as a category of \d+ levels, "
                                         r"but 98% of its values are numbers; its other values "
                                         r"\['\?'\]"):
        MLPClassifier(hidden_layer_sizes=(2,), max_iter=1).fit(frame, rng.randint(0, 2, 200))
    with warnings.catch_warnings(record=True) as caught:  # named by the user: no warning
        warnings.simplefilter("always")
        MLPClassifier(hidden_layer_sizes=(2,), max_iter=1, categorical_features=["x", "g"]).fit(
            frame, rng.randint(0, 2, 200))
    assert not [w for w in caught if "Column 'x'" in str(w.message)]
