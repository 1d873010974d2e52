"""
Categorical attributes straight from pandas
===========================================

The course ("Design issues in ANN"): a categorical attribute with k values
needs k input nodes (one-hot) or log2 k nodes (binary code).  skdeep's
tabular estimators take a DataFrame with numeric, ``category``, string and
bool columns as it is -- no ColumnTransformer -- and encode it inside the
estimator, so the encoding is learned on each training fold only.  Values
never seen in training (or missing) are encoded as "unknown" instead of
raising.

The data are synthetic (a customer-churn-like table): the libraries' bundled
data sets have no categorical columns.
"""

# %%
import numpy as np
import pandas as pd
from sklearn.model_selection import cross_val_score

from skdeep import MLPClassifier

rng = np.random.RandomState(0)
n = 1500
plans = ["basic", "plus", "pro", "family", "student", "business", "trial", "legacy"]
frame = pd.DataFrame({
    "monthly_fee": rng.gamma(4, 10, n),
    "tenure_months": rng.randint(1, 72, n),
    "plan": pd.Categorical(rng.choice(plans, n)),
    "region": rng.choice(["north", "south", "east", "west"], n).astype(object),
    "autopay": rng.rand(n) > 0.4,
})
risk = (
    frame["plan"].map({"trial": 1.5, "legacy": 1.0, "basic": 0.5}).astype(float).fillna(0)
    + 0.03 * (frame["monthly_fee"] - 40) - 0.04 * frame["tenure_months"]
    - 1.0 * frame["autopay"] + (frame["region"] == "south") * 0.8
)
churn = np.where(rng.rand(n) < 1 / (1 + np.exp(-2 * risk)), "churn", "stay")

# %%
for encoding in ("onehot", "binary", "embedding"):
    clf = MLPClassifier(hidden_layer_sizes=(32,), categorical_encoding=encoding,
                        early_stopping=True, learning_rate_init=0.01, random_state=0)
    scores = cross_val_score(clf, frame, churn, cv=5)
    inputs = clf.fit(frame, churn)._frame_encoder.get_feature_names_out()
    print(f"{encoding:9s} accuracy {scores.mean():.3f} +- {scores.std():.3f}  "
          f"({len(inputs)} network inputs)")

# %%
new_customers = pd.DataFrame({
    "monthly_fee": [35.0, 80.0], "tenure_months": [3, 40],
    "plan": ["enterprise", None],  # never seen / missing: encoded as unknown
    "region": ["west", "north"], "autopay": [False, True],
})
print(clf.classes_, clf.predict_proba(new_customers).round(3))
