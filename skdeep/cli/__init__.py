"""The ``skdeep`` command line: ``compare``, ``search``, ``predict`` and ``info``.

* :mod:`~skdeep.cli.tables` reads and cleans the table (:func:`load_table`,
  :func:`prepare`, :class:`TableCleaner`);
* :mod:`~skdeep.cli.models` holds the models ``compare`` ranks (:func:`build_models`);
* :mod:`~skdeep.cli.commands` runs ``compare`` and ``search``;
* :mod:`~skdeep.cli.files` runs ``predict`` and ``info`` on saved models;
* :mod:`~skdeep.cli.report` writes ``compare --report`` (HTML or Markdown);
* :mod:`~skdeep.cli.progress` counts the folds of a model on a terminal;
* :mod:`~skdeep.cli.parser` parses the arguments (:func:`main`).

Every module imports only the standard library at the top, so ``skdeep --help``
answers at once.
"""

from .models import MODELS, build_models
from .parser import build_parser, main
from .tables import (BUNDLED, DEFAULT_DATA, CLIError, TableCleaner, load_table, prepare,
                     read_table)

__all__ = [
    "BUNDLED", "CLIError", "DEFAULT_DATA", "MODELS", "TableCleaner", "build_models",
    "build_parser", "load_table", "main", "prepare", "read_table",
]
