"""The training engine on Keras' JAX backend.

Same host API as :class:`skdeep._engine.tensorflow.TensorFlowEngine`, so the
estimators' fit loops do not know which one they drive.  Here the variables'
values live as JAX arrays held by the engine, and every compiled function is
*pure*: it takes the trainable, non-trainable (batch-norm statistics, dropout
rates, seed states) and optimizer values and returns new ones, calling the
Keras model inside a :class:`keras.StatelessScope`.  One epoch is one
``jax.jit`` function: a ``lax.scan`` over the full minibatches plus one step for
the remainder.  Compiled functions are cached per engine and input shape, and
engines are cached per :class:`~skdeep._engine.spec.ModelSpec` exactly as on
TensorFlow, so the folds of a grid search reuse them.

float64 data is computed in float64: the engine switches JAX's 64-bit mode on
around its own calls only (``jax.enable_x64``), not for the whole process.
"""

import functools

import numpy as np
import scipy.sparse as sp

from .._backend import load, precision
from .._private import build_without_random_initializers, flatten_layers
from .core import _EngineCore, as_csr, chunk_rows
from .jax_epoch import JaxEpochs
from .jax_rows import Rows, SparseRows, bcoo, bucket
from .objective import ArrayOps, objective
from .spec import PENALTIES

__all__ = ["JaxEngine"]


def _in_precision(method):
    """Run ``method`` inside the engine's JAX precision context."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._precision():
            return method(self, *args, **kwargs)

    return wrapper


class _JaxOps(ArrayOps):
    """The array operations of :func:`skdeep._engine.objective.objective`, in JAX."""

    def __init__(self, jax, dtype):
        super().__init__(jax.numpy, dtype)
        self.jax = jax

    def softmax_cross_entropy(self, y, logits):
        return -self.xp.sum(y * self.jax.nn.log_softmax(logits, axis=-1), axis=-1)

    def xlogy(self, x, y):
        from jax.scipy.special import xlogy

        return xlogy(x, y)


class JaxEngine(JaxEpochs, _EngineCore):
    """A compiled Keras model and optimizer for one spec, on Keras' JAX backend.

    Parameters
    ----------
    spec : ModelSpec
        The architecture and training settings to compile.
    placement : Placement, default=None
        Train data-parallel over these devices: every variable and data
        array is replicated over the placement's mesh and each minibatch is
        sharded along it, so XLA partitions each step over the devices and
        sums the gradient across them.
    """

    def __init__(self, spec, placement=None):
        import jax

        self._jax = jax
        self.spec = spec
        self._batch_sharding = None
        if placement is not None:
            from jax.sharding import NamedSharding, PartitionSpec

            mesh = placement.handle
            self._batch_sharding = NamedSharding(mesh, PartitionSpec("data"))
            replicated = NamedSharding(mesh, PartitionSpec())
            self._put = lambda a: jax.device_put(a, replicated)
        else:
            self._put = jax.device_put
        with self._precision():
            super().__init__(spec)
            self._non_trainable = list(self.model.non_trainable_variables)
            t_index = {id(v): i for i, v in enumerate(self.trainable)}
            n_index = {id(v): i for i, v in enumerate(self._non_trainable)}
            self._where = [
                ("t", t_index[id(v)]) if id(v) in t_index else ("n", n_index[id(v)])
                for v in self.variables
            ]
            self._penalized_index = [t_index[id(v)] for v in self._penalized]
            self._seed_index = [n_index[id(v)] for v in self._seed_states]
            self._bn_index = [
                (n_index[id(layer.moving_mean)], n_index[id(layer.moving_variance)])
                for layer in self.batchnorms
            ]
            # own copies (epochs donate their buffers), made on the host:
            # jnp.asarray would compile a copy program per shape
            self._tv = [self._put(np.array(v.value)) for v in self.trainable]
            self._nv = [self._put(np.array(v.value)) for v in self._non_trainable]
            self._lr_index = None
            if self.optimizer is not None:
                self._ov = [self._put(v) for v in self._optimizer_initial]
                self._lr_index = next(
                    i for i, v in enumerate(self.optimizer.variables)
                    if v.path.rsplit("/", 1)[-1] == "learning_rate"
                )
        self._dtype = np.dtype(spec.dtype)
        #: whether the network takes sparse rows (an MLP fitted on a sparse matrix)
        self.sparse = bool(getattr(self.model.inputs[0], "sparse", False))
        self._padded = not self.batchnorms
        # XLA on a CPU runs convolutions inside a compiled loop about 8x slower
        # than from a compiled step called per minibatch (measured: digits
        # CNN, 415 ms against 54 ms an epoch), so conv nets on CPU step from
        # Python; everything else runs the whole epoch as one program.
        self._stepwise = jax.default_backend() == "cpu" and any(
            "Conv" in type(layer).__name__
            for layer in flatten_layers(self.model)
        )
        self._compiled = {}

    def _creating(self, make):
        """Run ``make`` (a model or optimizer build) without compiling a random
        program per variable: every random initial value is drawn again by the
        estimator before training (see
        :func:`skdeep._private.build_without_random_initializers`)."""
        return build_without_random_initializers(make)

    def _precision(self):
        return precision(self.spec.dtype)

    def _jit(self, key, make):
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compiled[key] = make()
        return fn

    # ------------------------------------------------------------------ pure code
    def _run(self, submodel, tv, nv, x, training):
        """Call ``submodel`` (a view of the model) on the given variable values.

        Returns ``(outputs, new_non_trainable, extra_losses)``, where the extra
        losses are the Keras ``add_loss`` / regularizer terms of the call.
        """
        _, keras = load()
        mapping = list(zip(self.trainable, tv)) + list(zip(self._non_trainable, nv))
        with keras.StatelessScope(state_mapping=mapping, collect_losses=True) as scope:
            outputs = submodel(x, training=training)
            extra = list(self.model.losses)
            new_nv = [scope.get_current_value(v) for v in self._non_trainable]
        return outputs, new_nv, extra

    def _losses(self, y, outputs, sw, penalties, tv, extra):
        """``(objective, reported)`` for one batch: the TF engine's formulas, in JAX."""
        kernels = [tv[i] for i in self._penalized_index]
        return objective(_JaxOps(self._jax, self._dtype), self.spec, y, outputs, sw, penalties,
                         kernels, extra)

    def _with_sampling(self, fn):
        """Trace ``fn`` with every dropout / DropConnect layer sampling its masks."""

        def traced(*args):
            for layer in self.stochastic:
                layer.sample_at_inference = True
            try:
                return fn(*args)
            finally:
                for layer in self.stochastic:
                    layer.sample_at_inference = False

        return traced

    # ------------------------------------------------------------------ host API
    @_in_precision
    def tensors(self, *arrays, pad=True):
        """Return ``arrays`` on the default device (the GPU when there is one).

        Each comes back as a ``_Rows``: padded with zero rows up to a bucket
        size (so that a new number of rows seldom means a new compilation),
        except for models with batch normalization, whose batches must be
        exact, or with ``pad=False`` (full-batch L-BFGS computes on every
        row).  Padded rows get sample weight zero and never enter a batch.
        """
        out = []
        for j, a in enumerate(arrays):
            if j == 0 and (self.sparse or sp.issparse(a)):
                X = as_csr(a, self.spec.dtype)
                if not self.sparse:  # a dense-input network: densify (other estimators)
                    a = X.toarray()
                else:
                    n = X.shape[0]
                    rows = bucket(n) if pad and self._padded else n
                    out.append(SparseRows(self._jax, X, rows, self._put))
                    continue
            a = np.asarray(a)
            n = a.shape[0]
            if pad and self._padded and bucket(n) != n:
                a = np.concatenate([a, np.zeros((bucket(n) - n, *a.shape[1:]), a.dtype)])
            out.append(Rows(self._put(a), n))
        return tuple(out)

    @_in_precision
    def set_weights(self, weights, token):
        """Load ``weights`` (one array per model variable) unless already held."""
        if self.loaded is not None and self.loaded == token:
            return
        for (kind, i), w in zip(self._where, weights):
            target = self._tv if kind == "t" else self._nv
            # cast on the host and device_put: jnp.asarray compiles a program per shape
            target[i] = self._put(np.asarray(w, dtype=target[i].dtype))
        self.loaded = token

    @_in_precision
    def set_values(self, values):
        """Set ``{variable index: value}``; the other variables keep theirs."""
        for i, value in values.items():
            kind, j = self._where[i]
            target = self._tv if kind == "t" else self._nv
            target[j] = self._put(np.asarray(value, dtype=target[j].dtype))
        self.loaded = None  # no longer the weights of any token

    def _value(self, kind, i):
        return self._tv[i] if kind == "t" else self._nv[i]

    def get_weights(self):
        """Return a NumPy copy of every model variable, in ``model.variables`` order."""
        return [np.array(self._value(kind, i)) for kind, i in self._where]

    @_in_precision
    def sync_model(self, weights=None):
        """Copy ``weights`` (default: the engine's current ones) into ``self.model``.

        The compiled functions are pure, so the Keras model's own variables
        are only a view for callbacks; they are refreshed on demand.
        """
        if weights is None:
            weights = self.get_weights()
        for v, w in zip(self.variables, weights):
            v.assign(np.asarray(w, dtype=v.dtype))

    def adopt_model_weights(self):
        """Take whatever ``self.model`` holds now as the engine's weights."""
        self.set_weights([np.array(v.value) for v in self.variables], object())

    @_in_precision
    def reset_optimizer(self, learning_rate, state=None):
        """Restore the optimizer to its initial state (or to ``state``)."""
        values = self._optimizer_initial if state is None else state
        self._ov = [self._put(np.asarray(v)) for v in values]
        self.set_learning_rate(learning_rate)

    @_in_precision
    def set_learning_rate(self, learning_rate):
        """Set the optimizer's learning rate without re-compiling."""
        old = self._ov[self._lr_index]
        self._ov[self._lr_index] = self._put(np.asarray(learning_rate, old.dtype))

    def optimizer_state(self):
        """Return a NumPy copy of the optimizer's variables."""
        return [np.array(v) for v in self._ov]

    def _penalties(self, penalties):
        return np.asarray(penalties, dtype=self._dtype).reshape(len(PENALTIES))

    @_in_precision
    def train_epoch(self, X, Y, SW, perm, batch_size, penalties):
        """Run one epoch over ``perm`` in minibatches.

        Returns ``(mean_loss, grad_norm)``; ``grad_norm`` is the norm of the
        epoch's mean minibatch gradient, NaN unless the spec tracks it.
        """
        n, batch_size = len(perm), int(batch_size)
        data = (X.array, Y.array, SW.array)
        nnz = X.batch_nnz(batch_size) if isinstance(X, SparseRows) else 0
        if self._stepwise:
            return self._stepwise_epoch(data, perm, batch_size, self._penalties(penalties), nnz)
        if self._padded:
            rows = -(-X.n_rows // batch_size) * batch_size
            padded = np.zeros(rows, dtype=np.int32)
            padded[:n] = perm
            fn = self._jit(("epoch", batch_size, nnz),
                           lambda: self._make_padded_epoch(batch_size, nnz))
            extra = (padded, np.int32(-(-n // batch_size)), np.int32(n))
        else:
            fn = self._jit(
                ("epoch", n, batch_size, nnz), lambda: self._make_exact_epoch(n, batch_size, nnz)
            )
            extra = (np.asarray(perm, dtype=np.int32),)
        self._tv, self._nv, self._ov, loss, norm = fn(
            self._tv, self._nv, self._ov, *data, *extra, self._penalties(penalties)
        )
        return float(loss), float(norm)

    def _padded_chunks(self, X, batch_rows):
        """Yield ``(chunk, n_real)`` with each chunk's rows padded up to a bucket size."""
        batch_rows = chunk_rows(batch_rows, X, self.sparse)
        for i in range(0, X.shape[0], batch_rows):
            part = X[i : i + batch_rows]
            if self.sparse:
                part = as_csr(part, self.spec.dtype)
                n_real = part.shape[0]
                yield bcoo(self._jax, part, bucket(n_real, fine=True),
                            bucket(max(part.nnz, 1))), n_real
                continue
            part = part.toarray() if sp.issparse(part) else np.asarray(part)
            n_real = part.shape[0]
            size = bucket(n_real, fine=True)
            if size != n_real:
                pad = np.zeros((size - n_real, *part.shape[1:]), dtype=part.dtype)
                part = np.concatenate([part, pad])
            yield part, n_real

    @_in_precision
    def predict(self, X, batch_rows=65536):
        """Return the model output for ``X`` (a NumPy or JAX array)."""

        def make():
            def forward(tv, nv, x):
                return self._run(self.model, tv, nv, x, False)[0]

            return self._jax.jit(forward)

        fn = self._jit("predict", make)
        parts = [
            np.array(np.asarray(fn(self._tv, self._nv, part))[:n_real])
            for part, n_real in self._padded_chunks(X, batch_rows)
        ]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    @_in_precision
    def mc_predict(self, X, n_samples, seed, max_values=1 << 24):
        """Return ``(n_samples, n_rows, n_outputs)`` Monte-Carlo outputs for ``X``.

        Every dropout / DropConnect layer samples its masks while the rest of
        the network runs in inference mode; the seed states restart from
        ``seed`` per chunk of rows, so a call is reproducible.
        """
        jax = self._jax
        n_samples = int(n_samples)

        def make():
            def draws(tv, nv, x, seed):
                nv = list(nv)
                for k, i in enumerate(self._seed_index):
                    state = jax.numpy.stack([seed + 7919 * k, jax.numpy.zeros_like(seed)])
                    nv[i] = state.astype(nv[i].dtype)

                def body(state, _):
                    out, state, _ = self._run(self.model, tv, state, x, False)
                    return state, out

                return jax.lax.scan(body, nv, None, length=n_samples)[1]

            return jax.jit(self._with_sampling(draws))

        fn = self._jit(("mc", n_samples), make)
        rows = max(1, max_values // max(1, n_samples * self.spec.n_outputs))
        parts = [
            np.array(np.asarray(fn(self._tv, self._nv, part, np.int32(seed + i)))[:, :n_real])
            for i, (part, n_real) in zip(
                range(0, X.shape[0], rows), self._padded_chunks(X, rows)
            )
        ]
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)

    @_in_precision
    def recalibrate_batchnorm(self, X, batch_rows=65536):
        """See :meth:`skdeep._engine.core._EngineCore.recalibrate_batchnorm` (in
        the engine's precision)."""
        super().recalibrate_batchnorm(X, batch_rows)

    def _batchnorm_inputs(self, X, slots, batch_rows):
        """The batch-norm model's outputs ``slots`` on ``X`` (a layer's input
        and mask), chunk by chunk (inference mode)."""

        def make():
            def inputs(tv, nv, x):
                out = self._run(self._bn_model, tv, nv, x, False)[0]
                return list(out) if isinstance(out, (list, tuple)) else [out]

            return self._jax.jit(inputs)

        fn = self._jit("bn_inputs", make)
        for part, n_real in self._padded_chunks(X, batch_rows):
            out = fn(self._tv, self._nv, part)
            yield [np.asarray(out[j])[:n_real] for j in slots]

    def _set_batchnorm_statistics(self, k, mean, variance):
        for i, value in zip(self._bn_index[k], (mean, variance)):
            self._nv[i] = self._put(np.asarray(value, self._nv[i].dtype))

    @_in_precision
    def evaluate(self, X, Y, SW, penalties):
        """Return ``(output, reported_loss)`` on a held-out set."""

        def make():
            def evaluate(tv, nv, X, Y, SW, penalties):
                outputs, _, extra = self._run(self._train_model, tv, nv, X, False)
                _, reported = self._losses(Y, outputs, SW, penalties, tv, extra)
                return outputs[1], reported

            return self._jax.jit(evaluate)

        output, loss = self._jit("evaluate", make)(
            self._tv, self._nv, X.full, Y.array, SW.array, self._penalties(penalties)
        )
        return np.array(np.asarray(output)[: X.n]), float(loss)

    @_in_precision
    def loss_and_grad(self, flat, X, Y, SW, penalties):
        """Full-batch ``(objective, reported, gradient)`` at the flat weight vector.

        Leaves the engine's trainable values at ``flat`` (and batch-norm
        statistics updated by the training-mode call), like the TF engine.
        """
        jax = self._jax
        shapes = [(t.shape, t.dtype) for t in self._tv]
        sizes = [int(np.prod(shape)) for shape, _ in shapes]

        def make():
            def value_and_grad(flat, nv, X, Y, SW, penalties):
                def objective(flat):
                    tv, start = [], 0
                    for (shape, dtype), size in zip(shapes, sizes):
                        tv.append(flat[start : start + size].reshape(shape).astype(dtype))
                        start += size
                    outputs, new_nv, extra = self._run(self._train_model, tv, nv, X, True)
                    obj, reported = self._losses(Y, outputs, SW, penalties, tv, extra)
                    return obj, (reported, new_nv)

                (obj, (reported, new_nv)), grad = jax.value_and_grad(objective, has_aux=True)(
                    flat
                )
                return obj, reported, grad, new_nv

            return jax.jit(value_and_grad)

        fn = self._jit("loss_and_grad", make)
        flat = np.asarray(flat, dtype=self._dtype)
        obj, reported, grad, self._nv = fn(
            self._put(flat), self._nv, X.full, Y.array, SW.array,
            self._penalties(penalties),
        )
        start = 0
        for i, ((shape, dtype), size) in enumerate(zip(shapes, sizes)):
            self._tv[i] = self._put(flat[start : start + size].reshape(shape).astype(dtype))
            start += size
        return float(obj), float(reported), np.asarray(grad).astype(np.float64)

    def trainable_flat(self):
        """Return the trainable variables as one float64 vector."""
        return np.concatenate([np.ravel(np.asarray(v)) for v in self._tv]).astype(np.float64)
