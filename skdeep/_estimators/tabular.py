"""Tabular networks with strong defaults: TabularMLPClassifier / TabularMLPRegressor.

The drop-in MLPs keep scikit-learn's defaults, which were never meant to
compete with gradient boosting. These estimators bundle, as defaults, the
ideas that make an MLP competitive on tables without tuning (Holzmüller et
al., NeurIPS 2024, "Better by default"; Gorishniy et al., 2022), written
from the published descriptions on skdeep's shared core:

* inputs: each column of a raw table read as what it holds
  (:mod:`skdeep._estimators.table`: numbers, numbers stored as text,
  categories (target statistics on request), words of long texts,
  dates, columns to drop; reported in
  ``input_summary_``), robust scaling with smooth clipping
  (:class:`~skdeep.preprocessing.RobustSmoothClipScaler`), missing values
  imputed with an indicator, a periodic embedding of every numeric column,
  a learned per-input scale;
* network: neural-tangent-parametrised dense layers (one learning rate for
  every width), parametric activations (SELU for classification, Mish for
  regression), dropout;
* training: Adam with ``beta_2=0.95``, a multi-cycle cosine learning-rate
  schedule on a logarithmic time axis, label smoothing (classification) or
  standardised targets (regression), and best-epoch selection on a held-out
  fifth of the training rows.

The schedule is an :class:`~skdeep._training.hooks.EpochHook` on the shared
epoch loop, like every other per-epoch behaviour.
"""

import dataclasses
from numbers import Integral, Real

import numpy as np
from sklearn.preprocessing import QuantileTransformer

from .._private import Interval, StrOptions

from .base import BaseNeuralEstimator
from .heads import ClassifierHead, RegressorHead
from .members import Members, MemberTargets
from .padding import input_padding, unpadded_draw
from .._training.schedules import CosineCycles, DropoutSchedule, cosine_cycles
from ..builders import build_tabular_mlp
from ..preprocessing import RobustSmoothClipScaler
from .table_front import TableFrontEnd
from .targets import ScaledTargets
from .tabular_doc import TABULAR_DOC as _TABULAR_DOC

__all__ = ["TabularMLPClassifier", "TabularMLPRegressor", "cosine_cycles"]


def auto_patience(max_iter):
    """``n_iter_no_change='auto'`` of the tabular networks, for a schedule of
    ``max_iter`` epochs: a quarter of them (at least scikit-learn's 10)
    without a better held-out score stops training, once 40 % of them have
    run -- unless fewer than 100 rows are held out, where the whole schedule
    runs.

    Measured on the 29 tables of ``benchmarks/bench_tabular.py`` (5 folds each,
    full schedules of 100 epochs): the best epoch is often early (the held-out
    score falls for the rest of the schedule) and such fits stop after about
    half their epochs; 19 of 145 fits selected an earlier epoch than the full
    schedule would have. The floor keeps the small regression tables, whose
    held-out R^2 rises late in the schedule, from stopping in its first 40 %.
    Under 100 held-out rows (tables under ~625 rows in 5-fold CV) a row is a
    point of accuracy or more, so a stall says little: on breast_cancer one
    fold's held-out accuracy (91 rows) stalled from epoch 8 and the rule
    stopped a schedule whose best epoch was 72. Such tables train in under a
    second, so running them in full costs little.

    Examples
    --------
    >>> from skdeep._estimators.tabular import auto_patience
    >>> auto_patience(100)
    {'n_iter_no_change': 25, 'min_epochs': 40, 'min_validation_rows': 100}
    """
    return {"n_iter_no_change": max(10, max_iter // 4), "min_epochs": -(-2 * max_iter // 5),
            "min_validation_rows": 100}


def _floor_share(column):
    """The fraction of a column's known values equal to its smallest value."""
    column = column[~np.isnan(column)]
    return float(np.mean(column == column.min())) if column.size else 0.0


#: Fitted attributes both estimators document alike.
_SHARED_ATTRS = """    n_iter_ : int
        Epochs run.
    n_features_in_ : int
        Number of input columns seen in fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names seen in fit (pandas input).
    is_categorical_ : ndarray of bool of shape (n_features,) or None
        Which input columns were encoded as categories (or words); None
        when none was.
    input_summary_ : pandas.DataFrame
        One row per input column: its dtype, what it became (``treatment``:
        numeric, bool, category, words, date or drop), how many network
        inputs it gives and why (``note``).
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
"""


class _BaseTabular(Members, TableFrontEnd, BaseNeuralEstimator):
    """Shared body of the tabular estimators: scaling, network, schedule."""

    _auto_precision = "float32"
    _prediction_dtype = np.float64  # documented: float64 whatever the input's
    _auto_batch_size = 256
    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"cosine_cycles", "constant"})],
        "n_cycles": [Interval(Integral, 1, None, closed="left")],
        "n_frequencies": [Interval(Integral, 0, None, closed="left")],
        "embedding_dim": [Interval(Integral, 2, None, closed="left")],
        "frequency_scale": [Interval(Real, 0, None, closed="neither")],
        "categorical_encoding": [StrOptions({"onehot", "binary", "embedding"})],
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "missing": [StrOptions({"error", "impute"})],
        "column_treatment": [dict, None],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "dropout_schedule": [StrOptions({"flat_cos", "constant"})],
        "quantile_inputs": [StrOptions({"auto"}), "boolean"],
        "n_iter_no_change": [*BaseNeuralEstimator._parameter_constraints["n_iter_no_change"],
                             StrOptions({"auto"})],
    }

    _epoch_budget = True  # max_iter is the schedule's length, not a cap to warn about

    def _training_config(self, incremental=False):
        """Adam (the recipe's solver; there is no ``solver`` parameter), and no
        held-out rows in ``partial_fit``.

        Best-epoch selection is what ``fit`` does with its held-out rows; an
        epoch of ``partial_fit`` trains on every row it is given and selects
        nothing (scikit-learn's MLPs refuse ``early_stopping=True`` there
        instead, but here it is the default).
        """
        config = super()._training_config(incremental)
        if self.n_iter_no_change == "auto":
            config = dataclasses.replace(config, **auto_patience(self.max_iter))
        if incremental:
            config = dataclasses.replace(config, early_stopping=False)
        return config

    def _training_hooks(self, incremental):
        hooks = []
        if self.learning_rate == "cosine_cycles":
            hooks.append(CosineCycles(incremental, self.learning_rate_init, self.n_cycles,
                                      self.max_iter))
        rates = self._layer_rates()
        rates = {i: rates[path] for i, path in enumerate(self._variable_paths)
                 if rates.get(path, 0) > 0}
        if getattr(self, "dropout_schedule", "constant") == "flat_cos" and rates:
            hooks.append(DropoutSchedule(incremental, rates, self.max_iter))
        return hooks

    def _shape_input(self, X, reset):
        """Robust-scale and smoothly clip the numeric columns; put them first.

        Columns with more than two distinct training values are numeric
        (with ``quantile_inputs``, each followed by its quantile copy);
        0/1 columns (indicators, one-hot codes) follow unchanged, then the
        category-code columns of ``categorical_encoding='embedding'``.
        """
        X = super()._shape_input(X, reset)
        encoder = getattr(self, "_frame_encoder", None)
        if reset and encoder is None:
            self._input_summary = self._plain_summary(self.n_features_in_)
        n_codes = len(encoder.embeddings) if encoder is not None else 0
        plain, codes = X[:, :X.shape[1] - n_codes], X[:, X.shape[1] - n_codes:]
        if reset:
            numeric = np.flatnonzero(RobustSmoothClipScaler().fit(plain).scaled_)
            if self.quantile_inputs == "auto":  # a mass of rows at the floor: counts, amounts
                numeric = numeric[[_floor_share(plain[:, j]) >= 0.2 for j in numeric]]
            self._quantiles = None
            if self.quantile_inputs and numeric.size:
                self._quantiles = numeric, QuantileTransformer(
                    n_quantiles=min(1000, plain.shape[0]), output_distribution="normal",
                    subsample=100_000, random_state=0).fit(plain[:, numeric])
                self._count_quantile_copies(numeric)
        quantiles = getattr(self, "_quantiles", None)  # None in files of earlier releases
        if quantiles is not None:
            plain = np.hstack([plain, quantiles[1].transform(plain[:, quantiles[0]])])
        if reset:
            self._scaler = RobustSmoothClipScaler().fit(plain)
            scaled = self._scaler.scaled_
            self._column_order = np.concatenate([
                np.flatnonzero(scaled), np.flatnonzero(~scaled),
                np.arange(plain.shape[1], plain.shape[1] + n_codes),
            ])
        X = np.hstack([self._scaler.transform(plain), codes])[:, self._column_order]
        if reset:  # zero columns after the 0/1 ones: see input_padding
            ones = X[:, int(self._scaler.scaled_.sum()):X.shape[1] - n_codes]
            self._input_padding = input_padding(ones) if self._hidden_sizes() else 0
        pad = getattr(self, "_input_padding", 0)  # 0 in files of earlier releases
        if pad:
            X = np.insert(X, [X.shape[1] - n_codes] * pad, 0.0, axis=1)
        return X  # cast to the network's precision (float32 by default) by the fit template

    def _count_quantile_copies(self, columns):
        """Count each quantile copy (encoded input ``columns``) in its source column's
        row of the input summary, and say why it is there."""
        encoder = getattr(self, "_frame_encoder", None)
        names = encoder.get_feature_names_out() if encoder is not None else None
        why = ("a quantile copy (a mass of rows at its lowest value)"
               if self.quantile_inputs == "auto" else "a quantile copy")
        rows = [list(row) for row in self._input_summary]
        for j in columns:
            i = j  # an array's columns: the summary's rows
            if names is not None:
                name = str(names[j])
                i = next(k for k, row in enumerate(rows) if name == row[0]
                         or name.startswith((f"{row[0]}:", f"{row[0]}=")))
            rows[i][3] += 1
            rows[i][4] = "; ".join(part for part in (rows[i][4], why) if part)
        self._input_summary = [tuple(row) for row in rows]

    def _model_spec(self, input_shape, n_outputs, dtype, loss):
        encoder = getattr(self, "_frame_encoder", None)
        k = int(getattr(self, "n_members", 1))
        loss = self._member_losses(loss, n_outputs, k)
        kwargs = (
            ("n_features", int(input_shape[0])),
            ("n_outputs", int(n_outputs)),
            ("n_numeric", int(self._scaler.scaled_.sum())),
            ("hidden_layer_sizes", self._hidden_sizes()),
            ("activation", self.activation),
            ("output_activation", self.out_activation_),
            ("dtype", dtype),
            ("dropout", self._present_rates("dropout")),
            ("n_frequencies", int(self.n_frequencies)),
            ("embedding_dim", int(self.embedding_dim)),
            ("embeddings", encoder.embeddings if encoder is not None else ()),
            ("n_members", k),
            ("input_padding", True),
        )
        return self._make_spec(build_tabular_mlp, kwargs, input_shape, n_outputs * k, dtype,
                               loss)

    def _setup_network(self, X, Y, sample_weight=None):
        self._hidden_sizes()  # fail early on a bad value
        super()._setup_network(X, Y, sample_weight)  # Members': one block of Y
        self.n_layers_ = len(self._hidden_sizes()) + 2

    def _initial_weights(self, engine, rng):
        """Seeded draws for every random variable of the tabular network.

        Kernels and embedding projections are standard normal (the layers
        divide by the square root of their fan-in), frequencies normal with
        ``frequency_scale``, phases uniform over a cycle, category
        embeddings uniform in +-0.05; biases, scales and activation mixes
        keep their deterministic starting values.
        """
        self._variable_paths = [v.path for v in engine.variables]
        weights = [np.array(w) for w in engine.initial_weights]
        pad = getattr(self, "_input_padding", 0)
        fan_in = next(w.shape[0] for p, w in zip(self._variable_paths, weights)
                      if p.endswith("dense_0/kernel")) if self._hidden_sizes() else 0
        encoder = getattr(self, "_frame_encoder", None)
        at = fan_in - pad - sum(d for _, d in (encoder.embeddings if encoder else ()))
        for i, (path, w) in enumerate(zip(self._variable_paths, weights)):
            leaf = path.rsplit("/", 1)[-1]
            first = path.endswith("dense_0/kernel")
            if leaf in ("kernel", "projection"):
                weights[i] = unpadded_draw(rng.standard_normal, w.shape, 0, at,
                                            pad if first else 0).astype(w.dtype)
            elif leaf == "kernel_scale":  # the unpadded fan-in's factor
                weights[i] = np.array(float(fan_in - pad) ** -0.5, dtype=w.dtype)
            elif leaf == "frequencies":
                weights[i] = rng.normal(0.0, self.frequency_scale, w.shape).astype(w.dtype)
            elif leaf == "phases":
                weights[i] = rng.uniform(-0.5, 0.5, w.shape).astype(w.dtype)
            elif leaf == "signs":
                weights[i] = unpadded_draw(lambda shape: rng.choice([-1.0, 1.0], size=shape),
                                            w.shape, 1, at, pad).astype(w.dtype)
            elif leaf == "embeddings":
                weights[i] = rng.uniform(-0.05, 0.05, w.shape).astype(w.dtype)
            elif leaf == "seed_generator_state":
                weights[i] = np.array([rng.randint(2**30), 0], dtype=w.dtype)
        weights = self._apply_rates(weights)
        self._mc_seed = int(rng.randint(2**30)) if engine.stochastic else None
        return weights


class TabularMLPClassifier(ClassifierHead, _BaseTabular):
    __doc__ = """Neural network classifier for tables, with defaults that compete with boosting.

    An MLP with the input handling, architecture and training recipe of
    networks tuned across large tabular benchmarks (see the tabular guide):
    robust scaling with smooth clipping, periodic embeddings of numeric
    features, a learned input scale, neural-tangent-parametrised layers
    with parametric SELU activations and dropout, label smoothing, Adam
    with a multi-cycle cosine schedule and best-epoch selection on a
    held-out fifth. It takes arrays or raw pandas frames (numbers, numbers
    stored as text, bools, categories, free text, dates, missing values:
    what each column became is in ``input_summary_``) and grid-searches
    like any scikit-learn classifier.
""" + _TABULAR_DOC.format(
        activation="selu", lr=0.04,
        extra="""    label_smoothing : float, default=0.1
        Trains against ``(1 - label_smoothing) * onehot + label_smoothing / k``
        (``k`` classes; 2 for a logistic output), which keeps the network
        from growing over-confident. The loss curves are measured against
        these targets.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
""") + """
    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels.
    loss_curve_ : list of float
        Training loss (smoothed targets) after each epoch.
    validation_scores_ : list of float or None
        Held-out accuracy after each epoch.
    best_validation_score_ : float or None
        The selected epoch's held-out accuracy.
%(shared)s        Number of output units.
    out_activation_ : str
        Name of the output activation.
    model_ : keras.Model
        A Keras model holding the fitted weights. It takes the shaped
        inputs: scaled numbers first, then the 0/1 columns, then any zero
        columns padding them (see the tabular guide).

    See Also
    --------
    TabularMLPRegressor : The regression counterpart.
    MLPClassifier : The drop-in replacement for scikit-learn's MLP.
    sklearn.ensemble.HistGradientBoostingClassifier : The usual tabular baseline.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from skdeep import TabularMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = TabularMLPClassifier(hidden_layer_sizes=(32,), max_iter=20, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """.replace("%(shared)s", _SHARED_ATTRS)

    _parameter_constraints = {
        **_BaseTabular._parameter_constraints,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(128, 128, 128),
        activation="selu",
        *,
        alpha=0.0,
        dropout=0.15,
        dropout_schedule="flat_cos",
        batch_size="auto",
        learning_rate="cosine_cycles",
        learning_rate_init=0.04,
        n_cycles=4,
        max_iter=100,
        n_frequencies=16,
        quantile_inputs="auto",
        embedding_dim=4,
        frequency_scale=0.1,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change="auto",
        tol=1e-4,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        label_smoothing=0.1,
        class_weight=None,
        categorical_encoding="onehot",
        categorical_features="auto",
        column_treatment=None,
        missing="impute",
        n_members=1,
        mc_samples=100,
        callbacks=None,
        distribution=None,
        precision="auto",
        random_state=None,
        verbose=False,
        warm_start=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.dropout = dropout
        self.dropout_schedule = dropout_schedule
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.n_cycles = n_cycles
        self.max_iter = max_iter
        self.n_frequencies = n_frequencies
        self.quantile_inputs = quantile_inputs
        self.embedding_dim = embedding_dim
        self.frequency_scale = frequency_scale
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.label_smoothing = label_smoothing
        self.class_weight = class_weight
        self.categorical_encoding = categorical_encoding
        self.categorical_features = categorical_features
        self.column_treatment = column_treatment
        self.missing = missing
        self.n_members = n_members
        self.mc_samples = mc_samples
        self.callbacks = callbacks
        self.distribution = distribution
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def _encode_target(self, y, dtype):
        Y = super()._encode_target(y, dtype)
        eps = float(self.label_smoothing)
        if eps > 0:
            k = Y.shape[1] if self._out_activation() == "softmax" else 2
            Y = (Y * (1.0 - eps) + eps / k).astype(dtype, copy=False)
        return self._tile_members(Y)

    def _score_output(self, y, output, sample_weight):
        return super()._score_output(y, self._member_mean(output), sample_weight)


class TabularMLPRegressor(MemberTargets, ScaledTargets, RegressorHead, _BaseTabular):
    __doc__ = """Neural network regressor for tables, with defaults that compete with boosting.

    The regression counterpart of :class:`TabularMLPClassifier`: the same
    input handling, network and schedule, with parametric Mish activations,
    and targets standardised inside the estimator (predictions come back
    on the original scale).
""" + _TABULAR_DOC.format(
        activation="mish", lr=0.04,
        extra="""    loss : {'squared_error', 'absolute_error', 'huber'}, default='squared_error'
        Loss on the standardised targets (Huber's threshold is one
        standard deviation of ``y``).
""") + """
    Attributes
    ----------
    loss_curve_ : list of float
        Training loss after each epoch, on the standardised targets.
    validation_scores_ : list of float or None
        Held-out R^2 after each epoch.
    best_validation_score_ : float or None
        The selected epoch's held-out R^2.
%(shared)s        Number of outputs.
    out_activation_ : str
        Name of the output activation.
    model_ : keras.Model
        A Keras model holding the fitted weights. It takes the shaped
        inputs (scaled numbers, the 0/1 columns, any zero columns padding
        them) and outputs standardised targets.

    See Also
    --------
    TabularMLPClassifier : The classification counterpart.
    sklearn.ensemble.HistGradientBoostingRegressor : The usual tabular baseline.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skdeep import TabularMLPRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = TabularMLPRegressor(hidden_layer_sizes=(32,), max_iter=20, random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.4
    True
    """.replace("%(shared)s", _SHARED_ATTRS)

    _parameter_constraints = {
        **_BaseTabular._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "huber"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(128, 128, 128),
        activation="mish",
        *,
        loss="squared_error",
        alpha=0.0,
        dropout=0.15,
        dropout_schedule="flat_cos",
        batch_size="auto",
        learning_rate="cosine_cycles",
        learning_rate_init=0.04,
        n_cycles=4,
        max_iter=100,
        n_frequencies=16,
        quantile_inputs="auto",
        embedding_dim=4,
        frequency_scale=0.1,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change="auto",
        tol=1e-4,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        categorical_encoding="onehot",
        categorical_features="auto",
        column_treatment=None,
        missing="impute",
        n_members=1,
        mc_samples=100,
        callbacks=None,
        distribution=None,
        precision="auto",
        random_state=None,
        verbose=False,
        warm_start=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.alpha = alpha
        self.dropout = dropout
        self.dropout_schedule = dropout_schedule
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.n_cycles = n_cycles
        self.max_iter = max_iter
        self.n_frequencies = n_frequencies
        self.quantile_inputs = quantile_inputs
        self.embedding_dim = embedding_dim
        self.frequency_scale = frequency_scale
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.categorical_encoding = categorical_encoding
        self.categorical_features = categorical_features
        self.column_treatment = column_treatment
        self.missing = missing
        self.n_members = n_members
        self.mc_samples = mc_samples
        self.callbacks = callbacks
        self.distribution = distribution
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start


# public: pickles and the docs name skdeep.<Class>, never this private module
TabularMLPClassifier.__module__ = TabularMLPRegressor.__module__ = "skdeep"
