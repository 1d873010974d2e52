"""A fit's view of its cohort: :class:`MemberEngine`, and which fits may join one.

A member has the host API of a compiled engine (see
:class:`skdeep._engine.protocol.Engine`), so the fit's own epoch loop drives
it unchanged; its ``train_epoch`` waits at the session's barrier while the
cohort's program trains every member at once.
"""

import numpy as np

from .._activations import NUMPY_ACTIVATIONS, OUTPUT_DERIVATIVES, dense_forward
from .._engine.backend import current
from .._engine.objective import NumpyOps, objective
from ..builders import build_mlp

__all__ = ["MemberEngine", "groupable", "spec_key"]

#: Activations whose derivative the program computes from the activation's output.
ACTIVATIONS = tuple(OUTPUT_DERIVATIVES)
#: Losses (with the output activation they need) whose output gradient the program knows.
LOSSES = {"log_loss": "softmax", "binary_log_loss": "logistic", "squared_error": "identity"}


def groupable(estimator):
    """Whether a fit of ``estimator`` (by its parameters) can train in a cohort.

    The estimator says whether it is a plain dense network the cohort
    program computes exactly (``_cohort_eligible``: skdeep's MLPs without
    dropout, batch norm, extra penalties, n_init, callbacks, warm starts, ...);
    fits with scikit-learn callbacks are left out too.  Any other estimator
    (scikit-learn's, skdeep's other families) is not.
    """
    eligible = getattr(estimator, "_cohort_eligible", None)
    return bool(eligible is not None and eligible(ACTIVATIONS)
                and not getattr(estimator, "_skl_callbacks", None))


def spec_key(spec):
    """The program family of ``spec`` (None when it cannot train in a cohort)."""
    kw = dict(spec.builder_kwargs)
    if (
        spec.builder is not build_mlp or spec.penalties or spec.track_grad_norm
        or spec.optimizer[0] not in ("adam", "sgd") or kw.get("sparse")
        or kw["embeddings"] or kw["batch_normalization"]
        or any(kw["dropout"]) or any(kw["dropconnect"])
        or kw["activation"] not in ACTIVATIONS
        or LOSSES.get(spec.loss) != kw["output_activation"]
    ):
        return None
    if spec.dtype == "float64" and not current().float64_programs:
        return None
    return (len(kw["hidden_layer_sizes"]), kw["activation"], spec.loss, spec.optimizer,
            spec.dtype, spec.n_outputs)


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

    stochastic = ()
    batchnorms = ()

    def __init__(self, session, spec, key):
        self.session = self.pool = session
        self.spec = spec
        self.key = key
        kw = dict(spec.builder_kwargs)
        self.dtype = np.dtype(spec.dtype)
        self.widths = [int(kw["n_features"]), *map(int, kw["hidden_layer_sizes"]), spec.n_outputs]
        names = [f"hidden_{i}" for i in range(len(self.widths) - 2)] + ["output"]
        self.variables, self.initial_weights = [], []
        for name, fan_in, fan_out in zip(names, self.widths[:-1], self.widths[1:]):
            self.variables += [_Variable(f"{name}/kernel"), _Variable(f"{name}/bias")]
            self.initial_weights += [np.zeros((fan_in, fan_out), self.dtype),
                                     np.zeros(fan_out, self.dtype)]
        self.activation = kw["activation"]
        self.output_activation = kw["output_activation"]
        self.solver = spec.optimizer
        self.loaded = None
        self.weights = [w.copy() for w in self.initial_weights]
        self.learning_rate = 0.001
        self.iterations = 0
        self.slots = self._zero_slots()
        self.cohort = None  # (cohort, slot) once training started
        self.data = None
        self.request = None
        self.result = None
        self.self_registered = False

    def _slot_names(self):
        solver, *hyper = self.solver
        if solver == "adam":
            return ("momentum", "velocity")
        return ("momentum",) if hyper[0] != 0 else ()

    def _zero_slots(self):
        return [[np.zeros_like(w) for w in self.weights] for _ in self._slot_names()]

    # -- weights and optimizer -------------------------------------------
    def set_weights(self, weights, token):
        if self.loaded is not None and self.loaded == token:
            return
        self.weights = [np.array(w, dtype=self.dtype) for w in weights]
        if self.cohort is not None:
            self.cohort[0].write(self.cohort[1], self)
        self.loaded = token

    def get_weights(self):
        if self.cohort is not None:
            self.cohort[0].read(self.cohort[1], self)
        return [w.copy() for w in self.weights]

    def reset_optimizer(self, learning_rate, state=None):
        if state is None:
            self.iterations = 0
            self.slots = self._zero_slots()
        else:
            self.iterations = int(state[0])
            per_var = state[2:]
            n = len(self._slot_names())
            self.slots = [[np.array(per_var[i * n + s], dtype=self.dtype)
                           for i in range(len(self.weights))] for s in range(n)]
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
        for i in range(len(self.weights)):
            state += [slot[i].copy() for slot in self.slots]
        return state

    # -- data and epochs -------------------------------------------------
    def tensors(self, *arrays, pad=True):
        return tuple(np.asarray(a) for a in arrays)

    def train_epoch(self, X, Y, SW, perm, batch_size, penalties):
        if self.data is None:
            self.data = (X, Y, SW)
        self.request = (np.asarray(perm, dtype=np.int32), int(batch_size), float(penalties[0]))
        return self.session.wait_epoch(self)

    def evaluate(self, X, Y, SW, penalties):
        """``(output, reported loss)`` on held-out rows: the engines' loss, in NumPy."""
        weights = self.get_weights()
        layers = list(zip(weights[0::2], weights[1::2]))
        _, logits = dense_forward(np.asarray(X, dtype=self.dtype), layers,
                                  NUMPY_ACTIVATIONS[self.activation])
        output = NUMPY_ACTIVATIONS[self.output_activation](logits)
        # the very formula the compiled engines use, over NumPy operations
        _, reported = objective(
            NumpyOps(self.dtype), self.spec, np.asarray(Y, self.dtype), (logits, output),
            np.asarray(SW, self.dtype), penalties, weights[0::2])
        return output.astype(self.dtype, copy=False), float(reported)

    def recalibrate_batchnorm(self, X):  # no batch norm in a cohort
        pass

    def detach(self):
        """The fit is over: copy the weights back and leave the cohort's slot idle."""
        if self.cohort is not None:
            self.cohort[0].read(self.cohort[1], self)
            self.cohort = None
