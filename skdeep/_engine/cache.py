"""Which engine a fit gets, and the process-wide cache of compiled engines.

Engines are cached by :class:`~skdeep._engine.spec.ModelSpec`: a new
architecture costs a trace (tenths of a second), a cached one only a weight
assignment.  The engine class follows the Keras backend in use
(:class:`skdeep._engine.tensorflow.Engine` on TensorFlow,
:class:`skdeep._engine.jax.JaxEngine` on JAX); this module is the only place
that knows both.
"""

import collections
import random
import threading

from .._cohort import session as _grouped

__all__ = ["MAX_IDLE_ENGINES", "acquire", "release", "clear_cache", "engine_class"]

#: How many idle engines the process keeps, across all architectures.
MAX_IDLE_ENGINES = 16

_idle = collections.OrderedDict()  # (spec, placement) -> idle engines (LRU order)
_idle_lock = threading.Lock()
_evicted = 0  # engines evicted since the backend's caches were last cleared


def acquire(spec, training=False, placement=None):
    """Take an idle compiled engine for ``spec`` from the cache, or build one.

    ``placement`` (a :class:`skdeep._engine.distribution.Placement`) asks for an
    engine that trains data-parallel over its devices; engines are cached
    per (spec, placement).  A one-device training fit inside a grouped
    search (:mod:`skdeep._cohort`) gets a member of a stacked cohort
    instead, when its network can train in one.
    """
    if training and placement is None and _grouped.active() is not None:
        engine = _grouped.member_engine(spec)
        if engine is not None:
            return engine
    key = (spec, placement)
    with _idle_lock:
        engines = _idle.get(key)
        if engines:
            engine = engines.pop()
            if not engines:
                del _idle[key]
            return engine
    # Keras draws default seeds (dropout layers' seed generators) from Python's
    # global `random`; a seeded fit must leave the user's random state alone
    state = random.getstate()
    try:
        engine = engine_class()(spec, placement)
    finally:
        random.setstate(state)
    engine.placement = placement
    return engine


def engine_class():
    """The engine class for the Keras backend in use: :class:`Engine` on
    TensorFlow, :class:`skdeep._engine.jax.JaxEngine` on JAX."""
    from .._backend import backend

    if backend() == "jax":
        from .jax import JaxEngine

        return JaxEngine
    from .tensorflow import Engine

    return Engine


def release(engine):
    """Return ``engine`` to the cache, evicting the least recently used ones."""
    global _evicted
    if isinstance(engine, _grouped.MemberEngine):
        engine.release()
        return
    with _idle_lock:
        key = (engine.spec, engine.placement)
        _idle.setdefault(key, []).append(engine)
        _idle.move_to_end(key)
        while sum(len(v) for v in _idle.values()) > MAX_IDLE_ENGINES:
            oldest = next(iter(_idle))
            _idle[oldest].pop(0)
            if not _idle[oldest]:
                del _idle[oldest]
            _evicted += 1
        trim = _evicted >= MAX_IDLE_ENGINES
        if trim:
            _evicted = 0
    if trim:
        # JAX's own compilation caches keep the traced programs (jaxprs) and
        # executables of every jitted function (~7 MB per architecture), and
        # TensorFlow's kernel cache the kernels of functions long deleted
        # (~1 MB): unbounded over a long random search.  Dropping them once
        # per 16 evictions bounds that at 16 engines beyond the cache, for at
        # most one recompile (JAX) / kernel instantiation (TF) of each engine
        # still cached.
        _clear_backend_caches(trim_heap=False)


def clear_cache():
    """Drop every cached compiled engine, freeing the memory they hold.

    skdeep keeps up to 16 compiled models (one per architecture recently
    fitted) so that repeated fits -- cross-validation folds, grid searches --
    skip TensorFlow's tracing.  Fitted estimators do not depend on the cache.
    Clearing also drops the backend's compilation caches (JAX) and returns
    the freed memory to the operating system where the C library allows it
    (glibc's ``malloc_trim``).  A long search does not need it to stay in
    bounded memory; call it to give memory back after one.

    Examples
    --------
    >>> import skdeep
    >>> skdeep.clear_cache()
    """
    global _evicted
    with _idle_lock:
        _idle.clear()
        _evicted = 0
    _clear_backend_caches(trim_heap=True)


def _clear_backend_caches(trim_heap):
    """Free what the backend keeps for engines no longer cached.

    On JAX, ``jax.clear_caches()`` (the traced programs and executables of
    every jitted function, kept after their engines are gone); on TensorFlow, the eager context's kernel
    cache (each traced function's instantiated kernels, ~1 MB per
    architecture, kept after the function itself is gone; live engines
    re-instantiate theirs on their next call); then a garbage collection, and with
    ``trim_heap`` glibc's ``malloc_trim`` so the freed memory is returned
    to the operating system (resident memory falls, not only the heap's use).
    """
    import gc
    import sys

    from .._backend import backend

    gc.collect()  # engines just dropped release their functions first
    if "keras" in sys.modules and backend() == "jax":
        import jax

        jax.clear_caches()
    elif "tensorflow" in sys.modules:
        from tensorflow.python.eager import context

        clear_kernels = getattr(context.context(), "clear_kernel_cache", None)
        if clear_kernels is not None:  # a private API: skipped if it goes away
            clear_kernels()
    gc.collect()
    if trim_heap and sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl, ...): nothing to trim
            pass
