"""How the tabular networks read real tables' columns (skdeep._estimators.table)."""

import io
import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, train_test_split

import skdeep
from skdeep import TabularMLPClassifier, TabularMLPRegressor
from skdeep._estimators.table import MAX_LEVELS, MAX_WORDS, parse_dates, parse_numbers


def small(cls=TabularMLPClassifier, **params):
    return cls(**{"hidden_layer_sizes": (32,), "max_iter": 15, "random_state": 0, **params})


# ------------------------------------------------------------ the parsers
def test_numbers_as_text_read_in_every_usual_spelling():
    us = pd.Series(["1,234.5", "12,500", "0.25", "-7", " 42 ", "12 %", "$3", "+1", "1e3", "5",
                    "?", None])
    np.testing.assert_array_equal(parse_numbers(us), [
        1234.5, 12500.0, 0.25, -7.0, 42.0, 12.0, 3.0, 1.0, 1000.0, 5.0, np.nan, np.nan])
    european = pd.Series(["1.234,5", "3,5", "1,624", "-0,612", "€1.000,25", "7", None])
    np.testing.assert_array_equal(
        parse_numbers(european), [1234.5, 3.5, 1.624, -0.612, 1000.25, 7.0, np.nan])
    # '1,624' alone: thousands, as a US table writes them
    np.testing.assert_array_equal(parse_numbers(pd.Series(["1,624", "12,500"])), [1624, 12500])


def test_the_decimal_comma_vote_counts_rows():
    # three rows only a decimal comma explains against two only a point
    # explains (one distinct text against two): the rows decide
    column = pd.Series(["1,5", "1,5", "1,5", "1.25", "2.75"])
    np.testing.assert_array_equal(parse_numbers(column), [1.5, 1.5, 1.5, 125.0, 275.0])


def test_text_that_is_mostly_not_numbers_is_not_read_as_numbers():
    assert parse_numbers(pd.Series(["1", "2", "a", "b"])) is None
    assert parse_numbers(pd.Series([None, None], dtype=object)) is None
    # 9 numbers and 1 marker: the marker is a missing value
    values = parse_numbers(pd.Series([str(i) for i in range(9)] + ["n/a"]))
    assert np.isnan(values[-1]) and np.array_equal(values[:-1], np.arange(9.0))


def test_dates_are_found_in_datetimes_and_in_text_only():
    stamps = pd.Series(pd.date_range("2020-01-01", periods=5, freq="D"))
    assert parse_dates(stamps).equals(stamps)
    text = pd.Series(["2020-01-03", "2020/02/04", "05.03.2020", None])
    parsed = parse_dates(text)
    assert parsed.iloc[0] == pd.Timestamp("2020-01-03") and pd.isna(parsed.iloc[3])
    assert parse_dates(pd.Series(["red", "green"])) is None
    assert parse_dates(pd.Series([20200101, 20200102])) is None  # numbers stay numbers


# ----------------------------------------------------- a messy real-world frame
def messy(n=240, seed=0):
    """A table as it comes: every kind of column the encoder decides about."""
    rng = np.random.RandomState(seed)
    makes = np.array(["ford", "chevrolet", "toyota", "datsun", "volkswagen", "fiat"])
    make = rng.randint(len(makes), size=n)
    origin = np.array(["usa", "usa", "japan", "japan", "europe", "europe"])[make]
    x = rng.normal(size=n)
    frame = pd.DataFrame({
        "name": [f"{makes[m]} model{rng.randint(1000)} {rng.choice(['sw', 'custom', ''])}"
                 .strip() for m in make],
        "price": [f"{v:.2f}".replace(".", ",") for v in 10 + x],  # European decimals
        "weight": np.where(rng.rand(n) < 0.1, "?", np.round(2000 + 300 * x).astype(int)
                           .astype(str)).astype(object),
        "sold": pd.Series(pd.date_range("2019-01-01", periods=n, freq="37h")).dt.strftime(
            "%Y-%m-%d %H:%M"),
        "year": pd.to_datetime([f"{1970 + i % 12}-01-01" for i in range(n)]),
        "dealer": [f"D{rng.randint(60):03d}" for _ in range(n)],
        "serial": [f"SN{i:06d}" for i in range(n)],
        "color": rng.choice(["red", "blue", None], size=n),
        "empty": [None] * n,
        "constant": ["same"] * n,
        "used": rng.rand(n) < 0.5,
    })
    return frame, origin


def test_a_messy_frame_is_read_column_by_column_and_said_so():
    frame, y = messy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every decision is in the summary, none is a warning
        clf = small(max_iter=40).fit(frame, y)
    summary = clf.input_summary_
    assert list(summary.columns) == ["dtype", "treatment", "inputs", "note"]
    assert summary["treatment"].to_dict() == {
        "name": "words", "price": "numeric", "weight": "numeric", "sold": "date",
        "year": "date", "dealer": "category", "serial": "drop", "color": "category",
        "empty": "drop", "constant": "drop", "used": "bool"}
    inputs = summary["inputs"].to_dict()
    assert inputs["price"] == 1 and inputs["weight"] == 2  # the '?' markers: was-missing
    assert inputs["year"] == 1  # every date is January 1st: days only
    assert inputs["sold"] == 1 + 2 + 7 + 2  # days, time of year, weekday, time of day
    assert inputs["dealer"] == MAX_LEVELS  # 60 levels: the 32 most frequent
    assert inputs["serial"] == inputs["empty"] == inputs["constant"] == 0
    assert inputs["color"] == 2 and inputs["used"] == 1
    assert summary.loc["price", "note"] == "numbers stored as text"
    assert "identifier" in summary.loc["serial", "note"]
    # the network's inputs: these, then zero columns padding the 0/1 ones to a multiple of 32
    n_plain = clf.model_.input_shape[-1] - clf._input_padding - int(clf._scaler.scaled_.sum())
    assert clf._input_padding == -n_plain % 32 > 0
    assert summary["inputs"].sum() == clf.model_.input_shape[-1] - clf._input_padding
    assert clf.is_categorical_.tolist() == [
        t in ("words", "category", "target") for t in summary["treatment"]]
    new_frame, new_y = messy(seed=5)  # other rows, other model numbers, other dealers
    assert clf.score(new_frame, new_y) > 0.9  # the make is in the name's words


def levels_frame(n=400, n_levels=80, seed=0):
    """A zip-code-like column whose level carries the target, and a noise column."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(n_levels, size=n)
    frame = pd.DataFrame({"zip": [f"Z{c:03d}" for c in codes], "x": rng.normal(size=n)})
    frame.loc[frame.index[::25], "zip"] = None
    return frame, (codes % 3 == 0).astype(int), codes % 4 + rng.normal(0, 0.1, n)


@pytest.mark.parametrize("cls, members", [(TabularMLPClassifier, 1), (TabularMLPRegressor, 2)])
def test_one_hot_columns_are_padded_exactly_and_folds_share_one_program(
        monkeypatch, cls, members):
    """Zero columns pad the 0/1 inputs to a multiple of 32: the network computes what
    the unpadded one would (the same draws; the first layer's fan-in factor counts the
    real columns), and fits whose one-hot widths differ share one compiled program."""
    import skdeep._estimators.padding as padding

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.choice([f"a{i}" for i in range(24)], 300),
                          "b": rng.choice([f"b{i}" for i in range(20)], 300),
                          "x": rng.normal(size=300)})
    y = (frame["a"].str[1:].astype(int) % 3 == 0) ^ (frame["x"] > 0)
    y = y.astype(int) if cls is TabularMLPClassifier else y + rng.normal(0, 0.1, 300)
    rows = (frame["b"] != "b7").to_numpy()  # one level fewer: one one-hot column fewer
    frequent = small(cls, n_members=members).fit(frame, y)
    assert frequent._input_padding == 0  # no rare level: widths hold, nothing to pad
    frame.loc[np.flatnonzero(rows)[:2], "a"] = ["rare", "once"]  # levels of one row

    def fit(X, target):
        return small(cls, n_members=members).fit(X, target)

    full, fewer = fit(frame, y), fit(frame[rows], y[rows])
    assert full._spec == fewer._spec  # one spec: one cached, compiled network for both
    assert full._input_padding == fewer._input_padding - 1 > 0
    monkeypatch.setattr(padding, "PAD_COLUMNS", 10**6)  # no padding
    alone = fit(frame, y)
    assert alone._input_padding == 0
    assert alone._spec.input_shape[0] == full._spec.input_shape[0] - full._input_padding
    np.testing.assert_allclose(full.loss_curve_, alone.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(full.predict(frame), alone.predict(frame), rtol=1e-4, atol=1e-6)


def test_target_statistics_are_scikit_learns_cross_fitted_ones():
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.preprocessing import TargetEncoder

    frame, y_class, y_value = levels_frame()
    texts = frame[["zip"]].astype(object).to_numpy()
    for cls, y, folds, names in [
            (TabularMLPClassifier, y_class, StratifiedKFold, ["zip:target"]),
            (TabularMLPRegressor, y_value, KFold, ["zip:target"]),
            (TabularMLPClassifier, y_value.round().astype(int), StratifiedKFold,
             ["zip:target=0", "zip:target=1", "zip:target=2", "zip:target=3"])]:
        est = small(cls, random_state=3, max_iter=2, column_treatment={"zip": "target"},
                    quantile_inputs=False)
        est.fit(frame, y)
        summary = est.input_summary_.loc["zip"]
        assert summary["treatment"] == "target" and "cross-fitted" in summary["note"]
        assert summary["inputs"] == MAX_LEVELS + len(names)
        reference = TargetEncoder(cv=folds(5, shuffle=True, random_state=3))
        expected = reference.fit_transform(texts, y)  # each row's from the other folds
        statistics = est._frame_encoder.target_statistics_
        assert statistics.names == names
        got = statistics.fit_transform(frame, y)
        np.testing.assert_allclose(np.column_stack([got[n] for n in names]), expected)
        # later rows: the statistics of all training rows; unseen levels the mean
        new = pd.DataFrame({"zip": ["Z001", "nowhere", None], "x": [0.0, 0.0, 0.0]})
        np.testing.assert_allclose(
            np.column_stack([statistics.transform(new)[n] for n in names]),
            reference.fit(texts, y).transform(new[["zip"]].astype(object).to_numpy()))


def test_target_statistics_help_where_one_hot_levels_run_out():
    frame, y, _ = levels_frame(n=600, n_levels=120)
    train, test = frame.index[:400], frame.index[400:]
    scores = {}
    for treatment in ("target", "category"):
        est = small(column_treatment={"zip": treatment}, max_iter=40)
        scores[treatment] = est.fit(frame.loc[train], y[train]).score(frame.loc[test], y[test])
    # 120 levels: the 32 kept say little about the others; their statistics do
    assert scores["target"] > 0.8 > scores["category"]


def test_target_statistics_are_left_out_where_they_cannot_be_learned():
    frame, y, y_value = levels_frame()
    asked = {"column_treatment": {"zip": "target"}}
    assert small(max_iter=2).fit(frame, y).input_summary_.loc["zip", "treatment"] == (
        "category")  # only on request
    multi = small(TabularMLPRegressor, max_iter=2, **asked).fit(frame, np.c_[y_value, y_value])
    assert multi.input_summary_.loc["zip", "treatment"] == "category"  # two targets
    assert "no target statistics" in multi.input_summary_.loc["zip", "note"]
    rare = y.copy()
    rare[:3] = 2  # a class of 3 rows cannot be in every one of 5 folds
    assert small(max_iter=2, **asked).fit(frame, rare).input_summary_.loc[
        "zip", "treatment"] == "category"
    # forced on a column of few levels: its one-hot levels and its statistics
    few = frame.assign(zip=frame["zip"].str[:3])
    est = small(max_iter=2, column_treatment={"zip": "target"}).fit(few, y)
    assert est.input_summary_.loc["zip", "treatment"] == "target"
    assert est.input_summary_.loc["zip", "inputs"] == few["zip"].nunique() + 1


def test_target_statistics_repeat_with_the_seed_and_survive_pickle():
    frame, y, _ = levels_frame()
    a = small(max_iter=5, column_treatment={"zip": "target"}).fit(frame, y)
    b = clone(a).fit(frame, y)
    np.testing.assert_array_equal(a.predict_proba(frame), b.predict_proba(frame))
    again = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(again.predict_proba(frame), a.predict_proba(frame))


def test_european_csv_numbers_encode_exactly_as_the_numbers():
    """A ';' CSV read without decimal=',' gives text columns; they train as the floats would."""
    frame, y = messy(120)
    numbers = pd.DataFrame({"a": np.round(np.random.RandomState(1).normal(size=120), 3),
                            "b": np.arange(120) % 7 + 0.5, "name": frame["name"]})
    text = pd.read_csv(io.StringIO(numbers.to_csv(sep=";", decimal=",", index=False)), sep=";")
    assert not pd.api.types.is_numeric_dtype(text["a"])
    assert not pd.api.types.is_numeric_dtype(text["b"])
    p_text = small().fit(text, y).predict_proba(text)
    p_numbers = small().fit(numbers, y).predict_proba(numbers)
    np.testing.assert_array_equal(p_text, p_numbers)


def test_words_carry_what_one_hot_levels_cannot():
    """Names unique per row: their make generalises, their levels do not."""
    frame, y = messy(400, seed=3)
    X = frame[["name"]]
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    words = small(max_iter=30).fit(X_train, y_train)
    levels = small(max_iter=30, column_treatment={"name": "category"}).fit(X_train, y_train)
    assert words.input_summary_.loc["name", "treatment"] == "words"
    assert words.score(X_test, y_test) > 0.95
    assert levels.score(X_test, y_test) < 0.7  # unseen names: the majority guess at best


def test_the_vocabulary_is_learned_on_the_training_rows_only():
    frame = pd.DataFrame({"text": ["red apple", "green apple", "red pear", "green pear",
                                   "ripe apple", "one-off fruit"] * 6})
    y = np.arange(len(frame)) % 2
    clf = small(max_iter=2, column_treatment={"text": "words"}).fit(frame, y)
    names = clf._frame_encoder.get_feature_names_out()
    assert names == ["text:apple", "text:green", "text:pear", "text:red", "text:fruit",
                     "text:off", "text:one", "text:ripe"]
    unseen = pd.DataFrame({"text": ["blue banana", None]})
    encoded = clf._frame_encoder.transform(unseen)
    assert encoded.shape == (2, len(names)) and not encoded.any()
    assert len(clf.predict(unseen)) == 2


def test_word_inputs_and_counts_are_the_rows_not_the_distinct_texts():
    # each distinct text is split into words once; the inputs and the
    # vocabulary's counts are still per row (gaps, numbers and repeats included)
    texts = ["Rivera, Devin", "not applicable", "Rivera, Devin", None, "Parker LLC",
             "not applicable", 42, "Parker and company", np.nan, "rivera inc",
             1, 1.0, True] * 5  # one value to pandas, three texts
    frame = pd.DataFrame({"who": pd.Series(texts, dtype=object)})
    clf = small(max_iter=1, column_treatment={"who": "words"}).fit(frame, np.arange(65) % 2)
    names = clf._frame_encoder.get_feature_names_out()
    # counts per row: rivera 15, 1 (from 1 and 1.0) / applicable / devin / not /
    # parker 10, the rest 5
    assert names[:6] == ["who:rivera", "who:1", "who:applicable", "who:devin", "who:not",
                         "who:parker"]
    assert "who:0" in names and "who:true" in names
    expected = [[name.split(":", 1)[1] in set(re.findall(r"[^\W_]+", str(t).lower()))
                 if t is not None and t == t else False for name in names] for t in texts]
    np.testing.assert_array_equal(clf._frame_encoder.transform(frame), expected)


def test_words_are_capped_to_the_most_frequent():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"t": [f"w{rng.randint(200)} w{rng.randint(200)} x"
                                for _ in range(300)]})
    clf = small(max_iter=1).fit(frame, np.arange(300) % 2)
    assert clf.input_summary_.loc["t", "inputs"] == MAX_WORDS
    assert "t:x" in clf._frame_encoder.get_feature_names_out()  # the most frequent word


def test_calendar_inputs_match_pandas():
    stamps = pd.Series(pd.date_range("2021-03-01 06:00", periods=50, freq="29h"))
    frame = pd.DataFrame({"when": stamps})
    clf = small(max_iter=1).fit(frame, np.arange(50) % 2)
    encoder = clf._frame_encoder
    names = encoder.get_feature_names_out()
    encoded = encoder.transform(frame)
    weekday = [names.index(f"when:weekday={d}") for d in
               ("Fri", "Mon", "Sat", "Sun", "Thu", "Tue", "Wed")]
    day_names = np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    hot = encoded[:, weekday].argmax(axis=1)
    assert np.array_equal(
        np.array(["Fri", "Mon", "Sat", "Sun", "Thu", "Tue", "Wed"])[hot],
        day_names[stamps.dt.day_of_week])
    angle = 2 * np.pi * (stamps.dt.hour * 3600 + stamps.dt.minute * 60) / 86400
    cos = encoded[:, names.index("when:day_cos")]
    np.testing.assert_allclose(cos * cos.std() / cos.std(), cos)  # standardised ...
    np.testing.assert_allclose(np.corrcoef(cos, np.cos(angle))[0, 1], 1.0)  # ... cos(time)
    days = encoded[:, names.index("when")]
    np.testing.assert_allclose(np.corrcoef(days, (stamps - stamps[0]).dt.days)[0, 1], 1.0,
                               atol=1e-3)


# ------------------------------------------------------------ overrides and errors
def test_column_treatment_overrides_and_refuses_what_it_cannot_do():
    frame, y = messy(80)
    clf = small(max_iter=1, column_treatment={"name": "drop", "dealer": "words",
                                              "used": "category"}).fit(frame, y)
    treatments = clf.input_summary_["treatment"]
    assert (treatments["name"], treatments["dealer"], treatments["used"]) == (
        "drop", "words", "category")
    assert clf.input_summary_.loc["name", "note"] == "as asked (column_treatment)"
    with pytest.raises(ValueError, match=r"column_treatment names 'nope'.*columns are"):
        small(column_treatment={"nope": "drop"}).fit(frame, y)
    with pytest.raises(ValueError, match=r"column_treatment\['name'\] is 'text'; use one of"):
        small(column_treatment={"name": "text"}).fit(frame, y)
    with pytest.raises(ValueError, match="'color' as dates"):
        small(column_treatment={"color": "date"}).fit(frame, y)
    with pytest.raises(ValueError, match="Column 'name' is used as a number"):
        small(column_treatment={"name": "numeric"}).fit(frame, y)
    with pytest.raises(ValueError, match="'dealer' as True/False"):
        small(column_treatment={"dealer": "bool"}).fit(frame, y)


def test_column_treatment_on_arrays_and_numeric_frames_by_position():
    X = np.random.RandomState(0).normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = small(max_iter=1, column_treatment={2: "drop"}).fit(X, y)
    assert clf.input_summary_["treatment"].tolist() == ["numeric", "numeric", "drop"]
    assert clf.n_features_in_ == 3 and clf.model_.input_shape[-1] == 2
    assert clf.predict(X).shape == (60,)


def test_all_number_inputs_get_a_summary_too():
    X = np.random.RandomState(0).normal(size=(50, 3))
    X[::7, 1] = np.nan
    reg = small(TabularMLPRegressor, max_iter=1).fit(X, X[:, 0])
    summary = reg.input_summary_
    assert summary.index.tolist() == ["x0", "x1", "x2"]
    assert summary["inputs"].tolist() == [1, 2, 1]
    assert summary.loc["x1", "note"] == "was-missing input added"
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    assert small(TabularMLPRegressor, max_iter=1).fit(frame, X[:, 0]).input_summary_.index.tolist(
        ) == ["a", "b", "c"]
    with pytest.raises(AttributeError, match="not fitted"):
        _ = TabularMLPRegressor().input_summary_


def test_predict_time_frames_may_hold_unseen_levels_and_must_hold_the_columns():
    frame, y = messy(120)
    clf = small(max_iter=2).fit(frame, y)
    new = frame.head(5).copy()
    new["dealer"] = "D999"
    new["color"] = "purple"
    new["price"] = "?"
    assert clf.predict(new).shape == (5,)
    with pytest.raises(ValueError, match="name"):
        clf.predict(frame.drop(columns="name"))


# ------------------------------------------------------------ the estimator contract
def test_messy_frames_clone_pickle_save_and_search(tmp_path):
    frame, y = messy(160)
    clf = small(max_iter=4).fit(frame, y)
    expected = clf.predict_proba(frame)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(frame), expected)
    for fmt in ("data", "pickle"):
        path = tmp_path / f"m_{fmt}.skdeep"
        skdeep.save(clf, path, format=fmt)
        loaded = skdeep.load(path)
        np.testing.assert_array_equal(loaded.predict_proba(frame), expected)
        assert loaded.input_summary_.equals(clf.input_summary_)
    again = clone(clf).fit(frame, y)
    np.testing.assert_array_equal(again.predict_proba(frame), expected)  # reproducible
    search = GridSearchCV(small(max_iter=3), {"dropout": [0.0, 0.2]}, cv=2).fit(frame, y)
    assert search.best_estimator_.input_summary_["treatment"]["name"] == "words"
