"""Where the modules of skdeep 0.1.0's flat layout went: the rename table.

Files saved by skdeep 0.1.0 -- :func:`skdeep.save` archives, plain pickles,
joblib files -- name the private modules of that release
(``skdeep._mlp.MLPClassifier``, ``skdeep._data.FrameEncoder``,
``skdeep._engine_core.ModelSpec``, ...).  Since then every public class says
``__module__ = "skdeep"``, so new files name ``skdeep.MLPClassifier`` and never
depend on a private file name again; the old names keep loading through this
table:

* :func:`skdeep.load` resolves each name through :func:`resolve` before its
  allow-list check;
* plain ``pickle.load`` / ``joblib.load`` import the old module itself, which
  :class:`_OldLayoutFinder` (installed by ``import skdeep``) answers with an
  alias module that looks its names up through the same table.

A leaf: the standard library only, nothing imported until an old name is used.
To be dropped once no supported release wrote the flat layout.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import types

__all__ = ["MODULES", "NAMES", "install", "resolve"]

#: Modules of skdeep 0.1.0 -> the module holding most of what they held
#: (``skdeep._training`` and ``skdeep._engine`` are packages now, under
#: their old names; no saved file refers to them).
MODULES = {
    "skdeep._base": "skdeep._estimators.base",
    "skdeep._heads": "skdeep._estimators.heads",
    "skdeep._mlp": "skdeep._estimators.mlp",
    "skdeep._cnn": "skdeep._estimators.cnn",
    "skdeep._rnn": "skdeep._estimators.rnn",
    "skdeep._charrnn": "skdeep._estimators.charrnn",
    "skdeep._tabular": "skdeep._estimators.tabular",
    "skdeep._keras": "skdeep._estimators.keras",
    "skdeep._data": "skdeep._training.batching",
    "skdeep._callbacks": "skdeep._training.callbacks",
    "skdeep._engine_core": "skdeep._engine.core",
    "skdeep._engine_jax": "skdeep._engine.jax",
    "skdeep._engines": "skdeep._engine.cache",
    "skdeep._distribution": "skdeep._engine.distribution",
    "skdeep._grouped": "skdeep._cohort.session",
}

#: Names that went elsewhere than their old module's successor:
#: (old module, name) -> new module.
NAMES = {
    ("skdeep._data", "FrameEncoder"): "skdeep._estimators.frame",
    ("skdeep._data", "is_categorical_column"): "skdeep._estimators.frame",
    ("skdeep._data", "needs_frame_encoder"): "skdeep._estimators.frame",
    ("skdeep._engine_core", "ModelSpec"): "skdeep._engine.spec",
    ("skdeep._engine_core", "PENALTIES"): "skdeep._engine.spec",
    ("skdeep._keras", "build_user_network"): "skdeep._user_model",
    ("skdeep._keras", "instantiate_model"): "skdeep._user_model",
}


def resolve(module, name):
    """``(module, name)`` as it is called now, for a name of skdeep 0.1.0's layout.

    Parameters
    ----------
    module : str
        The module a saved file names.
    name : str
        The name looked up in it.

    Returns
    -------
    module, name : str
        Unchanged unless the module is one of :data:`MODULES`.

    Examples
    --------
    >>> from skdeep._renames import resolve
    >>> resolve("skdeep._data", "FrameEncoder")
    ('skdeep._estimators.frame', 'FrameEncoder')
    >>> resolve("skdeep._mlp", "MLPClassifier")
    ('skdeep._estimators.mlp', 'MLPClassifier')
    >>> resolve("numpy", "ndarray")
    ('numpy', 'ndarray')
    """
    if module not in MODULES:
        return module, name
    return NAMES.get((module, name), MODULES[module]), name


class _AliasModule(types.ModuleType):
    """An old module of the flat layout: its names come from where they went."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        module, new = resolve(self.__name__, name)
        try:
            return getattr(importlib.import_module(module), new)
        except AttributeError:
            raise AttributeError(
                f"module {self.__name__!r} (now {MODULES[self.__name__]!r}) has no "
                f"attribute {name!r}"
            ) from None


class _AliasLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return _AliasModule(spec.name)

    def exec_module(self, module):
        pass


class _OldLayoutFinder(importlib.abc.MetaPathFinder):
    """Answers imports of skdeep 0.1.0's module names with alias modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MODULES:
            return importlib.util.spec_from_loader(fullname, _AliasLoader())
        return None


def install():
    """Put the finder for the old module names on ``sys.meta_path`` (once).

    It comes last, so it answers only names no file provides.
    """
    if not any(isinstance(f, _OldLayoutFinder) for f in sys.meta_path):
        sys.meta_path.append(_OldLayoutFinder())
