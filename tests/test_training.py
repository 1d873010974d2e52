"""The training layer on its own: stopping rules and schedules as scikit-learn's, the state."""

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import SGDOptimizer

from skdeep import MLPClassifier
from skdeep._training.rules import GradNormFloor, NoImprovement, Schedule
from skdeep._training.state import FitState, TrainingConfig


def _sgd(schedule, **kwargs):
    return SGDOptimizer([np.zeros(1)], learning_rate_init=0.1, lr_schedule=schedule, **kwargs)


@pytest.mark.parametrize("t", [0, 99, 12345])
def test_invscaling_is_scikit_learns(t):
    theirs = _sgd("invscaling", power_t=0.5)
    theirs.iteration_ends(t)
    state = FitState.fresh(False, False)
    state.learning_rate, state.t = 0.1, t
    assert Schedule("invscaling", 0.1, 0.5, "sgd").epoch_end(state)
    assert state.learning_rate == pytest.approx(theirs.learning_rate, rel=1e-15)


def test_adaptive_divides_by_five_then_stops_as_scikit_learns():
    theirs = _sgd("adaptive")
    state = FitState.fresh(False, False)
    state.learning_rate, state.no_improvement_count = 0.1, 3
    ours = Schedule("adaptive", 0.1, 0.5, "sgd")
    for _ in range(12):
        stop_theirs = theirs.trigger_stopping("", verbose=False)
        stop_ours = ours.on_plateau(state)
        assert stop_ours == stop_theirs
        assert state.learning_rate == pytest.approx(theirs.learning_rate, rel=1e-12)
        if stop_ours:
            break
        assert state.no_improvement_count == 0
    assert stop_ours  # 0.1 / 5**k falls below 1e-6 after 8 divisions


def test_adam_keeps_its_rate_and_constant_changes_nothing():
    state = FitState.fresh(False, False)
    state.learning_rate, state.t = 0.1, 50
    assert not Schedule("invscaling", 0.1, 0.5, "adam").epoch_end(state)
    assert Schedule("adaptive", 0.1, 0.5, "adam").on_plateau(state)
    assert not Schedule("constant", 0.1, 0.5, "sgd").epoch_end(state)
    assert state.learning_rate == 0.1


def test_no_improvement_counts_as_scikit_learns_mlp():
    # scikit-learn: loss > best_loss - tol counts; the best is the minimum so far
    rule, state = NoImprovement(tol=0.1, patience=2, validation=False), FitState.fresh(False, False)
    for loss, count in [(1.0, 0), (0.95, 1), (0.5, 0), (0.45, 1), (0.44, 2), (0.43, 3)]:
        state.loss_curve.append(loss)
        rule.update(state, loss)
        assert state.no_improvement_count == count
    assert state.best_loss == 0.43 and rule.exhausted(state)
    # early stopping: score < best + tol counts; a strictly better score is the best
    rule, state = NoImprovement(tol=0.1, patience=0, validation=True), FitState.fresh(True, False)
    counts = []
    for score in (0.5, 0.55, 0.7, 0.65):
        counts.append((rule.update(state, np.nan, score), state.no_improvement_count))
    assert counts == [(True, 0), (True, 1), (True, 0), (False, 1)]
    assert state.best_validation_score == 0.7 and rule.exhausted(state)


def test_a_training_loss_rule_continues_an_early_stopping_state():
    # best_loss_ is None after early stopping; partial_fit then follows the loss
    state = FitState.fresh(True, False)
    state.loss_curve += [0.9, 0.4, 0.6]
    NoImprovement(tol=1e-4, patience=10, validation=False).update(state, 0.6)
    assert state.best_loss == 0.4 and state.no_improvement_count == 1


def test_grad_norm_floor():
    assert GradNormFloor(1e-3).reached(1e-4)
    assert not GradNormFloor(1e-3).reached(1e-2)
    assert not GradNormFloor(0).reached(0.0)  # 0 turns the criterion off


def test_the_state_round_trips_through_the_estimator():
    X = np.random.RandomState(0).rand(60, 3)
    y = (X[:, 0] > 0.5).astype(int)
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=7, early_stopping=True,
                        n_iter_no_change=100, random_state=0).fit(X, y)
    state = FitState.of(est)
    assert state.n_iter == est.n_iter_ == len(est.loss_curve_) == 7
    assert state.loss_curve is not est.loss_curve_  # a copy the loop may extend
    state.loss_curve.append(0.0)
    assert len(est.loss_curve_) == 7
    state.publish(est)
    assert est.loss_curve_[-1] == 0.0 and est.history_["loss"][-1] == 0.0
    assert est.history_["val_score"] == est.validation_scores_


def test_training_config_follows_the_parameters_and_plans_the_epochs():
    est = MLPClassifier(solver="sgd", momentum=0.5, max_iter=33, alpha=0.01, l1=0.1)
    config = est._training_config()
    assert config.optimizer == ("sgd", 0.5, True) and config.stochastic
    assert config.penalties == (0.01, 0.1, 0.0, 0.0)
    assert config.planned_epochs(1000) == 33
    assert config.validation_score_name == "accuracy"
    # a step budget: 2000 updates of 32-row batches on 40 rows -> 1000 epochs
    budget = TrainingConfig(max_iter="auto", batch_size="auto", auto_batch_size=32)
    assert budget.planned_epochs(40) == 1000
    assert TrainingConfig(solver="lbfgs", max_iter="auto").planned_epochs(10) == 200
