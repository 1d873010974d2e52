"""Lazy, quiet access to TensorFlow and Keras.

``import skdeep`` must stay light (no TensorFlow import) and silent, so every
module that needs TensorFlow calls :func:`load` at the moment it needs it.
"""

import contextlib
import os
import sys

_MODULES = None
_FORKED_FROM = None  # pid of the parent, in a process forked after Keras started


def _after_fork_in_child():
    global _FORKED_FROM
    if _MODULES is not None:
        _FORKED_FROM = os.getppid()


def _refuse_forked():
    raise RuntimeError(
        "skdeep cannot train or predict in a process forked (os.fork, multiprocessing's "
        f"'fork' start method, joblib's backend='multiprocessing') from process "
        f"{_FORKED_FROM} after TensorFlow/JAX started there: their thread pools do not "
        "survive fork() and the process would hang. Use joblib's default 'loky' backend "
        "(n_jobs=... in scikit-learn), or multiprocessing.get_context('spawn') or "
        "'forkserver'; or fit in the parent before any fork is needed."
    )


@contextlib.contextmanager
def _stderr_silenced():
    # TensorFlow's C++ runtime writes "oneDNN custom operations are on" and
    # "Could not find cuda drivers" straight to file descriptor 2 while it is
    # imported, before any Python logging setting can reach it.  Python-level
    # exceptions are unaffected: they propagate normally.  The process's own
    # standard error (file descriptor 2, ``sys.__stderr__``): a caller that
    # writes on while Keras starts in another thread points ``sys.stderr`` at
    # a copy of it, which stays open (see skdeep.cli.commands.KerasStart).
    try:
        fd = sys.__stderr__.fileno()
    except (AttributeError, ValueError, OSError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


#: Keras backends skdeep has an engine for.
BACKENDS = ("tensorflow", "jax")


def thread_limit(environ=None):
    """The compute threads this process may use, or None for the backend's default.

    ``SKDEEP_NUM_THREADS`` if set, else ``OMP_NUM_THREADS`` -- what process
    pools set in their workers for their share of the cores: joblib's loky
    workers (cores / n_jobs), dask's nannies (1 per worker thread by
    default) and Ray's tasks (their ``num_cpus``).  TensorFlow and XLA
    otherwise start one thread per core in every worker: 2 workers on 2
    cores would run 4 compute threads and more.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read (default: the process's).

    Returns
    -------
    int or None
        The thread count, or None without a limit.
    """
    environ = os.environ if environ is None else environ
    for name in ("SKDEEP_NUM_THREADS", "OMP_NUM_THREADS"):
        value = environ.get(name, "").strip()
        if value:
            try:
                n = int(value)
            except ValueError:
                continue
            if n > 0:
                return n
    return None


#: Machines with at most this many cores run one compute thread per operation
#: by default (see :func:`thread_defaults`).
FEW_CORES = 2


def _cores():
    """The cores this process may run on (its CPU affinity where the OS says)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def thread_defaults(environ, cores):
    """The thread settings skdeep adds to ``environ`` before TensorFlow/JAX start.

    With a thread limit (:func:`thread_limit`, what process pools set in their
    workers), both backends' compute pools get that many threads and
    TensorFlow's inter-op pool at most two.  Without one, on a machine of at
    most :data:`FEW_CORES` cores, each operation runs on one thread: one
    intra-op thread for TensorFlow (its inter-op pool still runs independent
    operations side by side on both cores) and XLA's single-threaded Eigen for
    JAX.  skdeep's networks are many small operations, whose split over two
    threads costs more than it gains (``benchmarks/bench_threads.py``, 2 cores,
    TensorFlow: a CNN fit on digits in 0.60 of the time, RNN and tabular fits
    in 0.80-0.88, no workload slower; JAX 0.87-1.04; ``docs/performance.rst``).
    Settings the user made (``TF_NUM_INTRAOP_THREADS``, ``TF_NUM_INTEROP_THREADS``,
    an ``XLA_FLAGS`` naming the thread options) are kept.

    Parameters
    ----------
    environ : mapping
        The process environment (read only).
    cores : int
        The cores the process may run on.

    Returns
    -------
    dict
        ``{variable: value}`` to set.

    Examples
    --------
    >>> from skdeep._backend import thread_defaults
    >>> thread_defaults({}, cores=2)["TF_NUM_INTRAOP_THREADS"]
    '1'
    >>> thread_defaults({}, cores=8)
    {}
    >>> thread_defaults({"TF_NUM_INTRAOP_THREADS": "2"}, cores=2)
    {'XLA_FLAGS': '--xla_cpu_multi_thread_eigen=false'}
    """
    n = thread_limit(environ)
    if n is None and cores > FEW_CORES:
        return {}
    out = {}
    intra, inter = (str(n), str(min(n, 2))) if n is not None else ("1", None)
    if "TF_NUM_INTRAOP_THREADS" not in environ:
        out["TF_NUM_INTRAOP_THREADS"] = intra
    if inter is not None and "TF_NUM_INTEROP_THREADS" not in environ:
        out["TF_NUM_INTEROP_THREADS"] = inter
    flags = environ.get("XLA_FLAGS", "")
    if "intra_op_parallelism_threads" not in flags and "multi_thread_eigen" not in flags:
        extra = f"--xla_cpu_multi_thread_eigen={'false' if intra == '1' else 'true'}"
        if n is not None:
            extra += f" intra_op_parallelism_threads={n}"
        out["XLA_FLAGS"] = f"{flags} {extra}".strip()
    return out


def _limit_threads_before_import():
    """Apply :func:`thread_defaults` (unless the user chose already).

    Also keeps a GPU worker from taking all of its GPU's memory up front
    (TensorFlow's memory growth, JAX's on-demand allocation), so processes
    sharing a GPU -- or a worker given one GPU of several through
    ``CUDA_VISIBLE_DEVICES`` -- allocate what they use.
    """
    os.environ.update(thread_defaults(os.environ, _cores()))
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")


def _limit_tensorflow_threads(tf):
    """Apply the thread limit to TensorFlow's runtime, if it has not started yet."""
    n = thread_limit()
    if n is None or os.environ.get("TF_NUM_INTRAOP_THREADS") != str(n):
        return  # no limit, or the user's own TF_NUM_INTRAOP_THREADS
    try:
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(min(n, 2))
    except RuntimeError:  # TensorFlow already ran an op in this process: keep its pools
        pass


def load():
    """Import Keras (and TensorFlow on that backend) once; return ``(tf, keras)``.

    skdeep runs on Keras' TensorFlow backend by default and on its JAX
    backend when Keras was started with it (``KERAS_BACKEND=jax`` set before
    Keras is first imported); ``tf`` is ``None`` on JAX.  Sets quiet
    defaults (only when the user has not chosen otherwise):
    ``TF_CPP_MIN_LOG_LEVEL=3`` and ``KERAS_BACKEND=tensorflow``; TensorFlow's
    start-up lines, written before any log level applies, are silenced unless
    ``TF_CPP_MIN_LOG_LEVEL=0`` asks for every log.

    Raises
    ------
    ImportError
        If Keras is already running on a backend skdeep has no engine for.
    RuntimeError
        In a process forked after Keras started in its parent: TensorFlow
        and JAX hang there, so skdeep refuses at once and names the fix.
    """
    global _MODULES
    if _MODULES is not None:
        if _FORKED_FROM is not None:
            _refuse_forked()
        return _MODULES
    # TensorFlow's C++ start-up lines (oneDNN, CUDA drivers, absl) come before
    # its log level applies: silenced unless the user asked for every log (0)
    quiet = os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3").strip() != "0"
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    already = "tensorflow" in sys.modules or "keras" in sys.modules
    if not already:
        _limit_threads_before_import()
    with _stderr_silenced() if quiet and not already else contextlib.nullcontext():
        import keras

        name = keras.backend.backend()
        tf = None
        if name == "tensorflow":
            import tensorflow as tf

            if not already:
                _limit_tensorflow_threads(tf)
    if name not in BACKENDS:
        raise ImportError(
            f"skdeep runs Keras on the TensorFlow or JAX backend, but Keras was started "
            f"with backend {name!r}. Set KERAS_BACKEND to 'tensorflow' (the default) or "
            f"'jax' before Keras is first imported."
        )
    _MODULES = (tf, keras)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    return _MODULES


def backend():
    """Return the name of the Keras backend skdeep trains on: ``'tensorflow'`` or ``'jax'``."""
    _, keras = load()
    return keras.backend.backend()


def precision(dtype):
    """A context in which Keras variables and ops can hold ``dtype`` values.

    On JAX, float64 needs JAX's 64-bit mode; skdeep switches it on around its
    own float64 work only (``jax.enable_x64``), never for the whole process.
    Elsewhere this is a no-op.
    """
    import numpy as np

    if np.dtype(dtype) == np.float64 and backend() == "jax":
        import jax

        return jax.enable_x64(True)
    return contextlib.nullcontext()


def float64_outside_skdeep():
    """Whether a float64 Keras model works in the user's hands.

    Not on JAX in its default 32-bit mode (``JAX_ENABLE_X64`` unset), where
    :func:`precision` holds only around skdeep's own calls.
    """
    if backend() != "jax":
        return True
    import jax

    return bool(jax.config.jax_enable_x64)
