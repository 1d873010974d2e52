"""Keras layers that skdeep's builders need and Keras does not provide.

* :class:`RateDropout` -- dropout whose rate is a (non-trainable) variable
  rather than a constant baked into the graph, so one compiled training
  function serves every dropout rate of a grid search, and which can stay
  active at prediction time for Monte-Carlo dropout.
* :class:`DropConnectDense` -- a dense layer that drops single connections
  (weights) instead of units during training (Wan et al., 2013); Keras has no
  such layer.
* :class:`Standardize` -- per-channel standardisation whose statistics are
  plain weights set by the estimator from the training data (Keras'
  ``Normalization`` bakes them in when built, so every fold would re-trace).
* :class:`PaddingMask` -- marks the NaN padding of variable-length
  sequences as masked time steps (and zeroes it), so recurrent layers skip
  it; unlike Keras' ``Masking``, no real value is reserved as the pad.
* :class:`RealSteps`, :class:`MaskSteps`, :class:`PoolSteps` -- the real
  steps of NaN-padded series, the padding overwritten with what a
  convolution (0) or a max pooling (the lowest value) reads beyond a series'
  end, and max pooling whose windows start at each series' first step, so
  the series networks predict the same whatever padding follows a series.
* :class:`ToLogits` -- turns the probabilities of a user's model back into
  scores, so that :class:`~skdeep.KerasClassifier` trains any model on the
  log-loss in one formulation.
* :class:`SplitFeatures` -- gives a model with several inputs its inputs
  back from the columns they were trained on side by side (a Keras
  wrapper's ``feature_encoder`` returning a list of arrays).
* :func:`step` and :func:`sign` -- the course's threshold activations, and
  :func:`keras_activation`, which turns any skdeep activation name into
  what Keras takes.
* :class:`ScaledDense`, :class:`PeriodicEmbedding`, :class:`DiagonalScale`,
  :class:`ParametricActivation` -- the pieces of the tabular network
  (:func:`skdeep.builders.build_tabular_mlp`).

Importing this module imports Keras (and TensorFlow); ``import skdeep`` does
not import it.
"""

import contextlib
import threading

import numpy as np

from ._activations import ACTIVATIONS
from ._backend import load
from ._initial import fast_initializer
from ._private import flatten_layers

_, keras = load()
ops = keras.ops

# The minibatch rows a data-parallel replica computes (see batch_shard); each
# replica traces its step in a thread of its own.
_replica = threading.local()


@contextlib.contextmanager
def batch_shard(n_rows, start):
    """Within: row masks are drawn for a whole minibatch, this replica keeps its rows.

    A data-parallel replica's forward pass sees rows ``start:start + k`` of a
    minibatch of ``n_rows``; :class:`RateDropout` then draws the mask of all
    ``n_rows`` rows from its seed (as one device does) and applies that
    slice, so every replica drops what a one-device step would drop.
    """
    saved = getattr(_replica, "shard", None)
    _replica.shard = (n_rows, start)
    try:
        yield
    finally:
        _replica.shard = saved

__all__ = [
    "keras_activation", "RateDropout", "DropConnectDense", "PaddingMask", "MaskedPooling",
    "Standardize", "RealSteps", "MaskSteps", "PoolSteps", "MaskedBatchNormalization",
    "ToLogits", "SplitFeatures", "GroupActivation", "step",
    "sign", "stochastic_layers", "ScaledDense", "PeriodicEmbedding", "DiagonalScale",
    "ParametricActivation", "MemberAdapter", "MemberDense",
]


def keras_activation(name):
    """Return the Keras activation for an skdeep activation name.

    Parameters
    ----------
    name : str
        A key of :data:`skdeep.builders.ACTIVATIONS`.

    Returns
    -------
    str or callable
        The name Keras knows the activation by, or for the course's
        threshold units the function :func:`step` / :func:`sign`.

    Examples
    --------
    >>> from skdeep.layers import keras_activation
    >>> keras_activation("logistic")
    'sigmoid'
    """
    try:
        keras_name = ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}. Expected one of {sorted(ACTIVATIONS)}."
        ) from None
    if keras_name.startswith("skdeep>"):
        return globals()[name]
    return keras_name


@keras.saving.register_keras_serializable(package="skdeep")
def step(x):
    """Heaviside step: 1 where ``x >= 0``, else 0 (its gradient is zero).

    Parameters
    ----------
    x : tensor
        Pre-activation.

    Returns
    -------
    tensor
        ``x``'s shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import step
    >>> np.asarray(step([-1.0, 0.0, 2.0])).tolist()
    [0.0, 1.0, 1.0]
    """
    x = ops.convert_to_tensor(x)
    return ops.cast(ops.greater_equal(x, 0), x.dtype)


@keras.saving.register_keras_serializable(package="skdeep")
def sign(x):
    """Perceptron sign: +1 where ``x >= 0``, else -1 (its gradient is zero).

    Parameters
    ----------
    x : tensor
        Pre-activation.

    Returns
    -------
    tensor
        ``x``'s shape and dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import sign
    >>> np.asarray(sign([-1.0, 0.0, 2.0])).tolist()
    [-1.0, 1.0, 1.0]
    """
    x = ops.convert_to_tensor(x)
    return 2 * ops.cast(ops.greater_equal(x, 0), x.dtype) - 1


class _StochasticLayer(keras.layers.Layer):
    """Shared plumbing of layers that sample a mask: a rate variable, a seed.

    ``sample_at_inference`` is read while a function is traced: skdeep sets
    it on every stochastic layer while it traces its Monte-Carlo prediction
    function, so masks are drawn there although ``training=False`` keeps
    batch normalisation in inference mode.
    """

    def __init__(self, rate=0.5, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= float(rate) < 1:
            raise ValueError(f"rate must be in [0, 1), got {rate}.")
        self.initial_rate = float(rate)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.sample_at_inference = False
        self.supports_masking = True  # passes a sequence mask on unchanged

    def _build_rate(self):
        self.rate = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.initial_rate),
            trainable=False,
            name="rate",
        )

    def _keep_mask(self, shape, dtype, rows=False):
        """Boolean mask (True = keep) and the inverted-dropout scale.

        ``rows``: the first axis of ``shape`` is the minibatch's (within
        :func:`batch_shard`, the mask is the slice of the whole minibatch's).
        """
        rate = ops.cast(self.rate, dtype)
        shard = getattr(_replica, "shard", None) if rows else None
        if shard is None:
            noise = keras.random.uniform(shape, seed=self.seed_generator, dtype=dtype)
        else:
            n_rows, start = shard
            noise = keras.random.uniform((n_rows, *shape[1:]), seed=self.seed_generator,
                                         dtype=dtype)
            noise = noise[start : start + shape[0]]
        return ops.greater_equal(noise, rate), 1 / (1 - rate)

    def _sampling(self, training):
        return bool(training) or self.sample_at_inference

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.initial_rate, "seed": self.seed})
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class RateDropout(_StochasticLayer):
    """Inverted dropout with the rate held in a non-trainable variable.

    During training each input unit is zeroed with probability ``rate`` and
    the survivors are scaled by ``1 / (1 - rate)``; at inference the layer is
    the identity, unless skdeep samples it for Monte-Carlo predictions.

    Parameters
    ----------
    rate : float, default=0.5
        Initial dropping probability in [0, 1); assign ``layer.rate`` to
        change it without rebuilding the model.
    seed : int or None, default=None
        Seed of the layer's :class:`keras.random.SeedGenerator`.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import RateDropout
    >>> layer = RateDropout(0.5, seed=0)
    >>> x = np.ones((1, 1000), dtype="float32")
    >>> bool((np.asarray(layer(x, training=False)) == x).all())
    True
    >>> kept = float((np.asarray(layer(x, training=True)) > 0).mean())
    >>> 0.4 < kept < 0.6
    True
    """

    def build(self, input_shape):
        self._build_rate()

    def call(self, inputs, training=False):
        if not self._sampling(training):
            return inputs
        keep, scale = self._keep_mask(ops.shape(inputs), inputs.dtype, rows=True)
        return ops.where(keep, inputs * scale, ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="skdeep")
class DropConnectDense(_StochasticLayer):
    """Dense layer that drops single connections during training.

    Each training step zeroes every weight of the kernel independently with
    probability ``rate`` (one mask per minibatch) and scales the kept ones by
    ``1 / (1 - rate)``; at inference the full kernel is used -- the
    expectation of the sampled kernels.

    Parameters
    ----------
    units : int
        Output width.
    rate : float, default=0.5
        Probability of dropping each connection, in [0, 1).
    activation : str or callable, default=None
        Keras activation applied to the output.
    seed : int or None, default=None
        Seed of the layer's :class:`keras.random.SeedGenerator`.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import DropConnectDense
    >>> layer = DropConnectDense(3, rate=0.5, seed=0)
    >>> tuple(layer(np.ones((2, 4), dtype="float32")).shape)
    (2, 3)
    """

    def __init__(self, units, rate=0.5, activation=None, seed=None, **kwargs):
        super().__init__(rate=rate, seed=seed, **kwargs)
        self.units = int(units)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer=fast_initializer("glorot_uniform"),
            name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self._build_rate()

    def call(self, inputs, training=False):
        kernel = ops.cast(self.kernel, inputs.dtype)
        if self._sampling(training):
            keep, scale = self._keep_mask(ops.shape(kernel), inputs.dtype)
            kernel = ops.where(keep, kernel * scale, ops.zeros_like(kernel))
        return self.activation(ops.matmul(inputs, kernel) + ops.cast(self.bias, inputs.dtype))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"units": self.units, "activation": keras.activations.serialize(self.activation)}
        )
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class Standardize(keras.layers.Layer):
    """Subtract a per-channel mean and divide by the standard deviation.

    The statistics are non-trainable weights (``mean``, ``variance``, one
    value per channel -- the last axis) that skdeep sets from the training
    data in ``fit``; they start at 0 and 1 (identity).

    Parameters
    ----------
    epsilon : float, default=1e-7
        Added to the variance before the square root.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import Standardize
    >>> layer = Standardize()
    >>> x = np.array([[[1.0, 10.0], [3.0, 30.0]]], dtype="float32")
    >>> _ = layer(x)
    >>> _ = layer.mean.assign([2.0, 20.0]), layer.variance.assign([1.0, 100.0])
    >>> np.asarray(layer(x)).round(3).tolist()
    [[[-1.0, -1.0], [1.0, 1.0]]]
    """

    def __init__(self, epsilon=1e-7, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.supports_masking = True

    def build(self, input_shape):
        channels = (int(input_shape[-1]),)
        self.mean = self.add_weight(shape=channels, initializer="zeros", trainable=False,
                                    name="mean")
        self.variance = self.add_weight(shape=channels, initializer="ones", trainable=False,
                                        name="variance")

    def call(self, inputs):
        mean = ops.cast(self.mean, inputs.dtype)
        scale = ops.rsqrt(ops.cast(self.variance, inputs.dtype) + self.epsilon)
        return (inputs - mean) * scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["epsilon"] = self.epsilon
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class PaddingMask(keras.layers.Layer):
    """Mask the time steps that are NaN in every feature, and zero them.

    skdeep pads variable-length sequences with NaN to a common length; this
    layer turns that padding into a Keras mask (``True`` = real step) that
    recurrent layers use to skip the steps, and replaces the NaNs by 0 so
    that nothing downstream computes with them.  Real values -- zeros
    included -- are never mistaken for padding.

    Parameters
    ----------
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import PaddingMask
    >>> x = np.array([[[0.0], [2.0], [np.nan]]], dtype="float32")
    >>> layer = PaddingMask()
    >>> np.asarray(layer(x)).ravel().tolist()
    [0.0, 2.0, 0.0]
    >>> np.asarray(layer.compute_mask(x)).tolist()
    [[True, True, False]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return ops.logical_not(ops.all(ops.isnan(inputs), axis=-1))

    def call(self, inputs):
        return ops.where(ops.isnan(inputs), ops.zeros_like(inputs), inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


#: Nearly the lowest finite value of the half-precision floats; float32 and
#: bfloat16 take -3e38, float64 -1e300 (what max pooling's padding reads).
_LOWEST = {"float16": -6e4, "float64": -1e300}


def _lowest(dtype):
    return _LOWEST.get(str(dtype), -3e38)


@keras.saving.register_keras_serializable(package="skdeep")
class MaskedPooling(keras.layers.Layer):
    """Pool a sequence over its real time steps: the mean or the maximum.

    The read-out of a recurrent layer over every step rather than its last
    state. Steps the Keras mask marks as padding (:class:`PaddingMask`) take
    no part, whatever the recurrent layer outputs there, so a sequence's
    result does not depend on how much padding follows it.

    Parameters
    ----------
    mode : {'mean', 'max'}, default='mean'
        How the steps' vectors are pooled.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import MaskedPooling
    >>> x = np.array([[[1.0], [3.0], [-9.0]]], dtype="float32")
    >>> mask = np.array([[True, True, False]])
    >>> float(np.asarray(MaskedPooling("mean")(x, mask=mask))[0, 0])
    2.0
    >>> float(np.asarray(MaskedPooling("max")(x, mask=mask))[0, 0])
    3.0
    """

    def __init__(self, mode="mean", **kwargs):
        super().__init__(**kwargs)
        if mode not in ("mean", "max"):
            raise ValueError(f"mode must be 'mean' or 'max', got {mode!r}.")
        self.mode = mode
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None  # one vector per sequence: nothing left to mask

    def call(self, inputs, mask=None):
        if mask is None:
            mask = ops.ones(ops.shape(inputs)[:2], dtype="bool")
        real = ops.expand_dims(ops.cast(mask, "bool"), -1)
        if self.mode == "max":
            lowest = ops.full_like(inputs, _lowest(inputs.dtype))
            return ops.max(ops.where(real, inputs, lowest), axis=1)
        weight = ops.cast(real, inputs.dtype)
        count = ops.sum(weight, axis=1)
        return ops.sum(inputs * weight, axis=1) / ops.maximum(count, ops.ones_like(count))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        config = super().get_config()
        config["mode"] = self.mode
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class RealSteps(keras.layers.Layer):
    """The real (unpadded) time steps of NaN-padded series, as a boolean tensor.

    A step is padding when it is NaN in every channel (how skdeep pads
    series of unequal length). The series networks pass the result to
    :class:`MaskSteps`, :class:`MaskedPooling` and Keras'
    ``BatchNormalization`` (as ``mask=``), so that padding changes no
    prediction.

    Parameters
    ----------
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import RealSteps
    >>> x = np.array([[[0.0], [2.0], [np.nan]]], dtype="float32")
    >>> np.asarray(RealSteps()(x)).tolist()
    [[True, True, False]]
    """

    def call(self, inputs):
        return ops.logical_not(ops.all(ops.isnan(inputs), axis=-1))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:2])

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(tuple(inputs.shape[:2]), dtype="bool")


@keras.saving.register_keras_serializable(package="skdeep")
class MaskSteps(keras.layers.Layer):
    """Overwrite the padded time steps of a sequence of vectors.

    Called on ``[x, real]`` (``real`` from :class:`RealSteps`; ``x``
    finite, so NaN padding goes through :class:`PaddingMask` first): the steps
    where ``real`` is False become 0 (``fill='zero'``: what a convolution's
    ``'same'`` padding reads beyond a series' end) or the dtype's lowest
    value (``fill='lowest'``: what max pooling's padding is), so the real
    steps of a series compute what they compute without the padding.

    Parameters
    ----------
    fill : {'zero', 'lowest'}, default='zero'
        The value of the padded steps.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import MaskSteps
    >>> x = np.array([[[1.0], [2.0], [np.nan]]], dtype="float32")
    >>> real = np.array([[True, True, False]])
    >>> np.asarray(MaskSteps()([x, real])).ravel().tolist()
    [1.0, 2.0, 0.0]
    """

    def __init__(self, fill="zero", **kwargs):
        super().__init__(**kwargs)
        if fill not in ("zero", "lowest"):
            raise ValueError(f"fill must be 'zero' or 'lowest', got {fill!r}.")
        self.fill = fill
        self.supports_masking = True  # takes in the mask batch normalisation passes on

    def compute_mask(self, inputs, mask=None):
        return None  # the padding is overwritten: nothing left to mask

    def call(self, inputs):
        x, real = inputs
        value = 0.0 if self.fill == "zero" else _lowest(x.dtype)
        # x must be finite: tf2onnx writes this select as keep * x + (1 - keep) *
        # value, NaN wherever x is (so a network's NaN input goes through PaddingMask)
        return ops.where(ops.expand_dims(ops.cast(real, "bool"), -1), x,
                         ops.full_like(x, value))

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]

    def get_config(self):
        config = super().get_config()
        config["fill"] = self.fill
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class MaskedBatchNormalization(keras.layers.BatchNormalization):
    """Batch normalisation over the real time steps, the same on any number of devices.

    Keras' ``BatchNormalization`` called with ``mask=`` computes its moments
    over the unmasked steps of each replica's rows only, even with
    ``synchronized=True``. This layer sums the real steps' values, squares
    and count over every replica before dividing (TensorFlow's replica
    context; on JAX the compiled step already sees the whole minibatch), so
    data-parallel training normalises as one device does. Without a mask, or
    in inference, it is Keras' layer.

    Parameters
    ----------
    **kwargs : dict
        Keras' ``BatchNormalization`` arguments.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import MaskedBatchNormalization
    >>> x = np.array([[[1.0], [3.0], [100.0]]], dtype="float32")
    >>> mask = np.array([[True, True, False]])
    >>> out = MaskedBatchNormalization(epsilon=0.0)(x, mask=mask, training=True)
    >>> np.round(np.asarray(out)[0, :2, 0], 4).tolist()
    [-1.0, 1.0]
    """

    def call(self, inputs, training=None, mask=None):
        if mask is None or not (training and self.trainable):
            return super().call(inputs, training=training, mask=mask)
        # at least float32, as Keras' own layer computes batch statistics
        x = ops.cast(inputs, keras.backend.result_type(inputs.dtype, "float32"))
        keep = ops.cast(ops.expand_dims(mask, -1), x.dtype)
        axes = tuple(range(len(x.shape) - 1))
        total = ops.sum(x * keep, axis=axes)
        squares = ops.sum(ops.square(x) * keep, axis=axes)
        count = ops.sum(keep * ops.ones_like(x), axis=axes)
        tf = load()[0]  # None on JAX, whose compiled step sees the whole minibatch
        if self.synchronized and tf is not None:
            context = tf.distribute.get_replica_context()
            if context is not None and context.num_replicas_in_sync > 1:
                total, squares, count = context.all_reduce("sum", [total, squares, count])
        count = ops.maximum(count, ops.ones_like(count))
        mean = total / count
        variance = ops.maximum(squares / count - ops.square(mean), ops.zeros_like(mean))
        momentum = self.momentum
        self.moving_mean.assign(ops.cast(self.moving_mean, x.dtype) * momentum
                                + mean * (1.0 - momentum))
        self.moving_variance.assign(ops.cast(self.moving_variance, x.dtype) * momentum
                                    + variance * (1.0 - momentum))
        outputs = ops.batch_normalization(
            x, mean, variance, axis=-1,
            offset=None if self.beta is None else ops.cast(self.beta, x.dtype),
            scale=None if self.gamma is None else ops.cast(self.gamma, x.dtype),
            epsilon=self.epsilon)
        return ops.cast(outputs, self.compute_dtype)


@keras.saving.register_keras_serializable(package="skdeep")
class PoolSteps(keras.layers.Layer):
    """Max-pool a padded sequence over windows of ``pool_size`` steps.

    Called on ``[x, real]`` (``real`` from :class:`RealSteps`, ``x``
    finite): windows start at a series' first step, each takes the maximum
    of its real steps, and a window is real when any of its steps is. A
    series' pooled values are therefore the same whatever padding follows
    it (Keras' ``MaxPooling1D`` with ``'same'`` padding would shift the
    windows with the length). Returns the pooled sequence, 0 at the padded
    windows, and its real windows, for the next layer's ``mask=``.

    Parameters
    ----------
    pool_size : int, default=2
        Steps per window, and the stride.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import PoolSteps
    >>> x = np.array([[[1.0], [4.0], [2.0], [0.0]]], dtype="float32")
    >>> real = np.array([[True, True, True, False]])
    >>> pooled, pooled_real = PoolSteps(2)([x, real])
    >>> np.asarray(pooled).ravel().tolist(), np.asarray(pooled_real).tolist()
    ([4.0, 2.0], [[True, True]])
    """

    def __init__(self, pool_size=2, **kwargs):
        super().__init__(**kwargs)
        if int(pool_size) < 1:
            raise ValueError(f"pool_size must be at least 1, got {pool_size!r}.")
        self.pool_size = int(pool_size)
        self.supports_masking = True  # takes in the mask PaddingMask passes on

    def compute_mask(self, inputs, mask=None):
        return [None, None]  # the real windows are an output: the next layer's mask=

    def call(self, inputs):
        x, real = inputs
        size = self.pool_size
        lowest = _lowest(x.dtype)
        x = ops.where(ops.expand_dims(ops.cast(real, "bool"), -1), x, ops.full_like(x, lowest))
        real = ops.cast(real, x.dtype)
        shape = ops.shape(x)
        # whole windows, padded at the end; their count named (not -1), so that
        # a symbolic length (JAX's export) divides evenly
        windows = (shape[1] + size - 1) // size
        extra = windows * size - shape[1]
        x = ops.pad(x, [[0, 0], [0, extra], [0, 0]], constant_values=lowest)
        real = ops.pad(real, [[0, 0], [0, extra]])
        x = ops.max(ops.reshape(x, (shape[0], windows, size, x.shape[-1])), axis=2)
        pooled_real = ops.max(ops.reshape(real, (shape[0], windows, size)), axis=2) > 0
        x = ops.where(ops.expand_dims(pooled_real, -1), x, ops.zeros_like(x))
        return x, pooled_real

    def _steps(self, steps):
        return None if steps is None else -(-int(steps) // self.pool_size)

    def compute_output_shape(self, input_shapes):
        shape = input_shapes[0]
        steps = self._steps(shape[1])
        return (shape[0], steps, shape[2]), (shape[0], steps)

    def compute_output_spec(self, inputs):
        shape = inputs[0].shape
        steps = self._steps(shape[1])
        return (keras.KerasTensor((shape[0], steps, shape[2]), dtype=self.compute_dtype),
                keras.KerasTensor((shape[0], steps), dtype="bool"))

    def get_config(self):
        config = super().get_config()
        config["pool_size"] = self.pool_size
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class ToLogits(keras.layers.Layer):
    """Invert a model's output activation: probabilities back to scores.

    ``link='softmax'`` returns ``log(p)`` (whose softmax is ``p`` again),
    ``'sigmoid'`` returns ``log(p / (1 - p))``, ``'log'`` returns ``log(x)``
    and ``'identity'`` passes its input through; probabilities are clipped to
    ``[epsilon, 1 - epsilon]`` first, as Keras' cross-entropies do.  The
    layer also casts its input to its own dtype.

    Parameters
    ----------
    link : {'identity', 'softmax', 'sigmoid', 'log'}, default='identity'
        The activation to invert.
    epsilon : float or None, default=None
        Clipping of probabilities away from 0 and 1; None is 1e-7 for
        float32 layers (Keras' own) and 1e-15 for float64 ones.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import ToLogits
    >>> p = np.array([[0.2, 0.8]], dtype="float32")
    >>> scores = np.asarray(ToLogits("softmax")(p)).astype(float)
    >>> np.round(np.exp(scores) / np.exp(scores).sum(), 6).tolist()
    [[0.2, 0.8]]
    >>> float(ToLogits("sigmoid")(np.array([[0.5]], dtype="float32"))[0, 0])
    0.0
    """

    LINKS = ("identity", "softmax", "sigmoid", "log")

    def __init__(self, link="identity", epsilon=None, **kwargs):
        super().__init__(**kwargs)
        if link not in self.LINKS:
            raise ValueError(f"link must be one of {self.LINKS}, got {link!r}.")
        self.link = link
        self.epsilon = None if epsilon is None else float(epsilon)

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        if self.link == "identity":
            return x
        eps = self.epsilon
        if eps is None:
            eps = 1e-15 if self.compute_dtype == "float64" else 1e-7
        if self.link == "log":
            return ops.log(ops.maximum(x, eps))
        p = ops.clip(x, eps, 1 - eps)
        if self.link == "softmax":
            return ops.log(p)
        return ops.log(p) - ops.log1p(-p)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"link": self.link, "epsilon": self.epsilon})
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class SplitFeatures(keras.layers.Layer):
    """Cut the columns of one 2-D input into several inputs of given sample shapes.

    A Keras wrapper whose ``feature_encoder`` returns a list of arrays (a
    model with several inputs) trains on their columns side by side; this
    layer gives the model its inputs back, in order, each reshaped to its
    sample shape.

    Parameters
    ----------
    shapes : list of tuple of int
        The sample shape of each input; their sizes add up to the input's
        width.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import SplitFeatures
    >>> parts = SplitFeatures([(1,), (2, 2)])(np.arange(10.0).reshape(2, 5))
    >>> [tuple(p.shape) for p in parts]
    [(2, 1), (2, 2, 2)]
    >>> np.asarray(parts[1])[1].tolist()
    [[6.0, 7.0], [8.0, 9.0]]
    """

    def __init__(self, shapes, **kwargs):
        super().__init__(**kwargs)
        self.shapes = [tuple(int(d) for d in shape) for shape in shapes]

    def call(self, inputs):
        parts, start = [], 0
        for shape in self.shapes:
            width = int(np.prod(shape))
            parts.append(ops.reshape(inputs[:, start:start + width], (-1, *shape)))
            start += width
        return parts

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], *shape) for shape in self.shapes]

    def get_config(self):
        config = super().get_config()
        config.update({"shapes": [list(shape) for shape in self.shapes]})
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class GroupActivation(keras.layers.Layer):
    """Apply one activation to each group of consecutive columns.

    A Keras wrapper trains a model with several outputs (a binary head and
    a multiclass head, each with its own loss) as one network whose outputs'
    scores lie side by side; this layer turns each output's scores into its
    prediction -- a softmax over one group's columns only.

    Parameters
    ----------
    widths : list of int
        The number of columns of each group; they add up to the input's
        width.
    activations : list of str
        Keys of :data:`skdeep.builders.ACTIVATIONS`, one per group.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import GroupActivation
    >>> out = GroupActivation([1, 2], ["logistic", "softmax"])(np.zeros((1, 3)))
    >>> np.round(np.asarray(out), 2).tolist()
    [[0.5, 0.5, 0.5]]
    """

    def __init__(self, widths, activations, **kwargs):
        super().__init__(**kwargs)
        self.widths = [int(w) for w in widths]
        self.activations = [str(a) for a in activations]
        if len(self.widths) != len(self.activations):
            raise ValueError(
                f"GroupActivation needs one activation per group: got {len(self.widths)} "
                f"widths and {len(self.activations)} activations.")
        self._functions = [keras.activations.get(keras_activation(a))
                           for a in self.activations]

    def call(self, inputs):
        parts, start = [], 0
        for width, function in zip(self.widths, self._functions):
            parts.append(function(inputs[..., start:start + width]))
            start += width
        return parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"widths": list(self.widths), "activations": list(self.activations)})
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class ScaledDense(keras.layers.Layer):
    """A dense layer in the neural-tangent parametrisation.

    The kernel starts standard normal and the product is divided by
    ``sqrt(fan_in)`` in the forward pass; the bias is multiplied by
    ``bias_factor``. The function at initialisation is that of a He-scaled
    ``Dense``, but an optimizer step of a given size changes every layer
    by a comparable amount whatever its width, so one learning rate suits
    the whole network (Jacot et al., 2018; used by tabular networks with
    tuned defaults).

    Parameters
    ----------
    units : int
        Output width.
    bias_factor : float, default=0.1
        Multiplier of the bias variable: its effective learning rate is
        ``bias_factor`` times the kernel's.
    scale_weight : bool, default=False
        Keep the factor ``fan_in ** -0.5`` as a non-trainable weight
        (``kernel_scale``) instead of a constant. Set it to count only some
        inputs: when trailing inputs are zero padding (columns that are
        always 0, with zero kernel rows), the layer computes exactly what
        the unpadded layer would, and networks of several input widths can
        share one compiled program.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import ScaledDense
    >>> layer = ScaledDense(2)
    >>> _ = layer(np.zeros((1, 4), dtype="float32"))
    >>> _ = layer.kernel.assign(np.ones((4, 2))), layer.bias.assign([10.0, 0.0])
    >>> np.asarray(layer(np.ones((1, 4), dtype="float32"))).tolist()
    [[3.0, 2.0]]
    """

    def __init__(self, units, bias_factor=0.1, scale_weight=False, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.bias_factor = float(bias_factor)
        self.scale_weight = bool(scale_weight)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.kernel = self.add_weight(
            shape=(fan_in, self.units), name="kernel",
            initializer=fast_initializer(keras.initializers.RandomNormal(0.0, 1.0)),
        )
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")
        self._kernel_scale = float(fan_in) ** -0.5
        if self.scale_weight:
            self._kernel_scale = self.add_weight(
                shape=(), name="kernel_scale", trainable=False,
                initializer=keras.initializers.Constant(self._kernel_scale),
            )

    def call(self, inputs):
        return (ops.matmul(inputs, self.kernel) * self._kernel_scale
                + self.bias * self.bias_factor)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "bias_factor": self.bias_factor})
        if self.scale_weight:  # files of earlier releases load without the key
            config["scale_weight"] = True
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class PeriodicEmbedding(keras.layers.Layer):
    """Embed each numeric input through learned periodic features.

    Feature ``j`` becomes ``[x_j, W_j cos(2 pi (f_j x_j + p_j)) / sqrt(k) + c_j]``:
    the value itself followed by ``dim`` learned combinations of ``k``
    cosines of learned frequencies ``f_j`` and phases ``p_j`` (Gorishniy et
    al., 2022, "On embeddings for numerical features"; the pass-through of
    ``x_j`` as in Holzmüller et al., 2024). Periodic features let the next
    layer pick out narrow ranges of one feature, which a ReLU network
    needs many units for.

    Parameters
    ----------
    n_frequencies : int, default=16
        Cosines per feature (``k``).
    dim : int, default=3
        Learned outputs per feature besides the value itself.
    factor : float, default=1.0
        Learning-rate multiplier of the layer's weights: each weight is
        ``factor`` times its variable, so with Adam (whose steps do not
        depend on the gradient's scale) it moves ``factor`` times as fast
        as the rest of the network. The variables hold the weights divided
        by ``factor``.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import PeriodicEmbedding
    >>> layer = PeriodicEmbedding(n_frequencies=8, dim=3)
    >>> out = layer(np.zeros((5, 2), dtype="float32"))
    >>> tuple(out.shape)
    (5, 8)
    """

    def __init__(self, n_frequencies=16, dim=3, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.n_frequencies = int(n_frequencies)
        self.dim = int(dim)
        self.factor = float(factor)

    def build(self, input_shape):
        n, k, d, f = int(input_shape[-1]), self.n_frequencies, self.dim, self.factor
        self.frequencies = self.add_weight(
            shape=(n, k), name="frequencies",
            initializer=keras.initializers.RandomNormal(0.0, 0.1 / f),
        )
        self.phases = self.add_weight(
            shape=(n, k), name="phases",
            initializer=keras.initializers.RandomUniform(-0.5 / f, 0.5 / f),
        )
        self.projection = self.add_weight(
            shape=(n, k, d), name="projection",
            initializer=keras.initializers.RandomNormal(0.0, 1.0 / f),
        )
        self.projection_bias = self.add_weight(
            shape=(n, d), name="projection_bias", initializer="zeros"
        )

    def call(self, inputs):
        f = self.factor
        angles = inputs[:, :, None] * self.frequencies + self.phases  # (b, n, k), / f
        waves = ops.cos((2.0 * np.pi * f) * angles)
        mixed = ops.einsum("bnk,nkd->bnd", waves, self.projection)
        mixed = (mixed * (f * self.n_frequencies ** -0.5) + self.projection_bias * f)
        out = ops.concatenate([inputs[:, :, None], mixed], axis=-1)
        return ops.reshape(out, (-1, inputs.shape[-1] * (1 + self.dim)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], int(input_shape[-1]) * (1 + self.dim))

    def get_config(self):
        config = super().get_config()
        config.update({"n_frequencies": self.n_frequencies, "dim": self.dim,
                       "factor": self.factor})
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class DiagonalScale(keras.layers.Layer):
    """Multiply each input by its own learned factor (a diagonal first layer).

    The factor is ``factor * s`` with ``s`` the variable (starting at
    ``1 / factor``, so the layer starts as the identity): with Adam, the
    factor then learns ``factor`` times faster than the weights, which lets
    the network switch off useless inputs early in training.

    Parameters
    ----------
    factor : float, default=6.0
        Learning-rate multiplier of the scales.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import DiagonalScale
    >>> layer = DiagonalScale()
    >>> np.asarray(layer(np.array([[1.0, -2.0]], dtype="float32"))).round(6).tolist()
    [[1.0, -2.0]]
    """

    def __init__(self, factor=6.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = float(factor)

    def build(self, input_shape):
        self.scale = self.add_weight(
            shape=(int(input_shape[-1]),), name="scale",
            initializer=keras.initializers.Constant(1.0 / self.factor),
        )

    def call(self, inputs):
        return inputs * (self.scale * self.factor)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["factor"] = self.factor
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class ParametricActivation(keras.layers.Layer):
    """An activation each unit can learn to straighten: ``x + a (act(x) - x)``.

    ``a`` (one per unit, variable ``mix``) starts at 1 -- the plain
    activation -- and a unit that does better closer to linear moves it
    towards 0.

    Parameters
    ----------
    activation : str, default='selu'
        An activation name known to :func:`keras_activation`.
    factor : float, default=1.0
        Learning-rate multiplier of ``a``: ``a`` is ``factor`` times the
        variable ``mix`` (which starts at ``1 / factor``), so with Adam it
        moves ``factor`` times as fast as the other weights.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import ParametricActivation
    >>> layer = ParametricActivation("relu")
    >>> x = np.array([[-2.0, 3.0]], dtype="float32")
    >>> np.asarray(layer(x)).tolist()
    [[0.0, 3.0]]
    >>> _ = layer.mix.assign([0.5, 0.5])
    >>> np.asarray(layer(x)).tolist()
    [[-1.0, 3.0]]
    """

    def __init__(self, activation="selu", factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.activation = activation
        self.factor = float(factor)
        self._function = keras.activations.get(keras_activation(activation))

    def build(self, input_shape):
        self.mix = self.add_weight(shape=(int(input_shape[-1]),), name="mix",
                                   initializer=keras.initializers.Constant(1.0 / self.factor))

    def call(self, inputs):
        return inputs + (self.mix * self.factor) * (self._function(inputs) - inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"activation": self.activation, "factor": self.factor})
        return config


def stochastic_layers(model):
    """Return the layers of ``model`` that draw masks (dropout, DropConnect).

    Parameters
    ----------
    model : keras.Model
        A model built by an skdeep builder, or wrapping a user's model.

    Returns
    -------
    list of keras.layers.Layer
        The :class:`RateDropout` and :class:`DropConnectDense` layers, nested
        ones included.
    """
    return [
        layer for layer in flatten_layers(model) if isinstance(layer, _StochasticLayer)
    ]


@keras.saving.register_keras_serializable(package="skdeep")
class MemberAdapter(keras.layers.Layer):
    """Copy each row for ``n_members`` ensemble members, each scaling it its own way.

    ``(batch, d)`` becomes ``(batch, n_members, d)``: member ``m`` sees the
    row multiplied elementwise by its own learned vector ``signs[m]``, which
    starts at random signs (+-1, drawn by the estimator's seed). Layers that
    act on the last axis (:class:`ScaledDense`, activations, dropout) are
    then shared by every member, so ``n_members`` networks train as one,
    and differ by their adapter and their :class:`MemberDense` head (the
    minimal variant of parameter-efficient ensembles of MLPs; Gorishniy et
    al., ICLR 2025, "TabM").

    Parameters
    ----------
    n_members : int
        Ensemble members.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import MemberAdapter
    >>> layer = MemberAdapter(3)
    >>> out = layer(np.ones((2, 4), dtype="float32"))
    >>> tuple(out.shape), bool(np.all(np.abs(np.asarray(out)) == 1.0))
    ((2, 3, 4), True)
    """

    def __init__(self, n_members, **kwargs):
        super().__init__(**kwargs)
        self.n_members = int(n_members)

    def build(self, input_shape):
        def random_signs(shape, dtype=None):
            return ops.sign(keras.random.uniform(shape, -1.0, 1.0, dtype=dtype))

        self.signs = self.add_weight(shape=(self.n_members, int(input_shape[-1])),
                                     name="signs", initializer=random_signs)

    def call(self, inputs):
        return ops.expand_dims(inputs, -2) * self.signs

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.n_members, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config["n_members"] = self.n_members
        return config


@keras.saving.register_keras_serializable(package="skdeep")
class MemberDense(ScaledDense):
    """A :class:`ScaledDense` per ensemble member: ``(batch, k, d)`` to ``(batch, k * units)``.

    Member ``m`` has its own kernel ``kernel[m]`` (``d x units``) and bias;
    the members' outputs lie side by side, member after member, so a
    :class:`GroupActivation` and output groups of a loss
    (``((loss, units),) * k``) treat each member as its own model.

    Parameters
    ----------
    units : int
        Output width of each member.
    bias_factor : float, default=0.1
        Multiplier of the bias variable.
    **kwargs : dict
        Standard Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.layers import MemberDense
    >>> layer = MemberDense(1)
    >>> _ = layer(np.zeros((1, 2, 4), dtype="float32"))
    >>> _ = layer.kernel.assign(np.stack([np.ones((4, 1)), -np.ones((4, 1))]))
    >>> np.asarray(layer(np.ones((1, 2, 4), dtype="float32"))).tolist()
    [[2.0, -2.0]]
    """

    def build(self, input_shape):
        members, fan_in = int(input_shape[-2]), int(input_shape[-1])
        self.kernel = self.add_weight(
            shape=(members, fan_in, self.units), name="kernel",
            initializer=keras.initializers.RandomNormal(0.0, 1.0),
        )
        self.bias = self.add_weight(shape=(members, self.units), name="bias",
                                    initializer="zeros")
        self._kernel_scale = float(fan_in) ** -0.5

    def call(self, inputs):
        out = ops.einsum("...md,mdu->...mu", inputs, self.kernel) * self._kernel_scale
        out = out + self.bias * self.bias_factor
        return ops.reshape(out, (*ops.shape(out)[:-2], -1))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-2], int(input_shape[-2]) * self.units)
