"""Every docstring example runs and prints what it shows."""

import doctest
import importlib

import pytest

MODULES = [
    "skdeep._mlp", "skdeep._cnn", "skdeep._rnn", "skdeep._keras", "skdeep._charrnn",
    "skdeep._engines", "skdeep.plotting", "skdeep._persistence",
    "skdeep.builders", "skdeep.layers", "skdeep.datasets", "skdeep.model_selection",
    "skdeep._tabular", "skdeep.preprocessing",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
