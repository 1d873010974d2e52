"""Sphinx configuration for skdeep's documentation (``make docs``)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)  # gallery_order

os.environ.setdefault("MPLBACKEND", "Agg")

project = "skdeep"
author = "skdeep developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
html_theme = "pydata_sphinx_theme"
html_title = "skdeep"
html_theme_options = {
    "navigation_depth": 2,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = []
nitpicky = False
# inherited sklearn docstrings (mixins' score, the searches' classes_) reference
# sklearn-only labels and glossary terms
suppress_warnings = ["ref.ref", "ref.term", "config.cache"]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # run every example, not only plot_*.py -- except the JAX one: Keras picks
    # its backend once per process, and this process already runs TensorFlow
    "filename_pattern": r"/(?!grid_search_on_jax)[^/]*\.py$",
    "within_subsection_order": "gallery_order.CourseOrder",
    "image_scrapers": ("matplotlib",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": True,
}
