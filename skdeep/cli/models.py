"""The models ``skdeep compare`` ranks, and the splitter and scorer they share."""

from .tables import CLIError, _column_kinds

#: ``--models`` keys, in the order they are listed.
MODELS = ("tabular", "skdeep-mlp", "skdeep-mlp-dropout", "linear", "forest", "hgb",
          "sklearn-mlp")


def build_models(task, X, keys, seed):
    """The models of ``skdeep compare`` for ``X``: ``[(name, estimator), ...]``.

    skdeep's MLPs take the raw frame (their own front end encodes text and
    category columns, standardises numbers and, with ``missing='impute'``,
    fills missing values); all-numeric tables get a StandardScaler in front,
    as scikit-learn's MLP needs too. scikit-learn's models get the usual
    ColumnTransformer: impute (with indicators), scale, one-hot encode;
    HistGradientBoosting keeps NaN and codes categories natively.
    """
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier
    from sklearn.neural_network import MLPRegressor as SkMLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    from .. import MLPClassifier, MLPRegressor, TabularMLPClassifier, TabularMLPRegressor

    classify = task == "classification"
    numeric, categorical = _column_kinds(X)

    def tabular(scale):
        num = [SimpleImputer(add_indicator=True, keep_empty_features=True)]
        if scale:
            num.append(StandardScaler())
        parts = [("num", make_pipeline(*num), numeric)]
        if categorical:
            parts.append(("cat", make_pipeline(
                SimpleImputer(strategy="constant", fill_value="missing"),
                OneHotEncoder(handle_unknown="ignore", min_frequency=2)), categorical))
        return ColumnTransformer(parts)

    def skdeep(**extra):
        cls = MLPClassifier if classify else MLPRegressor
        net = cls(hidden_layer_sizes=(64, 32), early_stopping=True, missing="impute",
                  learning_rate_init=0.003, max_iter=300, n_iter_no_change=20,
                  random_state=seed, **extra)
        return net if categorical else make_pipeline(StandardScaler(), net)

    def hgb():
        small = [c for c in categorical if X[c].nunique() <= 250]
        cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        if not categorical:
            return cls(random_state=seed)
        big = [c for c in categorical if c not in small]

        def codes():
            return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan)

        # small-cardinality columns first: their positions are the categorical ones
        coder = ColumnTransformer([("cat", codes(), small), ("big", codes(), big),
                                   ("num", "passthrough", numeric)])
        return make_pipeline(coder, cls(categorical_features=list(range(len(small))),
                                        random_state=seed))

    catalogue = {
        "skdeep-mlp": (f"skdeep.{'MLPClassifier' if classify else 'MLPRegressor'}", skdeep),
        "tabular": (f"skdeep.{'TabularMLPClassifier' if classify else 'TabularMLPRegressor'}",
                    lambda: (TabularMLPClassifier if classify else TabularMLPRegressor)(
                        random_state=seed)),
        "skdeep-mlp-dropout": (
            f"skdeep.{'MLPClassifier' if classify else 'MLPRegressor'} (dropout 0.2)",
            lambda: skdeep(dropout=0.2)),
        "linear": ("LogisticRegression" if classify else "Ridge", lambda: make_pipeline(
            tabular(True), LogisticRegression(max_iter=2000) if classify else Ridge())),
        "forest": ("RandomForest", lambda: make_pipeline(tabular(False), (
            RandomForestClassifier if classify else RandomForestRegressor)(
                n_estimators=200, n_jobs=1, random_state=seed))),
        "hgb": ("HistGradientBoosting", hgb),
        "sklearn-mlp": (f"sklearn.{'MLPClassifier' if classify else 'MLPRegressor'}",
                        lambda: make_pipeline(tabular(True), (
                            SkMLPClassifier if classify else SkMLPRegressor)(
                                hidden_layer_sizes=(64, 32), early_stopping=True,
                                learning_rate_init=0.003, max_iter=300, n_iter_no_change=20,
                                random_state=seed))),
    }
    return [(catalogue[k][0], catalogue[k][1]()) for k in keys]


def _model_keys(text):
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in MODELS]
    if unknown or not keys:
        raise CLIError(f"unknown --models {unknown or text!r}; choose from {', '.join(MODELS)}")
    return keys


def _scorer_name(scoring, task):
    from sklearn.metrics import get_scorer, get_scorer_names

    name = scoring or ("accuracy" if task == "classification" else "r2")
    try:
        get_scorer(name)
    except ValueError:
        import difflib

        close = difflib.get_close_matches(name, get_scorer_names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise CLIError(f"unknown --scoring {name!r}{hint}") from None
    return name


def check_scorer(name, task, X, y):
    """Refuse a ``--scoring`` that cannot score this task, before any model trains.

    The scorer is tried on a constant model of the target (scikit-learn's
    ``DummyClassifier`` / ``DummyRegressor``), so a regression metric on
    classes, a classification metric on numbers, or ``roc_auc`` on more than
    two classes is one usage error naming the option, not one failure per model.
    """
    import warnings

    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.metrics import get_scorer

    dummy = DummyClassifier() if task == "classification" else DummyRegressor()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            get_scorer(name)(dummy.fit(X, y), X, y)
    except (ValueError, TypeError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        kind = "classes" if task == "classification" else "a numeric (regression) target"
        raise CLIError(f"--scoring {name!r} cannot score {kind}: {first}") from None


def _splitter(task, cv, seed):
    from sklearn.model_selection import KFold, StratifiedKFold

    if cv < 2:
        raise CLIError(f"--cv must be at least 2, got {cv}")
    cls = StratifiedKFold if task == "classification" else KFold
    return cls(n_splits=cv, shuffle=True, random_state=seed)
