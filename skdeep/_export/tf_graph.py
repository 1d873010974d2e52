"""A :class:`~skdeep._export.plan.ServingPlan` as a TensorFlow SavedModel.

The network goes through Keras' own ``model.export(format='tf_saved_model')``
(on the JAX backend too: Keras converts it), is loaded back as a plain
TensorFlow object, and is called inside one ``tf.function`` between the
plan's front end and output side, written here in TensorFlow operations.
The result is saved with a ``serving_default`` signature whose inputs are
the plan's raw inputs by name.
"""

import tempfile


from .plan import class_values

__all__ = ["write_saved_model"]


def _codes(tf, text, keys):
    if not keys:
        return tf.fill(tf.shape(text), tf.constant(-1, tf.int64))
    match = tf.equal(text[:, None], tf.constant(list(keys))[None, :])
    first = tf.argmax(tf.cast(match, tf.int32), axis=1, output_type=tf.int64)
    return tf.where(tf.reduce_any(match, axis=1), first, tf.constant(-1, tf.int64))


def _interp(tf, x, table):
    """``np.interp`` of each column of ``x`` on its own knots (see ``plan._interp_table``)."""
    xp, fp = table["xp"], table["fp"]
    n = xp.shape[0]
    xp_t, fp_t = tf.constant(xp), tf.constant(fp)
    j = tf.reduce_sum(tf.cast(x[:, None, :] >= xp_t[None], tf.int64), axis=1) - 1
    inner = tf.clip_by_value(j, 0, n - 2)
    cols = tf.range(xp.shape[1], dtype=tf.int64)[None, :] + tf.zeros_like(inner)
    at = tf.stack([inner, cols], axis=-1)
    value = (tf.gather_nd(tf.constant(table["slope"]), at) * (x - tf.gather_nd(xp_t, at))
             + tf.gather(fp_t, inner))
    return tf.where(j < 0, fp[0], tf.where(j >= n - 1, fp[-1], value))


def _quantile_normal(tf, x, p):
    """scikit-learn's ``QuantileTransformer(output_distribution='normal').transform``."""
    u = 0.5 * (_interp(tf, x, p["up"]) - _interp(tf, -x, p["down"]))
    u = tf.where(x + 1e-7 > p["high"], tf.ones_like(u), u)
    u = tf.where(x - 1e-7 < p["low"], tf.zeros_like(u), u)
    z = tf.math.ndtri(tf.clip_by_value(u, p["p_bound"], 1 - p["p_bound"]))
    z = tf.clip_by_value(z, p["z_low"], p["z_high"])
    return tf.where(tf.math.is_nan(x), x, z)


def _step(tf, step, values, inputs):
    """The TensorFlow value of one plan step."""
    a = [values[i] for i in step.args]
    p = step.params
    op = step.op
    if op == "input":
        return inputs[p["key"]]
    if op == "column":
        return tf.reshape(a[0], [-1, 1])
    if op == "codes":
        return _codes(tf, a[0], p["keys"])
    if op == "onehot":
        return tf.cast(tf.equal(a[0][:, None], tf.range(p["k"], dtype=tf.int64)[None, :]),
                       tf.float64)
    if op == "bits":
        bits = tf.bitwise.bitwise_and(
            tf.bitwise.right_shift(a[0][:, None], tf.range(p["width"], dtype=tf.int64)), 1)
        return tf.where(a[0][:, None] < 0, tf.constant(0.5, tf.float64), tf.cast(bits, tf.float64))
    if op == "code1":
        return tf.cast(a[0] + 1, tf.float64)[:, None]
    if op == "lookup":
        unknown = tf.constant(len(p["table"]) - 1, tf.int64)
        return tf.gather(tf.constant(p["table"]), tf.where(a[0] < 0, unknown, a[0]))
    if op == "affine":
        return (a[0] - p["center"]) / p["scale"]
    if op == "fill_nan":
        return tf.where(tf.math.is_nan(a[0]), p["values"] + tf.zeros_like(a[0]), a[0])
    if op == "is_nan":
        return tf.cast(tf.math.is_nan(a[0]), tf.float64)
    if op == "concat":
        return tf.concat(a, axis=1) if len(a) > 1 else a[0]
    if op == "take":
        return tf.gather(a[0], list(p["indices"]), axis=1)
    if op == "zeros":
        return tf.zeros(tf.stack([tf.shape(a[0])[0], p["width"]]), tf.float64)
    if op == "smooth_clip":
        t = a[0] / p["bound"]
        out = a[0] / tf.sqrt(1.0 + tf.minimum(t * t, 1e300))
        return tf.where(tf.math.is_inf(a[0]), tf.sign(a[0]) * p["bound"], out)
    if op == "quantile_normal":
        return _quantile_normal(tf, a[0], p)
    if op == "reshape":
        dims = [-1 if d is None else int(d) for d in p["dims"]]
        return tf.reshape(a[0], tf.concat([tf.shape(a[0])[:1], dims], axis=0))
    raise ValueError(f"unknown export step {op!r}")  # pragma: no cover - plan and writer agree


def output_side(tf, out, side):
    """``{name: tensor}`` that ``predict`` / ``predict_proba`` return, from the network's output."""
    out = tf.cast(out, tf.float64)
    if side.members > 1:
        out = tf.reduce_mean(tf.reshape(out, [-1, side.members, side.n_outputs]), axis=1)
    if side.kind == "values":
        if side.scale is not None:
            out = out * side.scale + side.center
        return {"prediction": tf.reshape(out, [-1]) if side.n_outputs == 1 else out}
    classes = tf.constant(class_values(side.classes))
    single = len(side.classes) == 1 and side.kind == "classes"
    if single:
        proba = tf.ones_like(out)
    elif side.n_outputs == 1:
        proba = tf.concat([1.0 - out, out], axis=1)
    else:
        proba = out
    if side.kind == "multilabel":
        label = tf.cast(out > 0.5, tf.int64)
    elif single:
        label = tf.gather(classes, tf.zeros_like(out[:, 0], dtype=tf.int64))
    elif side.n_outputs > 1:
        label = tf.gather(classes, tf.argmax(out, axis=1))
    else:
        label = tf.gather(classes, tf.cast(out[:, 0] > 0.5, tf.int64))
    return {"label": label, "probabilities": proba}


def write_saved_model(plan, path):
    """Save ``plan`` as a SavedModel directory at ``path``."""
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as tmp:
        plan.model.export(tmp, format="tf_saved_model", verbose=False)
        network = tf.saved_model.load(tmp)
    net_dtype = tf.as_dtype(plan.model.inputs[0].dtype)
    specs = [tf.TensorSpec((None, *raw.shape), tf.string if raw.kind == "text" else tf.float64,
                           name=raw.key) for raw in plan.inputs]

    def serve(*args):
        inputs = {raw.key: arg for raw, arg in zip(plan.inputs, args)}
        values = []
        for step in plan.steps:
            values.append(_step(tf, step, values, inputs))
        return output_side(tf, network.serve(tf.cast(values[plan.result], net_dtype)),
                           plan.output)

    module = tf.Module()
    module.network = network
    module.serve = tf.function(serve, input_signature=specs)
    # a served model is never differentiated; the JAX backend's conversion
    # records custom gradients that cannot be saved a second time
    options = tf.saved_model.SaveOptions(experimental_custom_gradients=False)
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve},
                        options=options)
