"""
Dropout at prediction time: predictions with confidence intervals
=================================================================

The course: dropout "used at prediction time gives predictions with
confidence intervals".  A network trained with ``dropout`` keeps sampling its
dropout masks in ``predict(X, return_std=True)`` and ``predict_interval``
(Monte-Carlo dropout; ``mc_samples`` passes in one compiled call).  The
spread is small where the training data are and grows away from them.
"""

# %%
import numpy as np

from skdeep import MLPRegressor

rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, (300, 1))  # training inputs only cover [-1, 1]
y = np.sin(3 * X[:, 0]) + 0.1 * rng.randn(300)

reg = MLPRegressor(
    hidden_layer_sizes=(64, 64), dropout=0.1, mc_samples=200,
    learning_rate_init=0.01, max_iter=300, random_state=0,
).fit(X, y)
print(f"R^2 on the training data: {reg.score(X, y):.3f}")

# %%
grid = np.linspace(-3, 3, 13)[:, None]
mean, std = reg.predict(grid, return_std=True)
interval = reg.predict_interval(grid, confidence=0.9)
print("     x    mean    std   90% interval")
for x, m, s, (lo, hi) in zip(grid[:, 0], mean, std, interval):
    inside = "  (training range)" if abs(x) <= 1 else ""
    print(f"{x:6.1f} {m:7.3f} {s:6.3f}   [{lo:6.2f}, {hi:6.2f}]{inside}")

# %%
# :class:`~skdeep.plotting.PredictionIntervalDisplay` draws the band: narrow
# over the training inputs, wide outside them.
import matplotlib.pyplot as plt  # noqa: E402

from skdeep.plotting import PredictionIntervalDisplay  # noqa: E402

wide = np.linspace(-3, 3, 200)[:, None]
display = PredictionIntervalDisplay.from_estimator(reg, wide, confidence=0.9)
display.ax_.scatter(X[:, 0], y, s=6, color="black", label="training data")
display.ax_.axvspan(-1, 1, color="grey", alpha=0.1)
display.ax_.set_title("Monte-Carlo dropout: 90% intervals")
display.ax_.legend()
plt.show()
