"""
Early stopping with patience
============================

The course's rule: hold out a validation set, watch its error after every
epoch, stop when it has not improved for ``patience`` epochs and keep the
weights of the best epoch.  In skdeep (as in scikit-learn) that is
``early_stopping=True`` with ``validation_fraction`` and
``n_iter_no_change`` (the patience); the curves are in ``loss_curve_``,
``validation_loss_curve_`` and ``validation_scores_``, and
:class:`~skdeep.plotting.LossCurveDisplay` draws them with the kept epoch.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from skdeep import MLPClassifier
from skdeep.plotting import LossCurveDisplay

# a small, noisy problem that a big network soon learns by heart
X, y = make_classification(n_samples=400, n_features=20, n_informative=5, flip_y=0.15,
                           random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, patience in zip(axes, (5, 50)):
    net = MLPClassifier(hidden_layer_sizes=(128, 128), early_stopping=True,
                        validation_fraction=0.2, n_iter_no_change=patience, max_iter=300,
                        learning_rate_init=0.003, random_state=0).fit(X_train, y_train)
    LossCurveDisplay.from_estimator(net, ax=ax)
    ax.set_title(f"patience {patience}: {net.n_iter_} epochs, "
                 f"test accuracy {net.score(X_test, y_test):.3f}")
    print(f"patience {patience:2d}: stopped after {net.n_iter_} epochs, best validation "
          f"accuracy {net.best_validation_score_:.3f}, test accuracy "
          f"{net.score(X_test, y_test):.3f}")
fig.tight_layout()

# %%
# The validation loss turns up while the training loss keeps falling: the
# network starts to overfit. With more patience training runs on, but the
# kept weights are still those of the best validation epoch (dotted line).
#
# The same rule is available as a Keras callback, for a different monitor or
# ``min_delta``; skdeep calls it once per epoch (``callbacks_`` holds the copy
# that ran):
import keras  # noqa: E402

stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
net = MLPClassifier(hidden_layer_sizes=(128, 128), early_stopping=True, n_iter_no_change=np.inf,
                    max_iter=300, learning_rate_init=0.003, random_state=0,
                    callbacks=[stop]).fit(X_train, y_train)
print(f"Keras EarlyStopping on val_loss: stopped at epoch {net.callbacks_[0].stopped_epoch + 1}, "
      f"kept epoch {net.callbacks_[0].best_epoch + 1}, test accuracy "
      f"{net.score(X_test, y_test):.3f}")
plt.show()
