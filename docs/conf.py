"""Sphinx configuration for skdeep's documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

project = "skdeep"
author = "skdeep developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc"]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
exclude_patterns = ["_build"]
html_theme = "alabaster"
nitpicky = False
# inherited sklearn mixin docstrings (score) reference sklearn-only labels
suppress_warnings = ["ref.ref"]
