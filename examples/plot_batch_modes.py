"""
On-line, batch and minibatch learning
=====================================

The course's three ways to feed the data: on-line (one sample per update,
``batch_size=1``), batch (the whole training set per update,
``batch_size='full'``) and minibatch (``batch_size=32``, or scikit-learn's
``'auto'`` = 200).  Per epoch, on-line learning makes the most updates; per
second, minibatches win because each update is one matrix product.  skdeep
runs every epoch as one compiled call, so even on-line learning is fast.
"""

# %%
import time

import matplotlib.pyplot as plt
from sklearn.datasets import make_classification

from skdeep import MLPClassifier

X, y = make_classification(n_samples=1000, n_features=20, random_state=0)

fig, (by_epoch, by_time) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for name, batch_size, rate in (("on-line (1)", 1, 0.0005), ("minibatch (32)", 32, 0.003),
                               ("minibatch (auto = 200)", "auto", 0.01),
                               ("batch (full)", "full", 0.03)):
    net = MLPClassifier(hidden_layer_sizes=(32,), batch_size=batch_size, max_iter=40, tol=0.0,
                        learning_rate_init=rate, random_state=0)
    net.fit(X[:50], y[:50])  # compile once, so the timing below is training only
    start = time.perf_counter()
    net.fit(X, y)
    seconds = time.perf_counter() - start
    epochs = range(1, net.n_iter_ + 1)
    by_epoch.plot(epochs, net.loss_curve_, label=name)
    by_time.plot([seconds * e / net.n_iter_ for e in epochs], net.loss_curve_, label=name)
    rows = {"auto": 200, "full": len(X)}.get(batch_size, batch_size)
    print(f"{name:23s} {-(-len(X) // rows):4d} updates per epoch, {seconds:.2f} s for "
          f"{net.n_iter_} epochs, final loss {net.loss_curve_[-1]:.4f}")
by_epoch.set_xlabel("epoch")
by_time.set_xlabel("seconds")
by_epoch.set_ylabel("training log-loss")
by_epoch.legend()
fig.tight_layout()
plt.show()
