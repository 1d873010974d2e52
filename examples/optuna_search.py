"""
Optuna against grid search, on the same budget
==============================================

Grid search tries every combination of a few values; Optuna samples the
ranges and, with a pruner, stops unpromising fits after a few epochs.  Both
work on skdeep's estimators unchanged:

* ``optuna_integration.OptunaSearchCV`` is a scikit-learn search: it
  cross-validates each sampled candidate as ``GridSearchCV`` does;
* Optuna's ``KerasPruningCallback`` goes into an estimator's ``callbacks``:
  skdeep's training loop reports each epoch's validation score
  (``val_score``, with ``early_stopping=True``) to the trial, and a pruned
  trial's fit stops at once.

Twelve candidates each, three folds, on the digits (``pip install optuna
optuna-integration``).
"""

# %%
import time
import warnings

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution
from optuna_integration import KerasPruningCallback, OptunaSearchCV
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import cross_val_score, train_test_split

from skdeep import MLPClassifier
from skdeep.model_selection import GridSearchCV

warnings.simplefilter("ignore", ConvergenceWarning)
warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
warnings.simplefilter("ignore", FutureWarning)  # an Optuna module's deprecation notice
optuna.logging.set_verbosity(optuna.logging.WARNING)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
net = MLPClassifier(max_iter=60, random_state=0)

# %%
# Grid search: 2 sizes x 3 dropout rates x 2 learning rates = 12 candidates.
start = time.perf_counter()
grid = GridSearchCV(net, {"hidden_layer_sizes": [(32,), (128,)], "dropout": [0.0, 0.2, 0.4],
                          "learning_rate_init": [0.001, 0.01]}, cv=3).fit(X_train, y_train)
print(f"grid search    12 candidates: CV {grid.best_score_:.4f}, test "
      f"{grid.score(X_test, y_test):.4f}, {time.perf_counter() - start:.1f} s "
      f"({grid.n_grouped_fits_} fits trained together)")

# %%
# Optuna: 12 candidates sampled from ranges (TPE), cross-validated the same way.
start = time.perf_counter()
tpe = OptunaSearchCV(
    net, {"hidden_layer_sizes": CategoricalDistribution([32, 64, 128]),  # an int: one layer
          "dropout": FloatDistribution(0.0, 0.5),
          "learning_rate_init": FloatDistribution(3e-4, 3e-2, log=True)},
    cv=3, n_trials=12, random_state=0).fit(X_train, y_train)
print(f"OptunaSearchCV 12 candidates: CV {tpe.best_score_:.4f}, test "
      f"{tpe.score(X_test, y_test):.4f}, {time.perf_counter() - start:.1f} s")


# %%
# Optuna with pruning: each trial trains with early stopping on a validation
# split and reports every epoch's score; the median pruner stops a trial
# whose score falls below the median of earlier trials at the same epoch.
def objective(trial):
    est = MLPClassifier(
        hidden_layer_sizes=(trial.suggest_categorical("units", [32, 64, 128]),),
        dropout=trial.suggest_float("dropout", 0.0, 0.5),
        learning_rate_init=trial.suggest_float("learning_rate_init", 3e-4, 3e-2, log=True),
        early_stopping=True, n_iter_no_change=10, max_iter=60, random_state=0,
        callbacks=[KerasPruningCallback(trial, "val_score")])
    est.fit(X_train, y_train)
    return est.best_validation_score_


start = time.perf_counter()
study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0),
                            pruner=optuna.pruners.MedianPruner(n_startup_trials=3,
                                                               n_warmup_steps=5))
study.optimize(objective, n_trials=12)
pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
epochs = sum(len(t.intermediate_values) for t in study.trials)
best = MLPClassifier(hidden_layer_sizes=(study.best_params["units"],),
                     dropout=study.best_params["dropout"],
                     learning_rate_init=study.best_params["learning_rate_init"],
                     max_iter=60, random_state=0)
cv = cross_val_score(best, X_train, y_train, cv=3).mean()
print(f"Optuna pruning 12 candidates: CV {cv:.4f}, test "
      f"{best.fit(X_train, y_train).score(X_test, y_test):.4f}, "
      f"{time.perf_counter() - start:.1f} s ({len(pruned)} pruned; {epochs} epochs in all "
      f"against up to {12 * 60})")
