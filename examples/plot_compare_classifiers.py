"""
A neural network against the usual classifiers
==============================================

The data miner's first question: would a neural network beat my usual
models on this table?  The same cross-validation for skdeep's MLP and for
scikit-learn's LogisticRegression, RandomForest, HistGradientBoosting and
MLPClassifier, with fit and predict times -- what ``skdeep compare`` prints
(``skdeep compare wine``).  :class:`~skdeep.plotting.ScoreComparisonDisplay`
draws the scores with their spread over the folds.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_wine
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier as SklearnMLP
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier
from skdeep.plotting import ScoreComparisonDisplay

X, y = load_wine(return_X_y=True)
folds = StratifiedKFold(5, shuffle=True, random_state=0)
models = {
    "skdeep.MLPClassifier": make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=(64,), learning_rate_init=0.003, max_iter=300, random_state=0)),
    "LogisticRegression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    "RandomForest": RandomForestClassifier(n_estimators=200, random_state=0),
    "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
    "sklearn.MLPClassifier": make_pipeline(StandardScaler(), SklearnMLP(
        hidden_layer_sizes=(64,), learning_rate_init=0.003, max_iter=300, random_state=0)),
}
rows = []
for name, model in models.items():
    result = cross_validate(model, X, y, cv=folds)
    scores = result["test_score"]
    rows.append({"model": name, "mean": scores.mean(), "std": scores.std()})
    print(f"{name:22s} accuracy {scores.mean():.3f} ± {scores.std():.3f}   "
          f"fit {result['fit_time'].mean():.2f} s   predict {result['score_time'].mean():.3f} s")
# skdeep's MLP is a drop-in for scikit-learn's: seeded alike, it draws the same
# initial weights and minibatches and reaches the same scores.
rows.sort(key=lambda r: r["mean"], reverse=True)
display = ScoreComparisonDisplay.from_results(rows, scoring="accuracy")
display.ax_.set_title("Wine, 5-fold CV")
plt.show()
