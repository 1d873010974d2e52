"""The search accelerator: many (candidate, fold) fits trained in stacked cohorts.

Used by :mod:`skdeep.model_selection`, and by every ``n_init`` fit (the
package's public face fills the run-pool slot when an estimator class is
first used).  It plugs into the layers below through their slots -- the
engine cache's provider (:func:`skdeep._engine.cache.install_provider`), the
fit template's fit cache (:func:`skdeep._estimators.base.install_fit_cache`)
and run pool (:func:`skdeep._estimators.restarts.install_run_pool`) -- and
nothing below imports it.

* :mod:`~skdeep._cohort.session` -- one search's session: the barrier, the
  worker threads, the slots filled;
* :mod:`~skdeep._cohort.member` -- a fit's engine inside a cohort, and which
  fits may join one;
* :mod:`~skdeep._cohort.registry` -- the fitted states, found again by
  scikit-learn's own pass;
* :mod:`~skdeep._cohort.stack` -- a cohort's stacked rows, weights and slots;
* :mod:`~skdeep._cohort.program` -- the compiled epoch of a cohort.
"""

from .member import data_dtype, groupable, side_by_side
from .session import (MAX_COHORT, GroupedTrainingError, active, install_restarts,
                      run_side_by_side, run_threads, session)

__all__ = ["MAX_COHORT", "GroupedTrainingError", "active", "data_dtype", "groupable",
           "install_restarts", "run_side_by_side", "run_threads", "session", "side_by_side"]
