"""scikit-learn's stopping rules and learning-rate schedules, as small objects.

As in scikit-learn's ``_stochastic_optimizers`` (``iteration_ends`` /
``trigger_stopping``), each rule reads and changes a
:class:`~skdeep._training.state.FitState`; the stochastic epoch loop
(:mod:`skdeep._training.stochastic`) asks them after every epoch.  They are
not hooks: they run on the fast path of every fit, hooks or none.
"""

import numpy as np

__all__ = ["GradNormFloor", "NoImprovement", "Schedule"]


class NoImprovement:
    """``tol`` / ``n_iter_no_change``: stop (or adapt) after epochs without progress.

    Follows the validation score with early stopping, else the training loss,
    exactly as scikit-learn's MLPs do.

    Parameters
    ----------
    tol : float
        The improvement that counts.
    patience : int or float
        Epochs without one that are tolerated (``np.inf``: never stop).
    validation : bool
        Follow the validation score (early stopping) instead of the loss.
    min_epochs : int, default=0
        Epochs of the call that always run: the patience can run out only
        after them (the tabular recipe's ``n_iter_no_change='auto'``).
    """

    def __init__(self, tol, patience, validation, min_epochs=0):
        self.tol, self.patience, self.validation = tol, patience, validation
        self.min_epochs = min_epochs

    def update(self, state, loss, score=None):
        """Count this epoch; return True if it is the best so far (early stopping)."""
        if self.validation:
            # a NaN score (diverged outputs) counts as no improvement; scikit-learn's
            # comparison would reset the count and train on to max_iter
            if not score >= state.best_validation_score + self.tol:
                state.no_improvement_count += 1
            else:
                state.no_improvement_count = 0
            if score > state.best_validation_score:
                state.best_validation_score = score
                return True
            return False
        if state.best_loss is None:  # the state of an early-stopping fit, continued
            state.best_loss = min(state.loss_curve[:-1], default=np.inf)
        if loss > state.best_loss - self.tol:
            state.no_improvement_count += 1
        else:
            state.no_improvement_count = 0
        state.best_loss = min(state.best_loss, loss)
        return False

    def exhausted(self, state):
        """Whether the patience ran out (and ``min_epochs`` have run)."""
        return state.no_improvement_count > self.patience and state.n_iter >= self.min_epochs

    def message(self):
        """scikit-learn's words for it (verbose output)."""
        what = "Validation score" if self.validation else "Training loss"
        return "%s did not improve more than tol=%f for %d consecutive epochs." % (
            what, self.tol, self.patience)


class Schedule:
    """scikit-learn's learning-rate schedules: ``'constant'``, ``'invscaling'``,
    ``'adaptive'``.

    As in scikit-learn they apply to SGD-like solvers; Adam keeps its rate.

    Parameters
    ----------
    kind : str
        The ``learning_rate`` parameter.
    learning_rate_init : float
        The first rate.
    power_t : float
        ``invscaling``'s exponent.
    solver : str
        Adam takes no schedule.
    """

    def __init__(self, kind, learning_rate_init, power_t, solver):
        self.kind = kind if solver != "adam" else "constant"
        self.learning_rate_init, self.power_t = learning_rate_init, power_t

    def epoch_end(self, state):
        """The rate after an epoch; True if it changed (``invscaling``)."""
        if self.kind != "invscaling":
            return False
        state.learning_rate = self.learning_rate_init / (state.t + 1) ** self.power_t
        return True

    def on_plateau(self, state):
        """When :class:`NoImprovement` runs out: True to stop, or (``adaptive``,
        while the rate exceeds 1e-6) divide the rate by 5 and go on."""
        if self.kind == "adaptive" and state.learning_rate > 1e-6:
            state.learning_rate /= 5.0
            state.no_improvement_count = 0
            return False
        return True


class GradNormFloor:
    """The course's gradient-norm criterion: stop once the gradient norm of an
    epoch falls below ``min_grad_norm`` (0: never).

    Parameters
    ----------
    min_grad_norm : float
        The floor.
    """

    def __init__(self, min_grad_norm):
        self.min_grad_norm = float(min_grad_norm)

    def reached(self, grad_norm):
        """Whether training should stop."""
        return self.min_grad_norm > 0 and grad_norm < self.min_grad_norm
