"""The data-only payload of :func:`skdeep.save`: JSON for the state, ``.npz`` for the arrays.

:func:`encode` turns a fitted estimator (or a Pipeline / search holding
skdeep's and scikit-learn's estimators) into a JSON-able tree and a list of
NumPy arrays of plain dtypes; :func:`decode` builds it back.  Nothing in the
file names code to run: the tree holds numbers, strings, lists, dicts,
arrays, and *objects* -- a class of skdeep or scikit-learn by name and the
state its ``__getstate__`` gave, restored with ``__new__`` and
``__setstate__``, never a constructor, a ``__reduce__`` or an arbitrary
callable -- and *functions* only from an allow-list (skdeep's model
builders, scikit-learn's metrics).  The arrays are read with
``numpy.load(..., allow_pickle=False)``.  So a crafted file can at worst
fail to load, or load an estimator with wrong numbers.

What cannot be written this way -- a Keras model function of your own, a
Keras model object, a callback instance -- raises :class:`NotDataError`
naming where it sits; :func:`skdeep.save` then writes the pickle format.
"""

import importlib
import io
import json
import math
import zipfile

import numpy as np

__all__ = ["NotDataError", "decode", "dumps", "encode", "in_modules", "read_arrays",
           "write_arrays"]

#: Modules whose classes a data file may name (instances are restored from their state).
_CLASS_MODULES = ("skdeep", "sklearn")
#: Modules whose functions a data file may name.
_FUNCTION_MODULES = ("skdeep.builders", "sklearn.metrics")


class NotDataError(TypeError):
    """Part of the estimator cannot be written as data (it is code or a live object)."""


def in_modules(module, prefixes):
    """Whether ``module`` is one of ``prefixes`` or a submodule of one."""
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _name(obj):
    return f"{obj.__module__}:{obj.__qualname__}"


def _float(x):
    if math.isfinite(x):
        return x
    return {"float": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


class _Encoder:
    def __init__(self):
        self.arrays = []

    def array(self, a, where):
        if isinstance(a, np.ma.MaskedArray):  # scikit-learn's cv_results_
            return {"masked": self.array(np.ma.getdata(a), where),
                    "mask": self.array(np.ma.getmaskarray(a), where)}
        if a.dtype.kind in "biufc" or a.dtype.kind == "U" or a.dtype == bool:
            self.arrays.append(a)  # 0-d arrays stay 0-d (savez keeps the shape)
            return {"array": len(self.arrays) - 1}
        if a.dtype == object:
            return {"objects": [self.value(v, f"{where}[...]") for v in a.ravel().tolist()],
                    "shape": list(a.shape)}
        raise NotDataError(f"{where}: an array of dtype {a.dtype} cannot be written as data")

    def value(self, v, where):
        if v is None or isinstance(v, (bool, int, str)):
            return v  # JSON keeps integers of any size
        if isinstance(v, float):
            return _float(v)
        if isinstance(v, np.ndarray):
            return self.array(v, where)
        if isinstance(v, np.generic):
            return {"scalar": v.dtype.str, "value": self.value(v.item(), where)}
        if isinstance(v, np.dtype):
            return {"dtype": v.str}
        if isinstance(v, list):
            return [self.value(x, f"{where}[{i}]") for i, x in enumerate(v)]
        if isinstance(v, tuple):
            return {"tuple": [self.value(x, f"{where}[{i}]") for i, x in enumerate(v)]}
        if isinstance(v, (set, frozenset)):
            return {"set": [self.value(x, where) for x in sorted(v, key=repr)]}
        if isinstance(v, dict):
            return {"dict": [[self.value(k, where), self.value(x, f"{where}[{k!r}]")]
                             for k, x in v.items()]}
        if isinstance(v, slice):
            return {"slice": [self.value(x, where) for x in (v.start, v.stop, v.step)]}
        if isinstance(v, np.random.RandomState):
            return {"random_state": self.value(v.get_state(legacy=True), where)}
        return self.named(v, where)

    def named(self, v, where):
        if isinstance(v, type) and in_modules(v.__module__, _CLASS_MODULES):
            return {"class": _name(v)}
        if callable(v) and not isinstance(v, type) and type(v).__name__ == "function":
            if in_modules(v.__module__, _FUNCTION_MODULES) and "<" not in v.__qualname__:
                return {"function": _name(v)}
            raise NotDataError(f"{where}: the function {v.__module__}.{v.__qualname__} is "
                               "code, not data")
        cls = type(v)
        if not in_modules(cls.__module__, _CLASS_MODULES):
            raise NotDataError(f"{where}: a {cls.__module__}.{cls.__qualname__} object is not "
                               "one of skdeep's or scikit-learn's")
        state = v.__getstate__()
        if not isinstance(state, dict):
            raise NotDataError(f"{where}: a {cls.__qualname__} keeps its state in slots")
        return {"object": _name(cls), "state": self.value(state, f"{where}.{cls.__qualname__}")}


def encode(obj):
    """``(tree, arrays)``: ``obj`` as JSON-able data and the NumPy arrays it refers to.

    Raises :class:`NotDataError` where ``obj`` holds code or a live object.
    """
    encoder = _Encoder()
    tree = encoder.value(obj, "estimator")
    return tree, encoder.arrays


def _resolve(text, prefixes, what):
    module, _, qualname = text.partition(":")
    if not in_modules(module, prefixes) or not qualname:
        raise ValueError(f"the file names {what} {text!r}, which a data file may not hold")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def decode(tree, arrays):
    """Build back what :func:`encode` wrote (``arrays`` from :func:`read_arrays`)."""

    def value(v):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [value(x) for x in v]
        if not isinstance(v, dict) or len(v) not in (1, 2):
            raise ValueError(f"the file holds an unreadable entry: {str(v)[:80]}")
        kind = next(iter(v))
        if kind == "array":
            return arrays[v["array"]]
        if kind == "masked":
            return np.ma.MaskedArray(value(v["masked"]), mask=value(v["mask"]))
        if kind == "objects":
            items = [value(x) for x in v["objects"]]
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return out.reshape(v["shape"])
        if kind == "float":
            return float(v["float"])
        if kind == "scalar":
            return np.dtype(v["scalar"]).type(value(v["value"]))
        if kind == "dtype":
            return np.dtype(v["dtype"])
        if kind == "tuple":
            return tuple(value(x) for x in v["tuple"])
        if kind == "set":
            return {value(x) for x in v["set"]}
        if kind == "dict":
            return {value(k): value(x) for k, x in v["dict"]}
        if kind == "slice":
            return slice(*(value(x) for x in v["slice"]))
        if kind == "random_state":
            rng = np.random.RandomState()
            rng.set_state(value(v["random_state"]))
            return rng
        if kind == "class":
            return _class(v["class"])
        if kind == "function":
            return _resolve(v["function"], _FUNCTION_MODULES, "the function")
        if kind == "object":
            cls = _class(v["object"])
            obj = cls.__new__(cls)
            state = value(v["state"])
            if hasattr(obj, "__setstate__"):
                obj.__setstate__(state)
            else:
                obj.__dict__.update(state)
            return obj
        raise ValueError(f"the file holds an entry of unknown kind {kind!r}")

    return value(tree)


def _class(text):
    cls = _resolve(text, _CLASS_MODULES, "the class")
    if not isinstance(cls, type):
        raise ValueError(f"the file names {text!r} as a class, but it is not one")
    return cls


def write_arrays(arrays):
    """The arrays as the bytes of one ``.npz`` (uncompressed: the archive compresses)."""
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def read_arrays(data):
    """The arrays of :func:`write_arrays`' bytes, read without unpickling anything."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return [npz[f"arr_{i}"] for i in range(len(npz.files))]
    except (ValueError, OSError, zipfile.BadZipFile, KeyError) as exc:
        raise ValueError(f"the file's arrays cannot be read as data ({exc})") from None


def dumps(tree):
    """The tree as JSON text (no NaN or infinity literals: they are encoded)."""
    return json.dumps(tree, allow_nan=False, separators=(",", ":"))
