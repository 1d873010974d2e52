"""A fit's view of its cohort: :class:`MemberEngine`, and which fits may join one.

A member has the host API of a compiled engine (see
:class:`skdeep._engine.protocol.Engine`), so the fit's own epoch loop drives
it unchanged; its ``train_epoch`` waits at the session's barrier while the
cohort's program trains every member at once.
"""

import collections
import random
import threading

import numpy as np

from .._activations import ACTIVATIONS as _NAMES
from .._activations import NUMPY_ACTIVATIONS, THRESHOLD_ACTIVATIONS, dense_forward
from .._backend import load
from .._engine.backend import current
from .._engine.core import compact
from .._engine.objective import NumpyOps, objective
from .._engine.spec import make_optimizer
from ..builders import build_mlp
from .program import BN_EPSILON, Variant, slot_names

__all__ = ["ACTIVATIONS", "MemberEngine", "data_dtype", "groupable", "side_by_side",
           "spec_key"]

#: Hidden activations a cohort trains: every one skdeep offers but softmax (it
#: would mix a member's units with the cohort's padding) and the threshold units.
ACTIVATIONS = tuple(a for a in _NAMES if a not in THRESHOLD_ACTIVATIONS and a != "softmax")
#: Solvers whose update the cohort program applies (Keras' formulas).
SOLVERS = ("adam", "sgd", "rmsprop", "adagrad")

_layouts = collections.OrderedDict()  # spec -> (paths, initial values, slot start)
_layouts_lock = threading.Lock()


def groupable(estimator, dtype=None):
    """Whether a fit of ``estimator`` (by its parameters) can train in a cohort.

    The estimator says whether it is a dense network the cohort program
    computes exactly (``_cohort_eligible``: skdeep's MLPs without batch norm,
    n_init, callbacks, warm starts, ...); fits with scikit-learn callbacks
    are left out too.  Any other estimator (scikit-learn's, skdeep's other
    families) is not.  With ``dtype`` (the data's, :func:`data_dtype`), a fit
    that would compute in float64 where the backend's cohort programs cannot
    (JAX outside its 64-bit mode) is not either, nor does it train side by
    side (:func:`side_by_side`): scikit-learn's pass fits it as it would alone.
    """
    eligible = getattr(estimator, "_cohort_eligible", None)
    if not (eligible is not None and eligible(ACTIVATIONS)
            and not getattr(estimator, "_skl_callbacks", None)):
        return False
    return dtype is None or _programs_compute(estimator._compute_dtype(np.dtype(dtype)))


def _programs_compute(dtype):
    """Whether the backend's cohort programs compute in ``dtype`` (JAX's are 32-bit
    outside its 64-bit mode)."""
    return np.dtype(dtype) != np.float64 or current().float64_programs


def data_dtype(X):
    """The float dtype a network's input validation gives ``X``.

    float32 data (an array, or a frame whose columns are all float32) stays
    float32; anything else (float64, integers, mixed frames, lists) becomes
    float64.  For a pipeline this is its input's, which a scaler keeps.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep._cohort.member import data_dtype
    >>> data_dtype(np.zeros((2, 3), np.float32)), data_dtype([[1, 2]])
    (dtype('float32'), dtype('float64'))
    """
    dtypes = getattr(X, "dtypes", None)  # a pandas frame's column dtypes
    kinds = list(dtypes) if dtypes is not None and not isinstance(dtypes, np.dtype) else [
        getattr(X, "dtype", None)]
    try:
        single = kinds and all(np.dtype(k) == np.float32 for k in kinds)
    except TypeError:  # pandas' own dtypes, None
        single = False
    return np.dtype(np.float32 if single else np.float64)


def side_by_side(estimator):
    """Whether a fit that cannot join a cohort may train beside others in a thread.

    skdeep's own networks (MLPs that cannot be grouped, CNN, RNN and tabular
    networks) without Keras or scikit-learn callbacks, ``n_init`` restarts
    (they train in a cohort of their own) or devices of their own
    (``distribution``).  Not the Keras wrappers: a user's model code may
    touch Keras' process-wide state (``keras.backend.clear_session()``).
    """
    from .._estimators.base import BaseNeuralEstimator
    from .._estimators.wrapper import _BaseKerasWrapper

    if not isinstance(estimator, BaseNeuralEstimator) or isinstance(estimator, _BaseKerasWrapper):
        return False
    p = estimator.get_params(deep=False)
    # not a dense MLP kept out of cohorts only by float64 data on JAX: one fit at
    # a time reuses one compiled engine per architecture, where two threads would
    # each compile their own (0.3-0.5 s, for fits of a few milliseconds)
    return (not groupable(estimator) and not p.get("callbacks")
            and p.get("n_init", 1) == 1 and p.get("distribution") is None
            and not getattr(estimator, "_skl_callbacks", None))


def spec_key(spec):
    """The program family of ``spec`` (None when it cannot train in a cohort).

    Members of one family share a program: the same depth, activations,
    loss, optimizer settings, dtype, output width and batch norm (or none).  Widths, dropout and
    DropConnect rates, penalties and the gradient-norm rule may differ.
    """
    kw = dict(spec.builder_kwargs)
    if (
        spec.builder is not build_mlp or isinstance(spec.loss, tuple)
        or spec.optimizer[0] not in SOLVERS or kw.get("sparse")
        or kw.get("embeddings")
        or kw["activation"] not in ACTIVATIONS
        or kw["output_activation"] not in _NAMES
        or kw["output_activation"] in THRESHOLD_ACTIVATIONS
    ):
        return None
    if not _programs_compute(spec.dtype):
        return None
    return (len(kw["hidden_layer_sizes"]), kw["activation"], kw["output_activation"], spec.loss,
            spec.optimizer, spec.dtype, spec.n_outputs, bool(kw.get("batch_normalization")))


def _variant(spec):
    """What ``spec``'s network needs of the program (see :data:`~.program.Variant`)."""
    kw = dict(spec.builder_kwargs)
    depth = len(kw["hidden_layer_sizes"])

    def present(name):
        rates = np.broadcast_to(np.asarray(kw.get(name, 0.0), dtype=float), (depth,))
        return tuple(bool(r > 0) for r in rates)

    return Variant("l1" in spec.penalties, "activity" in spec.penalties, present("dropout"),
                   present("dropconnect"), bool(spec.track_grad_norm))


def _layout(spec):
    """``(paths, initial values, first slot value)`` of ``spec``'s Keras model.

    Built once per spec (a few hundredths of a second), so a member's
    variables are exactly those of the engine it stands in for, in its order.
    """
    with _layouts_lock:
        found = _layouts.get(spec)
        if found is None:
            _, keras = load()
            state = random.getstate()  # Keras draws default seeds from Python's random
            try:
                model = spec.build()
            finally:
                random.setstate(state)
            optimizer = make_optimizer(keras, spec.optimizer)
            found = ([v.path for v in model.variables],
                     [compact(np.asarray(v.value)) for v in model.variables],
                     float(getattr(optimizer, "initial_accumulator_value", 0.0)))
            _layouts[spec] = found
            while len(_layouts) > 64:
                _layouts.popitem(last=False)
        _layouts.move_to_end(spec)
        return found


def _activation(name):
    """The activation as a NumPy function (Keras' own, run eagerly, where NumPy has none)."""
    if name in NUMPY_ACTIVATIONS:
        return NUMPY_ACTIVATIONS[name]
    from ..layers import keras_activation

    _, keras = load()
    fn = keras.activations.get(keras_activation(name))
    return lambda z: np.asarray(fn(keras.ops.convert_to_tensor(z)))


def _places(paths, depth):
    """Where each variable lives in the cohort: ``(trainable, columns)``.

    Kernels, biases and batch norm's gamma and beta are the flat parameters
    (``trainable``: their indices in layer order); ``columns`` maps the
    others to ``(kind, column)``: a rate and the seed state after it to the
    column of its layer (dropout: the layer's index; DropConnect, whose layer
    is ``hidden_<i>`` or, before batch norm, ``dense_<i>``: depth + index), a
    moving mean or variance to its layer's index.
    """
    trainable, columns, column = [], {}, None
    for i, path in enumerate(paths):
        name, leaf = path.rsplit("/", 1)
        if leaf in ("kernel", "bias", "gamma", "beta"):
            trainable.append(i)
        elif leaf == "rate":
            layer, index = name.rsplit("_", 1)
            column = int(index) + (depth if layer in ("hidden", "dense") else 0)
            columns[i] = ("rate", column)
        elif leaf == "seed_generator_state":
            columns[i] = ("seed", column)
        elif leaf in ("moving_mean", "moving_variance"):
            columns[i] = (leaf[len("moving_"):], int(name.rsplit("_", 1)[1]))
    return trainable, columns


class _Variable:
    """What the estimator reads of a model variable: its path."""

    def __init__(self, path):
        self.path = path


class MemberEngine:
    """One fit's view of its cohort: the host API of a compiled engine.

    The weights and optimizer slots live in the cohort's stacked arrays
    once training starts; before that (initial weights, optimizer reset)
    and after (best-weight restore) they are this object's own.

    Parameters
    ----------
    session : skdeep._cohort.session.Session
        The search's session: its barrier runs the epochs, and it takes the
        engine back when the fit is done (``pool``).
    spec : ModelSpec
        The fit's network.
    key : tuple
        The program family (:func:`spec_key`).
    """

    def __init__(self, session, spec, key):
        self.session = self.pool = session
        self.spec = spec
        self.key = key
        self.variant = _variant(spec)
        kw = dict(spec.builder_kwargs)
        depth = len(kw["hidden_layer_sizes"])
        self.dtype = np.dtype(spec.dtype)
        self.widths = [int(kw["n_features"]), *map(int, kw["hidden_layer_sizes"]), spec.n_outputs]
        paths, initial, self.slot_start = _layout(spec)
        self.paths = paths
        self.variables = [_Variable(p) for p in paths]
        self.initial_weights = list(initial)
        #: the rate variables: a fit with any draws its Monte-Carlo seed, as alone
        self.stochastic = tuple(p for p in paths if p.endswith("/rate"))
        self.bn = bool(kw.get("batch_normalization"))
        #: the batch-norm layers (the loop recalibrates their statistics after training)
        self.batchnorms = tuple(f"batchnorm_{i}" for i in range(depth)) if self.bn else ()
        self.trainable, self.columns = _places(paths, depth)
        self.activation = kw["activation"]
        self.output_activation = kw["output_activation"]
        self.solver = spec.optimizer
        self.loaded = None
        self.weights = [np.array(w) for w in self.initial_weights]
        self.learning_rate = 0.001
        self.iterations = 0
        self.slots = self._initial_slots()
        self.cohort = None  # (cohort, slot) once training started
        self.data = None
        self.request = None
        self.result = None
        self.self_registered = False

    def _slot_names(self):
        return slot_names(self.solver)

    def _initial_slots(self):
        """Each slot per trainable variable, as Keras' optimizer starts it (Adagrad: 0.1)."""
        return [[np.full_like(self.weights[i], self.slot_start) for i in self.trainable]
                for _ in self._slot_names()]

    # -- weights and optimizer -------------------------------------------
    def set_weights(self, weights, token):
        if self.loaded is not None and self.loaded == token:
            return
        self.weights = [np.array(w, dtype=v.dtype) for w, v in zip(weights, self.weights)]
        if self.cohort is not None:
            self.cohort[0].write(self.cohort[1], self)
        self.loaded = token

    def set_values(self, values):
        weights = self.get_weights()
        for i, value in values.items():
            weights[i] = value
        self.set_weights(weights, object())

    def get_weights(self):
        if self.cohort is not None:
            self.cohort[0].read(self.cohort[1], self)
        return [w.copy() for w in self.weights]

    def reset_optimizer(self, learning_rate, state=None):
        if state is None:
            self.iterations = 0
            self.slots = self._initial_slots()
        else:
            self.iterations = int(state[0])
            per_var = state[2:]
            n = len(self._slot_names())
            self.slots = [[np.array(per_var[i * n + s], dtype=self.dtype)
                           for i in range(len(self.trainable))] for s in range(n)]
        self.learning_rate = float(learning_rate)
        if self.cohort is not None:
            self.cohort[0].write(self.cohort[1], self)

    def set_learning_rate(self, learning_rate):
        self.learning_rate = float(learning_rate)

    def optimizer_state(self):
        """The optimizer's variables in Keras' order (iteration, rate, slots per variable)."""
        if self.cohort is not None:
            self.cohort[0].read(self.cohort[1], self)
        state = [np.array(self.iterations, dtype=current().counter_dtype),
                 np.array(self.learning_rate, dtype=self.dtype)]
        for i in range(len(self.trainable)):
            state += [slot[i].copy() for slot in self.slots]
        return state

    # -- data and epochs -------------------------------------------------
    def tensors(self, *arrays, pad=True):
        return tuple(np.asarray(a) for a in arrays)

    def train_epoch(self, X, Y, SW, perm, batch_size, penalties):
        if self.data is None:
            self.data = (X, Y, SW)
        self.request = (np.asarray(perm, dtype=np.int32), int(batch_size),
                        np.asarray(penalties, dtype=np.float64))
        return self.session.wait_epoch(self)

    def _network(self, weights):
        """``(layers, normalize)`` of :func:`dense_forward` at ``weights``, in
        inference mode: batch norm by the moving statistics (Keras' formula)."""
        at = dict(zip(self.paths, weights))
        depth = len(self.widths) - 2
        names = [f"{'dense' if self.bn else 'hidden'}_{i}" for i in range(depth)] + ["output"]
        layers = [(at[f"{n}/kernel"], at[f"{n}/bias"]) for n in names]
        if not self.bn:
            return layers, None

        def normalize(index, z):
            bn = f"batchnorm_{index}/"
            inv = at[bn + "gamma"] / np.sqrt(at[bn + "moving_variance"] + BN_EPSILON)
            return z * inv + (at[bn + "beta"] - at[bn + "moving_mean"] * inv)

        return layers, normalize

    def evaluate(self, X, Y, SW, penalties):
        """``(output, reported loss)`` on held-out rows: the engines' loss, in NumPy."""
        layers, normalize = self._network(self.get_weights())
        acts, logits = dense_forward(np.asarray(X, dtype=self.dtype), layers,
                                     _activation(self.activation), normalize=normalize)
        output = _activation(self.output_activation)(logits).astype(self.dtype, copy=False)
        activities = acts[1:] if "activity" in self.spec.penalties else []
        # the very formula the compiled engines use, over NumPy operations
        _, reported = objective(
            NumpyOps(self.dtype), self.spec, np.asarray(Y, self.dtype),
            (logits, output, *activities), np.asarray(SW, self.dtype), penalties,
            [kernel for kernel, _ in layers])
        return output, float(reported)

    def recalibrate_batchnorm(self, X):
        """Each batch-norm layer's moving statistics set to the exact ones on
        ``X``, layer after layer in inference mode (what the compiled engines'
        ``recalibrate_batchnorm`` does)."""
        weights = self.get_weights()
        index = {path: i for i, path in enumerate(self.paths)}
        hidden = _activation(self.activation)
        h = np.asarray(X, dtype=self.dtype)
        for k in range(len(self.batchnorms)):
            layers, normalize = self._network(weights)
            kernel, bias = layers[k]
            z = (h @ kernel + bias).astype(np.float64)
            mean = z.sum(axis=0) / z.shape[0]
            variance = np.maximum(np.square(z).sum(axis=0) / z.shape[0] - np.square(mean), 0.0)
            for name, value in (("mean", mean), ("variance", variance)):
                weights[index[f"batchnorm_{k}/moving_{name}"]] = value.astype(self.dtype)
            layers, normalize = self._network(weights)
            h = hidden(normalize(k, h @ kernel + bias))
        self.set_weights(weights, object())

    def detach(self):
        """The fit is over: copy the weights back and leave the cohort's slot idle."""
        if self.cohort is not None:
            self.cohort[0].read(self.cohort[1], self)
            self.cohort = None
