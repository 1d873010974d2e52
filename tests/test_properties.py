"""Property-based tests: odd inputs either fit, or fail with a clear error of our own.

For random shapes, dtypes, label types, sample weights and frames with odd
columns, every estimator either fits and predicts the right shapes, or raises
a ``ValueError`` / ``TypeError`` from skdeep or scikit-learn -- never an
exception from inside TensorFlow, Keras or JAX.
"""

import traceback
import warnings

import numpy as np
import pandas as pd
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from skdeep import CNNClassifier, MLPClassifier, MLPRegressor, RNNSequenceRegressor  # noqa: E402

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _raised_inside_a_backend(exc):
    """Whether the innermost frame that raised ``exc`` belongs to TF/Keras/JAX."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return False
    where = frames[-1].filename.replace("\\", "/")
    return any(f"/{pkg}/" in where for pkg in ("tensorflow", "keras", "jax", "jaxlib"))


def fit_or_clean_error(estimator, X, y, sample_weight=None, predict_on=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            estimator.fit(X, y, sample_weight=sample_weight)
        except (ValueError, TypeError) as exc:
            assert not _raised_inside_a_backend(exc), "".join(traceback.format_exception(exc))
            assert str(exc), "an error without a message"
            return None
        out = estimator.predict(X if predict_on is None else predict_on)
    assert len(out) == (len(X) if predict_on is None else len(predict_on))
    return out


labels = st.sampled_from([
    lambda n, r: r.randint(0, 2, n),
    lambda n, r: r.choice(["cat", "dog", "bird"], n),
    lambda n, r: r.choice([True, False], n),
    lambda n, r: r.choice([-1.5, 2.0], n),
    lambda n, r: np.zeros(n, dtype=int),  # one class
    lambda n, r: r.randint(0, 2, (n, 2)),  # multilabel
])


@SETTINGS
@given(n=st.integers(1, 30), d=st.integers(1, 5), seed=st.integers(0, 9),
       dtype=st.sampled_from([np.float64, np.float32, np.int64, object]),
       make_y=labels, weights=st.sampled_from([None, "ones", "zeros", "negative", "short"]),
       nan=st.booleans(), impute=st.booleans())
def test_mlp_classifier_on_random_arrays(n, d, seed, dtype, make_y, weights, nan, impute):
    r = np.random.RandomState(seed)
    X = r.randn(n, d)
    if nan:
        X[r.rand(n, d) < 0.2] = np.nan
    X = X.astype(dtype)
    y = make_y(n, r)
    sw = {None: None, "ones": np.ones(n), "zeros": np.zeros(n), "negative": -np.ones(n),
          "short": np.ones(max(n - 1, 0))}[weights]
    est = MLPClassifier(hidden_layer_sizes=(3,), max_iter=3,
                        missing="impute" if impute else "error",
                        random_state=0)
    out = fit_or_clean_error(est, X, y, sample_weight=sw)
    if out is not None:
        assert np.asarray(out).shape == np.asarray(y).shape


@SETTINGS
@given(n=st.integers(2, 25), seed=st.integers(0, 9),
       columns=st.lists(st.sampled_from(["num", "int", "text", "cat", "bool", "allnan", "mixed",
                                         "dup"]), min_size=1, max_size=4),
       impute=st.booleans())
def test_mlp_regressor_on_odd_frames(n, seed, columns, impute):
    r = np.random.RandomState(seed)
    data = {}
    for i, kind in enumerate(columns):
        name = "same" if kind == "dup" else f"{kind}{i}"
        data[name] = {
            "num": r.randn(n), "int": r.randint(0, 5, n), "text": r.choice(["a", "b", None], n),
            "cat": pd.Categorical(r.choice(["x", "y"], n)), "bool": r.rand(n) < 0.5,
            "allnan": np.full(n, np.nan), "mixed": r.choice([1, "a", 2.5, None], n),
            "dup": r.randn(n),
        }[kind]
    frame = pd.DataFrame(data)
    if "dup" in columns:
        frame = pd.concat([frame, frame[["same"]]], axis=1)
    y = r.randn(n)
    est = MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, missing="impute" if impute else "error",
                       random_state=0)
    fit_or_clean_error(est, frame, y)


@SETTINGS
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), seed=st.integers(0, 9),
       predict_shape=st.lists(st.integers(1, 6), min_size=1, max_size=3))
def test_cnn_on_random_image_shapes(shape, seed, predict_shape):
    r = np.random.RandomState(seed)
    X = r.rand(12, *shape)
    y = r.randint(0, 2, 12)
    est = CNNClassifier(filters=(2,), kernel_size=2, pool_size=1, dense_layer_sizes=(), max_iter=2,
                        random_state=0)
    fitted = fit_or_clean_error(est, X, y)
    if fitted is None:
        return
    other = r.rand(3, *predict_shape)
    try:
        est.predict(other)
    except ValueError as exc:
        assert not _raised_inside_a_backend(exc)
        # image layouts are named by shape; flat rows keep scikit-learn's feature count
        assert "shape" in str(exc) or (other.ndim == 2 and X.ndim == 2 and "features" in str(exc))
    else:  # only the same layout (or a grayscale channel axis) is accepted
        assert est._sample_layout(other.shape[1:]) == est.input_shape_


@SETTINGS
@given(lengths=st.lists(st.integers(0, 6), min_size=1, max_size=8), features=st.integers(1, 3),
       seed=st.integers(0, 9))
def test_rnn_on_ragged_sequences(lengths, features, seed):
    r = np.random.RandomState(seed)
    sequences = [r.rand(t, features) for t in lengths]
    y = r.randn(len(lengths))
    est = RNNSequenceRegressor(units=2, max_iter=2, random_state=0)
    fit_or_clean_error(est, sequences, y)
