"""Progress within a model: a terminal line that counts the folds as they finish.

Shown only when standard error is a terminal (in a log file a line rewritten
by carriage returns would be litter) and when the folds run in this process
(``--n-jobs 1``, the default): the count comes from the scorer, which
scikit-learn calls once per fold right after that fold's fit.
"""

import sys
import time

__all__ = ["FoldProgress", "live"]


def live():
    """Whether progress lines should be drawn (standard error is a terminal)."""
    return sys.stderr.isatty()


class FoldProgress:
    """``  fold k/n (t s)`` on one rewritten line of standard error.

    Parameters
    ----------
    n_folds : int
        Folds of the cross-validation.
    stream : file-like, default=None
        Where to draw (default: standard error).
    """

    def __init__(self, n_folds, stream=None):
        self.n_folds = n_folds
        self.stream = stream or sys.stderr
        self.done = 0
        self.start = time.perf_counter()

    def counting(self, scorer):
        """``scorer`` that also advances the count each time a fold is scored."""

        def score(estimator, X, y, **kwargs):
            value = scorer(estimator, X, y, **kwargs)
            self.done += 1
            self.stream.write(f"\r  fold {self.done}/{self.n_folds} "
                              f"({time.perf_counter() - self.start:.1f} s)")
            self.stream.flush()
            return value

        return score

    def close(self):
        """Erase the progress line."""
        self.stream.write("\r\x1b[K")
        self.stream.flush()
