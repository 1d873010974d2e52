"""What an exported model computes, written down as data before any graph is built.

:func:`serving_plan` reads a fitted estimator (or a Pipeline of scalers
ending in one) and returns a :class:`ServingPlan`: the raw inputs a serving
system sends, the front end's arithmetic as a short list of :class:`Step`
objects (category codes, standardising, filling gaps, quantile copies,
smooth clipping, reshaping), the fitted Keras network, and the output side
(probabilities and labels, or values on the target's scale).
:mod:`~skdeep._export.tf_graph` and :mod:`~skdeep._export.onnx_graph` each
turn the same plan into a graph, so the two artifacts cannot drift apart,
and the tests compare both with ``predict`` / ``predict_proba``.

The plan reads the fitted state that the estimators' front ends keep
(``_frame_encoder``, ``_imputer``, the tabular ``_quantiles`` and
``_scaler``); a change there that the plan does not follow shows up as a
parity failure in tests/test_export.py, not as a silent difference.
"""

import re
from dataclasses import dataclass, field

import numpy as np

__all__ = ["RawInput", "Step", "OutputSide", "ServingPlan", "serving_plan", "class_values"]


@dataclass(frozen=True)
class RawInput:
    """One input of the artifact: a column of a frame, or the whole array ``X``.

    ``kind`` is ``'number'`` (float64, NaN for a missing value) or ``'text'``
    (strings; a category's text as ``str(value)``, ``''`` for missing);
    ``shape`` is the shape after the batch axis, None for a free length.
    """

    name: str
    key: str
    kind: str
    shape: tuple = ()


@dataclass(frozen=True)
class Step:
    """One operation of the front end: ``op`` on earlier values ``args`` (their indices).

    Every value is a float64 ``(n_rows, width)`` block except where said:
    ``input`` gives the raw tensor, ``codes`` an int64 ``(n_rows,)`` vector
    (-1 for an unknown or missing text), ``lookup`` a float64 ``(n_rows,)``
    vector (a code's entry of ``table``; the last entry for -1).
    """

    op: str
    args: tuple = ()
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OutputSide:
    """How the network's output becomes what ``predict`` / ``predict_proba`` return."""

    kind: str                   # 'classes', 'multilabel' or 'values'
    n_outputs: int              # the network's outputs per member
    members: int = 1            # ensemble members side by side (their mean is taken)
    classes: np.ndarray = None  # classifiers
    center: np.ndarray = None   # regressors whose target was scaled
    scale: np.ndarray = None


@dataclass
class ServingPlan:
    """Raw inputs, front-end steps, the network and the output side (see the module)."""

    estimator: str
    inputs: list
    steps: list
    result: int                 # the step whose value the network takes
    model: object               # the fitted keras.Model
    net_shape: tuple            # the network input's shape after the batch axis
    output: OutputSide
    notes: list = field(default_factory=list)

    def add(self, op, *args, **params):
        """Append a step; returns its index (the value's id)."""
        self.steps.append(Step(op, tuple(args), params))
        return len(self.steps) - 1

    def add_input(self, name, kind, shape=()):
        """Declare a raw input and return the id of its value."""
        key = _identifier(name, {i.key for i in self.inputs})
        self.inputs.append(RawInput(str(name), key, kind, tuple(shape)))
        return self.add("input", key=key)

    def describe(self):
        """The plan's inputs and outputs as JSON-ready data (kept in the artifact)."""
        inputs = [{"name": i.name, "input": i.key, "kind": i.kind,
                   "shape": [None if d is None else int(d) for d in i.shape]}
                  for i in self.inputs]
        for item in inputs:
            step = next((s for s in self.steps if s.op == "codes"
                         and self.steps[s.args[0]].params.get("key") == item["input"]), None)
            if step is not None:
                item["levels"] = list(step.params["keys"])
        out = {"estimator": self.estimator, "inputs": inputs, "notes": list(self.notes)}
        if self.output.kind == "values":
            out["outputs"] = {"prediction": "float64"}
        else:
            out["outputs"] = {"label": "the predicted class", "probabilities": "float64"}
            out["classes"] = [_plain(c) for c in self.output.classes]
        return out


def class_values(classes):
    """``classes`` as an array a graph constant can hold (text as str)."""
    classes = np.asarray(classes)
    if classes.dtype.kind in "OUS":
        return np.array([str(c) for c in classes], dtype=object)
    if classes.dtype.kind in "iu":
        return classes.astype(np.int64)
    return classes


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _identifier(name, taken):
    """A graph input name for ``name``: letters, digits and _, not starting with a digit."""
    key = re.sub(r"\W", "_", str(name)) or "column"
    if not re.match(r"[A-Za-z]", key):
        key = f"c_{key}"
    base, n = key, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def serving_plan(estimator):
    """The :class:`ServingPlan` of a fitted skdeep estimator or Pipeline ending in one.

    Raises
    ------
    ValueError
        For what a graph cannot compute the way ``predict`` does, naming it.
    """
    from sklearn.utils.validation import check_is_fitted

    steps = _flat_steps(estimator)
    final = steps[-1]
    check_is_fitted(final)
    _check_exportable(final)
    plan = ServingPlan(type(final).__name__, [], [], -1, None, (), None)
    while len(steps) > 1 and type(steps[0]).__name__ == "TableCleaner":
        _cleaner_notes(plan, steps.pop(0))  # skdeep search --save: the CLI's cleaning
    value = _raw_inputs(plan, steps[0], final, len(steps) > 1)
    for transformer in steps[:-1]:
        value = _scaler_step(plan, value, transformer)
    plan.result = _estimator_front(plan, final, value)
    plan.model = final.model_
    plan.net_shape = tuple(final.model_.inputs[0].shape[1:])
    plan.output = _output_side(final)
    return plan


def _flat_steps(model):
    """A search's best estimator and nested Pipelines as one list of steps."""
    model = getattr(model, "best_estimator_", model)
    steps = getattr(model, "steps", None)
    if not steps:
        return [model]
    flat = []
    for _, step in steps:
        if step is not None and not (isinstance(step, str) and step == "passthrough"):
            flat.extend(_flat_steps(step))
    return flat


def _cleaner_notes(plan, cleaner):
    """What the command line's table cleaning asks of the artifact's inputs."""
    if getattr(cleaner, "numbers_", None):
        plan.notes.append(
            f"column(s) {[str(c) for c in cleaner.numbers_]} held numbers among "
            "missing-value markers in training; send numbers, NaN for missing")
    if cleaner.dates_:
        plan.notes.append(
            f"column(s) {[str(c) for c in cleaner.dates_]} are dates; send days since "
            "1970-01-01 (UTC) as numbers")


def _check_exportable(est):
    from .._estimators.base import BaseNeuralEstimator
    from .._estimators.wrapper import _BaseKerasWrapper

    name = type(est).__name__
    if (not isinstance(est, BaseNeuralEstimator) or isinstance(est, _BaseKerasWrapper)
            or name == "CharRNN"):
        raise ValueError(
            f"export takes skdeep's MLP, CNN, RNN and tabular estimators (or a Pipeline of "
            f"scalers ending in one); got {name}. The network of a Keras wrapper or "
            "CharRNN can be exported with Keras itself: est.model_.export(path, "
            "format='onnx'), without the estimator's input and output sides."
        )


def _raw_inputs(plan, first, final, piped):
    """The artifact's raw inputs: one per frame column, or ``X`` as one array."""
    encoder = getattr(final, "_frame_encoder", None)
    if encoder is not None and piped:
        raise ValueError(
            f"export takes Pipeline steps in front of an estimator that reads numbers; "
            f"this {type(final).__name__} encodes category columns itself. Export it "
            "fitted on the frame alone (its front end standardises the numbers)."
        )
    if encoder is not None:
        return None  # the estimator's own front end declares its columns
    names = getattr(first, "feature_names_in_", None)
    if names is None or final._nd_samples:
        return plan.add_input("X", "number", _array_shape(final))
    columns = [plan.add("column", plan.add_input(str(name), "number")) for name in names]
    return plan.add("concat", *columns)  # a frame of numbers: its columns by name


def _array_shape(est):
    if hasattr(est, "_fit_sample_shape"):           # CNN: the images as fitted
        return tuple(est._fit_sample_shape)
    if hasattr(est, "n_step_features_"):            # RNN: (steps, features), steps free
        return (None, int(est.n_step_features_))
    return (int(est.n_features_in_),)


def _scaler_step(plan, value, transformer):
    """A Pipeline's StandardScaler / MinMaxScaler / RobustScaler as an affine step."""
    kind = type(transformer).__name__
    n = getattr(transformer, "n_features_in_", None)
    if kind == "StandardScaler":
        center = transformer.mean_ if transformer.with_mean else np.zeros(n)
        scale = transformer.scale_ if transformer.with_std else np.ones(n)
    elif kind == "RobustScaler":
        center = transformer.center_ if transformer.with_centering else np.zeros(n)
        scale = transformer.scale_ if transformer.with_scaling else np.ones(n)
    elif kind == "MinMaxScaler" and not transformer.clip:
        scale = 1.0 / transformer.scale_
        center = -transformer.min_ * scale
    else:
        raise ValueError(
            f"export takes Pipelines whose steps before the network are StandardScaler, "
            f"RobustScaler or MinMaxScaler(clip=False); this one has {kind}. Fit the "
            "estimator on transformed data and export it alone, or move the step into "
            "the estimator (its categorical_features / missing='impute' front end)."
        )
    if value is None:
        raise ValueError("export takes scalers in front of an estimator given arrays.")
    return plan.add("affine", value, center=np.asarray(center, float),
                    scale=np.asarray(scale, float))


def _estimator_front(plan, est, value):
    """The estimator's own front end from ``value`` (None: its frame columns)."""
    encoder = getattr(est, "_frame_encoder", None)
    if encoder is not None:
        if hasattr(encoder, "treatments_"):
            value = _table_encoder(plan, encoder)
        else:
            value = _frame_encoder(plan, encoder, {})
    else:
        value = _imputer(plan, value, getattr(est, "_imputer", None))
    if hasattr(est, "_scaler") and hasattr(est, "_column_order"):
        value = _tabular_shape(plan, est, value, encoder)
    return plan.add("reshape", value, dims=tuple(est.model_.inputs[0].shape[1:]))


def _imputer(plan, value, imputer):
    """``missing='impute'`` on arrays: training means in, was-missing inputs after."""
    if imputer is None:
        return value
    filled = plan.add("fill_nan", value, values=np.asarray(imputer.statistics_, float))
    indicator = imputer.indicator_
    if indicator is None or not len(indicator.features_):
        return filled
    flags = plan.add("is_nan", plan.add("take", value, indices=tuple(
        int(j) for j in indicator.features_)))
    return plan.add("concat", filled, flags)


def _column_input(plan, name, kind, sources):
    """The value of raw column ``name`` (declared once, shared by its derived inputs)."""
    if name not in sources:
        sources[name] = plan.add_input(name, kind)
    return sources[name]


def _frame_encoder(plan, encoder, sources, origin=None):
    """:class:`~skdeep._estimators.frame.FrameEncoder`'s encoding, block by block."""
    plain, coded = [], []
    for name, kind, stats in zip(encoder.columns_, encoder.kinds_, encoder.stats_):
        source = (origin or {}).get(name, name)
        if kind == "numeric":
            raw = plan.add("column", _column_input(plan, source, "number", sources))
            mean, std, flag = stats
            scaled = plan.add("affine", raw, center=np.array([mean]), scale=np.array([std]))
            if encoder.impute:
                plain.append(plan.add("fill_nan", scaled, values=np.zeros(1)))
                if flag:
                    plain.append(plan.add("is_nan", raw))
            else:
                plain.append(scaled)
        elif kind == "bool":
            plain.append(plan.add("column", _column_input(plan, source, "number", sources)))
        else:
            text = _column_input(plan, source, "text", sources)
            codes = plan.add("codes", text, keys=tuple(str(level) for level in stats))
            if encoder.encoding == "onehot":
                plain.append(plan.add("onehot", codes, k=len(stats)))
            elif encoder.encoding == "binary":
                plain.append(plan.add("bits", codes, width=encoder._width(stats)))
            else:
                coded.append(plan.add("code1", codes))
    return plan.add("concat", *(plain + coded))


def _table_encoder(plan, encoder):
    """The tabular networks' :class:`~skdeep._estimators.table.TableEncoder`."""
    refused = {name: t for name, t in encoder.treatments_.items() if t in ("words", "date")}
    if refused:
        raise ValueError(
            f"export cannot yet compute the column(s) {sorted(map(str, refused))} "
            f"(treated as {sorted(set(refused.values()))}) inside the graph. Pass "
            "column_treatment={name: 'drop'} (or 'category') for them and refit, or "
            "derive numbers from them before the estimator."
        )
    texts = [name for name, t in encoder.treatments_.items() if t == "numeric"
             and "text" in str(encoder.notes_.get(name))]
    if texts:
        plan.notes.append(
            f"column(s) {[str(t) for t in texts]} were read from text in training; the "
            "artifact takes them as numbers (float64, NaN for missing)")
    sources = {}
    statistics = getattr(encoder, "target_statistics_", None)
    if statistics is not None:
        _target_statistics(plan, statistics, sources)
    return _frame_encoder(plan, encoder._encoder, sources)


def _target_statistics(plan, statistics, sources):
    """Each ``'target'`` column's statistics as a lookup of its text (a level's code).

    scikit-learn's TargetEncoder gives a level it did not see the overall
    target mean (the table's last entry); a missing value (text ``''``) is
    the level None when training had missing values, else unknown.
    """
    te = statistics.encoder_
    per = 1 if statistics.kind != "multiclass" else len(te.classes_)
    means = np.atleast_1d(te.target_mean_)
    for i, column in enumerate(statistics.columns):
        text = _column_input(plan, column, "text", sources)
        levels = ["" if level is None or level != level else str(level)  # missing: None, NaN
                  for level in te.categories_[i]]
        codes = plan.add("codes", text, keys=tuple(levels))
        for j, name in enumerate(statistics.names_of(column)):
            table = np.append(np.asarray(te.encodings_[i * per + j], dtype=np.float64),
                              means[j])
            sources[name] = plan.add("lookup", codes, table=table)


def _interp_table(xp, fp):
    """``np.interp``'s knots per column (``xp``: (n_knots, n_columns)), the shared values
    ``fp`` and each interval's slope (0 where two knots coincide and none is used)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.nan_to_num((fp[1:, None] - fp[:-1, None]) / (xp[1:] - xp[:-1]))
    return {"xp": xp, "fp": fp, "slope": slope}


def quantile_normal_params(quantiles, references):
    """The constants of scikit-learn's ``QuantileTransformer(output_distribution='normal')``
    transform, as the graph writers compute it.

    The uniform value is the mean of an ascending and a descending
    interpolation (``up``, ``down``: the second on ``-x``); values within
    1e-7 of the training range's ends map to 0 and 1 (``low``, ``high``);
    the uniform value is clipped to ``[p_bound, 1 - p_bound]`` before the
    normal quantile and the result to ``[z_low, z_high]``.
    """
    from scipy import stats

    bound = 1e-7 - np.spacing(1)  # scikit-learn's BOUNDS_THRESHOLD, less an ulp
    return {"up": _interp_table(quantiles, references),
            "down": _interp_table(-quantiles[::-1], -references[::-1]),
            "low": quantiles[0], "high": quantiles[-1], "p_bound": bound,
            "z_low": float(stats.norm.ppf(bound)), "z_high": float(stats.norm.ppf(1 - bound))}


def _tabular_shape(plan, est, value, encoder):
    """The tabular networks' quantile copies, robust smooth clipping and column order."""
    n_codes = len(encoder.embeddings) if encoder is not None else 0
    scaler = est._scaler
    width = len(scaler.scaled_)
    quantiles = getattr(est, "_quantiles", None)
    n_plain = width - (len(quantiles[0]) if quantiles is not None else 0)
    plain = plan.add("take", value, indices=tuple(range(n_plain)))
    if quantiles is not None:
        columns, transformer = quantiles
        picked = plan.add("take", plain, indices=tuple(int(j) for j in columns))
        copies = plan.add("quantile_normal", picked,
                          **quantile_normal_params(transformer.quantiles_,
                                                   transformer.references_))
        plain = plan.add("concat", plain, copies)
    scaled = np.flatnonzero(scaler.scaled_)
    kept = np.flatnonzero(~scaler.scaled_)
    blocks = []
    if scaled.size:
        taken = plan.add("take", plain, indices=tuple(int(j) for j in scaled))
        moved = plan.add("affine", taken, center=scaler.center_[scaled],
                         scale=scaler.scale_[scaled])
        blocks.append(plan.add("smooth_clip", moved, bound=float(scaler.clip))
                      if scaler.clip is not None else moved)
    if kept.size:
        blocks.append(plan.add("take", plain, indices=tuple(int(j) for j in kept)))
    pad = getattr(est, "_input_padding", 0)  # zero columns after the 0/1 ones
    if pad:
        blocks.append(plan.add("zeros", value, width=int(pad)))
    if n_codes:
        total = n_plain + n_codes
        blocks.append(plan.add("take", value, indices=tuple(range(n_plain, total))))
    return plan.add("concat", *blocks)


def _output_side(est):
    """Classes, members and the target's scale, as ``predict`` uses them."""
    n_out = int(est.model_.outputs[0].shape[-1])
    members = int(getattr(est, "_n_members", 1) or 1)
    if hasattr(est, "classes_"):
        binarizer = getattr(est, "_label_binarizer", None)
        multilabel = binarizer is not None and binarizer.y_type_.startswith("multilabel")
        return OutputSide("multilabel" if multilabel else "classes", n_out // members,
                          members, classes=np.asarray(est.classes_))
    center = scale = None
    if hasattr(est, "_target_center"):
        spread = np.asarray(getattr(est, "_target_spread", est._target_scale))
        scale = np.asarray(est._target_scale, float) * (spread > 0)
        center = np.asarray(est._target_center, float)
    return OutputSide("values", n_out // members, members, center=center, scale=scale)
