"""Which engine a fit gets, and the process-wide cache of compiled engines.

Engines are cached by :class:`~skdeep._engine_core.ModelSpec`: a new
architecture costs a trace (tenths of a second), a cached one only a weight
assignment.  The engine class follows the Keras backend in use
(:class:`skdeep._engine.Engine` on TensorFlow,
:class:`skdeep._engine_jax.JaxEngine` on JAX); this module is the only place
that knows both.
"""

import collections
import random
import threading

__all__ = ["MAX_IDLE_ENGINES", "acquire", "release", "clear_cache", "engine_class"]

#: How many idle engines the process keeps, across all architectures.
MAX_IDLE_ENGINES = 16

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
    # Keras draws default seeds (dropout layers' seed generators) from Python's
    # global `random`; a seeded fit must leave the user's random state alone
    state = random.getstate()
    try:
        return engine_class()(spec)
    finally:
        random.setstate(state)


def engine_class():
    """The engine class for the Keras backend in use: :class:`Engine` on
    TensorFlow, :class:`skdeep._engine_jax.JaxEngine` on JAX."""
    from ._backend import backend

    if backend() == "jax":
        from ._engine_jax import JaxEngine

        return JaxEngine
    from ._engine import Engine

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
