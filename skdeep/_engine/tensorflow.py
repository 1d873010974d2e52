"""The training engine on Keras' TensorFlow backend.

A :class:`TensorFlowEngine` owns one Keras model, one Keras optimizer and the
TensorFlow functions compiled for them: one call trains a whole epoch
(shuffled minibatches, forward pass, loss, gradients, ``optimizer.apply``), one
predicts, one evaluates, one gives the full-batch loss and gradient to L-BFGS.

Tracing those functions costs far more than training a small network, so
engines are cached by :class:`~skdeep._engine.spec.ModelSpec` (see
:mod:`skdeep._engine.cache`) and reused: a GridSearchCV fits the same configuration
once per fold, and each fold only re-assigns weights and optimizer state into
an engine that is already compiled.  Estimators never keep an engine: their
fitted state is plain NumPy arrays, which makes them cheap to clone and pickle.
"""

import numpy as np
import scipy.sparse as sp

from .._backend import load
from .core import _EngineCore, as_csr, chunk_rows
from .objective import objective
from .spec import PENALTIES

__all__ = ["TensorFlowEngine"]


class _CSR:
    """Training rows of a sparse-input network: a CSR matrix as three tensors.

    The compiled epoch gathers each minibatch's rows from them (the matrix
    is never densified); :attr:`sparse` is the whole matrix as one
    ``tf.SparseTensor`` for the full-batch functions (validation, L-BFGS).
    """

    def __init__(self, tf, X, dtype):
        X = as_csr(X, dtype)
        self.shape = X.shape
        self.indptr = tf.constant(X.indptr.astype(np.int64))
        self.indices = tf.constant(X.indices.astype(np.int64))
        self.data = tf.constant(X.data)
        self.sparse = _sparse_tensor(tf, X)



def _sparse_tensor(tf, X):
    """A CSR matrix as a ``tf.SparseTensor`` (row-major order, as TF requires)."""
    coo = X.tocoo()
    indices = np.stack([coo.row, coo.col], axis=1).astype(np.int64)
    return tf.SparseTensor(indices, coo.data, np.asarray(X.shape, np.int64))


def _csr_rows(tf, indptr, indices, data, idx, n_features):
    """Rows ``idx`` of the CSR matrix ``(indptr, indices, data)`` as a SparseTensor."""
    idx = tf.cast(idx, tf.int64)
    starts = tf.gather(indptr, idx)
    lengths = tf.gather(indptr, idx + 1) - starts
    positions = tf.ragged.range(starts, starts + lengths).flat_values
    rows = tf.repeat(tf.range(tf.size(idx, out_type=tf.int64)), lengths)
    coords = tf.stack([rows, tf.gather(indices, positions)], axis=1)
    shape = tf.stack([tf.size(idx, out_type=tf.int64), tf.constant(n_features, tf.int64)])
    return tf.SparseTensor(coords, tf.gather(data, positions), shape)


def _n_workers(strategy):
    """How many worker processes run ``strategy`` (its cluster's chief and workers).

    Public API: a multi-worker strategy has a ``cluster_resolver`` whose
    cluster spec names the tasks; one-process strategies have none.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None:
        return 1
    spec = resolver.cluster_spec()
    return max(1, sum(spec.num_tasks(job) for job in spec.jobs if job in ("chief", "worker")))


class _TensorFlowOps:
    """The array operations of :func:`skdeep._engine.objective.objective`, in TensorFlow."""

    def __init__(self, tf, dtype):
        self.tf, self.dtype = tf, dtype

    def sum(self, x, axis=None):
        return self.tf.reduce_sum(x, axis=axis)

    def softmax_cross_entropy(self, y, logits):
        return self.tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits)

    def sigmoid_cross_entropy(self, y, logits):
        return self.tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits)

    def xlogy(self, x, y):
        return self.tf.math.xlogy(x, y)

    def exp(self, x):
        return self.tf.exp(x)

    def abs(self, x):
        return self.tf.abs(x)

    def square(self, x):
        return self.tf.square(x)

    def minimum(self, x, y):
        return self.tf.minimum(x, y)

    def add_n(self, xs):
        return self.tf.add_n(xs)

    def cast(self, x):
        return self.tf.cast(x, self.dtype)

    def zero(self):
        return self.tf.zeros((), self.dtype)

    def rows(self, z):
        return self.tf.reshape(z, (self.tf.shape(z)[0], -1))


class TensorFlowEngine(_EngineCore):
    """A compiled Keras model and optimizer for one :class:`ModelSpec` (TensorFlow).

    Parameters
    ----------
    spec : ModelSpec
        The architecture and training settings to compile.
    placement : Placement, default=None
        Train data-parallel over these devices: the model and optimizer are
        built in the placement's ``tf.distribute`` strategy's scope and each
        minibatch runs as one step per replica (see :meth:`_replica_step`).
    """

    def __init__(self, spec, placement=None):
        tf, _ = load()
        self._strategy = None if placement is None else placement.handle
        self._workers = None  # worker processes of the strategy, once asked
        super().__init__(spec)
        self._dtype = tf.as_dtype(spec.dtype)
        #: whether the network takes sparse rows (an MLP fitted on a sparse matrix)
        self.sparse = bool(getattr(self.model.inputs[0], "sparse", False))
        if self._strategy is not None:
            # batch statistics over the whole minibatch, summed across the
            # replicas (Keras' synchronized moments), as on one device
            for layer in self.batchnorms:
                layer.synchronized = True
            # seeds of Keras' own random layers (a user's Dropout, an LSTM's
            # recurrent dropout): offset per replica while it draws, or every
            # replica would draw the same masks for its rows.  skdeep's
            # dropout draws the whole minibatch's mask instead (batch_shard),
            # DropConnect one kernel mask per minibatch: as on one device.
            owned = {id(layer.seed_generator.state) for layer in self.stochastic}
            self._replica_seeds = [v for v in self._seed_states if id(v) not in owned]
        x_spec = tf.TensorSpec((None, *spec.input_shape), self._dtype)
        if self.sparse:
            x_spec = tf.SparseTensorSpec((None, *spec.input_shape), self._dtype)
        y_spec = tf.TensorSpec((None, spec.n_outputs), self._dtype)
        w_spec = tf.TensorSpec((None,), self._dtype)
        pen = tf.TensorSpec((len(PENALTIES),), self._dtype)
        int_scalar = tf.TensorSpec((), tf.int32)
        self._signatures = {
            "_epoch": [x_spec, y_spec, w_spec, tf.TensorSpec((None,), tf.int32), int_scalar, pen],
            "_sparse_epoch": [tf.TensorSpec((None,), tf.int64), tf.TensorSpec((None,), tf.int64),
                              tf.TensorSpec((None,), self._dtype), y_spec, w_spec,
                              tf.TensorSpec((None,), tf.int32), int_scalar, pen],
            "_predict": [x_spec],
            "_mc_predict": [x_spec, int_scalar, int_scalar],
            "_bn_inputs": [x_spec],
            "_evaluate": [x_spec, y_spec, w_spec, pen],
            "_loss_and_grad": [tf.TensorSpec((None,), self._dtype), x_spec, y_spec, w_spec, pen],
        }
        self._compiled = {}

    def _creating(self, make):
        """Run ``make`` (a model or optimizer build) in the strategy's scope, if any."""
        if self._strategy is None:
            return make()
        with self._strategy.scope():
            return make()

    _scoped = _creating

    def _function(self, name):
        """The traced graph of method ``name``, traced on first use.

        Calling the concrete function skips ``tf.function``'s per-call
        argument matching, which costs about as much as a small epoch.
        """
        fn = self._compiled.get(name)
        if fn is None:
            tf, _ = load()
            # autograph only for a user's model (which may branch on tensors, as
            # Keras' fit allows): skdeep's graph code loops with tf.while_loop,
            # and autograph's conversion took ~3 s of a process's first fit
            user_code = getattr(self.spec.builder, "runs_user_code", False)
            fn = tf.function(getattr(self, name), input_signature=self._signatures[name],
                             autograph=user_code)
            sampling = name == "_mc_predict"
            for layer in self.stochastic:
                layer.sample_at_inference = sampling
            try:
                fn = fn.get_concrete_function()
            finally:
                for layer in self.stochastic:
                    layer.sample_at_inference = False
            self._compiled[name] = fn
        return fn

    # ------------------------------------------------------------------ graph code
    def _losses(self, y, outputs, sw, penalties, sw_total=None, share=1.0):
        tf, _ = load()
        return objective(_TensorFlowOps(tf, self._dtype), self.spec, y, outputs, sw, penalties,
                         self._penalized, self.model.losses, sw_total, share)

    def _epoch(self, X, Y, SW, perm, batch_size, penalties):
        tf, _ = load()
        return self._epoch_over(lambda idx: tf.gather(X, idx), Y, SW, perm, batch_size,
                                penalties)

    def _sparse_epoch(self, indptr, indices, data, Y, SW, perm, batch_size, penalties):
        tf, _ = load()
        n_features = int(self.spec.input_shape[0])
        return self._epoch_over(
            lambda idx: _csr_rows(tf, indptr, indices, data, idx, n_features),
            Y, SW, perm, batch_size, penalties,
        )

    def _epoch_over(self, rows, Y, SW, perm, batch_size, penalties):
        """One epoch of minibatch updates; ``rows(idx)`` gathers a batch's inputs."""
        tf, _ = load()
        n = tf.shape(perm)[0]
        n_batches = (n + batch_size - 1) // batch_size
        track = self.spec.track_grad_norm

        def step(i, total, grad_sum):
            idx = perm[i * batch_size : tf.minimum((i + 1) * batch_size, n)]
            if self._strategy is not None:
                reported, grads = self._distributed_step(rows, Y, SW, idx, penalties)
            else:
                xb, yb, wb = rows(idx), tf.gather(Y, idx), tf.gather(SW, idx)
                with tf.GradientTape() as tape:
                    outputs = self._train_model(xb, training=True)
                    objective, reported = self._losses(yb, outputs, wb, penalties)
                grads = tape.gradient(objective, self.trainable)
                self._apply_gradients(grads)
            if track:
                size = tf.cast(tf.shape(idx)[0], grads[0].dtype)
                grad_sum = [s + g * size for s, g in zip(grad_sum, grads)]
            return i + 1, total + reported * tf.cast(tf.shape(idx)[0], self._dtype), grad_sum

        grad_sum = [tf.zeros(v.shape, v.dtype) for v in self.trainable] if track else []
        _, total, grad_sum = tf.while_loop(lambda i, *_: i < n_batches, step,
                                           (tf.constant(0), tf.zeros((), self._dtype), grad_sum))
        mean_loss = total / tf.cast(n, self._dtype)
        if not track:
            return mean_loss, tf.constant(np.nan, self._dtype)
        norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(s)) for s in grad_sum]))
        return mean_loss, tf.cast(norm, self._dtype) / tf.cast(n, self._dtype)

    def _distributed_step(self, rows, Y, SW, idx, penalties):
        """One minibatch update over the strategy's replicas.

        Every replica is handed the whole minibatch's row indices and takes
        its own contiguous share; its objective is its part of the
        minibatch's (its rows' weighted losses over the whole batch's weight
        sum, its share of the weight penalties), so the summed gradient is
        the minibatch's gradient.  Returns ``(reported_loss, gradients)``,
        both summed over the replicas.
        """
        tf, _ = load()
        from ..layers import batch_shard

        strategy = self._strategy

        def replica(idx):
            ctx = tf.distribute.get_replica_context()
            r, R = ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync
            n = tf.shape(idx)[0]
            per = (n + R - 1) // R
            lo = tf.minimum(tf.cast(r, tf.int32) * per, n)
            local = idx[lo : tf.minimum(lo + per, n)]
            xb, yb, wb = rows(local), tf.gather(Y, local), tf.gather(SW, local)
            sw_total = tf.reduce_sum(tf.gather(SW, idx))
            offsets = [tf.cast(tf.stack([r * 1000003, 0]), v.dtype) for v in self._replica_seeds]
            for v, offset in zip(self._replica_seeds, offsets):
                v.assign(v.value + offset)
            with tf.GradientTape() as tape, batch_shard(n, lo):
                outputs = self._train_model(xb, training=True)
                objective, reported = self._losses(
                    yb, outputs, wb, penalties, sw_total, 1.0 / R
                )
            for v, offset in zip(self._replica_seeds, offsets):
                v.assign(v.value - offset)  # the replicas' states agree again
            grads = tape.gradient(objective, self.trainable)
            grads = [tf.zeros_like(v) if g is None else g for g, v in zip(grads, self.trainable)]
            grads = ctx.all_reduce(tf.distribute.ReduceOp.SUM, grads)
            reported = ctx.all_reduce(tf.distribute.ReduceOp.SUM, reported)
            ctx.merge_call(self._update_replicas, args=(grads,))
            return reported, grads

        reported, grads = strategy.run(replica, args=(idx,))
        first = strategy.experimental_local_results
        return first(reported)[0], [first(g)[0] for g in grads]

    def _update_replicas(self, strategy, grads):
        """The optimizer update of every replica's copy (cross-replica context)."""
        optimizer = self.optimizer
        learning_rate = optimizer.learning_rate

        def update(variable, grad):
            return optimizer.update_step(grad, variable, learning_rate)

        for grad, variable in zip(grads, self.trainable):
            strategy.extended.update(variable.value, update, args=(grad,), group=False)
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable))
        optimizer.iterations.assign_add(1)

    def _apply_gradients(self, grads):
        """One optimizer update, in graph code: ``optimizer.apply`` minus its leak.

        Keras' ``apply`` sums the gradients over the replicas of the default
        ``tf.distribute`` context, which in graph mode registers a custom
        gradient in TensorFlow's process-wide gradient registry -- a reference
        to the traced graph that is never dropped, ~4 MB per architecture that
        no ``clear_cache`` / ``clear_session`` / ``gc`` gave back.  skdeep's
        optimizers have no clipping, weight decay, EMA, loss scaling or
        gradient accumulation, so ``apply`` reduces to this: each variable's
        ``update_step`` at the current learning rate, Keras variable
        constraints (user models), then the iteration count -- the same ops in
        the same order.
        """
        optimizer = self.optimizer
        learning_rate = optimizer.learning_rate
        for grad, variable in zip(grads, self.trainable):
            if grad is None:
                continue
            optimizer.update_step(grad, variable, learning_rate)
            if variable.constraint is not None:
                variable.assign(variable.constraint(variable))
        optimizer.iterations.assign_add(1)

    def _predict(self, X):
        return self.model(X, training=False)

    def _mc_predict(self, X, seed, n_samples):
        """``n_samples`` stochastic forward passes, stacked on a new first axis.

        Traced with every dropout / DropConnect layer sampling its masks while
        the rest of the network (batch normalisation) runs in inference mode.
        Each seed generator restarts from ``seed``, so a call is reproducible.
        """
        tf, _ = load()
        for i, state in enumerate(self._seed_states):
            state.assign(tf.cast(tf.stack([seed + 7919 * i, 0]), state.dtype))
        _, draws = tf.while_loop(
            lambda j, _: j < n_samples,
            lambda j, draws: (j + 1, draws.write(j, self.model(X, training=False))),
            (tf.constant(0), tf.TensorArray(self._dtype, size=n_samples)))
        return draws.stack()

    def _bn_inputs(self, X):
        out = self._bn_model(X, training=False)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    def _evaluate(self, X, Y, SW, penalties):
        outputs = self._train_model(X, training=False)
        _, reported = self._losses(Y, outputs, SW, penalties)
        return outputs[1], reported

    def _loss_and_grad(self, flat, X, Y, SW, penalties):
        tf, _ = load()
        sizes = [int(np.prod(v.shape)) for v in self.trainable]
        for v, part in zip(self.trainable, tf.split(flat, sizes)):
            v.assign(tf.reshape(tf.cast(part, v.dtype), v.shape))
        with tf.GradientTape() as tape:
            outputs = self._train_model(X, training=True)
            objective, reported = self._losses(Y, outputs, SW, penalties)
        grads = tape.gradient(objective, self.trainable)
        flat_grad = tf.concat([tf.reshape(g, [-1]) for g in grads], axis=0)
        return objective, reported, flat_grad

    # ------------------------------------------------------------------ host API
    def tensors(self, *arrays, pad=True):
        """Return ``arrays`` as TensorFlow tensors (placed on the GPU when there is one).

        ``pad`` is for the JAX engine (which pads rows to bucket sizes); the
        compiled TensorFlow functions take any number of rows.
        """
        tf, _ = load()
        if self._multi_worker():
            self._check_workers_agree("data", *arrays)
        X, *rest = arrays
        X = _CSR(tf, X, self.spec.dtype) if self.sparse else self._x(X)
        return (X, *(tf.convert_to_tensor(a) for a in rest))

    def _multi_worker(self):
        """Whether the strategy spans several worker processes (decided once)."""
        if self._workers is None:
            self._workers = _n_workers(self._strategy)
        return self._workers > 1

    def _check_workers_agree(self, what, *arrays):
        """Refuse to train when the workers of a multi-worker strategy differ in ``arrays``.

        Every worker must run the same fit on the same rows (each replica
        takes its share of every minibatch); a checksum of ``arrays`` is
        summed over the replicas with its square, which agree only if all
        replicas hold the same value.
        """
        import zlib

        tf, _ = load()
        crc = 0
        for a in arrays:
            if sp.issparse(a):
                parts = (a.indptr, a.indices, a.data)
            else:
                parts = (np.ascontiguousarray(a),)
            for part in parts:
                crc = zlib.crc32(np.ascontiguousarray(part).view(np.uint8).ravel(), crc)
        value = float(crc % (1 << 20))
        check = self._compiled.get("_agree")
        if check is None:
            strategy = self._strategy

            @tf.function
            def check(v):
                per_replica = strategy.run(lambda: tf.stack([v, v * v]))
                return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

            self._compiled["_agree"] = check
        total, squares = check(tf.constant(value, tf.float64)).numpy()
        replicas = self._strategy.num_replicas_in_sync
        if squares * replicas != total * total:
            raise ValueError(
                f"The workers of this multi-worker fit were given different {what}: every "
                "worker must call fit with the same X, y, sample_weight and random_state "
                "(each trains its share of every minibatch)."
            )

    def _x(self, X):
        """Host rows ``X`` (dense or a SciPy sparse matrix) as the network's input."""
        tf, _ = load()
        if self.sparse:
            return _sparse_tensor(tf, as_csr(X, self.spec.dtype))
        if sp.issparse(X):
            X = X.toarray()  # a dense-input network: one chunk of rows at a time
        return tf.convert_to_tensor(X)

    def set_weights(self, weights, token):
        """Load ``weights`` (one array per model variable) unless already held."""
        if self.loaded is not None and self.loaded == token:
            return
        if self._multi_worker():
            self._check_workers_agree("weights (initial or restored)", *weights)
        for v, w in zip(self.variables, weights):
            v.assign(w)
        self.loaded = token

    def get_weights(self):
        """Return a NumPy copy of every model variable, in ``model.variables`` order."""
        return [np.array(v.numpy()) for v in self.variables]

    def set_values(self, values):
        """Assign ``{variable index: value}``; the other variables keep theirs."""
        for i, value in values.items():
            self.variables[i].assign(value)
        self.loaded = None  # no longer the weights of any token

    def sync_model(self, weights=None):
        """Make ``self.model`` hold ``weights`` (default: the engine's own, already there).

        On TensorFlow the model's variables *are* the engine's, so only
        other weights (an L-BFGS iterate) need assigning.
        """
        if weights is not None:
            for v, w in zip(self.variables, weights):
                v.assign(w)
            self.loaded = None

    def adopt_model_weights(self):
        """Take whatever ``self.model`` holds now as the engine's weights."""
        self.loaded = None  # a callback may have assigned the shared variables

    def reset_optimizer(self, learning_rate, state=None):
        """Restore the optimizer to its initial state (or to ``state``)."""
        values = self._optimizer_initial if state is None else state
        for v, value in zip(self.optimizer.variables, values):
            v.assign(value)
        self.set_learning_rate(learning_rate)

    def set_learning_rate(self, learning_rate):
        """Set the optimizer's learning rate without re-tracing."""
        self.optimizer.learning_rate.assign(learning_rate)

    def optimizer_state(self):
        """Return a NumPy copy of the optimizer's variables."""
        return [np.array(v.numpy()) for v in self.optimizer.variables]

    def _penalties(self, penalties):
        tf, _ = load()
        return tf.constant(penalties, self._dtype, shape=(len(PENALTIES),))

    def train_epoch(self, X, Y, SW, perm, batch_size, penalties):
        """Run one epoch over ``perm`` in minibatches.

        ``penalties`` holds the strengths named in :data:`PENALTIES`.
        Returns ``(mean_loss, grad_norm)``; ``grad_norm`` is the norm of the
        epoch's mean minibatch gradient, NaN unless the spec tracks it.
        """
        tf, _ = load()
        if self._multi_worker():
            self._check_workers_agree("minibatch orders", np.asarray(perm, np.int64),
                                      np.asarray([batch_size], np.int64))
        args = (Y, SW, tf.constant(perm, tf.int32), tf.constant(batch_size, tf.int32),
                self._penalties(penalties))
        if isinstance(X, _CSR):
            loss, norm = self._function("_sparse_epoch")(X.indptr, X.indices, X.data, *args)
        else:
            loss, norm = self._function("_epoch")(X, *args)
        return float(loss), float(norm)

    def mc_predict(self, X, n_samples, seed, max_values=1 << 24):
        """Return ``(n_samples, n_rows, n_outputs)`` Monte-Carlo outputs for ``X``.

        Rows are processed in chunks so that at most about ``max_values``
        numbers are held at once; the seed generators are reset per chunk
        from ``seed`` and the held weights are marked stale afterwards.
        """
        tf, _ = load()
        fn = self._function("_mc_predict")
        n = X.shape[0]
        rows = chunk_rows(max_values // max(1, n_samples * self.spec.n_outputs), X,
                          self.sparse, max_values)
        try:
            parts = [
                fn(self._x(X[i : i + rows]), tf.constant(seed + i, tf.int32),
                   tf.constant(n_samples, tf.int32)).numpy()
                for i in range(0, n, rows)
            ]
        finally:
            self.loaded = None  # the seed generators moved on
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)

    def predict(self, X, batch_rows=65536):
        """Return the model output for ``X`` (a NumPy array or tensor)."""
        tf, _ = load()
        forward = self._function("_predict")
        n = X.shape[0]
        batch_rows = chunk_rows(batch_rows, X, self.sparse)
        if n <= batch_rows:
            return forward(self._x(X)).numpy()
        return np.concatenate(
            [forward(self._x(X[i : i + batch_rows])).numpy() for i in range(0, n, batch_rows)]
        )

    def _batchnorm_inputs(self, X, slots, batch_rows):
        """The batch-norm model's outputs ``slots`` on ``X`` (a layer's input
        and mask), chunk by chunk (inference mode)."""
        fn = self._function("_bn_inputs")
        for i in range(0, X.shape[0], batch_rows):
            out = fn(self._x(X[i : i + batch_rows]))
            yield [out[j].numpy() for j in slots]

    def _set_batchnorm_statistics(self, k, mean, variance):
        layer = self.batchnorms[k]
        layer.moving_mean.assign(mean.astype(layer.moving_mean.dtype))
        layer.moving_variance.assign(variance.astype(layer.moving_variance.dtype))

    def evaluate(self, X, Y, SW, penalties):
        """Return ``(output, reported_loss)`` on a held-out set."""
        if isinstance(X, _CSR):
            X = X.sparse
        output, loss = self._function("_evaluate")(X, Y, SW, self._penalties(penalties))
        return output.numpy(), float(loss)

    def loss_and_grad(self, flat, X, Y, SW, penalties):
        """Full-batch ``(objective, reported, gradient)`` at the flat weight vector."""
        tf, _ = load()
        if isinstance(X, _CSR):
            X = X.sparse
        obj, rep, grad = self._function("_loss_and_grad")(
            tf.constant(flat, self._dtype), X, Y, SW, self._penalties(penalties)
        )
        return float(obj), float(rep), grad.numpy().astype(np.float64)

    def trainable_flat(self):
        """Return the trainable variables as one float64 vector."""
        return np.concatenate([np.ravel(v.numpy()) for v in self.trainable]).astype(np.float64)
