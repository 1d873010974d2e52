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

__all__ = ["ModelSpec", "Engine", "acquire", "release", "clear_cache"]

#: How many idle engines the process keeps, across all architectures.
MAX_IDLE_ENGINES = 16

_LOSSES = ("squared_error", "poisson", "binary_log_loss", "log_loss")


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
        One of ``'squared_error'``, ``'poisson'``, ``'binary_log_loss'``,
        ``'log_loss'``.
    optimizer : tuple
        ``(solver, *hyperparameters)``; the learning rate is not part of it.
    """

    builder: Callable
    builder_kwargs: tuple
    input_shape: tuple
    n_outputs: int
    dtype: str
    loss: str
    optimizer: tuple

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


class Engine:
    """A compiled Keras model and optimizer for one :class:`ModelSpec`.

    Parameters
    ----------
    spec : ModelSpec
        The architecture and training settings to compile.
    """

    def __init__(self, spec):
        tf, keras = load()
        if spec.loss not in _LOSSES:
            raise ValueError(f"Unknown loss {spec.loss!r}; expected one of {_LOSSES}.")
        self.spec = spec
        self.model = spec.build()
        logits = self.model.get_layer("output").output
        self._train_model = keras.Model(self.model.inputs, [logits, self.model.outputs[0]])
        self.variables = list(self.model.variables)
        self.trainable = list(self.model.trainable_variables)
        names = [v.path.rsplit("/", 1)[-1] for v in self.trainable]
        self._penalized = [
            v for v, name in zip(self.trainable, names) if name in ("kernel", "recurrent_kernel")
        ]
        self.optimizer = _make_optimizer(keras, spec.optimizer)
        if self.optimizer is not None:
            self.optimizer.build(self.trainable)
            self._optimizer_initial = [v.numpy() for v in self.optimizer.variables]
        self.initial_weights = self.get_weights()
        self.loaded = None  # token of the weights now held by the variables
        self.lock = threading.Lock()
        self._dtype = tf.as_dtype(spec.dtype)
        self._report_scale = 1.0 / spec.n_outputs if spec.loss == "squared_error" else 1.0
        x_spec = tf.TensorSpec((None, *spec.input_shape), self._dtype)
        y_spec = tf.TensorSpec((None, spec.n_outputs), self._dtype)
        w_spec = tf.TensorSpec((None,), self._dtype)
        scalar = tf.TensorSpec((), self._dtype)
        self._signatures = {
            "_epoch": [x_spec, y_spec, w_spec, tf.TensorSpec((None,), tf.int32),
                       tf.TensorSpec((), tf.int32), scalar],
            "_predict": [x_spec],
            "_evaluate": [x_spec, y_spec, w_spec, scalar],
            "_loss_and_grad": [tf.TensorSpec((None,), self._dtype), x_spec, y_spec, w_spec, scalar],
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
            fn = fn.get_concrete_function()
            self._compiled[name] = fn
        return fn

    # ------------------------------------------------------------------ graph code
    def _losses(self, y, logits, output, sw, alpha):
        """Return ``(objective, reported)`` for one batch.

        ``objective`` is what the gradient is taken of: per-sample losses
        summed over outputs, averaged with the sample weights, plus
        ``0.5 * alpha * ||W||^2 / sum(sw)`` -- scikit-learn's convention.
        ``reported`` is what scikit-learn prints in ``loss_curve_`` (for squared
        error it averages over outputs instead of summing).
        """
        tf, _ = load()
        loss = self.spec.loss
        if loss == "log_loss":
            per = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits)
        elif loss == "binary_log_loss":
            per = tf.reduce_sum(
                tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits), axis=1
            )
        elif loss == "poisson":
            per = tf.reduce_sum(tf.math.xlogy(y, y) - y * logits - y + tf.exp(logits), axis=1)
        else:
            per = 0.5 * tf.reduce_sum(tf.square(y - output), axis=1)
        sw_sum = tf.reduce_sum(sw)
        data = tf.reduce_sum(sw * per) / sw_sum
        penalty = tf.zeros((), self._dtype)
        if self._penalized:
            squares = tf.add_n([tf.reduce_sum(tf.square(v)) for v in self._penalized])
            penalty = 0.5 * alpha * tf.cast(squares, self._dtype) / sw_sum
        extra = self.model.losses
        if extra:
            penalty = penalty + tf.cast(tf.add_n(extra), self._dtype)
        return data + penalty, data * self._report_scale + penalty

    def _epoch(self, X, Y, SW, perm, batch_size, alpha):
        tf, _ = load()
        n = tf.shape(perm)[0]
        n_batches = (n + batch_size - 1) // batch_size
        total = tf.zeros((), self._dtype)
        for i in tf.range(n_batches):
            idx = perm[i * batch_size : tf.minimum((i + 1) * batch_size, n)]
            xb, yb, wb = tf.gather(X, idx), tf.gather(Y, idx), tf.gather(SW, idx)
            with tf.GradientTape() as tape:
                logits, output = self._train_model(xb, training=True)
                objective, reported = self._losses(yb, logits, output, wb, alpha)
            grads = tape.gradient(objective, self.trainable)
            self.optimizer.apply(grads, self.trainable)
            total += reported * tf.cast(tf.shape(idx)[0], self._dtype)
        return total / tf.cast(n, self._dtype)

    def _predict(self, X):
        return self.model(X, training=False)

    def _evaluate(self, X, Y, SW, alpha):
        logits, output = self._train_model(X, training=False)
        _, reported = self._losses(Y, logits, output, SW, alpha)
        return output, reported

    def _loss_and_grad(self, flat, X, Y, SW, alpha):
        tf, _ = load()
        sizes = [int(np.prod(v.shape)) for v in self.trainable]
        for v, part in zip(self.trainable, tf.split(flat, sizes)):
            v.assign(tf.reshape(tf.cast(part, v.dtype), v.shape))
        with tf.GradientTape() as tape:
            logits, output = self._train_model(X, training=True)
            objective, reported = self._losses(Y, logits, output, SW, alpha)
        grads = tape.gradient(objective, self.trainable)
        flat_grad = tf.concat([tf.reshape(g, [-1]) for g in grads], axis=0)
        return objective, reported, flat_grad

    # ------------------------------------------------------------------ host API
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

    def train_epoch(self, X, Y, SW, perm, batch_size, alpha):
        """Run one epoch over ``perm`` in minibatches; return the mean loss."""
        tf, _ = load()
        loss = self._function("_epoch")(
            X, Y, SW, tf.constant(perm, tf.int32), tf.constant(batch_size, tf.int32),
            tf.constant(alpha, self._dtype),
        )
        return float(loss)

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

    def evaluate(self, X, Y, SW, alpha):
        """Return ``(output, reported_loss)`` on a held-out set."""
        tf, _ = load()
        output, loss = self._function("_evaluate")(X, Y, SW, tf.constant(alpha, self._dtype))
        return output.numpy(), float(loss)

    def loss_and_grad(self, flat, X, Y, SW, alpha):
        """Full-batch ``(objective, reported, gradient)`` at the flat weight vector."""
        tf, _ = load()
        obj, rep, grad = self._function("_loss_and_grad")(
            tf.constant(flat, self._dtype), X, Y, SW, tf.constant(alpha, self._dtype)
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
    return Engine(spec)


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
