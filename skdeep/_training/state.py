"""What the epoch loop reads and writes: a frozen :class:`TrainingConfig` and a :class:`FitState`.

The estimator builds the configuration from its parameters (its
``_training_config`` hook) and the state from its fitted attributes (a fresh
one for a new fit, its own for ``warm_start`` and ``partial_fit``); the loop
changes only the state, which the estimator publishes back to its fitted
attributes (``loss_curve_``, ``n_iter_``, ...) when a run ends.
"""

import dataclasses
import math

import numpy as np

from .batching import resolve_batch_size, resolve_epochs

__all__ = ["FitState", "TrainingConfig"]

#: Solvers that take minibatch steps (everything but L-BFGS).
STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop", "adagrad")


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    """How one fit call trains: the estimator's training parameters, resolved.

    The fields are scikit-learn's MLP parameters of the same names, plus:

    Parameters
    ----------
    auto_batch_size : int, default=200
        Rows of ``batch_size='auto'`` (scikit-learn's 200; 32 for the
        sequence and image networks).
    epoch_budget : bool, default=False
        ``max_iter`` is a planned number of epochs (a schedule's length), so
        reaching it raises no ConvergenceWarning.
    penalties : tuple of float
        Strengths in :data:`skdeep._engine.spec.PENALTIES` order.
    validation_score_name : str or None
        The validation score's alias in callbacks' logs (``'accuracy'``).
    validation_split : float, default=0.0
        Keras' ``validation_split``: the last fraction of the rows is held
        out and scored every epoch (``val_loss``, ``val_score``, the
        metrics' ``val_`` entries) without stopping on it -- unless
        ``early_stopping``, which then stops on those rows.
    metric_names : tuple of str, default=()
        Names of the metrics a hook adds to each epoch's logs (and their
        ``val_`` entries when rows are held out).
    min_epochs : int, default=0
        Epochs of a call that run whatever ``n_iter_no_change`` says (the
        rule may stop training only after them).
    min_validation_rows : int, default=0
        Held-out rows below which ``n_iter_no_change`` never stops an
        early-stopping fit: on so few rows the score moves in coarse steps
        and a stall says little (the tabular recipe's ``'auto'``).
    """

    solver: str = "adam"
    learning_rate: str = "constant"
    learning_rate_init: float = 0.001
    power_t: float = 0.5
    momentum: float = 0.9
    nesterovs_momentum: bool = True
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    batch_size: object = "auto"
    auto_batch_size: int = 200
    max_iter: object = 200
    n_iter_no_change: object = 10
    tol: float = 1e-4
    shuffle: bool = True
    early_stopping: bool = False
    validation_fraction: float = 0.1
    min_grad_norm: float = 0.0
    max_fun: int = 15000
    verbose: bool = False
    epoch_budget: bool = False
    penalties: tuple = (0.0, 0.0, 0.0, 0.0)
    validation_score_name: str = None
    validation_split: float = 0.0
    metric_names: tuple = ()
    min_epochs: int = 0
    min_validation_rows: int = 0

    @property
    def validates(self):
        """Whether rows are held out and scored every epoch."""
        return self.stochastic and (self.early_stopping or self.validation_split > 0)

    @property
    def stochastic(self):
        """Whether the solver takes minibatch steps (all but L-BFGS)."""
        return self.solver != "lbfgs"

    @property
    def optimizer(self):
        """``(solver, *hyperparameters)`` of the compiled optimizer (no learning rate)."""
        if self.solver == "sgd":
            return ("sgd", float(self.momentum), bool(self.nesterovs_momentum))
        if self.solver == "adam":
            return ("adam", float(self.beta_1), float(self.beta_2), float(self.epsilon))
        if self.solver in ("rmsprop", "adagrad"):
            return (self.solver, float(self.epsilon))
        return ("lbfgs",)

    def planned_epochs(self, n_samples):
        """The most epochs (L-BFGS iterations) a ``fit`` on ``n_samples`` rows may run.

        ``max_iter`` itself, or what ``max_iter='auto'`` makes of its step
        budget for the rows that train (without the validation fraction).
        """
        if self.solver == "lbfgs":
            return 200 if self.max_iter == "auto" else int(self.max_iter)
        if self.max_iter != "auto":
            return int(self.max_iter)
        n = n_samples
        if self.validation_split > 0:
            n = math.floor(n * (1.0 - self.validation_split))
        elif self.early_stopping:
            n -= math.ceil(self.validation_fraction * n)
        batch = resolve_batch_size(self.batch_size, max(n, 1), self.auto_batch_size, warn=False)
        return resolve_epochs("auto", 10, -(-max(n, 1) // batch))[0]


@dataclasses.dataclass
class FitState:
    """The training state the loop advances, published as the fitted attributes.

    Attribute ``x`` here is the estimator's ``x_`` (``loss_curve`` is
    ``loss_curve_``, ``t`` is ``t_``, ...); ``no_improvement_count``,
    ``learning_rate`` and ``optimizer_state`` are its private
    ``_no_improvement_count``, ``_learning_rate``, ``_optimizer_state``.
    ``weights`` are the weights training starts from and, once a run ends,
    the fitted ones.
    """

    loss_curve: list
    validation_scores: list = None
    validation_loss_curve: list = None
    grad_norm_curve: list = None
    n_iter: int = 0
    t: int = 0
    loss: float = np.nan
    best_validation_score: float = None
    best_loss: float = None
    no_improvement_count: int = 0
    learning_rate: float = None
    optimizer_state: tuple = None
    weights: list = None
    #: The loss of the weights training started from, measured only when the
    #: kept loss looks diverged (see ``BaseNeuralEstimator._check_finite``).
    start_loss: float = None
    #: Per-epoch values of the metrics (``'accuracy'``, ``'val_accuracy'``, ...).
    metric_curves: dict = None

    #: Fitted attribute -> field, for publishing and reading back.
    ATTRIBUTES = {
        "loss_curve_": "loss_curve", "validation_scores_": "validation_scores",
        "validation_loss_curve_": "validation_loss_curve",
        "grad_norm_curve_": "grad_norm_curve", "n_iter_": "n_iter", "t_": "t",
        "loss_": "loss", "best_validation_score_": "best_validation_score",
        "best_loss_": "best_loss", "_no_improvement_count": "no_improvement_count",
        "_learning_rate": "learning_rate", "_optimizer_state": "optimizer_state",
        "_metric_curves": "metric_curves",
    }

    @classmethod
    def fresh(cls, early_stopping, track_grad_norm, validates=None):
        """The state of a network about to train for the first time; ``validates``
        (default: ``early_stopping``) keeps validation curves."""
        validates = early_stopping if validates is None else validates
        return cls(
            loss_curve=[],
            validation_scores=[] if validates else None,
            validation_loss_curve=[] if validates else None,
            grad_norm_curve=[] if track_grad_norm else None,
            best_validation_score=-np.inf if early_stopping else None,
            best_loss=None if early_stopping else np.inf,
        )

    @classmethod
    def of(cls, estimator):
        """The state a fitted estimator stopped in (its curves copied)."""
        values = {field: getattr(estimator, attr, None)
                  for attr, field in cls.ATTRIBUTES.items()}
        for field in ("loss_curve", "validation_scores", "validation_loss_curve",
                      "grad_norm_curve"):
            if values[field] is not None:
                values[field] = list(values[field])
        if values["metric_curves"] is not None:
            values["metric_curves"] = {k: list(v) for k, v in values["metric_curves"].items()}
        return cls(**values, weights=list(estimator._weights))

    def kept_loss(self):
        """The training loss of the weights kept: the best epoch's under early
        stopping (the first best score, as the rule keeps it), else the last."""
        if self.validation_scores and self.best_validation_score is not None:
            scores = np.asarray(self.validation_scores, dtype=float)
            if np.isfinite(scores).any():
                curve = self.loss_curve[-len(scores):]
                return float(curve[int(np.nanargmax(scores))])
        return float(self.loss)

    def publish(self, estimator):
        """Write the state to ``estimator``'s fitted attributes and ``history_``."""
        for attr, field in self.ATTRIBUTES.items():
            setattr(estimator, attr, getattr(self, field))
        history = {"loss": list(self.loss_curve)}
        if self.validation_scores is not None:
            history["val_loss"] = list(self.validation_loss_curve)
            history["val_score"] = list(self.validation_scores)
        if self.grad_norm_curve is not None:
            history["grad_norm"] = list(self.grad_norm_curve)
        for name, curve in (self.metric_curves or {}).items():
            history[name] = list(curve)
        estimator.history_ = history
