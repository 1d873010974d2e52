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

# %%
# The course's "Predict with a Neural Network" exercise: threshold units with
# weights set by hand.  A 'step' network cannot be trained (its gradient is
# zero), so ``initialize`` sets it up for the data and we assign the weights:
# hidden unit 1 computes OR, hidden unit 2 computes AND, the output "OR and
# not AND".
step_net = MLPClassifier(hidden_layer_sizes=(2,), activation="step").initialize(X, y)
step_net.coefs_ = [np.ones((2, 2)), np.array([[1.0], [-2.0]])]
step_net.intercepts_ = [np.array([-0.5, -1.5]), np.array([-0.5])]
print("step network predicts:", step_net.predict(X), "targets:", y)
