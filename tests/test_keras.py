"""KerasClassifier / KerasRegressor: the user's own Keras model behind sklearn's API."""

import pickle

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.model_selection import GridSearchCV

from skdeep import KerasClassifier, KerasRegressor
from skdeep._backend import backend
from skdeep.layers import RateDropout

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
NAMES = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]
FAST = dict(max_iter=150, learning_rate_init=0.01, random_state=0)


def make_net(n_features_in, n_outputs, hidden=16, final=None):
    return keras.Sequential([
        keras.Input((n_features_in,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(n_outputs, activation=final),
    ])


def softmax_net(meta, hidden=16):
    """A scikeras-style function: everything from ``meta``."""
    return keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(meta["n_classes_"], activation="softmax"),
    ])


def image_net(input_shape, n_classes):
    return keras.Sequential([
        keras.Input(input_shape),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(n_classes),
    ])



@pytest.mark.parametrize(
    "model, params",
    [
        (make_net, {}),  # linear scores: skdeep adds softmax
        (make_net, {"model_params": {"final": "softmax"}}),  # probabilities
        (softmax_net, {"model_params": {"hidden": 32}}),  # scikeras-style meta
    ],
)
def test_multiclass_with_string_labels(model, params):
    clf = KerasClassifier(model, **params, **FAST).fit(X_IRIS, NAMES)
    assert clf.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    proba = clf.predict_proba(X_IRIS)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert clf.score(X_IRIS, NAMES) > 0.95
    assert clf.out_activation_ == "softmax"


@pytest.mark.parametrize("final, width, activation", [
    ("sigmoid", 1, "logistic"), (None, 1, "logistic"), ("softmax", 2, "softmax"),
    (None, 2, "softmax"),
])
def test_binary_outputs(final, width, activation):
    X, y = make_classification(200, 6, random_state=0)

    def net(n_features_in):
        return make_net(n_features_in, width, final=final)

    clf = KerasClassifier(net, **FAST).fit(X, y)
    assert clf.out_activation_ == activation
    assert clf.predict_proba(X).shape == (200, 2)
    assert clf.score(X, y) > 0.9


def test_softmax_probabilities_match_the_users_model():
    """ToLogits + softmax reproduces the user's probabilities exactly."""
    clf = KerasClassifier(make_net, model_params={"final": "softmax"}, **FAST).fit(X_IRIS, Y_IRIS)
    inner = clf.model_.layers[1]
    np.testing.assert_allclose(np.asarray(inner(X_IRIS)), clf.predict_proba(X_IRIS), rtol=1e-5)


def test_images_and_model_instances():
    X, y = load_digits(return_X_y=True)
    images = X[:300].reshape(-1, 8, 8, 1) / 16
    clf = KerasClassifier(image_net, max_iter=30, learning_rate_init=0.01,
                          random_state=0).fit(images, y[:300])
    assert clf.input_shape_ == (8, 8, 1)
    assert clf.score(images, y[:300]) > 0.9
    # a model instance is cloned, never trained in place
    instance = image_net((8, 8, 1), 10)
    before = [w.copy() for w in instance.get_weights()]
    KerasClassifier(instance, max_iter=5, random_state=0).fit(images, y[:300])
    for a, b in zip(before, instance.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_seeded_and_user_initializers():
    a = KerasClassifier(make_net, **FAST).fit(X_IRIS, Y_IRIS)
    b = KerasClassifier(make_net, **FAST).fit(X_IRIS, Y_IRIS)
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)

    def zeros_net(n_features_in, n_outputs):
        return keras.Sequential([keras.Input((n_features_in,)),
                                 keras.layers.Dense(n_outputs, kernel_initializer="zeros")])

    init = KerasClassifier(zeros_net, random_state=0).initialize(X_IRIS, Y_IRIS)
    assert not init.coefs_[0].any()  # the user's initializer, not skdeep's


def test_grid_search_over_model_params_and_scikeras_spelling():
    for key in ("model_params__hidden", "model__hidden"):
        search = GridSearchCV(KerasClassifier(make_net, max_iter=40, learning_rate_init=0.02,
                                              random_state=0),
                              {key: [2, 16]}, cv=3).fit(X_IRIS, Y_IRIS)
        assert search.best_params_ == {key: 16}
        assert search.best_estimator_.model_params == {"hidden": 16}
    clf = KerasClassifier(make_net, model_params={"hidden": 4})
    assert clf.get_params()["model_params__hidden"] == 4
    clf.set_params(model__final="softmax")
    assert clf.model_params == {"hidden": 4, "final": "softmax"}


def test_errors_are_clear():
    with pytest.raises(ValueError, match="needs model="):
        KerasClassifier().fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="takes no argument"):
        KerasClassifier(make_net, model_params={"widht": 3}).fit(X_IRIS, Y_IRIS)

    def needs_more(n_features_in, depth):
        return make_net(n_features_in, 3)

    with pytest.raises(ValueError, match=r"needs \['depth'\]"):
        KerasClassifier(needs_more).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="must return a keras.Model"):
        KerasClassifier(lambda: "a model").fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="3 classes: give the last layer 3 units"):
        KerasClassifier(lambda n_features_in: make_net(n_features_in, 5)).fit(X_IRIS, Y_IRIS)
    with pytest.raises(ValueError, match="y has 1 target"):
        KerasRegressor(lambda n_features_in: make_net(n_features_in, 2)).fit(X_IRIS, Y_IRIS)


def test_regressor_float64_and_pickle():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (200, 2))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    reg = KerasRegressor(make_net, model_params={"hidden": 32, "final": None}, max_iter=300,
                         learning_rate_init=0.01, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.95
    assert reg.predict(X).dtype == np.float64
    # the data's precision; on JAX (no global 64-bit mode) model_ is a float32 copy
    expected = "float32" if backend() == "jax" else "float64"
    assert reg.model_.layers[1].layers[0].kernel.dtype == expected
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))


def test_poisson_with_a_linear_last_layer_is_a_log_link():
    rng = np.random.RandomState(0)
    X = rng.uniform(0, 1, (300, 1))
    y = rng.poisson(np.exp(1 + 2 * X[:, 0]))
    reg = KerasRegressor(make_net, loss="poisson", **FAST).fit(X, y)
    assert (reg.predict(X) > 0).all()
    assert abs(reg.predict(X).mean() - y.mean()) < 0.1 * y.mean()


def test_monte_carlo_with_rate_dropout_in_the_users_model():
    def dropout_net(n_features_in, n_outputs):
        return keras.Sequential([keras.Input((n_features_in,)),
                                 keras.layers.Dense(32, activation="relu"),
                                 RateDropout(0.3), keras.layers.Dense(n_outputs)])

    clf = KerasClassifier(dropout_net, **FAST).fit(X_IRIS, Y_IRIS)
    mean, std = clf.predict_proba(X_IRIS[:5], return_std=True)
    assert mean.shape == std.shape == (5, 3)
    assert (std.max(axis=1) > 0).all()
    with pytest.raises(ValueError, match="no dropout"):
        KerasClassifier(make_net, **FAST).fit(X_IRIS, Y_IRIS).predict_proba(X_IRIS,
                                                                          return_std=True)


def test_early_stopping_and_class_weight():
    X, y = make_classification(300, 6, weights=[0.9], random_state=0)
    clf = KerasClassifier(make_net, early_stopping=True, class_weight="balanced",
                          **FAST).fit(X, y)
    assert clf.best_validation_score_ is not None
    assert clf.n_iter_ < 150
    assert (clf.predict(X) == 1).sum() > 20  # the minority class is predicted


def test_warm_start_refuses_a_changed_model():
    clf = KerasClassifier(make_net, model_params={"hidden": 8}, warm_start=True, **FAST)
    clf.fit(X_IRIS, Y_IRIS)
    clf.fit(X_IRIS, Y_IRIS)  # same model: continues
    clf.set_params(model_params__hidden=16)
    with pytest.raises(ValueError, match="call_kwargs"):
        clf.fit(X_IRIS, Y_IRIS)


def _noisy_net(input_shape, n_outputs, width=7):
    # layers built without a seed: Keras draws theirs from Python's global random
    return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(width),
                             keras.layers.Dropout(0.2), keras.layers.GaussianNoise(0.1),
                             keras.layers.Dense(n_outputs)])


@pytest.mark.parametrize("width", [5, 6])  # new architectures: their first build and probe
def test_a_seeded_fit_leaves_the_global_random_states_alone(width):
    """The user's model function (and Keras' unseeded layers in it) run inside skdeep's
    fit; Python's and NumPy's global random streams continue as if it had not run."""
    import random

    X, y = make_classification(60, 4, random_state=0)
    est = KerasClassifier(_noisy_net, max_iter=2, random_state=0).set_params(model__width=width)
    random.seed(123)
    np.random.seed(123)
    expected = (random.random(), np.random.rand())
    random.seed(123)
    np.random.seed(123)
    est.fit(X, y)
    est.predict_proba(X)
    assert (random.random(), np.random.rand()) == expected


_RECEIVED = {}


def _recording_net(n_features_in, n_outputs, layer_kw, sizes, scale):
    _RECEIVED.update(layer_kw=layer_kw, sizes=sizes, scale=scale)
    return keras.Sequential([keras.Input((n_features_in,))]
                            + [keras.layers.Dense(s, **layer_kw) for s in sizes]
                            + [keras.layers.Dense(n_outputs)])


def test_model_params_reach_the_function_as_given():
    """A dict stays a dict, a list a list, an array an array (they are frozen for the
    engine cache's key and thawed for the call); clones and pickles keep them."""
    received = _RECEIVED
    build = _recording_net
    X, y = make_classification(40, 3, n_informative=2, n_redundant=0, random_state=0)
    params = {"layer_kw": {"activation": "relu"}, "sizes": [4, 3], "scale": np.arange(3)}
    est = KerasClassifier(build, model_params=params, max_iter=2).fit(X, y)
    assert received["layer_kw"] == {"activation": "relu"} and received["sizes"] == [4, 3]
    assert isinstance(received["scale"], np.ndarray)
    np.testing.assert_array_equal(received["scale"], np.arange(3))
    assert pickle.loads(pickle.dumps(est)).predict(X).shape == (40,)


@pytest.mark.parametrize("make", [
    lambda: KerasRegressor(make_net, max_iter=2),
    lambda: __import__("skdeep").MLPRegressor(hidden_layer_sizes=(3,), max_iter=2),
], ids=["keras", "mlp"])
def test_partial_fit_with_another_number_of_targets_is_a_clear_error(make):
    X = np.random.RandomState(0).randn(40, 3)
    est = make()
    est.partial_fit(X, X[:, 0])
    with pytest.raises(ValueError, match=r"y has 2 target column\(s\), but this \w+ was "
                                         r"fitted on 1; partial_fit"):
        est.partial_fit(X, X[:, :2])
    assert est.fit(X, X[:, :2]).n_outputs_ == 2  # fit starts a new network


def _sized_net(n_features_in, n_outputs, hidden=8, activation="relu"):
    return keras.Sequential([keras.Input((n_features_in,)),
                             keras.layers.Dense(hidden, activation=activation),
                             keras.layers.Dense(n_outputs)])


def test_the_constructor_takes_the_model_functions_arguments_as_scikeras_does():
    """``KerasClassifier(build, hidden=5, model__activation='tanh')``: both spellings join
    model_params, win over its entry of the same name, survive clone, and are searched."""
    from sklearn.base import clone

    est = KerasClassifier(_sized_net, hidden=5, model__activation="tanh",
                          model_params={"hidden": 99}, max_iter=3, random_state=0)
    assert est.model_params == {"hidden": 5, "activation": "tanh"}
    assert clone(est).get_params()["model_params__hidden"] == 5
    X, y = make_classification(60, 4, random_state=0)
    est.fit(X, y)
    inner = est.model_.layers[1]
    assert inner.layers[0].units == 5 and inner.layers[0].activation.__name__ == "tanh"
    same = KerasClassifier(_sized_net, model_params={"hidden": 5, "activation": "tanh"},
                           max_iter=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), same.predict_proba(X))
    search = GridSearchCV(KerasClassifier(_sized_net, hidden=4, max_iter=3),
                          {"model__hidden": [3, 6]}, cv=2).fit(X, y)
    assert search.best_estimator_.model_params["hidden"] in (3, 6)
    with pytest.raises(ValueError, match=r"takes no argument\(s\) \['max_iters'\].*check its "
                                         r"spelling"):
        KerasClassifier(_sized_net, max_iters=3).fit(X, y)
    assert KerasClassifier(_sized_net).model_params is None  # nothing given: stored as is
    # set_params takes the same spellings
    est.set_params(hidden=7, model__activation="relu", max_iter=2)
    assert est.model_params == {"hidden": 7, "activation": "relu"} and est.max_iter == 2


def _one_element_list(n_features_in, n_outputs):
    inputs = keras.Input((n_features_in,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, [keras.layers.Dense(n_outputs)(hidden)])


def _two_heads(n_features_in, activation=None):
    inputs = keras.Input((n_features_in,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, [keras.layers.Dense(1, activation=activation, name="a")(hidden),
                                keras.layers.Dense(1, activation=activation, name="b")(hidden)])


def _two_softmax_heads(n_features_in):
    inputs = keras.Input((n_features_in,))
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, [keras.layers.Dense(2, activation="softmax")(hidden),
                                keras.layers.Dense(2, activation="softmax")(hidden)])


def test_models_with_a_list_of_outputs():
    """A one-element list is its element (the same fit as the plain model); several 2-D
    heads with one linear or sigmoid activation are joined (a multi-output regressor, a
    multilabel classifier); heads that cannot be one output are refused, saying why."""
    X = np.random.RandomState(0).randn(60, 3)
    y = (X[:, 0] > 0).astype(int)
    listed = KerasClassifier(_one_element_list, max_iter=5, random_state=0).fit(X, y)
    plain = KerasClassifier(make_net, max_iter=5, random_state=0).fit(X, y)
    assert listed.predict_proba(X).shape == plain.predict_proba(X).shape == (60, 2)
    Y = np.c_[X[:, 0], X[:, 1]]
    reg = KerasRegressor(_two_heads, max_iter=100, learning_rate_init=0.01,
                         random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (60, 2) and reg.score(X, Y) > 0.8
    labels = np.c_[y, (X[:, 1] > 0).astype(int)]
    multilabel = KerasClassifier(_two_heads, model__activation="sigmoid", max_iter=50,
                                 learning_rate_init=0.01, random_state=0).fit(X, labels)
    assert multilabel.predict(X).shape == (60, 2)
    with pytest.raises(ValueError, match=r"The model's outputs \(2\) cannot be read as one"):
        KerasClassifier(_two_softmax_heads, max_iter=2).fit(X, y)


def test_a_pretrained_model_keeps_its_weights():
    """``model=`` a trained Keras model: the fit starts from its weights (scikeras keeps
    them too), so one tiny step predicts what the Keras model predicts; the model
    itself is not changed."""
    X = np.random.RandomState(0).randn(200, 3)
    y = X @ np.array([1.0, -2.0, 0.5])
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="relu"),
                            keras.layers.Dropout(0.1), keras.layers.Dense(1)])
    net.compile(optimizer="adam", loss="mse")
    net.fit(X, y, epochs=100, verbose=0)
    before = [w.copy() for w in net.get_weights()]
    expected = net.predict(X, verbose=0)[:, 0]
    est = KerasRegressor(net, max_iter=1, learning_rate_init=1e-7, random_state=0).fit(X, y)
    np.testing.assert_allclose(est.predict(X), expected, rtol=1e-3, atol=1e-3)
    for a, b in zip(before, net.get_weights()):
        np.testing.assert_array_equal(a, b)
    fresh = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1)])
    untrained = KerasRegressor(fresh, max_iter=1, random_state=0).fit(X, y)
    assert np.mean((untrained.predict(X) - y) ** 2) > 10 * np.mean((expected - y) ** 2)


def test_a_first_partial_fit_without_classes_takes_those_of_its_batch():
    """scikeras' rule for its wrappers (scikit-learn's classifiers require classes=,
    and skdeep's MLPClassifier keeps requiring it)."""
    from skdeep import MLPClassifier

    X, y = make_classification(60, 5, n_classes=3, n_informative=3, random_state=0)
    est = KerasClassifier(make_net, random_state=0).partial_fit(X, y)
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    est.partial_fit(X[:10], y[:10])
    with pytest.raises(ValueError, match="has classes not in `self.classes_`"):
        est.partial_fit(X, y + 5)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X, y)


def test_scikeras_spellings_of_the_training_parameters():
    """epochs, optimizer (a name, a class or an object with its settings), the routed
    optimizer__ settings, loss (Keras' names and objects), build_fn: each becomes the
    skdeep parameter it means -- and wins over it -- in the constructor and in set_params,
    so clone and searches keep them; the fit equals the one spelt skdeep's way."""
    from sklearn.base import clone

    X = np.random.RandomState(0).randn(100, 3)
    y = X @ np.array([1.0, -2.0, 0.5])
    theirs = KerasRegressor(build_fn=_sized_net, loss="mse", optimizer="sgd", epochs=20,
                            optimizer__learning_rate=0.01, optimizer__momentum=0.5,
                            hidden=16, random_state=0)
    ours = KerasRegressor(_sized_net, loss="squared_error", solver="sgd", max_iter=20,
                          learning_rate_init=0.01, momentum=0.5,
                          model_params={"hidden": 16}, random_state=0)
    params = ("model", "solver", "max_iter", "learning_rate_init", "momentum", "model_params")
    assert {k: theirs.get_params()[k] for k in params} == {k: ours.get_params()[k]
                                                           for k in params}
    assert clone(theirs).max_iter == 20
    np.testing.assert_array_equal(theirs.fit(X, y).predict(X), ours.fit(X, y).predict(X))
    adam = KerasRegressor(_sized_net, optimizer=keras.optimizers.Adam(learning_rate=0.05),
                          loss=keras.losses.MeanAbsoluteError())
    assert (adam.solver, adam.learning_rate_init) == ("adam", 0.05)
    assert adam.fit(X, y).loss_curve_ and adam._loss_name() == "absolute_error"
    assert KerasRegressor(_sized_net, optimizer=keras.optimizers.RMSprop).solver == "rmsprop"
    clf = KerasClassifier(_sized_net, loss="sparse_categorical_crossentropy", epochs=3)
    assert clf.max_iter == 3 and clf.get_params()["loss"] == "sparse_categorical_crossentropy"
    clf.set_params(epochs=4, optimizer__learning_rate=0.1)
    assert (clf.max_iter, clf.learning_rate_init) == (4, 0.1)
    search = GridSearchCV(KerasClassifier(_sized_net, epochs=2), {"epochs": [1, 3]}, cv=2)
    assert search.fit(X, (y > 0).astype(int)).best_estimator_.max_iter in (1, 3)
    with pytest.raises(ValueError, match="KerasClassifier trains with the log-loss"):
        KerasClassifier(_sized_net, loss="hinge").fit(X, (y > 0).astype(int))
    with pytest.raises(ValueError, match="list of 2 losses.*give one loss"):
        KerasClassifier(_sized_net, loss=["binary_crossentropy"] * 2).fit(X, (y > 0).astype(int))
    with pytest.raises(ValueError, match="optimizer='nadam': skdeep trains with 'sgd'"):
        KerasClassifier(_sized_net, optimizer="nadam")
