"""One search's grouped training: the session, its barrier and its worker threads.

Inside a :class:`session`, every training fit of a dense MLP gets a
:class:`~skdeep._cohort.member.MemberEngine` instead of a compiled Keras
engine (the session fills the engine cache's provider slot).  Each member
keeps running its own :class:`~skdeep._training.loop.EpochLoop` in its own
thread -- its own shuffling, stopping rules, early stopping, learning-rate
schedule and best-weight restore -- but its ``train_epoch`` calls meet at a
barrier: when every fit of the session waits, one compiled program runs the
next epoch of all of them at once (:mod:`skdeep._cohort.stack`).  Members that
stop leave their slot idle; the others go on.  The fitted states wait in a
:class:`~skdeep._cohort.registry.Registry` (the fit template's fit-cache slot)
for scikit-learn's own pass over the same fits.  skdeep's networks the
program cannot compute (L-BFGS, sparse rows, embeddings, CNN, RNN and tabular
networks) may train side by side in threads instead
(:func:`run_side_by_side`), their states kept in the same registry;
a fit a search's cohort thread meets that no cohort can train (a Pipeline
step made float64 data on JAX, a transformer that is itself a network) is
left to scikit-learn's pass (:class:`Deferred`) rather than trained there,
where every such fit of the search would train at once, each compiling its
own engine.  Anything else trains as before.
"""

import threading

from .._engine import cache
from .._estimators import base
from .member import MemberEngine, groupable, side_by_side, spec_key
from .registry import Registry
from .stack import run_epoch

__all__ = ["MAX_COHORT", "Deferred", "GroupedTrainingError", "RestartPool", "Session", "active",
           "install_restarts", "run_side_by_side", "run_threads", "session", "side_by_side"]

#: Most members stacked in one cohort.
MAX_COHORT = 32
#: Rows x epochs x restarts from which an ``n_init`` fit's restarts train
#: together even when their program is not compiled yet (see RestartPool).
MIN_RESTART_WORK = 10_000_000

_session = None
_session_lock = threading.Lock()
# .worker: this thread runs a search's fits (.side: ungrouped ones; .deferrable: a
# fit no cohort takes raises Deferred)
_local = threading.local()


class GroupedTrainingError(RuntimeError):
    """The cohort program itself failed (not one member's fit): grouping stops."""


class Deferred(Exception):
    """A search's cohort thread met a fit no cohort can train: it is not trained there.

    The search's task gives up (its fit is not done), and scikit-learn's own
    pass fits it, one fit at a time, reusing one engine per architecture.
    """


def _is_worker():
    return getattr(_local, "worker", False)


class Session:
    """The barrier, the cohorts and the fitted-state registry of one search.

    Parameters
    ----------
    max_cohort : int
        Most members stacked in one cohort.
    """

    def __init__(self, max_cohort):
        self.cond = threading.Condition()
        self.max_cohort = max_cohort
        self.participants = 0  # threads whose fit may still reach the barrier
        self.waiting = []  # members blocked in train_epoch
        self.aborted = None
        self.registry = Registry(_is_worker)
        self.disabled = None  # the GroupedTrainingError that turned grouping off
        self.epochs = 0  # grouped epochs run
        self.finished = 0  # fits that trained in this session and are over
        self.observer = None  # called as observer(epochs, members, finished) after each

    # the engine cache's provider slot -----------------------------------
    def provide(self, spec):
        """A :class:`MemberEngine` for a training fit of ``spec``, or None."""
        if getattr(_local, "side", False):
            return None
        key = None if self.disabled is not None else spec_key(spec)
        if key is None:
            if getattr(_local, "deferrable", False):
                raise Deferred(f"no cohort trains {spec.builder.__name__} fits like this one")
            return None
        engine = MemberEngine(self, spec, key)
        if not _is_worker():
            # a fit outside the search's worker threads (the refit): it takes part
            # in the barrier for as long as it trains
            self.join()
            engine.self_registered = True
        return engine

    def give_back(self, engine):
        """The fit is over: free its cohort slot (and the barrier, if self-registered)."""
        engine.detach()
        with self.cond:
            self.finished += 1
        if engine.self_registered:
            engine.self_registered = False
            self.leave()

    # the barrier ---------------------------------------------------------
    def join(self):
        with self.cond:
            self.participants += 1

    def leave(self):
        with self.cond:
            self.participants -= 1
            self._maybe_fire()

    def abort(self, error):
        with self.cond:
            self.aborted = error
            self.cond.notify_all()

    def wait_epoch(self, member):
        """Block until the epoch ``member`` requested has run; return its result."""
        with self.cond:
            if self.aborted is not None:
                raise RuntimeError("the grouped search was aborted") from self.aborted
            member.result = None
            self.waiting.append(member)
            self._maybe_fire()
            while member.result is None:
                if self.aborted is not None:
                    raise RuntimeError("the grouped search was aborted") from self.aborted
                self.cond.wait()
            result, member.result = member.result, None
        if isinstance(result, BaseException):
            raise result
        return result

    def _maybe_fire(self):
        """Run one epoch of every waiting member once every participant waits."""
        if not self.waiting or len(self.waiting) < self.participants:
            return
        members, self.waiting = self.waiting, []
        try:
            run_epoch(members, self.max_cohort)
        except Exception as error:  # noqa: BLE001 - handed to every member
            failure = GroupedTrainingError(
                f"skdeep's grouped training failed ({type(error).__name__}: {error})")
            failure.__cause__ = error
            self.disabled = failure
            for m in members:
                m.result = failure
        except BaseException as error:  # Ctrl-C while stepping
            for m in members:
                m.result = error
        else:
            self.epochs += 1
            if self.observer is not None:
                self.observer(self.epochs, len(members), self.finished)
        self.cond.notify_all()


def active():
    """The running grouped session, or None."""
    return _session


class session:
    """Context manager: group the dense-MLP fits of this block (see module doc).

    Entering installs the session in the engine cache's provider slot and the
    fit template's fit-cache slot; leaving empties both.  Nested sessions
    join the outer one.

    Parameters
    ----------
    max_cohort : int, default=32
        Most members stacked in one cohort.
    """

    def __init__(self, max_cohort=MAX_COHORT):
        self.max_cohort = max_cohort
        self._outer = False

    def __enter__(self):
        global _session
        with _session_lock:
            if _session is not None:
                self._outer = True
                return _session
            _session = Session(self.max_cohort)
            cache.install_provider(_session.provide)
            base.install_fit_cache(_session.registry)
            return _session

    def __exit__(self, *exc):
        global _session
        if not self._outer:
            with _session_lock:
                cache.install_provider(None)
                base.install_fit_cache(None)
                _session = None
        return False


def run_threads(tasks, n_threads, deferrable=False):
    """Run ``tasks`` (callables) in ``n_threads`` threads inside the session.

    Every thread counts as a participant from before the first starts
    until it has no task left, so the barrier waits for fits still
    validating their data.  The first error
    (or Ctrl-C in the calling thread) aborts the waiting members.
    ``deferrable``: a training fit no cohort takes raises :class:`Deferred`
    in its task (which must catch it) instead of training in the thread.
    """
    import sklearn

    sess = _session
    tasks = list(tasks)
    lock = threading.Lock()
    errors = []
    config = sklearn.get_config()  # thread-local: the workers run under the caller's

    def worker():
        _local.worker, _local.deferrable = True, deferrable
        try:
            with sklearn.config_context(**config):
                _work()
        finally:
            _local.deferrable = False
            sess.leave()

    def _work():
        while True:
            with lock:
                if not tasks or errors:
                    return
                task = tasks.pop(0)
            try:
                task()
            except BaseException as error:  # noqa: BLE001
                errors.append(error)
                sess.abort(error)

    n_threads = max(1, min(n_threads, len(tasks)))
    for _ in range(n_threads):  # all counted before any starts: none trains alone
        sess.join()
    _start_and_wait([threading.Thread(target=worker, daemon=True) for _ in range(n_threads)],
                    sess.abort)
    if errors:
        raise errors[0]


def run_side_by_side(tasks, n_threads):
    """Run ``tasks`` (callables) in ``n_threads`` threads that join no cohort.

    For fits that cannot be grouped (:func:`side_by_side`): each trains on
    its own compiled engine, as it would alone, and keeps its state for
    scikit-learn's pass like a grouped fit.  Small networks leave most of a
    CPU idle between their many small kernels, so two fits at once on two
    cores take little more than one.  A task's own errors are its own (the
    search's tasks catch theirs); Ctrl-C in the calling thread lets the
    running fits finish and starts no more.
    """
    import sklearn

    tasks = list(tasks)
    lock = threading.Lock()
    stop = threading.Event()
    config = sklearn.get_config()

    def worker():
        _local.worker = _local.side = True
        try:
            with sklearn.config_context(**config):
                while not stop.is_set():
                    with lock:
                        if not tasks:
                            return
                        task = tasks.pop(0)
                    task()
        finally:
            _local.worker = _local.side = False

    _start_and_wait([threading.Thread(target=worker, daemon=True)
                     for _ in range(max(1, min(n_threads, len(tasks))))],
                    lambda error: stop.set())


def _start_and_wait(threads, interrupted):
    """Start ``threads`` and wait for them; on Ctrl-C (or any error of the
    wait) call ``interrupted(error)``, give them 5 s, and re-raise."""
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.05)
    except BaseException as error:
        interrupted(error)
        for t in threads:
            t.join(5.0)
        raise


class RestartPool:
    """The run-pool slot's filler: an ``n_init`` fit's restarts train in one cohort.

    See :mod:`skdeep._estimators.restarts`; installed by :func:`install_restarts`.
    """

    @staticmethod
    def accepts(estimator, work):
        """Whether the restarts should train together.

        Each must be a groupable fit, and grouping must pay: the cohort's
        program is compiled already, or the restarts' ``work`` (rows x epochs
        x restarts) is at least :data:`MIN_RESTART_WORK` -- on 2 CPU cores five
        restarts of 2,000 rows x 200 epochs trained together took 1.9 s warm
        against 2.5 s one after another, but 3.2 s with the program's first
        trace (about a second).
        """
        import copy

        from .._engine.backend import current
        from . import program
        from .member import _variant

        probe = copy.copy(estimator)
        probe.n_init = 1
        if not groupable(probe):
            return False
        family = spec_key(estimator._spec)
        if family is None:
            return False
        key = (family + (_variant(estimator._spec),), current().name)
        return key in program._programs or work >= MIN_RESTART_WORK

    @staticmethod
    def run(tasks):
        """Train the restarts (``tasks``) in a session, one thread each."""
        with session():
            run_threads(tasks, len(tasks))


def install_restarts():
    """Fill the fit template's run-pool slot (once Keras estimators are in use)."""
    from .._estimators import restarts

    if restarts._run_pool is None:
        restarts.install_run_pool(RestartPool())
