"""scikeras' tutorial notebooks, run on skdeep with only the import changed.

Each test follows one of scikeras' notebooks (Basic usage; MLPClassifier and
MLPRegressor) cell by cell: the same model functions, the same wrapper
arguments in scikeras' spelling, the same calls. Only ``from scikeras.wrappers
import ...`` became ``from skdeep.wrappers import ...``; datasets are smaller where the
notebook's size only costs time. The assertions are the notebooks' own checks
and the results they print (scores, shapes, epochs trained), as numbers.
"""

import pickle
from typing import Any, Dict, Iterable

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_moons, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdeep.wrappers import KerasClassifier, KerasRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ---------------------------------------------------------------- Basic usage
def get_clf(meta, hidden_layer_sizes, dropout):
    n_features_in_ = meta["n_features_in_"]
    model = keras.models.Sequential()
    model.add(keras.layers.Input(shape=(n_features_in_,)))
    for hidden_layer_size in hidden_layer_sizes:
        model.add(keras.layers.Dense(hidden_layer_size, activation="relu"))
        model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    return model


def get_reg(meta, hidden_layer_sizes, dropout):
    n_features_in_ = meta["n_features_in_"]
    model = keras.models.Sequential()
    model.add(keras.layers.Input(shape=(n_features_in_,)))
    for hidden_layer_size in hidden_layer_sizes:
        model.add(keras.layers.Dense(hidden_layer_size, activation="relu"))
        model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(1))
    return model


class MaxValLoss(keras.callbacks.Callback):
    def __init__(self, monitor: str, threashold: float):
        self.monitor = monitor
        self.threashold = threashold

    def on_epoch_end(self, epoch, logs=None):
        if logs[self.monitor] > self.threashold:
            self.model.stop_training = True


def test_basic_usage_classifier_and_regressor(tmp_path):
    X, y = make_classification(1000, 20, n_informative=10, random_state=0)
    clf = KerasClassifier(model=get_clf, loss="binary_crossentropy",
                          hidden_layer_sizes=(100,), dropout=0.5)
    clf.fit(X, y)
    assert clf.predict(X[:5]).shape == (5,)
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert clf.score(X, y) > 0.9

    X_regr, y_regr = make_regression(1000, 20, n_informative=10, random_state=0)
    reg = KerasRegressor(model=get_reg, loss="mse", metrics=[keras.metrics.R2Score],
                         hidden_layer_sizes=(100,), dropout=0.5)
    reg.fit(X_regr, y_regr)
    assert reg.predict(X_regr[:5]).shape == (5,)
    # the R2Score class became a metric measured every epoch, named as Keras does
    assert len(reg.history_["r2_score"]) == reg.n_iter_
    assert reg.history_["r2_score"][-1] == pytest.approx(reg.score(X_regr, y_regr), abs=1e-4)

    # 4.1 pickle keeps the trained model
    new_reg = pickle.loads(pickle.dumps(reg))
    np.testing.assert_allclose(new_reg.predict(X_regr[:5]), reg.predict(X_regr[:5]))

    # 4.2 Keras' own saving, and a new wrapper around the loaded model, initialized
    pred_old = reg.predict(X_regr)
    reg.model_.save(tmp_path / "my_model.keras")
    new_reg_model = keras.saving.load_model(tmp_path / "my_model.keras")
    reg_new = KerasRegressor(new_reg_model)
    reg_new.initialize(X_regr, y_regr)
    pred_new = reg_new.predict(X_regr)
    np.testing.assert_allclose(pred_old, pred_new, rtol=1e-5, atol=1e-5)

    # 5. in a Pipeline
    pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])
    assert pipe.fit(X, y).predict(X).shape == (1000,)


def test_basic_usage_callbacks_and_grid_search():
    X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
    kwargs = dict(model=get_clf, loss="binary_crossentropy", dropout=0.5,
                  hidden_layer_sizes=(100,), metrics=["binary_accuracy"],
                  fit__validation_split=0.2, epochs=20, verbose=False, random_state=0)
    clf = KerasClassifier(**kwargs)
    clf.fit(X, y)
    assert len(clf.history_["loss"]) == 20
    assert 0.5 < clf.history_["val_binary_accuracy"][-1] <= 1.0

    cb = MaxValLoss(monitor="val_binary_accuracy", threashold=0.75)
    clf = KerasClassifier(**kwargs, callbacks=[cb])
    clf.fit(X, y)
    trained = len(clf.history_["loss"])
    assert trained < 20
    assert clf.history_["val_binary_accuracy"][-1] > 0.75
    assert all(v <= 0.75 for v in clf.history_["val_binary_accuracy"][:-1])

    # 7. GridSearchCV over routed optimizer and model parameters
    clf = KerasClassifier(model=get_clf, loss="binary_crossentropy", optimizer="adam",
                          optimizer__learning_rate=0.1, model__hidden_layer_sizes=(100,),
                          model__dropout=0.5, verbose=False)
    params = {"optimizer__learning_rate": [0.05, 0.1],
              "model__hidden_layer_sizes": [(100,), (50, 50)],
              "model__dropout": [0, 0.5]}
    gs = GridSearchCV(clf, params, scoring="accuracy", n_jobs=1, verbose=False)
    gs.fit(X, y)
    assert gs.best_score_ > 0.8
    assert set(gs.best_params_) == set(params)
    assert len(gs.cv_results_["params"]) == 8


# ------------------------------------------------ MLPClassifier / MLPRegressor
def get_clf_model(hidden_layer_sizes: Iterable[int], meta: Dict[str, Any],
                  compile_kwargs: Dict[str, Any]):
    model = keras.Sequential()
    inp = keras.layers.Input(shape=(meta["n_features_in_"],))
    model.add(inp)
    for hidden_layer_size in hidden_layer_sizes:
        layer = keras.layers.Dense(hidden_layer_size, activation="relu")
        model.add(layer)
    if meta["target_type_"] == "binary":
        n_output_units = 1
        output_activation = "sigmoid"
        loss = "binary_crossentropy"
    elif meta["target_type_"] == "multiclass":
        n_output_units = meta["n_classes_"]
        output_activation = "softmax"
        loss = "sparse_categorical_crossentropy"
    else:
        raise NotImplementedError(f"Unsupported task type: {meta['target_type_']}")
    out = keras.layers.Dense(n_output_units, activation=output_activation)
    model.add(out)
    model.compile(loss=loss, optimizer=compile_kwargs["optimizer"])
    return model


class MLPClassifier(KerasClassifier):
    def __init__(self, hidden_layer_sizes=(100, ), optimizer="adam",
                 optimizer__learning_rate=0.001, epochs=200, verbose=0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_layer_sizes = hidden_layer_sizes
        self.optimizer = optimizer
        self.epochs = epochs
        self.verbose = verbose

    def _keras_build_fn(self, compile_kwargs: Dict[str, Any]):
        model = keras.Sequential()
        inp = keras.layers.Input(shape=(self.n_features_in_,))
        model.add(inp)
        for hidden_layer_size in self.hidden_layer_sizes:
            layer = keras.layers.Dense(hidden_layer_size, activation="relu")
            model.add(layer)
        if self.target_type_ == "binary":
            n_output_units = 1
            output_activation = "sigmoid"
            loss = "binary_crossentropy"
        elif self.target_type_ == "multiclass":
            n_output_units = self.n_classes_
            output_activation = "softmax"
            loss = "sparse_categorical_crossentropy"
        else:
            raise NotImplementedError(f"Unsupported task type: {self.target_type_}")
        out = keras.layers.Dense(n_output_units, activation=output_activation)
        model.add(out)
        model.compile(loss=loss, optimizer=compile_kwargs["optimizer"])
        return model


class MLPRegressor(KerasRegressor):
    def __init__(self, hidden_layer_sizes=(100, ), optimizer="adam",
                 optimizer__learning_rate=0.001, epochs=200, verbose=0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_layer_sizes = hidden_layer_sizes
        self.optimizer = optimizer
        self.epochs = epochs
        self.verbose = verbose

    def _keras_build_fn(self, compile_kwargs: Dict[str, Any]):
        model = keras.Sequential()
        inp = keras.layers.Input(shape=(self.n_features_in_,))
        model.add(inp)
        for hidden_layer_size in self.hidden_layer_sizes:
            layer = keras.layers.Dense(hidden_layer_size, activation="relu")
            model.add(layer)
        out = keras.layers.Dense(1)
        model.add(out)
        model.compile(loss="mse", optimizer=compile_kwargs["optimizer"])
        return model


def test_mlp_notebook_model_function_and_subclasses():
    X, y = make_classification(random_state=0)
    clf = KerasClassifier(model=get_clf_model, hidden_layer_sizes=(100, ),
                          optimizer="adam", optimizer__learning_rate=0.001,
                          epochs=50, verbose=0)
    clf.fit(X, y)
    assert clf.score(X, y) > 0.7  # the notebook's check
    assert clf.n_iter_ == 50 and clf.solver == "adam"

    clf = MLPClassifier(epochs=20)
    assert clf.fit(X, y).score(X, y) > 0.7
    assert clf.n_iter_ == 20 and clf.epochs == 20 and clf.max_iter == 20
    # clone keeps the subclass' parameters and the base class' ones
    twin = clone(MLPClassifier(epochs=7, hidden_layer_sizes=(5,), random_state=3))
    assert (twin.epochs, twin.max_iter, twin.hidden_layer_sizes, twin.random_state) == (
        7, 7, (5,), 3)
    assert twin.get_params()["hidden_layer_sizes"] == (5,)
    twin.fit(X, y)
    assert twin.n_iter_ == 7 and twin.model_.count_params() == 20 * 5 + 5 + 5 + 1
    np.testing.assert_allclose(
        clone(twin).fit(X, y).predict_proba(X), twin.predict_proba(X), rtol=1e-5)
    # grid search over the subclass' own parameter
    gs = GridSearchCV(MLPClassifier(epochs=5), {"hidden_layer_sizes": [(4,), (8,)]}, cv=2)
    gs.fit(X, y)
    units = gs.best_params_["hidden_layer_sizes"][0]
    assert gs.best_estimator_.model_.count_params() == 20 * units + 2 * units + 1

    reg = MLPRegressor(epochs=20)
    y = np.arange(100)
    X = (y / 2).reshape(-1, 1)
    reg.fit(X, y)
    assert reg.n_iter_ == 20 and np.isfinite(reg.score(X, y))
    # 20 epochs of Adam at 0.001 on raw targets up to 99 fit poorly (in scikeras too);
    # the class' own 200 epochs with Keras' batch of 32 (scikeras' default) fit the line
    reg = MLPRegressor(batch_size=32, random_state=0).fit(X, y)
    assert reg.n_iter_ == 200 and reg.score(X, y) > 0.99
    assert pickle.loads(pickle.dumps(reg)).score(X, y) == pytest.approx(reg.score(X, y))


class Wide(KerasClassifier):
    """A subclass taking **kwargs and a model function (the issue's clone case)."""

    def __init__(self, width=4, **kwargs):
        super().__init__(**kwargs)
        self.width = width


def narrow_net(n_features_in, n_classes):
    return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(3),
                             keras.layers.Dense(n_classes, activation="softmax")])


def test_subclasses_keep_every_parameter_and_their_architecture():
    X, y = make_classification(60, 5, n_classes=3, n_informative=3, random_state=0)
    est = Wide(width=9, model=narrow_net, max_iter=7, random_state=1)
    twin = clone(est)
    assert (twin.width, twin.model, twin.max_iter, twin.random_state) == (
        9, narrow_net, 7, 1)
    twin.set_params(width=2, epochs=3)
    assert (twin.width, twin.max_iter) == (2, 3)
    assert twin.fit(X, y).n_iter_ == 3
    # warm start: more epochs continue; a changed subclass parameter that shapes the
    # network (read by _keras_build_fn) is refused
    clf = MLPClassifier(epochs=3, hidden_layer_sizes=(6,), warm_start=True, random_state=0)
    clf.fit(X, y)
    first = clf.predict_proba(X)
    clf.set_params(epochs=2).fit(X, y)
    assert clf.n_iter_ == 2 and not np.allclose(first, clf.predict_proba(X))
    with pytest.raises(ValueError, match="architecture"):
        clf.set_params(hidden_layer_sizes=(7,)).fit(X, y)
    # scikeras' fit attributes are the estimator's, as the build method reads them
    fitted = MLPClassifier(epochs=2).fit(X, y)
    assert (fitted.target_type_, fitted.n_classes_, fitted.X_shape_) == (
        "multiclass", 3, (None, 5))


# ------------------------------------------------------------- Meta-estimators
def test_meta_estimators_notebook_adaboost_and_bagging():
    from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier

    clf = KerasClassifier(model=get_clf_model, hidden_layer_sizes=(100, ), optimizer="adam",
                          optimizer__learning_rate=0.001, verbose=0, random_state=0)
    adaboost = AdaBoostClassifier(estimator=clf, random_state=0)
    X, y = make_moons(random_state=0)
    single_score = clf.fit(X, y).score(X, y)
    adaboost_score = adaboost.fit(X, y).score(X, y)
    assert single_score > 0.8 and adaboost_score >= single_score - 0.05
    # each member is a Keras model with its own weights
    first = adaboost.estimators_[0].model_.get_weights()[0][0, :5]
    second = adaboost.estimators_[1].model_.get_weights()[0][0, :5]
    assert first.shape == (5,) and not np.allclose(first, second)
    bagging = BaggingClassifier(estimator=clf, n_estimators=4, random_state=0, n_jobs=1)
    assert bagging.fit(X, y).score(X, y) > 0.8

