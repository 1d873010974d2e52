"""Saving and loading fitted estimators: :func:`save`, :func:`load` and :func:`file_info`.

A saved file is a zip archive holding ``skdeep.json`` -- the format, the class,
the versions of skdeep, scikit-learn, Keras, its backend, NumPy and Python,
what the caller recorded (``about``), and the SHA-256 of the payload -- and
the payload, in one of two formats:

* **data** (format 2, written whenever the estimator allows it):
  ``estimator.json``, the estimator's parameters and fitted state as JSON, and
  ``arrays.npz``, its arrays (weights included), read with
  ``allow_pickle=False`` (:mod:`skdeep._datafile`). Loading runs no code the
  file names: an untrusted file can at worst fail to load.
* **pickle** (format 1, for what data cannot hold -- a Keras model function of
  your own, a Keras model or callback object among the parameters):
  ``estimator.pkl``, unpickled with an allow-list -- classes of skdeep,
  scikit-learn, NumPy, SciPy's sparse matrices, pandas' data structures and
  Keras' callbacks, skdeep's model builders, and a few harmless built-ins --
  so a crafted file cannot call ``os.system`` or ``eval``. It is an
  allow-list, not a sandbox: load such files only if you trust them. Anything
  else it refers to (your own model function, say) is refused by name unless
  you pass ``trusted=[...]``.

skdeep's fitted state is NumPy arrays and plain objects; compiled models are
never stored and are rebuilt on first use. :func:`load` checks the header
before it reads the payload: a file that is not skdeep's, was written by a
newer format, or was altered after saving is refused with a message. Files
written by skdeep 0.1.0 name its flat layout's modules; :mod:`skdeep._renames`
maps them.
"""

import hashlib
import importlib
import io
import json
import os
import pickle
import platform
import shutil
import tempfile
import warnings
import zipfile

from ._datafile import in_modules
from ._renames import resolve

__all__ = ["file_info", "load", "save"]

FORMAT = "skdeep-estimator"
FORMAT_VERSION = 2  # 1: the pickle payload; 2: the data payload (reads both)
PICKLE_VERSION = 1
_MEMBERS = {"pickle": ("estimator.pkl",), "data": ("estimator.json", "arrays.npz")}

#: Modules (and their submodules) whose classes a saved estimator may hold.
_CLASS_MODULES = ("skdeep", "sklearn", "numpy", "scipy.sparse", "pandas.core", "pandas._libs",
                  "keras.src.callbacks")

#: Classes refused even there: constructing them touches files.
_REFUSED = {("numpy", "memmap"), ("numpy._core.memmap", "memmap"), ("numpy.core.memmap", "memmap")}

#: Functions (not classes) a saved estimator may refer to.
_FUNCTIONS = {
    ("copyreg", "_reconstructor"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.random._pickle", "__randomstate_ctor"),
    ("numpy.random._pickle", "__bit_generator_ctor"),
    ("numpy.random._pickle", "__generator_ctor"),
    ("numpy.ma.core", "_mareconstruct"),
    ("_codecs", "encode"),
    ("skdeep._user_model", "build_user_network"),
}

#: Built-ins a saved estimator may hold: data types only.
_BUILTINS = {
    "list", "dict", "set", "frozenset", "tuple", "slice", "range", "complex",
    "bytearray", "bytes", "str", "int", "float", "bool", "object", "type", "NoneType",
}


def _versions():
    from ._version import __version__

    versions = {"skdeep": __version__, "python": platform.python_version()}
    for name in ("sklearn", "numpy", "keras", "tensorflow", "jax"):
        module = importlib.import_module(name) if name in ("sklearn", "numpy") else None
        if module is None:
            import sys

            module = sys.modules.get(name)
        if module is not None:
            versions[name] = getattr(module, "__version__", "?")
    try:
        from ._backend import backend

        versions["keras_backend"] = backend()
    except Exception:  # noqa: BLE001 - an estimator never fitted needs no Keras
        pass
    return versions


def _payload(estimator, format):
    """``(kind, {member: bytes})`` of the payload in the requested format."""
    from . import _datafile

    if format not in ("auto", "data", "pickle"):
        raise ValueError(f"format must be 'auto', 'data' or 'pickle', got {format!r}")
    if format != "pickle":
        try:
            tree, arrays = _datafile.encode(estimator)
        except _datafile.NotDataError as exc:
            if format == "data":
                raise ValueError(
                    f"this estimator cannot be saved as data: {exc}. Save it with "
                    "format='pickle' (load such files only if you trust them)") from None
        else:
            return "data", {"estimator.json": _datafile.dumps(tree).encode(),
                            "arrays.npz": _datafile.write_arrays(arrays)}
    return "pickle", {"estimator.pkl": pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL)}


def _digest(members, kind):
    h = hashlib.sha256()
    for name in _MEMBERS[kind]:
        h.update(members[name])
    return h.hexdigest()


def save(estimator, path, *, about=None, format="auto"):
    """Save a fitted skdeep estimator (or a Pipeline / search holding one) to ``path``.

    The file is written atomically: to a temporary file in the same folder,
    flushed to disk, then renamed over ``path``, so a crash or Ctrl-C never
    leaves a half-written file.

    Parameters
    ----------
    estimator : estimator
        What to save; usually fitted.
    path : str or os.PathLike
        Destination (``.skdeep`` is a good suffix).
    about : dict or None, default=None
        What to record beside the estimator, in the file's JSON header
        (JSON types only: the target's name, a cross-validated score, the
        data it came from, ...); :func:`file_info` reads it back without
        loading the estimator.
    format : {'auto', 'data', 'pickle'}, default='auto'
        ``'data'`` writes the estimator as JSON and NumPy arrays, which
        :func:`load` reads without running code named by the file (safe to
        load from anyone); ``'pickle'`` writes an allow-listed pickle, which
        holds what data cannot (a Keras model function of your own, Keras
        objects among the parameters); ``'auto'`` writes data when the
        estimator allows it, else the pickle.

    Returns
    -------
    path : str
        The path written.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> import skdeep
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = skdeep.MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)
    >>> path = skdeep.save(clf, os.path.join(tempfile.mkdtemp(), "iris.skdeep"))
    >>> bool((skdeep.load(path).predict(X) == clf.predict(X)).all())
    True
    """
    path = os.fspath(path)
    kind, members = _payload(estimator, format)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION if kind == "data" else PICKLE_VERSION,
        "payload": kind,
        "class": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "versions": _versions(),
        "sha256": _digest(members, kind),
    }
    if about is not None:
        try:
            header["about"] = json.loads(json.dumps(about))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"about must hold JSON types only (str, numbers, lists, dicts): "
                             f"{exc}") from None
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".skdeep-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("skdeep.json", json.dumps(header, indent=2))
                for name, data in members.items():
                    archive.writestr(name, data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


#: What zipfile raises on a damaged archive: bad structure, CRC, truncation, a
#: flipped version/compression byte (NotImplementedError), an "encrypted" flag
#: (RuntimeError), undecodable names (ValueError).
_DAMAGE = (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError)


class _AllowListUnpickler(pickle.Unpickler):
    def __init__(self, file, trusted):
        super().__init__(file)
        self.trusted = trusted

    def find_class(self, module, name):
        module, name = resolve(module, name)  # files written by skdeep 0.1.0
        full = f"{module}.{name}"
        if self.trusted is True or full in self.trusted:
            return super().find_class(module, name)
        if (module, name) in _FUNCTIONS:
            return super().find_class(module, name)
        if module == "builtins":
            if name in _BUILTINS:
                return super().find_class(module, name)
        elif (module, name) not in _REFUSED and in_modules(module, _CLASS_MODULES):
            obj = super().find_class(module, name)
            if isinstance(obj, type):
                return obj
            if module == "skdeep.builders" and callable(obj):
                return obj  # the model builders a fitted network's spec names
        raise pickle.UnpicklingError(
            f"the saved estimator refers to {full}, which skdeep does not load by "
            "default (it could run code). If you trust this file, pass "
            f"trusted=[{full!r}] (or trusted=True to allow everything)."
        )


def file_info(path):
    """What a file written by :func:`save` holds, read without loading the estimator.

    Only the file's JSON header is read (nothing is unpickled), so this is
    safe on a file you do not trust.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`skdeep.save`.

    Returns
    -------
    info : dict
        ``'class'`` (the saved object's class), ``'versions'`` (of skdeep,
        scikit-learn, Keras, its backend, NumPy and Python when it was
        saved), ``'format_version'``, ``'payload'`` (``'data'`` or
        ``'pickle'``) and ``'about'`` (what ``save(..., about=...)``
        recorded, or an empty dict).

    Raises
    ------
    ValueError
        If the file is not one of skdeep's, is damaged or was written by a
        newer format.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> import skdeep
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = skdeep.MLPClassifier(solver="lbfgs", random_state=0).fit(X, y)
    >>> path = skdeep.save(clf, os.path.join(tempfile.mkdtemp(), "iris.skdeep"),
    ...                    about={"data": "iris"})
    >>> info = skdeep.file_info(path)
    >>> info["class"], info["about"]
    ('skdeep.MLPClassifier', {'data': 'iris'})
    """
    header, _ = _open(os.fspath(path), keras_ok=False)
    return {"class": header.get("class"), "versions": dict(header.get("versions", {})),
            "format_version": header.get("format_version"),
            "payload": header.get("payload", "pickle"),
            "about": dict(header.get("about") or {})}


def _open(path, keras_ok):
    """``(header, (kind, members))`` of a skdeep file, ``(None, (None, None))`` for a
    Keras file; ``kind`` is ``'data'`` or ``'pickle'``, ``members`` its payload's bytes."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path!r}")
    if os.path.isdir(path):
        raise ValueError(f"{path!r} is a folder, not a file saved by skdeep.save.")
    try:
        archive = zipfile.ZipFile(path)
    except _DAMAGE:
        raise ValueError(
            f"{path!r} is not a file saved by skdeep.save nor a Keras .keras file (not a "
            "zip archive, or a damaged one). A plain pickle can be loaded with pickle.load "
            "-- only if you trust it."
        ) from None
    with archive:
        names = set(archive.namelist())
        if "skdeep.json" not in names and {"config.json", "metadata.json"} <= names:
            if keras_ok:
                return None, (None, None)  # the file's content decides, not its name
            raise ValueError(f"{path!r} is a Keras .keras file (a network alone), not a file "
                             "saved by skdeep.save.")
        data = set(_MEMBERS["data"]) <= names and "estimator.pkl" not in names
        kind = "data" if data else "pickle"
        if "skdeep.json" not in names or not set(_MEMBERS[kind]) <= names:
            raise ValueError(f"{path!r} is a zip archive without the members skdeep.save writes "
                             "(not one of its files, or a damaged one).")
        return _read_members(path, archive, kind)


def load(path, *, trusted=(), allow_pickle=True):
    """Load an estimator saved by :func:`save`, checking it before reading it.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`skdeep.save`, whatever its name ends with.
        A Keras ``.keras`` file (``est.model_.save(...)``) is recognised by
        its content and loaded as a ``keras.Model`` with skdeep's layers
        registered.
    trusted : sequence of str or True, default=()
        Extra ``module.name`` globals the payload may use beyond skdeep's
        allow-list (e.g. ``['__main__.my_model']`` for a KerasClassifier
        built from your function); ``True`` allows everything, as plain
        ``pickle.load`` does -- only for files you trust. Data files need
        no trust: they name no code.
    allow_pickle : bool, default=True
        Whether a file in the pickle format may be loaded; ``False`` loads
        data files only (see :func:`save`'s ``format``), so a file from
        anyone can at worst fail to load.

    Returns
    -------
    estimator : estimator
        The saved estimator, ready to predict.

    Raises
    ------
    ValueError
        If the file is not one of skdeep's (nor a Keras file), is damaged,
        was written by a newer format, or its payload does not match its
        checksum.
    pickle.UnpicklingError
        If the payload refers to something outside the allow-list.
    """
    path = os.fspath(path)
    header, (kind, members) = _open(path, keras_ok=True)
    if header is None:
        if not allow_pickle:
            raise ValueError(f"{path!r} is a Keras .keras file, which Keras may load only "
                             "with code of its own; allow_pickle=False loads data files only.")
        return _load_keras(path)
    if _digest(members, kind) != header.get("sha256"):
        raise ValueError(f"{path!r} was altered after saving: its checksum does not match.")
    _warn_versions(path, header.get("versions", {}))
    if kind == "data":
        from . import _datafile

        try:
            tree = json.loads(members["estimator.json"])
        except (ValueError, RecursionError):
            raise ValueError(f"{path!r} has an unreadable estimator.json.") from None
        try:
            return _datafile.decode(tree, _datafile.read_arrays(members["arrays.npz"]))
        except ValueError as exc:
            raise ValueError(f"{path!r}: {exc}") from None
        except (TypeError, KeyError, AttributeError, IndexError, ImportError,
                RecursionError) as exc:  # a state its class cannot take
            raise ValueError(f"{path!r} holds data skdeep cannot build back "
                             f"({type(exc).__name__}: {exc}).") from None
    if not allow_pickle:
        raise ValueError(f"{path!r} holds a pickle (saved with format='pickle'), and "
                         "allow_pickle=False loads data files only; load it with "
                         "allow_pickle=True only if you trust where it came from.")
    return _AllowListUnpickler(io.BytesIO(members["estimator.pkl"]), trusted).load()


def _read_members(path, archive, kind):
    """The checked header and the ``kind`` payload of a skdeep archive."""
    import zlib

    try:
        raw = archive.read("skdeep.json")
        members = {name: archive.read(name) for name in _MEMBERS[kind]}
    except (*_DAMAGE, zlib.error) as exc:  # CRC, inflate, flags
        raise ValueError(f"{path!r} is damaged ({exc}); it cannot be loaded.") from None
    try:
        header = json.loads(raw)
    except ValueError:  # JSON or UTF-8
        raise ValueError(f"{path!r} has an unreadable skdeep header.") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path!r} is not a file saved by skdeep.save.")
    version = header.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(
            f"{path!r} has an unreadable skdeep header: format_version is {version!r}, "
            "not a whole number."
        )
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{path!r} was written by a newer skdeep "
            f"({header.get('versions', {}).get('skdeep')}, file format "
            f"{version}); this skdeep reads format {FORMAT_VERSION}. "
            "Upgrade skdeep to load it."
        )
    if header.get("payload", "pickle") != kind:
        raise ValueError(f"{path!r} does not hold the payload its header names; it was "
                         "altered after saving.")
    return header, (kind, members)


def _load_keras(path):
    """A Keras ``.keras`` file as a ``keras.Model``, skdeep's layers registered."""
    from ._backend import load as load_backend
    from . import layers  # noqa: F401 - registers skdeep's layers with Keras

    _, keras = load_backend()
    try:
        if path.endswith(".keras"):
            return keras.saving.load_model(path)
        with tempfile.TemporaryDirectory() as folder:  # Keras goes by the suffix
            copy = os.path.join(folder, "model.keras")
            shutil.copyfile(path, copy)
            return keras.saving.load_model(copy)
    except (ValueError, TypeError, KeyError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{path!r} is a Keras file that Keras cannot load: {first}") from None


def _warn_versions(path, saved):
    now = _versions()
    differ = [
        f"{name} {saved[name]} (now {now[name]})"
        for name in ("skdeep", "sklearn", "keras")
        if name in saved and name in now and saved[name] != now[name]
    ]
    if differ:
        warnings.warn(
            f"{path!r} was saved with {', '.join(differ)}; it should load, but check its "
            "predictions before relying on them.", UserWarning, stacklevel=3,
        )
