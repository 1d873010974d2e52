"""Every private API of TensorFlow, Keras and scikit-learn that skdeep still uses.

Public APIs come first; these remain because no public one does the job.
Each is used only through this module, and :data:`PRIVATE_APIS` lists them
with the reason and a probe that ``tests/test_private.py`` runs, so an
upgrade that moves or removes one fails a test by name instead of breaking
a fit somewhere.  A leaf: TensorFlow, Keras and scikit-learn are imported
by the functions that need them.
"""

import dataclasses
from typing import Callable

import numpy as np

# scikit-learn's parameter-constraint objects: how scikit-learn's own estimators
# and every compatible library declare _parameter_constraints (its developer
# guide's way); there is no public module for them.
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, _check_y, _num_samples

__all__ = [
    "PRIVATE_APIS", "Interval", "Options", "StrOptions", "build_without_random_initializers",
    "check_method_params", "check_sample_weight", "check_y", "clear_tensorflow_kernel_cache",
    "flatten_layers", "inside_sklearn_validation", "num_samples", "safe_split",
    "search_splitter", "set_search_splitter",
]


@dataclasses.dataclass(frozen=True)
class PrivateAPI:
    """One private API skdeep relies on.

    Parameters
    ----------
    library : str
        ``'tensorflow'``, ``'keras'`` or ``'scikit-learn'``.
    name : str
        What is used.
    used_for : str
        Where and why skdeep needs it.
    why_private : str
        Why no public API does the job.
    probe : callable
        Returns True while the private API is there as skdeep uses it.
    backend : str or None, default=None
        The Keras backend the probe needs (None: any).
    """

    library: str
    name: str
    used_for: str
    why_private: str
    probe: Callable
    backend: str = None


# ---------------------------------------------------------------------- scikit-learn
check_sample_weight = _check_sample_weight
check_y = _check_y
num_samples = _num_samples


def safe_split(estimator, X, y, indices):
    """``sklearn.utils.metaestimators._safe_split``: a fold's rows, as scikit-learn's
    search takes them (pairwise estimators get the kernel's sub-block)."""
    from sklearn.utils.metaestimators import _safe_split

    return _safe_split(estimator, X, y, indices)


def check_method_params(X, params, indices):
    """``sklearn.utils.validation._check_method_params``: fit parameters of a fold."""
    from sklearn.utils.validation import _check_method_params

    return _check_method_params(X, params=params, indices=indices)


def search_splitter(search):
    """The checked cross-validation splitter a scikit-learn search's ``fit`` made,
    or None (scikit-learn < 1.9 keeps it in a local variable)."""
    return getattr(search, "_checked_cv_orig", None)


def set_search_splitter(search, splitter):
    """Make a scikit-learn search's ``fit`` use ``splitter`` for its own pass."""
    search._checked_cv_orig = splitter


def inside_sklearn_validation(max_depth=60):
    """Whether the caller runs inside scikit-learn's cross-validation or a search.

    Looked up only on Ctrl-C: there the interrupt must stop the whole search
    (scikit-learn's ``_fit_and_score`` lets a KeyboardInterrupt through)
    instead of scoring a candidate whose training was cut short.  Walks the
    stack (``inspect.currentframe``) for that private function's frame.
    """
    import inspect

    frame = inspect.currentframe()
    frame = frame.f_back if frame is not None else None
    for _ in range(max_depth):
        if frame is None:
            return False
        if frame.f_code.co_name == "_fit_and_score" and frame.f_globals.get(
                "__name__", "").startswith("sklearn."):
            return True
        frame = frame.f_back
    return False


def _probe_fit_and_score():
    from sklearn.model_selection import _validation

    return callable(getattr(_validation, "_fit_and_score", None))


def _probe_splitter():
    import sklearn.model_selection as ms
    from sklearn.dummy import DummyClassifier

    search = ms.GridSearchCV(DummyClassifier(), {"strategy": ["prior"]}, cv=2)
    search.fit(np.zeros((4, 1)), [0, 1, 0, 1])
    return hasattr(search._checked_cv_orig, "split")


def _probe_signature(module, name, parameters):
    def probe():
        import importlib
        import inspect

        function = getattr(importlib.import_module(module), name)
        return list(inspect.signature(function).parameters)[: len(parameters)] == parameters

    return probe


# ---------------------------------------------------------------------- Keras
def flatten_layers(model):
    """Every layer of ``model``, nested ones included (Keras'
    ``Layer._flatten_layers``; ``model.layers`` lists only the top level)."""
    return list(model._flatten_layers(include_self=False, recursive=True))


def build_without_random_initializers(make):
    """Run ``make`` (a model or optimizer build) without its random initializers.

    On JAX each Keras initializer call compiles a random-number program per
    shape -- about 0.1-0.3 s a layer -- although skdeep draws every random
    initial value again from ``random_state`` before training.  So the
    build runs with its variables' initialization deferred (inside a
    ``StatelessScope``), random ones are set to zeros and deterministic ones
    (zeros, ones, an LSTM's forget bias) run as usual.  Falls back to a
    plain build if Keras refuses.
    """
    import keras

    try:
        from keras.src.backend.common import global_state
    except ImportError:  # pragma: no cover - Keras reorganised its internals
        return make()
    key = "uninitialized_variables"
    before = list(global_state.get_global_attribute(key, []) or [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            result = make()
        pending = [
            v for v in (global_state.get_global_attribute(key, []) or [])
            if not any(v is b for b in before)
        ]
        global_state.set_global_attribute(key, before)
        for v in pending:
            initializer = v._initializer
            config = initializer.get_config() if hasattr(initializer, "get_config") else {}
            name = type(initializer).__name__
            if "seed" in config or name == "Zeros":
                v._initializer = lambda shape, dtype: np.zeros(shape, dtype)
            elif name == "Ones":
                v._initializer = lambda shape, dtype: np.ones(shape, dtype)
            v._deferred_initialize()
    except Exception:  # noqa: BLE001 - any refusal: build the plain way
        global_state.set_global_attribute(key, before)
        return make()
    return result


def _probe_flatten_layers():
    import keras

    inner = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    outer = keras.Sequential([keras.Input((2,)), inner])
    names = [type(layer).__name__ for layer in flatten_layers(outer)]
    return "Sequential" in names and "Dense" in names  # the nested model and its layer


def _probe_deferred_initialization():
    import keras
    from keras.src.backend.common import global_state

    with keras.StatelessScope(initialize_variables=False):
        variable = keras.Variable(initializer="ones", shape=(2,))
    pending = global_state.get_global_attribute("uninitialized_variables", []) or []
    found = any(v is variable for v in pending)
    global_state.set_global_attribute(
        "uninitialized_variables", [v for v in pending if v is not variable])
    return (found and hasattr(variable, "_initializer")
            and callable(getattr(variable, "_deferred_initialize", None)))


def _probe_callback_module():
    import keras

    return keras.callbacks.EarlyStopping.__module__.startswith("keras.src.callbacks")


# ---------------------------------------------------------------------- TensorFlow
def clear_tensorflow_kernel_cache():
    """Drop the TensorFlow eager context's kernel cache, if TensorFlow runs.

    Each traced function's instantiated kernels (~1 MB per architecture)
    stay there after the function is gone; live engines re-instantiate
    theirs on their next call.  Skipped if the private API goes away.
    """
    import sys

    if "tensorflow" not in sys.modules:
        return
    from tensorflow.python.eager import context

    clear = getattr(context.context(), "clear_kernel_cache", None)
    if clear is not None:
        clear()


def _probe_kernel_cache():
    from tensorflow.python.eager import context

    return callable(getattr(context.context(), "clear_kernel_cache", None))


#: What skdeep uses that is not public, and why.
PRIVATE_APIS = (
    PrivateAPI(
        "scikit-learn", "sklearn.utils._param_validation (Interval, Options, StrOptions)",
        "every estimator's _parameter_constraints",
        "scikit-learn's documented way for compatible estimators to declare their "
        "parameters; the classes live in a private module",
        lambda: all(callable(c) for c in (Interval, Options, StrOptions)),
    ),
    PrivateAPI(
        "scikit-learn", "sklearn.utils.validation._check_sample_weight",
        "fit: sample_weight validated and cast as scikit-learn's own estimators do",
        "no public function validates sample weights against X",
        _probe_signature("sklearn.utils.validation", "_check_sample_weight",
                         ["sample_weight", "X"]),
    ),
    PrivateAPI(
        "scikit-learn", "sklearn.utils.validation._check_y",
        "the target of a list of sequences (X is padded by skdeep) is validated as "
        "validate_data validates y",
        "validate_data and check_X_y need X as an array; no public call checks y alone",
        _probe_signature("sklearn.utils.validation", "_check_y", ["y"]),
    ),
    PrivateAPI(
        "scikit-learn", "sklearn.utils.validation._num_samples",
        "the step budget counts the rows of any input (arrays, frames, lists of "
        "sequences, sparse matrices) before validation",
        "no public function counts samples of every input kind",
        _probe_signature("sklearn.utils.validation", "_num_samples", ["x"]),
    ),
    PrivateAPI(
        "scikit-learn", "sklearn.utils.metaestimators._safe_split",
        "the grouped search takes each fold's rows exactly as scikit-learn's search does",
        "the public _safe_indexing does not cut pairwise (kernel) inputs",
        _probe_signature("sklearn.utils.metaestimators", "_safe_split",
                         ["estimator", "X", "y", "indices"]),
    ),
    PrivateAPI(
        "scikit-learn", "sklearn.utils.validation._check_method_params",
        "the grouped search gives each fold's fit its slice of the fit parameters",
        "no public function slices fit parameters per fold",
        _probe_signature("sklearn.utils.validation", "_check_method_params",
                         ["X", "params"]),
    ),
    PrivateAPI(
        "scikit-learn", "BaseSearchCV._checked_cv_orig",
        "the grouped search splits once and hands scikit-learn's pass the same splits "
        "(one-time iterables and unseeded shuffles would differ on a second split)",
        "scikit-learn 1.9 keeps the checked splitter in this attribute only",
        _probe_splitter,
    ),
    PrivateAPI(
        "scikit-learn", "sklearn.model_selection._validation._fit_and_score (its name)",
        "Ctrl-C inside cross-validation or a search stops it instead of scoring a fit "
        "cut short (inside_sklearn_validation finds that frame on the stack)",
        "scikit-learn tells an estimator nothing about being cross-validated",
        _probe_fit_and_score,
    ),
    PrivateAPI(
        "keras", "Layer._flatten_layers",
        "initial weights per layer initializer; the dropout layers of nested models; "
        "whether a JAX network convolves",
        "model.layers lists only the top level; no public walk over nested layers",
        _probe_flatten_layers,
    ),
    PrivateAPI(
        "keras", "keras.src.backend.common.global_state, Variable._initializer, "
                 "Variable._deferred_initialize",
        "JAX engines build without compiling a random program per variable "
        "(build_without_random_initializers)",
        "Keras has no public switch to build a model without running its initializers",
        _probe_deferred_initialization,
    ),
    PrivateAPI(
        "keras", "keras.src.callbacks (module path)",
        "skdeep.load's allow-list admits Keras callbacks pickled with an estimator by "
        "the module their classes live in",
        "pickles name the defining module, which is Keras' private package",
        _probe_callback_module,
    ),
    PrivateAPI(
        "tensorflow", "tensorflow.python.eager.context.context().clear_kernel_cache",
        "bounded memory over a long search: kernels of deleted functions are dropped",
        "TensorFlow has no public call that frees the eager kernel cache",
        _probe_kernel_cache, backend="tensorflow",
    ),
)
