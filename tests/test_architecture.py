"""The house in layers: no import runs up the layers, no circles, sizes within the guides.

Run ``python tests/test_architecture.py`` to print the import graph by layer
and the largest module, class and function.
"""

import ast
import pathlib
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "skdeep"

#: Top to bottom; a module may import its own layer and the layers below.
LAYERS = [
    ("face", ["skdeep", "skdeep.__main__", "skdeep.cli", "skdeep.model_selection",
              "skdeep.plotting", "skdeep._persistence", "skdeep.datasets",
              "skdeep._keras_hook"]),
    ("cohort", ["skdeep._cohort"]),
    ("estimators", ["skdeep._estimators"]),
    ("training", ["skdeep._training"]),
    ("engine", ["skdeep._engine"]),
    ("networks", ["skdeep.builders", "skdeep.layers", "skdeep._user_model",
                  "skdeep._network_parts", "skdeep._series_networks", "skdeep._initial",
                  "skdeep._keras_losses"]),
    ("leaves", ["skdeep._activations", "skdeep._backend", "skdeep._docstrings",
                "skdeep._private", "skdeep._renames", "skdeep._shapes", "skdeep._version",
                "skdeep.preprocessing"]),
]

#: Size guides (lines of code: no docstrings, comments or blank lines, for
#: classes and functions; all lines for modules) and the places allowed more.
MAX_MODULE_LINES = 600
MAX_FAMILY_MODULE_LINES = 650  # an estimator family: required numpydoc and __init__s
MAX_CLASS_CODE = 400
MAX_FUNCTION_CODE = 60
HARD_MAX_FUNCTION_CODE = 80
EXCEPTIONS = {
    "skdeep/layers.py": "every public layer carries a runnable example; 354 lines of code",
    "skdeep/cli/models.py:build_models": "the catalogue of compare's models, one entry each",
}


def layer_of(module):
    """Index of ``module``'s layer in :data:`LAYERS` (0 is the top)."""
    best = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (index, len(prefix))
    if best is None:
        raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")
    return best[0]


def modules():
    """``{module name: path}`` of every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name, path, known):
    """The skdeep modules ``name`` imports, at the top or inside functions."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets |= {a.name for a in node.names if a.name.split(".")[0] == "skdeep"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "skdeep":
                continue
            for alias in node.names:  # `from . import x` may name a module
                candidate = f"{module}.{alias.name}"
                targets.add(candidate if candidate in known else module)
    return {t for t in targets if t in known and t != name}


def graph():
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_runs_up_the_layers():
    upward = [f"{a} ({LAYERS[layer_of(a)][0]}) imports {b} ({LAYERS[layer_of(b)][0]})"
              for a, targets in graph().items() for b in sorted(targets)
              if layer_of(b) < layer_of(a)]
    assert not upward, "\n".join(upward)


def test_no_import_circles():
    assert cycles(graph()) == []


def test_the_search_accelerator_is_imported_only_from_above():
    users = sorted(a for a, targets in graph().items()
                   if any(t.startswith("skdeep._cohort") for t in targets)
                   and not a.startswith("skdeep._cohort"))
    assert users == ["skdeep.model_selection"]


def test_only_the_backend_modules_import_tensorflow_or_jax():
    allowed = {"skdeep._backend", "skdeep._engine.backend", "skdeep._engine.tensorflow",
               "skdeep._engine.jax", "skdeep._engine.jax_epoch", "skdeep._engine.jax_rows",
               "skdeep._engine.distribution",
               "skdeep._private",
               # writes TensorFlow's own file format (a SavedModel), whatever the backend
               "skdeep._export.tf_graph"}
    offenders = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            if any(n.split(".")[0] in ("tensorflow", "jax") for n in names) and (
                    name not in allowed):
                offenders.append(f"{name}:{node.lineno}")
    assert not offenders


def _code_lines(lines, node):
    docstrings = set()
    for inner in ast.walk(node):
        body = getattr(inner, "body", None)
        if isinstance(inner, (ast.FunctionDef, ast.ClassDef, ast.Module)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and (
                    isinstance(first.value.value, str)):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    return sum(
        1 for i in range(node.lineno, node.end_lineno + 1)
        if lines[i - 1].strip() and not lines[i - 1].strip().startswith("#")
        and i not in docstrings
    )


def sizes():
    """``(kind, where, lines)`` of every module, class and function."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        lines, where = text.split("\n"), str(path.relative_to(PACKAGE.parent))
        found.append(("module", where, len(lines)))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                found.append(("class", f"{where}:{node.name}", _code_lines(lines, node)))
            elif isinstance(node, ast.FunctionDef):
                found.append(("function", f"{where}:{node.name}", _code_lines(lines, node)))
    return found


def test_modules_classes_and_functions_keep_to_the_size_guides():
    over = []
    for kind, where, n in sizes():
        if where in EXCEPTIONS:
            continue
        if kind == "module":
            family = where.startswith("skdeep/_estimators/") and not where.endswith(
                ("base.py", "frontend.py", "weights.py", "settings.py", "heads.py",
                 "frame.py", "__init__.py"))
            limit = MAX_FAMILY_MODULE_LINES if family else MAX_MODULE_LINES
        elif kind == "class":
            limit = MAX_CLASS_CODE
        elif where.endswith(":__init__") and where.startswith("skdeep/_estimators/"):
            continue  # scikit-learn asks for every parameter spelled out
        else:
            limit = MAX_FUNCTION_CODE
        if n > limit:
            over.append(f"{kind} {where}: {n} > {limit}")
    assert not over, "\n".join(over)


@pytest.mark.parametrize("where", sorted(EXCEPTIONS))
def test_each_size_exception_is_still_needed(where):
    found = {w: (kind, n) for kind, w, n in sizes()}
    assert where in found
    kind, n = found[where]
    limit = {"module": MAX_MODULE_LINES, "class": MAX_CLASS_CODE}.get(kind, MAX_FUNCTION_CODE)
    assert n > limit, f"{where} is back within {limit}: drop its exception"
    assert kind != "function" or n <= HARD_MAX_FUNCTION_CODE


def main():
    """Print the import graph by layer, and the largest of each kind."""
    edges = graph()
    for index, (layer, _) in enumerate(LAYERS):
        print(f"== {layer}")
        for name in sorted(n for n in edges if layer_of(n) == index):
            targets = ", ".join(sorted(edges[name])) or "-"
            print(f"  {name} -> {targets}")
    print(f"circles: {cycles(edges) or 'none'}")
    for kind in ("module", "class", "function"):
        largest = max((s for s in sizes() if s[0] == kind), key=lambda s: s[2])
        print(f"largest {kind}: {largest[1]} ({largest[2]} lines"
              f"{'' if kind == 'module' else ' of code'})")


if __name__ == "__main__":
    sys.exit(main())
