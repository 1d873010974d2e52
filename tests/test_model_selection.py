"""skdeep.model_selection: searches that train (candidate, fold) fits in cohorts.

Every test compares with scikit-learn's own search over the same skdeep
estimator: grouping must change the time, never the results.
"""

import os
import pickle
import re
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
from sklearn import model_selection as sk
from sklearn.datasets import make_classification, make_multilabel_classification, make_regression
from sklearn.exceptions import FitFailedWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier, MLPRegressor
from skdeep import _cohort
from skdeep._cohort import program as _program
from skdeep._cohort import registry as _registry
from skdeep.model_selection import GridSearchCV, RandomizedSearchCV

X, y = make_classification(240, 8, n_informative=5, n_classes=3, random_state=0)
X = X.astype(np.float32)
XR, yR = make_regression(240, 6, noise=5.0, random_state=0)
XL, yL = make_multilabel_classification(240, 8, n_classes=3, random_state=0)
# float32, as X: JAX's cohort programs are 32-bit, and float64 fits train one at
# a time in scikit-learn's pass there (tests/test_precision.py)
XR, XL = XR.astype(np.float32), XL.astype(np.float32)


def _searches(estimator, grid, X=X, y=y, fit_params=None, group_fits=True, **kwargs):
    fit_params = fit_params or {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the short fits
        ours = GridSearchCV(estimator, grid, cv=3, group_fits=group_fits, **kwargs).fit(
            X, y, **fit_params)
        theirs = sk.GridSearchCV(estimator, grid, cv=3, **kwargs).fit(X, y, **fit_params)
    return ours, theirs


def _assert_same(ours, theirs):
    for key in theirs.cv_results_:
        if key.startswith(("split", "mean_test", "std_test", "rank", "mean_train")):
            np.testing.assert_allclose(
                np.asarray(ours.cv_results_[key], dtype=float),
                np.asarray(theirs.cv_results_[key], dtype=float), atol=1e-6, err_msg=key)
    assert ours.best_params_ == theirs.best_params_
    net_ours, net_theirs = (s.best_estimator_ for s in (ours, theirs))
    if hasattr(net_ours, "steps"):
        net_ours, net_theirs = net_ours[-1], net_theirs[-1]
    assert net_ours.n_iter_ == net_theirs.n_iter_
    np.testing.assert_allclose(net_ours.loss_curve_, net_theirs.loss_curve_, rtol=1e-4)
    if net_theirs.validation_scores_ is not None:  # the members' held-out scores and losses
        np.testing.assert_allclose(net_ours.validation_scores_, net_theirs.validation_scores_)
        np.testing.assert_allclose(net_ours.validation_loss_curve_,
                                   net_theirs.validation_loss_curve_, rtol=1e-4)
    for a, b in zip(net_ours.coefs_, net_theirs.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)


COMMON = dict(max_iter=15, random_state=0)


@pytest.mark.parametrize(
    "estimator, grid",
    [
        # widths 6 and 12 share one cohort (padded and masked), 2 alphas
        (MLPClassifier(**COMMON), {"hidden_layer_sizes": [(6,), (12,)], "alpha": [1e-4, 1e-1]}),
        # early stopping: each member's own validation split and best-weight restore
        (MLPClassifier(early_stopping=True, n_iter_no_change=3, max_iter=40, random_state=1),
         {"hidden_layer_sizes": [(8,), (8, 4)]}),
        # SGD with Nesterov momentum, the adaptive rate and the tol stopping rule
        (MLPClassifier(solver="sgd", learning_rate="adaptive", learning_rate_init=0.05,
                       n_iter_no_change=2, tol=1e-3, max_iter=40, random_state=0),
         {"activation": ["tanh", "logistic"]}),
        # plain SGD, invscaling, a batch size that leaves a partial last batch
        (MLPClassifier(solver="sgd", momentum=0.0, learning_rate="invscaling",
                       learning_rate_init=0.1, batch_size=48, **COMMON),
         {"activation": ["relu", "identity"]}),
        (MLPClassifier(class_weight="balanced", **COMMON), {"hidden_layer_sizes": [(5,)]}),
    ],
    ids=["adam-widths-alphas", "early-stopping-depths", "sgd-nesterov-adaptive",
         "sgd-invscaling-partial-batch", "class-weight"],
)
def test_grouped_grid_search_equals_scikit_learns(estimator, grid):
    ours, theirs = _searches(estimator, grid)
    n_candidates = len(theirs.cv_results_["params"])
    assert ours.n_grouped_fits_ == n_candidates * 3
    _assert_same(ours, theirs)


@pytest.mark.parametrize(
    "estimator, grid",
    [
        # dropout beside dropout-free candidates at two depths: each member draws
        # the masks its own Keras layer would, at its own width inside the cohort's
        (MLPClassifier(**COMMON), {"dropout": [0.0, 0.3], "hidden_layer_sizes": [(6,), (12, 5)]}),
        # DropConnect (one kernel mask per minibatch) and a partial last batch
        (MLPClassifier(batch_size=48, **COMMON),
         {"dropconnect": [0.0, 0.4], "hidden_layer_sizes": [(6,), (12,)]}),
        # L1 and activity penalties with softplus, whose padded units are not 0
        (MLPClassifier(l1=1e-3, activity_l2=1e-3, activation="softplus", **COMMON),
         {"activity_l1": [0.0, 1e-3], "hidden_layer_sizes": [(6,), (12,)]}),
        # Keras' RMSprop and Adagrad updates, elu
        (MLPClassifier(activation="elu", **COMMON),
         {"solver": ["rmsprop", "adagrad"], "hidden_layer_sizes": [(6,), (12,)]}),
        # gelu, dropout under early stopping (held-out loss in NumPy + Keras' gelu)
        (MLPClassifier(activation="gelu", early_stopping=True, dropout=0.2, n_iter_no_change=3,
                       max_iter=30, random_state=0), {"hidden_layer_sizes": [(6,), (12,)]}),
        # the course's gradient-norm rule: each member's norm of its epoch's gradient
        (MLPClassifier(max_iter=40, learning_rate_init=0.01, n_iter_no_change=1000, tol=0.0,
                       random_state=0),
         {"min_grad_norm": [0.2], "hidden_layer_sizes": [(6,), (12,)]}),
    ],
    ids=["dropout-depths", "dropconnect-partial-batch", "l1-activity-softplus",
         "rmsprop-adagrad-elu", "gelu-dropout-early-stopping", "gradient-norm"],
)
def test_every_option_the_course_teaches_trains_grouped(estimator, grid):
    ours, theirs = _searches(estimator, grid)
    assert ours.n_grouped_fits_ == len(theirs.cv_results_["params"]) * 3
    _assert_same(ours, theirs)
    a, b = ours.best_estimator_, theirs.best_estimator_
    if b.grad_norm_curve_ is not None:
        assert b.n_iter_ < 40  # the rule stopped the best candidate's refit
        np.testing.assert_allclose(a.grad_norm_curve_, b.grad_norm_curve_, rtol=1e-4)
    if a.dropout:  # Monte-Carlo dropout after a grouped fit draws as after a plain one
        np.testing.assert_allclose(a.predict_proba(X[:5], return_std=True)[1],
                                   b.predict_proba(X[:5], return_std=True)[1], rtol=1e-4)


def test_regression_with_dropout_and_huber_loss_trains_grouped():
    ours, theirs = _searches(MLPRegressor(loss="huber", learning_rate_init=0.01, **COMMON),
                             {"dropout": [0.0, 0.2], "hidden_layer_sizes": [(6,), (12,)]},
                             X=XR, y=yR / 50)
    assert ours.n_grouped_fits_ == 12
    _assert_same(ours, theirs)


def test_regression_pipeline_and_multilabel():
    pipe = make_pipeline(StandardScaler(), MLPRegressor(learning_rate_init=0.01, **COMMON))
    ours, theirs = _searches(pipe, {"mlpregressor__hidden_layer_sizes": [(8,), (8, 4)]},
                             X=XR, y=yR / 50)
    assert ours.n_grouped_fits_ == 6
    _assert_same(ours, theirs)
    ours, theirs = _searches(MLPClassifier(**COMMON), {"alpha": [1e-4, 1e-2]}, X=XL, y=yL)
    assert ours.n_grouped_fits_ == 6
    _assert_same(ours, theirs)


def _fits(search_class, estimator, grid):
    """Each (candidate, fold) fit of a search, as the scorer sees it: parameters,
    rows scored, loss curves, predicted probabilities and fitted weights."""
    seen = []

    def scorer(net, X_test, y_test):
        seen.append((repr(net.get_params()), len(X_test), net.loss_curve_,
                     net.validation_loss_curve_, net.predict_proba(X_test), net._weights,
                     net._variable_paths))
        return 0.0

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = search_class(estimator, grid, cv=3, scoring=scorer, refit=False).fit(X, y)
    return search, sorted(seen, key=lambda fit: fit[:2])


@pytest.mark.parametrize(
    "estimator, grid",
    [
        (MLPClassifier(batch_normalization=True, **COMMON),
         {"hidden_layer_sizes": [(6,), (12, 5)], "alpha": [1e-4, 1e-1]}),
        # dropout after and DropConnect before batch norm, partial batches, early stopping
        (MLPClassifier(batch_normalization=True, batch_size=48, early_stopping=True,
                       n_iter_no_change=3, max_iter=30, random_state=0),
         {"dropout": [0.0, 0.3], "dropconnect": [0.0, 0.2], "hidden_layer_sizes": [(6,), (12,)]}),
    ],
    ids=["widths-alphas", "dropout-dropconnect-early-stopping"],
)
def test_batch_norm_trains_grouped_fit_by_fit(estimator, grid):
    ours, grouped = _fits(GridSearchCV, estimator, grid)
    _, alone = _fits(sk.GridSearchCV, estimator, grid)
    assert ours.n_grouped_fits_ == len(grouped) == len(alone) == len(ours.cv_results_["params"]) * 3
    for a, b in zip(grouped, alone):
        assert a[:2] == b[:2]
        np.testing.assert_allclose(a[2], b[2], rtol=1e-5)  # each epoch's training loss
        if b[3] is not None:  # held out: moving statistics that lag the bias (below)
            np.testing.assert_allclose(a[3], b[3], rtol=1e-3)
        np.testing.assert_allclose(a[4], b[4], atol=1e-5)  # predictions (recalibrated)
        # by path (a seed generator's name counts the process's generators)
        ours_w, theirs_w = ({re.sub(r"seed_generator_\d+", "seed_generator", p): w
                             for p, w in zip(fit[6], fit[5])} for fit in (a, b))
        assert ours_w.keys() == theirs_w.keys()
        # the bias before batch norm gets only rounding noise (batch norm takes
        # it out again), which Adam turns into steps; the recalibrated moving
        # mean follows the bias, so their difference is what must agree
        layers = [p[len("dense_"): -len("/bias")] for p in theirs_w
                  if p.startswith("dense_") and p.endswith("/bias")]
        for i in layers:
            bias, mean = f"dense_{i}/bias", f"batchnorm_{i}/moving_mean"
            np.testing.assert_allclose(ours_w.pop(bias) - ours_w.pop(mean),
                                       theirs_w.pop(bias) - theirs_w.pop(mean), atol=1e-4)
        assert layers and not any(p.startswith("dense_") and p.endswith("/bias") for p in ours_w)
        for path, w in theirs_w.items():
            if w.dtype.kind == "f":
                np.testing.assert_allclose(ours_w[path], w, rtol=1e-3, atol=1e-5, err_msg=path)


def test_ungroupable_candidates_run_as_in_scikit_learn():
    # L-BFGS candidates train one at a time; the rest of the grid in a cohort
    ours, theirs = _searches(MLPClassifier(**COMMON), {"solver": ["adam", "lbfgs"]})
    assert ours.n_grouped_fits_ == 3
    _assert_same(ours, theirs)
    ours, theirs = _searches(MLPClassifier(**COMMON), {"alpha": [1e-4]}, group_fits=False)
    assert ours.n_grouped_fits_ == 0
    _assert_same(ours, theirs)


class _CountingMLP(MLPClassifier):
    """Counts the fits that finish in a thread other than the caller's."""

    finished_in_threads = []

    def fit(self, X, y, **params):
        super().fit(X, y, **params)
        if threading.current_thread() is not threading.main_thread():
            type(self).finished_in_threads.append(threading.current_thread().name)
        return self


def test_fits_no_cohort_takes_are_left_to_scikit_learns_pass():
    # the pipeline hands the network sparse rows, which no cohort trains: the
    # search's threads leave those fits to scikit-learn's pass (one at a time,
    # one engine per architecture) instead of training them all at once
    import scipy.sparse
    from sklearn.preprocessing import FunctionTransformer

    _CountingMLP.finished_in_threads = []
    pipe = make_pipeline(FunctionTransformer(scipy.sparse.csr_matrix, accept_sparse=True),
                         _CountingMLP(**COMMON))
    grid = {"_countingmlp__hidden_layer_sizes": [(6,), (12,)]}
    ours, theirs = _searches(pipe, grid)
    assert ours.n_grouped_fits_ == 0
    assert _CountingMLP.finished_in_threads == []
    _assert_same(ours, theirs)
    with _cohort.session() as sess:  # outside a search's threads such a fit trains as before
        assert sess.provide(ours.best_estimator_[-1]._spec) is None


def test_sample_weight_threads_and_randomized_search():
    w = np.random.RandomState(0).uniform(0.5, 2.0, X.shape[0])
    ours, theirs = _searches(MLPClassifier(**COMMON), {"alpha": [1e-4, 1e-1]},
                             fit_params={"sample_weight": w}, n_jobs=2)
    assert ours.n_grouped_fits_ == 6
    _assert_same(ours, theirs)
    dist = {"alpha": [1e-5, 1e-3, 1e-1], "hidden_layer_sizes": [(4,), (9,), (4, 4)]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = RandomizedSearchCV(MLPClassifier(**COMMON), dist, n_iter=4, cv=3,
                                  random_state=0).fit(X, y)
        theirs = sk.RandomizedSearchCV(MLPClassifier(**COMMON), dist, n_iter=4, cv=3,
                                       random_state=0).fit(X, y)
    assert ours.n_grouped_fits_ == 12
    _assert_same(ours, theirs)


def test_a_failing_candidate_scores_error_score_as_in_scikit_learn():
    grid = {"learning_rate_init": [1e-3, 1e9]}  # the second diverges
    est = MLPClassifier(solver="sgd", **COMMON)
    with pytest.warns(FitFailedWarning):
        ours = GridSearchCV(est, grid, cv=3).fit(X * 1e3, y)
    assert np.isnan(ours.cv_results_["mean_test_score"][1])
    assert np.isfinite(ours.cv_results_["mean_test_score"][0])
    assert ours.n_grouped_fits_ == 3  # the diverged fits were not kept


@pytest.mark.parametrize("make_callback", [
    lambda keras: keras.callbacks.EarlyStopping(monitor="loss", patience=2),
    lambda keras: keras.callbacks.Callback(),  # passive: it still asks for the model
])
def test_fits_with_keras_callbacks_train_as_in_scikit_learns_search(make_callback):
    # they are not grouped, and must not get a cohort member (which has no
    # Keras model for the callbacks) in scikit-learn's own pass either
    import keras

    est = MLPClassifier(callbacks=[make_callback(keras)], **COMMON)
    ours, theirs = _searches(est, {"alpha": [1e-4, 1e-2]}, error_score="raise")
    assert ours.n_grouped_fits_ == 0
    _assert_same(ours, theirs)


def test_search_results_pickle_and_continue_like_scikit_learns():
    ours, theirs = _searches(MLPClassifier(**COMMON), {"hidden_layer_sizes": [(7,)]})
    a, b = ours.best_estimator_, theirs.best_estimator_
    # the optimizer state is in Keras' layout: a warm continuation is the same
    assert [s.shape for s in a._optimizer_state[1]] == [s.shape for s in b._optimizer_state[1]]
    assert [s.dtype for s in a._optimizer_state[1]] == [s.dtype for s in b._optimizer_state[1]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a.partial_fit(X, y)
        b.partial_fit(X, y)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-4)
    again = pickle.loads(pickle.dumps(ours))
    np.testing.assert_allclose(again.predict_proba(X), ours.predict_proba(X), rtol=1e-6)
    assert not hasattr(ours, "_grouping_session")


def test_one_program_per_depth_and_barrier_counts():
    _program._programs.clear()
    ours, _ = _searches(MLPClassifier(**COMMON), {"hidden_layer_sizes": [(3,), (5,), (11,)]})
    families = {key[0][0] for key in _program._programs}
    assert families == {1}  # three widths, one compiled program
    assert ours.n_grouped_fits_ == 9


def test_ctrl_c_in_a_grouped_fit_stops_every_member():
    before = threading.active_count()

    def interrupt():
        raise KeyboardInterrupt

    fits = [lambda: MLPClassifier(max_iter=50, random_state=0).fit(X, y) for _ in range(3)]
    with _cohort.session() as session:
        with pytest.raises(KeyboardInterrupt):
            _cohort.run_threads(fits + [interrupt], 4)
        assert session.aborted is not None
    assert _cohort.active() is None
    for _ in range(100):
        if threading.active_count() <= before:
            break
        threading.Event().wait(0.05)
    assert threading.active_count() <= before


def test_member_engine_layout_matches_the_compiled_engine():
    from skdeep._engine import cache as _engines

    net = MLPClassifier(hidden_layer_sizes=(5, 3), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.fit(X, y)
    real = _engines.acquire(net._spec)
    try:
        with _cohort.session():
            # the session fills the engine cache's provider slot: a training fit
            # of a dense MLP gets a member, which goes back to the session
            member = _engines.acquire(net._spec, training=True)
            assert type(member).__name__ == "MemberEngine"
            _engines.release(member)
        outside = _engines.acquire(net._spec, training=True)
        assert type(outside).__name__ != "MemberEngine"  # the slot is empty again
        _engines.release(outside)
        assert [v.path for v in member.variables] == [v.path for v in real.variables]
        assert [w.shape for w in member.initial_weights] == [w.shape for w in real.initial_weights]
    finally:
        _engines.release(real)


@pytest.mark.slow
def test_scikit_learns_search_tests_pass_on_skdeeps_classes():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # the plugin by its own folder: a 'tests' package some other distribution
    # installs in site-packages must not shadow ours
    plugins = os.path.join(root, "tests", "plugins")
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(filter(None, [plugins, os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
         "sklearn_search_as_skdeep", "--pyargs", "sklearn.model_selection.tests.test_search"],
        cwd=root, capture_output=True, text=True, timeout=900, env=env,
    )
    tail = result.stdout[-3000:]
    assert result.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail


def test_refit_at_the_cross_validated_epoch():
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    est = MLPClassifier(early_stopping=True, n_iter_no_change=3, max_iter=60, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(est, {"alpha": [1e-4, 1e-1]}, cv=3, refit_epochs="median").fit(X, y)
        # each fold's best epoch is the one its own early-stopping fit restored
        best = clone(est).set_params(**search.best_params_)
        folds = [int(np.argmax(clone(best).fit(X[tr], y[tr]).validation_scores_)) + 1
                 for tr, _ in StratifiedKFold(3).split(X, y)]
    assert list(search.cv_best_epochs_) == folds
    assert search.refit_epochs_ == int(round(float(np.median(folds))))
    net = search.best_estimator_
    assert not net.early_stopping and net.validation_scores_ is None
    assert net.n_iter_ == search.refit_epochs_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = clone(best).set_params(early_stopping=False, max_iter=search.refit_epochs_,
                                       n_iter_no_change=np.inf).fit(X, y)
    np.testing.assert_allclose(net.loss_curve_, plain.loss_curve_, rtol=1e-4)
    # without early stopping there is no epoch to refit at: scikit-learn's refit, and a warning
    with pytest.warns(UserWarning, match="refit_epochs needs"):
        search = GridSearchCV(MLPClassifier(**COMMON), {"alpha": [1e-4]}, cv=3,
                              refit_epochs="median").fit(X, y)
    assert not hasattr(search, "refit_epochs_") and search.best_estimator_.n_iter_ == 15


def test_workers_see_the_callers_scikit_learn_config(monkeypatch):
    # scikit-learn's config is thread-local: pandas output in the caller means
    # frames for the network in every grouped fit too, and nothing retrains
    import sklearn

    hits = []
    take = _registry.Registry.take

    def counted(self, *args):
        state = take(self, *args)
        hits.append(state is not None)
        return state

    monkeypatch.setattr(_registry.Registry, "take", counted)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**COMMON))
    with sklearn.config_context(transform_output="pandas"):
        ours, theirs = _searches(pipe, {"mlpclassifier__alpha": [1e-4, 1e-2]})
    assert ours.n_grouped_fits_ == 6
    assert sum(hits) == 6  # every fold's fit found its grouped state; only the refit trained
    assert list(ours.best_estimator_[-1].feature_names_in_) == list(
        theirs.best_estimator_[-1].feature_names_in_)
    _assert_same(ours, theirs)


def test_compiled_programs_stay_bounded(monkeypatch):
    # every beta_1 value is its own program: a long random search must not keep them all
    monkeypatch.setattr(_program, "MAX_PROGRAMS", 2)
    _program._programs.clear()
    for beta_1 in (0.8, 0.85, 0.9):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            GridSearchCV(MLPClassifier(max_iter=2, beta_1=beta_1, random_state=0),
                         {"alpha": [1e-4]}, cv=2).fit(X, y)
    assert len(_program._programs) == 2
    assert {key[0][4][1] for key in _program._programs} == {0.85, 0.9}


def test_n_init_restarts_train_together_as_one_after_another(monkeypatch):
    import importlib

    from sklearn.base import clone

    from skdeep._estimators import restarts

    _session = importlib.import_module("skdeep._cohort.session")  # the module, not the class

    assert isinstance(restarts._run_pool, _session.RestartPool)  # filled by `import skdeep`
    sizes = []

    class Counting(_session.RestartPool):
        def run(self, tasks):
            sizes.append(len(tasks))
            super().run(tasks)

    monkeypatch.setattr(_session, "MIN_RESTART_WORK", 0)  # group although not compiled yet
    net = MLPClassifier(hidden_layer_sizes=(8,), n_init=3, early_stopping=True, dropout=0.2,
                        n_iter_no_change=3, max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        monkeypatch.setattr(restarts, "_run_pool", Counting())
        together = clone(net).fit(X, y)
        monkeypatch.setattr(restarts, "_run_pool", None)
        alone = clone(net).fit(X, y)
    assert sizes == [3]
    assert len(set(np.round(alone.init_scores_, 6))) > 1  # three different restarts
    np.testing.assert_allclose(together.init_scores_, alone.init_scores_)
    assert together.best_init_ == alone.best_init_
    np.testing.assert_allclose(together.loss_curve_, alone.loss_curve_, rtol=1e-4)
    for a, b in zip(together.coefs_, alone.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(together.predict_proba(X[:5], return_std=True)[1],
                               alone.predict_proba(X[:5], return_std=True)[1], rtol=1e-4)


def test_verbose_reports_the_grouped_epochs_and_finished_fits(capsys):
    grid = {"hidden_layer_sizes": [(4,), (8,)]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(MLPClassifier(max_iter=7, random_state=0), grid, cv=3,
                              verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert search.n_grouped_fits_ == 6
    # not a terminal: a line every 10 s (the first epoch compiles) and a closing one
    lines = [line for line in err.splitlines() if line.startswith("grouped training")]
    assert 1 <= len(lines) <= 3 and "\r" not in err
    assert "epoch 7, 0 fits training, 6 of 6 finished" in lines[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GridSearchCV(MLPClassifier(max_iter=3, random_state=0), grid, cv=3).fit(X, y)
    assert "grouped training" not in capsys.readouterr().err  # verbose=0: silent


def test_grouped_progress_rewrites_one_line_on_a_terminal():
    import io

    from skdeep.model_selection import _GroupedProgress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = _GroupedProgress(4, before=2, stream=stream)
    progress(1, 4, 2)
    progress(2, 3, 3)
    progress.close(6)
    text = stream.getvalue()
    assert text.count("\r\x1b[K") == 3 and text.count("\n") == 1
    assert "epoch 2, 3 fits training, 1 of 4 finished" in text
    assert text.rstrip().endswith("s)") and "epoch 2, 0 fits training, 4 of 4 finished" in text
