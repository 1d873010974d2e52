"""CNNClassifier / CNNRegressor: input layouts, geometry, fitted attributes."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skdeep import CNNClassifier, CNNRegressor

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
IMAGES = X_DIGITS.reshape(-1, 8, 8)[:360]
LABELS = Y_DIGITS[:360]
# scikit-learn's batches of 200 (what batch_size="auto" meant before the step
# budget): these tests are about layouts and geometry, not the budget
SMALL = dict(filters=(8,), dense_layer_sizes=(32,), max_iter=40, learning_rate_init=0.01,
             batch_size=200, random_state=0)



@pytest.mark.parametrize(
    "make_X, params, shape",
    [
        (lambda: IMAGES, {}, (8, 8, 1)),  # grayscale images
        (lambda: IMAGES[..., None].repeat(2, axis=-1), {}, (8, 8, 2)),  # channels
        (lambda: IMAGES.reshape(-1, 64), {"input_shape": (8, 8)}, (8, 8, 1)),  # flat + shape
        # flat rows: a univariate series (a residual network, trained longer)
        (lambda: IMAGES.reshape(-1, 64), {"max_iter": 100}, (64, 1)),
        (lambda: IMAGES.reshape(-1, 16, 4), {"conv_dims": 1}, (16, 4)),  # multichannel series
    ],
)
def test_input_layouts(make_X, params, shape):
    X = make_X()
    clf = CNNClassifier(**{**SMALL, **params}).fit(X, LABELS)
    assert clf.input_shape_ == shape
    # images train the course's plain network, series the residual network
    conv = "Conv2D" if len(shape) == 3 else "Conv1D"
    first = clf.model_.get_layer("conv_0" if len(shape) == 3 else "conv_0_0")
    assert type(first).__name__ == conv
    assert clf._architecture() == ("plain" if len(shape) == 3 else "resnet")
    assert clf.score(X, LABELS) > 0.9
    assert clf.predict_proba(X[:3]).shape == (3, 10)


def test_layer_shapes_follow_the_course_formula():
    clf = CNNClassifier(filters=(4, 6), kernel_size=(3, 2), strides=(1, 2), padding="valid",
                        pooling=None, dense_layer_sizes=(5,), max_iter=1, random_state=0)
    clf.fit(IMAGES, LABELS)
    shapes = {name: (shape, n) for name, shape, n in clf.layer_shapes_}
    # (W - F + 2P)/S + 1: (8 - 3)/1 + 1 = 6, then (6 - 2)/2 + 1 = 3
    assert shapes["conv_0"] == ((6, 6, 4), 3 * 3 * 1 * 4 + 4)
    assert shapes["conv_1"] == ((3, 3, 6), 2 * 2 * 4 * 6 + 6)
    assert shapes["flatten"][0] == (54,)
    assert shapes["hidden_0"] == ((5,), 54 * 5 + 5)
    pooled = CNNClassifier(filters=(4,), pool_size=2, max_iter=1, random_state=0)
    pooled.fit(IMAGES, LABELS)
    assert dict((n, s) for n, s, _ in pooled.layer_shapes_)["pool_0"] == (4, 4, 4)


def test_geometry_that_shrinks_to_nothing_is_a_clear_error():
    clf = CNNClassifier(filters=(4, 4, 4), kernel_size=3, padding="valid", pooling=None,
                        max_iter=1)
    formula = r"\(W - F \+ 2P\)/S \+ 1 = \(2 - 3 \+ 2\*0\)/1 \+ 1 = 0"
    with pytest.raises(ValueError, match=r"conv_3 .*" + formula):
        CNNClassifier(filters=(4, 4, 4, 4), kernel_size=3, padding="valid", pooling=None,
                      max_iter=1).fit(IMAGES, LABELS)
    clf.fit(IMAGES, LABELS)  # three layers fit: 8 -> 6 -> 4 -> 2
    with pytest.raises(ValueError, match="pool_1"):
        CNNClassifier(filters=(4, 4), kernel_size=1, padding="valid", pool_size=3,
                      max_iter=1).fit(IMAGES, LABELS)


def test_bad_layouts_are_clear_errors():
    with pytest.raises(ValueError, match="input_shape=.* holds 60 values"):
        CNNClassifier(input_shape=(6, 10), max_iter=1).fit(IMAGES.reshape(-1, 64), LABELS)
    with pytest.raises(ValueError, match="conv_dims=2 needs images"):
        CNNClassifier(conv_dims=2, max_iter=1).fit(IMAGES.reshape(-1, 64), LABELS)
    clf = CNNClassifier(**SMALL).fit(IMAGES, LABELS)
    with pytest.raises(ValueError, match="features|shape"):
        clf.predict(np.zeros((2, 7, 7)))


def test_standardisation_is_learned_in_fit_and_part_of_the_model():
    X = IMAGES * 5 + 100
    clf = CNNClassifier(**SMALL).fit(X, LABELS)
    layer = clf.model_.get_layer("standardize")
    np.testing.assert_allclose(np.asarray(layer.mean), [X.mean()], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layer.variance), [X.var()], rtol=1e-5)
    np.testing.assert_allclose(clf.model_.predict(X[:5].reshape(-1, 8, 8, 1), verbose=0),
                               clf.predict_proba(X[:5]), rtol=1e-4, atol=1e-6)
    assert clf.score(X, LABELS) > 0.9  # raw pixel scale is not a problem
    plain = CNNClassifier(**SMALL, standardize=False).fit(X, LABELS)
    assert "standardize" not in [layer.name for layer in plain.model_.layers]


def test_string_labels_pickle_pipeline_and_mc_dropout():
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                      "nine"])[LABELS]
    pipe = make_pipeline(FunctionTransformer(lambda X: X / 16.0),
                         CNNClassifier(**SMALL, input_shape=(8, 8), dropout=0.2))
    pipe.fit(IMAGES.reshape(-1, 64), names)
    assert set(pipe.predict(IMAGES.reshape(-1, 64)[:20])) <= set(names)
    clf = pipe[-1]
    restored = pickle.loads(pickle.dumps(clf))
    flat = IMAGES.reshape(-1, 64)[:10] / 16.0
    np.testing.assert_allclose(restored.predict_proba(flat), clf.predict_proba(flat), rtol=1e-6)
    proba, std = clf.predict_proba(flat, return_std=True)
    assert proba.shape == std.shape == (10, 10) and np.all(std.max(axis=1) > 0)


def test_regressor_on_series():
    rng = np.random.RandomState(0)
    series = rng.randn(300, 20)
    target = np.convolve(np.ones(3), [1], "full")[0] * series[:, 5:8].sum(axis=1)
    reg = CNNRegressor(filters=(8,), dense_layer_sizes=(16,), max_iter=150,
                       learning_rate_init=0.01, random_state=0).fit(series, target)
    assert reg.input_shape_ == (20, 1) and reg.score(series, target) > 0.9
    assert reg.predict(series[:4]).shape == (4,)


