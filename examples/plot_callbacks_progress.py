"""
Keras callbacks and a progress bar over a whole search
======================================================

Two kinds of callbacks reach skdeep's training loop:

* Keras callbacks in ``callbacks=[...]`` -- here ``ReduceLROnPlateau`` halves
  the learning rate when the validation loss stalls and ``CSVLogger`` writes
  one row per epoch. They get the logs Keras users know (``loss``,
  ``val_loss``, ``val_accuracy``, ``learning_rate``).
* scikit-learn 1.9's callbacks through ``set_callbacks`` (experimental
  upstream): ``ScoringMonitor`` scores every epoch, and ``ProgressBar`` (it
  needs ``rich``) shows one live display for a whole ``GridSearchCV``, down to
  the epochs of each fold.
"""

# %%
import os
import tempfile

import keras
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier

X, y = load_breast_cancer(return_X_y=True)
log_file = os.path.join(tempfile.mkdtemp(), "training.csv")
net = MLPClassifier(
    hidden_layer_sizes=(64,), early_stopping=True, n_iter_no_change=30, max_iter=80,
    learning_rate_init=0.01, random_state=0,
    callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3),
               keras.callbacks.CSVLogger(log_file)],
)
make_pipeline(StandardScaler(), net).fit(X, y)
log = pd.read_csv(log_file)
print(log[["epoch", "loss", "val_loss", "val_accuracy", "learning_rate"]].tail())

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(log["epoch"] + 1, log["val_loss"], label="validation loss")
ax.set_xlabel("epoch")
ax.set_ylabel("validation loss")
rate = ax.twinx()
rate.step(log["epoch"] + 1, log["learning_rate"], color="tab:red", where="post",
          label="learning rate")
rate.set_ylabel("learning rate (ReduceLROnPlateau)")
fig.legend(loc="upper right")
fig.tight_layout()

# %%
# scikit-learn's callbacks: a score per epoch, and progress over a search.
try:
    from sklearn.callback import ProgressBar, ScoringMonitor
except ImportError:  # scikit-learn < 1.9
    ProgressBar = ScoringMonitor = None

if ScoringMonitor is not None:
    monitor = ScoringMonitor(scoring="accuracy")
    MLPClassifier(max_iter=5, random_state=0).set_callbacks(monitor).fit(X / X.max(0), y)
    scores = monitor.get_logs().data_as_pandas
    print(scores.loc[scores.task_name == "epoch", ["task_id", "accuracy"]])

    search = GridSearchCV(make_pipeline(StandardScaler(), MLPClassifier(max_iter=20)),
                          {"mlpclassifier__hidden_layer_sizes": [(16,), (64,)]}, cv=3)
    try:
        search.set_callbacks(ProgressBar(max_propagation_depth=None))
    except ImportError:  # rich is not installed
        pass
    search.fit(X, y)
    print("best:", search.best_params_)
plt.show()
