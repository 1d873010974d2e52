"""Keras callbacks and scikit-learn's callbacks on skdeep's epoch loop."""

import csv
import pickle
import warnings

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import (
    CharRNN,
    CNNClassifier,
    KerasRegressor,
    MLPClassifier,
    MLPRegressor,
    RNNSequenceClassifier,
)

X, y = make_classification(n_samples=240, n_features=8, flip_y=0.1, random_state=0)
X = X.astype(np.float32)


class Recorder(keras.callbacks.Callback):
    """Records every event, the logs and the model's weights per epoch."""

    def __init__(self, stop_at=None):
        super().__init__()
        self.stop_at = stop_at
        self.events, self.logs, self.weights = [], [], []

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch))
        self.logs.append(dict(logs))
        self.weights.append([np.array(w) for w in self.model.get_weights()])
        if self.stop_at is not None and epoch == self.stop_at:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def mlp(**params):
    base = dict(hidden_layer_sizes=(16,), max_iter=12, learning_rate_init=0.01, random_state=0)
    return MLPClassifier(**{**base, **params})


def test_callbacks_see_every_epoch_with_keras_logs():
    recorder = Recorder()
    clf = mlp(early_stopping=True, n_iter_no_change=100, callbacks=[recorder]).fit(X, y)
    seen = clf.callbacks_[0]
    assert seen is not recorder and recorder.events == []  # the parameter is untouched
    n = clf.n_iter_
    assert seen.events == ["train_begin"] + [
        e for i in range(n) for e in (("epoch_begin", i), ("epoch_end", i))
    ] + ["train_end"]
    assert {"loss", "val_loss", "val_score", "val_accuracy", "learning_rate"} <= set(seen.logs[0])
    np.testing.assert_allclose([log["loss"] for log in seen.logs], clf.loss_curve_)
    np.testing.assert_allclose([log["val_loss"] for log in seen.logs], clf.validation_loss_curve_)
    np.testing.assert_allclose([log["val_accuracy"] for log in seen.logs], clf.validation_scores_)
    # the model a callback sees holds that epoch's weights: the last epoch's are
    # the fitted ones when the best validation score came last
    best = int(np.argmax(clf.validation_scores_))
    for got, want in zip(seen.weights[best], clf.model_.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_a_passive_callback_changes_nothing():
    plain = mlp().fit(X, y)
    watched = mlp(callbacks=[Recorder()]).fit(X, y)
    np.testing.assert_array_equal(plain.loss_curve_, watched.loss_curve_)
    np.testing.assert_array_equal(plain.predict_proba(X), watched.predict_proba(X))


def test_stop_training_ends_the_fit():
    clf = mlp(max_iter=50, callbacks=[Recorder(stop_at=2)]).fit(X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3


def test_keras_early_stopping_restores_its_best_weights():
    recorder = Recorder()
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    clf = mlp(max_iter=200, learning_rate_init=0.2, early_stopping=True, n_iter_no_change=500,
              callbacks=[recorder, stop]).fit(X, y)
    used = clf.callbacks_[1]
    assert used.stopped_epoch > 0 and clf.n_iter_ == used.stopped_epoch + 1 < 200
    best = int(np.argmin(clf.validation_loss_curve_))
    assert used.best_epoch == best
    for got, want in zip(clf.model_.get_weights(), clf.callbacks_[0].weights[best]):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_reduce_lr_on_plateau_and_scheduler_change_the_learning_rate():
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5,
                                                min_delta=10.0)  # every epoch is a plateau
    clf = mlp(max_iter=5, callbacks=[Recorder(), plateau]).fit(X, y)
    # the first epoch sets the best loss; each later one halves the rate
    rates = [log["learning_rate"] for log in clf.callbacks_[0].logs]
    np.testing.assert_allclose(rates, [0.01, 0.01, 0.005, 0.0025, 0.00125], rtol=1e-6)
    assert clf._learning_rate == pytest.approx(0.01 * 0.5**4)

    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    a = mlp(max_iter=4, callbacks=[Recorder(), schedule]).fit(X, y)
    np.testing.assert_allclose([log["learning_rate"] for log in a.callbacks_[0].logs],
                               [0.1, 0.05, 0.1 / 3, 0.025], rtol=1e-6)
    # a schedule that keeps the rate is the same fit as none
    same = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr)
    np.testing.assert_allclose(mlp(callbacks=[same]).fit(X, y).loss_curve_,
                               mlp().fit(X, y).loss_curve_, rtol=1e-6)


def test_csv_logger_and_model_checkpoint_write_files(tmp_path):
    log_file = tmp_path / "log.csv"
    weights_file = tmp_path / "best.weights.h5"
    clf = mlp(callbacks=[
        keras.callbacks.CSVLogger(str(log_file)),
        keras.callbacks.ModelCheckpoint(str(weights_file), monitor="loss", save_best_only=True,
                                        save_weights_only=True),
    ]).fit(X, y)
    with open(log_file) as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == list(range(clf.n_iter_))
    np.testing.assert_allclose([float(r["loss"]) for r in rows], clf.loss_curve_, rtol=1e-6)
    # the loss fell every epoch, so the best checkpoint is the fitted network
    assert np.all(np.diff(clf.loss_curve_) < 0)
    model = clf.model_
    fitted = [np.array(w) for w in model.get_weights()]
    for w in model.weights:
        w.assign(np.zeros(w.shape, w.dtype))
    model.load_weights(str(weights_file))
    for got, want in zip(model.get_weights(), fitted):
        np.testing.assert_allclose(got, want)
    # a fitted estimator with used callbacks pickles, clones and refits
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
    assert not hasattr(again, "callbacks_")
    np.testing.assert_array_equal(clone(clf).fit(X, y).loss_curve_, clf.loss_curve_)


def test_tensorboard_writes_event_files(tmp_path):
    pytest.importorskip("tensorboard")
    mlp(max_iter=3, callbacks=[keras.callbacks.TensorBoard(str(tmp_path))]).fit(X, y)
    assert list(tmp_path.rglob("events.out.tfevents.*"))


def test_callbacks_in_a_grid_search_are_copied_per_fit():
    recorder = Recorder()
    grid = GridSearchCV(mlp(max_iter=4, callbacks=[recorder]), {"alpha": [1e-4, 1e-2]}, cv=2)
    grid.fit(X, y)
    assert recorder.events == []
    assert len(grid.best_estimator_.callbacks_[0].logs) == grid.best_estimator_.n_iter_


def test_lbfgs_iterations_are_epochs():
    clf = mlp(solver="lbfgs", max_iter=50, callbacks=[Recorder(stop_at=4)]).fit(X, y)
    logs = clf.callbacks_[0].logs
    assert len(logs) == 5 and clf.n_iter_ == 5
    assert set(logs[0]) == {"loss"}
    np.testing.assert_allclose([log["loss"] for log in logs], clf.loss_curve_)
    # the model a callback saw at an iteration holds that iterate; the last is the fit
    for got, want in zip(clf.callbacks_[0].weights[-1], clf.model_.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="lbfgs.*has none"):
        mlp(solver="lbfgs", callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="loss")]).fit(X, y)


def test_callbacks_that_cannot_work_are_refused_at_fit_time():
    with pytest.raises(ValueError, match="monitors 'val_loss'.*early_stopping=True"):
        mlp(callbacks=[keras.callbacks.EarlyStopping()]).fit(X, y)
    with pytest.raises(ValueError, match="monitors 'val_auc'"):
        mlp(early_stopping=True, callbacks=[keras.callbacks.EarlyStopping("val_auc")]).fit(X, y)
    with pytest.raises(TypeError, match="Keras callback instances"):
        mlp(callbacks=[lambda epoch: None]).fit(X, y)
    with pytest.raises(ValueError, match="BackupAndRestore"):
        mlp(callbacks=[keras.callbacks.BackupAndRestore("/tmp/skdeep-backup")]).fit(X, y)
    with pytest.raises(ValueError, match="callbacks"):
        mlp(callbacks=keras.callbacks.History()).fit(X, y)

    class PerBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    with pytest.warns(UserWarning, match="on_train_batch_end, which skdeep never calls"):
        mlp(max_iter=2, callbacks=[PerBatch()]).fit(X, y)


def test_a_sklearn_callback_passed_as_a_keras_one_gets_a_hint():
    sk_callback = pytest.importorskip("sklearn.callback")
    with pytest.raises(TypeError, match="set_callbacks"):
        mlp(callbacks=[sk_callback.ScoringMonitor(scoring="accuracy")]).fit(X, y)


def user_model(input_shape, n_outputs):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(n_outputs)])


images = np.random.RandomState(0).rand(60, 6, 6).astype(np.float32)
ESTIMATORS = [
    (MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0), X, X[:, 0]),
    (CNNClassifier(filters=(4,), dense_layer_sizes=(), max_iter=5, random_state=0),
     images, (images.mean(axis=(1, 2)) > 0.5).astype(int)),
    (RNNSequenceClassifier(units=4, max_iter=5, random_state=0), images,
     (images[:, -1].mean(axis=1) > 0.5).astype(int)),
    (KerasRegressor(user_model, max_iter=5, random_state=0), X, X[:, 1]),
]


@pytest.mark.parametrize("estimator,data,target", ESTIMATORS,
                         ids=lambda v: type(v).__name__ if hasattr(v, "fit") else "")
def test_every_estimator_calls_keras_callbacks(estimator, data, target):
    est = clone(estimator).set_params(callbacks=[Recorder(stop_at=2)]).fit(data, target)
    assert est.n_iter_ == 3 and len(est.callbacks_[0].logs) == 3


def test_charrnn_passes_callbacks_to_its_network():
    model = CharRNN(units=8, max_iter=20, random_state=0, callbacks=[Recorder(stop_at=1)])
    model.fit("hello hello")
    assert model.n_iter_ == 2


# ---------------------------------------------------------------------- scikit-learn 1.9
sk_callback = pytest.importorskip("sklearn.callback")


class TaskRecorder:
    """A scikit-learn callback propagated into sub-estimators, recording tasks."""

    max_propagation_depth = None

    def __init__(self):
        self.ended = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        self.ended.append((context.estimator_name, context.task_name))


def test_a_search_reports_every_epoch_to_sklearn_callbacks():
    recorder = TaskRecorder()
    assert isinstance(recorder, sk_callback.AutoPropagatedCallback)
    grid = GridSearchCV(make_pipeline(StandardScaler(), mlp(max_iter=6)),
                        {"mlpclassifier__alpha": [1e-4, 1e-2]}, cv=2)
    grid.set_callbacks(recorder).fit(X, y)
    epochs = [t for t in recorder.ended if t == ("MLPClassifier", "epoch")]
    assert len(epochs) == 5 * 6  # 4 folds + refit, 6 epochs each
    assert recorder.ended[-1] == ("GridSearchCV", "fit")


def test_scoring_monitor_logs_a_score_per_epoch():
    monitor = sk_callback.ScoringMonitor(scoring="accuracy")
    clf = mlp(max_iter=5).set_callbacks(monitor).fit(X, y)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log["task_name"] == "epoch"]
    assert list(epochs["task_id"]) == list(range(5))
    # the last epoch's weights are the fitted ones: same score
    assert epochs["accuracy"].iloc[-1] == pytest.approx(clf.score(X, y))
    assert epochs["accuracy"].iloc[-1] > epochs["accuracy"].iloc[0]
    # n_init restarts are tasks of their own
    monitor = sk_callback.ScoringMonitor(scoring="accuracy")
    mlp(max_iter=3, n_init=2).set_callbacks(monitor).fit(X, y)
    names = list(monitor.get_logs().data_as_pandas["task_name"])
    assert names.count("init") == 2 and names.count("epoch") == 6


def test_progress_bar_runs_over_a_search(capsys):
    pytest.importorskip("rich")
    grid = GridSearchCV(mlp(max_iter=3), {"alpha": [1e-4, 1e-2]}, cv=2)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*does not support callbacks")
        grid.set_callbacks(sk_callback.ProgressBar(max_propagation_depth=None)).fit(X, y)
    assert "MLPClassifier - fit" in capsys.readouterr().out
    # estimators with sklearn callbacks still pickle and predict
    clf = pickle.loads(pickle.dumps(mlp(max_iter=3).set_callbacks(
        sk_callback.ScoringMonitor(scoring="accuracy")).fit(X, y)))
    assert clf.predict(X).shape == y.shape
