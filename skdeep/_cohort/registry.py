"""The fitted states of a search's pre-trained fits, found again by scikit-learn's pass.

:class:`Registry` fills the fit template's fit-cache slot
(:func:`skdeep._estimators.base.install_fit_cache`): a fit trained in a
cohort, or beside others (:func:`~skdeep._cohort.session.run_side_by_side`),
stores its state under its class, parameters and a fingerprint of its data;
the identical fit of scikit-learn's own search takes it instead of
training again.
"""

import hashlib
import threading

import numpy as np

from .member import groupable, side_by_side

__all__ = ["Registry", "fingerprint"]


def fingerprint(*arrays):
    """A digest of the data a fit sees (arrays, frames, sparse matrices, lists
    of series of different lengths, None)."""
    h = hashlib.blake2b(digest_size=20)
    for a in arrays:
        _update(h, a)
    return h.hexdigest()


def _update(h, a):
    import scipy.sparse as sp

    if a is None:
        h.update(b"none")
    elif hasattr(a, "iloc"):  # pandas
        import pandas as pd

        h.update(repr((type(a).__name__, getattr(a, "columns", getattr(a, "name", None)),
                       getattr(a, "dtypes", getattr(a, "dtype", None)))).encode())
        h.update(pd.util.hash_pandas_object(a, index=True).to_numpy().tobytes())
    elif sp.issparse(a):
        a = a.tocsr()
        h.update(repr(("sparse", a.shape, a.dtype.str)).encode())
        for part in (a.data, a.indices, a.indptr):
            h.update(np.ascontiguousarray(part).tobytes())
    elif isinstance(a, (list, tuple)) and any(
            isinstance(item, (np.ndarray, list, tuple)) for item in a):
        # a list of series of different lengths (each hashed whole: the
        # repr of a long array elides its middle)
        h.update(repr(("sequence", len(a))).encode())
        for item in a:
            _update(h, item)
    else:
        a = np.asarray(a)
        h.update(repr((a.shape, a.dtype.str)).encode())
        if a.dtype != object:
            h.update(np.ascontiguousarray(a).tobytes())
        else:
            for item in a.ravel():
                if isinstance(item, (np.ndarray, list, tuple)):
                    _update(h, item)
                else:
                    h.update(repr(item).encode() + b"\0")


def _fit_key(estimator, X, y, sample_weight):
    """The fit's key, or None for data this module cannot fingerprint (the
    fit then trains as it would alone)."""
    params = sorted(estimator.get_params(deep=False).items())
    try:
        digest = fingerprint(X, y, sample_weight)
    except (TypeError, ValueError):
        return None
    return (type(estimator), repr(params), digest)


class Registry:
    """Fitted states keyed by (class, parameters, data fingerprint).

    Parameters
    ----------
    is_worker : callable
        Whether the calling thread runs one of the search's grouped fits:
        only those store their state (a refit or a plain fit does not).
    """

    def __init__(self, is_worker):
        self.is_worker = is_worker
        self.states = {}
        self.lock = threading.Lock()

    def store(self, estimator, X, y, sample_weight):
        """Keep a worker thread's fit state for the identical fit that will ask for it."""
        if self.is_worker():
            key = _fit_key(estimator, X, y, sample_weight)
            if key is not None:
                with self.lock:
                    self.states.setdefault(key, []).append(dict(estimator.__dict__))

    def take(self, estimator, X, y, sample_weight):
        """The state of an identical fit trained earlier in the session, or None.

        Only fits outside the worker threads (scikit-learn's pass) ask: a
        worker's fit is one being pre-trained, and fingerprinting its data
        here would only repeat the hashing its ``store`` does.
        """
        if (not self.states or self.is_worker()
                or not (groupable(estimator) or side_by_side(estimator))):
            return None
        key = _fit_key(estimator, X, y, sample_weight)
        if key is None:
            return None
        with self.lock:
            states = self.states.get(key)
            if not states:
                return None
            state = states.pop()
            if not states:
                del self.states[key]
        return state
