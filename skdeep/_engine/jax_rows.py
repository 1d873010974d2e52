"""Rows on a JAX device: padded to a few bucket sizes so that new sizes seldom compile.

:class:`Rows` (dense) and :class:`SparseRows` (a CSR matrix, gathered per
minibatch into a ``BCOO``) are what :class:`~skdeep._engine.jax.JaxEngine`'s
``tensors`` returns; :func:`bucket` is the padding rule, which the search
cohorts use too (through :func:`skdeep._engine.backend.current`).  JAX is
imported only by the functions that need it.
"""

import numpy as np

__all__ = ["Rows", "SparseRows", "bcoo", "bucket"]


def bucket(n, smallest=16, fine=False):
    """Round a size up to one of a few, to bound re-compilations.

    Training data is padded to a power of two (at least ``smallest``): its
    padding is only copied, never computed on, and the folds of a
    cross-validation and the final refit on all rows then share one
    compiled epoch.  With ``fine=True`` (inputs that are computed on whole,
    as in ``predict``) the sizes are ``m * 2**j`` with ``8 <= m <= 16``: at
    most an eighth of padding.

    Examples
    --------
    >>> from skdeep._engine.jax_rows import bucket
    >>> bucket(5), bucket(17), bucket(3, smallest=1), bucket(200, fine=True)
    (16, 32, 4, 208)
    """
    n = int(n)
    if n <= smallest:
        return smallest
    if not fine:
        return 1 << (n - 1).bit_length()
    step = 1 << (n.bit_length() - 4)
    return -(-n // step) * step


class Rows:
    """A device array padded to a bucket of rows, and how many rows are real."""

    __slots__ = ("array", "n")

    def __init__(self, array, n):
        self.array, self.n = array, n

    @property
    def full(self):
        """The whole (padded) array, as the full-batch functions take it."""
        return self.array

    @property
    def n_rows(self):
        return self.array.shape[0]



def bcoo(jax, X, n_rows, nse):
    """CSR matrix ``X`` as a JAX ``BCOO`` of ``n_rows`` rows and ``nse`` stored
    entries (the padding entries hold 0 at (0, 0), adding nothing)."""
    from jax.experimental import sparse as jsparse

    coo = X.tocoo()
    indices = np.zeros((nse, 2), np.int32)
    data = np.zeros(nse, X.dtype)
    indices[: coo.nnz, 0], indices[: coo.nnz, 1], data[: coo.nnz] = coo.row, coo.col, coo.data
    return jsparse.BCOO((jax.device_put(data), jax.device_put(indices)),
                        shape=(int(n_rows), int(X.shape[1])))


class SparseRows:
    """Training rows of a sparse-input network on the device.

    ``array`` is the CSR matrix as ``(indptr, indices, data)`` device arrays
    (rows padded with empty ones, stored entries to a bucket size, so folds
    share compilations); the compiled epoch gathers each minibatch from them
    as a ``BCOO`` of at most :meth:`batch_nnz` entries.  ``full`` is the whole
    matrix as one ``BCOO`` for the full-batch functions.
    """

    def __init__(self, jax, X, n_rows, put=None):
        self._nse = nnz = bucket(max(X.nnz, 1))
        indptr = np.full(n_rows + 1, X.nnz, np.int32)
        indptr[: X.shape[0] + 1] = X.indptr
        indices = np.zeros(nnz, np.int32)
        data = np.zeros(nnz, X.dtype)
        indices[: X.nnz], data[: X.nnz] = X.indices, X.data
        put = jax.device_put if put is None else put
        self.array = tuple(put(a) for a in (indptr, indices, data))
        self.n, self.n_rows = X.shape[0], n_rows
        self._lengths = np.sort(np.diff(X.indptr))[::-1]
        self._jax, self._X = jax, X
        self._full = None

    def batch_nnz(self, batch_size):
        """A bucketed bound on the stored entries of any ``batch_size`` real rows."""
        return bucket(max(1, int(self._lengths[:batch_size].sum())))

    @property
    def full(self):
        if self._full is None:
            self._full = bcoo(self._jax, self._X, self.n_rows, self._nse)
        return self._full
