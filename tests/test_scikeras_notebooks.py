"""scikeras' tutorial notebooks, run on skdeep with only the import changed.

Each test follows one of scikeras' notebooks (Basic usage; MLPClassifier and
MLPRegressor; Meta-estimators; DataTransformers; AutoEncoders) cell by cell: the
same model functions, the same wrapper arguments in scikeras' spelling, the same
calls. Only ``from scikeras.wrappers import ...`` became ``from skdeep.wrappers
import ...``; datasets are smaller where the notebook's size only costs time. The
assertions are the notebooks' own checks and the results they print (scores,
shapes, epochs trained), as numbers.
"""

import pickle
from typing import Any, Dict, Iterable, List

import keras
import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.datasets import make_classification, make_moons, make_regression
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, LabelEncoder, StandardScaler
from sklearn.utils import get_tags

from skdeep.wrappers import BaseWrapper, KerasClassifier, KerasRegressor

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
                          hidden_layer_sizes=(100,), dropout=0.5, random_state=0)
    clf.fit(X, y)
    assert clf.predict(X[:5]).shape == (5,)
    proba = clf.predict_proba(X[:5])
    assert proba.shape == (5, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert clf.score(X, y) > 0.9

    X_regr, y_regr = make_regression(1000, 20, n_informative=10, random_state=0)
    reg = KerasRegressor(model=get_reg, loss="mse", metrics=[keras.metrics.R2Score],
                         hidden_layer_sizes=(100,), dropout=0.5, random_state=0)
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
                          model__dropout=0.5, verbose=False, random_state=0)
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
                          epochs=50, verbose=0, random_state=0)
    clf.fit(X, y)
    assert clf.score(X, y) > 0.7  # the notebook's check
    assert clf.n_iter_ == 50 and clf.solver == "adam"

    clf = MLPClassifier(epochs=20, random_state=0)
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

    reg = MLPRegressor(epochs=20, random_state=0)
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


# ------------------------------------------------------------- Data transformers
def get_reg_model():
    inp1 = keras.layers.Input(shape=(1, ))
    inp2 = keras.layers.Input(shape=(1, ))
    x1 = keras.layers.Dense(100, activation="relu")(inp1)
    x2 = keras.layers.Dense(50, activation="relu")(inp2)
    concat = keras.layers.Concatenate(axis=-1)([x1, x2])
    out = keras.layers.Dense(1)(concat)
    model = keras.Model(inputs=[inp1, inp2], outputs=out)
    model.compile(loss="mse")
    return model


class MultiInputRegressor(KerasRegressor):
    @property
    def feature_encoder(self):
        return FunctionTransformer(
            func=lambda X: [X[:, 0], X[:, 1]],
        )


def test_data_transformers_multiple_inputs():
    rng = np.random.RandomState(0)
    X = rng.random_sample(size=(100, 2))
    y = np.sum(X, axis=1)
    X = np.split(X, 2, axis=1)
    reg = MultiInputRegressor(model=get_reg_model, verbose=0, random_state=0)
    X_sklearn = np.column_stack(X)
    assert reg.fit(X_sklearn, y).score(X_sklearn, y) > 0.7  # 200 steps of batch 100
    assert reg.n_features_in_ == 2 and isinstance(reg.feature_encoder_, FunctionTransformer)
    # the two-input model itself, fed the encoder's list, predicts what the wrapper does
    inner = next(layer for layer in reg.model_.layers if isinstance(layer, keras.Model))
    direct = inner.predict([X_sklearn[:, :1], X_sklearn[:, 1:]], verbose=0).ravel()
    np.testing.assert_allclose(reg.predict(X_sklearn), direct, rtol=1e-5, atol=1e-6)
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_allclose(again.predict(X_sklearn), reg.predict(X_sklearn), rtol=1e-6)
    with pytest.raises(ValueError, match="2 features"):
        reg.predict(np.ones((3, 3)))


def test_a_multi_input_network_saves_and_loads_in_keras(tmp_path):
    X = np.random.RandomState(1).random_sample((40, 2))
    reg = MultiInputRegressor(model=get_reg_model, max_iter=3, random_state=0)
    reg.fit(X, X.sum(axis=1))
    reg.model_.save(tmp_path / "two_inputs.keras")
    loaded = keras.saving.load_model(tmp_path / "two_inputs.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0).ravel(), reg.predict(X),
                               rtol=1e-5, atol=1e-6)


def get_image_model(meta):
    # scikeras' MNIST network for 8 x 8 digits: 'same' padding keeps the maps big enough
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu", padding="same"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu", padding="same"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy")
    return model


class MultiDimensionalClassifier(KerasClassifier):
    @property
    def feature_encoder(self):
        return FunctionTransformer(func=lambda X: X.reshape(X.shape[0], 8, 8, 1))


class Tagged(FunctionTransformer):
    def get_metadata(self):
        return {"my_param_": "foobarbaz"}


class TaggedClassifier(KerasClassifier):
    @property
    def feature_encoder(self):
        return Tagged()


def test_data_transformers_multidimensional_inputs_and_metadata():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(X / 16.0, y, random_state=0)
    clf = MultiDimensionalClassifier(model=get_image_model, epochs=10, batch_size=128,
                                     validation_split=0.1, random_state=0)
    clf.fit(x_train, y_train)
    assert clf.input_shape_ == (8, 8, 1) and clf.n_features_in_ == 64
    assert clf.score(x_test, y_test) > 0.8
    assert len(clf.history_["val_loss"]) == 10

    def seen(meta):
        seen.meta = meta
        return keras.Sequential([keras.Input((64,)), keras.layers.Dense(10)])

    tagged = TaggedClassifier(model=seen, max_iter=1).fit(x_train, y_train)
    assert tagged.my_param_ == "foobarbaz" and seen.meta["my_param_"] == "foobarbaz"


# 3. Multiple outputs: one binary and one multiclass head, each with its own loss
def get_clf_model_two_heads(meta):
    inp = keras.layers.Input(shape=(meta["n_features_in_"],))
    x1 = keras.layers.Dense(100, activation="relu")(inp)
    out_bin = keras.layers.Dense(1, activation="sigmoid")(x1)
    out_cat = keras.layers.Dense(meta["n_classes_"][1], activation="softmax")(x1)
    model = keras.Model(inputs=inp, outputs=[out_bin, out_cat])
    model.compile(
        loss=["binary_crossentropy", "sparse_categorical_crossentropy"]
    )
    return model


class MultiOutputTransformer(BaseEstimator, TransformerMixin):

    def fit(self, y):
        y_bin, y_cat = y[:, 0], y[:, 1]
        # Create internal encoders to ensure labels are 0, 1, 2...
        self.bin_encoder_ = LabelEncoder()
        self.cat_encoder_ = LabelEncoder()
        # Fit them to the input data
        self.bin_encoder_.fit(y_bin)
        self.cat_encoder_.fit(y_cat)
        # Save the number of classes
        self.n_classes_ = [
            self.bin_encoder_.classes_.size,
            self.cat_encoder_.classes_.size,
        ]
        # Save number of expected outputs in the Keras model
        self.n_outputs_expected_ = 2
        return self

    def transform(self, y: np.ndarray) -> List[np.ndarray]:
        y_bin, y_cat = y[:, 0], y[:, 1]
        # Apply transformers to input array
        y_bin = self.bin_encoder_.transform(y_bin)
        y_cat = self.cat_encoder_.transform(y_cat)
        # Split the data into a list
        return [y_bin, y_cat]

    def inverse_transform(self, y: List[np.ndarray], return_proba: bool = False) -> np.ndarray:
        y_pred_proba = y  # rename for clarity, what Keras gives us are probs
        if return_proba:  # the notebook's column_stack(..., axis=1) is a TypeError in NumPy
            return np.column_stack(y_pred_proba)
        # Get class predictions from probabilities
        y_pred_bin = (y_pred_proba[0] > 0.5).astype(int).reshape(-1, )
        y_pred_cat = np.argmax(y_pred_proba[1], axis=1)
        # Pass back through LabelEncoder
        y_pred_bin = self.bin_encoder_.inverse_transform(y_pred_bin)
        y_pred_cat = self.cat_encoder_.inverse_transform(y_pred_cat)
        return np.column_stack([y_pred_bin, y_pred_cat])

    def get_metadata(self):
        return {
            "n_classes_": self.n_classes_,
            "n_outputs_expected_": self.n_outputs_expected_,
        }


class MultiOutputClassifier(KerasClassifier):

    @property
    def target_encoder(self):
        return MultiOutputTransformer()

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        y_bin, y_cat = y_true[:, 0], y_true[:, 1]
        y_pred_bin, y_pred_cat = y_pred[:, 0], y_pred[:, 1]
        return np.mean([accuracy_score(y_bin, y_pred_bin), accuracy_score(y_cat, y_pred_cat)])


def test_data_transformers_multiple_outputs():
    rng = np.random.RandomState(0)
    y_bin = rng.randint(0, 2, size=(100,))
    y_cat = rng.randint(0, 5, size=(100, ))
    y_sklearn = np.column_stack([y_bin, y_cat])
    # Use labels as features, just to make sure we can learn correctly
    X = StandardScaler().fit_transform(y_sklearn)
    clf = MultiOutputClassifier(model=get_clf_model_two_heads, verbose=0, random_state=0)
    score = clf.fit(X, y_sklearn).score(X, y_sklearn)
    assert score > 0.95  # the mean of the two heads' accuracies
    assert clf.n_classes_ == [2, 5] and clf.n_outputs_expected_ == 2
    y_pred = clf.predict(X)
    assert y_pred.shape == (100, 2)
    np.testing.assert_array_equal(y_pred[:, 0], y_bin)  # the binary head is exact
    assert set(y_pred[:, 1]) <= set(range(5))
    assert score == MultiOutputClassifier.scorer(y_sklearn, y_pred)
    # predict_proba: the encoder's return_proba, one column per unit (1 + 5)
    proba = clf.predict_proba(X)
    assert proba.shape == (100, 6)
    np.testing.assert_allclose(proba[:, 1:].sum(axis=1), 1.0, rtol=1e-5)
    # trained on the sum of the two compiled losses, each as Keras computes it
    start = MultiOutputClassifier(model=get_clf_model_two_heads, random_state=0)
    start.initialize(X, y_sklearn)
    out = start.model_.predict(X.astype("float32"), verbose=0)
    keras_loss = (keras.losses.BinaryCrossentropy()(y_bin, out[:, :1])
                  + keras.losses.SparseCategoricalCrossentropy()(y_cat, out[:, 1:]))
    assert start.loss_ == pytest.approx(float(keras_loss), rel=1e-4)
    # the trained network scores like the decoded predictions say
    assert pickle.loads(pickle.dumps(clf)).score(X, y_sklearn) == score
    assert clone(clf).fit(X, y_sklearn).loss_curve_ == pytest.approx(clf.loss_curve_)


class SplitOnly(KerasClassifier):
    """Targets split into the two outputs with no label encoding (the labels must
    already be 0, 1, ...); predictions are the outputs' argmax and threshold."""

    @property
    def target_encoder(self):
        return FunctionTransformer(
            lambda y: [y[:, 0], y[:, 1]],
            lambda out: np.column_stack([out[0][:, 0] > 0.5, out[1].argmax(1)]).astype(int),
            check_inverse=False)


def uncompiled_two_heads(meta):
    inp = keras.layers.Input(shape=(meta["n_features_in_"],))
    x1 = keras.layers.Dense(32, activation="relu")(inp)
    return keras.Model(inp, [keras.layers.Dense(1)(x1),  # scores: skdeep adds the sigmoid
                             keras.layers.Dense(meta["n_classes_"][1])(x1)])


def test_several_outputs_with_the_wrappers_losses_search_stop_and_save(tmp_path):
    rng = np.random.RandomState(1)
    y = np.column_stack([rng.randint(0, 2, 150), rng.randint(0, 4, 150)])
    X = StandardScaler().fit_transform(y + rng.normal(scale=0.1, size=y.shape))
    losses = ["binary_crossentropy", "sparse_categorical_crossentropy"]
    clf = MultiOutputClassifier(model=uncompiled_two_heads, loss=losses, random_state=0,
                                learning_rate_init=0.01, early_stopping=True,
                                batch_size=32, n_iter_no_change=5)
    clf.fit(X, y)
    assert clf.n_iter_ < 200 and clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.score(X, y) > 0.9
    # the linear heads got the activations their losses call for
    proba = clf.predict_proba(X)
    assert ((proba[:, 0] > 0) & (proba[:, 0] < 1)).all()
    np.testing.assert_allclose(proba[:, 1:].sum(axis=1), 1.0, rtol=1e-5)
    # Keras saves and loads the network, skdeep's layers included
    clf.model_.save(tmp_path / "two_heads.keras")
    loaded = keras.saving.load_model(tmp_path / "two_heads.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), clf.model_.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-6)
    # partial_fit continues the same outputs; warm_start too
    clf.set_params(early_stopping=False)
    before, epochs = clf.predict_proba(X), len(clf.loss_curve_)
    clf.partial_fit(X, y)
    assert len(clf.loss_curve_) == epochs + 1 and not np.allclose(clf.predict_proba(X), before)
    with pytest.raises(ValueError, match="class_weight"):
        clone(clf).set_params(class_weight="balanced").fit(X, y)
    raw = SplitOnly(model=lambda meta: uncompiled_two_heads({**meta, "n_classes_": [2, 4]}),
                    loss=losses, max_iter=2)
    assert raw.fit(X, y).predict(X).shape == (150, 2)
    with pytest.raises(ValueError, match=r"output 1 .*integer label per sample in \[0, 4\)"):
        raw.fit(X, np.column_stack([y[:, 0], y[:, 1] + 1]))
    # a search over the hidden layer's learning rate keeps the groups
    search = GridSearchCV(clone(clf).set_params(early_stopping=False, max_iter=30),
                          {"learning_rate_init": [0.001, 0.01]}, cv=2).fit(X, y)
    assert search.best_params_["learning_rate_init"] == 0.01


class TwoTargets(KerasRegressor):
    """A regressor whose encoder splits y into one array per output."""

    @property
    def target_encoder(self):
        return FunctionTransformer(lambda y: [y[:, :1], y[:, 1:]],
                                   lambda parts: np.column_stack(parts))


def two_outputs(n_features_in):
    inp = keras.Input((n_features_in,))
    hidden = keras.layers.Dense(16, activation="relu")(inp)
    return keras.Model(inp, [keras.layers.Dense(1)(hidden),
                             keras.layers.Dense(1, activation="sigmoid")(hidden)])


def three_outputs(n_features_in):
    inp = keras.Input((n_features_in,))
    return keras.Model(inp, [keras.layers.Dense(1)(inp) for _ in range(3)])


def test_a_regressor_trains_each_output_with_its_own_loss():
    X, y = make_regression(120, 4, random_state=0)
    y = np.column_stack([y / y.std(), (y > 0).astype(float)])
    reg = TwoTargets(model=two_outputs, loss=["mse", "binary_crossentropy"], max_iter=300,
                     learning_rate_init=0.01, random_state=0).fit(X, y)
    pred = reg.predict(X)
    assert pred.shape == (120, 2) and ((pred[:, 1] > 0) & (pred[:, 1] < 1)).all()
    assert r2_score(y[:, 0], pred[:, 0]) > 0.95  # 0.997
    assert np.mean((pred[:, 1] > 0.5) == y[:, 1]) > 0.95  # 1.0
    assert reg.score(X, y) == pytest.approx(r2_score(y, pred))
    # the loss is the sum of skdeep's half squared error and the cross-entropy
    start = TwoTargets(model=two_outputs, loss=["mse", "binary_crossentropy"],
                       random_state=0).initialize(X, y)
    out = start.model_.predict(X, verbose=0)
    expected = (0.5 * np.mean((out[:, 0] - y[:, 0]) ** 2)
                + float(keras.losses.BinaryCrossentropy()(y[:, 1:], out[:, 1:])))
    assert start.loss_ == pytest.approx(expected, rel=1e-4)
    # what cannot be trained is named
    with pytest.raises(ValueError, match="2 loss.*3 output|3 output.*2 loss"):
        TwoTargets(model=three_outputs, loss=["mse", "mse"]).fit(X, y)
    with pytest.raises(ValueError, match="kl_divergence"):
        TwoTargets(model=two_outputs, loss=["mse", "kl_divergence"]).fit(X, y)
    with pytest.raises(ValueError, match=r"targets of output 1 .* must be in \[0, 1\]"):
        TwoTargets(model=two_outputs, loss=["mse", "binary_crossentropy"]).fit(
            X, np.column_stack([y[:, 0], 2 * y[:, 1]]))
    with pytest.raises(ValueError, match="list of 2 losses"):
        KerasRegressor(model=two_outputs, loss=["mse", "mae"]).fit(X, y[:, 0])


class SingleArrayClassifier(KerasClassifier):
    @property
    def target_encoder(self):
        return FunctionTransformer()


def test_a_classifier_target_encoder_must_split_the_outputs():
    X = np.random.RandomState(0).random_sample((20, 3))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="target_encoder.*list"):
        SingleArrayClassifier(model=dense_for_refusal).fit(X, y)


def dense_for_refusal(n_features_in, n_classes):
    return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(n_classes)])


class LogTarget(KerasRegressor):
    @property
    def target_encoder(self):
        return FunctionTransformer(np.log1p, np.expm1)


def test_a_regressor_target_encoder_trains_on_its_output_and_predicts_through_its_inverse():
    X, y = make_regression(80, 3, random_state=0)
    y = np.exp(y / 100.0) * 10
    def net(n_features_in):
        return keras.Sequential([keras.Input((n_features_in,)), keras.layers.Dense(1)])
    enc = LogTarget(model=net, max_iter=20, random_state=0).fit(X, y)
    plain = KerasRegressor(model=net, max_iter=20, random_state=0).fit(X, np.log1p(y))
    np.testing.assert_allclose(enc.loss_curve_, plain.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(enc.predict(X), np.expm1(plain.predict(X)), rtol=1e-5)
    with pytest.raises(ValueError, match="return_std.*target_encoder"):
        enc.predict(X, return_std=True)


# ------------------------------------------------------------------ AutoEncoders
def autoencoder_model(encoding_dim, meta):
    # the notebook's three models: an encoder, a decoder, and the two chained
    n_features_in = meta["n_features_in_"]
    encoder_input = keras.Input(shape=(n_features_in,))
    encoder_output = keras.layers.Dense(encoding_dim, activation="relu")(encoder_input)
    encoder_model = keras.Model(encoder_input, encoder_output, name="encoder")
    decoder_input = keras.Input(shape=(encoding_dim,))
    decoder_output = keras.layers.Dense(n_features_in, activation="sigmoid",
                                        name="decoder")(decoder_input)
    decoder_model = keras.Model(decoder_input, decoder_output, name="decoder_model")
    autoencoder_input = keras.Input(shape=(n_features_in,))
    encoded_img = encoder_model(autoencoder_input)
    reconstructed_img = decoder_model(encoded_img)
    return keras.Model(autoencoder_input, reconstructed_img)


class ModelAutoEncoder(BaseWrapper, TransformerMixin):
    """The notebook's transformer in skdeep's idiom: fit on (X, X), transform with the
    trained encoder inside ``model_`` (scikeras keeps three wrappers sharing layers)."""

    def fit(self, X, y=None, sample_weight=None):
        return super().fit(X, X, sample_weight=sample_weight)

    def _part(self, name):
        inner = next(layer for layer in self.model_.layers if isinstance(layer, keras.Model))
        return inner.get_layer(name)

    def transform(self, X):
        return self._part("encoder").predict(np.asarray(X, dtype="float32"), verbose=0)

    def inverse_transform(self, X_tf):
        return self._part("decoder_model").predict(X_tf, verbose=0)

    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        return 1 - mean_squared_error(y_pred, y_true)


def test_autoencoders_notebook_with_base_wrapper():
    from sklearn.datasets import load_digits

    X = (load_digits().data / 16.0).astype("float32")
    x_train, x_test = X[:1400], X[1400:]
    autoencoder = ModelAutoEncoder(model=autoencoder_model, loss="binary_crossentropy",
                              encoding_dim=16, random_state=0, epochs=30, verbose=False,
                              optimizer="adam", batch_size=32)
    autoencoder.fit(X=x_train)
    assert get_tags(autoencoder).estimator_type is None
    encoded = autoencoder.transform(x_test)
    assert encoded.shape == (len(x_test), 16)
    roundtrip = autoencoder.inverse_transform(encoded)
    np.testing.assert_allclose(roundtrip, autoencoder.predict(x_test), rtol=1e-4, atol=1e-5)
    # reconstruction far better than predicting every pixel's mean
    baseline = 1 - mean_squared_error(np.tile(x_train.mean(0), (len(x_test), 1)), x_test)
    assert autoencoder.score(x_test, x_test) > baseline + 0.03
    # the loss is Keras' binary cross-entropy, summed over the 64 outputs
    keras_bce = keras.losses.BinaryCrossentropy()(x_train, autoencoder.predict(x_train))
    assert autoencoder.loss_curve_[-1] == pytest.approx(64 * float(keras_bce), rel=0.05)
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        ModelAutoEncoder(model=autoencoder_model, loss="binary_crossentropy",
                         encoding_dim=4).fit(x_train * 2)
    plain = BaseWrapper(model=autoencoder_model, encoding_dim=4, max_iter=2).fit(
        x_train, x_train)
    assert not hasattr(plain, "score")



class AutoEncoder(BaseWrapper, TransformerMixin):
    """The notebook's class as written: three models built in ``_keras_build_fn``, the
    encoder and decoder kept as wrappers sharing the autoencoder's layers."""

    encoder_model_: BaseWrapper
    decoder_model_: BaseWrapper

    def _keras_build_fn(self, encoding_dim: int, meta: Dict[str, Any]):
        n_features_in = meta["n_features_in_"]

        encoder_input = keras.Input(shape=(n_features_in,))
        encoder_output = keras.layers.Dense(encoding_dim, activation='relu')(encoder_input)
        encoder_model = keras.Model(encoder_input, encoder_output)

        decoder_input = keras.Input(shape=(encoding_dim,))
        decoder_output = keras.layers.Dense(n_features_in, activation='sigmoid',
                                            name="decoder")(decoder_input)
        decoder_model = keras.Model(decoder_input, decoder_output)

        autoencoder_input = keras.Input(shape=(n_features_in,))
        encoded_img = encoder_model(autoencoder_input)
        reconstructed_img = decoder_model(encoded_img)

        autoencoder_model = keras.Model(autoencoder_input, reconstructed_img)

        self.encoder_model_ = BaseWrapper(encoder_model, verbose=self.verbose)
        self.decoder_model_ = BaseWrapper(decoder_model, verbose=self.verbose)

        return autoencoder_model

    def _initialize(self, X, y=None):
        X, _ = super()._initialize(X=X, y=y)
        # since encoder_model_ and decoder_model_ share layers (and their weights)
        # X_tf here come from random weights, but we only use it to initialize our models
        X_tf = self.encoder_model_.initialize(X).predict(X)
        self.decoder_model_.initialize(X_tf)
        return X, X

    def initialize(self, X):
        self._initialize(X=X, y=X)
        return self

    def fit(self, X, *, sample_weight=None) -> "AutoEncoder":
        super().fit(X=X, y=X, sample_weight=sample_weight)
        # at this point, encoder_model_ and decoder_model_
        # are both "fitted" because they share layers w/ model_
        # which is fit in the above call
        return self

    def score(self, X) -> float:
        # Note: we use 1-MSE as the score
        return 1 - mean_squared_error(self.predict(X), X)

    def transform(self, X) -> np.ndarray:
        X: np.ndarray = self.feature_encoder_.transform(X)
        return self.encoder_model_.predict(X)

    def inverse_transform(self, X_tf: np.ndarray):
        X: np.ndarray = self.decoder_model_.predict(X_tf)
        return self.feature_encoder_.inverse_transform(X)


class DeepAutoEncoder(AutoEncoder):
    """The notebook's deep variant: hidden layers mirrored around the encoding."""

    def _keras_build_fn(self, encoding_dim: int, hidden_layer_sizes: List[str],
                        meta: Dict[str, Any]):
        n_features_in = meta["n_features_in_"]

        encoder_input = keras.Input(shape=(n_features_in,))
        x = encoder_input
        for layer_size in hidden_layer_sizes:
            x = keras.layers.Dense(layer_size, activation='relu')(x)
        encoder_output = keras.layers.Dense(encoding_dim, activation='relu')(x)
        encoder_model = keras.Model(encoder_input, encoder_output)

        decoder_input = keras.Input(shape=(encoding_dim,))
        x = decoder_input
        for layer_size in reversed(hidden_layer_sizes):
            x = keras.layers.Dense(layer_size, activation='relu')(x)
        decoder_output = keras.layers.Dense(n_features_in, activation='sigmoid',
                                            name="decoder")(x)
        decoder_model = keras.Model(decoder_input, decoder_output)

        autoencoder_input = keras.Input(shape=(n_features_in,))
        encoded_img = encoder_model(autoencoder_input)
        reconstructed_img = decoder_model(encoded_img)

        autoencoder_model = keras.Model(autoencoder_input, reconstructed_img)

        self.encoder_model_ = BaseWrapper(encoder_model, verbose=self.verbose)
        self.decoder_model_ = BaseWrapper(decoder_model, verbose=self.verbose)

        return autoencoder_model


def test_autoencoders_notebook_as_written():
    from sklearn.datasets import load_digits

    # 2. Data: digits (8 x 8) for MNIST (28 x 28), scaled to [0, 1] and flattened
    X = (load_digits().data / 16.0).astype("float32")
    x_train, x_test = X[:1400], X[1400:]
    # 3. the notebook's wrapper arguments (60 epochs of 1400 rows for its 5 of 60000)
    autoencoder = AutoEncoder(loss="binary_crossentropy", encoding_dim=32, random_state=0,
                              epochs=60, verbose=False, optimizer="adam")
    # 4. Training, and the round trip through the two sub-wrappers
    _ = autoencoder.fit(X=x_train)
    roundtrip_imgs = autoencoder.inverse_transform(autoencoder.transform(x_test))
    # the encoder and decoder wrappers hold the trained weights (shared layers):
    # their round trip is the autoencoder's own prediction
    np.testing.assert_allclose(roundtrip_imgs, autoencoder.predict(x_test),
                               rtol=1e-4, atol=1e-5)
    # 5. the compression the notebook prints: 64 pixels to 32 codes
    encoded_imgs = autoencoder.transform(x_test)
    assert encoded_imgs.shape == (len(x_test), 32)
    assert round(encoded_imgs.nbytes / x_test.nbytes, 2) == 0.5
    # 6. Deep AutoEncoder
    deep = DeepAutoEncoder(loss="binary_crossentropy", encoding_dim=32,
                           hidden_layer_sizes=[128], random_state=0, epochs=60,
                           verbose=False, optimizer="adam")
    _ = deep.fit(X=x_train)
    assert deep.model_.count_params() == (64 * 128 + 128) + (128 * 32 + 32) + (
        32 * 128 + 128) + (128 * 64 + 64)
    np.testing.assert_allclose(deep.inverse_transform(deep.transform(x_test)),
                               deep.predict(x_test), rtol=1e-4, atol=1e-5)
    # both reconstruct far better than every pixel's training mean does
    baseline = 1 - mean_squared_error(np.tile(x_train.mean(0), (len(x_test), 1)), x_test)
    assert autoencoder.score(X=x_test) > baseline + 0.04  # 0.979 against 0.926
    assert deep.score(X=x_test) > baseline + 0.04  # 0.990
    # the sub-wrappers were set up by the class' _initialize, before training: its
    # initialize(X) alone gives untrained but consistent encoder and decoder
    fresh = AutoEncoder(loss="binary_crossentropy", encoding_dim=8, random_state=0)
    fresh.initialize(x_train)
    assert fresh.n_iter_ == 0 and fresh.encoder_model_.n_iter_ == 0
    np.testing.assert_allclose(fresh.inverse_transform(fresh.transform(x_test)),
                               fresh.predict(x_test), rtol=1e-4, atol=1e-5)
    # refitting keeps one set of sub-wrappers, following the new weights
    encoder = autoencoder.encoder_model_
    autoencoder.set_params(epochs=2).fit(X=x_train[:200])
    assert autoencoder.encoder_model_ is encoder
    np.testing.assert_allclose(
        autoencoder.inverse_transform(autoencoder.transform(x_test)),
        autoencoder.predict(x_test), rtol=1e-4, atol=1e-5)


class ScoredClassifier(KerasClassifier):
    @staticmethod
    def scorer(y_true, y_pred, **kwargs):
        return float(np.mean(y_true != y_pred))  # an error rate, to tell it apart


def test_a_subclass_scorer_is_what_score_returns():
    X, y = make_classification(60, 4, random_state=0)
    clf = ScoredClassifier(model=get_clf_model, hidden_layer_sizes=(8,), epochs=5,
                           random_state=0).fit(X, y)
    assert clf.score(X, y) == pytest.approx(1 - KerasClassifier(
        model=get_clf_model, hidden_layer_sizes=(8,), epochs=5, random_state=0).fit(
        X, y).score(X, y))
