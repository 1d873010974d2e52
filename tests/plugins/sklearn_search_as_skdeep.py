"""pytest plugin: scikit-learn's own search tests, run on skdeep's search classes.

``python -m pytest -p tests.plugins.sklearn_search_as_skdeep --pyargs
sklearn.model_selection.tests.test_search`` replaces the names
``GridSearchCV`` and ``RandomizedSearchCV`` in that test module by
:mod:`skdeep.model_selection`'s before its tests run.
"""

import importlib

import pytest

#: Tests that do not apply, and why.
NOT_APPLICABLE = {
    # asserts that every public fitted attribute of a GridSearchCV equals a
    # plain BaseSearchCV subclass's: skdeep's adds n_grouped_fits_ and
    # grouped_fit_time_ (what was trained in cohorts), n_side_fits_ and
    # side_fit_time_ (side by side), on purpose
    "test_custom_run_search": ("skdeep's searches add n_grouped_fits_ / grouped_fit_time_ / "
                               "n_side_fits_ / side_fit_time_"),
}


def pytest_collection_modifyitems(session, config, items):
    from skdeep import model_selection

    module = importlib.import_module("sklearn.model_selection.tests.test_search")
    module.GridSearchCV = model_selection.GridSearchCV
    module.RandomizedSearchCV = model_selection.RandomizedSearchCV
    for item in items:
        reason = NOT_APPLICABLE.get(item.originalname)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
