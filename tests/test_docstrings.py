"""Every docstring example runs and prints what it shows."""

import doctest
import importlib

import pytest

import skdeep

#: Modules with doctests of their own (the estimators' are collected below).
MODULES = [
    "skdeep._engine.cache", "skdeep._renames", "skdeep._training.batching", "skdeep.plotting",
    "skdeep._persistence", "skdeep._engine.backend", "skdeep._engine.jax_rows",
    "skdeep.builders", "skdeep.layers", "skdeep.datasets", "skdeep.model_selection",
    "skdeep._training.schedules", "skdeep._shapes", "skdeep.preprocessing",
    "skdeep._activations",
]

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.attempted > 0 and result.failed == 0


#: The public estimators say they are ``skdeep.<name>`` (their pickles do not
#: depend on private module names), so a module's doctest run skips them.
ESTIMATORS = [name for name in skdeep.__all__ if name[0].isupper()]


@pytest.mark.parametrize("name", ESTIMATORS)
def test_public_estimator_docstring_examples(name):
    cls = getattr(skdeep, name)
    assert cls.__module__ == "skdeep"
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    tests = doctest.DocTestFinder().find(cls, name, module=False, globs={})
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0
