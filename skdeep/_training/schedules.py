"""Learning-rate schedules set per epoch: :func:`cosine_cycles` and its hook.

The tabular networks' default schedule (``learning_rate='cosine_cycles'``)
is an :class:`~skdeep._training.hooks.EpochHook` on the shared epoch loop,
like every other per-epoch behaviour.
"""

import numpy as np

from .hooks import EpochHook

__all__ = ["CosineCycles", "DropoutSchedule", "cosine_cycles", "flat_cos"]


def cosine_cycles(t, n_cycles=4):
    """The learning-rate multiplier at training progress ``t`` in [0, 1].

    ``0.5 - 0.5 cos(2 pi log2(1 + (2^n - 1) t))``: ``n_cycles`` cycles that
    each rise from 0 to 1 and fall back to 0, evenly spaced on a
    logarithmic time axis, so each cycle is about twice as long as the one
    before; training ends at the bottom of the last one. With best-epoch
    selection, every cycle's low point is a candidate model.

    Parameters
    ----------
    t : float or ndarray
        Fraction of training done.
    n_cycles : int, default=4
        Number of cycles.

    Returns
    -------
    float or ndarray
        Multiplier in [0, 1].

    Examples
    --------
    >>> from skdeep._training.schedules import cosine_cycles
    >>> peak = (2 ** 0.5 - 1) / 15  # the middle of the first cycle
    >>> [round(float(cosine_cycles(t)), 3) for t in (0.0, peak, 1 / 15, 1.0)]
    [0.0, 1.0, 0.0, 0.0]
    """
    u = np.log2(1.0 + (2.0 ** n_cycles - 1.0) * np.asarray(t, dtype=float))
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * u)


def _epoch_middle(loop, incremental, max_iter):
    """The fraction of a ``max_iter``-epoch schedule at the middle of this epoch
    (1 past its end); ``partial_fit`` calls walk through it epoch by epoch."""
    done = loop.epoch if incremental else loop.state.n_iter
    return min((done + 0.5) / max_iter, 1.0)


class CosineCycles(EpochHook):
    """Sets the learning rate of each epoch from :func:`cosine_cycles`.

    The rate is the schedule's value in the middle of the epoch. A ``fit``
    runs the whole schedule over ``max_iter`` epochs (warm starts begin it
    again, as they begin a new optimizer state); successive ``partial_fit``
    calls walk through it epoch by epoch and stay at its end after
    ``max_iter`` epochs.

    Parameters
    ----------
    incremental : bool
        Whether the call is ``partial_fit``.
    learning_rate_init : float
        The peak rate.
    n_cycles : int
        Cycles of the schedule.
    max_iter : int
        The schedule's length in epochs.
    """

    #: Lowest multiplier used, so a rate is never exactly 0.
    FLOOR = 1e-4

    def __init__(self, incremental, learning_rate_init, n_cycles, max_iter):
        self.incremental = incremental
        self.learning_rate_init, self.n_cycles, self.max_iter = (
            learning_rate_init, n_cycles, max_iter)

    def on_epoch_begin(self, loop):
        t = _epoch_middle(loop, self.incremental, self.max_iter)
        factor = max(float(cosine_cycles(t, self.n_cycles)), self.FLOOR)
        loop.learning_rate = self.learning_rate_init * factor


def flat_cos(t):
    """A multiplier that stays at 1 for the first half of training, then
    falls to 0 along a half cosine.

    ``1`` for ``t <= 1/2``, else ``0.5 + 0.5 cos(2 pi (t - 1/2))``: the
    schedule of the tabular networks' dropout rate (Holzmüller et al., 2024),
    so the last epochs -- where the learning-rate cycles select a model --
    train the network that predicts, without dropout's noise.

    Parameters
    ----------
    t : float or ndarray
        Fraction of training done.

    Returns
    -------
    float or ndarray
        Multiplier in [0, 1].

    Examples
    --------
    >>> from skdeep._training.schedules import flat_cos
    >>> [round(float(flat_cos(t)), 3) for t in (0.0, 0.5, 0.75, 1.0)]
    [1.0, 1.0, 0.5, 0.0]
    """
    t = np.asarray(t, dtype=float)
    return np.where(t <= 0.5, 1.0, 0.5 + 0.5 * np.cos(2.0 * np.pi * (t - 0.5)))


class DropoutSchedule(EpochHook):
    """Sets each epoch's dropout rates to ``flat_cos`` times the estimator's.

    The rates are the network's ``<layer>/rate`` variables; each epoch gets
    the schedule's value in its middle, like :class:`CosineCycles`, and the
    estimator's rates come back when training ends (Monte-Carlo predictions
    and the next fit sample at them).

    Parameters
    ----------
    incremental : bool
        Whether the call is ``partial_fit``.
    rates : dict
        ``{variable index: rate}`` of the rate variables, in the engine's
        variable order.
    max_iter : int
        The schedule's length in epochs.
    """

    def __init__(self, incremental, rates, max_iter):
        self.incremental, self.rates, self.max_iter = incremental, dict(rates), max_iter

    def _set(self, loop, factor):
        loop.engine.set_values({i: rate * factor for i, rate in self.rates.items()})

    def on_epoch_begin(self, loop):
        self._set(loop, float(flat_cos(_epoch_middle(loop, self.incremental, self.max_iter))))

    def on_train_end(self, loop, logs):
        self._set(loop, 1.0)
