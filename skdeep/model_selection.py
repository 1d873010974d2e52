"""Hyperparameter searches that train the folds of a search together.

:class:`GridSearchCV` and :class:`RandomizedSearchCV` are scikit-learn's
searches, with the same parameters, attributes and results, plus one step:
before scikit-learn evaluates a batch of candidates, every (candidate, fold)
fit of a dense skdeep MLP -- alone or as the last step of a
:class:`~sklearn.pipeline.Pipeline`, with any hidden activation but softmax,
dropout, DropConnect, L1/L2 and activity penalties, the gradient-norm rule,
and any stochastic solver -- is trained in a cohort of stacked networks (one
compiled program runs an epoch of all of them; see :mod:`skdeep._cohort`).
Each member keeps exactly its own training: its shuffling, stopping rules,
early stopping and best-weight restore.  Then
scikit-learn's own search runs unchanged; each of those fits finds its
trained state (same parameters, same data) instead of training again, so
``cv_results_``, ``best_params_`` and ``best_estimator_`` are scikit-learn's
computations over the same fitted networks.

skdeep's networks that cannot be grouped (CNN, RNN and tabular networks,
L-BFGS, sparse inputs, ...) train side by side before scikit-learn's pass,
one fit per CPU core (at most four) in threads, each exactly as it would
alone: a small network leaves most of a core idle between its kernels.
Other fits (scikit-learn's estimators, the Keras wrappers around a user's
model, ``n_init``, callbacks, ``n_jobs`` set) run as in scikit-learn's
search.
"""

import time
from numbers import Integral

import numpy as np
from sklearn import model_selection as _sk
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import indexable

from . import _cohort
from ._private import (
    Interval, StrOptions, check_method_params, safe_split, search_splitter,
    set_search_splitter,
)

__all__ = ["GridSearchCV", "RandomizedSearchCV"]

#: Most fits a search trains side by side (see ``_side_threads``).
MAX_SIDE_THREADS = 4


def _network(estimator):
    """The skdeep network an estimator trains (a Pipeline's last step), or None."""
    while isinstance(estimator, Pipeline):
        estimator = estimator._final_estimator
    return estimator


class _GroupedSearchMixin:
    """Pre-trains a search's groupable fits in cohorts (see the module doc)."""

    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters, training the networks in cohorts.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target relative to ``X``.
        **params : dict
            Parameters passed to the estimator's ``fit`` (``groups`` goes to
            the cross-validation splitter), as in scikit-learn's search.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._grouping_input = (X, y, params)
        self._fold_epochs = {}
        self.grouped_fit_time_ = self.side_fit_time_ = 0.0
        self.n_grouped_fits_ = self.n_side_fits_ = 0
        try:
            with _cohort.session(self.max_cohort) as session:
                self._grouping_session = session
                if self.group_fits and self.n_jobs not in (None, 1) and not _cluster_backend():
                    # worker processes would not see the grouped fits' states
                    from joblib import parallel_config

                    with parallel_config(backend="threading"):
                        super().fit(X, y, **params)
                else:
                    super().fit(X, y, **params)
                if self.refit_epochs is not None and self.refit:
                    self._refit_at_cv_epoch(X, y, params)
                return self
        finally:
            del self._grouping_input, self._fold_epochs
            self._grouping_session = None
            del self._grouping_session

    def _refit_at_cv_epoch(self, X, y, params):
        """Refit the best candidate on all rows for the epochs its folds chose."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        epochs = self._fold_epochs.get(_key(self.best_params_), [])
        if len(epochs) < self.n_splits_:
            warnings.warn(
                "refit_epochs needs the best epoch of every fold of the best candidate, which "
                "only early-stopping fits trained in cohorts or side by side record; kept "
                "scikit-learn's refit "
                f"(found {len(epochs)} of {self.n_splits_} folds).", UserWarning)
            return
        chosen = {"median": np.median, "mean": np.mean, "max": np.max}[self.refit_epochs]
        self.cv_best_epochs_ = np.asarray(epochs, dtype=int)
        self.refit_epochs_ = max(1, int(round(float(chosen(self.cv_best_epochs_)))))
        estimator = clone(self.estimator).set_params(**clone(self.best_params_, safe=False))
        _network(estimator).set_params(
            early_stopping=False, max_iter=self.refit_epochs_, n_iter_no_change=np.inf)
        fit_params = {k: v for k, v in params.items() if k != "groups"}
        start = time.perf_counter()
        with warnings.catch_warnings():
            # it stops at max_iter by design
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y, **fit_params)
        self.refit_time_ = time.perf_counter() - start
        self.best_estimator_ = estimator

    def __getstate__(self):
        # a search being fitted can be pickled (scikit-learn 1.9's callback
        # contexts travel to dask / Ray workers with it): not its session's
        # barrier, nor a reference to the training data
        state = dict(super().__getstate__())  # a copy: Python may hand out __dict__ itself
        for name in ("_grouping_input", "_grouping_session", "_fold_epochs"):
            state.pop(name, None)
        return state

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        # scikit-learn 1.9 hands its callback context through; older versions have none
        kwargs = {} if callback_ctx is None else {"callback_ctx": callback_ctx}
        def grouped(candidate_params, cv=None, more_results=None, **kwargs):
            candidate_params = list(candidate_params)
            shares = self._pretrain(candidate_params, cv)
            results = evaluate_candidates(candidate_params, cv, more_results, **kwargs)
            if shares is not None:
                self._add_fit_times(results, len(candidate_params), shares)
            return results

        super()._run_search(grouped, **kwargs)

    def _pretrain(self, candidates, cv):
        """Train every groupable (candidate, fold) fit of this batch in cohorts."""
        session = getattr(self, "_grouping_session", None)
        if (session is None or session.disabled is not None or not self.group_fits
                or _cluster_backend()):
            return None
        X, y, params = self._grouping_input
        X, y = indexable(X, y)
        params = dict(params)
        splits = self._splits(X, y, params.pop("groups", None), cv)
        if splits is None:
            return None
        tasks, index, side, side_index = [], [], [], []
        n_side = self._side_threads()
        # fold by fold: fits side by side then train different candidates at
        # once, which share no compiled network (each thread would trace its own)
        # float64 fits where the backend's cohort programs are 32-bit (JAX): neither
        # grouped nor side by side, scikit-learn's pass fits them
        dtype = _cohort.data_dtype(X)
        for train, _ in splits:
            for c, candidate in enumerate(candidates):
                estimator = clone(self.estimator).set_params(**clone(candidate, safe=False))
                if _cohort.groupable(_network(estimator), dtype):
                    tasks.append(_Task(estimator, X, y, params, train))
                    index.append(c)
                elif n_side > 1 and _cohort.side_by_side(_network(estimator)):
                    side.append(_Task(estimator, X, y, params, train))
                    side_index.append(c)
        shares = np.zeros(len(candidates))
        if side:
            self._train_side_by_side(side, n_side, [candidates[c] for c in side_index])
            for c, task in zip(side_index, side):
                shares[c] += task.done * task.seconds / len(splits)
        if not tasks:
            return shares if side else None
        start = time.perf_counter()
        if self.verbose:
            session.observer = _GroupedProgress(len(tasks), session.finished)
        try:
            _cohort.run_threads(tasks, min(len(tasks), 2 * self.max_cohort), deferrable=True)
        finally:
            if session.observer is not None:
                session.observer.close(session.finished)
                session.observer = None
        elapsed = time.perf_counter() - start
        if session.disabled is not None:
            import warnings

            warnings.warn(
                f"{session.disabled}; the search goes on with one fit at a time.",
                RuntimeWarning,
            )
            return None
        trained = sum(task.done for task in tasks)
        for c, task in zip(index, tasks):
            self._record_best_epoch(candidates[c], task)
        self.grouped_fit_time_ += elapsed
        self.n_grouped_fits_ += trained
        share = elapsed / max(1, trained)
        for c, task in zip(index, tasks):
            if task.done:
                shares[c] += share / len(splits)
        return shares

    def _splits(self, X, y, groups, cv):
        """The folds of this batch (None where scikit-learn keeps its splitter)."""
        if cv is not None:
            return list(cv.split(X, y, groups))
        # the splitter scikit-learn's fit checked: split once, and let
        # scikit-learn's pass see the very same splits (a one-time iterable,
        # or a shuffling splitter without a seed, would give others on a
        # second call)
        checked = search_splitter(self)
        if checked is None:  # scikit-learn < 1.9 keeps it in a local
            return None
        splits = list(checked.split(X, y, groups))
        set_search_splitter(self, _FixedSplits(splits))
        return splits

    def _train_side_by_side(self, tasks, n_threads, candidates):
        """Train fits no cohort takes, ``n_threads`` at a time (their own engines)."""
        start = time.perf_counter()
        _cohort.run_side_by_side(tasks, n_threads)
        self.side_fit_time_ += time.perf_counter() - start
        for candidate, task in zip(candidates, tasks):
            self.n_side_fits_ += task.done
            self._record_best_epoch(candidate, task)

    def _record_best_epoch(self, candidate, task):
        net = _network(task.estimator)
        if task.done and getattr(net, "validation_scores_", None):
            # the epoch whose weights early stopping restored (the first best)
            best = int(np.argmax(net.validation_scores_)) + 1
            self._fold_epochs.setdefault(_key(candidate), []).append(best)

    def _side_threads(self):
        """Threads for the fits that train side by side: one per core, at most
        :data:`MAX_SIDE_THREADS`, with ``n_jobs=None``; with ``n_jobs`` set,
        none (scikit-learn's pass runs them, in ``n_jobs`` threads)."""
        if self.n_jobs is not None:
            return 1
        from joblib import cpu_count

        return max(1, min(MAX_SIDE_THREADS, cpu_count()))

    def _add_fit_times(self, results, n_new, shares):
        # scikit-learn timed each fit's lookup of its grouped state: add the
        # fit's share of the cohorts' training time
        times = results.get("mean_fit_time")
        if times is not None:
            times[-n_new:] += shares


def _cluster_backend():
    """Whether joblib's active backend runs elsewhere (dask, Ray, ...).

    There scikit-learn's pass spreads the fits over the cluster's workers,
    which would not see states trained here: the search does not group.
    """
    from joblib import parallel

    backend, _ = parallel.get_active_backend()
    local = (parallel.LokyBackend, parallel.ThreadingBackend, parallel.SequentialBackend,
             parallel.MultiprocessingBackend)
    return not isinstance(backend, local)


def _key(params):
    return repr(sorted(params.items()))


class _FixedSplits:
    """A splitter that yields the splits it was given (both passes see the same)."""

    def __init__(self, splits):
        self.splits = splits

    def split(self, X=None, y=None, groups=None):
        yield from self.splits

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self.splits)


class _GroupedProgress:
    """``verbose``: the grouped epochs and finished fits, on standard error.

    On a terminal one line is rewritten after every grouped epoch; in a log
    file a line is written every ``every`` seconds, and one at the end.
    """

    def __init__(self, total, before=0, stream=None, every=10.0):
        import sys

        self.total, self.before, self.every = total, before, every
        self.stream = stream or sys.stderr
        self.start = self.last = time.perf_counter()
        self.live = getattr(self.stream, "isatty", lambda: False)()

    def _line(self, epochs, training, finished):
        finished = min(finished - self.before, self.total)  # this batch's fits
        return (f"grouped training: epoch {epochs}, {training} fits training, "
                f"{finished} of {self.total} finished ({time.perf_counter() - self.start:.1f} s)")

    def __call__(self, epochs, training, finished):
        self.epochs = epochs
        now = time.perf_counter()
        if self.live:
            self.stream.write("\r\x1b[K" + self._line(epochs, training, finished))
        elif now - self.last >= self.every:
            self.stream.write(self._line(epochs, training, finished) + "\n")
        else:
            return
        self.last = now
        self.stream.flush()

    def close(self, finished):
        """The last line: every fit of the batch is over."""
        line = self._line(getattr(self, "epochs", 0), 0, finished)
        self.stream.write(("\r\x1b[K" if self.live else "") + line + "\n")
        self.stream.flush()


class _Task:
    """One (candidate, fold) fit run in a worker thread of the session.

    The fold's rows are taken when the task runs (not when it is made), so
    a search holds the data once plus the folds being fitted.
    """

    def __init__(self, estimator, X, y, params, train):
        self.estimator, self.X, self.y, self.params, self.train = estimator, X, y, params, train
        self.done = False
        self.seconds = 0.0

    def __call__(self):
        start = time.perf_counter()
        try:
            X_train, y_train = safe_split(self.estimator, self.X, self.y, self.train)
            fit_params = check_method_params(self.X, params=self.params, indices=self.train)
            self.estimator.fit(X_train, y_train, **fit_params)
        except Exception:  # noqa: BLE001 - scikit-learn's own pass fits it again and reports
            # (a GroupedTrainingError also turned grouping off, and a Deferred fit is
            # one no cohort takes: scikit-learn's pass fits it, one at a time)
            return
        finally:
            self.seconds = time.perf_counter() - start
            self.X = self.y = self.params = None
        self.done = True


_GROUP_DOC = """
    group_fits : bool, default=True
        Train the search's fits of dense skdeep MLPs (alone or at the end of a
        Pipeline; dropout, DropConnect, batch norm and penalties included) together in
        stacked cohorts before scikit-learn's search runs, and skdeep's other
        networks (CNN, RNN, tabular, L-BFGS, ...) side by side, one per CPU
        core (at most four) when ``n_jobs`` is None; False runs
        scikit-learn's search unchanged. With ``verbose > 0`` the grouped
        training reports its epochs and finished fits on standard error (one
        line rewritten on a terminal, a line every 10 s in a log).
    max_cohort : int, default=32
        Most networks trained in one compiled program (and twice this many
        fits prepared at once, each in its own thread).
    refit_epochs : {None, 'median', 'mean', 'max'}, default=None
        With early stopping, each fold's fit found its best epoch on a
        validation split of the fold's training part.  ``'median'`` refits
        the best candidate on *all* the training rows, without a validation
        split, for the median (mean, max) of its folds' best epochs --
        ``early_stopping=False``, ``max_iter`` = that many epochs,
        ``n_iter_no_change=inf`` -- instead of holding out another
        validation split.  None refits as scikit-learn does.  Needs the
        best candidate's folds trained in cohorts or side by side (a warning
        says when not).
"""


_ATTRIBUTES_DOC = """\
    grouped_fit_time_ : float
        Seconds spent training fits in cohorts; ``cv_results_['mean_fit_time']``
        counts each grouped fit's share of it.
    n_grouped_fits_ : int
        How many (candidate, fold) fits were trained in cohorts.
    side_fit_time_ : float
        Seconds spent training fits side by side (skdeep networks that
        cannot be grouped); ``cv_results_['mean_fit_time']`` counts each such
        fit's own time.
    n_side_fits_ : int
        How many (candidate, fold) fits were trained side by side.
    cv_best_epochs_ : ndarray of int
        With ``refit_epochs``: the best epoch of each fold of the best candidate.
    refit_epochs_ : int
        With ``refit_epochs``: the epochs the refit trained.
"""


class GridSearchCV(_GroupedSearchMixin, _sk.GridSearchCV):
    __doc__ = (
        "Exhaustive search over a parameter grid, training folds together.\n\n"
        "scikit-learn's :class:`~sklearn.model_selection.GridSearchCV` with the same\n"
        "parameters and results (see :mod:`skdeep.model_selection`); the dense skdeep\n"
        "MLP fits of a search train in stacked cohorts.\n\n"
        "Parameters\n----------\n"
        "estimator, param_grid, scoring, n_jobs, refit, cv, verbose, pre_dispatch, "
        "error_score, return_train_score\n"
        "    As in :class:`sklearn.model_selection.GridSearchCV`.\n"
        + _GROUP_DOC
        + """
    Attributes
    ----------
""" + _ATTRIBUTES_DOC + """
    Other attributes are scikit-learn's (``cv_results_``, ``best_params_``,
    ``best_estimator_``, ...).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skdeep import MLPClassifier
    >>> from skdeep.model_selection import GridSearchCV
    >>> X, y = make_classification(200, 8, random_state=0)
    >>> search = GridSearchCV(MLPClassifier(max_iter=20, random_state=0),
    ...                       {"hidden_layer_sizes": [(8,), (16,)]}, cv=3)
    >>> search.fit(X, y).n_grouped_fits_
    6
    """
    )

    _parameter_constraints = {
        **_sk.GridSearchCV._parameter_constraints,
        "group_fits": ["boolean"],
        "max_cohort": [Interval(Integral, 1, None, closed="left")],
        "refit_epochs": [None, StrOptions({"median", "mean", "max"})],
    }

    def __init__(self, estimator, param_grid, *, scoring=None, n_jobs=None, refit=True, cv=None,
                 verbose=0, pre_dispatch="2*n_jobs", error_score=np.nan,
                 return_train_score=False, group_fits=True, max_cohort=32, refit_epochs=None):
        super().__init__(estimator, param_grid, scoring=scoring, n_jobs=n_jobs, refit=refit,
                         cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
                         error_score=error_score, return_train_score=return_train_score)
        self.group_fits = group_fits
        self.max_cohort = max_cohort
        self.refit_epochs = refit_epochs


class RandomizedSearchCV(_GroupedSearchMixin, _sk.RandomizedSearchCV):
    __doc__ = (
        "Randomized search over parameter distributions, training folds together.\n\n"
        "scikit-learn's :class:`~sklearn.model_selection.RandomizedSearchCV` with the\n"
        "same parameters and results (see :mod:`skdeep.model_selection`); the dense\n"
        "skdeep MLP fits of a search train in stacked cohorts.\n\n"
        "Parameters\n----------\n"
        "estimator, param_distributions, n_iter, scoring, n_jobs, refit, cv, verbose, "
        "pre_dispatch, random_state, error_score, return_train_score\n"
        "    As in :class:`sklearn.model_selection.RandomizedSearchCV`.\n"
        + _GROUP_DOC
        + """
    Attributes
    ----------
""" + _ATTRIBUTES_DOC + """
    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import make_classification
    >>> from skdeep import MLPClassifier
    >>> from skdeep.model_selection import RandomizedSearchCV
    >>> X, y = make_classification(200, 8, random_state=0)
    >>> search = RandomizedSearchCV(MLPClassifier(max_iter=20, random_state=0),
    ...                             {"alpha": loguniform(1e-5, 1e-1)}, n_iter=4, cv=3,
    ...                             random_state=0)
    >>> search.fit(X, y).n_grouped_fits_
    12
    """
    )

    _parameter_constraints = dict(GridSearchCV._parameter_constraints)
    _parameter_constraints.pop("param_grid", None)
    _parameter_constraints.update(_sk.RandomizedSearchCV._parameter_constraints)

    def __init__(self, estimator, param_distributions, *, n_iter=10, scoring=None, n_jobs=None,
                 refit=True, cv=None, verbose=0, pre_dispatch="2*n_jobs", random_state=None,
                 error_score=np.nan, return_train_score=False, group_fits=True, max_cohort=32,
                 refit_epochs=None):
        super().__init__(estimator, param_distributions, n_iter=n_iter, scoring=scoring,
                         n_jobs=n_jobs, refit=refit, cv=cv, verbose=verbose,
                         pre_dispatch=pre_dispatch, random_state=random_state,
                         error_score=error_score, return_train_score=return_train_score)
        self.group_fits = group_fits
        self.max_cohort = max_cohort
        self.refit_epochs = refit_epochs
