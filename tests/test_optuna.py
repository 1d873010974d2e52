"""Optuna over skdeep's estimators: OptunaSearchCV, and trials pruned per epoch.

Optuna's scikit-learn search (``optuna_integration.OptunaSearchCV``) must
score a candidate exactly as scikit-learn's ``cross_val_score`` does, and
Optuna's Keras pruning callback, given to an estimator's ``callbacks``, must
report each epoch's validation score to the trial and stop a pruned fit.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score

from skdeep import MLPClassifier

optuna = pytest.importorskip("optuna")
integration = pytest.importorskip("optuna_integration")
from optuna.distributions import CategoricalDistribution, FloatDistribution  # noqa: E402

X, y = load_digits(return_X_y=True)
X, y = X[:450] / 16.0, y[:450]


@pytest.fixture(autouse=True)
def _quiet_optuna():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.simplefilter("ignore", FutureWarning)  # optuna.terminator's deprecation
        yield


def test_optuna_search_cv_scores_candidates_as_scikit_learn_does():
    cv = StratifiedKFold(3)
    est = MLPClassifier(max_iter=15, random_state=0)
    distributions = {
        "hidden_layer_sizes": CategoricalDistribution([8, 24]),
        "alpha": FloatDistribution(1e-5, 1e-1, log=True),
        "dropout": FloatDistribution(0.0, 0.5),
    }
    search = integration.OptunaSearchCV(est, distributions, cv=cv, n_trials=4,
                                        random_state=0).fit(X, y)
    assert len(search.trials_) == 4
    best = est.set_params(**search.best_params_)
    assert search.best_score_ == pytest.approx(cross_val_score(best, X, y, cv=cv).mean(),
                                               abs=1e-12)
    np.testing.assert_array_equal(search.predict(X), best.fit(X, y).predict(X))


def test_optuna_search_cv_prunes_by_partial_fit_epochs():
    distributions = {"learning_rate_init": FloatDistribution(1e-4, 1e-1, log=True)}
    pruner = optuna.pruners.ThresholdPruner(lower=0.22, n_warmup_steps=4)
    study = optuna.create_study(direction="maximize", pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=0))
    search = integration.OptunaSearchCV(
        MLPClassifier(hidden_layer_sizes=(16,), random_state=0), distributions, cv=3,
        n_trials=6, enable_pruning=True, max_iter=8, study=study, random_state=0).fit(X, y)
    states = [t.state for t in search.trials_]
    pruned = [t for t in search.trials_ if t.state == optuna.trial.TrialState.PRUNED]
    assert pruned and optuna.trial.TrialState.COMPLETE in states
    # a pruned trial stopped at the first epoch after the warm-up, below the threshold;
    # the others ran their 8 partial_fit epochs
    for trial in search.trials_:
        steps = sorted(trial.intermediate_values)
        if trial in pruned:
            assert steps[-1] == 4 and trial.intermediate_values[4] < 0.22
        else:
            assert steps[-1] == 7 and trial.intermediate_values[4] >= 0.22


def test_the_keras_pruning_callback_reports_each_epoch_and_stops_a_pruned_fit():
    fits = {}

    def objective(trial):
        rate = trial.suggest_float("learning_rate_init", 1e-5, 1e-1, log=True)
        est = MLPClassifier((16,), learning_rate_init=rate, early_stopping=True, max_iter=25,
                            n_iter_no_change=25, random_state=0,
                            callbacks=[integration.KerasPruningCallback(trial, "val_score")])
        fits[trial.number] = est
        est.fit(X, y)
        return est.best_validation_score_

    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.RandomSampler(seed=1),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=2,
                                                                   n_warmup_steps=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from skdeep about the callback
        warnings.simplefilter("ignore", ConvergenceWarning)
        study.optimize(objective, n_trials=8)
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
    assert complete and pruned
    for trial in complete:  # every epoch's validation score reached the trial
        values = [trial.intermediate_values[k] for k in sorted(trial.intermediate_values)]
        np.testing.assert_allclose(values, fits[trial.number].validation_scores_)
    for trial in pruned:  # stopped before its 25 epochs, after the warm-up
        assert 3 <= len(trial.intermediate_values) < 25
