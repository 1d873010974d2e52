"""
Training on a Parquet file bigger than memory
=============================================

When the data do not fit in memory, train with ``partial_fit`` one chunk at a
time -- here the row groups of a Parquet file read through pyarrow -- and let
the epochs run over all chunks.  Three things keep a chunked fit equal in
quality to an in-memory one:

* the scaling statistics come from a first pass over *all* chunks
  (``StandardScaler.partial_fit``), not from the first chunk;
* a categorical column gets one fixed ``CategoricalDtype`` (its categories
  from the whole file), so every chunk is encoded with the same columns;
* chunks are visited in a new order every epoch, rows shuffled within each,
  and one held-out row group scores every epoch (early stopping by hand).

The example writes the file itself, one row group at a time, so nothing ever
holds the whole table; ``SKDEEP_EXAMPLE_ROWS`` sets its size (default
2,000,000 rows, ~340 MB as float64 in memory) and the script prints how much
the process's memory grew while training next to what the table would take
(give it 20,000,000 rows for a table larger than most laptops' memory: the
growth stays that of one row group).  Needs ``pip install pyarrow``.
"""

# %%
import os
import pickle
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sklearn.preprocessing import StandardScaler

from skdeep import MLPClassifier

ROWS = int(os.environ.get("SKDEEP_EXAMPLE_ROWS", 2_000_000))
GROUP = max(1000, ROWS // 40)  # rows per row group (and per partial_fit call)
N_NUMERIC = 20
PLANS = ["basic", "plus", "pro", "family", "student", "business"]
rng = np.random.RandomState(0)
WEIGHTS = rng.randn(N_NUMERIC)
PLAN_EFFECT = dict(zip(PLANS, rng.randn(len(PLANS))))


def make_group(seed, n):
    """One row group: 20 numeric columns on different scales, a plan, a label."""
    r = np.random.RandomState(seed)
    X = r.randn(n, N_NUMERIC)
    plan = r.choice(PLANS, n)
    logit = X @ WEIGHTS + np.vectorize(PLAN_EFFECT.get)(plan) + 0.5 * X[:, 0] * X[:, 1]
    label = (logit + r.logistic(size=n) > 0).astype(np.int8)
    frame = pd.DataFrame(X * np.arange(1, N_NUMERIC + 1) * 10,
                         columns=[f"x{i}" for i in range(N_NUMERIC)])
    frame["plan"] = plan
    frame["label"] = label
    return frame


path = os.path.join(tempfile.mkdtemp(), "table.parquet")
writer = None
for g in range(-(-ROWS // GROUP)):
    table = pa.Table.from_pandas(make_group(g, min(GROUP, ROWS - g * GROUP)), preserve_index=False)
    writer = writer or pq.ParquetWriter(path, table.schema)
    writer.write_table(table)
writer.close()
parquet = pq.ParquetFile(path)
n_groups = parquet.num_row_groups
print(f"{parquet.metadata.num_rows} rows in {n_groups} row groups, "
      f"{os.path.getsize(path) / 1e6:.0f} MB of Parquet")

# %%
# Pass 1: scaling statistics and the categories, over every chunk but the
# held-out one (the last row group).
numeric = [f"x{i}" for i in range(N_NUMERIC)]
scaler, categories = StandardScaler(), set()
for g in range(n_groups - 1):
    chunk = parquet.read_row_group(g, columns=numeric + ["plan"]).to_pandas()
    scaler.partial_fit(chunk[numeric])
    categories |= set(chunk["plan"].unique())
plan_dtype = pd.CategoricalDtype(sorted(categories))


def prepared(g):
    """Row group ``g`` as the network's frame (scaled numbers, fixed categories)."""
    chunk = parquet.read_row_group(g).to_pandas()
    frame = pd.DataFrame(scaler.transform(chunk[numeric]).astype(np.float32), columns=numeric)
    frame["plan"] = chunk["plan"].astype(plan_dtype)
    return frame, chunk["label"].to_numpy()


# %%
# Pass 2: epochs over the chunks with ``partial_fit``; the held-out row group
# scores each epoch and the best epoch's network is kept.
def resident_mb():
    """This process's resident memory now (Linux), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


X_val, y_val = prepared(n_groups - 1)
with warnings.catch_warnings():  # Keras started before measuring
    warnings.simplefilter("ignore")
    MLPClassifier(max_iter=1).fit(X_val[:50], y_val[:50])
baseline = peak = resident_mb()
net = MLPClassifier(hidden_layer_sizes=(64, 32), learning_rate_init=1e-3, random_state=0)
best, best_score, patience = None, -np.inf, 0
start = time.perf_counter()
for epoch in range(8):
    for g in rng.permutation(n_groups - 1):
        X, y = prepared(g)
        order = rng.permutation(len(y))
        net.partial_fit(X.iloc[order], y[order], classes=[0, 1])
        peak = max(peak, resident_mb())
    score = net.score(X_val, y_val)
    print(f"epoch {epoch + 1}: held-out accuracy {score:.4f}")
    peak = max(peak, resident_mb())
    if score > best_score + 1e-4:
        best, best_score, patience = pickle.dumps(net), score, 0
    else:
        patience += 1
        if patience == 2:
            break
net = pickle.loads(best)
elapsed = time.perf_counter() - start
table_mb = ROWS * (N_NUMERIC * 8 + 8 + 1) / 1e6
print(f"best held-out accuracy {best_score:.4f} after {elapsed:.0f} s; memory grew by "
      f"{peak - baseline:.0f} MB while training on a table of {table_mb:.0f} MB")

# %%
# On a table that does fit, the same network trained in memory for
# comparison: the chunked fit reaches its held-out accuracy.
if ROWS <= 200_000:
    frames = [prepared(g) for g in range(n_groups - 1)]
    X_all = pd.concat([f for f, _ in frames], ignore_index=True)
    y_all = np.concatenate([y for _, y in frames])
    in_memory = MLPClassifier(hidden_layer_sizes=(64, 32), early_stopping=True,
                              random_state=0).fit(X_all, y_all)
    print(f"in-memory fit: held-out accuracy {in_memory.score(X_val, y_val):.4f}")
