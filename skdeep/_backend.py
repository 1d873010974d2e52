"""Lazy, quiet access to TensorFlow and Keras.

``import skdeep`` must stay light (no TensorFlow import) and silent, so every
module that needs TensorFlow calls :func:`load` at the moment it needs it.
"""

import contextlib
import os
import sys

_MODULES = None


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


def load():
    """Import TensorFlow and Keras once and return ``(tf, keras)``.

    Sets quiet defaults (only when the user has not chosen otherwise):
    ``TF_CPP_MIN_LOG_LEVEL=3`` and ``KERAS_BACKEND=tensorflow``.

    Raises
    ------
    ImportError
        If Keras is already running on another backend.
    """
    global _MODULES
    if _MODULES is not None:
        return _MODULES
    quiet = "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    if quiet:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    already = "tensorflow" in sys.modules
    with _stderr_silenced() if quiet and not already else contextlib.nullcontext():
        import tensorflow as tf
        import keras
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise ImportError(
            f"skdeep runs Keras on the TensorFlow backend, but Keras was started "
            f"with backend {backend!r}. Unset KERAS_BACKEND (or set it to "
            f"'tensorflow') before Keras is first imported."
        )
    _MODULES = (tf, keras)
    return _MODULES
