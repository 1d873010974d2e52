"""
XOR: the perceptron fails, one hidden layer solves it
=====================================================

The course's motivating example for multilayer networks.  A network without
hidden layer (``hidden_layer_sizes=()``) draws one line and cannot separate
XOR; two hidden units can.
"""

# %%
import numpy as np

from skdeep import MLPClassifier

X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
y = np.array([-1, 1, 1, -1])

perceptron = MLPClassifier(hidden_layer_sizes=(), solver="lbfgs", random_state=0).fit(X, y)
print("perceptron accuracy:", perceptron.score(X, y))  # at most 0.75

# %%
hidden = MLPClassifier(
    hidden_layer_sizes=(2,), activation="tanh", solver="lbfgs", random_state=1
).fit(X, y)
print("2 hidden units accuracy:", hidden.score(X, y))  # 1.0
print("hidden weights:\n", hidden.coefs_[0])
