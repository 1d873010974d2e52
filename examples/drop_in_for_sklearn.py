"""
Swap scikit-learn's MLPClassifier for skdeep's
==============================================

A script written for :class:`sklearn.neural_network.MLPClassifier` runs
unchanged with ``from skdeep import MLPClassifier``: a Pipeline, a
GridSearchCV over hidden-layer sizes and ``alpha``, early stopping on a
validation split, then the fitted attributes a data miner reads.
"""

# %%
# The data and the search, exactly as for scikit-learn.
import warnings

from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier  # was: from sklearn.neural_network import MLPClassifier

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(early_stopping=True, learning_rate_init=0.01, max_iter=300, random_state=0),
)
grid = GridSearchCV(
    pipe,
    {"mlpclassifier__hidden_layer_sizes": [(16,), (64,), (64, 32)],
     "mlpclassifier__alpha": [1e-4, 1e-2]},
    cv=5,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    grid.fit(X_train, y_train)
print("best parameters:", grid.best_params_)
print(f"CV accuracy {grid.best_score_:.3f}, test accuracy {grid.score(X_test, y_test):.3f}")

# %%
# The fitted network exposes scikit-learn's attributes ...
mlp = grid.best_estimator_[-1]
print("weight shapes:", [c.shape for c in mlp.coefs_])
print("epochs run:", mlp.n_iter_, "- best validation accuracy:", mlp.best_validation_score_)
print("training loss, first/last epoch:", mlp.loss_curve_[0], mlp.loss_curve_[-1])
print("validation accuracy per epoch:", [round(s, 3) for s in mlp.validation_scores_])
print("P(benign) of the first test rows:", grid.predict_proba(X_test[:3])[:, 1])

# %%
# ... plus what scikit-learn lacks: the validation loss per epoch, and the
# Keras model itself.
print("validation loss per epoch:", [round(v, 3) for v in mlp.validation_loss_curve_])
mlp.model_.summary()
