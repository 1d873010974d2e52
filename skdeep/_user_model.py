"""The user's own Keras model as skdeep's network: call it, probe it, wrap it.

Pure network code (no estimator): :func:`instantiate_model` calls the user's
model function with the arguments it names (or clones a model),
:func:`build_user_network` wraps the result for the engine --
``input -> user model -> ToLogits('output') -> Activation('output_activation')``
-- and :func:`probe` reads its output width and final activation, cached.
:class:`~skdeep.KerasClassifier` / :class:`~skdeep.KerasRegressor` build on it.
"""

import collections
import contextlib
import inspect
import random
import threading

import numpy as np

from ._backend import load, precision
from ._keras_losses import check_loss_arguments

__all__ = ["CompileArgs", "Unkeyed", "asks_for", "build_user_network", "freeze",
           "instantiate_model", "probe", "published", "thaw"]

_dtype_lock = threading.RLock()


@contextlib.contextmanager
def _global_random_kept():
    """Leave Python's and NumPy's global random states as they were.

    Keras draws the seeds of layers built without one (``Dropout(0.2)``,
    ``GaussianNoise``) from Python's global ``random``, and a user's model
    function may draw from NumPy's: a seeded fit must not move the user's
    random streams.
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


class _FrozenDict(tuple):
    """A dict as sorted ``(key, value)`` pairs: hashable, and a dict again by :func:`thaw`."""


class _FrozenList(tuple):
    """A list as a tuple: hashable, and a list again by :func:`thaw`."""


class _FrozenArray(tuple):
    """An array as nested tuples: hashable, and an array again by :func:`thaw`."""


class Unkeyed:
    """A model-function argument left out of cache keys and architecture checks.

    scikeras' ``compile_kwargs`` and ``params`` feed only a ``compile()``
    (which skdeep does not use for training): a change of learning rate or
    ``max_iter`` must not rebuild the network or refuse a warm start.
    :func:`thaw` gives the function :meth:`materialize`'s value.
    """

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self).__name__)

    def __repr__(self):
        return f"{type(self).__name__}(...)"

    def __getstate__(self):
        return self.value

    def __setstate__(self, value):
        self.value = value

    def materialize(self):
        """The argument's value for one call of the model function."""
        return dict(self.value) if isinstance(self.value, dict) else self.value


class CompileArgs(Unkeyed):
    """scikeras' ``compile_kwargs``: a fresh Keras optimizer per call, the loss, the metrics.

    ``value`` is ``{'optimizer': factory, 'loss': ..., 'metrics': ...}``; the
    factory (picklable, no arguments) returns a new Keras optimizer, or None
    for L-BFGS, which Keras lacks.
    """

    __slots__ = ()

    def materialize(self):
        """``{'optimizer': keras optimizer or None (L-BFGS), 'loss': ..., 'metrics': ...}``."""
        optimizer = self.value["optimizer"]()
        if optimizer is not None:
            # a model compiled with it chose the wrapper's own settings (see
            # compiled_optimizer: probes are cached across learning rates)
            optimizer._skdeep_compile_kwargs = True
        metrics = self.value["metrics"]
        return {"optimizer": optimizer, "loss": self.value["loss"],
                "metrics": list(metrics) if isinstance(metrics, (list, tuple)) else metrics}


class OwnBuild:
    """scikeras' ``_keras_build_fn`` method of a wrapper subclass, as a model function.

    Calling it makes a parameter-only copy of the estimator (its class, its
    ``get_params(deep=False)``, the fit's ``meta`` as attributes such as
    ``n_features_in_`` and ``target_type_``) and calls the method on it, so
    the network is rebuilt from what the estimator was when it was fitted,
    never from the live estimator, and the spec pickles without it.

    Two builds are equal (one cache key, one architecture) when the class,
    the subclass' own parameters (``keyed``) and ``meta`` are; skdeep's
    training parameters enter no key.
    """

    __name__ = "_keras_build_fn"

    def __init__(self, cls, params, keyed, meta):
        self.cls = cls
        self.params = Unkeyed(dict(params))
        self.keyed = tuple(sorted((k, freeze(params[k])) for k in keyed if k in params))
        self.meta = freeze(dict(meta))

    def _key(self):
        return (self.cls, self.keyed, self.meta)

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return f"{self.cls.__name__}._keras_build_fn"

    @property
    def __signature__(self):
        method = inspect.signature(self.cls._keras_build_fn)
        return method.replace(parameters=list(method.parameters.values())[1:])

    def __call__(self, **kwargs):
        estimator = self.cls.__new__(self.cls)
        for name, value in self.params.value.items():
            setattr(estimator, name, value)
        for name, value in thaw(self.meta).items():
            setattr(estimator, name, value)
        before = set(vars(estimator))
        built = estimator._keras_build_fn(**kwargs)
        # what the method set on self (scikeras' tutorials keep models sharing the
        # built one's layers there): kept with the model, for the estimator
        published = {k: v for k, v in vars(estimator).items() if k not in before}
        if published:
            object.__setattr__(built, PUBLISHED, published)  # not tracked by Keras
        return built


#: Attribute of a model built by :class:`OwnBuild` holding what the build set on self.
PUBLISHED = "_skdeep_published"


def published(model):
    """``{name: value}`` that an :class:`OwnBuild` set on its estimator copy while
    building ``model`` or a model nested in it (its first layer that has them)."""
    for layer in [model, *getattr(model, "layers", ())]:
        found = vars(layer).get(PUBLISHED)
        if found:
            return found
    return {}


def asks_for(model, name):
    """Whether the model function names ``name`` or takes ``**kwargs`` (scikeras' rule)."""
    _, keras = load()
    if model is None or isinstance(model, keras.Model) or not callable(model):
        return False
    try:
        parameters = inspect.signature(model).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def freeze(value):
    """A hashable stand-in for a parameter value, undone by :func:`thaw`.

    Dicts, lists and arrays become tuples of a subclass that remembers what
    they were, so the model function gets the dict, list or array it was
    given (``{'activation': 'relu'}``, not ``(('activation', 'relu'),)``).
    """
    if isinstance(value, dict):
        return _FrozenDict(sorted(((k, freeze(v)) for k, v in value.items()),
                                  key=lambda item: repr(item[0])))
    if isinstance(value, list):
        return _FrozenList(freeze(v) for v in value)
    if isinstance(value, tuple) and not isinstance(value, (_FrozenDict, _FrozenList,
                                                           _FrozenArray)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, np.ndarray):
        return _FrozenArray(freeze(v) for v in value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def thaw(value):
    """The value :func:`freeze` stood in for."""
    if isinstance(value, _FrozenDict):
        return {k: thaw(v) for k, v in value}
    if isinstance(value, Unkeyed):
        return value.materialize()
    if isinstance(value, _FrozenList):
        return [thaw(v) for v in value]
    if isinstance(value, _FrozenArray):
        return np.array([thaw(v) for v in value])
    if isinstance(value, tuple):
        return tuple(thaw(v) for v in value)
    return value


def instantiate_model(model, call_kwargs, name="KerasClassifier"):
    """Return a fresh Keras model from ``model``.

    Parameters
    ----------
    model : callable or keras.Model
        A function returning a Keras model, called with the entries of
        ``call_kwargs`` that it names (all of them if it takes ``**kwargs``),
        or a model, which is cloned (fresh layers, same configuration).
    call_kwargs : dict
        Available arguments: ``meta`` (a dict), the shapes, routed
        ``model__`` parameters.
    name : str, default='KerasClassifier'
        Estimator name for error messages.

    Returns
    -------
    keras.Model
    """
    _, keras = load()
    if model is None:
        raise ValueError(
            f"{name} needs model=: a function that returns a Keras model (it may take "
            "n_features_in, input_shape, n_outputs, n_classes, meta, ...) or a Keras model."
        )
    if isinstance(model, keras.Model):
        return keras.models.clone_model(model)
    if not callable(model):
        raise ValueError(
            f"model must be a function returning a Keras model, or a Keras model; got "
            f"{type(model).__name__}."
        )
    try:
        parameters = inspect.signature(model).parameters
    except (TypeError, ValueError):
        parameters = {}
    takes_all = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    args = {k: v for k, v in call_kwargs.items() if takes_all or k in parameters}
    routed = [k for k in call_kwargs.get("_routed", ()) if k not in args]
    if routed:
        raise ValueError(
            f"model{_signature_text(model)} takes no argument(s) {routed}, given in "
            "model_params (a constructor keyword the estimator does not take goes there, "
            "as in scikeras: check its spelling)."
        )
    missing = [
        p.name for p in parameters.values()
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and p.name not in args
    ]
    if missing:
        available = sorted(k for k in call_kwargs if not k.startswith("_"))
        raise ValueError(
            f"model{_signature_text(model)} needs {missing}, which skdeep cannot "
            f"supply; it can pass {available}, and the entries of {name}'s "
            "model_params."
        )
    args.pop("_routed", None)
    built = model(**{k: thaw(v) for k, v in args.items()})
    if not isinstance(built, keras.Model):
        raise ValueError(
            f"model must return a keras.Model, but it returned {type(built).__name__}."
        )
    return built


def _instantiate_as(model, kwargs, dtype, name="KerasClassifier"):
    """:func:`instantiate_model` with Keras' default dtype set to ``dtype``.

    Layers the function creates without a ``dtype`` then compute in the
    data's precision, as the built-in networks do (float64 data stay float64).
    """
    _, keras = load()
    with _dtype_lock, precision(dtype), _global_random_kept():
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(dtype)
        try:
            return instantiate_model(model, kwargs, name)
        finally:
            keras.config.set_dtype_policy(previous)


def _signature_text(model):
    try:
        return f" {getattr(model, '__name__', '')}{inspect.signature(model)}"
    except (TypeError, ValueError):
        return ""


def _final_activation(model):
    """Name of the activation ending ``model`` ('softmax', 'sigmoid', ... or 'linear')."""
    heads = _output_layers(model) if getattr(model, "layers", None) else None
    if heads and len(heads) > 1:  # joined by _one_output: one activation for all
        return _final_activation(heads[0])
    layer = model.layers[-1] if getattr(model, "layers", None) else model
    if heads and len(heads) == 1:
        layer = heads[0]  # a functional model's output layer (not always its last)
    if layer is not model and getattr(layer, "layers", None):
        return _final_activation(layer)  # a model nested as the last layer
    if type(layer).__name__ == "Softmax":
        return "softmax"
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None)
    return {"exponential": "exp"}.get(name, name or "linear")


def _model_inputs(inputs, parts):
    """What the user's model is called on: ``inputs``, or its columns cut into several
    inputs of sample shapes ``parts`` (a feature encoder's list of arrays)."""
    if not parts:
        return inputs
    from .layers import SplitFeatures

    return SplitFeatures(parts, dtype=inputs.dtype, name="split_features")(inputs)


def build_user_network(model, call_kwargs, input_shape, dtype, link, output_activation,
                       input_parts=None):
    """Wrap the user's model for the engine.

    ``input -> model -> ToLogits(link) named 'output' -> output activation``.

    Parameters
    ----------
    model : callable or keras.Model
        See :func:`instantiate_model`.
    call_kwargs : tuple of (str, object) pairs
        Frozen keyword arguments for ``model``.
    input_shape : tuple of int
        Shape of one sample.
    dtype : str
        Dtype of the input and of the wrapper's layers.
    link : {'identity', 'softmax', 'sigmoid', 'log'} or tuple
        The user model's final activation that :class:`~skdeep.layers.ToLogits`
        inverts; a tuple (one per output) keeps a model's several outputs
        apart as output groups, side by side in the network's output.
    output_activation : str or tuple
        A key of :data:`~skdeep.builders.ACTIVATIONS` (a tuple with ``link``'s).
    input_parts : tuple of tuple of int, default=None
        For a model with several inputs: the sample shape of each, whose
        columns lie side by side in the input (see
        :class:`~skdeep.layers.SplitFeatures`).

    Returns
    -------
    keras.Model
    """
    _, keras = load()
    from .layers import GroupActivation, ToLogits, keras_activation

    kwargs = dict(call_kwargs)
    kwargs["meta"] = dict(thaw(kwargs["meta"]))
    inner = _instantiate_as(model, kwargs, dtype)
    inputs = keras.Input(tuple(input_shape), dtype=dtype, name="input")
    grouped = isinstance(link, tuple)
    out = _call_user_model(inner, _model_inputs(inputs, input_parts), input_shape,
                           "The estimator", join=not grouped)
    if not grouped:
        logits = ToLogits(link, dtype=dtype, name="output")(out)
        outputs = keras.layers.Activation(
            keras_activation(output_activation), dtype=dtype, name="output_activation"
        )(logits)
        return keras.Model(inputs, outputs, name="wrapped")
    # output groups: each output's scores side by side, then each its activation
    outs = _outputs_list(out)
    scores = [ToLogits(group_link, dtype=dtype, name=f"scores_{i}")(o)
              for i, (o, group_link) in enumerate(zip(outs, link))]
    logits = keras.layers.Concatenate(dtype=dtype, name="output")(scores)
    outputs = GroupActivation([int(o.shape[-1]) for o in outs], list(output_activation),
                              dtype=dtype, name="output_activation")(logits)
    return keras.Model(inputs, outputs, name="wrapped")


_OUTPUTS_MESSAGE = "The model's outputs"


def _output_layers(model):
    """The layers producing a functional model's outputs (in order), or None."""
    names = getattr(model, "output_names", None)
    try:
        return [model.get_layer(n) for n in names] if names else None
    except ValueError:
        return None


def _one_output(out, model, name):
    """The model's output as one tensor: a one-element list unwrapped, several 2-D
    outputs with one final activation concatenated (a multi-output regressor's heads,
    a multilabel classifier's sigmoid units); a ValueError otherwise."""
    if isinstance(out, dict):
        out = list(out.values())
    if not isinstance(out, (list, tuple)):
        return out
    if len(out) == 1:
        return out[0]
    _, keras = load()
    layers = _output_layers(model) or []
    activations = {_final_activation(layer) for layer in layers}
    if (len(layers) == len(out) and all(len(o.shape) == 2 for o in out)
            and len(activations) == 1 and activations <= {"linear", "sigmoid", "exp"}):
        return keras.layers.Concatenate(axis=-1)(list(out))
    raise ValueError(
        f"{_OUTPUTS_MESSAGE} ({len(out)}) cannot be read as one: {name} joins several "
        "outputs when each is 2-D (batch, units) and all end in the same linear, sigmoid "
        "or exponential activation (a multi-output regressor, a multilabel classifier). "
        "Concatenate them in the model, or give it one output."
    )


def _outputs_list(out):
    """A model's outputs as a list (a dict's in its order)."""
    if isinstance(out, dict):
        return list(out.values())
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _call_user_model(model, inputs, input_shape, name, join=True):
    """Call the user's model on a symbolic input (its outputs joined into one unless
    ``join`` is False); its shape errors say which shapes."""
    import re

    try:
        with _global_random_kept():
            out = model(inputs)
            return _one_output(out, model, name) if join else out
    except (ValueError, TypeError) as exc:
        if str(exc).startswith(_OUTPUTS_MESSAGE):
            raise
        text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # Keras colours its messages
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        detail = next((line for line in lines if "shape" in line and "Exception" not in line),
                      lines[0] if lines else type(exc).__name__)
        raise ValueError(
            f"{name}'s model cannot take samples of shape {tuple(input_shape)} (X has shape "
            f"(n_samples, {', '.join(str(d) for d in input_shape)})): "
            f"{detail.rstrip('.')}. Build the model for the shape it is given -- a model "
            "function may take input_shape or n_features_in -- or pass X in the shape the "
            "model expects."
        ) from None


_probes = collections.OrderedDict()
_probes_lock = threading.Lock()


def loss_name(loss):
    """A loss's name: the string itself, a Keras loss object's ``name``, a function's
    ``__name__``, else its class name."""
    if isinstance(loss, str):
        return loss
    if isinstance(loss, type):  # a class, as scikeras takes it (built at fit)
        return loss.__name__
    return (getattr(loss, "name", None) or getattr(loss, "__name__", None)
            or type(loss).__name__)


def compiled_loss(model):
    """The loss ``model`` was compiled with, by name (one name for all outputs), or
    None when it was not compiled with one; a tuple of names when outputs differ."""
    if not getattr(model, "compiled", False) or getattr(model, "loss", None) is None:
        return None
    losses = model.loss
    if isinstance(losses, dict):
        losses = list(losses.values())
    if isinstance(losses, str) or not hasattr(losses, "__len__"):
        losses = [losses]
    names = []
    for loss in losses:
        name = loss_name(loss)
        if name not in names:
            names.append(name)
    return names[0] if len(names) == 1 else tuple(names)


def compiled_losses(model, n_outputs):
    """The losses ``model`` was compiled with, one per output (a single loss given for
    all of them repeated), or None when it was not compiled with a loss."""
    if not getattr(model, "compiled", False) or getattr(model, "loss", None) is None:
        return None
    losses = model.loss
    if isinstance(losses, dict):
        names = list(getattr(model, "output_names", None) or losses)
        losses = [losses.get(n) for n in names]
    if isinstance(losses, str) or not isinstance(losses, (list, tuple)):
        losses = [losses] * n_outputs
    return list(losses)


def compiled_optimizer(model):
    """``(kind, learning rate, config)`` of the optimizer ``model`` was compiled with
    (the kind lower-case, 'rmsprop'; the rate None for a schedule; its Keras
    ``get_config()``), or None.

    Keras' own default -- ``compile(loss=...)`` without an optimizer gives
    ``RMSprop(0.001)`` -- counts as none: the model chose no optimizer; so
    does the optimizer of scikeras' ``compile_kwargs`` (the wrapper's own)."""
    optimizer = getattr(model, "optimizer", None) if getattr(model, "compiled", False) else None
    if (optimizer is None or not hasattr(optimizer, "get_config")
            or getattr(optimizer, "_skdeep_compile_kwargs", False)):
        return None
    config = optimizer.get_config()
    rate = config.get("learning_rate")
    rate = float(f"{rate:.7g}") if isinstance(rate, (int, float)) else None
    kind = type(optimizer).__name__.lower()
    if (kind == "rmsprop" and rate == 0.001 and not config.get("momentum")
            and not config.get("centered")):
        return None
    return kind, rate, config


def probe(model, call_kwargs, input_shape, name, input_parts=None, grouped=False):
    """``(output width, final activation, compiled loss, compiled optimizer, names
    the build set on the estimator)`` of the user's model, cached (by
    :func:`compiled_loss` and :func:`compiled_optimizer`).

    With ``grouped`` the model's outputs stay apart: the width and final
    activation are tuples (one per output) and the compiled loss a list of
    one per output (:func:`compiled_losses`), or None.
    """
    key = (model, call_kwargs, input_shape, input_parts, grouped)
    with _probes_lock:
        if key in _probes:
            _probes.move_to_end(key)
            return _probes[key]
    _, keras = load()
    kwargs = dict(call_kwargs)
    kwargs["meta"] = dict(thaw(kwargs["meta"]))
    inner = _instantiate_as(model, kwargs, dict(kwargs["meta"])["X_dtype_"], name)
    out = _call_user_model(inner, _model_inputs(keras.Input(input_shape), input_parts),
                           input_shape, name, join=not grouped)
    outs = _outputs_list(out) if grouped else [out]
    if any(isinstance(o, (list, tuple, dict)) or len(o.shape) != 2 for o in outs):
        shape = getattr(out, "shape", None)
        raise ValueError(
            f"{name}'s model must map a batch of samples to one 2-D output (batch, units); "
            f"given samples of shape {tuple(input_shape)} it returned "
            f"{'shape ' + str(tuple(shape)) if shape is not None else type(out).__name__}. "
            "End it with a Dense layer (add Flatten or pooling before it for images and "
            "sequences)."
        )
    if getattr(inner, "compiled", False) and getattr(inner, "loss", None) is not None:
        losses = inner.loss
        check_loss_arguments(list(losses.values()) if isinstance(losses, dict) else losses)
    if grouped:
        heads = _output_layers(inner) or []
        finals = tuple(_final_activation(h) for h in heads) if len(heads) == len(outs) else (
            (_final_activation(inner),) * len(outs))
        result = (tuple(int(o.shape[-1]) for o in outs), finals, compiled_losses(inner, len(outs)),
                  compiled_optimizer(inner), tuple(sorted(published(inner))))
    else:
        result = (int(out.shape[-1]), _final_activation(inner), compiled_loss(inner),
                  compiled_optimizer(inner), tuple(sorted(published(inner))))
    with _probes_lock:
        _probes[key] = result
        while len(_probes) > 32:
            _probes.popitem(last=False)
    return result


#: the engines trace a user's model with autograph (Python branches on tensors)
build_user_network.runs_user_code = True
