"""The ``make demo`` job: skdeep's MLP against scikit-learn's in a grid search.

Run it with ``python -m skdeep.demo``.  On the breast-cancer data bundled with
scikit-learn it runs the same cross-validated GridSearchCV over hidden-layer
sizes and ``alpha`` (with early stopping) for both libraries and prints a
table: best parameters, cross-validated accuracy, held-out accuracy and time.
"""

import argparse
import time
import warnings

from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._backend import load
from ._mlp import MLPClassifier

PARAM_GRID = {
    "mlpclassifier__hidden_layer_sizes": [(16,), (64,), (64, 32)],
    "mlpclassifier__alpha": [1e-4, 1e-2],
}


def run_grid_search(estimator, X_train, y_train, X_test, y_test, cv=5):
    """Grid-search ``estimator`` (an MLP) behind a StandardScaler.

    Parameters
    ----------
    estimator : classifier
        An unfitted MLP classifier (skdeep's or scikit-learn's).
    X_train, y_train : array-like
        Data for the cross-validated search.
    X_test, y_test : array-like
        Held-out data scored with the refitted best model.
    cv : int, default=5
        Number of stratified folds.

    Returns
    -------
    dict
        ``best_params``, ``cv_accuracy``, ``test_accuracy``, ``seconds`` and
        ``epochs`` (of the refitted best model).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdeep import MLPClassifier
    >>> from skdeep.demo import run_grid_search
    >>> X, y = load_iris(return_X_y=True)
    >>> row = run_grid_search(MLPClassifier(solver="lbfgs", random_state=0),
    ...                       X[::2], y[::2], X[1::2], y[1::2], cv=3)
    >>> row["test_accuracy"] > 0.9
    True
    """
    search = GridSearchCV(make_pipeline(StandardScaler(), estimator), PARAM_GRID, cv=cv)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    best = search.best_params_
    return {
        "best_params": f"{best['mlpclassifier__hidden_layer_sizes']}, alpha={best['mlpclassifier__alpha']:g}",
        "cv_accuracy": search.best_score_,
        "test_accuracy": search.score(X_test, y_test),
        "seconds": seconds,
        "epochs": search.best_estimator_[-1].n_iter_,
    }


def main(argv=None):
    """Run the demo and print a markdown table.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (``--cv``, ``--max-iter``).

    Returns
    -------
    list of dict
        One row per library, as printed.
    """
    parser = argparse.ArgumentParser(prog="python -m skdeep.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--cv", type=int, default=5, help="number of CV folds (default 5)")
    parser.add_argument("--max-iter", type=int, default=200, help="maximum epochs (default 200)")
    args = parser.parse_args(argv)

    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    common = dict(early_stopping=True, learning_rate_init=0.01, max_iter=args.max_iter, random_state=0)
    n_fits = len(PARAM_GRID["mlpclassifier__hidden_layer_sizes"]) * len(PARAM_GRID["mlpclassifier__alpha"]) * args.cv
    print(
        f"Breast cancer: {X_train.shape[0]} training rows, {X.shape[1]} features; GridSearchCV "
        f"over hidden_layer_sizes x alpha, {args.cv}-fold CV ({n_fits} fits + refit), "
        f"early stopping.\n"
    )
    start = time.perf_counter()
    _, keras = load()  # the backend's one-time start-up, reported apart from the search
    name = {"tensorflow": "TensorFlow", "jax": "JAX"}[keras.backend.backend()]
    print(f"Keras on {name}: start-up (once per process) {time.perf_counter() - start:.1f} s\n")
    rows = []
    for name, est in [("skdeep.MLPClassifier", MLPClassifier(**common)),
                      ("sklearn.MLPClassifier", SklearnMLPClassifier(**common))]:
        row = {"library": name, **run_grid_search(est, X_train, y_train, X_test, y_test, cv=args.cv)}
        rows.append(row)
    print("| library | best parameters | CV accuracy | test accuracy | epochs (best) | search time (s) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['library']} | {r['best_params']} | {r['cv_accuracy']:.4f} | "
            f"{r['test_accuracy']:.4f} | {r['epochs']} | {r['seconds']:.1f} |"
        )
    return rows


if __name__ == "__main__":
    main()
