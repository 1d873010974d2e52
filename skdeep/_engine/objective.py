"""The one objective: losses, their output gradients, penalties -- over any array namespace.

Written once over a small *ops* namespace that each caller supplies: the
TensorFlow and JAX engines (their compiled epochs), :class:`NumpyOps` (a search
cohort member's held-out loss), ``keras.ops`` (the cohort's stacked program).
So the number a fit reports in ``loss_curve_`` and the number its gradient is
taken of are the same formula wherever the network is trained.
"""

import numpy as np

from .spec import LOSSES

__all__ = [
    "ArrayOps", "KerasOps", "NumpyOps", "check_loss", "objective",
    "per_sample_loss", "reported_scale",
]

#: Losses whose reported value averages over outputs, as scikit-learn's does.
_REGRESSION = ("squared_error", "absolute_error", "huber")


def reported_scale(loss, n_outputs):
    """Factor from the summed-over-outputs loss to the one scikit-learn reports.

    scikit-learn's ``loss_curve_`` averages regression losses over the
    outputs (and sums the log-losses over classes). Output groups (a tuple
    of ``(loss, width)``) are reported as trained: the sum of each group's
    loss, regression ones averaged over the group's columns.
    """
    if isinstance(loss, tuple):
        return 1.0
    return 1.0 / n_outputs if loss in _REGRESSION else 1.0


def check_loss(loss):
    """Raise a ValueError unless ``loss`` is one of :data:`~skdeep._engine.spec.LOSSES`
    or a tuple of ``(loss, width)`` output groups."""
    groups = loss if isinstance(loss, tuple) else ((loss, 1),)
    for name, width in groups:
        if name not in LOSSES or not (isinstance(width, int) and width > 0):
            raise ValueError(f"Unknown loss {loss!r}; expected one of {LOSSES}, or a "
                             "tuple of (loss, width) output groups.")


def per_sample_loss(ops, loss, y, logits, output):
    """Each sample's loss, summed over the outputs (the last axis).

    Parameters
    ----------
    ops : namespace
        Array operations: ``sum``, ``softmax_cross_entropy``,
        ``sigmoid_cross_entropy``, ``xlogy``, ``exp``, ``abs``, ``square``,
        ``minimum``.
    loss : str or tuple
        One of :data:`~skdeep._engine.spec.LOSSES`, or output groups: a
        tuple of ``(loss, width)`` for consecutive columns, whose losses are
        summed (a regression group's averaged over its columns), as Keras
        sums the losses of a model's outputs.
    y : array of shape (..., n_samples, n_outputs)
        Targets (one-hot rows for the log-losses).
    logits, output : arrays shaped like ``y``
        The output layer's pre-activation and activation.

    Returns
    -------
    array of shape (..., n_samples)
    """
    if isinstance(loss, tuple):
        total, start = None, 0
        for name, width in loss:
            cut = slice(start, start + width)
            part = per_sample_loss(ops, name, y[..., cut], logits[..., cut], output[..., cut])
            if name in _REGRESSION and width > 1:
                part = part / width
            total = part if total is None else total + part
            start += width
        return total
    if loss == "log_loss":
        return ops.softmax_cross_entropy(y, logits)
    if loss == "binary_log_loss":
        return ops.sum(ops.sigmoid_cross_entropy(y, logits), -1)
    if loss == "poisson":
        return ops.sum(ops.xlogy(y, y) - y * logits - y + ops.exp(logits), -1)
    if loss == "absolute_error":
        return ops.sum(ops.abs(y - output), -1)
    if loss == "huber":
        err = ops.abs(y - output)
        quad = ops.minimum(err, 1.0)
        return ops.sum(0.5 * ops.square(quad) + (err - quad), -1)
    if loss == "squared_error":
        return 0.5 * ops.sum(ops.square(y - output), -1)
    raise ValueError(f"Unknown loss {loss!r}; expected one of {LOSSES}.")


def objective(ops, spec, y, outputs, sw, penalties, kernels, extra=(), sw_total=None,
              share=1.0, stacked=False):
    """Return ``(objective, reported)`` for one batch, in ``ops``' backend.

    ``objective`` is what the gradient is taken of: per-sample losses
    summed over outputs, averaged with the sample weights, plus
    ``0.5 * alpha * ||W||^2 / sum(sw)`` -- scikit-learn's convention -- and
    the optional ``l1 * ||W||_1 / sum(sw)`` and activity penalties
    (weighted mean over samples of ``activity_l1 * sum|z|`` and
    ``activity_l2 * sum z^2`` over hidden units, Keras' convention), plus
    the Keras losses of the call (``extra``: regularizers, ``add_loss``).
    ``reported`` is what scikit-learn prints in ``loss_curve_`` (for
    regression losses it averages over outputs instead of summing).

    Parameters
    ----------
    ops : namespace
        See :func:`per_sample_loss`; also ``add_n``, ``cast``, ``zero`` and
        ``rows`` (activity penalties).
    spec : ModelSpec
        Its ``loss``, ``penalties`` and ``n_outputs``.
    y : array of shape (n_samples, n_outputs)
        Targets.
    outputs : sequence
        ``(logits, output, *hidden_activations)`` of the batch.
    sw : array of shape (n_samples,)
        Sample weights.
    penalties : sequence of float
        Strengths in :data:`~skdeep._engine.spec.PENALTIES` order.
    kernels : list of arrays
        The values of the penalized weights.
    extra : sequence, default=()
        Keras' own losses of the call.
    sw_total, share : default None, 1.0
        A data-parallel replica computes its part of a minibatch's terms:
        ``sw_total`` is the whole minibatch's weight sum (default: ``sw``'s),
        and ``share`` the fraction of the batch-independent terms (weight
        penalties, Keras losses) it adds, so that the replicas' parts sum to
        the minibatch's objective.
    stacked : bool, default=False
        Every array has a leading members axis (a search cohort's stack:
        ``y`` of shape ``(members, n_samples, n_outputs)``, kernels of shape
        ``(members, fan_in, fan_out)``, activations of shape ``(members,
        n_samples, units)``, each strength an array of shape
        ``(members,)``): the terms are computed per member.

    Returns
    -------
    objective, reported : scalars, or arrays of shape (members,) when stacked
    """
    logits, output, *activities = outputs

    def total(x):  # over everything, or over everything of each member
        return ops.sum(x, axis=tuple(range(1, len(x.shape)))) if stacked else ops.sum(x)

    def strength(i):  # against a member's (n_samples,) terms
        return ops.reshape(penalties[i], (-1, 1)) if stacked else penalties[i]

    per = per_sample_loss(ops, spec.loss, y, logits, output)
    sw_sum = total(sw) if sw_total is None else sw_total
    data = total(sw * per) / sw_sum
    penalty = ops.zero()
    if kernels:
        squares = ops.add_n([total(ops.square(w)) for w in kernels])
        penalty += 0.5 * penalties[0] * ops.cast(squares) / sw_sum
        if "l1" in spec.penalties:
            absolute = ops.add_n([total(ops.abs(w)) for w in kernels])
            penalty += penalties[1] * ops.cast(absolute) / sw_sum
        if share != 1.0:
            penalty = penalty * share  # batch-independent: this replica's part
    if activities:
        flat = activities if stacked else [ops.rows(z) for z in activities]
        l1 = ops.add_n([ops.sum(ops.abs(z), -1) for z in flat])
        l2 = ops.add_n([ops.sum(ops.square(z), -1) for z in flat])
        per_sample = strength(2) * l1 + strength(3) * l2
        penalty += total(sw * ops.cast(per_sample)) / sw_sum
    if extra:
        added = ops.cast(ops.add_n(list(extra)))
        penalty = penalty + (added if share == 1.0 else added * share)
    return data + penalty, data * reported_scale(spec.loss, spec.n_outputs) + penalty


class ArrayOps:
    """The operations of :func:`objective` over a NumPy-like namespace.

    ``numpy``, ``jax.numpy`` and ``keras.ops`` spell them alike; the
    subclasses add the cross-entropies each computes its own way.

    Parameters
    ----------
    xp : module
        The namespace.
    dtype : dtype, default=None
        Dtype of the penalty terms (``cast``, ``zero``).
    """

    def __init__(self, xp, dtype=None):
        self.xp, self.dtype = xp, dtype

    def sum(self, x, axis=None, keepdims=False):
        return self.xp.sum(x, axis=axis, keepdims=keepdims)

    def sigmoid_cross_entropy(self, y, logits):
        xp = self.xp
        return xp.maximum(logits, 0) - logits * y + xp.log1p(xp.exp(-xp.abs(logits)))

    def exp(self, x):
        return self.xp.exp(x)

    def abs(self, x):
        return self.xp.abs(x)

    def square(self, x):
        return self.xp.square(x)

    def minimum(self, x, y):
        return self.xp.minimum(x, y)

    def add_n(self, xs):
        return sum(xs[1:], xs[0])

    def cast(self, x):
        return self.xp.asarray(x).astype(self.dtype)

    def zero(self):
        return self.xp.zeros((), self.dtype)

    def rows(self, z):
        return self.xp.reshape(z, (z.shape[0], -1))


class NumpyOps(ArrayOps):
    """The operations of :func:`objective` in NumPy (a search member's held-out loss).

    Parameters
    ----------
    dtype : numpy dtype
        Dtype of the results.
    """

    def __init__(self, dtype):
        super().__init__(np, dtype)

    def softmax_cross_entropy(self, y, logits):
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        return -np.sum(y * log_p, axis=-1)

    def xlogy(self, x, y):
        from scipy.special import xlogy

        return xlogy(x, y)


class KerasOps(ArrayOps):
    """The operations of :func:`objective` in ``keras.ops`` (any backend): what a
    program written in ``keras.ops`` (a search cohort's) uses.

    Parameters
    ----------
    ops : module
        ``keras.ops``.
    dtype : str, default=None
        Dtype of the penalty terms (:func:`objective`'s ``cast`` and ``zero``).
    """

    def __init__(self, ops, dtype=None):
        super().__init__(ops, dtype)

    def cast(self, x):
        return self.xp.cast(x, self.dtype)

    def reshape(self, x, shape):
        return self.xp.reshape(x, shape)

    def zero(self):
        return self.xp.zeros((), self.dtype)

    def softmax_cross_entropy(self, y, logits):
        xp = self.xp
        return xp.sum(y * (xp.logsumexp(logits, axis=-1, keepdims=True) - logits), axis=-1)

    def xlogy(self, x, y):
        xp = self.xp
        return xp.where(x == 0, xp.zeros_like(x), x * xp.log(xp.where(x == 0, xp.ones_like(y), y)))

