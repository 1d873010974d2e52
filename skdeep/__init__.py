"""skdeep: Keras deep networks as first-class scikit-learn estimators.

Importing skdeep imports nothing heavy: each public name is loaded from its
module on first use (so ``skdeep --help`` answers at once), and TensorFlow
only on the first fit or predict.
"""

import importlib

from ._keras_hook import install as _install_keras_hook
from ._renames import install as _install_renames
from ._version import __version__

# files saved by skdeep 0.1.0 name its flat layout's private modules
_install_renames()
# networks saved with est.model_.save(...) load in Keras after import skdeep
_install_keras_hook()

#: public name -> module that defines it
_PUBLIC = {
    "CNNClassifier": "._estimators.cnn",
    "CNNRegressor": "._estimators.cnn",
    "CharRNN": "._estimators.charrnn",
    "KerasClassifier": "._estimators.keras",
    "KerasRegressor": "._estimators.keras",
    "BaseWrapper": "._estimators.generic",
    "MLPClassifier": "._estimators.mlp",
    "MLPRegressor": "._estimators.mlp",
    "RNNSequenceClassifier": "._estimators.rnn",
    "RNNSequenceRegressor": "._estimators.rnn",
    "TabularMLPClassifier": "._estimators.tabular",
    "TabularMLPRegressor": "._estimators.tabular",
    "clear_cache": "._engine.cache",
    "export": "._export",
    "file_info": "._persistence",
    "load": "._persistence",
    "save": "._persistence",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'skdeep' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    if module.startswith("._estimators."):
        # the restarts of n_init train together in the search cohorts' programs
        importlib.import_module("._cohort", __name__).install_restarts()
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
