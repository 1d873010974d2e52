"""The ``skdeep`` command: would a neural network beat my usual models on this table?

``skdeep compare DATA --target COL`` cross-validates skdeep's networks against
scikit-learn's usual models on one table; ``skdeep search DATA --target COL``
runs the course's model selection (hidden-layer sizes x dropout, early
stopping) and saves a validation-curve plot and, optionally, the refitted best
model; ``skdeep predict MODEL DATA`` predicts with a saved model, ``skdeep
info MODEL`` says what its file holds and ``skdeep export MODEL OUT`` writes it
as a TensorFlow SavedModel or ONNX file for serving. DATA is a CSV/TSV or Parquet file, or a
bundled data set's name.

This module (argparse) and the others of :mod:`skdeep.cli` import only the
standard library at the top, so ``skdeep --help`` answers at once;
scikit-learn, pandas and Keras load when a command runs.
"""

import argparse
import json
import sys

from .commands import DEFAULT_GRID, compare, search
from .files import export, info, predict
from .models import MODELS
from .tables import BUNDLED, DEFAULT_DATA, CLIError

def _bounded_int(name, low, high=None, forbid=()):
    """An argparse type: an integer in [low, high], not in ``forbid``, or a usage error."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes an integer, not {text!r}") from None
        if value < low or (high is not None and value > high) or value in forbid:
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{name} must be {span}, got {value}")
        return value
    return parse


def _n_jobs(text):
    """``--n-jobs``: a positive number of processes, or -1 (all cores), -2, ... as in joblib."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--n-jobs takes an integer, not {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError(
            "--n-jobs must not be 0: give a number of processes (1, 2, ...) or -1 for all cores")
    return value


def _character(name):
    """An argparse type: one character (``\\t`` or ``tab`` for a tab)."""
    def parse(text):
        value = {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(text, text)
        if len(value) != 1 or value.isalnum() or value in "\"\n\r ":
            raise argparse.ArgumentTypeError(
                f"{name} takes one punctuation character (e.g. ';' or ','; '\\t' for a tab), "
                f"not {text!r}")
        return value
    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse prints the whole usage block; one line says it better
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _reading(sub):
    """The options that say how a text table is written."""
    sub.add_argument("--sep", type=_character("--sep"), metavar="CHAR",
                     help="column separator of a text table (default: detected among "
                          "',', ';', tab and '|')")
    sub.add_argument("--decimal", type=_character("--decimal"), metavar="CHAR",
                     help="decimal mark (default '.'; decimal commas are detected in "
                          "files not separated by commas)")
    sub.add_argument("--thousands", type=_character("--thousands"), metavar="CHAR",
                     help="thousands separator in numbers (default none)")


def _common(sub):
    """What ``compare`` and ``search`` share: the table, its target, the CV."""
    sub.add_argument("data", nargs="?", default=None, metavar="DATA",
                     help=f"CSV/TSV or Parquet file, or a bundled data set "
                          f"({', '.join(BUNDLED)}; default {DEFAULT_DATA})")
    sub.add_argument("--target", "-t", metavar="COL",
                     help="target column (bundled data: 'target')")
    sub.add_argument("--task", choices=("auto", "classification", "regression"),
                     default="auto", help="force the task (default: from the target)")
    sub.add_argument("--scoring", metavar="NAME",
                     help="scikit-learn scorer name (default accuracy / r2)")
    sub.add_argument("--cv", type=_bounded_int("--cv", 2), default=5,
                     help="number of folds (default 5)")
    sub.add_argument("--n-jobs", type=_n_jobs, default=1, metavar="N",
                     help="parallel folds (default 1: small networks run fastest in "
                          "one process; -1: all cores)")
    sub.add_argument("--seed", type=_bounded_int("--seed", 0, 2**32 - 1), default=0,
                     help="random seed, 0 to 2**32 - 1 (default 0)")
    _reading(sub)


def _add_compare_and_search(commands):
    cmp = commands.add_parser("compare", help="skdeep's networks against scikit-learn's "
                              "usual models, cross-validated",
                              description=compare.__doc__)
    _common(cmp)
    cmp.add_argument("--models", default=",".join(MODELS), metavar="LIST",
                     help=f"comma-separated, from {', '.join(MODELS)} (default: all)")
    cmp.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    cmp.add_argument("--plot", metavar="FILE", help="bar chart of the scores (PNG, SVG, PDF)")
    cmp.add_argument("--report", metavar="FILE",
                     help="the table, notes and chart in one file to send (.html or .md)")
    cmp.set_defaults(func=compare)

    srch = commands.add_parser("search", help="cross-validated search over hidden-layer "
                               "sizes and dropout with early stopping",
                               description=search.__doc__)
    _common(srch)
    srch.add_argument("--grid", metavar="JSON",
                      help="parameter grid as JSON text or a JSON file (default "
                           f"{json.dumps(DEFAULT_GRID)})")
    srch.add_argument("--max-iter", type=_bounded_int("--max-iter", 1), default=200,
                      metavar="N",
                      help="most epochs per fit (default 200)")
    srch.add_argument("--plot", metavar="FILE", default="skdeep-search.png",
                      help="validation curve and the best model's loss curve "
                           "(default skdeep-search.png; '' for none)")
    srch.add_argument("--save", metavar="FILE",
                      help="save the refitted best model here (skdeep.save; load it with "
                           "skdeep.load)")
    srch.set_defaults(func=search)


def _add_predict_and_info(commands):
    model_help = "a file written by skdeep search --save or skdeep.save"
    pred = commands.add_parser("predict", help="predict each row of a table with a saved "
                               "model (skdeep search --save, skdeep.save)",
                               description=predict.__doc__)
    pred.add_argument("model", metavar="MODEL", help=model_help)
    pred.add_argument("data", metavar="DATA", help="CSV/TSV or Parquet file (or a bundled "
                      "data set's name) with the model's columns")
    pred.add_argument("--output", "-o", metavar="OUT",
                      help="write here: .csv, .tsv or .parquet (default: CSV on stdout)")
    pred.add_argument("--proba", action="store_true",
                      help="class probabilities, one column per class (classifiers)")
    pred.add_argument("--id", metavar="COL", help="copy this column of DATA into the output "
                      "(first), to match predictions with rows")
    _reading(pred)
    pred.set_defaults(func=predict)

    inf = commands.add_parser("info", help="what a saved model file holds",
                              description=info.__doc__)
    inf.add_argument("model", metavar="MODEL", help=model_help)
    inf.set_defaults(func=info)

    exp = commands.add_parser("export", help="a saved model as a TensorFlow SavedModel or "
                              "ONNX file that takes raw rows", description=export.__doc__)
    exp.add_argument("model", metavar="MODEL", help=model_help)
    exp.add_argument("out", metavar="OUT", help="a directory (SavedModel) or a .onnx file")
    exp.add_argument("--format", choices=["tf_saved_model", "onnx"],
                     help="default: onnx for a name ending in .onnx, else tf_saved_model")
    exp.set_defaults(func=export)


def build_parser():
    """The ``skdeep`` argument parser (standard library only)."""
    parser = _Parser(prog="skdeep", description="skdeep: would a neural network beat my "
                     "usual models on this table? Keras networks as scikit-learn estimators.")
    parser.add_argument("--version", action="store_true", help="print skdeep's version")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    _add_compare_and_search(commands)
    _add_predict_and_info(commands)
    return parser


def main(argv=None):
    """Run the ``skdeep`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 if a model failed, 2 on a usage or data error.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed
        return exc.code
    if args.version:
        from .._version import __version__

        print(f"skdeep {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"skdeep {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"skdeep {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
