"""
Export a fitted network for serving, input side included
========================================================

A model trained on a pandas frame -- text categories, gaps, a zero-heavy
amount -- is exported twice with :func:`skdeep.export`: as a TensorFlow
SavedModel (TF Serving) and as one ONNX file (onnxruntime). Each artifact
takes the raw columns by name and computes the category codes, the filled
gaps, the quantile copies and the scaling itself, so a serving system sends
the rows as they are and gets the labels and probabilities ``predict`` and
``predict_proba`` give (``pip install 'skdeep[export]'`` for ONNX).
"""

# %%
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd

import skdeep

rng = np.random.default_rng(0)
n = 1000
table = pd.DataFrame({
    "plan": rng.choice(["basic", "plus", "pro"], n),
    "region": rng.choice(["north", "south", "east", None], n),
    "spend": np.where(rng.random(n) < 0.4, 0.0, rng.exponential(80, n)),
    "tenure": np.where(rng.random(n) < 0.05, np.nan, rng.integers(1, 72, n)),
})
churned = (table["plan"] == "basic") & (table["spend"] < 40) | (table["tenure"] < 6)
est = skdeep.TabularMLPClassifier(random_state=0, max_iter=30).fit(table, churned)

# %%
# The artifacts and the inputs they take
# --------------------------------------
folder = Path(tempfile.mkdtemp())
info = skdeep.export(est, folder / "churn_savedmodel")
skdeep.export(est, folder / "churn.onnx", format="onnx")
for item in info["inputs"]:
    print(f"input {item['input']:8s} {item['kind']:6s} {item.get('levels', '')}")

# %%
# Raw rows in, predictions out
# ----------------------------
# New customers, one with a region never seen in training and one with gaps.
new = table.sample(200, random_state=1).reset_index(drop=True)
new.loc[0, "region"] = "west"
new.loc[1, ["region", "tenure"]] = [None, np.nan]
feed = {
    "plan": new["plan"].to_numpy(dtype=object),
    "region": new["region"].fillna("").to_numpy(dtype=object),  # '' for missing text
    "spend": new["spend"].to_numpy(),
    "tenure": new["tenure"].to_numpy(dtype=float),
}
expected = est.predict_proba(new)

session = ort.InferenceSession(str(folder / "churn.onnx"))
labels, proba = session.run(["label", "probabilities"], feed)
print(f"onnxruntime: largest difference from predict_proba {np.abs(proba - expected).max():.1e}, "
      f"labels equal: {bool((labels == est.predict(new)).all())}")

import tensorflow as tf  # noqa: E402 -- after skdeep started it (quietly)

serve = tf.saved_model.load(str(folder / "churn_savedmodel")).signatures["serving_default"]
out = serve(**{k: tf.constant(v) for k, v in feed.items()})
print(f"SavedModel:  largest difference from predict_proba "
      f"{np.abs(out['probabilities'].numpy() - expected).max():.1e}")

# %%
# One row at a time, as a web service asks
# ----------------------------------------
one = {k: v[:1] for k, v in feed.items()}
start = time.perf_counter()
for _ in range(200):
    session.run(["probabilities"], one)
onnx_ms = (time.perf_counter() - start) / 200 * 1000
start = time.perf_counter()
for _ in range(20):
    est.predict_proba(new.iloc[:1])
python_ms = (time.perf_counter() - start) / 20 * 1000
print(f"one row: onnxruntime {onnx_ms:.2f} ms, est.predict_proba {python_ms:.1f} ms")
