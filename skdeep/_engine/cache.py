"""Which engine a fit gets, and the process-wide cache of compiled engines.

Engines are cached by :class:`~skdeep._engine.spec.ModelSpec` (and placement):
a new architecture costs a trace (tenths of a second), a cached one only a
weight assignment.  The engine class follows the Keras backend in use
(:func:`skdeep._engine.backend.current`).

An accelerator above this layer can lend training fits engines of its own
through the *provider slot* (:func:`install_provider`; the search cohorts of
:mod:`skdeep._cohort` use it): every engine names the ``pool`` it goes back
to, so :func:`release` never needs to know what kind it is.
"""

import collections
import contextlib
import gc
import random
import sys
import threading

from .backend import current

__all__ = ["MAX_IDLE_BYTES", "MAX_IDLE_ENGINES", "acquire", "clear_cache", "install_provider",
           "lease", "release"]

#: How many idle engines the process keeps, across all architectures.
MAX_IDLE_ENGINES = 16

#: How much memory idle engines may hold together (their ``nbytes``): a wide
#: first layer (a TF-IDF matrix's million columns) makes an engine of hundreds
#: of megabytes, which is dropped when it goes back instead of being kept --
#: its next fit traces again (about a second) but memory stays bounded.
MAX_IDLE_BYTES = 256 * 2**20

_idle = collections.OrderedDict()  # (spec, placement) -> idle engines (LRU order)
_idle_lock = threading.Lock()
_evicted = 0  # engines evicted since the backend's caches were last cleared
_memory_due = False  # a large engine was dropped: collect before the next build

#: The provider slot: ``provider(spec)`` returns an engine for a one-device
#: training fit, or None to let the cache serve it.  A module global, not a
#: context variable: a search's worker threads must all see it.
_provider = None


def install_provider(provider):
    """Fill (or, with None, empty) the engine-provider slot.

    Parameters
    ----------
    provider : callable or None
        ``provider(spec)`` -> an engine (with a ``pool`` whose
        ``give_back(engine)`` takes it back) or None.
    """
    global _provider
    _provider = provider


class _Pool:
    """The cache as the place a compiled engine goes back to (see :func:`release`)."""

    @staticmethod
    def give_back(engine):
        global _evicted
        big = getattr(engine, "nbytes", 0) > MAX_IDLE_BYTES
        with _idle_lock:
            if not big:
                key = (engine.spec, engine.placement)
                _idle.setdefault(key, []).append(engine)
                _idle.move_to_end(key)
            freed = 0
            while _idle and (sum(len(v) for v in _idle.values()) > MAX_IDLE_ENGINES
                             or _idle_bytes() > MAX_IDLE_BYTES):
                oldest = next(iter(_idle))
                freed += getattr(_idle[oldest].pop(0), "nbytes", 0)
                if not _idle[oldest]:
                    del _idle[oldest]
                _evicted += 1
            trim = _evicted >= MAX_IDLE_ENGINES
            if trim:
                _evicted = 0
        if big or freed > MAX_IDLE_BYTES // 4:
            # hundreds of megabytes: collected (Keras models hold reference cycles)
            # and given back to the system at the next acquire, once the caller
            # has let go of the engine
            global _memory_due
            _memory_due = True
        if trim:
            # JAX's own compilation caches keep the traced programs and
            # executables of every jitted function (~7 MB per architecture),
            # and TensorFlow's kernel cache the kernels of functions long
            # deleted (~1 MB): unbounded over a long random search.  Dropping
            # them once per 16 evictions bounds that at 16 engines beyond the
            # cache, for at most one recompile (JAX) / kernel instantiation
            # (TF) of each engine still cached.
            _clear_backend_caches(trim_heap=False)


def _idle_bytes():
    return sum(getattr(e, "nbytes", 0) for engines in _idle.values() for e in engines)


def acquire(spec, training=False, placement=None):
    """Take an idle compiled engine for ``spec`` from the cache, or build one.

    ``placement`` (a :class:`skdeep._engine.distribution.Placement`) asks for an
    engine that trains data-parallel over its devices; engines are cached
    per (spec, placement).  A one-device ``training`` fit first asks the
    provider slot (a grouped search lends a member of a stacked cohort,
    which offers the training part of the protocol but no Keras ``model``:
    callers whose hooks need the model pass ``training=False``).
    """
    global _memory_due
    if _memory_due:
        _memory_due = False
        _return_memory()
    provider = _provider
    if training and placement is None and provider is not None:
        engine = provider(spec)
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
        engine = current().engine_class()(spec, placement)
    finally:
        random.setstate(state)
    engine.placement = placement
    engine.pool = _Pool
    return engine


def release(engine):
    """Give ``engine`` back to its pool (the cache evicts the least recently used)."""
    engine.pool.give_back(engine)


@contextlib.contextmanager
def lease(spec, training=False, placement=None):
    """An engine for the block: :func:`acquire` before it, :func:`release` after.

    If the block raises, the engine's variables may hold a half-done update:
    it is marked as holding no known weights (``loaded = None``) before it
    goes back, so the next user loads its own.
    """
    engine = acquire(spec, training=training, placement=placement)
    try:
        yield engine
    except BaseException:
        engine.loaded = None
        raise
    finally:
        release(engine)


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

    The backend's compilation caches (see the adapters'
    ``clear_caches``) between two garbage collections, and with
    ``trim_heap`` glibc's ``malloc_trim``, so the freed memory is returned
    to the operating system (resident memory falls, not only the heap's use).
    """
    gc.collect()  # engines just dropped release their functions first
    if "keras" in sys.modules:  # nothing was compiled before Keras started
        current().clear_caches()
    if trim_heap:
        _return_memory()
    else:
        gc.collect()


def _return_memory():
    """Collect dropped engines and hand the freed heap back to the system (glibc)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl, ...): nothing to trim
            pass
