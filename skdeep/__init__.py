"""skdeep: Keras deep networks as first-class scikit-learn estimators.

Importing skdeep does not import TensorFlow; that happens on the first fit
or predict.
"""

from ._charrnn import CharRNN
from ._cnn import CNNClassifier, CNNRegressor
from ._engines import clear_cache
from ._keras import KerasClassifier, KerasRegressor
from ._mlp import MLPClassifier, MLPRegressor
from ._rnn import RNNSequenceClassifier, RNNSequenceRegressor

__version__ = "0.1.0"

__all__ = [
    "CNNClassifier", "CNNRegressor", "CharRNN", "KerasClassifier", "KerasRegressor", "MLPClassifier",
    "MLPRegressor",
    "RNNSequenceClassifier", "RNNSequenceRegressor", "clear_cache",
    "__version__",
]
