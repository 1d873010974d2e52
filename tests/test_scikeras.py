"""scikeras' API on skdeep's Keras wrappers: fit()/predict() keyword arguments, routed
prefixes, ``validation_split``, ``metrics``, ``compile_kwargs`` / ``params``,
``current_epoch`` and scikeras' own quickstart, run with only the import changed."""

import pickle
import warnings

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.metrics import (accuracy_score, log_loss, mean_absolute_error,
                             mean_squared_error, roc_auc_score)

from skdeep import KerasClassifier, KerasRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def dense(n_features_in, n_classes, hidden=8):
    return keras.Sequential([keras.Input((n_features_in,)),
                             keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(n_classes, activation="softmax")])


def compiling(n_features_in, n_classes, compile_kwargs, params, hidden=8):
    """scikeras' pattern: the wrapper's loss/optimizer/metrics compile the model."""
    model = dense(n_features_in, n_classes, hidden)
    model.compile(**compile_kwargs)
    compiling.seen = (compile_kwargs, params)
    return model


def regression_net(n_features_in, compile_kwargs):
    model = keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(1)])
    model.compile(**compile_kwargs)
    return model


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(y))  # Keras' last rows: all classes
    return X[order], y[order]


def test_fit_keyword_arguments_set_one_call(iris):
    X, y = iris
    clf = KerasClassifier(dense, max_iter=50, random_state=0)
    clf.fit(X, y, epochs=4, batch_size=-1, verbose=0)
    assert clf.n_iter_ == 4 and clf.max_iter == 50 and clf.batch_size == "auto"
    same = KerasClassifier(dense, max_iter=4, batch_size="full", random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.loss_curve_, same.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X, batch_size=7, verbose=0),
                               same.predict_proba(X), rtol=1e-6)
    with pytest.raises(ValueError, match="steps_per_epoch.*set batch_size"):
        clf.fit(X, y, steps_per_epoch=3)
    with pytest.raises(ValueError, match="validation_data.*validation_split"):
        clf.fit(X, y, validation_data=(X, y))
    with pytest.raises(ValueError, match="bogus, which is neither"):
        clf.fit(X, y, bogus=1)
    with pytest.raises(ValueError, match=r"predict\(\) got \['steps'\]"):
        clf.predict(X, steps=2)
    assert clf.max_iter == 50  # an error leaves the parameters as they were


def test_partial_fit_keyword_arguments_and_current_epoch(iris):
    X, y = iris
    clf = KerasClassifier(dense, random_state=0)
    assert clf.current_epoch == 0 and clf.initialized_ is False
    clf.partial_fit(X, y, batch_size=16)
    clf.partial_fit(X, y, sample_weight=np.ones(len(y)), shuffle=False)
    assert clf.current_epoch == 2 and clf.batch_size == "auto" and clf.shuffle is True
    assert clf.initialized_ and (clf.y_ndim_, clf.y_dtype_) == (1, str(y.dtype))
    assert clf.fit(X, y, epochs=3).current_epoch == 3
    reg = KerasRegressor(regression_net_plain, random_state=0)
    assert not hasattr(reg, "predict_proba")


def regression_net_plain(n_features_in):
    return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(1)])


def test_routed_prefixes_in_the_constructor():
    clf = KerasClassifier(dense, fit__epochs=7, fit__batch_size=-1, predict__batch_size=32,
                          run_eagerly=True, validation_batch_size=10, model__hidden=4)
    params = clf.get_params()
    assert (params["max_iter"], params["batch_size"], params["model_params"]) == (
        7, -1, {"hidden": 4})
    assert not any(k.startswith(("predict__", "run_eagerly")) for k in params)
    assert clone(clf).get_params()["max_iter"] == 7
    with pytest.raises(ValueError, match="callbacks__0__patience.*callbacks=None is not a class"):
        KerasClassifier(dense, callbacks__0__patience=3).fit(*make_classification(20, 5))
    with pytest.raises(ValueError, match="fit__initial_epoch.*warm_start"):
        KerasClassifier(dense, fit__initial_epoch=3)


def test_validation_split_holds_out_keras_last_rows(iris):
    X, y = iris
    n = int(np.floor(len(y) * 0.8))
    clf = KerasClassifier(dense, max_iter=30, random_state=0, validation_split=0.2).fit(X, y)
    # the same fit as one on the first rows alone (the split draws nothing)...
    alone = KerasClassifier(dense, max_iter=30, random_state=0).fit(X[:n], y[:n])
    np.testing.assert_allclose(clf.loss_curve_, alone.loss_curve_, rtol=1e-6)
    # ...scored every epoch on the last rows, without stopping on them
    assert len(clf.history_["val_loss"]) == clf.n_iter_ == 30
    assert clf.best_validation_score_ is None
    np.testing.assert_allclose(clf.history_["val_loss"][-1],
                               log_loss(y[n:], clf.predict_proba(X[n:]), labels=[0, 1, 2]),
                               rtol=1e-6)
    assert clf.history_["val_score"][-1] == accuracy_score(y[n:], clf.predict(X[n:]))
    # with early stopping, those rows are the ones it stops on
    stopped = KerasClassifier(dense, max_iter=300, early_stopping=True, validation_split=0.2,
                              n_iter_no_change=3, random_state=0).fit(X, y)
    assert stopped.n_iter_ < 300
    assert max(stopped.validation_scores_) == stopped.best_validation_score_ == \
        accuracy_score(y[n:], stopped.predict(X[n:]))
    with pytest.raises(ValueError, match="leaves no training rows"):
        KerasClassifier(dense, validation_split=0.99).fit(X[:20], y[:20])
    with pytest.raises(ValueError, match="solver='lbfgs' has none"):
        KerasClassifier(dense, solver="lbfgs", validation_split=0.2).fit(X, y)


def test_metrics_are_measured_every_epoch_in_history_and_logs(iris):
    X, y = iris
    n = int(np.floor(len(y) * 0.8))
    stop = keras.callbacks.EarlyStopping(monitor="val_auc", patience=2, mode="max")
    clf = KerasClassifier(dense, max_iter=40, random_state=0, validation_split=0.2,
                          metrics=["accuracy", keras.metrics.AUC(name="auc")],
                          callbacks=[stop]).fit(X, y)
    history = clf.history_
    assert {"accuracy", "auc", "val_accuracy", "val_auc"} <= set(history)
    assert all(len(history[k]) == clf.n_iter_ for k in ("accuracy", "val_auc"))
    assert history["accuracy"][-1] == accuracy_score(y[:n], clf.predict(X[:n]))
    assert history["val_accuracy"][-1] == history["val_score"][-1]
    # Keras' own AUC of the fitted network's probabilities on the held-out rows
    onehot, proba = np.eye(3)[y[n:]], clf.predict_proba(X[n:])
    keras_auc = keras.metrics.AUC()
    keras_auc.update_state(onehot, proba)
    np.testing.assert_allclose(history["val_auc"][-1], float(keras_auc.result()), rtol=1e-6)
    # (an estimate on 200 thresholds of scikit-learn's exact one)
    assert abs(history["val_auc"][-1] - roc_auc_score(onehot.ravel(), proba.ravel())) < 0.2
    with pytest.raises(ValueError, match="Keras knows no metric 'nonsense'"):
        KerasClassifier(dense, max_iter=2, metrics="nonsense").fit(X, y)
    with pytest.raises(ValueError, match="monitors 'val_auc'.*validation_split"):
        KerasClassifier(dense, max_iter=2, metrics=["AUC"], callbacks=[stop]).fit(X, y)


def test_regressor_metrics_and_warm_start_continue_the_curves():
    X, y = make_regression(120, 4, noise=1.0, random_state=0)

    def squares(y_true, y_pred):  # per sample, as Keras' metric functions: averaged
        return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1)

    reg = KerasRegressor(regression_net_plain, metrics=["mae", squares], max_iter=5,
                         learning_rate_init=0.05, warm_start=True, random_state=0).fit(X, y)
    np.testing.assert_allclose(reg.history_["mae"][-1],
                               mean_absolute_error(y, reg.predict(X)), rtol=1e-5)
    np.testing.assert_allclose(reg.history_["squares"][-1],
                               mean_squared_error(y, reg.predict(X)), rtol=1e-5)
    reg.fit(X, y)
    assert len(reg.history_["mae"]) == len(reg.loss_curve_) == 10


def test_model_functions_get_compile_kwargs_and_params(iris):
    X, y = iris
    clf = KerasClassifier(compiling, optimizer="sgd", optimizer__learning_rate=0.05,
                          optimizer__momentum=0.5, metrics=["accuracy"], max_iter=5,
                          random_state=0).fit(X, y)
    compile_kwargs, params = compiling.seen
    optimizer = compile_kwargs["optimizer"]
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert np.isclose(float(optimizer.learning_rate), 0.05) and optimizer.momentum == 0.5
    assert compile_kwargs["loss"] == "categorical_crossentropy"
    assert compile_kwargs["metrics"] == ["accuracy"]
    assert params["solver"] == "sgd" and params["max_iter"] == 5
    # they feed only the function's compile(): the fit equals one without them
    plain = KerasClassifier(dense, solver="sgd", learning_rate_init=0.05, momentum=0.5,
                            max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), plain.predict_proba(X), rtol=1e-6)
    # a new learning rate is no new network: a warm start goes on
    clf.set_params(warm_start=True, optimizer__learning_rate=0.01).fit(X, y)
    assert clf.current_epoch == 10
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.predict_proba(X), clf.predict_proba(X))
    reg = KerasRegressor(regression_net, loss="mae", max_iter=2).fit(*make_regression(
        50, 3, random_state=0))
    assert reg.loss == "mae"


def test_scikeras_quickstart_runs_with_only_the_import_changed():
    # scikeras' README quickstart, as written there (but a smaller grid)
    X, y = make_classification(1000, 20, n_informative=10, random_state=0)
    X = X.astype(np.float32)
    y = y.astype(np.int64)

    def get_model(hidden_layer_dim, meta):
        # note that meta is a special argument that will be
        # handed a dict containing input metadata
        n_features_in_ = meta["n_features_in_"]
        X_shape_ = meta["X_shape_"]
        n_classes_ = meta["n_classes_"]

        model = keras.models.Sequential()
        model.add(keras.layers.Dense(n_features_in_, input_shape=X_shape_[1:]))
        model.add(keras.layers.Activation("relu"))
        model.add(keras.layers.Dense(hidden_layer_dim))
        model.add(keras.layers.Activation("relu"))
        model.add(keras.layers.Dense(n_classes_))
        model.add(keras.layers.Activation("softmax"))
        return model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras: input_shape on a layer
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = KerasClassifier(
            get_model,
            loss="sparse_categorical_crossentropy",
            hidden_layer_dim=100,
            random_state=0,  # the quickstart leaves it unseeded; a test may not
        )
        clf.fit(X, y)
        y_proba = clf.predict_proba(X)
        assert y_proba.shape == (1000, 2)
        assert clf.score(X, y) > 0.9

        from sklearn.model_selection import GridSearchCV

        params = {
            "hidden_layer_dim": [50, 100],
            "loss": ["sparse_categorical_crossentropy"],
            "optimizer": ["adam", "sgd"],
            "optimizer__learning_rate": [0.001, 0.1],
        }
        gs = GridSearchCV(clf, params, refit=False, cv=3, scoring="accuracy")
        gs.fit(X, y)
    assert gs.best_score_ > 0.85
    assert set(gs.best_params_) == set(params)


def compiled_net(n_features_in, compiled_loss=None, units=1, activation=None):
    model = keras.Sequential([keras.Input((n_features_in,)),
                              keras.layers.Dense(units, activation=activation)])
    if compiled_loss is not None:
        model.compile(loss=compiled_loss, optimizer="adam")
    return model


def test_a_loss_compiled_into_the_model_is_trained_or_refused_never_replaced():
    X, y = make_regression(80, 3, noise=5.0, random_state=0)
    # the model's own compile() wins while loss= is left at its default (scikeras' rule)
    own = KerasRegressor(compiled_net, compiled_loss="mae", max_iter=15, random_state=0)
    given = KerasRegressor(compiled_net, loss="absolute_error", max_iter=15, random_state=0)
    np.testing.assert_allclose(own.fit(X, y).loss_curve_, given.fit(X, y).loss_curve_,
                               rtol=1e-6)
    huber = KerasRegressor(compiled_net, compiled_loss=keras.losses.Huber(), max_iter=5,
                           random_state=0).fit(X, y)
    plain = KerasRegressor(compiled_net, loss="huber", max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_allclose(huber.loss_curve_, plain.loss_curve_, rtol=1e-6)
    # both given: they must agree
    KerasRegressor(compiled_net, compiled_loss="mse", loss="mse", max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="compiled with loss='mae'.*given loss='huber'"):
        KerasRegressor(compiled_net, compiled_loss="mae", loss="huber").fit(X, y)
    with pytest.raises(ValueError, match="compiled with loss='cosine_similarity'"):
        KerasRegressor(compiled_net, compiled_loss="cosine_similarity").fit(X, y)
    with pytest.raises(ValueError, match="negative.*Poisson"):
        KerasRegressor(compiled_net, compiled_loss="poisson").fit(X, y)
    # a refit with an uncompiled model trains the wrapper's loss again
    own.set_params(model_params={}).fit(X, y)
    np.testing.assert_allclose(
        own.loss_curve_, KerasRegressor(compiled_net, max_iter=15, random_state=0).fit(
            X, y).loss_curve_, rtol=1e-6)

    Xc, yc = make_classification(60, 4, random_state=0)
    clf = KerasClassifier(compiled_net, compiled_loss="binary_crossentropy",
                          activation="sigmoid", max_iter=3, random_state=0).fit(Xc, yc)
    np.testing.assert_allclose(clf.loss_curve_, KerasClassifier(
        compiled_net, activation="sigmoid", max_iter=3, random_state=0).fit(Xc, yc).loss_curve_,
        rtol=1e-6)
    with pytest.raises(ValueError, match="compiled with loss='mse'.*log-loss"):
        KerasClassifier(compiled_net, compiled_loss="mse", activation="sigmoid").fit(Xc, yc)


def test_batch_size_none_is_keras_default_of_32(iris):
    X, y = iris
    none = KerasClassifier(dense, batch_size=None, max_iter=3, random_state=0).fit(X, y)
    keras32 = KerasClassifier(dense, batch_size=32, max_iter=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(none.loss_curve_, keras32.loss_curve_, rtol=1e-6)
    assert clone(none).batch_size is None


def sgd_compiled(n_features_in, rate=0.05):
    model = compiled_net(n_features_in)
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(rate))
    return model


def test_an_optimizer_compiled_into_the_model_trains_unless_the_wrapper_names_one():
    X, y = make_regression(60, 3, noise=1.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        # the wrapper's optimizer arguments at their defaults: the compiled SGD(0.05)
        # trains, as in scikeras -- the same fit as the wrapper told so
        adopted = KerasRegressor(sgd_compiled, max_iter=5, random_state=0).fit(X, y)
        told = KerasRegressor(compiled_net, optimizer="sgd", optimizer__learning_rate=0.05,
                              optimizer__momentum=0.0, optimizer__nesterov=False,
                              max_iter=5, random_state=0).fit(X, y)
        np.testing.assert_allclose(adopted.loss_curve_, told.loss_curve_, rtol=1e-6)
        assert adopted.solver == "adam"  # the parameter stays as given
        # and over a warm start
        adopted.set_params(warm_start=True).fit(X, y)
        told.set_params(warm_start=True).fit(X, y)
        np.testing.assert_allclose(adopted.loss_curve_, told.loss_curve_, rtol=1e-6)
        # Keras' default compile(loss=...) chose no optimizer: nothing to say
        KerasRegressor(compiled_net, compiled_loss="mse", max_iter=2).fit(X, y)
        # nor does compile_kwargs' optimizer, whatever the searched learning rate
        for rate in (1e-3, 1e-2, 1e-3):
            KerasRegressor(regression_net, learning_rate_init=rate, max_iter=2).fit(X, y)
    # an optimizer argument given to the wrapper wins, and the compiled one is named
    with pytest.warns(UserWarning, match=r"compiled with an optimizer \(sgd, learning rate "
                      r"0.05\).*learning_rate_init=0.01.*optimizer='sgd', "
                      r"optimizer__learning_rate=0.05"):
        KerasRegressor(sgd_compiled, learning_rate_init=0.01, max_iter=2).fit(X, y)

    def clipped(n_features_in):
        model = keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0))
        return model

    with pytest.warns(UserWarning, match="skdeep's adam has no clipnorm"):
        KerasRegressor(clipped, max_iter=2).fit(X, y)


# ------------------------------------------------------------------ the model lifecycle
def test_an_initialized_wrapper_follows_its_given_model_until_trained():
    X = np.random.RandomState(0).normal(size=(30, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    est = KerasRegressor(model, max_iter=2, random_state=0).initialize(X)
    assert est.loss_ is None and est.n_iter_ == 0 and est.n_outputs_ == 3
    np.testing.assert_allclose(est.predict(X), model.predict(X, verbose=0), rtol=1e-5)
    # the model changes (another model sharing its layers trained them): est follows
    kernel, bias = model.get_weights()
    model.set_weights([2 * kernel, bias + 1])
    np.testing.assert_allclose(est.predict(X), model.predict(X, verbose=0), rtol=1e-5)
    # once trained, the wrapper's weights are its own
    est.fit(X, X[:, :3])
    trained = est.predict(X)
    model.set_weights([kernel, bias])
    np.testing.assert_allclose(est.predict(X), trained)
    # without y: a classifier has no classes, a model function no output width
    with pytest.raises(ValueError, match="a classifier needs y"):
        KerasClassifier(model).initialize(X)
    with pytest.raises(ValueError, match="no y.*not a built Keras model"):
        KerasRegressor(regression_net).initialize(X)


def test_model_is_one_object_over_refits_of_one_architecture():
    X, y = make_regression(40, 3, random_state=0)
    est = KerasRegressor(regression_net, max_iter=3, random_state=0).fit(X, y)
    model = est.model_
    est.set_params(max_iter=5).fit(X, y)
    assert est.model_ is model  # the reference a user holds sees the new weights
    np.testing.assert_allclose(model.predict(X, verbose=0).ravel(), est.predict(X),
                               rtol=1e-4, atol=1e-5)
    est.partial_fit(X, y)
    np.testing.assert_allclose(model.predict(X, verbose=0).ravel(), est.predict(X),
                               rtol=1e-4, atol=1e-5)
    est.set_params(model=wide_net).fit(X, y)
    assert est.model_ is not model  # another architecture, another model
    assert est.model_.count_params() == 3 * 5 + 5 + 5 + 1


def wide_net(n_features_in):
    return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(5),
                             keras.layers.Dense(1)])


class CountingInitialize(KerasRegressor):
    """scikeras' _initialize hook, overridden: called when fit sets a network up."""

    def _initialize(self, X, y=None):
        X, y = super()._initialize(X, y)
        self.calls_ = getattr(self, "calls_", 0) + 1
        self.seen_ = (type(X), X.shape, None if y is None else y.shape)
        return X, y


def test_a_subclass_initialize_runs_when_fit_sets_a_network_up():
    X, y = make_regression(40, 3, random_state=0)
    est = CountingInitialize(regression_net, max_iter=2, random_state=0)
    est.fit(X.tolist(), y)
    assert est.calls_ == 1 and est.seen_ == (np.ndarray, (40, 3), (40,)) and est.n_iter_ == 2
    plain = KerasRegressor(regression_net, max_iter=2, random_state=0).fit(X, y)
    np.testing.assert_allclose(est.predict(X), plain.predict(X), rtol=1e-6)
    est.fit(X, y)
    assert est.calls_ == 2  # every fresh fit
    est.set_params(warm_start=True).fit(X, y)
    est.partial_fit(X, y)
    assert est.calls_ == 2  # continuing a network sets none up


# ------------------------------------------------------------------ routed objects
class Schedule:
    """scikeras' example: a learning-rate schedule LearningRateScheduler takes as its
    first positional argument."""

    def __init__(self, wait_until_epoch=10, coef=0.1):
        self.wait_until_epoch = wait_until_epoch
        self.coef = coef

    def __call__(self, epoch, lr):
        return lr if epoch < self.wait_until_epoch else lr * float(np.exp(-self.coef))


def test_callbacks_metrics_and_losses_are_built_from_routed_parameters():
    X, y = make_classification(80, 4, random_state=0)
    es = keras.callbacks.EarlyStopping
    clf = KerasClassifier(dense, callbacks=es, callbacks__monitor="loss",
                          callbacks__patience=2, callbacks__min_delta=10.0, max_iter=50,
                          random_state=0)
    assert clf.get_params()["model_params"] == {
        "callbacks__monitor": "loss", "callbacks__patience": 2, "callbacks__min_delta": 10.0}
    clf.fit(X, y)  # the model function (no **kwargs) never sees the routed names
    built = clf.callbacks_[0]
    assert type(built) is es and (built.monitor, built.patience) == ("loss", 2)
    assert clf.n_iter_ == 3  # no epoch improves by 10: stopped after the patience
    assert clone(clf).fit(X, y).callbacks_[0] is not built  # fresh objects every fit
    # lists and dicts: an item's own parameters over the shared ones; positional args
    clf = KerasClassifier(
        dense, max_iter=4, callbacks={"es": es, "lr": keras.callbacks.LearningRateScheduler},
        callbacks__es__monitor="loss", callbacks__lr__0=Schedule,
        callbacks__lr__0__coef=0.2).fit(X, y)
    stop, schedule = clf.callbacks_
    assert stop.monitor == "loss" and schedule.schedule.coef == 0.2
    # a search over a routed parameter
    search = GridSearchCV(KerasClassifier(dense, callbacks=[es], callbacks__0__monitor="loss",
                                          max_iter=3), {"callbacks__0__patience": [1, 2]},
                          cv=2).fit(X, y)
    assert search.best_estimator_.callbacks_[0].patience in (1, 2)
    # metrics: scikeras' threshold on BinaryAccuracy, measured on the epoch's weights
    clf = KerasClassifier(lambda n_features_in: keras.Sequential([
        keras.Input((n_features_in,)), keras.layers.Dense(1, activation="sigmoid")]),
        metrics=[keras.metrics.BinaryAccuracy, keras.metrics.AUC], metrics__0__threshold=0.65,
        max_iter=5, random_state=0, batch_size=-1).fit(X, y)
    expected = np.mean((clf.predict_proba(X)[:, 1] > 0.65) == y)
    assert clf.history_["binary_accuracy"][-1] == pytest.approx(expected)
    assert "auc" in clf.history_
    for _ in range(2):  # a class without routed parameters keeps Keras' first name too
        assert "auc" in KerasClassifier(dense, metrics=[keras.metrics.AUC], max_iter=1).fit(
            X, y).history_
    # a loss class is built and trained by its name
    reg = KerasRegressor(regression_net, loss=keras.losses.Huber, max_iter=2).fit(X, y)
    assert reg._loss_name() == "huber"


def test_loss_settings_skdeep_would_drop_are_refused():
    X, y = make_classification(40, 4, random_state=0)
    with pytest.raises(ValueError, match=r"Huber\(\.\.\.\) computes something else.*its name"):
        KerasRegressor(regression_net, loss=keras.losses.Huber, loss__delta=2.0).fit(X, y)
    with pytest.raises(ValueError, match="label_smoothing=0.1"):
        KerasClassifier(dense, loss=keras.losses.BinaryCrossentropy(label_smoothing=0.1)).fit(
            X, y)
    with pytest.raises(ValueError, match="not a class to build with them"):
        KerasClassifier(dense, callbacks=[keras.callbacks.EarlyStopping()],
                        callbacks__0__patience=3).fit(X, y)
    with pytest.raises(ValueError, match="maps outputs to metrics"):
        KerasClassifier(dense, metrics={"out": "accuracy"}).fit(X, y)
    with pytest.raises(ValueError, match="builds no optimizer"):
        KerasClassifier(dense, optimizer__clipnorm=1.0)
    def smoothed_huber(n_features_in):
        model = keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(1)])
        model.compile(loss=keras.losses.Huber(delta=2.0))
        return model

    with pytest.raises(ValueError, match=r"Huber\(\.\.\.\) computes something else"):
        KerasRegressor(smoothed_huber).fit(X, y)  # compiled into the model: the same
    # Keras' defaults and from_logits (skdeep reads the last layer) pass
    KerasClassifier(dense, loss=keras.losses.BinaryCrossentropy(from_logits=True),
                    max_iter=1).fit(X, y)
