"""
L2, L1 and dropout against overfitting
======================================

The course's remedies for a network that learns its training set by heart:
penalise large weights (L2, ``alpha``; L1, ``l1``) or drop hidden units at
random while training (``dropout``).  With 60 noisy training points a
(128, 128) network trained for 1,000 epochs draws a wiggly boundary around
every point -- 100 % training accuracy, less on new data; each remedy
smooths the boundary and scores better on the test points.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

from skdeep import MLPClassifier

X, y = make_moons(n_samples=600, noise=0.35, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=60, random_state=0)
common = dict(hidden_layer_sizes=(128, 128), max_iter=1000, tol=0.0, n_iter_no_change=1000,
              learning_rate_init=0.01, random_state=0)
settings = {
    "no penalty": {"alpha": 0.0},
    "L2: alpha=1": {"alpha": 1.0},
    "L1: l1=0.1": {"alpha": 0.0, "l1": 0.1},
    "dropout 0.5": {"alpha": 0.0, "dropout": 0.5},
}

grid = np.stack(np.meshgrid(np.linspace(-2, 3, 150), np.linspace(-1.7, 2.2, 120)), -1)
fig, axes = plt.subplots(1, 4, figsize=(14, 3.6), sharey=True)
for ax, (name, params) in zip(axes, settings.items()):
    net = MLPClassifier(**common, **params).fit(X_train, y_train)
    proba = net.predict_proba(grid.reshape(-1, 2))[:, 1].reshape(grid.shape[:2])
    ax.contourf(grid[..., 0], grid[..., 1], proba, levels=20, cmap="RdBu", alpha=0.6)
    ax.scatter(*X_train.T, c=y_train, cmap="RdBu", edgecolors="black", s=25)
    weights = np.concatenate([w.ravel() for w in net.coefs_])
    train, test = net.score(X_train, y_train), net.score(X_test, y_test)
    ax.set_title(f"{name}\ntrain {train:.2f}, test {test:.2f}")
    print(f"{name:12s} train {train:.3f}  test {test:.3f}  mean |w| "
          f"{np.abs(weights).mean():.4f}  weights below 1e-3: "
          f"{np.mean(np.abs(weights) < 1e-3):.0%}")
fig.tight_layout()

# %%
# Both penalties shrink the weights (their mean size falls from 0.2 to below
# 0.01, most of them to almost zero) and smooth the boundary; dropout leaves
# the weights large but trains an average of thinned networks. Dropout's
# rates are weights of the compiled network, so a ``GridSearchCV`` over
# ``dropout`` and ``alpha`` compiles it only once.
plt.show()
