"""skdeep: Keras deep networks as first-class scikit-learn estimators.

Importing skdeep imports nothing heavy: each public name is loaded from its
module on first use (so ``skdeep --help`` answers at once), and TensorFlow
only on the first fit or predict.
"""

import importlib

__version__ = "0.1.0"

#: public name -> module that defines it
_PUBLIC = {
    "CNNClassifier": "._cnn",
    "CNNRegressor": "._cnn",
    "CharRNN": "._charrnn",
    "KerasClassifier": "._keras",
    "KerasRegressor": "._keras",
    "MLPClassifier": "._mlp",
    "MLPRegressor": "._mlp",
    "RNNSequenceClassifier": "._rnn",
    "RNNSequenceRegressor": "._rnn",
    "TabularMLPClassifier": "._tabular",
    "TabularMLPRegressor": "._tabular",
    "clear_cache": "._engines",
    "load": "._persistence",
    "save": "._persistence",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'skdeep' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
