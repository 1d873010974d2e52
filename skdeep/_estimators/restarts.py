"""The restarts of ``n_init``: each its own generator, trained one after another or together.

A fit with ``n_init > 1`` trains several networks from different random
initialisations and keeps the best.  Every restart draws from a generator of
its own, seeded from the fit's ``random_state`` before any trains, and all
share one validation split drawn first -- so a restart's training does not
depend on the ones before it, and the restarts can train *together*: when an
accelerator fills the run-pool slot (:func:`install_run_pool`; the search
cohorts of :mod:`skdeep._cohort` do, see ``skdeep/__init__.py``) and accepts
the estimator, the restarts run in one cohort -- one compiled program steps
all of them -- with the same results as one after another.
"""

import copy
import dataclasses
from typing import Protocol

import numpy as np

from .._engine import cache as _engines
from .._training.batching import validation_split

__all__ = ["RunPool", "install_run_pool", "train_runs"]


class RunPool(Protocol):
    """What fills the run-pool slot (:func:`install_run_pool`)."""

    def accepts(self, estimator, work):
        """Whether ``estimator``'s restarts should train together; ``work`` is the
        restarts' rows x epochs x restarts."""

    def run(self, tasks):
        """Run ``tasks`` (callables, each one restart's training) together."""


#: The run-pool slot (a module global: the restarts' threads must see it).
_run_pool = None


def install_run_pool(pool):
    """Fill (or, with None, empty) the run-pool slot.

    Parameters
    ----------
    pool : RunPool or None
        Trains the restarts of an ``n_init`` fit together.
    """
    global _run_pool
    _run_pool = pool


def train_runs(estimator, data, plan, lend, split):
    """Train the call's runs; return ``[(state, weights, token, mc_seed), ...]``.

    Parameters
    ----------
    estimator : BaseNeuralEstimator
        The estimator being fitted (its ``_run`` trains one run).
    data, plan : the fit template's ``_Data`` and ``_Plan``
        The call's encoded data and plan (``plan.n_runs`` restarts).
    lend : bool
        Whether the runs may train on engines an accelerator lends.
    split : (train_index, val_index) or None
        The validation rows early stopping holds out, if fixed by the caller.
    """
    if plan.n_runs == 1:
        with _engines.lease(estimator._spec, training=lend, placement=plan.placement) as engine:
            state, _ = estimator._run(engine, data, plan, 0, split)
        return [_outcome(estimator, state)]
    split = _shared_split(estimator, data, plan, split)
    seeds = plan.rng.randint(np.iinfo(np.int32).max, size=plan.n_runs)
    plans = [dataclasses.replace(plan, rng=np.random.RandomState(seed)) for seed in seeds]
    pool = _run_pool
    if (pool is not None and lend and plan.placement is None
            and not plan.callbacks.keras and plan.callbacks.root is None
            and pool.accepts(estimator, _work(estimator, data, plan))):
        return _together(pool, estimator, data, plans, split)
    runs = []
    with _engines.lease(estimator._spec, training=lend, placement=plan.placement) as engine:
        for run, run_plan in enumerate(plans):
            state, _ = estimator._run(engine, data, run_plan, run, split)
            runs.append(_outcome(estimator, state))
    return runs


def _work(estimator, data, plan):
    """Rows x epochs x restarts: the size of the restarts' training."""
    return data.X.shape[0] * int(getattr(estimator, "max_iter", 200)) * plan.n_runs


def _outcome(estimator, state):
    return (state, estimator._weights, estimator._weights_token, estimator._mc_seed)


def _shared_split(estimator, data, plan, split):
    """The validation split every restart holds out, drawn before any trains."""
    config = plan.config
    if (split is not None or not config.stochastic or not config.validates
            or config.validation_split > 0):  # Keras' last rows: no draw
        return split
    return validation_split(data.X, data.Y, data.sample_weight,
                            estimator._stratify_labels(data.y), config.validation_fraction,
                            plan.rng)[-1]


def _together(pool, estimator, data, plans, split):
    """The restarts in the pool, each on its own copy of the estimator (one thread each)."""
    copies = [copy.copy(estimator) for _ in plans]
    results = [None] * len(plans)

    def task(run):
        def train():
            runner = copies[run]
            with _engines.lease(runner._spec, training=True) as engine:
                state, _ = runner._run(engine, data, plans[run], run, split)
            results[run] = _outcome(runner, state)

        return train

    pool.run([task(run) for run in range(len(plans))])
    # what a run sets besides its outcome (the variables' paths, ...) is alike in all
    estimator.__dict__.update(copies[0].__dict__)
    return results
