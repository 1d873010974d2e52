"""Cohorts: the stacked training rows, weights and optimizer slots of many members.

A :class:`Cohort` keeps every member's variables in one row of a flat
``(members, parameters)`` array and runs an epoch of all of them with one
call of the compiled program (:mod:`skdeep._cohort.program`).
"""

import numpy as np

from .._engine.backend import current
from .program import program

__all__ = ["MAX_COHORT_BYTES", "Cohort", "run_epoch"]

#: Most bytes of stacked training rows one cohort may hold.
MAX_COHORT_BYTES = 256 << 20


def run_epoch(members, max_cohort):
    """One epoch for every member: existing cohorts first, then new ones."""
    cohorts, new = {}, {}
    for m in members:
        if m.cohort is not None:
            cohorts.setdefault(id(m.cohort[0]), (m.cohort[0], []))[1].append(m)
        else:
            batch_size = m.request[1]
            new.setdefault((m.key, batch_size), []).append(m)
    for group in new.values():
        for part in _split(group, max_cohort):
            cohort = Cohort(part)
            cohorts[id(cohort)] = (cohort, part)
    for cohort, part in cohorts.values():
        cohort.epoch(part)


def _split(members, max_cohort):
    """Cohorts of at most ``max_cohort`` members and :data:`MAX_COHORT_BYTES` of rows."""
    parts, part, size = [], [], 0
    for m in members:
        X = m.data[0]
        need = X.size * X.itemsize
        if part and (len(part) >= max_cohort or size + need > MAX_COHORT_BYTES):
            parts.append(part)
            part, size = [], 0
        part.append(m)
        size += need
    if part:
        parts.append(part)
    return parts


class Cohort:
    """Stacked training rows and state of members that share one program.

    Every member's variables live in one row of a flat ``(K, P)`` array --
    kernels and biases in layer order, each in the cohort's widest shape
    with the member's own block at its top-left and zeros (masked) around
    it -- and so do the optimizer's slots: the program carries three or
    four tensors through its loop instead of one per variable.  On a
    backend that compiles per shape (JAX) the member count, rows and batch
    count are padded to powers of two, so few shapes are compiled.

    Parameters
    ----------
    members : list of MemberEngine
        Members of one program family and batch size, each with its first
        epoch requested.
    """

    def __init__(self, members):
        self.backend = backend = current()
        first = members[0]
        self.key = first.key
        self.dtype = first.dtype
        self.batch_size = first.request[1]
        K = backend.pad_size(len(members), smallest=1)
        self.widths = [int(w) for w in np.max([m.widths for m in members], axis=0)]
        N = backend.pad_size(max(m.data[0].shape[0] for m in members), smallest=1)
        d, o = self.widths[0], self.widths[-1]
        X = np.zeros((K, N, d), self.dtype)
        Y = np.zeros((K, N, o), self.dtype)
        SW = np.zeros((K, N), self.dtype)
        for k, m in enumerate(members):
            Xm, Ym, Wm = m.data
            X[k, : Xm.shape[0], : Xm.shape[1]] = Xm
            Y[k, : Ym.shape[0]] = Ym
            SW[k, : Wm.shape[0]] = Wm
        self.K = K
        self.shapes = []
        for fan_in, fan_out in zip(self.widths[:-1], self.widths[1:]):
            self.shapes += [(fan_in, fan_out), (fan_out,)]
        sizes = [int(np.prod(shape)) for shape in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        P = int(self.offsets[-1])
        self.weights = np.zeros((K, P), self.dtype)
        mask = np.zeros((K, P), self.dtype)
        self.slots = [np.zeros((K, P), self.dtype) for _ in first._slot_names()]
        self.iterations = np.zeros(K, self.dtype)
        self.lr = np.zeros(K, self.dtype)
        self.alpha = np.zeros(K, self.dtype)
        for k, m in enumerate(members):
            for i, w in enumerate(m.weights):
                self._view(mask, k, i)[tuple(map(slice, w.shape))] = 1
            m.cohort = (self, k)
            self.write(k, m)
        self.program = program(self.key)
        # the widths: a static tuple where shapes are compiled in, else a tensor
        self.layout = (tuple(self.widths) if backend.static_shapes
                       else np.asarray(self.widths, np.int32))
        self.constants = backend.device_put(X, Y, SW, mask)

    def _view(self, flat, k, i):
        """Variable ``i`` of slot ``k`` as a writable array of the cohort's shape."""
        return flat[k, self.offsets[i]: self.offsets[i + 1]].reshape(self.shapes[i])

    def write(self, k, m):
        """Copy member ``m``'s weights and optimizer state into slot ``k``."""
        for flat, values in [(self.weights, m.weights), *zip(self.slots, m.slots)]:
            flat[k] = 0
            for i, w in enumerate(values):
                self._view(flat, k, i)[tuple(map(slice, w.shape))] = w
        self.iterations[k] = m.iterations
        self.lr[k] = m.learning_rate

    def read(self, k, m):
        """Copy slot ``k`` back into member ``m``."""
        m.weights = [self._view(self.weights, k, i)[tuple(map(slice, w.shape))].copy()
                     for i, w in enumerate(m.weights)]
        m.slots = [[self._view(flat, k, i)[tuple(map(slice, w.shape))].copy()
                    for i, w in enumerate(m.weights)] for flat in self.slots]
        m.iterations = int(self.iterations[k])

    def epoch(self, members):
        """Run one epoch of ``members`` (all in this cohort) in one program call."""
        bs = self.batch_size
        batches = max(-(-m.request[0].shape[0] // bs) for m in members)
        B = self.backend.pad_size(batches, smallest=1)
        perm = np.zeros((self.K, B * bs), np.int32)
        valid = np.zeros((self.K, B * bs), self.dtype)
        n_batches = np.zeros(self.K, np.int32)
        on = np.zeros(self.K, self.dtype)
        for m in members:
            k = m.cohort[1]
            order, _, alpha = m.request
            perm[k, : order.size] = order
            valid[k, : order.size] = 1
            n_batches[k] = -(-order.size // bs)
            on[k] = 1
            self.alpha[k] = alpha
            self.lr[k] = m.learning_rate
        shape = (self.K, B, bs)
        weights, slots, iterations, total = self.program(
            self.layout, *self.constants, perm.reshape(shape), valid.reshape(shape),
            n_batches, on, self.lr, self.alpha, self.weights, self.slots, self.iterations,
        )
        self.weights = np.array(weights)
        self.slots = [np.array(s) for s in slots]
        self.iterations = np.array(iterations)
        total = np.asarray(total, dtype=np.float64)
        for m in members:
            k = m.cohort[1]
            m.result = (float(self.dtype.type(total[k] / m.request[0].size)), float("nan"))
