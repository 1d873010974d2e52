"""Data glue: batch sizes, validation splits and epoch orderings.

Random draws follow scikit-learn's MLP exactly -- the same generator is used
for the validation split and then once per epoch for the shuffle -- so a
seeded skdeep fit sees the same minibatches as a seeded scikit-learn fit.
"""

import warnings

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import shuffle as _shuffle


def resolve_batch_size(batch_size, n_samples):
    """Turn the ``batch_size`` parameter into a number of rows.

    ``'auto'`` is scikit-learn's ``min(200, n_samples)``; ``'full'`` is batch
    learning (one update per epoch); an int larger than ``n_samples`` is
    clipped with scikit-learn's warning.
    """
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size == "full":
        return n_samples
    if batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped"
        )
    return int(np.clip(batch_size, 1, n_samples))


def validation_split(X, Y, sample_weight, y_stratify, fraction, random_state):
    """Split off a validation set, stratified when ``y_stratify`` is given.

    Returns ``(X_train, X_val, Y_train, Y_val, sw_train, sw_val, val_index)``.
    """
    index = np.arange(X.shape[0])
    try:
        train_idx, val_idx = train_test_split(
            index, random_state=random_state, test_size=fraction, stratify=y_stratify
        )
    except ValueError as exc:
        raise ValueError(
            f"Could not split off a validation set with validation_fraction={fraction} "
            f"from {X.shape[0]} samples: {exc} Use more data, a larger "
            f"validation_fraction, or early_stopping=False."
        ) from None
    if val_idx.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return (
        X[train_idx], X[val_idx], Y[train_idx], Y[val_idx],
        sample_weight[train_idx], sample_weight[val_idx], val_idx,
    )


def epoch_order(sample_idx, shuffle, random_state):
    """Return the order in which one epoch visits the training rows."""
    if shuffle:
        return _shuffle(sample_idx, random_state=random_state)
    return sample_idx
