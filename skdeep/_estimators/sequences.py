"""Collections of sequences as the sequence estimators take them: a list (or
pandas Series) of ``(n_steps_i,)`` / ``(n_steps_i, n_features)`` arrays,
NaN-padded to one array (the RNNs and the CNNs' series networks)."""

import numpy as np
from sklearn.utils.validation import check_array, check_consistent_length

from .._private import check_y


def _is_sequence_list(X):
    """Whether ``X`` is a collection of separate sequences (possibly ragged).

    Lists, tuples, pandas Series and 1-D object arrays hold one sequence per
    element; NumPy arrays, data frames and sparse matrices are fixed-length
    ``(n, t)`` / ``(n, t, features)`` blocks.
    """
    if isinstance(X, (list, tuple)):
        return True
    if type(X).__name__ == "Series":
        return True
    return isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1


def _text_error(name, where):
    return ValueError(
        f"{name} needs numeric sequences, but {where} holds strings. Encode the tokens "
        "as numbers first (one-hot vectors or codes per step), or use skdeep.CharRNN "
        "to model text character by character."
    )


def _as_step_matrix(seq, i, name):
    """One sequence as a finite float ``(n_steps, n_features)`` array."""
    if isinstance(seq, str):
        raise _text_error(name, f"sequence {i}")
    arr = np.asarray(seq)
    if arr.dtype.kind in "USO" and any(isinstance(v, str) for v in arr.ravel()):
        raise _text_error(name, f"sequence {i}")
    if arr.ndim == 0 or arr.ndim > 2:
        raise ValueError(
            f"Sequence {i} has shape {arr.shape}; each sequence must be 1-D (one "
            "feature per step) or 2-D (n_steps, n_features)."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"Sequence {i} is empty; every sequence needs at least one step.")
    arr = check_array(
        arr.reshape(arr.shape[0], -1), dtype=(np.float64, np.float32),
        input_name=f"sequence {i}",
    )
    return arr


def pad_sequences(sequences, name="RNNSequenceClassifier"):
    """Stack sequences of unequal length into one NaN-padded array.

    Parameters
    ----------
    sequences : sequence of array-like
        Each of shape ``(n_steps_i,)`` or ``(n_steps_i, n_features)``.
    name : str, default='RNNSequenceClassifier'
        Estimator name used in error messages.

    Returns
    -------
    X : ndarray of shape (n_sequences, max_steps, n_features)
        float32 if every sequence is float32, else float64; steps after a
        sequence's end are NaN (which skdeep's networks mask).
    lengths : ndarray of shape (n_sequences,)
        Number of real steps of each sequence.
    """
    arrays = [_as_step_matrix(seq, i, name) for i, seq in enumerate(sequences)]
    if not arrays:
        raise ValueError(f"{name} got no sequences (an empty collection).")
    widths = {a.shape[1] for a in arrays}
    if len(widths) > 1:
        raise ValueError(
            f"All sequences must have the same number of features per step; got "
            f"{sorted(widths)}."
        )
    dtype = np.float32 if all(a.dtype == np.float32 for a in arrays) else np.float64
    lengths = np.array([a.shape[0] for a in arrays])
    X = np.full((len(arrays), lengths.max(), widths.pop()), np.nan, dtype=dtype)
    for i, a in enumerate(arrays):
        X[i, : a.shape[0]] = a
    return X, lengths


def read_sequence_list(estimator, X, y, reset, check_params):
    """A fit's list of sequences: NaN-padded, the fit's feature bookkeeping
    (at ``reset``) and ``y`` checked against it; ``(X, lengths, y)``."""
    X, lengths = pad_sequences(list(X), type(estimator).__name__)
    if reset:
        estimator.__dict__.pop("feature_names_in_", None)
        if (lengths == lengths[0]).all():
            # equal lengths: arrays given to predict must keep them
            estimator.n_features_in_ = int(lengths[0])
        else:
            estimator.__dict__.pop("n_features_in_", None)
    y = check_y(y, multi_output=check_params.get("multi_output", False),
                y_numeric=check_params.get("y_numeric", False), estimator=estimator)
    check_consistent_length(X, y)
    return X, lengths, y
