"""Initial weights on JAX without a compilation per weight shape.

Keras draws a layer's initial kernel with ``keras.random.uniform(shape, ...)``
(or ``normal``); on JAX that is ``jax.random.uniform``, compiled once per
shape, about a tenth of a second each on a CPU.  A search over widths
therefore compiled two or three random-number programs per candidate before
training anything (0.7-0.8 s of a 2.8 s search, measured with
``jax_log_compiles``).

JAX's generator is counter-based and numbers the elements of a draw in
row-major order whatever its shape (``jax_threefry_partitionable``, JAX's
default), so the first ``n`` numbers of a flat draw are the numbers of any
draw of ``n`` elements from the same key.  :class:`FlatDraw` draws Keras'
numbers that way, at a length rounded up to a power of two of at least
:data:`MIN_DRAW`, so one compiled program serves every layer of up to 4,096
weights and one more each doubling: bit for bit the weights Keras draws
(``tests/test_initial.py`` compares them shape by shape), and the layer keeps
Keras' own initializer in its configuration.  TensorFlow draws eagerly
without compiling, so nothing changes there.
"""

import math

import numpy as np

from ._backend import load

__all__ = ["MIN_DRAW", "FlatDraw", "fast_initializer", "build_call"]

#: Shortest flat draw: a layer of up to this many weights reuses one program.
MIN_DRAW = 4096


def _fans(shape):
    """Keras' ``(fan_in, fan_out)`` of a weight shape (no input/output axes given)."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2], dtype=np.int64)) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _distribution(init, shape):
    """``('uniform', low, high)`` or ``('normal', mean, stddev)`` that ``init``
    draws for ``shape`` with Keras' arithmetic, or None if it draws otherwise."""
    _, keras = load()
    inits = keras.initializers
    if type(init) is inits.RandomUniform:
        return "uniform", init.minval, init.maxval
    if type(init) is inits.RandomNormal:
        return "normal", init.mean, init.stddev
    if not isinstance(init, inits.VarianceScaling) or init.distribution != "uniform":
        return None
    if getattr(init, "input_axes", None) is not None or getattr(init, "output_axes", None):
        return None
    fan_in, fan_out = _fans(shape)
    scale = init.scale
    if init.mode == "fan_in":
        scale /= max(1.0, fan_in)
    elif init.mode == "fan_out":
        scale /= max(1.0, fan_out)
    else:
        scale /= max(1.0, (fan_in + fan_out) / 2.0)
    limit = math.sqrt(3.0 * scale)
    return "uniform", -limit, limit


class FlatDraw:
    """A Keras random initializer's numbers, drawn flat at a bucketed length.

    Parameters
    ----------
    initializer : keras.initializers.Initializer
        ``RandomUniform``, ``RandomNormal`` or a uniform ``VarianceScaling``
        (``GlorotUniform``, ``HeUniform``, ``LecunUniform``); its seed is
        used as Keras uses it.

    Examples
    --------
    >>> import keras
    >>> from skdeep._initial import FlatDraw
    >>> FlatDraw(keras.initializers.GlorotUniform(seed=0))((3, 2)).shape
    (3, 2)
    """

    def __init__(self, initializer):
        self.initializer = initializer

    def __call__(self, shape, dtype=None):
        _, keras = load()
        shape = tuple(int(d) for d in shape)
        kind, a, b = _distribution(self.initializer, shape)
        n = int(np.prod(shape, dtype=np.int64))
        length = max(MIN_DRAW, 1 << max(n - 1, 0).bit_length())
        seed = self.initializer.seed
        if kind == "uniform":
            flat = keras.random.uniform((length,), minval=a, maxval=b, dtype=dtype, seed=seed)
        else:
            flat = keras.random.normal((length,), mean=a, stddev=b, dtype=dtype, seed=seed)
        try:
            host = np.asarray(flat)
        except TypeError:  # a traced draw: Keras initialises sharded variables in jax.jit
            return keras.ops.reshape(flat[:n], shape)
        return keras.ops.convert_to_tensor(host[:n].reshape(shape), dtype=dtype)


def fast_initializer(initializer):
    """``initializer`` (a Keras identifier or object) as it is drawn fastest.

    Parameters
    ----------
    initializer : str or keras.initializers.Initializer
        What a layer would be given.

    Returns
    -------
    keras.initializers.Initializer or FlatDraw
        On JAX, a :class:`FlatDraw` of it where its numbers allow; otherwise
        the Keras object itself.  Either draws the same numbers.
    """
    _, keras = load()
    init = keras.initializers.get(initializer)
    if keras.backend.backend() != "jax" or _distribution(init, (1, 1)) is None:
        return init
    return FlatDraw(init)


def build_call(layer, x):
    """``layer(x)``, its kernel's initial numbers drawn by :func:`fast_initializer`.

    The layer keeps its own ``kernel_initializer`` (and so its Keras
    configuration); only the draw while it is built goes the fast way.

    Parameters
    ----------
    layer : keras.layers.Layer
        A layer not yet built, with a ``kernel_initializer`` (``Dense``,
        ``Conv1D``, ``Conv2D``, ...); other layers are simply called.
    x : KerasTensor
        Its input.

    Returns
    -------
    KerasTensor
        ``layer(x)``.
    """
    init = getattr(layer, "kernel_initializer", None)
    fast = None if init is None or layer.built else fast_initializer(init)
    if fast is None or fast is init:
        return layer(x)
    layer.kernel_initializer = fast
    try:
        return layer(x)
    finally:
        layer.kernel_initializer = init
