"""The one backend switch: what differs between Keras' TensorFlow and JAX backends.

:func:`current` returns the adapter of the backend Keras runs on; everything
above the engine modules asks it instead of testing the backend's name:

* ``engine_class()`` -- :class:`~skdeep._engine.tensorflow.TensorFlowEngine` or
  :class:`~skdeep._engine.jax.JaxEngine`;
* ``clear_caches()`` -- drop what the backend keeps of engines no longer cached;
* ``resolve_placement(distribution)`` -- an estimator's ``distribution``
  as a :class:`~skdeep._engine.distribution.Placement`;
* ``static_shapes``, ``pad_size(n)``, ``pad_width(n)``, ``device_put(*arrays)``,
  ``compile(fn, signature)``, ``batch_matmul(ops)``, ``value_and_grad(fn)``,
  ``member_uniform(...)``, ``counter_dtype``, ``seed_dtype``,
  ``float64_programs`` -- what a program written in ``keras.ops`` (the search
  cohorts') needs to run on the backend.

Besides this module only the two engine modules (and the lazy loader
:mod:`skdeep._backend`) name TensorFlow or JAX.
"""

import numpy as np

from .._backend import backend, load
from .jax_rows import bucket

__all__ = ["current", "resolve_placement"]


class _TensorFlow:
    """Keras on TensorFlow: programs traced once with dynamic dimensions."""

    name = "tensorflow"
    #: Whether compiled programs need every dimension fixed (JAX's jit).
    static_shapes = False
    #: dtype of Keras' optimizer iteration counter.
    counter_dtype = np.int64
    #: dtype of a Keras seed generator's state.
    seed_dtype = "int64"
    #: Whether a program compiled by :meth:`compile` computes float64.
    float64_programs = True

    @staticmethod
    def pad_size(n, smallest=16):
        """The size an axis of ``n`` is computed at: ``n`` (dimensions are dynamic)."""
        return int(n)

    @staticmethod
    def pad_width(n):
        """The width a layer of ``n`` units is computed at: ``n``."""
        return int(n)

    @staticmethod
    def engine_class():
        from .tensorflow import TensorFlowEngine

        return TensorFlowEngine

    @staticmethod
    def clear_caches():
        """The eager context's kernel cache (a private API, see :mod:`skdeep._private`)."""
        from .._private import clear_tensorflow_kernel_cache

        clear_tensorflow_kernel_cache()

    @staticmethod
    def resolve_placement(distribution):
        from .distribution import resolve_tensorflow

        return resolve_tensorflow(distribution)

    @staticmethod
    def device_put(*arrays):
        tf, _ = load()
        return [tf.convert_to_tensor(a) for a in arrays]

    @staticmethod
    def compile(fn, signature):
        """``fn`` traced once for ``signature``: ``(dtype, shape)`` pairs, ``None``
        dimensions dynamic, a list of pairs for a list argument."""
        tf, _ = load()

        def spec(entry):
            if isinstance(entry, list):
                return [spec(e) for e in entry]
            dtype, shape = entry
            return tf.TensorSpec(shape, tf.as_dtype(dtype))

        # no autograph: the programs' loops are graph loops already
        # (keras.ops.fori_loop), and converting the Python they call took
        # ~1 s of a cohort program's 1.3 s trace
        concrete = tf.function(fn, input_signature=[spec(e) for e in signature],
                               autograph=False)
        concrete = concrete.get_concrete_function()

        def call(*args):
            return concrete(*[a if isinstance(a, list) else tf.convert_to_tensor(a)
                              for a in args])

        return call

    @staticmethod
    def batch_matmul(ops):
        """Batched ``a @ b`` with optional transposes, as TensorFlow does it best."""
        tf, _ = load()
        return lambda a, b, transpose_a=False, transpose_b=False: tf.linalg.matmul(
            a, b, adjoint_a=transpose_a, adjoint_b=transpose_b)

    @staticmethod
    def value_and_grad(fn):
        """``fn(x, *args) -> (value, aux)`` as ``(value, aux, d value / d x)``."""
        tf, _ = load()

        def call(x, *args):
            with tf.GradientTape() as tape:
                tape.watch(x)
                value, aux = fn(x, *args)
            return value, aux, tape.gradient(value, x)

        return call

    @staticmethod
    def member_uniform(seeds, rows, cols, real_cols, drawn, dtype):
        """``(K, rows, cols)`` uniform numbers, member ``k``'s those a Keras layer draws.

        Member ``k``'s block ``[:, :real_cols[k]]`` is
        ``keras.random.uniform((rows, real_cols[k]), seed)`` for its seed state
        ``seeds[k]`` -- TensorFlow's stateless uniform of the state folded into
        int32, as Keras' ``_cast_seed`` does -- and zeros beyond; a member whose
        ``drawn`` is False draws nothing (generating the numbers is most of a
        dropout step's cost).
        """
        tf, _ = load()
        seeds = tf.cast(tf.math.floormod(seeds, tf.int32.max - 1), tf.int32)
        zero, one = tf.constant(0, dtype), tf.constant(1, dtype)

        def block(args):
            seed, width, on = args
            width = tf.where(on, width, 0)
            u = tf.random.stateless_uniform(tf.stack([rows, width]), seed=seed, minval=zero,
                                            maxval=one, dtype=dtype)
            return tf.pad(u, [[0, 0], [0, cols - width]])

        return tf.map_fn(block, (seeds, real_cols, drawn),
                         fn_output_signature=tf.TensorSpec([None, None], dtype))


class _Jax:
    """Keras on JAX: jitted programs specialised to their shapes."""

    name = "jax"
    static_shapes = True
    counter_dtype = np.int32  # Keras' int64 counter, outside JAX's 64-bit mode
    seed_dtype = "uint32"
    #: JAX programs run in 32 bits outside skdeep's own 64-bit scope.
    float64_programs = False

    @staticmethod
    def pad_size(n, smallest=16):
        """The size an axis of ``n`` is padded to: a power of two, at least
        ``smallest`` (every new size is a new compilation)."""
        return bucket(n, smallest)

    @staticmethod
    def pad_width(n):
        """The width a layer of ``n`` units is computed at: one of a few sizes
        (``m * 2**j``, ``8 <= m <= 16``: at most an eighth of padding), so a
        search whose widths are new mostly reuses compiled programs."""
        return bucket(n, 8, fine=True)

    @staticmethod
    def engine_class():
        from .jax import JaxEngine

        return JaxEngine

    @staticmethod
    def clear_caches():
        """JAX's compilation caches (the traced programs and executables of every
        jitted function, ~7 MB per architecture)."""
        import jax

        jax.clear_caches()

    @staticmethod
    def resolve_placement(distribution):
        from .distribution import resolve_jax

        return resolve_jax(distribution)

    @staticmethod
    def device_put(*arrays):
        import jax

        return [jax.device_put(a) for a in arrays]

    @staticmethod
    def compile(fn, signature):
        """``fn`` jitted; its first argument (a layout tuple) is static."""
        import jax

        return jax.jit(fn, static_argnums=0)

    @staticmethod
    def batch_matmul(ops):
        """Batched ``a @ b`` with optional transposes, in ``keras.ops``."""

        def matmul(a, b, transpose_a=False, transpose_b=False):
            if transpose_a:
                a = ops.swapaxes(a, 1, 2)
            if transpose_b:
                b = ops.swapaxes(b, 1, 2)
            return ops.matmul(a, b)

        return matmul

    @staticmethod
    def value_and_grad(fn):
        """``fn(x, *args) -> (value, aux)`` as ``(value, aux, d value / d x)``."""
        import jax

        def call(x, *args):
            (value, aux), grad = jax.value_and_grad(fn, has_aux=True)(x, *args)
            return value, aux, grad

        return call

    @staticmethod
    def member_uniform(seeds, rows, cols, real_cols, drawn, dtype):
        """``(K, rows, cols)`` uniform numbers, member ``k``'s those a Keras layer draws.

        Shapes are static, so every member draws ``rows * cols`` numbers from
        its seed state; a Keras layer of ``real_cols[k]`` units draws its
        element ``(i, j)`` at position ``i * real_cols[k] + j`` of that flat
        stream (JAX's counter-based generator numbers elements in row-major
        order, whatever the shape), which is where it is read from.
        """
        import jax
        import jax.numpy as jnp

        _, keras = load()
        flat = jax.vmap(lambda seed: keras.random.uniform((rows * cols,), seed=seed,
                                                          dtype=dtype))(seeds)
        index = (jnp.arange(rows)[None, :, None] * real_cols[:, None, None]
                 + jnp.arange(cols)[None, None, :])  # < rows * cols: real_cols <= cols
        picked = jnp.take_along_axis(flat, index.reshape(flat.shape[0], -1), axis=1)
        return picked.reshape(flat.shape[0], rows, cols)


def current():
    """The adapter of the backend Keras runs on (TensorFlow unless it runs on JAX).

    Examples
    --------
    >>> from skdeep._engine.backend import current
    >>> current().name in ("tensorflow", "jax")
    True
    """
    return _Jax if backend() == "jax" else _TensorFlow


def resolve_placement(distribution):
    """The :class:`~skdeep._engine.distribution.Placement` of an estimator's
    ``distribution`` on the backend in use, or None for one device.

    Parameters
    ----------
    distribution : None, 'data_parallel', list of str or a backend object
        See :func:`skdeep._engine.distribution.resolve_tensorflow` and
        :func:`~skdeep._engine.distribution.resolve_jax`.

    Returns
    -------
    Placement or None
    """
    if distribution is None:
        return None
    return current().resolve_placement(distribution)
