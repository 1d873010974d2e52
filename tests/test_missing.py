"""Missing values inside the estimator (``missing='impute'``) and the default refusal."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.model_selection import cross_val_score

from skdeep import MLPClassifier, MLPRegressor

rng = np.random.RandomState(0)
X = rng.randn(300, 4)
# whether x1 is missing *is* the class: only a was-missing input can tell
gone = rng.rand(300) < 0.5
X[gone, 1] = np.nan
y = gone.astype(int)


def clf(**params):
    return MLPClassifier(**{"hidden_layer_sizes": (8,), "max_iter": 150,
                            "learning_rate_init": 0.01, "random_state": 0, **params})


def test_a_nan_target_is_reported_as_the_targets_not_the_inputs():
    from skdeep import MLPRegressor

    target = np.where(y == 1, np.nan, 1.0)
    for est in (clf(missing="impute"), MLPRegressor(missing="impute")):
        with pytest.raises(ValueError, match="^Input y contains NaN") as info:
            est.fit(np.nan_to_num(X), target)
        assert "missing='impute'" not in str(info.value)


def test_missing_or_mixed_class_labels_are_named_not_a_bare_type_error():
    from skdeep import TabularMLPClassifier

    text = pd.Series(np.where(y == 1, "yes", "no"), dtype=object)
    gaps, mixed = text.copy(), text.copy()
    gaps[[4, 9]] = [None, np.nan]
    mixed[0] = 3
    for est in (clf(max_iter=2), TabularMLPClassifier(max_iter=2)):
        with pytest.raises(ValueError, match="2 missing label.*position 4.*fillna"):
            est.fit(np.nan_to_num(X), gaps)
        with pytest.raises(ValueError, match=r"types \['int', 'str'\].*astype\(str\)"):
            est.fit(np.nan_to_num(X), mixed)
        assert est.fit(np.nan_to_num(X), text).classes_.tolist() == ["no", "yes"]


@pytest.mark.parametrize("data", [X, pd.DataFrame(X, columns=list("abcd")).assign(
    kind=rng.choice(["u", "v"], 300))], ids=["array", "frame"])
def test_nan_is_refused_by_default_with_what_to_do(data):
    with pytest.raises(ValueError, match=r"column\(s\) \['(#1|b)'\].*missing='impute'.*"
                                         r"SimpleImputer.*HistGradientBoosting"):
        clf().fit(data, y)
    fitted = clf(max_iter=2).fit(np.nan_to_num(np.asarray(X)), y)
    with pytest.raises(ValueError, match="missing='impute'"):
        fitted.predict(X)
    fitted.set_params(missing="impute")  # the fitted front end decides, not the parameter
    with pytest.raises(ValueError, match="missing='impute'"):
        fitted.predict(X)


def test_impute_learns_means_and_missing_indicators_on_arrays():
    est = clf(missing="impute").fit(X, y)
    assert est._spec.input_shape == (5,)  # 4 columns + one indicator (only x1 had NaN)
    np.testing.assert_allclose(est._imputer.statistics_, np.nanmean(X, axis=0))
    assert est.score(X, y) == 1.0  # the indicator carries the class
    # a column complete in training but missing now is filled, without indicator
    new = X.copy()
    new[:, 3] = np.nan
    assert np.isfinite(est.predict_proba(new)).all()
    # fitted imputation stays on even if the parameter changes later
    est.set_params(missing="error")
    assert est.score(X, y) == 1.0
    # infinity is not a missing value
    with pytest.raises(ValueError, match="infinity"):
        clf(missing="impute").fit(np.where(np.isnan(X), np.inf, X), y)


def test_impute_on_sparse_input():
    Xs = sp.csr_matrix(np.where(np.isnan(X), np.nan, np.where(np.abs(X) < 1, 0.0, X)))
    est = clf(missing="impute").fit(Xs, y)
    assert est.score(Xs, y) == 1.0


def test_impute_on_a_messy_frame_in_cross_validation():
    frame = pd.DataFrame({
        "income": np.where(rng.rand(300) < 0.1, np.nan, rng.lognormal(10, 1, 300)),
        "age": np.where(gone, np.nan, rng.randint(18, 90, 300).astype(float)),
        "city": pd.Series(rng.choice(["Oslo", "Rome", None], 300), dtype=object),
        "member": rng.rand(300) < 0.5,
    })
    target = np.where(gone, "churned", "stayed")
    est = clf(missing="impute")
    scores = cross_val_score(est, frame, target, cv=3)
    assert scores.min() > 0.95
    est.fit(frame, target)
    names = est._frame_encoder.get_feature_names_out()
    assert names[:4] == ["income", "income:missing", "age", "age:missing"]
    assert set(est.predict(frame.assign(member=True))) <= {"churned", "stayed"}


def test_regressor_imputes_too():
    target = np.where(gone, 5.0, -5.0) + 0.1 * rng.randn(300)
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, learning_rate_init=0.01,
                       missing="impute", random_state=0).fit(X, target)
    assert reg.score(X, target) > 0.95


def test_a_refit_on_a_frame_does_not_inherit_an_earlier_imputer():
    est = clf(missing="impute", max_iter=2).fit(X, y)  # array fit: learns an imputer
    frame = pd.DataFrame({"a": np.nan_to_num(X[:, 0]), "kind": np.where(y, "u", "v")})
    est.set_params(missing="error").fit(frame, y)  # frame fit that refuses NaN
    with pytest.raises(ValueError, match="missing='impute'"):
        est.predict(frame.assign(a=np.nan))
