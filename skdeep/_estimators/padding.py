"""Zero columns that let tabular networks of nearby input widths share one program.

See :func:`input_padding`; :func:`unpadded_draw` keeps a padded network's
random initial weights those of the unpadded one.
"""

import numpy as np

__all__ = ["PAD_COLUMNS", "RARE_ROWS", "input_padding", "unpadded_draw"]

#: The 0/1 input columns (one-hot codes, indicators) of a tabular network are
#: padded with zero columns to a multiple of this many, when there are more
#: and some are rare (see input_padding).
PAD_COLUMNS = 32

#: A 0/1 column with a 1 in at most this many training rows is rare: another
#: sample of the rows may lack it, or hold levels this one lacks.
RARE_ROWS = 2


def input_padding(plain, quantum=None):
    """How many zero columns pad the 0/1 input columns ``plain`` (training rows).

    The folds of a cross-validation (or a search) may see different category
    levels, so their one-hot widths differ (epa2012's five folds: 253 to 285
    such columns) and each width would build and trace its own network (~0.6
    s on 2 cores). Padded to a multiple of ``quantum`` (default
    :data:`PAD_COLUMNS`), nearby widths share one compiled program; the first
    layer's fan-in factor counts only the real columns (its ``kernel_scale``
    weight) and the padded kernel rows start at zero and get zero gradients,
    so the network computes what the unpadded one would, up to the rounding
    of a longer matrix product. Padding costs a wider first layer and pays
    only where the width can change, so it is done only when some column is
    rare (a 1 in at most :data:`RARE_ROWS` rows) and there are more than
    ``quantum`` columns. Of the 29 tables of ``benchmarks/bench_tabular.py``,
    the five whose padded widths varied between folds all have such columns,
    and one table has one at a width that never varies.

    Parameters
    ----------
    plain : ndarray of shape (n_samples, n_columns)
        The network's 0/1 input columns over the training rows.
    quantum : int or None, default=None
        Pad to a multiple of this many columns; None reads
        :data:`PAD_COLUMNS`.

    Returns
    -------
    int
        The number of zero columns to add after ``plain``'s columns.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep._estimators.padding import input_padding
    >>> levels = np.eye(40)[np.r_[np.arange(40), np.arange(40)]]  # each level twice
    >>> input_padding(levels), input_padding(levels[:, :30]), input_padding(levels[:, 5:])
    (24, 0, 29)
    >>> input_padding(np.vstack([levels, levels]))  # no level is rare
    0
    """
    quantum = PAD_COLUMNS if quantum is None else int(quantum)
    ones = np.count_nonzero(plain, axis=0)
    if plain.shape[1] <= quantum or not ((ones >= 1) & (ones <= RARE_ROWS)).any():
        return 0
    return -plain.shape[1] % quantum


def unpadded_draw(draw, shape, axis, at, pad):
    """Random initial weights of a padded variable, drawn as the unpadded one's.

    Parameters
    ----------
    draw : callable
        ``draw(shape)`` returns random values of that shape (a generator's
        method: the number of values drawn fixes the stream that follows).
    shape : tuple of int
        The padded variable's shape.
    axis : int
        The axis along the network's inputs.
    at : int
        Where along ``axis`` the padding starts.
    pad : int
        How many entries along ``axis`` are padding.

    Returns
    -------
    ndarray of shape ``shape``
        ``draw`` of the unpadded shape, zeros inserted at ``at``: the same
        values, and the same stream after them, whatever the padding.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep._estimators.padding import unpadded_draw
    >>> unpadded_draw(np.ones, (5, 2), 0, 3, 2)[:, 0].tolist()
    [1.0, 1.0, 1.0, 0.0, 0.0]
    """
    if not pad:
        return draw(shape)
    reduced = list(shape)
    reduced[axis] -= pad
    return np.insert(draw(tuple(reduced)), [at] * pad, 0.0, axis=axis)
