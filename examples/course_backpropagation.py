"""
The course's backpropagation example, through the public API
=============================================================

The lecture's worked example: a 2-2-2 network with logistic units, inputs
0.05 and 0.10, targets 0.01 and 0.99, given weights, one gradient step with
learning rate 0.5 on the half squared error.  skdeep's squared-error loss is
scikit-learn's, whose gradient is that of the slides' E_total, so the same
learning rate gives the same numbers.
"""

# %%
import numpy as np

from skdeep import MLPRegressor

X = np.array([[0.05, 0.10]])
Y = np.array([[0.01, 0.99]])
net = MLPRegressor(
    hidden_layer_sizes=(2,), activation="logistic", output_activation="logistic",
    solver="sgd", learning_rate_init=0.5, momentum=0.0, alpha=0.0, batch_size=1,
    shuffle=False, random_state=0,
)
net.partial_fit(X, Y)  # fixes the architecture; the slides' weights come next

# %%
# The slides' weights: w1..w4 into the hidden layer, w5..w8 into the output,
# one bias per layer (b1 = 0.35, b2 = 0.60).  ``coefs_[i][j, k]`` is the
# weight from unit j of layer i to unit k of layer i + 1.
net.coefs_ = [np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])]
net.intercepts_ = [np.array([0.35, 0.35]), np.array([0.60, 0.60])]
print("forward pass, out_o1 and out_o2:", net.predict(X))  # 0.75136507 0.772928465

# %%
# One step of gradient descent (one on-line ``partial_fit`` epoch).
net.partial_fit(X, Y)
print("E_total before the step:", 2 * net.loss_)  # 0.298371109 (loss_ averages the 2 outputs)
print("w5 after the step:", net.coefs_[1][0, 0])  # 0.35891648
print("w1 after the step:", net.coefs_[0][0, 0])  # 0.149780716
