"""Sequence networks on the UCR/UEA archive sets that ship inside aeon's wheel.

The sets' own train/test splits; test accuracy of skdeep's RNN and CNN
classifiers (their defaults, or the parameters given with ``--rnn`` /
``--cnn``) next to 1-nearest-neighbour DTW and MiniRocket computed in the
same run (aeon's ``KNeighborsTimeSeriesClassifier``, full window, and
``MiniRocketClassifier``; ``--models rnn,cnn,minirocket,dtw``; MiniRocket's
first fit includes numba's compilation) and the published results
quoted in ``PUBLISHED`` (FCN / ResNet, Fawaz et al. 2019) and
``PUBLISHED_REDUX`` (MiniRocket / InceptionTime, Middlehurst et al. 2024).

aeon's pins would downgrade pandas and numba in skdeep's environment, and
only its data loaders, DTW and MiniRocket are used, so install it without
them (numba comes with skdeep's environment)::

    pip install --no-deps "aeon==1.6.0" Deprecated

Run: ``python benchmarks/bench_sequences.py [--sets ...] [--rnn JSON] [--cnn JSON]``;
the regression sets (``--regression``, RMSE, the regressors with the same
parameters) follow the classification table.

The sequence defaults were chosen on the sets in ``TUNED``; the others are
the untouched check. scikit-learn's MLP budget, the defaults before::

    --rnn '{"cell": "lstm", "batch_size": 200, "max_iter": 200, "n_iter_no_change": 10}'
    --cnn '{"batch_size": 200, "max_iter": 200, "n_iter_no_change": 10}'
"""

import argparse
import json
import sys
import time
import warnings

import numpy as np

from _common import table, versions

#: name -> (univariate?, equal length?)
SETS = {
    "BasicMotions": "multivariate, 6 channels, length 100, 4 classes",
    "JapaneseVowels": "multivariate, 12 channels, unequal length 7-29, 9 classes",
    "GunPoint": "univariate, length 150, 2 classes",
    "ItalyPowerDemand": "univariate, length 24, 2 classes",
    "ArrowHead": "univariate, length 251, 3 classes",
    "PickupGestureWiimoteZ": "univariate, unequal length 29-361, 10 classes",
    "OSULeaf": "univariate, length 427, 6 classes",
    "ACSF1": "univariate, length 1460, 10 classes",
}

#: The regression sets in aeon's wheel (the TSER archive's; RMSE on their splits).
REGRESSION_SETS = {
    "Covid3Month": "univariate, length 84, deaths per case (mean 0.037, sd 0.040)",
    "CardanoSentiment": "multivariate, 2 channels, length 24, sentiment score (sd 0.27)",
}


#: The sets the sequence defaults were chosen on; the rest are the check.
TUNED = {"BasicMotions", "GunPoint", "ItalyPowerDemand", "ArrowHead"}


#: Test accuracy (%) published by Fawaz et al. 2019 (mean of 10 runs; the
#: companion repository's results-ucr / results-mts tables): (FCN, ResNet).
PUBLISHED = {
    "GunPoint": (100.0, 99.1),
    "ItalyPowerDemand": (96.1, 96.3),
    "ArrowHead": (84.3, 84.5),
    "OSULeaf": (97.7, 97.9),
    "JapaneseVowels": (99.3, 99.2),
}


#: Test accuracy published for MiniRocket and InceptionTime (the "bake off
#: redux", Middlehurst et al. 2024, 30 resamples), as quoted in issue 26.
PUBLISHED_REDUX = {
    "GunPoint": (99.2, 99.5),
    "ItalyPowerDemand": (96.0, 96.0),
    "ArrowHead": (88.3, 88.0),
    "OSULeaf": (95.7, 95.3),
}


def load(name):
    """``(X_train, y_train, X_test, y_test)`` in skdeep's (time, channels) layout."""
    from aeon.datasets import load_classification, load_regression

    out = []
    for split in ("train", "test"):
        loader = load_regression if name in REGRESSION_SETS else load_classification
        X, y = loader(name, split=split)
        if isinstance(X, np.ndarray):
            X = np.transpose(X, (0, 2, 1)).astype(np.float64)
        else:  # unequal length: a list of (channels, time) arrays
            X = [np.asarray(x, dtype=np.float64).T for x in X]
        out.extend([X, np.asarray(y)])
    return out


def aeon_layout(X):
    if isinstance(X, np.ndarray):
        return np.transpose(X, (0, 2, 1))
    return [x.T for x in X]


def score(y_true, y_pred):
    """Accuracy for labels, RMSE for a regression set's numbers."""
    if np.asarray(y_true).dtype.kind == "f":
        return float(np.sqrt(np.mean((np.asarray(y_pred, float) - y_true) ** 2)))
    return float(np.mean(y_pred == y_true))


def dtw(X, y, Xt, yt, regression):
    """aeon's 1-nearest-neighbour DTW classifier or regressor."""
    from aeon.classification.distance_based import KNeighborsTimeSeriesClassifier
    from aeon.regression.distance_based import KNeighborsTimeSeriesRegressor

    cls = KNeighborsTimeSeriesRegressor if regression else KNeighborsTimeSeriesClassifier
    start = time.perf_counter()
    model = cls(n_neighbors=1, distance="dtw").fit(aeon_layout(X), y)
    return score(yt, model.predict(aeon_layout(Xt))), time.perf_counter() - start


def minirocket(X, y, Xt, yt, seeds, regression):
    """aeon's MiniRocket (random convolution features and a ridge model); like
    the CNN it takes only equal-length series."""
    from aeon.classification.convolution_based import MiniRocketClassifier
    from aeon.regression.convolution_based import MiniRocketRegressor

    cls = MiniRocketRegressor if regression else MiniRocketClassifier
    return run_model(cls, {}, aeon_layout(X), y, aeon_layout(Xt), yt, seeds)


def run_model(cls, params, X, y, Xt, yt, seeds):
    """Mean test score and median fit seconds over ``seeds``."""
    scores, times = [], []
    for seed in seeds:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = cls(random_state=seed, **params).fit(X, y)
        times.append(time.perf_counter() - start)
        scores.append(score(yt, model.predict(Xt)))
    return float(np.mean(scores)), float(np.median(times))


def fit_one(key, data, args, regression=False):
    """``(score, seconds)`` of one model on one split, or None where the model
    cannot take the series (MiniRocket and unequal lengths)."""
    from skdeep import CNNClassifier, CNNRegressor, RNNSequenceClassifier, RNNSequenceRegressor

    X, y, Xt, yt = data
    if key == "dtw":
        return dtw(X, y, Xt, yt, regression)
    if key == "minirocket":
        if not isinstance(X, np.ndarray):
            return None
        return minirocket(X, y, Xt, yt, range(args.seeds), regression)
    if key == "rnn":
        cls, params = (RNNSequenceRegressor if regression else RNNSequenceClassifier), args.rnn
    else:
        # (n, length, channels) series: the CNN needs conv_dims=1 to tell a
        # multichannel series from an image (univariate ones need nothing)
        cls = CNNRegressor if regression else CNNClassifier
        params = {"conv_dims": 1, **args.cnn}
    return run_model(cls, params, X, y, Xt, yt, range(args.seeds))


def regression(args, models):
    """RMSE table of the regressors on :data:`REGRESSION_SETS`, with the training
    mean's RMSE (a constant prediction) as the floor to beat."""
    rows = []
    for name in args.regression.split(","):
        X, y, Xt, yt = load(name)
        y, yt = y.astype(float), yt.astype(float)
        row = [f"{name} ({len(y)}/{len(yt)})", f"{score(yt, np.full(len(yt), y.mean())):.4f}"]
        for key in models:
            value, seconds = fit_one(key, (X, y, Xt, yt), args, regression=True)
            row.append(f"{value:.4f} ({seconds:.1f} s)")
            print(f"  {name:22s} {key:4s} RMSE {value:.4f} ({seconds:.1f} s)", file=sys.stderr,
                  flush=True)
        rows.append(row)
    print()
    table(["regression set (train/test), test RMSE", "training mean", *models], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--rnn", default="{}", help="RNNSequenceClassifier parameters (JSON)")
    parser.add_argument("--cnn", default="{}", help="CNNClassifier parameters (JSON)")
    parser.add_argument("--models", default="rnn,cnn,minirocket,dtw")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--regression", default=",".join(REGRESSION_SETS),
                        help="regression sets ('' for none)")
    args = parser.parse_args()
    models = args.models.split(",")
    args.rnn, args.cnn = json.loads(args.rnn), json.loads(args.cnn)
    print(versions())
    print(f"RNN parameters {args.rnn or 'defaults'}; CNN parameters {args.cnn or 'defaults'}; "
          f"{args.seeds} seed(s)")
    print()
    rows = []
    for name in filter(None, args.sets.split(",")):
        data = load(name)
        row = [f"{name} ({len(data[1])}/{len(data[3])})", "tuned" if name in TUNED else "check"]
        for key in models:
            result = fit_one(key, data, args)
            if result is None:
                row.append("n/a (unequal length)")
                continue
            row.append(f"{result[0]:.3f} ({result[1]:.1f} s)")
            print(f"  {name:22s} {key:4s} {result[0]:.3f} ({result[1]:.1f} s)", file=sys.stderr,
                  flush=True)
        for published in (PUBLISHED, PUBLISHED_REDUX):
            a, b = published.get(name, (None, None))
            row.append("-" if a is None else f"{a / 100:.3f} / {b / 100:.3f}")
        rows.append(row)
    if rows:
        table(["data set (train/test)", "role", *models, "published FCN / ResNet",
               "published MiniRocket / InceptionTime"], rows)
    if args.regression:
        regression(args, models)


if __name__ == "__main__":
    main()
