"""The training engine shared by every skdeep estimator.

An :class:`Engine` owns one Keras model, one Keras optimizer and the
TensorFlow functions compiled for them: one call trains a whole epoch
(shuffled minibatches, forward pass, loss, gradients, ``optimizer.apply``), one
predicts, one evaluates, one gives the full-batch loss and gradient to L-BFGS.

Tracing those functions costs far more than training a small network, so
engines are cached by :class:`ModelSpec` -- the architecture, dtype, loss and
optimizer settings -- and reused: a GridSearchCV fits the same configuration
once per fold, and each fold only re-assigns weights and optimizer state into
an engine that is already compiled.  Estimators never keep an engine: their
fitted state is plain NumPy arrays, which makes them cheap to clone and pickle.
"""

import collections
import dataclasses
import threading
from typing import Callable

import numpy as np

from ._backend import load

__all__ = [
    "PENALTIES", "ModelSpec", "Engine", "acquire", "release", "clear_cache", "engine_class",
]

#: How many idle engines the process keeps, across all architectures.
MAX_IDLE_ENGINES = 16

_LOSSES = (
    "squared_error", "absolute_error", "huber", "poisson", "binary_log_loss", "log_loss",
)

#: Order of the penalty strengths in the vector every compiled function takes.
PENALTIES = ("alpha", "l1", "activity_l1", "activity_l2")


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """Everything that fixes the compiled graph of a fit.

    Parameters
    ----------
    builder : callable
        Module-level function returning an uncompiled ``keras.Model``.
    builder_kwargs : tuple of (str, object) pairs
        Hashable keyword arguments for ``builder``.
    input_shape : tuple of int
        Shape of one sample.
    n_outputs : int
        Width of the target matrix.
    dtype : str
        ``'float32'`` or ``'float64'``.
    loss : str
        One of ``'squared_error'``, ``'absolute_error'``, ``'huber'``,
        ``'poisson'``, ``'binary_log_loss'``, ``'log_loss'``.
    optimizer : tuple
        ``(solver, *hyperparameters)``; the learning rate is not part of it.
    penalties : tuple of str, default=()
        Which optional penalty terms the graph computes: ``'l1'`` (on the
        weights) and ``'activity'`` (on the hidden activations).  Their
        strengths, like ``alpha``'s, are inputs of the compiled functions, so
        a grid over them shares one trace.
    track_grad_norm : bool, default=False
        Whether a training epoch also returns the norm of its mean gradient
        (the course's gradient-norm stopping criterion).
    """

    builder: Callable
    builder_kwargs: tuple
    input_shape: tuple
    n_outputs: int
    dtype: str
    loss: str
    optimizer: tuple
    penalties: tuple = ()
    track_grad_norm: bool = False

    def build(self):
        """Return a fresh, uncompiled Keras model for this spec."""
        return self.builder(**dict(self.builder_kwargs))


def _make_optimizer(keras, config):
    solver, *hyper = config
    if solver == "sgd":
        momentum, nesterov = hyper
        return keras.optimizers.SGD(learning_rate=0.001, momentum=momentum, nesterov=nesterov)
    if solver == "adam":
        beta_1, beta_2, epsilon = hyper
        return keras.optimizers.Adam(
            learning_rate=0.001, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon
        )
    if solver == "rmsprop":
        (epsilon,) = hyper
        return keras.optimizers.RMSprop(learning_rate=0.001, epsilon=epsilon)
    if solver == "adagrad":
        (epsilon,) = hyper
        return keras.optimizers.Adagrad(learning_rate=0.001, epsilon=epsilon)
    if solver == "lbfgs":
        return None
    raise ValueError(f"Unknown solver {solver!r}.")


class _EngineCore:
    """What every backend's engine shares: the model, its views and the optimizer.

    Parameters
    ----------
    spec : ModelSpec
        The architecture and training settings to compile.
    """

    def __init__(self, spec):
        _, keras = load()
        if spec.loss not in _LOSSES:
            raise ValueError(f"Unknown loss {spec.loss!r}; expected one of {_LOSSES}.")
        self.spec = spec
        self.model = self._creating(spec.build)
        logits = self.model.get_layer("output").output
        self._activity = []
        if "activity" in spec.penalties:
            self._activity = [
                layer.output for layer in self.model.layers if layer.name.startswith("hidden")
            ]
        self._train_model = keras.Model(
            self.model.inputs, [logits, self.model.outputs[0], *self._activity]
        )
        from .layers import stochastic_layers

        self.stochastic = stochastic_layers(self.model)
        self.batchnorms = [
            layer for layer in self.model.layers
            if isinstance(layer, keras.layers.BatchNormalization)
        ]
        if self.batchnorms:
            self._bn_model = keras.Model(
                self.model.inputs, [layer.input for layer in self.batchnorms]
            )
        self._seed_states = [
            v for v in self.model.non_trainable_variables
            if v.path.endswith("seed_generator_state")
        ]
        self.variables = list(self.model.variables)
        self.trainable = list(self.model.trainable_variables)
        names = [v.path.rsplit("/", 1)[-1] for v in self.trainable]
        self._penalized = [
            v for v, name in zip(self.trainable, names) if name in ("kernel", "recurrent_kernel")
        ]
        self.optimizer = _make_optimizer(keras, spec.optimizer)
        if self.optimizer is not None:
            self._creating(lambda: self.optimizer.build(self.trainable))
            self._optimizer_initial = [np.array(v.numpy()) for v in self.optimizer.variables]
        self.initial_weights = [np.array(v.numpy()) for v in self.variables]
        self.loaded = None  # token of the weights now held by the variables
        self.lock = threading.Lock()
        regression = spec.loss in ("squared_error", "absolute_error", "huber")
        self._report_scale = 1.0 / spec.n_outputs if regression else 1.0

    def _creating(self, make):
        """Run ``make`` (a model or optimizer build) and return its result."""
        return make()

    def _objective(self, ops, y, outputs, sw, penalties, kernels, extra):
        """Return ``(objective, reported)`` for one batch, in ``ops``' backend.

        ``objective`` is what the gradient is taken of: per-sample losses
        summed over outputs, averaged with the sample weights, plus
        ``0.5 * alpha * ||W||^2 / sum(sw)`` -- scikit-learn's convention -- and
        the optional ``l1 * ||W||_1 / sum(sw)`` and activity penalties
        (weighted mean over samples of ``activity_l1 * sum|z|`` and
        ``activity_l2 * sum z^2`` over hidden units, Keras' convention), plus
        the Keras losses of the call (``extra``: regularizers, ``add_loss``).
        ``reported`` is what scikit-learn prints in ``loss_curve_`` (for
        regression losses it averages over outputs instead of summing).
        ``kernels`` are the values of the penalized weights.
        """
        logits, output, *activities = outputs
        loss = self.spec.loss
        if loss == "log_loss":
            per = ops.softmax_cross_entropy(y, logits)
        elif loss == "binary_log_loss":
            per = ops.sum(ops.sigmoid_cross_entropy(y, logits), 1)
        elif loss == "poisson":
            per = ops.sum(ops.xlogy(y, y) - y * logits - y + ops.exp(logits), 1)
        elif loss == "absolute_error":
            per = ops.sum(ops.abs(y - output), 1)
        elif loss == "huber":
            err = ops.abs(y - output)
            quad = ops.minimum(err, 1.0)
            per = ops.sum(0.5 * ops.square(quad) + (err - quad), 1)
        else:
            per = 0.5 * ops.sum(ops.square(y - output), 1)
        sw_sum = ops.sum(sw)
        data = ops.sum(sw * per) / sw_sum
        penalty = ops.zero()
        if kernels:
            squares = ops.add_n([ops.sum(ops.square(w)) for w in kernels])
            penalty += 0.5 * penalties[0] * ops.cast(squares) / sw_sum
            if "l1" in self.spec.penalties:
                absolute = ops.add_n([ops.sum(ops.abs(w)) for w in kernels])
                penalty += penalties[1] * ops.cast(absolute) / sw_sum
        if activities:
            flat = [ops.rows(z) for z in activities]
            l1 = ops.add_n([ops.sum(ops.abs(z), 1) for z in flat])
            l2 = ops.add_n([ops.sum(ops.square(z), 1) for z in flat])
            per_sample = penalties[2] * l1 + penalties[3] * l2
            penalty += ops.sum(sw * ops.cast(per_sample)) / sw_sum
        if extra:
            penalty = penalty + ops.cast(ops.add_n(list(extra)))
        return data + penalty, data * self._report_scale + penalty


class _TensorFlowOps:
    """The few array operations :meth:`_EngineCore._objective` needs, in TensorFlow."""

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


class Engine(_EngineCore):
    """A compiled Keras model and optimizer for one :class:`ModelSpec` (TensorFlow).

    Parameters
    ----------
    spec : ModelSpec
        The architecture and training settings to compile.
    """

    def __init__(self, spec):
        tf, _ = load()
        super().__init__(spec)
        self._dtype = tf.as_dtype(spec.dtype)
        x_spec = tf.TensorSpec((None, *spec.input_shape), self._dtype)
        y_spec = tf.TensorSpec((None, spec.n_outputs), self._dtype)
        w_spec = tf.TensorSpec((None,), self._dtype)
        pen = tf.TensorSpec((len(PENALTIES),), self._dtype)
        int_scalar = tf.TensorSpec((), tf.int32)
        self._signatures = {
            "_epoch": [x_spec, y_spec, w_spec, tf.TensorSpec((None,), tf.int32), int_scalar, pen],
            "_predict": [x_spec],
            "_mc_predict": [x_spec, int_scalar, int_scalar],
            "_bn_inputs": [x_spec],
            "_evaluate": [x_spec, y_spec, w_spec, pen],
            "_loss_and_grad": [tf.TensorSpec((None,), self._dtype), x_spec, y_spec, w_spec, pen],
        }
        self._compiled = {}

    def _function(self, name):
        """The traced graph of method ``name``, traced on first use.

        Calling the concrete function skips ``tf.function``'s per-call
        argument matching, which costs about as much as a small epoch.
        """
        fn = self._compiled.get(name)
        if fn is None:
            tf, _ = load()
            fn = tf.function(getattr(self, name), input_signature=self._signatures[name])
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
    def _losses(self, y, outputs, sw, penalties):
        tf, _ = load()
        return self._objective(_TensorFlowOps(tf, self._dtype), y, outputs, sw, penalties,
                               self._penalized, self.model.losses)

    def _epoch(self, X, Y, SW, perm, batch_size, penalties):
        tf, _ = load()
        n = tf.shape(perm)[0]
        n_batches = (n + batch_size - 1) // batch_size
        total = tf.zeros((), self._dtype)
        track = self.spec.track_grad_norm
        grad_sum = [tf.zeros(v.shape, v.dtype) for v in self.trainable] if track else []
        for i in tf.range(n_batches):
            idx = perm[i * batch_size : tf.minimum((i + 1) * batch_size, n)]
            xb, yb, wb = tf.gather(X, idx), tf.gather(Y, idx), tf.gather(SW, idx)
            with tf.GradientTape() as tape:
                outputs = self._train_model(xb, training=True)
                objective, reported = self._losses(yb, outputs, wb, penalties)
            grads = tape.gradient(objective, self.trainable)
            if track:
                size = tf.cast(tf.shape(idx)[0], grads[0].dtype)
                grad_sum = [s + g * size for s, g in zip(grad_sum, grads)]
            self.optimizer.apply(grads, self.trainable)
            total += reported * tf.cast(tf.shape(idx)[0], self._dtype)
        mean_loss = total / tf.cast(n, self._dtype)
        if not track:
            return mean_loss, tf.constant(np.nan, self._dtype)
        norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(s)) for s in grad_sum]))
        return mean_loss, tf.cast(norm, self._dtype) / tf.cast(n, self._dtype)

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
        draws = tf.TensorArray(self._dtype, size=n_samples)
        for j in tf.range(n_samples):
            draws = draws.write(j, self.model(X, training=False))
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
        return tuple(tf.convert_to_tensor(a) for a in arrays)

    def set_weights(self, weights, token):
        """Load ``weights`` (one array per model variable) unless already held."""
        if self.loaded is not None and self.loaded == token:
            return
        for v, w in zip(self.variables, weights):
            v.assign(w)
        self.loaded = token

    def get_weights(self):
        """Return a NumPy copy of every model variable, in ``model.variables`` order."""
        return [np.array(v.numpy()) for v in self.variables]

    def reset_optimizer(self, learning_rate, state=None):
        """Restore the optimizer to its initial state (or to ``state``)."""
        values = self._optimizer_initial if state is None else state
        for v, value in zip(self.optimizer.variables, values):
            v.assign(value)
        self.set_learning_rate(learning_rate)

    def set_learning_rate(self, learning_rate):
        """Set the optimizer's learning rate without re-tracing."""
        self.optimizer.learning_rate.assign(learning_rate)

    def get_learning_rate(self):
        """Return the optimizer's current learning rate as a float."""
        return float(self.optimizer.learning_rate.numpy())

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
        loss, norm = self._function("_epoch")(
            X, Y, SW, tf.constant(perm, tf.int32), tf.constant(batch_size, tf.int32),
            self._penalties(penalties),
        )
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
        rows = max(1, max_values // max(1, n_samples * self.spec.n_outputs))
        try:
            parts = [
                fn(tf.constant(X[i : i + rows]), tf.constant(seed + i, tf.int32),
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
        if n <= batch_rows:
            return forward(tf.constant(X)).numpy()
        return np.concatenate(
            [forward(tf.constant(X[i : i + batch_rows])).numpy() for i in range(0, n, batch_rows)]
        )

    def recalibrate_batchnorm(self, X, batch_rows=65536):
        """Set every batch-norm layer's moving statistics to the exact ones on ``X``.

        Moving averages (momentum 0.99) lag far behind the weights when a
        fit makes only a few hundred updates -- a small data set trained in
        full batches makes one per epoch -- so after training each layer's
        mean and variance are recomputed in inference mode, layer after
        layer, from ``X`` (the training rows).
        """
        tf, _ = load()
        fn = self._function("_bn_inputs")
        for k, layer in enumerate(self.batchnorms):
            total = total_sq = 0.0
            count = 0
            for i in range(0, X.shape[0], batch_rows):
                z = fn(tf.convert_to_tensor(X[i : i + batch_rows]))[k].numpy()
                z = z.reshape(-1, z.shape[-1]).astype(np.float64)
                total = total + z.sum(axis=0)
                total_sq = total_sq + np.square(z).sum(axis=0)
                count += z.shape[0]
            mean = total / count
            layer.moving_mean.assign(mean.astype(layer.moving_mean.dtype))
            variance = np.maximum(total_sq / count - np.square(mean), 0.0)
            layer.moving_variance.assign(variance.astype(layer.moving_variance.dtype))
        self.loaded = None

    def evaluate(self, X, Y, SW, penalties):
        """Return ``(output, reported_loss)`` on a held-out set."""
        output, loss = self._function("_evaluate")(X, Y, SW, self._penalties(penalties))
        return output.numpy(), float(loss)

    def loss_and_grad(self, flat, X, Y, SW, penalties):
        """Full-batch ``(objective, reported, gradient)`` at the flat weight vector."""
        tf, _ = load()
        obj, rep, grad = self._function("_loss_and_grad")(
            tf.constant(flat, self._dtype), X, Y, SW, self._penalties(penalties)
        )
        return float(obj), float(rep), grad.numpy().astype(np.float64)

    def trainable_flat(self):
        """Return the trainable variables as one float64 vector."""
        return np.concatenate([np.ravel(v.numpy()) for v in self.trainable]).astype(np.float64)


_idle = collections.OrderedDict()  # spec -> list of idle engines (LRU order)
_idle_lock = threading.Lock()


def acquire(spec):
    """Take an idle compiled engine for ``spec`` from the cache, or build one."""
    with _idle_lock:
        engines = _idle.get(spec)
        if engines:
            engine = engines.pop()
            if not engines:
                del _idle[spec]
            return engine
    return engine_class()(spec)


def engine_class():
    """The engine class for the Keras backend in use: :class:`Engine` on
    TensorFlow, :class:`skdeep._engine_jax.JaxEngine` on JAX."""
    from ._backend import backend

    if backend() == "jax":
        from ._engine_jax import JaxEngine

        return JaxEngine
    return Engine


def release(engine):
    """Return ``engine`` to the cache, evicting the least recently used ones."""
    with _idle_lock:
        _idle.setdefault(engine.spec, []).append(engine)
        _idle.move_to_end(engine.spec)
        while sum(len(v) for v in _idle.values()) > MAX_IDLE_ENGINES:
            oldest = next(iter(_idle))
            _idle[oldest].pop(0)
            if not _idle[oldest]:
                del _idle[oldest]


def clear_cache():
    """Drop every cached compiled engine, freeing the memory they hold.

    skdeep keeps up to 16 compiled models (one per architecture recently
    fitted) so that repeated fits -- cross-validation folds, grid searches --
    skip TensorFlow's tracing.  Fitted estimators do not depend on the cache.

    Examples
    --------
    >>> import skdeep
    >>> skdeep.clear_cache()
    """
    with _idle_lock:
        _idle.clear()
