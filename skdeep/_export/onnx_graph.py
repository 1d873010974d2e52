"""A :class:`~skdeep._export.plan.ServingPlan` as one ONNX file.

The network goes through Keras' own ``model.export(format='onnx')``; the
plan's front end and output side are written here as standard ONNX
operators (categories through ``ai.onnx.ml.LabelEncoder``) and joined to the
network's graph in front of its input and after its output, so one file
takes the raw inputs by name and returns what ``predict`` and
``predict_proba`` return. The quantile copies of the tabular networks need
the normal quantile function, which ONNX lacks; it is computed by
Wichura's algorithm AS 241 (relative error about 1e-16), whose tail branch
the copies' clipping never reaches.
"""

import os
import tempfile

import numpy as np

from .plan import class_values

__all__ = ["write_onnx", "OPSET"]

#: The ONNX opset of the exported files (onnxruntime 1.14 and later run it).
OPSET = 17

# Wichura (1988), algorithm AS 241, PPND16: numerators and denominators,
# lowest degree first, of the central region and of the first tail region.
_CENTRAL = (
    (3.387132872796366608, 133.14166789178437745, 1971.5909503065514427,
     13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
     33430.575583588128105, 2509.0809287301226727),
    (1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
     21213.794301586595867, 39307.89580009271061, 28729.085735721942674,
     5226.495278852545925),
)
_TAIL = (
    (1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055,
     3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177,
     0.0227238449892691845833, 7.7454501427834140764e-4),
    (1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
     0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4,
     1.05075007164441684324e-9),
)


def normal_quantile(p):
    """AS 241 in NumPy, for ``1e-7 <= p <= 1 - 1e-7`` (the graph computes the same)."""
    q = p - 0.5
    r = 0.180625 - q * q
    central = q * np.polyval(_CENTRAL[0][::-1], r) / np.polyval(_CENTRAL[1][::-1], r)
    s = np.sqrt(-np.log(np.minimum(p, 1 - p))) - 1.6
    tail = np.sign(q) * np.polyval(_TAIL[0][::-1], s) / np.polyval(_TAIL[1][::-1], s)
    return np.where(np.abs(q) <= 0.425, central, tail)


class _Graph:
    """Nodes and constants added under unique ``skdeep/`` names."""

    def __init__(self, helper, numpy_helper, TensorProto):
        self.helper, self.numpy_helper, self.T = helper, numpy_helper, TensorProto
        self.nodes, self.constants, self.count = [], [], 0

    def _name(self, hint):
        self.count += 1
        return f"skdeep/{hint}_{self.count}"

    def const(self, array, dtype=None):
        array = np.asarray(array, dtype=dtype)
        name = self._name("const")
        self.constants.append(self.numpy_helper.from_array(array, name))
        return name

    def f64(self, value):
        return self.const(np.asarray(value, dtype=np.float64))

    def i64(self, value):
        return self.const(np.asarray(value, dtype=np.int64))

    def __call__(self, op, *inputs, domain="", output=None, **attrs):
        name = output or self._name(op)
        self.nodes.append(self.helper.make_node(op, list(inputs), [name], name=self._name(op),
                                                domain=domain, **attrs))
        return name

    def cast(self, x, to):
        return self("Cast", x, to=to)

    def where(self, condition, yes, no):
        return self("Where", condition, yes, no)

    def poly(self, x, coefficients):
        """Horner's scheme for ``sum(c[i] * x**i)``."""
        value = self.f64(coefficients[-1])
        for c in coefficients[-2::-1]:
            value = self("Add", self("Mul", value, x), self.f64(c))
        return value


def _interp(g, x, table):
    """``np.interp`` of each column of ``x`` on its own knots (see ``plan._interp_table``)."""
    xp, fp = table["xp"], table["fp"]
    n = xp.shape[0]
    above = g.cast(g("GreaterOrEqual", g("Unsqueeze", x, g.i64([1])), g.f64(xp[None])),
                   g.T.INT64)
    j = g("Sub", g("ReduceSum", above, g.i64([1]), keepdims=0), g.i64(1))
    inner = g("Clip", j, g.i64(0), g.i64(n - 2))
    base = g("GatherElements", g.f64(xp[:-1]), inner, axis=0)
    step = g("GatherElements", g.f64(table["slope"]), inner, axis=0)
    value = g("Add", g("Mul", step, g("Sub", x, base)), g("Gather", g.f64(fp), inner))
    value = g.where(g("GreaterOrEqual", j, g.i64(n - 1)), g.f64(fp[-1]), value)
    return g.where(g("Less", j, g.i64(0)), g.f64(fp[0]), value)


def _quantile_normal(g, x, p):
    up, down = _interp(g, x, p["up"]), _interp(g, g("Neg", x), p["down"])
    u = g("Mul", g.f64(0.5), g("Sub", up, down))
    u = g.where(g("Greater", g("Add", x, g.f64(1e-7)), g.f64(p["high"])), g.f64(1.0), u)
    u = g.where(g("Less", g("Sub", x, g.f64(1e-7)), g.f64(p["low"])), g.f64(0.0), u)
    u = g("Clip", u, g.f64(p["p_bound"]), g.f64(1 - p["p_bound"]))
    q = g("Sub", u, g.f64(0.5))
    r = g("Sub", g.f64(0.180625), g("Mul", q, q))
    central = g("Div", g("Mul", q, g.poly(r, _CENTRAL[0])), g.poly(r, _CENTRAL[1]))
    s = g("Sub", g("Sqrt", g("Neg", g("Log", g("Min", u, g("Sub", g.f64(1.0), u))))),
          g.f64(1.6))
    tail = g("Mul", g("Sign", q), g("Div", g.poly(s, _TAIL[0]), g.poly(s, _TAIL[1])))
    z = g.where(g("LessOrEqual", g("Abs", q), g.f64(0.425)), central, tail)
    z = g("Clip", z, g.f64(p["z_low"]), g.f64(p["z_high"]))
    return g.where(g("IsNaN", x), x, z)


def _step(g, step, values):
    a = [values[i] for i in step.args]
    p, op, T = step.params, step.op, g.T
    if op == "input":
        return p["key"]
    if op == "column":
        return g("Reshape", a[0], g.i64([-1, 1]))
    if op == "codes":
        if not p["keys"]:
            return g("ConstantOfShape", g("Shape", a[0]),
                     value=g.numpy_helper.from_array(np.array([-1], dtype=np.int64)))
        return g("LabelEncoder", a[0], domain="ai.onnx.ml", keys_strings=list(p["keys"]),
                 values_int64s=list(range(len(p["keys"]))), default_int64=-1)
    if op == "onehot":
        return g.cast(g("Equal", g("Unsqueeze", a[0], g.i64([1])),
                        g.i64(np.arange(p["k"])[None])), T.DOUBLE)
    if op == "bits":
        code = g("Unsqueeze", g.cast(a[0], T.DOUBLE), g.i64([1]))
        powers = g.f64((2.0 ** np.arange(p["width"]))[None])
        bits = g("Mod", g("Floor", g("Div", code, powers)), g.f64(2.0), fmod=1)
        return g.where(g("Less", code, g.f64(0.0)), g.f64(0.5), bits)
    if op == "lookup":
        unknown = g.i64(len(p["table"]) - 1)
        return g("Gather", g.f64(p["table"]), g.where(g("Less", a[0], g.i64(0)), unknown, a[0]),
                 axis=0)
    if op == "code1":
        return g("Unsqueeze", g.cast(g("Add", a[0], g.i64(1)), T.DOUBLE), g.i64([1]))
    if op == "affine":
        return g("Div", g("Sub", a[0], g.f64(p["center"])), g.f64(p["scale"]))
    if op == "fill_nan":
        return g.where(g("IsNaN", a[0]), g.f64(p["values"][None]), a[0])
    if op == "is_nan":
        return g.cast(g("IsNaN", a[0]), T.DOUBLE)
    if op == "concat":
        return g("Concat", *a, axis=1) if len(a) > 1 else a[0]
    if op == "take":
        return g("Gather", a[0], g.i64(list(p["indices"])), axis=1)
    if op == "zeros":
        rows = g("Slice", g("Shape", a[0]), g.i64([0]), g.i64([1]))
        return g("ConstantOfShape", g("Concat", rows, g.i64([p["width"]]), axis=0),
                 value=g.numpy_helper.from_array(np.array([0.0])))
    if op == "smooth_clip":
        t = g("Div", a[0], g.f64(p["bound"]))
        out = g("Div", a[0], g("Sqrt", g("Add", g.f64(1.0),
                                         g("Min", g("Mul", t, t), g.f64(1e300)))))
        return g.where(g("IsInf", a[0]), g("Mul", g("Sign", a[0]), g.f64(p["bound"])), out)
    if op == "quantile_normal":
        return _quantile_normal(g, a[0], p)
    if op == "reshape":
        return g("Reshape", a[0], g.i64([0] + [-1 if d is None else int(d) for d in p["dims"]]))
    raise ValueError(f"unknown export step {op!r}")  # pragma: no cover - plan and writer agree


def _output_side(g, out, side):
    """``{name: tensor name}`` of ``predict`` / ``predict_proba``'s values."""
    T = g.T
    out = g.cast(out, T.DOUBLE)
    if side.members > 1:
        grouped = g("Reshape", out, g.i64([0, side.members, side.n_outputs]))
        out = g("ReduceMean", grouped, axes=[1], keepdims=0)
    if side.kind == "values":
        if side.scale is not None:
            out = g("Add", g("Mul", out, g.f64(side.scale)), g.f64(side.center))
        if side.n_outputs == 1:
            out = g("Reshape", out, g.i64([-1]))
        return {"prediction": out}
    classes = g.const(class_values(side.classes))
    single = len(side.classes) == 1 and side.kind == "classes"
    if single:
        proba = g("Add", g("Mul", out, g.f64(0.0)), g.f64(1.0))
    elif side.n_outputs == 1:
        proba = g("Concat", g("Sub", g.f64(1.0), out), out, axis=1)
    else:
        proba = out
    first = g("Gather", out, g.i64(0), axis=1)
    if side.kind == "multilabel":
        label = g.cast(g("Greater", out, g.f64(0.5)), T.INT64)
    elif single:
        label = g("Gather", classes, g.cast(g("Mul", first, g.f64(0.0)), T.INT64))
    elif side.n_outputs > 1:
        label = g("Gather", classes, g("ArgMax", out, axis=1, keepdims=0))
    else:
        label = g("Gather", classes, g.cast(g("Greater", first, g.f64(0.5)), T.INT64))
    return {"label": label, "probabilities": proba}


def _label_type(classes, T):
    values = class_values(classes)
    kind = values.dtype.kind
    return {"O": T.STRING, "i": T.INT64, "f": T.DOUBLE, "b": T.BOOL}.get(kind, T.DOUBLE)


def write_onnx(plan, path, metadata):
    """Save ``plan`` as an ONNX file at ``path`` with ``metadata`` (text) in it."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    with tempfile.TemporaryDirectory() as tmp:
        network_path = os.path.join(tmp, "network.onnx")
        plan.model.export(network_path, format="onnx", verbose=False, opset_version=OPSET,
                          input_signature=[plan.model.inputs[0]])
        model = onnx.load(network_path)
    graph = model.graph
    net_input, net_output = graph.input[0], graph.output[0]
    g = _Graph(helper, numpy_helper, TensorProto)
    values = []
    for step in plan.steps:
        values.append(_step(g, step, values))
    g("Cast", values[plan.result], to=net_input.type.tensor_type.elem_type,
      output=net_input.name)
    front, g.nodes = g.nodes, []
    outputs = _output_side(g, net_output.name, plan.output)
    for name, tensor in outputs.items():
        g.nodes.append(helper.make_node("Identity", [tensor], [name], name=f"skdeep/{name}"))
    nodes = front + list(graph.node) + g.nodes
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(g.constants)
    del graph.input[:]
    for raw in plan.inputs:
        dims = ["n", *("steps" if d is None else d for d in raw.shape)]
        kind = TensorProto.STRING if raw.kind == "text" else TensorProto.DOUBLE
        graph.input.append(helper.make_tensor_value_info(raw.key, kind, dims))
    del graph.output[:]
    side = plan.output
    width = side.n_outputs if side.n_outputs > 1 or side.kind == "multilabel" else None
    for name in outputs:
        kind = (_label_type(side.classes, TensorProto) if name == "label"
                and side.kind == "classes" else
                TensorProto.INT64 if name == "label" else TensorProto.DOUBLE)
        dims = ["n"] if (name != "probabilities" and width is None) or (
            name == "label" and side.kind == "classes") else ["n", "k"]
        graph.output.append(helper.make_tensor_value_info(name, kind, dims))
    if not any(o.domain == "ai.onnx.ml" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("ai.onnx.ml", 2))
    helper.set_model_props(model, {"skdeep": metadata})
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
