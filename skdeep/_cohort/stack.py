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

    Every member's kernels and biases live in one row of a flat ``(K, P)``
    array -- in layer order, each in the cohort's widest shape with the
    member's own block at its top-left and zeros (masked) around it -- and
    so do the optimizer's slots: the program carries a few tensors through
    its loop instead of one per variable.  Dropout and DropConnect rates and
    seed states are ``(K, 2 * depth)`` columns; batch norm's moving means and
    variances one ``(K, S)`` array, layer after layer.  On a backend that compiles
    per shape (JAX) the member count, rows and batch count are padded to
    powers of two, so few shapes are compiled.

    Parameters
    ----------
    members : list of MemberEngine
        Members of one program family and batch size, each with its first
        epoch requested.
    """

    def __init__(self, members):
        from .program import Variant

        self.backend = backend = current()
        first = members[0]
        variants = [m.variant for m in members]
        self.variant = Variant(
            any(v.l1 for v in variants), any(v.activity for v in variants),
            *(tuple(map(any, zip(*(getattr(v, f) for v in variants))))
              for f in ("dropout", "dropconnect")),
            any(v.track for v in variants))
        self.key = first.key + (self.variant,)
        self.dtype = first.dtype
        self.batch_size = first.request[1]
        K = backend.pad_size(len(members), smallest=1)
        widest = [int(w) for w in np.max([m.widths for m in members], axis=0)]
        # inputs and hidden layers at the backend's widths; the outputs as they are
        # (padded output units would enter the softmax)
        self.widths = [backend.pad_width(w) for w in widest[:-1]] + widest[-1:]
        N = backend.pad_size(max(m.data[0].shape[0] for m in members), smallest=1)
        d, o = self.widths[0], self.widths[-1]
        X = np.zeros((K, N, d), self.dtype)
        Y = np.zeros((K, N, o), self.dtype)
        SW = np.zeros((K, N), self.dtype)
        member_widths = np.zeros((K, len(self.widths)), np.int32)
        for k, m in enumerate(members):
            Xm, Ym, Wm = m.data
            X[k, : Xm.shape[0], : Xm.shape[1]] = Xm
            Y[k, : Ym.shape[0]] = Ym
            SW[k, : Wm.shape[0]] = Wm
            member_widths[k] = m.widths
        self.K = K
        depth = len(self.widths) - 2
        bn = first.key[7]
        self.shapes = []
        for layer, (fan_in, fan_out) in enumerate(zip(self.widths[:-1], self.widths[1:])):
            # a batch-normalised hidden layer: kernel, bias, gamma, beta
            self.shapes += [(fan_in, fan_out)] + [(fan_out,)] * (3 if bn and layer < depth else 1)
        sizes = [int(np.prod(shape)) for shape in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        P = int(self.offsets[-1])
        # batch norm's moving mean and variance, layer after layer
        self.stat_offsets = np.cumsum([0] + [2 * w for w in self.widths[1:-1]]) if bn else []
        self.stats = np.zeros((K, int(self.stat_offsets[-1]) if bn else 0), self.dtype)
        self.weights = np.zeros((K, P), self.dtype)
        mask = np.zeros((K, P), self.dtype)
        self.slots = [np.zeros((K, P), self.dtype) for _ in first._slot_names()]
        self.iterations = np.zeros(K, self.dtype)
        self.lr = np.zeros(K, self.dtype)
        self.penalties = np.zeros((K, 4), self.dtype)
        self.rates = np.zeros((K, 2 * depth), self.dtype)
        self.seeds = np.zeros((K, 2 * depth, 2), backend.seed_dtype)
        for k, m in enumerate(members):
            for i, t in enumerate(m.trainable):
                self._view(mask, k, i)[tuple(map(slice, m.weights[t].shape))] = 1
            m.cohort = (self, k)
            self.write(k, m)
        self.program = program(self.key)
        # the widths: a static tuple where shapes are compiled in, else a tensor
        self.layout = (tuple(self.widths) if backend.static_shapes
                       else np.asarray(self.widths, np.int32))
        self.constants = backend.device_put(X, Y, SW, mask, member_widths)

    def _view(self, flat, k, i):
        """Trainable variable ``i`` of slot ``k`` as a writable array of the cohort's shape."""
        return flat[k, self.offsets[i]: self.offsets[i + 1]].reshape(self.shapes[i])

    def _statistic(self, k, kind, layer, size):
        """Slot ``k``'s moving ``kind`` (``'mean'`` or ``'variance'``) of hidden
        ``layer``: its first ``size`` units, a writable view."""
        start = self.stat_offsets[layer] + (self.widths[layer + 1] if kind == "variance" else 0)
        return self.stats[k, start: start + size]

    def write(self, k, m):
        """Copy member ``m``'s weights, rates, seeds and optimizer state into slot ``k``."""
        trainable = [m.weights[t] for t in m.trainable]
        for flat, values in [(self.weights, trainable), *zip(self.slots, m.slots)]:
            flat[k] = 0
            for i, w in enumerate(values):
                self._view(flat, k, i)[tuple(map(slice, w.shape))] = w
        for i, (kind, column) in m.columns.items():
            if kind == "rate":
                self.rates[k, column] = m.weights[i]
            elif kind == "seed":
                self.seeds[k, column] = m.weights[i]
            else:
                self._statistic(k, kind, column, m.weights[i].size)[:] = m.weights[i]
        self.iterations[k] = m.iterations
        self.lr[k] = m.learning_rate

    def read(self, k, m):
        """Copy slot ``k`` back into member ``m``."""
        for i, t in enumerate(m.trainable):
            w = m.weights[t]
            m.weights[t] = self._view(self.weights, k, i)[tuple(map(slice, w.shape))].copy()
        for i, (kind, column) in m.columns.items():
            if kind == "seed":
                m.weights[i] = self.seeds[k, column].astype(m.weights[i].dtype)
            elif kind != "rate":
                m.weights[i] = self._statistic(k, kind, column, m.weights[i].size).copy()
        m.slots = [[self._view(flat, k, i)[tuple(map(slice, m.weights[t].shape))].copy()
                    for i, t in enumerate(m.trainable)] for flat in self.slots]
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
            order, _, penalties = m.request
            perm[k, : order.size] = order
            valid[k, : order.size] = 1
            n_batches[k] = -(-order.size // bs)
            on[k] = 1
            self.penalties[k] = penalties
            self.lr[k] = m.learning_rate
        shape = (self.K, B, bs)
        weights, slots, iterations, seeds, stats, total, squares = self.program(
            self.layout, *self.constants, perm.reshape(shape), valid.reshape(shape),
            n_batches, on, self.lr, self.penalties, self.rates, self.seeds, self.stats,
            self.weights, self.slots, self.iterations,
        )
        self.weights = np.array(weights)
        self.stats = np.array(stats)
        self.slots = [np.array(s) for s in slots]
        self.iterations = np.array(iterations)
        self.seeds = np.array(seeds)
        total = np.asarray(total, dtype=np.float64)
        squares = np.asarray(squares, dtype=np.float64)
        for m in members:
            k, n = m.cohort[1], m.request[0].size
            norm = (float(self.dtype.type(np.sqrt(squares[k]) / n)) if m.variant.track
                    else float("nan"))
            m.result = (float(self.dtype.type(total[k] / n)), norm)
