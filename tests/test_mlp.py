"""Behaviour of MLPClassifier / MLPRegressor: drop-in parity with scikit-learn,
the course's worked example, fitted attributes, errors and persistence."""

import copy
import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn import neural_network as sknn
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import make_classification, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import CNNClassifier, MLPClassifier, MLPRegressor, TabularMLPClassifier

X_CLF, Y_CLF = make_classification(
    n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
)
X_REG, Y_REG = make_regression(n_samples=120, n_features=5, noise=0.5, random_state=0)
Y_REG = Y_REG / Y_REG.std()


def test_is_classifier_and_regressor():
    assert is_classifier(MLPClassifier())
    assert is_regressor(MLPRegressor())


def test_same_parameters_and_defaults_as_sklearn():
    for ours, theirs in [(MLPClassifier, sknn.MLPClassifier), (MLPRegressor, sknn.MLPRegressor)]:
        ours_params, their_params = ours().get_params(), theirs().get_params()
        for name, value in their_params.items():
            assert name in ours_params, name
            assert ours_params[name] == value, name


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_loss_curve_matches_sklearn_one_to_one(solver):
    # Same seed -> same initial weights, same shuffles -> the same training run.
    params = dict(hidden_layer_sizes=(8,), solver=solver, max_iter=15, random_state=3, alpha=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**params).fit(X_CLF, Y_CLF)
        theirs = sknn.MLPClassifier(**params).fit(X_CLF, Y_CLF)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-5)
    for a, b in zip(ours.coefs_, theirs.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X_CLF), theirs.predict_proba(X_CLF), atol=1e-5)
    assert ours.n_iter_ == theirs.n_iter_ == 15
    assert ours.t_ == theirs.t_


def test_regressor_lbfgs_matches_sklearn():
    params = dict(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPRegressor(**params).fit(X_REG, Y_REG)
        theirs = sknn.MLPRegressor(**params).fit(X_REG, Y_REG)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.loss_, theirs.loss_, rtol=1e-3)
    np.testing.assert_allclose(ours.predict(X_REG), theirs.predict(X_REG), rtol=1e-2, atol=1e-3)


def test_course_backpropagation_example():
    """The slides' 2-2-2 logistic network: one SGD step with learning rate 0.5.

    Our loss is sklearn's half squared error summed over outputs for the
    gradient, which is exactly the slides' E_total, so the slides' learning
    rate 0.5 applies unchanged.
    """
    X = np.array([[0.05, 0.10]])
    Y = np.array([[0.01, 0.99]])
    net = MLPRegressor(
        hidden_layer_sizes=(2,), activation="logistic", output_activation="logistic",
        solver="sgd", learning_rate_init=0.5, momentum=0.0, alpha=0.0, batch_size=1,
        shuffle=False, random_state=0,
    )
    net.partial_fit(X, Y)  # fixes the architecture; the weights are set next
    net.coefs_ = [np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])]
    net.intercepts_ = [np.array([0.35, 0.35]), np.array([0.60, 0.60])]
    np.testing.assert_allclose(net.predict(X), [[0.75136507, 0.772928465]], atol=1e-8)
    net.partial_fit(X, Y)
    first, second = net.coefs_
    w1, w2, w3, w4 = first[0, 0], first[1, 0], first[0, 1], first[1, 1]
    w5, w6, w7, w8 = second[0, 0], second[1, 0], second[0, 1], second[1, 1]
    assert abs(w5 - 0.35891648) < 1e-6
    assert abs(w6 - 0.408666186) < 1e-6
    assert abs(w7 - 0.511301270) < 1e-6
    assert abs(w8 - 0.561370121) < 1e-6
    assert abs(w1 - 0.149780716) < 1e-6
    assert abs(w2 - 0.19956143) < 1e-6
    assert abs(w3 - 0.24975114) < 1e-6
    assert abs(w4 - 0.29950229) < 1e-6
    # E_total = 0.298371109 on the slide; scikit-learn reports it averaged over outputs.
    assert abs(net.loss_ - 0.298371109 / 2) < 1e-8


def test_sklearn_script_runs_unchanged_and_scores_close():
    X, y = make_classification(n_samples=300, n_features=10, random_state=1)
    results = {}
    for name, cls in [("skdeep", MLPClassifier), ("sklearn", sknn.MLPClassifier)]:
        pipe = make_pipeline(
            StandardScaler(), cls(early_stopping=True, max_iter=60, random_state=0)
        )
        grid = GridSearchCV(
            pipe,
            {"mlpclassifier__hidden_layer_sizes": [(8,), (16,)],
             "mlpclassifier__alpha": [1e-4, 1e-2]},
            cv=3,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            grid.fit(X, y)
        mlp = grid.best_estimator_[-1]
        assert len(mlp.coefs_) == 2 and mlp.coefs_[0].shape[0] == 10
        assert len(mlp.loss_curve_) == mlp.n_iter_
        assert len(mlp.validation_scores_) == mlp.n_iter_
        assert mlp.best_validation_score_ == max(mlp.validation_scores_)
        assert grid.predict_proba(X).shape == (300, 2)
        results[name] = grid.best_score_
    assert abs(results["skdeep"] - results["sklearn"]) <= 0.02


def test_early_stopping_restores_best_weights_and_records_curves():
    clf = MLPClassifier(
        hidden_layer_sizes=(16,), early_stopping=True, n_iter_no_change=3, max_iter=300,
        random_state=0, learning_rate_init=0.05,
    ).fit(X_CLF, Y_CLF)
    assert clf.n_iter_ < 300
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.best_loss_ is None
    assert clf.history_["val_score"] == clf.validation_scores_
    # the restored weights are those of the best epoch: re-scoring the
    # validation split reproduces the best validation score
    from sklearn.model_selection import train_test_split

    rng = np.random.RandomState(0)
    rng.uniform(size=6 * 16 + 16 + 16 * 3 + 3)  # the initial-weight draws come first
    _, X_val, _, y_val = train_test_split(X_CLF, Y_CLF, test_size=0.1, random_state=rng,
                                          stratify=Y_CLF)
    assert clf.score(X_val, y_val) == pytest.approx(clf.best_validation_score_)


def test_tol_stopping_on_training_loss():
    params = dict(hidden_layer_sizes=(8,), tol=1.0, n_iter_no_change=2, random_state=0)
    clf = MLPRegressor(**params).fit(X_REG, Y_REG)
    # the first epoch sets best_loss_; three more without an improvement of 1.0 stop
    assert clf.n_iter_ == 4 == sknn.MLPRegressor(**params).fit(X_REG, Y_REG).n_iter_
    assert clf.validation_scores_ is None and clf.validation_loss_curve_ is None


def test_max_iter_convergence_warning():
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X_CLF, Y_CLF)


def test_adaptive_learning_rate_divides_by_five():
    params = dict(
        hidden_layer_sizes=(4,), solver="sgd", learning_rate="adaptive", tol=10.0,
        n_iter_no_change=1, max_iter=5, random_state=0, learning_rate_init=0.01,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(**params).fit(X_REG, Y_REG)
        theirs = sknn.MLPRegressor(**params).fit(X_REG, Y_REG)
    # no epoch improves by tol=10: the count passes 1 after epochs 3 and 5,
    # and each time the rate is divided by 5: 0.01 -> 0.002 -> 0.0004
    assert reg._learning_rate == pytest.approx(0.0004)
    assert theirs._optimizer.learning_rate == pytest.approx(0.0004)
    np.testing.assert_allclose(reg.loss_curve_, theirs.loss_curve_, rtol=1e-5)


def test_invscaling_schedule():
    reg = MLPRegressor(
        hidden_layer_sizes=(4,), solver="sgd", learning_rate="invscaling", power_t=0.5,
        max_iter=3, random_state=0, learning_rate_init=0.01,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X_REG, Y_REG)
    assert reg._learning_rate == pytest.approx(0.01 / (3 * 120 + 1) ** 0.5)


@pytest.mark.parametrize("solver", ["rmsprop", "adagrad", "sgd", "adam", "lbfgs"])
def test_every_solver_learns(solver):
    lr = {"sgd": 0.05, "rmsprop": 0.01, "adagrad": 0.1}.get(solver, 0.01)
    clf = MLPClassifier(
        hidden_layer_sizes=(16,), solver=solver, max_iter=100, random_state=0,
        learning_rate_init=lr,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_CLF, Y_CLF)
    assert clf.score(X_CLF, Y_CLF) > 0.8
    assert clf.loss_curve_[-1] < 0.7 * clf.loss_curve_[0]


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu", "softplus", "elu",
                                        "selu", "gelu", "swish"])
def test_activations(activation):
    reg = MLPRegressor(hidden_layer_sizes=(8,), activation=activation, solver="lbfgs",
                       max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X_REG, Y_REG)
    assert reg.score(X_REG, Y_REG) > 0.9
    assert reg.model_.get_layer("hidden_0").activation.__name__ in (
        {"identity": "linear", "logistic": "sigmoid", "swish": "silu"}.get(activation, activation),
    )


def test_output_activations_and_out_activation_():
    binary = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert binary.fit(X_CLF, Y_CLF == 0).out_activation_ == "logistic"
        assert binary.n_outputs_ == 1
        assert binary.fit(X_CLF, Y_CLF).out_activation_ == "softmax"
        soft2 = clone(binary).set_params(output_activation="softmax").fit(X_CLF, Y_CLF == 0)
        assert soft2.n_outputs_ == 2 and soft2.predict_proba(X_CLF).shape == (120, 2)
        poisson = MLPRegressor(loss="poisson", max_iter=5).fit(X_REG, np.abs(Y_REG))
        assert poisson.out_activation_ == "exp"
        assert MLPRegressor(max_iter=5).fit(X_REG, Y_REG).out_activation_ == "identity"
    assert binary.n_layers_ == 3


def test_perceptron_without_hidden_layer():
    clf = MLPClassifier(hidden_layer_sizes=(), solver="lbfgs", random_state=0).fit(X_CLF, Y_CLF)
    assert clf.n_layers_ == 2 and len(clf.coefs_) == 1 and clf.coefs_[0].shape == (6, 3)


def test_multilabel_and_multioutput():
    X, Y = make_multilabel_classification(n_samples=80, n_features=6, n_classes=3, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=300, random_state=0)
    clf.fit(X, Y)
    assert clf.predict(X).shape == Y.shape
    assert clf.predict_proba(X).shape == Y.shape
    assert clf.score(X, Y) > 0.5
    Y2 = np.column_stack([Y_REG, -Y_REG])
    reg = MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0).fit(X_REG, Y2)
    assert reg.predict(X_REG).shape == (120, 2) and reg.n_outputs_ == 2
    assert reg.score(X_REG, Y2) > 0.9


def test_string_labels_pandas_feature_names_and_dtypes():
    df = pd.DataFrame(X_CLF, columns=[f"f{i}" for i in range(6)])
    labels = np.array(["cat", "dog", "emu"])[Y_CLF]
    clf = MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0).fit(df, labels)
    assert list(clf.feature_names_in_) == list(df.columns)
    assert set(clf.predict(df)) <= {"cat", "dog", "emu"}
    assert clf.predict_proba(df.astype(np.float32)).dtype == np.float32
    clf32 = clone(clf).fit(X_CLF.astype(np.float32), labels)
    assert clf32.coefs_[0].dtype == np.float32
    assert clf32.predict_proba(X_CLF.astype(np.float32)).dtype == np.float32
    assert clf32.predict_proba(X_CLF).dtype == np.float64


def test_sparse_input_gives_dense_results():
    # sparse rows stay sparse (a sparse product sums in another order than a
    # dense one: JAX differs by ~1e-15 per step, which 200 L-BFGS iterations
    # on a non-convex loss would amplify, so a few iterations are compared)
    Xs = sp.csr_matrix(np.where(np.abs(X_REG) > 0.5, X_REG, 0.0))
    reg = MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=20, random_state=0)
    dense = clone(reg).fit(Xs.toarray(), Y_REG).predict(Xs.toarray())
    np.testing.assert_allclose(reg.fit(Xs, Y_REG).predict(Xs.tocsc()), dense, rtol=1e-7,
                               atol=1e-9)


def test_predict_log_proba_and_class_weight():
    y = (Y_CLF == 0).astype(int)  # 1/3 positives
    base = dict(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0)
    plain = MLPClassifier(**base).fit(X_CLF, y)
    np.testing.assert_allclose(np.exp(plain.predict_log_proba(X_CLF)), plain.predict_proba(X_CLF))
    heavy = MLPClassifier(**base, class_weight={0: 1, 1: 20}).fit(X_CLF, y)
    assert heavy.predict(X_CLF).mean() > plain.predict(X_CLF).mean()
    balanced = MLPClassifier(**base, class_weight="balanced").fit(X_CLF, y)
    assert balanced.predict(X_CLF).mean() >= plain.predict(X_CLF).mean()


@pytest.mark.parametrize("make", [
    lambda cw: MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, class_weight=cw),
    lambda cw: TabularMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, class_weight=cw),
    lambda cw: CNNClassifier(filters=(2,), max_iter=2, class_weight=cw),
], ids=["mlp", "tabular", "cnn"])
@pytest.mark.parametrize("class_weight,named", [
    ({0: 1, "1": 2}, "['1']"),  # a string key for an integer class
    ({0: 1, 1: 2, 5: 3}, "[5]"),  # a class y does not have
])
def test_class_weight_keys_that_are_not_classes_are_refused(make, class_weight, named):
    y = (Y_CLF == 0).astype(int)
    X = X_CLF[:, :, None] if "CNN" in type(make(None)).__name__ else X_CLF
    with pytest.raises(ValueError, match=rf"class_weight names {re.escape(named)}, which is "
                                         r"not among the classes of y, \[0, 1\]"):
        make(class_weight).fit(X, y)


def test_random_state_reproducible_and_no_global_leak():
    params = dict(hidden_layer_sizes=(8,), max_iter=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(**params, random_state=5).fit(X_CLF, Y_CLF).predict_proba(X_CLF)
        b = MLPClassifier(**params, random_state=5).fit(X_CLF, Y_CLF).predict_proba(X_CLF)
        np.testing.assert_array_equal(a, b)
        u1 = MLPClassifier(**params).fit(X_CLF, Y_CLF).predict_proba(X_CLF)
        u2 = MLPClassifier(**params).fit(X_CLF, Y_CLF).predict_proba(X_CLF)
    assert not np.allclose(u1, u2)
    from tensorflow.python.framework import config

    assert not config.is_op_determinism_enabled()


def test_coefs_assignable_and_read_only():
    reg = MLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", random_state=0).fit(X_REG, Y_REG)
    with pytest.raises(ValueError, match="read-only"):
        reg.coefs_[0][0, 0] = 1.0
    zeros = [np.zeros_like(c) for c in reg.coefs_]
    reg.coefs_ = zeros
    np.testing.assert_allclose(reg.predict(X_REG), reg.intercepts_[1][0])
    np.testing.assert_allclose(reg.model_.predict(X_REG, verbose=0).ravel(), reg.predict(X_REG))
    with pytest.raises(ValueError, match="shape"):
        reg.coefs_ = [np.zeros((2, 2)), zeros[1]]


def test_pickle_in_fresh_process_and_deepcopy(tmp_path):
    clf = MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0).fit(X_CLF, Y_CLF)
    expected = clf.predict_proba(X_CLF)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps((clf, X_CLF)))
    code = (
        "import pickle,sys,numpy as np; clf,X=pickle.load(open(sys.argv[1],'rb'));"
        "np.save(sys.argv[2], clf.predict_proba(X))"
    )
    subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "p.npy")], check=True)
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), expected)
    np.testing.assert_array_equal(copy.deepcopy(clf).predict_proba(X_CLF), expected)
    assert clone(clf).get_params() == clf.get_params()


def test_partial_fit_rules():
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X_CLF, Y_CLF)
    clf.partial_fit(X_CLF[:10], Y_CLF[:10], classes=[0, 1, 2])
    assert clf.n_iter_ == 1 and clf.t_ == 10
    clf.partial_fit(X_CLF[10:20], Y_CLF[10:20])
    assert clf.t_ == 20
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X_CLF[:5], np.array([0, 1, 2, 3, 3]))
    with pytest.raises(ValueError, match="early_stopping"):
        MLPClassifier(early_stopping=True).partial_fit(X_CLF, Y_CLF, classes=[0, 1, 2])
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    # partial_fit keeps Adam's state: two calls equal one fit of two epochs
    a = MLPRegressor(hidden_layer_sizes=(4,), shuffle=False, batch_size=30, random_state=0)
    a.partial_fit(X_REG, Y_REG).partial_fit(X_REG, Y_REG)
    b = MLPRegressor(hidden_layer_sizes=(4,), shuffle=False, batch_size=30, random_state=0,
                     max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        b.fit(X_REG, Y_REG)
    np.testing.assert_allclose(a.predict(X_REG), b.predict(X_REG), rtol=1e-6)


def test_warm_start_continues():
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X_REG, Y_REG)
        first = reg.loss_curve_[-1]
        reg.fit(X_REG, Y_REG)
    assert len(reg.loss_curve_) == 10 and reg.loss_curve_[-1] < first
    reg.set_params(hidden_layer_sizes=(9,))
    with pytest.raises(ValueError, match="warm_start"):
        reg.fit(X_REG, Y_REG)


@pytest.mark.parametrize(
    "make, X, y, match",
    [
        (lambda: MLPClassifier(), np.array([[np.nan, 1.0], [1.0, 2.0]]), [0, 1], "NaN"),
        (lambda: MLPClassifier(), np.array([[np.inf, 1.0], [1.0, 2.0]]), [0, 1], "infinity"),
        (lambda: MLPClassifier(), np.ones((0, 2)), [], "0 sample"),
        (lambda: MLPClassifier(), np.ones((4, 2)), [0, 1, 0], "inconsistent numbers"),
        (lambda: MLPClassifier(solver="newton"), np.ones((4, 2)), [0, 1, 0, 1], "solver"),
        (lambda: MLPClassifier(activation="bogus"), np.ones((4, 2)), [0, 1, 0, 1], "activation"),
        (lambda: MLPClassifier(validation_fraction=1.5), np.ones((4, 2)), [0, 1, 0, 1],
         "validation_fraction"),
        (lambda: MLPClassifier(hidden_layer_sizes=(4, 0)), np.ones((4, 2)), [0, 1, 0, 1],
         "hidden_layer_sizes"),
        (lambda: MLPClassifier(early_stopping=True, validation_fraction=0.1), np.ones((6, 2)),
         [0, 1] * 3, "validation"),
        (lambda: MLPRegressor(loss="poisson"), np.ones((4, 2)), [1.0, -1.0, 2.0, 0.0], "negative"),
    ],
)
def test_bad_input_raises_clear_value_error(make, X, y, match):
    with pytest.raises(ValueError, match=match):
        make().fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_a_one_class_target_predicts_that_class_as_sklearn_does(solver):
    X = np.random.RandomState(0).randn(20, 3)
    y = np.array(["yes"] * 20)
    # no warning scikit-learn does not give: code run with warnings as errors keeps working
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        clf = MLPClassifier(hidden_layer_sizes=(4,), solver=solver, max_iter=5,
                            random_state=0).fit(X, y)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        ref = sknn.MLPClassifier(hidden_layer_sizes=(4,), solver=solver, max_iter=5,
                                 random_state=0).fit(X, y)
    # (the backends' own DeprecationWarnings, JAX's, are not skdeep's)
    assert ({w.category for w in ours if issubclass(w.category, UserWarning)}
            <= {w.category for w in theirs})
    assert not any("class" in str(w.message) for w in ours)
    assert list(clf.classes_) == list(ref.classes_) == ["yes"]
    assert list(clf.predict(X[:3])) == list(ref.predict(X[:3])) == ["yes"] * 3
    assert clf.score(X, y) == ref.score(X, y) == 1.0
    assert clf.n_iter_ > 0 and len(clf.loss_curve_) == clf.n_iter_
    # one column, matching classes_ (scikit-learn returns two for one class)
    np.testing.assert_array_equal(clf.predict_proba(X[:3]), np.ones((3, 1)))
    es = MLPClassifier(hidden_layer_sizes=(4,), early_stopping=True, max_iter=3,
                       random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert list(es.fit(X, y).predict(X[:2])) == ["yes", "yes"]
    assert not any("class" in str(w.message) for w in caught)


def test_predict_before_fit_and_wrong_shape():
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X_CLF)
    clf = MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", random_state=0).fit(X_CLF, Y_CLF)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X_CLF[:, :3])


def test_divergence_raises_sklearn_error():
    X = np.array([[1e150, 1.0], [1.0, 1e150], [-1e150, 2.0], [3.0, -1e150]])
    with pytest.raises(ValueError, match="non-finite parameter weights"):
        MLPRegressor(hidden_layer_sizes=(4,), solver="sgd", max_iter=5, random_state=0).fit(
            X, [1.0, 2.0, 3.0, 4.0]
        )


def test_batch_size_modes():
    with pytest.warns(UserWarning, match="clipped"):
        MLPRegressor(hidden_layer_sizes=(4,), batch_size=1000, max_iter=1).fit(X_REG, Y_REG)
    full = MLPRegressor(hidden_layer_sizes=(4,), batch_size="full", max_iter=3, random_state=0)
    one = MLPRegressor(hidden_layer_sizes=(4,), batch_size=120, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        np.testing.assert_allclose(full.fit(X_REG, Y_REG).loss_curve_,
                                   one.fit(X_REG, Y_REG).loss_curve_)


def test_cross_val_score_stratifies_for_classifier():
    y = np.array(["a"] * 100 + ["b"] * 20)
    scores = cross_val_score(
        MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0), X_CLF, y, cv=5
    )
    assert scores.shape == (5,)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel", "regression",
                                  "multi-output"])
def test_validation_score_equals_sklearn_metric(kind):
    from sklearn.metrics import accuracy_score, r2_score

    rng = np.random.RandomState(0)
    w = rng.uniform(0.5, 2, 40)
    if kind in ("regression", "multi-output"):
        k = 1 if kind == "regression" else 3
        y = rng.normal(size=(40, k))
        est = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5)
        est.fit(X_REG[:40, :3], y.ravel() if k == 1 else y)
        out = rng.normal(size=(40, k))
        expected = r2_score(y.ravel() if k == 1 else y, out.ravel() if k == 1 else out,
                            sample_weight=w)
        assert est._score_output(y.ravel() if k == 1 else y, out, w) == pytest.approx(expected)
        return
    y = {"binary": rng.randint(2, size=40), "multiclass": rng.randint(3, size=40),
         "multilabel": rng.randint(2, size=(40, 3))}[kind]
    est = MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5).fit(X_CLF[:40], y)
    out = rng.uniform(size=(40, 1 if kind == "binary" else 3))
    expected = accuracy_score(y, est._label_binarizer.inverse_transform(out), sample_weight=w)
    assert est._score_output(y, out, w) == pytest.approx(expected)


def test_partial_fit_after_changing_solver_starts_a_fresh_optimizer():
    reg = MLPRegressor(hidden_layer_sizes=(4,), random_state=0, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X_REG, Y_REG)
    reg.set_params(solver="sgd", learning_rate_init=0.01)
    reg.partial_fit(X_REG, Y_REG)
    assert reg.n_iter_ == 1 and np.isfinite(reg.loss_)
