"""The spec of a compiled fit: what fixes an engine's graph, and the optimizers.

A leaf of the engine layer: a :class:`ModelSpec` is hashable (engines are
cached by it) and pickled with every fitted estimator.
"""

import dataclasses
from typing import Callable

__all__ = ["LOSSES", "PENALTIES", "ModelSpec", "make_optimizer"]

LOSSES = (
    "squared_error", "absolute_error", "huber", "poisson", "binary_log_loss", "log_loss",
)

#: Order of the penalty strengths in the vector every compiled function takes.
PENALTIES = ("alpha", "l1", "activity_l1", "activity_l2")


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """Everything that fixes the compiled graph of a fit.

    Parameters
    ----------
    builder : callable
        Module-level function returning an uncompiled ``keras.Model``.
    builder_kwargs : tuple of (str, object) pairs
        Hashable keyword arguments for ``builder``.
    input_shape : tuple of int
        Shape of one sample.
    n_outputs : int
        Width of the target matrix.
    dtype : str
        ``'float32'`` or ``'float64'``.
    loss : str or tuple
        One of ``'squared_error'``, ``'absolute_error'``, ``'huber'``,
        ``'poisson'``, ``'binary_log_loss'``, ``'log_loss'``; or output
        groups, ``((loss, width), ...)`` for consecutive output columns (a
        Keras model with several outputs, each with its own loss).
    optimizer : tuple
        ``(solver, *hyperparameters)``; the learning rate is not part of it.
    penalties : tuple of str, default=()
        Which optional penalty terms the graph computes: ``'l1'`` (on the
        weights) and ``'activity'`` (on the hidden activations).  Their
        strengths, like ``alpha``'s, are inputs of the compiled functions, so
        a grid over them shares one trace.
    track_grad_norm : bool, default=False
        Whether a training epoch also returns the norm of its mean gradient
        (the course's gradient-norm stopping criterion).
    """

    builder: Callable
    builder_kwargs: tuple
    input_shape: tuple
    n_outputs: int
    dtype: str
    loss: str
    optimizer: tuple
    penalties: tuple = ()
    track_grad_norm: bool = False

    def build(self):
        """Return a fresh, uncompiled Keras model for this spec."""
        return self.builder(**dict(self.builder_kwargs))


def make_optimizer(keras, config):
    solver, *hyper = config
    if solver == "sgd":
        momentum, nesterov = hyper
        return keras.optimizers.SGD(learning_rate=0.001, momentum=momentum, nesterov=nesterov)
    if solver == "adam":
        beta_1, beta_2, epsilon = hyper
        return keras.optimizers.Adam(
            learning_rate=0.001, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon
        )
    if solver == "rmsprop":
        (epsilon,) = hyper
        return keras.optimizers.RMSprop(learning_rate=0.001, epsilon=epsilon)
    if solver == "adagrad":
        (epsilon,) = hyper
        return keras.optimizers.Adagrad(learning_rate=0.001, epsilon=epsilon)
    if solver == "lbfgs":
        return None
    raise ValueError(f"Unknown solver {solver!r}.")
