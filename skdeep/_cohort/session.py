"""Training many dense networks of one depth in one compiled program.

A search fits one estimator class for many (candidate, fold) pairs; most of
them differ only in rows, ``alpha``, learning rate, seed or layer widths.
Inside a :func:`session`, every fit of a plain dense MLP gets a
:class:`MemberEngine` instead of a compiled Keras engine.  Each member keeps
running its own :class:`~skdeep._training.loop.EpochLoop` in its own thread --
its own shuffling, stopping rules, early stopping, learning-rate schedule and
best-weight restore -- but its ``train_epoch`` calls meet at a barrier: when
every fit of the session waits, one compiled program runs the next epoch of
all of them at once, with the weights of a *cohort* of members stacked on a
leading axis (narrower members zero-padded and masked, so their arithmetic
is their own).  Members that stop leave their slot idle; the others go on.

The program is written once in ``keras.ops`` with the gradient by hand
(dense layers, four activations, three losses, Adam and SGD exactly as
Keras updates them), and compiled per depth: by ``tf.function`` with every
dimension dynamic on TensorFlow (one trace per depth serves every width,
row count and cohort size), by ``jax.jit`` with shapes bucketed to powers of
two on JAX.  Anything else (dropout, batch norm, L1 and activity penalties,
other activations, L-BFGS, callbacks, sparse rows, embeddings) trains as
before, through :mod:`skdeep._engine.cache`.
"""

import collections
import hashlib
import threading

import numpy as np

from .._activations import NUMPY_ACTIVATIONS, OUTPUT_DERIVATIVES, dense_forward
from .._backend import backend, load

__all__ = ["session", "active", "groupable", "member_engine", "take_fitted", "store_fitted"]

#: Activations whose derivative the program computes from the activation's output.
_ACTIVATIONS = tuple(OUTPUT_DERIVATIVES)
#: Losses (with the output activation they need) whose output gradient the program knows.
_LOSSES = {"log_loss": "softmax", "binary_log_loss": "logistic", "squared_error": "identity"}
#: Most members stacked in one cohort.
MAX_COHORT = 32
#: Most bytes of stacked training rows one cohort may hold.
MAX_COHORT_BYTES = 256 << 20

_session = None
_session_lock = threading.Lock()
_local = threading.local()  # .worker: this thread runs a search's grouped fits


class GroupedTrainingError(RuntimeError):
    """The cohort program itself failed (not one member's fit): grouping stops."""


# ---------------------------------------------------------------------- eligibility
def groupable(estimator):
    """Whether a fit of ``estimator`` (by its parameters) can train in a cohort.

    Plain dense :class:`~skdeep.MLPClassifier` / :class:`~skdeep.MLPRegressor`
    networks with a stochastic solver Keras updates in closed form (``adam``,
    ``sgd``) and no per-fit extras (dropout, batch norm, L1/activity
    penalties, gradient-norm stopping, n_init, callbacks, warm starts).
    """
    from .._estimators.mlp import MLPClassifier, MLPRegressor

    if type(estimator) not in (MLPClassifier, MLPRegressor):
        return False
    p = estimator.get_params(deep=False)
    rates = [p.get("dropout", 0.0), p.get("dropconnect", 0.0)]
    if any(np.any(np.asarray(r, dtype=float) != 0) for r in rates):
        return False
    return (
        p["solver"] in ("adam", "sgd")
        and p["activation"] in _ACTIVATIONS
        and not p.get("batch_normalization", False)
        and p.get("l1", 0.0) == 0 and p.get("activity_l1", 0.0) == 0
        and p.get("activity_l2", 0.0) == 0 and p.get("min_grad_norm", 0.0) == 0
        and p.get("n_init", 1) == 1 and not p.get("callbacks")
        and p.get("output_activation", None) in (None, "identity")
        and p.get("kernel_initializer", None) is None
        and not p["warm_start"] and p.get("distribution") is None
        and not getattr(estimator, "_skl_callbacks", None)
    )


def _spec_key(spec):
    """The program family of ``spec`` (None when it cannot train in a cohort)."""
    from ..builders import build_mlp

    kw = dict(spec.builder_kwargs)
    if (
        spec.builder is not build_mlp or spec.penalties or spec.track_grad_norm
        or spec.optimizer[0] not in ("adam", "sgd") or kw.get("sparse")
        or kw["embeddings"] or kw["batch_normalization"]
        or any(kw["dropout"]) or any(kw["dropconnect"])
        or kw["activation"] not in _ACTIVATIONS
        or _LOSSES.get(spec.loss) != kw["output_activation"]
    ):
        return None
    if spec.dtype == "float64" and backend() == "jax":
        return None  # JAX programs run in 32 bits outside skdeep's x64 scope
    return (len(kw["hidden_layer_sizes"]), kw["activation"], spec.loss, spec.optimizer,
            spec.dtype, spec.n_outputs)


# ---------------------------------------------------------------------- the session
class _Session:
    """The barrier, the cohorts and the fitted-state registry of one search."""

    def __init__(self, max_cohort):
        self.cond = threading.Condition()
        self.max_cohort = max_cohort
        self.participants = 0  # threads whose fit may still reach the barrier
        self.waiting = []  # members blocked in train_epoch
        self.aborted = None
        self.registry = {}
        self.disabled = None  # the GroupedTrainingError that turned grouping off

    # the barrier ---------------------------------------------------------
    def join(self):
        with self.cond:
            self.participants += 1

    def leave(self):
        with self.cond:
            self.participants -= 1
            self._maybe_fire()

    def abort(self, error):
        with self.cond:
            self.aborted = error
            self.cond.notify_all()

    def wait_epoch(self, member):
        with self.cond:
            if self.aborted is not None:
                raise RuntimeError("the grouped search was aborted") from self.aborted
            member.result = None
            self.waiting.append(member)
            self._maybe_fire()
            while member.result is None:
                if self.aborted is not None:
                    raise RuntimeError("the grouped search was aborted") from self.aborted
                self.cond.wait()
            result, member.result = member.result, None
        if isinstance(result, BaseException):
            raise result
        return result

    def _maybe_fire(self):
        """Run one epoch of every waiting member once every participant waits."""
        if not self.waiting or len(self.waiting) < self.participants:
            return
        members, self.waiting = self.waiting, []
        try:
            _run_epoch(members, self.max_cohort)
        except Exception as error:  # noqa: BLE001 - handed to every member
            failure = GroupedTrainingError(
                f"skdeep's grouped training failed ({type(error).__name__}: {error})")
            failure.__cause__ = error
            self.disabled = failure
            for m in members:
                m.result = failure
        except BaseException as error:  # Ctrl-C while stepping
            for m in members:
                m.result = error
        self.cond.notify_all()


def active():
    """The running grouped session, or None."""
    return _session


class session:
    """Context manager: group the dense-MLP fits of this block (see module doc).

    Nested sessions join the outer one.
    """

    def __init__(self, max_cohort=MAX_COHORT):
        self.max_cohort = max_cohort
        self._outer = False

    def __enter__(self):
        global _session
        with _session_lock:
            if _session is not None:
                self._outer = True
                return _session
            _session = _Session(self.max_cohort)
            return _session

    def __exit__(self, *exc):
        global _session
        if not self._outer:
            with _session_lock:
                _session = None
        return False


def run_threads(tasks, n_threads):
    """Run ``tasks`` (callables) in ``n_threads`` threads inside the session.

    Every thread counts as a participant from before the first starts
    until it has no task left, so the barrier waits for fits still
    validating their data.  The first error
    (or Ctrl-C in the calling thread) aborts the waiting members.
    """
    import sklearn

    sess = _session
    tasks = list(tasks)
    lock = threading.Lock()
    errors = []
    config = sklearn.get_config()  # thread-local: the workers run under the caller's

    def worker():
        _local.worker = True
        try:
            with sklearn.config_context(**config):
                _work()
        finally:
            sess.leave()

    def _work():
        while True:
            with lock:
                if not tasks or errors:
                    return
                task = tasks.pop(0)
            try:
                task()
            except BaseException as error:  # noqa: BLE001
                errors.append(error)
                sess.abort(error)

    n_threads = max(1, min(n_threads, len(tasks)))
    for _ in range(n_threads):  # all counted before any starts: none trains alone
        sess.join()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(n_threads)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.05)
    except BaseException as error:
        sess.abort(error)
        for t in threads:
            t.join(5.0)
        raise
    if errors:
        raise errors[0]


# ---------------------------------------------------------------------- fitted-state registry
def fingerprint(*arrays):
    """A digest of the data a fit sees (arrays, frames, sparse matrices, None)."""
    import scipy.sparse as sp

    h = hashlib.blake2b(digest_size=20)
    for a in arrays:
        if a is None:
            h.update(b"none")
            continue
        if hasattr(a, "iloc"):  # pandas
            import pandas as pd

            h.update(repr((type(a).__name__, getattr(a, "columns", getattr(a, "name", None)),
                           getattr(a, "dtypes", getattr(a, "dtype", None)))).encode())
            h.update(pd.util.hash_pandas_object(a, index=True).to_numpy().tobytes())
            continue
        if sp.issparse(a):
            a = a.tocsr()
            h.update(repr(("sparse", a.shape, a.dtype.str)).encode())
            for part in (a.data, a.indices, a.indptr):
                h.update(np.ascontiguousarray(part).tobytes())
            continue
        a = np.asarray(a)
        h.update(repr((a.shape, a.dtype.str)).encode())
        if a.dtype == object:
            h.update(repr(a.tolist()).encode())
        else:
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _fit_key(estimator, X, y, sample_weight):
    params = sorted(estimator.get_params(deep=False).items())
    return (type(estimator), repr(params), fingerprint(X, y, sample_weight))


def store_fitted(estimator, X, y, sample_weight):
    """Keep a grouped fit's state for the identical fit that will ask for it."""
    sess = _session
    if sess is not None and getattr(_local, "worker", False):
        key = _fit_key(estimator, X, y, sample_weight)
        with sess.cond:
            sess.registry.setdefault(key, []).append(dict(estimator.__dict__))


def take_fitted(estimator, X, y, sample_weight):
    """The state of an identical fit trained earlier in the session, or None."""
    sess = _session
    if sess is None or not sess.registry or not groupable(estimator):
        return None
    key = _fit_key(estimator, X, y, sample_weight)
    with sess.cond:
        states = sess.registry.get(key)
        if not states:
            return None
        state = states.pop()
        if not states:
            del sess.registry[key]
    return state


# ---------------------------------------------------------------------- the member engine
class _Variable:
    """What the estimator reads of a model variable: its path."""

    def __init__(self, path):
        self.path = path


def member_engine(spec):
    """A :class:`MemberEngine` for ``spec`` in the running session, or None."""
    sess = _session
    if sess is None or sess.disabled is not None:
        return None
    key = _spec_key(spec)
    if key is None:
        return None
    engine = MemberEngine(sess, spec, key)
    if not getattr(_local, "worker", False):
        # a fit outside the search's worker threads (the refit): it takes part
        # in the barrier for as long as it trains
        sess.join()
        engine.self_registered = True
    return engine


class MemberEngine:
    """One fit's view of its cohort: the host API of a compiled engine.

    The weights and optimizer slots live in the cohort's stacked arrays
    once training starts; before that (initial weights, optimizer reset)
    and after (best-weight restore) they are this object's own.
    """

    stochastic = ()
    batchnorms = ()

    def __init__(self, sess, spec, key):
        self.session = sess
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
        # read by the shared loss code, as on the engines
        self._report_scale = 1.0 / spec.n_outputs if spec.loss == "squared_error" else 1.0
        self.loaded = None
        self.weights = [w.copy() for w in self.initial_weights]
        self.learning_rate = 0.001
        self.iterations = 0
        self.slots = self._zero_slots()
        self.cohort = None  # (cohort, slot) once training started
        self.data = None
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

    def get_learning_rate(self):
        return self.learning_rate

    def optimizer_state(self):
        """The optimizer's variables in Keras' order (iteration, rate, slots per variable)."""
        if self.cohort is not None:
            self.cohort[0].read(self.cohort[1], self)
        # Keras' int64 counter is int32 on JAX outside 64-bit mode
        counter = np.int32 if backend() == "jax" else np.int64
        state = [np.array(self.iterations, dtype=counter),
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
        from .._engine.core import _EngineCore

        weights = self.get_weights()
        layers = list(zip(weights[0::2], weights[1::2]))
        _, logits = dense_forward(np.asarray(X, dtype=self.dtype), layers,
                                  NUMPY_ACTIVATIONS[self.activation])
        output = NUMPY_ACTIVATIONS[self.output_activation](logits)
        # the very formula the compiled engines use, over NumPy operations
        _, reported = _EngineCore._objective(
            self, _NumpyOps(self.dtype), np.asarray(Y, self.dtype), (logits, output),
            np.asarray(SW, self.dtype), penalties, weights[0::2], ())
        return output.astype(self.dtype, copy=False), float(reported)

    def recalibrate_batchnorm(self, X):  # no batch norm in a cohort
        pass

    def release(self):
        """The fit is over: free the cohort slot (and the barrier, if self-registered)."""
        if self.cohort is not None:
            self.cohort[0].read(self.cohort[1], self)  # its slot stays idle from now on
            self.cohort = None
        if self.self_registered:
            self.self_registered = False
            self.session.leave()


class _NumpyOps:
    """The array operations of the shared loss code (``_EngineCore._objective``), in NumPy."""

    def __init__(self, dtype):
        self.dtype = dtype

    def sum(self, x, axis=None):
        return np.sum(x, axis=axis)

    def softmax_cross_entropy(self, y, logits):
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        return -np.sum(y * log_p, axis=-1)

    def sigmoid_cross_entropy(self, y, logits):
        return np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))

    def square(self, x):
        return np.square(x)

    def add_n(self, xs):
        return sum(xs[1:], xs[0])

    def cast(self, x):
        return np.asarray(x).astype(self.dtype)

    def zero(self):
        return np.zeros((), self.dtype)


# ---------------------------------------------------------------------- cohorts
def _run_epoch(members, max_cohort):
    """One epoch for every member: existing cohorts first, then new ones."""
    cohorts, new = {}, {}
    for m in members:
        if m.cohort is not None:
            cohorts.setdefault(id(m.cohort[0]), (m.cohort[0], []))[1].append(m)
        else:
            batch_size = m.request[1]
            new.setdefault((m.key, batch_size), []).append(m)
    for group in new.values():
        for part in _split(group, max_cohort):
            cohort = _Cohort(part)
            cohorts[id(cohort)] = (cohort, part)
    for cohort, part in cohorts.values():
        cohort.epoch(part)


def _split(members, max_cohort):
    """Cohorts of at most ``max_cohort`` members and :data:`MAX_COHORT_BYTES` of rows."""
    parts, part, size = [], [], 0
    for m in members:
        X = m.data[0]
        need = X.size * X.itemsize
        if part and (len(part) >= max_cohort or size + need > MAX_COHORT_BYTES):
            parts.append(part)
            part, size = [], 0
        part.append(m)
        size += need
    if part:
        parts.append(part)
    return parts


def _bucket(n):
    """Powers of two from 1 (the JAX engine's row buckets start at 16: a
    one-member refit would compute 16 members)."""
    return 1 << max(0, int(n - 1).bit_length())


class _Cohort:
    """Stacked training rows and state of members that share one program.

    Every member's variables live in one row of a flat ``(K, P)`` array --
    kernels and biases in layer order, each in the cohort's widest shape
    with the member's own block at its top-left and zeros (masked) around
    it -- and so do the optimizer's slots: the program carries three or
    four tensors through its loop instead of one per variable.
    """

    def __init__(self, members):
        self.jax = backend() == "jax"
        first = members[0]
        self.key = first.key
        self.dtype = first.dtype
        self.batch_size = first.request[1]
        K = _bucket(len(members)) if self.jax else len(members)
        self.widths = [int(w) for w in np.max([m.widths for m in members], axis=0)]
        rows = max(m.data[0].shape[0] for m in members)
        N = _bucket(rows) if self.jax else rows
        d, o = self.widths[0], self.widths[-1]
        X = np.zeros((K, N, d), self.dtype)
        Y = np.zeros((K, N, o), self.dtype)
        SW = np.zeros((K, N), self.dtype)
        for k, m in enumerate(members):
            Xm, Ym, Wm = m.data
            X[k, : Xm.shape[0], : Xm.shape[1]] = Xm
            Y[k, : Ym.shape[0]] = Ym
            SW[k, : Wm.shape[0]] = Wm
        self.K = K
        self.shapes = []
        for fan_in, fan_out in zip(self.widths[:-1], self.widths[1:]):
            self.shapes += [(fan_in, fan_out), (fan_out,)]
        sizes = [int(np.prod(shape)) for shape in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        P = int(self.offsets[-1])
        self.weights = np.zeros((K, P), self.dtype)
        mask = np.zeros((K, P), self.dtype)
        self.slots = [np.zeros((K, P), self.dtype) for _ in first._slot_names()]
        self.iterations = np.zeros(K, self.dtype)
        self.lr = np.zeros(K, self.dtype)
        self.alpha = np.zeros(K, self.dtype)
        for k, m in enumerate(members):
            for i, w in enumerate(m.weights):
                self._view(mask, k, i)[tuple(map(slice, w.shape))] = 1
            m.cohort = (self, k)
            self.write(k, m)
        self.program = _program(self.key, self.jax)
        self.layout = tuple(self.widths) if self.jax else np.asarray(self.widths, np.int32)
        self.constants = self._device(X, Y, SW, mask)

    def _device(self, *arrays):
        if self.jax:
            import jax

            return [jax.device_put(a) for a in arrays]
        tf, _ = load()
        return [tf.convert_to_tensor(a) for a in arrays]

    def _view(self, flat, k, i):
        """Variable ``i`` of slot ``k`` as a writable array of the cohort's shape."""
        return flat[k, self.offsets[i]: self.offsets[i + 1]].reshape(self.shapes[i])

    def write(self, k, m):
        """Copy member ``m``'s weights and optimizer state into slot ``k``."""
        for flat, values in [(self.weights, m.weights), *zip(self.slots, m.slots)]:
            flat[k] = 0
            for i, w in enumerate(values):
                self._view(flat, k, i)[tuple(map(slice, w.shape))] = w
        self.iterations[k] = m.iterations
        self.lr[k] = m.learning_rate

    def read(self, k, m):
        """Copy slot ``k`` back into member ``m``."""
        m.weights = [self._view(self.weights, k, i)[tuple(map(slice, w.shape))].copy()
                     for i, w in enumerate(m.weights)]
        m.slots = [[self._view(flat, k, i)[tuple(map(slice, w.shape))].copy()
                    for i, w in enumerate(m.weights)] for flat in self.slots]
        m.iterations = int(self.iterations[k])

    def epoch(self, members):
        """Run one epoch of ``members`` (all in this cohort) in one program call."""
        bs = self.batch_size
        batches = max(-(-m.request[0].shape[0] // bs) for m in members)
        B = _bucket(batches) if self.jax else batches
        perm = np.zeros((self.K, B * bs), np.int32)
        valid = np.zeros((self.K, B * bs), self.dtype)
        n_batches = np.zeros(self.K, np.int32)
        on = np.zeros(self.K, self.dtype)
        for m in members:
            k = m.cohort[1]
            order, _, alpha = m.request
            perm[k, : order.size] = order
            valid[k, : order.size] = 1
            n_batches[k] = -(-order.size // bs)
            on[k] = 1
            self.alpha[k] = alpha
            self.lr[k] = m.learning_rate
        shape = (self.K, B, bs)
        weights, slots, iterations, total = self.program(
            self.layout, *self.constants, perm.reshape(shape), valid.reshape(shape),
            n_batches, on, self.lr, self.alpha, self.weights, self.slots, self.iterations,
        )
        self.weights = np.array(weights)
        self.slots = [np.array(s) for s in slots]
        self.iterations = np.array(iterations)
        total = np.asarray(total, dtype=np.float64)
        for m in members:
            k = m.cohort[1]
            m.result = (float(self.dtype.type(total[k] / m.request[0].size)), float("nan"))


# ---------------------------------------------------------------------- the program
_programs = collections.OrderedDict()  # (key, jax) -> compiled epoch, least recent first
_programs_lock = threading.Lock()
#: Most compiled cohort programs kept: a random search over ``beta_1`` or
#: ``momentum`` makes a new one per value, which must not pile up.
MAX_PROGRAMS = 16


def _program(key, jax_backend):
    """The compiled cohort epoch for ``key`` (one per depth and settings)."""
    with _programs_lock:
        fn = _programs.get((key, jax_backend))
        if fn is None:
            fn = _compile(key, jax_backend)
            _programs[(key, jax_backend)] = fn
            while len(_programs) > MAX_PROGRAMS:
                _programs.popitem(last=False)
        _programs.move_to_end((key, jax_backend))
        return fn


def _compile(key, jax_backend):
    depth, activation, loss, optimizer, dtype, n_outputs = key
    epoch = _epoch_function(depth, activation, loss, optimizer, dtype, n_outputs)
    n_slots = 2 if optimizer[0] == "adam" else (1 if optimizer[1] != 0 else 0)
    if jax_backend:
        import jax

        return jax.jit(epoch, static_argnums=0)  # the layout (widths) is static on JAX
    tf, _ = load()
    f = tf.as_dtype(dtype)
    signature = [
        tf.TensorSpec([depth + 2], tf.int32),  # the layout: widths, dynamic on TensorFlow
        tf.TensorSpec([None, None, None], f), tf.TensorSpec([None, None, None], f),
        tf.TensorSpec([None, None], f), tf.TensorSpec([None, None], f),
        tf.TensorSpec([None, None, None], tf.int32), tf.TensorSpec([None, None, None], f),
        tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], f), tf.TensorSpec([None], f),
        tf.TensorSpec([None], f), tf.TensorSpec([None, None], f),
        [tf.TensorSpec([None, None], f) for _ in range(n_slots)], tf.TensorSpec([None], f),
    ]
    concrete = tf.function(epoch, input_signature=signature).get_concrete_function()

    def call(*args):
        return concrete(*[a if isinstance(a, list) else tf.convert_to_tensor(a) for a in args])

    return call


def _batch_matmul(ops):
    """Batched ``a @ b`` with optional transposes, as the backend does it best."""
    if backend() == "tensorflow":
        tf, _ = load()
        return lambda a, b, transpose_a=False, transpose_b=False: tf.linalg.matmul(
            a, b, adjoint_a=transpose_a, adjoint_b=transpose_b)

    def matmul(a, b, transpose_a=False, transpose_b=False):
        if transpose_a:
            a = ops.swapaxes(a, 1, 2)
        if transpose_b:
            b = ops.swapaxes(b, 1, 2)
        return ops.matmul(a, b)

    return matmul


def _epoch_function(depth, activation, loss, optimizer, dtype, n_outputs):
    """The cohort epoch in ``keras.ops``: forward, hand-written backward, update."""
    from ..layers import keras_activation

    _, keras = load()
    ops = keras.ops
    solver, *hyper = optimizer
    matmul = _batch_matmul(ops)
    report_scale = 1.0 / n_outputs if loss == "squared_error" else 1.0

    act = keras.activations.get(keras_activation(activation))
    derivative = OUTPUT_DERIVATIVES[activation]

    def coefficients(lr, it, on):
        """Per-member step coefficients, shaped ``(K, 1)``, with ``on`` folded in.

        ``on`` is 0 or 1: multiplying by 1 is exact and by 0 leaves a slot
        as it was, so an active member's update is Keras' to the bit and an
        idle one's is nil.
        """
        if solver == "adam":
            beta_1, beta_2, _ = hyper
            step = it + 1.0
            b1p = ops.power(ops.cast(beta_1, dtype), step)
            b2p = ops.power(ops.cast(beta_2, dtype), step)
            rate = lr * ops.sqrt(1 - b2p) / (1 - b1p) * on
            # Keras multiplies by the Python floats 1 - beta (cast once)
            c = [on * ops.cast(1 - beta_1, dtype), on * ops.cast(1 - beta_2, dtype), rate]
        else:
            c = [lr * on, on]
        return [ops.reshape(x, (-1, 1)) for x in c]

    def update(var, grad, slots, coef):
        """Keras' update of the flat stacked variables (see :func:`coefficients`)."""
        if solver == "adam":
            c1, c2, rate = coef
            m, v = slots
            m = m + (grad - m) * c1
            v = v + (ops.square(grad) - v) * c2
            return var - (m * rate) / (ops.sqrt(v) + hyper[2]), [m, v]
        momentum, nesterov = hyper
        lr_on, on_b = coef
        if momentum != 0:
            (m,) = slots
            on = on_b > 0
            m_new = m * momentum - grad * lr_on
            step = (m_new * momentum - grad * lr_on) if nesterov else m_new
            return ops.where(on, var + step, var), [ops.where(on, m_new, m)]
        return var - grad * lr_on, []

    def unpack(flat, layout, K):
        """Split the flat ``(K, P)`` variables into ``(K, in, out)`` kernels and biases."""
        parts, offset = [], 0
        for layer in range(depth + 1):
            fan_in, fan_out = layout[layer], layout[layer + 1]
            size = fan_in * fan_out
            parts.append(ops.reshape(flat[:, offset: offset + size], (K, fan_in, fan_out)))
            offset = offset + size
            parts.append(flat[:, offset: offset + fan_out])
            offset = offset + fan_out
        return parts

    def pack(parts, K):
        return ops.concatenate([ops.reshape(p, (K, -1)) for p in parts], axis=1)

    def epoch(layout, X, Y, SW, mask, perm, valid, n_batches, on, lr, alpha, flat, slots, it):
        K, N = ops.shape(X)[0], ops.shape(X)[1]
        B = ops.shape(perm)[1]
        offsets = ops.reshape(ops.arange(K, dtype="int32") * ops.cast(N, "int32"), (-1, 1))
        X_flat = ops.reshape(X, (-1, ops.shape(X)[2]))
        Y_flat = ops.reshape(Y, (-1, ops.shape(Y)[2]))
        SW_flat = ops.reshape(SW, (-1,))
        mask_parts = unpack(mask, layout, K)

        def body(j, carry):
            flat, slots, it, total = carry
            weights = unpack(flat, layout, K)
            idx = perm[:, j, :] + offsets  # [K, bs] rows of the flattened stack
            ok = valid[:, j, :]
            step_on = on * ops.cast(j < n_batches, dtype)
            xb, yb = ops.take(X_flat, idx, axis=0), ops.take(Y_flat, idx, axis=0)
            wb = ops.take(SW_flat, idx, axis=0) * ok
            total_w = ops.sum(wb, axis=1)
            safe = ops.where(total_w > 0, total_w, ops.ones_like(total_w))
            layers = [(w, b[:, None, :]) for w, b in zip(weights[0::2], weights[1::2])]
            acts, logits = dense_forward(xb, layers, act, matmul)
            if loss == "log_loss":
                lse = ops.logsumexp(logits, axis=-1, keepdims=True)
                per = ops.sum(yb * (lse - logits), axis=-1)
                g = ops.exp(logits - lse) * ops.sum(yb, axis=-1, keepdims=True) - yb
            elif loss == "binary_log_loss":
                per = ops.sum(ops.relu(logits) - logits * yb
                              + ops.log1p(ops.exp(-ops.abs(logits))), axis=-1)
                g = ops.sigmoid(logits) - yb
            else:
                per = 0.5 * ops.sum(ops.square(yb - logits), axis=-1)
                g = logits - yb
            data = ops.sum(wb * per, axis=1) / safe
            squares = sum(ops.sum(ops.square(w), axis=(1, 2)) for w in weights[0::2])
            penalty = 0.5 * alpha * squares / safe
            reported = data * report_scale + penalty
            total = total + step_on * reported * ops.sum(ok, axis=1)
            delta = g * (wb / safe[:, None])[:, :, None]
            decay = (alpha / safe)[:, None, None]
            grads = [None] * (2 * depth + 2)
            for layer in range(depth, -1, -1):
                kernel = weights[2 * layer]
                grads[2 * layer] = matmul(acts[layer], delta, transpose_a=True) + decay * kernel
                grads[2 * layer + 1] = ops.sum(delta, axis=1)
                if layer:
                    delta = (matmul(delta, kernel, transpose_b=True)
                             * derivative(acts[layer], ops))
            # padding stays zero: its gradient is masked (a logistic unit's
            # output 0.5 would otherwise reach the next layer's padded rows)
            grad = pack([g_ * m_ for g_, m_ in zip(grads, mask_parts)], K)
            flat, slots = update(flat, grad, list(slots), coefficients(lr, it, step_on))
            return flat, slots, it + step_on, total

        total = ops.zeros_like(on)
        flat, slots, it, total = ops.fori_loop(0, B, body, (flat, list(slots), it, total))
        return flat, list(slots), it, total

    return epoch
