"""
Choosing the number of hidden units by cross-validation
=======================================================

The course's model selection: too few hidden units underfit, too many
overfit, and cross-validation finds the size in between.  skdeep's
estimators are scikit-learn estimators, so ``GridSearchCV`` does it --
inside a Pipeline, with early stopping in every fit -- and
:class:`~skdeep.plotting.SearchResultsDisplay` draws the validation curve.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier
from skdeep.plotting import SearchResultsDisplay

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

model = make_pipeline(StandardScaler(), MLPClassifier(early_stopping=True, max_iter=200,
                                                      learning_rate_init=0.003,
                                                      random_state=0))
grid = {"mlpclassifier__hidden_layer_sizes": [(1,), (2,), (4,), (16,), (64,), (256,)],
        "mlpclassifier__alpha": [1e-4, 1.0]}
search = GridSearchCV(model, grid, cv=5).fit(X_train, y_train)

best = search.best_params_
print("best:", {k.split("__")[1]: v for k, v in best.items()},
      f"CV accuracy {search.best_score_:.3f}, test accuracy {search.score(X_test, y_test):.3f}")

display = SearchResultsDisplay.from_search(search, param="mlpclassifier__hidden_layer_sizes")
display.ax_.set_title("5-fold CV accuracy against hidden units")

# %%
# Every (size, alpha) pair is 5 fits plus the refit; skdeep compiles one
# network per architecture and reuses it for every fold and penalty
# strength, so the grid costs little more than scikit-learn's own MLP.
plt.show()
