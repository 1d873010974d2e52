"""scikeras' import path: ``from skdeep.wrappers import KerasClassifier, KerasRegressor``.

A scikeras user changes ``scikeras.wrappers`` to ``skdeep.wrappers`` and
nothing else; the classes are :class:`skdeep.KerasClassifier` and
:class:`skdeep.KerasRegressor` (see :doc:`/scikeras` for what each of
scikeras' parameters does on them).
"""

from ._estimators.keras import KerasClassifier, KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor"]
