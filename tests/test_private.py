"""The private APIs skdeep still uses are all listed, and each is still there."""

import ast
import pathlib

import pytest

from skdeep._backend import backend
from skdeep._private import PRIVATE_APIS

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "skdeep"


@pytest.mark.parametrize("api", PRIVATE_APIS, ids=lambda api: api.name.split(" ")[0])
def test_each_private_api_is_still_there(api):
    if api.backend is not None and api.backend != backend():
        pytest.skip(f"needs the {api.backend} backend")
    assert api.used_for and api.why_private
    assert api.probe(), (
        f"{api.library} changed {api.name}, which skdeep uses for: {api.used_for}. "
        "Update skdeep/_private.py."
    )


#: Private attributes of other libraries' objects skdeep has used (by attribute or
#: by name in getattr): only skdeep/_private.py may touch them.
PRIVATE_ATTRIBUTES = {
    "_flatten_layers", "_deferred_initialize", "_initializer", "_checked_cv_orig",
    "_in_multi_worker_mode", "clear_kernel_cache", "_fit_and_score", "_getframe",
}


def _private_names(tree):
    """(line, text) of every private name skdeep takes from TensorFlow, Keras,
    scikit-learn or JAX: ``from x import _y``, private modules (``keras.src``,
    ``tensorflow.python``, ``sklearn.*._x``) and the private attributes above."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            module = node.module or ""
            top = module.split(".")[0]
            if top in ("tensorflow", "keras", "sklearn", "jax"):
                parts = module.split(".")
                if any(p.startswith("_") for p in parts) or module.startswith(
                        ("keras.src", "tensorflow.python")):
                    found.append((node.lineno, f"from {module}"))
                found += [(node.lineno, f"{module}.{a.name}") for a in node.names
                          if a.name.startswith("_")]
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
            found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Constant) and node.value in PRIVATE_ATTRIBUTES:
            found.append((node.lineno, repr(node.value)))
    return found


def test_private_apis_are_used_only_through_skdeep_private():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_private.py":
            continue
        tree = ast.parse(path.read_text())
        offenders += [f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
                      for line, what in _private_names(tree)]
    assert not offenders, "\n".join(offenders)
