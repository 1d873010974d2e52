"""Batches of an epoch: batch sizes, step budgets, validation splits, epoch orders.

Random draws follow scikit-learn's MLP exactly -- the same generator is used
for the validation split and then once per epoch for the shuffle -- so a
seeded skdeep fit sees the same minibatches as a seeded scikit-learn fit.
"""

import math
import warnings

import numpy as np
from sklearn.model_selection import train_test_split


#: Optimizer steps behind ``n_iter_no_change='auto'`` and ``max_iter='auto'``.
AUTO_PATIENCE_STEPS = 100
AUTO_BUDGET_STEPS = 2000


def resolve_batch_size(batch_size, n_samples, auto=200, warn=True):
    """Turn the ``batch_size`` parameter into a number of rows.

    ``'auto'`` is ``min(auto, n_samples)`` -- scikit-learn's 200 for the
    MLPs, 32 for the sequence and image networks; ``'full'`` is batch
    learning (one update per epoch), as is scikeras' ``-1``; None is Keras' default
    ``min(32, n_samples)`` (the Keras wrappers'); an int larger than ``n_samples`` is
    clipped with scikit-learn's warning (unless ``warn`` is False).
    """
    if batch_size == "auto":
        return min(auto, n_samples)
    if batch_size is None:  # Keras' (and scikeras') default
        return min(32, n_samples)
    if batch_size == "full" or batch_size == -1:
        return n_samples
    if batch_size > n_samples and warn:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
        )
    return int(np.clip(batch_size, 1, n_samples))


def resolve_epochs(max_iter, n_iter_no_change, steps_per_epoch):
    """``(max_iter, n_iter_no_change)`` in epochs.

    ``'auto'`` turns a number of optimizer steps into epochs, so training
    is budgeted and stopped by updates rather than passes over the data: a
    set of 40 sequences in batches of 32 (2 steps per epoch) gets up to 1000
    epochs and a patience of 50, a set of 10,000 (313 steps) the usual 200
    and 10.

    Examples
    --------
    >>> from skdeep._training.batching import resolve_epochs
    >>> resolve_epochs("auto", "auto", 2), resolve_epochs("auto", "auto", 313)
    ((1000, 50), (200, 10))
    >>> resolve_epochs(30, 5, 2)
    (30, 5)
    """
    steps = max(int(steps_per_epoch), 1)
    if max_iter == "auto":
        max_iter = max(200, -(-AUTO_BUDGET_STEPS // steps))
    if n_iter_no_change == "auto":
        n_iter_no_change = max(10, -(-AUTO_PATIENCE_STEPS // steps))
    return max_iter, n_iter_no_change


def validation_split(X, Y, sample_weight, y_stratify, fraction, random_state, split=None):
    """Split off a validation set, stratified when ``y_stratify`` is given.

    ``split`` -- a ``(train_index, val_index)`` pair from an earlier call --
    reuses that split instead of drawing one (the runs of ``n_init`` are
    compared on the same validation rows).

    Returns ``(X_train, X_val, Y_train, Y_val, sw_train, sw_val, (train_index, val_index))``.
    """
    if split is not None:
        train_idx, val_idx = split
        return (
            X[train_idx], X[val_idx], Y[train_idx], Y[val_idx],
            sample_weight[train_idx], sample_weight[val_idx], split,
        )
    index = np.arange(X.shape[0])
    try:
        train_idx, val_idx = train_test_split(
            index, random_state=random_state, test_size=fraction, stratify=y_stratify
        )
    except ValueError as exc:
        # scikit-learn's words first (code may match them), then what to do
        raise ValueError(
            f"{exc} (early stopping's validation split: validation_fraction={fraction} "
            f"of {X.shape[0]} samples.) Use more data, a larger validation_fraction, "
            "or early_stopping=False."
        ) from None
    if val_idx.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return (
        X[train_idx], X[val_idx], Y[train_idx], Y[val_idx],
        sample_weight[train_idx], sample_weight[val_idx], (train_idx, val_idx),
    )


def last_rows_split(X, Y, sample_weight, fraction):
    """Keras' ``validation_split``: the last ``fraction`` of the rows held out, unshuffled.

    Returns what :func:`validation_split` returns.
    """
    n = X.shape[0]
    split_at = int(math.floor(n * (1.0 - fraction)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"validation_split={fraction} of {n} samples leaves "
            f"{'no training rows' if split_at == 0 else 'no validation rows'} (Keras holds "
            "out the last floor-complement of the rows); use more data or another "
            "validation_split."
        )
    train_idx, val_idx = np.arange(split_at), np.arange(split_at, n)
    return (
        X[:split_at], X[split_at:], Y[:split_at], Y[split_at:],
        sample_weight[:split_at], sample_weight[split_at:], (train_idx, val_idx),
    )


def epoch_order(sample_idx, shuffle, random_state):
    """Return the order in which one epoch visits the training rows.

    Draws exactly what ``sklearn.utils.shuffle(sample_idx, random_state=...)``
    draws (scikit-learn's MLP shuffles this way), without that function's
    parameter validation, which costs about 0.4 ms -- as much as a small epoch.
    """
    if shuffle:
        order = np.arange(len(sample_idx))
        random_state.shuffle(order)
        return sample_idx[order]
    return sample_idx
