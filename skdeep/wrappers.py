"""scikeras' import path: ``from skdeep.wrappers import KerasClassifier, KerasRegressor``.

A scikeras user changes ``scikeras.wrappers`` to ``skdeep.wrappers`` and
nothing else; the classes are :class:`skdeep.KerasClassifier`,
:class:`skdeep.KerasRegressor` and :class:`skdeep.BaseWrapper` (see
:doc:`/scikeras` for what each of scikeras' parameters does on them).
"""

from ._estimators.generic import BaseWrapper
from ._estimators.keras import KerasClassifier, KerasRegressor

__all__ = ["BaseWrapper", "KerasClassifier", "KerasRegressor"]
