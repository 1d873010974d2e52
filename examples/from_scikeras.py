"""
Your own Keras model, from scikeras to skdeep
=============================================

A scikeras user writes a function that builds a Keras model and wraps it in
``scikeras.wrappers.KerasClassifier``. The same function works with
``skdeep.wrappers.KerasClassifier`` (the import is the only change): skdeep
calls it with the arguments it names (here scikeras' ``meta`` and
``compile_kwargs`` dicts plus one routed parameter) and trains it with its own
compiled loop -- so a grid search costs seconds, not minutes.
"""

# %%
import time

import keras
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep.wrappers import KerasClassifier


def build_model(meta, compile_kwargs, hidden=32):
    """A scikeras-style model function: sizes come from ``meta``."""
    model = keras.Sequential([
        keras.Input((meta["n_features_in_"],)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    # scikeras' pattern: compile with the wrapper's optimizer (a fresh Adam at the
    # searched learning rate) and loss; skdeep's loop trains with the same settings
    model.compile(**compile_kwargs)
    return model


X, y = load_breast_cancer(return_X_y=True)
X = X.astype("float32")  # Keras' usual precision (float64 data train in float64)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
pipe = make_pipeline(StandardScaler(),
                     KerasClassifier(build_model, max_iter=60, early_stopping=True,
                                     random_state=0))
grid = {"kerasclassifier__model__hidden": [8, 32, 128],  # scikeras' spelling works
        "kerasclassifier__learning_rate_init": [1e-3, 1e-2]}
start = time.perf_counter()
search = GridSearchCV(pipe, grid, cv=5).fit(X_train, y_train)
print(f"6 configurations x 5 folds in {time.perf_counter() - start:.1f} s")
print("best:", search.best_params_, f"CV accuracy {search.best_score_:.3f}")
print(f"test accuracy {search.score(X_test, y_test):.3f}")
best = search.best_estimator_[-1]
print("stopped after", best.n_iter_, "epochs; the model skdeep trained:")
best.model_.summary(print_fn=lambda line, **kwargs: print(line))
