"""Target statistics of category columns, for the tabular networks' table reader.

A category column of hundreds of levels (zip codes, countries, product
codes) keeps an input for each of its most frequent levels only; its
target statistics summarise every level, rare ones included: each level's
mean target shrunk towards the overall mean by its row count
(scikit-learn's :class:`~sklearn.preprocessing.TargetEncoder`, one input
per class for more than two classes).  The training rows' values are
cross-fitted -- each row's from the other folds' rows -- so no input has
seen its own row's target; later rows get the statistics of all training
rows.
"""

import numpy as np

from .frame import level_texts

__all__ = ["FOLDS", "TargetStatistics", "target_type"]

#: Cross-fitting folds (scikit-learn's TargetEncoder default).
FOLDS = 5


def target_type(y, task):
    """scikit-learn's target type for target statistics of ``y``, or None for none.

    Parameters
    ----------
    y : array-like or None
        The training targets.
    task : {'classification', 'regression'} or None
        The estimator's task.

    Returns
    -------
    {'binary', 'multiclass', 'continuous'} or None
        None where no statistics are learned: no targets or task, several
        output columns, fewer than ``2 * FOLDS`` rows, a class with fewer
        than :data:`FOLDS` rows (every fold must hold every class), or
        targets the estimator's own validation refuses (NaN, text for a
        regressor), which then names the problem.
    """
    if y is None or task is None:
        return None
    from sklearn.utils.multiclass import type_of_target

    y = np.asarray(y)
    if y.ndim != 1 and not (y.ndim == 2 and y.shape[1] == 1):
        return None
    try:  # targets the estimator will refuse (NaN, text for a regressor, mixed types)
        if task == "regression":  # learn nothing here, so its own check names the problem
            values = y.astype(np.float64).ravel()
            return "continuous" if len(y) >= 2 * FOLDS and np.isfinite(values).all() else None
        kind = type_of_target(y.ravel())
        _, counts = np.unique(y.ravel(), return_counts=True)
    except (TypeError, ValueError):
        return None
    if kind not in ("binary", "multiclass") or counts.min() < FOLDS:
        return None
    return kind


class TargetStatistics:
    """Cross-fitted target statistics of some columns of a frame.

    Parameters
    ----------
    columns : list
        The frame's columns to summarise.
    kind : {'binary', 'multiclass', 'continuous'}
        The target's type (:func:`target_type`).
    random_state : int, RandomState instance or None, default=None
        Seed of the cross-fitting folds' shuffle.
    """

    def __init__(self, columns, kind, random_state=None):
        self.columns = list(columns)
        self.kind = kind
        self.random_state = random_state

    def _values(self, frame):
        return np.column_stack([level_texts(frame[c]).to_numpy(dtype=object)
                                for c in self.columns])

    def fit_transform(self, frame, y):
        """Learn the statistics; return the training rows' cross-fitted ones.

        Parameters
        ----------
        frame : pandas.DataFrame
        y : array-like of shape (n_samples,)

        Returns
        -------
        dict
            ``{input name: float64 values}`` (see :attr:`names`).
        """
        from sklearn.model_selection import KFold, StratifiedKFold
        from sklearn.preprocessing import TargetEncoder

        folds = (KFold if self.kind == "continuous" else StratifiedKFold)(
            FOLDS, shuffle=True, random_state=self.random_state)
        self.encoder_ = TargetEncoder(target_type=self.kind, cv=folds)
        values = self.encoder_.fit_transform(self._values(frame), np.asarray(y).ravel())
        return self._named(values)

    def transform(self, frame):
        """The statistics of ``frame``'s rows, learned from all training rows.

        Parameters
        ----------
        frame : pandas.DataFrame

        Returns
        -------
        dict
            ``{input name: float64 values}``.
        """
        return self._named(self.encoder_.transform(self._values(frame)))

    def names_of(self, column):
        """Input names of one column: ``'<column>:target'``, or
        ``'<column>:target=<class>'`` per class."""
        suffixes = ([":target"] if self.kind != "multiclass"
                    else [f":target={c}" for c in self.encoder_.classes_])
        return [f"{column}{suffix}" for suffix in suffixes]

    @property
    def names(self):
        """Input names of every column, in output order (see :meth:`names_of`)."""
        return [name for column in self.columns for name in self.names_of(column)]

    def _named(self, values):
        return dict(zip(self.names, np.asarray(values, dtype=np.float64).T))
