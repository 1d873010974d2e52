"""How one fit trains: the epoch loop, its stopping rules, hooks and callbacks.

The loop takes a training configuration, a fit state and an engine (see
:mod:`skdeep._engine`); it never reads an estimator's private attributes.
Everything that wants to see or steer training -- Keras callbacks,
scikit-learn's callbacks, schedules -- enters as an :class:`EpochHook`
(``skdeep._training.EpochHook``, as before the package was split).
"""

from .hooks import EpochHook

__all__ = ["EpochHook"]
