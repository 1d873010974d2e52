"""skdeep's Keras layers registered whenever Keras is imported in a process with skdeep.

A network saved with ``est.model_.save("net.keras")`` holds skdeep's layers
(``Standardize``, ``DropConnectDense``, ...). Keras finds a custom layer only
once its class is registered, which happens when :mod:`skdeep.layers` is
imported -- and ``import skdeep`` imports no Keras (so the command line
answers at once). So that ``keras.saving.load_model("net.keras")`` works
after ``import skdeep`` in either order, :func:`install`:

* imports :mod:`skdeep.layers` at once when Keras is already imported;
* otherwise puts a one-shot finder first on ``sys.meta_path`` that wraps the
  loader of the ``keras`` package: once Keras has finished importing, it
  imports :mod:`skdeep.layers`.

Nothing here may break an import of Keras: a failure to register (Keras on
a backend skdeep does not run on, say) is ignored, and the loader wrapper
hands every other attribute to Keras' own loader.
"""

import importlib
import importlib.abc
import sys

__all__ = ["install"]


def _register():
    try:
        importlib.import_module("skdeep.layers")
    except Exception:  # noqa: BLE001 - Keras must import whatever happens here
        pass


class _RegisteringLoader(importlib.abc.Loader):
    """Keras' own loader, then skdeep's layers registered."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _register()

    def __getattr__(self, name):  # get_source, get_resource_reader, ...
        return getattr(self._loader, name)


class _KerasFinder(importlib.abc.MetaPathFinder):
    """Finds ``keras`` through the other finders and wraps its loader (once)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras":
            return None
        _remove()
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _RegisteringLoader(spec.loader)
                return spec
        return None


def _remove():
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _KerasFinder)]


def install():
    """Register skdeep's layers now if Keras is imported, else as soon as it is."""
    if "keras" in sys.modules:
        _register()
    elif not any(isinstance(f, _KerasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _KerasFinder())
