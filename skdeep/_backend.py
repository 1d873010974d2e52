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
    # exceptions are unaffected: they propagate normally.
    try:
        fd = sys.stderr.fileno()
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


def load():
    """Import Keras (and TensorFlow on that backend) once; return ``(tf, keras)``.

    skdeep runs on Keras' TensorFlow backend by default and on its JAX
    backend when Keras was started with it (``KERAS_BACKEND=jax`` set before
    Keras is first imported); ``tf`` is ``None`` on JAX.  Sets quiet
    defaults (only when the user has not chosen otherwise):
    ``TF_CPP_MIN_LOG_LEVEL=3`` and ``KERAS_BACKEND=tensorflow``.

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
    quiet = "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    if quiet:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    already = "tensorflow" in sys.modules or "keras" in sys.modules
    with _stderr_silenced() if quiet and not already else contextlib.nullcontext():
        import keras

        name = keras.backend.backend()
        tf = None
        if name == "tensorflow":
            import tensorflow as tf
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
