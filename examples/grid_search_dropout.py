"""
Model selection: hidden units x dropout with GridSearchCV
=========================================================

The course: "cross validation should be used to determine an appropriate
number of hidden units"; too many units overfit "unless you regularize
heavily (e.g. dropout, weight decay)".  Here GridSearchCV picks the hidden
layer size and the dropout rate together, with early stopping on a
validation split inside every fit.  skdeep's ``GridSearchCV`` is
scikit-learn's, with one step more: the 18 (candidate, fold) fits train
together in stacked cohorts -- each with its own dropout masks, validation
split and early stopping -- and scikit-learn's search then finds them
trained, so every score is the one a plain fit gives.
"""

# %%
import time

import pandas as pd
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skdeep import MLPClassifier
from skdeep.model_selection import GridSearchCV

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

pipe = make_pipeline(
    MinMaxScaler(),
    MLPClassifier(early_stopping=True, validation_fraction=0.2, n_iter_no_change=20,
                  learning_rate_init=0.01, max_iter=300, random_state=0),
)
grid = {
    "mlpclassifier__hidden_layer_sizes": [(64,), (256,)],
    "mlpclassifier__dropout": [0.0, 0.2, 0.5],
}
start = time.perf_counter()
search = GridSearchCV(pipe, grid, cv=3).fit(X_train, y_train)
print(f"grid search: {time.perf_counter() - start:.1f} s for {len(search.cv_results_['params'])} "
      f"configurations x 3 folds ({search.n_grouped_fits_} fits trained together)")

# %%
table = pd.DataFrame(search.cv_results_)[
    ["param_mlpclassifier__hidden_layer_sizes", "param_mlpclassifier__dropout",
     "mean_test_score", "std_test_score"]
]
print(table.to_string(index=False))
print("best:", search.best_params_, f"test accuracy {search.score(X_test, y_test):.4f}")
