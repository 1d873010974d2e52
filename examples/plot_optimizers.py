"""
SGD, momentum, RMSprop, Adagrad and Adam
========================================

The course's optimisers on the same network, data and initial weights
(``random_state``): plain stochastic gradient descent, SGD with
(Nesterov) momentum, and the adaptive methods that scale each weight's step
by its gradient history.  ``solver`` picks one; ``momentum``,
``nesterovs_momentum``, ``beta_1``, ``beta_2`` and ``epsilon`` are their
hyperparameters, as in scikit-learn (which has no RMSprop or Adagrad).
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

runs = {
    "sgd": dict(solver="sgd", momentum=0.0, learning_rate_init=0.05),
    "sgd + momentum 0.9": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False,
                               learning_rate_init=0.05),
    "sgd + Nesterov 0.9": dict(solver="sgd", momentum=0.9, learning_rate_init=0.05),
    "rmsprop": dict(solver="rmsprop", learning_rate_init=0.001),
    "adagrad": dict(solver="adagrad", learning_rate_init=0.05),
    "adam": dict(solver="adam", learning_rate_init=0.001),
}
fig, ax = plt.subplots(figsize=(7, 4.5))
for name, params in runs.items():
    net = MLPClassifier(hidden_layer_sizes=(64,), max_iter=30, tol=0.0, random_state=0,
                        **params).fit(X, y)
    ax.plot(range(1, net.n_iter_ + 1), net.loss_curve_, label=name)
    print(f"{name:19s} loss after 1 epoch {net.loss_curve_[0]:.3f}, "
          f"after {net.n_iter_} {net.loss_curve_[-1]:.4f}")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training log-loss")
ax.legend()
ax.set_title("Digits, one hidden layer of 64, minibatches of 200")
fig.tight_layout()

# %%
# Momentum carries the step through flat stretches; the adaptive methods
# need no tuning of a global rate to make progress in the first epochs.
plt.show()
