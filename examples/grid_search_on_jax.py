"""
A grid search on Keras' JAX backend
===================================

Keras picks its backend once, when it is first imported, so set
``KERAS_BACKEND`` before importing skdeep (or export it in the shell:
``KERAS_BACKEND=jax python grid_search_on_jax.py``).  Needs ``pip install jax``.

Prints the best configuration and the search time of skdeep on JAX next to
scikit-learn's MLP on the same grid and folds.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import time  # noqa: E402

from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier as SklearnMLP  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdeep import MLPClassifier  # noqa: E402

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
grid = {
    "mlpclassifier__hidden_layer_sizes": [(16,), (64,), (64, 32)],
    "mlpclassifier__alpha": [1e-4, 1e-2],
}

MLPClassifier(max_iter=1).fit(X_train[:20], y_train[:20])  # start the backend once
for name, Estimator in [("skdeep", MLPClassifier), ("scikit-learn", SklearnMLP)]:
    pipe = make_pipeline(StandardScaler(), Estimator(max_iter=200, early_stopping=True,
                                                     random_state=0))
    search = GridSearchCV(pipe, grid, cv=5)
    start = time.perf_counter()
    search.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    print(f"{name:12s} search {elapsed:5.2f} s  best {search.best_params_}  "
          f"CV {search.best_score_:.4f}  test {search.score(X_test, y_test):.4f}")

from skdeep._backend import backend  # noqa: E402

print("Keras backend:", backend())
