"""
Series networks against the time-series field's tools
=====================================================

Japanese Vowels again (nine speakers, utterances of 7 to 29 frames of 12
LPC coefficients), now with :class:`~skdeep.CNNClassifier`. On series it
trains the residual network of the time-series literature by default
(``architecture='auto'``), takes the list of unequal-length series as it is
(padded and masked inside), and is compared here with the GRU and -- when
aeon is installed (``pip install --no-deps aeon``) -- with 1-nearest-neighbour
DTW and MiniRocket, the field's standard baselines. MiniRocket takes only
series of one length, so it sees the utterances zero-padded to the longest.

The full comparison on seven archive sets is in the documentation's
performance page (``benchmarks/bench_sequences.py``).
"""

# %%
import time

import numpy as np
from sklearn.model_selection import GridSearchCV

from skdeep import CNNClassifier, RNNSequenceClassifier
from skdeep.datasets import load_japanese_vowels

X_train, y_train = load_japanese_vowels(split="train")
X_test, y_test = load_japanese_vowels(split="test")


def report(name, model, X_fit, X_eval):
    start = time.perf_counter()
    model.fit(X_fit, y_train)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(model.predict(X_eval) == y_test))
    print(f"{name:32s} test accuracy {accuracy:.3f}  fit {seconds:5.1f} s")
    return model


# %%
# skdeep's defaults: the residual network and the GRU behind a convolutional
# front end, on the lists as given.
cnn = report("CNNClassifier (residual network)", CNNClassifier(random_state=0),
             X_train, X_test)
report("RNNSequenceClassifier (GRU)", RNNSequenceClassifier(random_state=0), X_train, X_test)
print("network input:", cnn.input_shape_, "-- any length, 12 channels")

# %%
# The field's baselines, if aeon is installed. aeon wants (channels, time).
try:
    from aeon.classification.convolution_based import MiniRocketClassifier
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier
except ImportError:
    print("aeon is not installed: no DTW or MiniRocket rows (pip install --no-deps aeon)")
else:
    longest = max(len(x) for x in X_train + X_test)

    def zero_padded(series):  # what aeon asks for: (n, channels, longest) arrays
        return np.stack([np.pad(x, ((0, longest - len(x)), (0, 0))).T for x in series])

    report("1-NN DTW (aeon)", KNeighborsTimeSeriesClassifier(n_neighbors=1, distance="dtw"),
           [x.T for x in X_train], [x.T for x in X_test])
    report("MiniRocket (aeon, zero-padded)", MiniRocketClassifier(random_state=0),
           zero_padded(X_train), zero_padded(X_test))

# %%
# ``architecture`` is an ordinary parameter: a grid search compares the
# fully convolutional network with the residual one on the training folds.
search = GridSearchCV(CNNClassifier(filters=(16, 32, 32), random_state=0),
                      {"architecture": ["fcn", "resnet"]}, cv=3)
search.fit(X_train, y_train)
for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
    print(params, f"CV accuracy {score:.3f}")
print("refit on all training series, test accuracy", f"{search.score(X_test, y_test):.3f}")

# %%
# An ensemble trained as one network (InceptionTime's recipe has five
# members): each member learns on its own loss, predictions average them.
report("CNNClassifier, 3 members", CNNClassifier(filters=(16, 32, 32), n_members=3,
                                                 random_state=0), X_train, X_test)
