"""scikeras' spellings, read by the Keras wrappers: the model function's arguments given
to the constructor, and scikeras' names for the training parameters.

A scikeras user changes one import: ``KerasClassifier(build, hidden=32, epochs=20,
optimizer="sgd", optimizer__learning_rate=0.01)`` means ``model_params={"hidden": 32},
max_iter=20, solver="sgd", learning_rate_init=0.01``. A scikeras spelling given in the
constructor or ``set_params`` wins over skdeep's parameter and is stored under
skdeep's name, so ``get_params``, ``clone`` and searches see skdeep's parameters.
"""

import contextlib
import inspect

from sklearn.utils.metaestimators import available_if

from .._training.state import STOCHASTIC_SOLVERS
from .._user_model import loss_name
from .routed import OBJECT_PREFIXES, build_routed, routed_to
from .heads import _stochastic_only

__all__ = ["LOG_LOSSES", "ROUTED", "SCIKERAS_NAMES", "CallKwargsMixin", "ModelParamsMixin",
           "split_scikeras", "subclass_names",
           "with_model_kwargs"]

#: Prefixes routing a parameter to the model function (the second is scikeras').
ROUTED = ("model_params__", "model__")

#: scikeras' own parameter names -> skdeep's (values translated by _scikeras_value).
SCIKERAS_NAMES = {
    "epochs": "max_iter",
    "build_fn": "model",
    "optimizer": "solver",
    "optimizer__learning_rate": "learning_rate_init",
    "optimizer__lr": "learning_rate_init",
    "optimizer__momentum": "momentum",
    "optimizer__nesterov": "nesterovs_momentum",
    "optimizer__beta_1": "beta_1",
    "optimizer__beta_2": "beta_2",
    "optimizer__epsilon": "epsilon",
    "loss": "loss",
}

#: Keras ``fit()`` arguments (also spelt ``fit__<name>`` in the constructor) -> skdeep's.
FIT_NAMES = {"epochs": "max_iter", "batch_size": "batch_size", "verbose": "verbose",
             "callbacks": "callbacks", "validation_split": "validation_split",
             "shuffle": "shuffle", "class_weight": "class_weight"}

#: scikeras / Keras settings that change how Keras runs, never what it computes:
#: accepted, and without effect on skdeep's compiled loop.
NO_EFFECT = {"run_eagerly", "validation_batch_size", "fit__validation_batch_size",
             "predict__batch_size", "predict__verbose", "steps_per_execution",
             "jit_compile"}

#: Keras ``fit()`` arguments skdeep's loop cannot honour, with what to do instead.
REFUSED = {
    "validation_data": "skdeep holds rows of X out: validation_split (the last rows, as "
                       "Keras) or early_stopping=True with validation_fraction",
    "initial_epoch": "warm_start=True or partial_fit continues a fit",
    "steps_per_epoch": "every epoch passes over all rows; set batch_size",
    "validation_steps": "the held-out rows are scored whole",
    "validation_freq": "the held-out rows are scored every epoch",
}

#: scikeras builds an optimizer from these; skdeep's is ``solver`` (SCIKERAS_NAMES).
_UNROUTED = ("optimizer__",)

#: Keras' cross-entropies by name (and class name, lower-case): skdeep's loss, and
#: whether the targets are integer labels (a sparse cross-entropy).
CROSS_ENTROPIES = {
    "binary_crossentropy": ("binary_log_loss", False),
    "binarycrossentropy": ("binary_log_loss", False),
    "categorical_crossentropy": ("log_loss", False),
    "categoricalcrossentropy": ("log_loss", False),
    "sparse_categorical_crossentropy": ("log_loss", True),
    "sparsecategoricalcrossentropy": ("log_loss", True),
}

#: Keras classification losses: what KerasClassifier trains anyway (log-loss).
LOG_LOSSES = frozenset(CROSS_ENTROPIES)


def one_log_loss(loss):
    """Refuse a classifier's ``loss`` other than one Keras cross-entropy."""
    if isinstance(loss, (list, tuple)):
        raise ValueError(
            f"loss={loss!r} is a list of {len(loss)} losses, one per output of a model with "
            "several outputs, whose target_encoder splits y into one array per output; "
            "this classifier has none: give one loss (or leave loss out).")
    if loss_key(loss) not in LOG_LOSSES:
        raise ValueError(
            f"loss={loss!r}: KerasClassifier trains with the log-loss (cross-entropy); "
            "leave loss out, or use KerasRegressor for another loss.")


#: Keras' binary cross-entropy: a regression target in [0, 1] (an autoencoder's pixels)
BCE_NAMES = frozenset(k for k, (loss, _) in CROSS_ENTROPIES.items() if loss == "binary_log_loss")


def loss_key(loss):
    """A loss (name, Keras object or function) as a lower-case name."""
    return str(loss_name(loss)).lower()


SKDEEP_TO_KERAS = {"squared_error": "mean_squared_error",
                    "absolute_error": "mean_absolute_error", "huber": "huber",
                    "poisson": "poisson", "binary_log_loss": "binary_crossentropy"}


def _scikeras_value(name, value, estimator):
    """scikeras' value of ``name`` as skdeep's parameter value (or a ValueError)."""
    if name == "optimizer" and not isinstance(value, str):
        # a keras.optimizers class or instance
        value = value.__name__ if isinstance(value, type) else type(value).__name__
    if name == "optimizer":
        solver = str(value).lower()
        if solver not in STOCHASTIC_SOLVERS:
            raise ValueError(
                f"optimizer={value!r}: skdeep trains with 'sgd', 'adam', 'rmsprop' or "
                "'adagrad' (solver=); pass one of them (with optimizer__learning_rate=...).")
        return solver
    if name == "optimizer__nesterov":
        return bool(value)
    return value


def split_scikeras(kwargs, estimator, own_names=None):
    """``(skdeep parameters, the rest)`` of scikeras-style keyword arguments.

    A name in ``own_names`` (default: the estimator's parameters) is the
    estimator's own and stays in the rest."""
    own, rest = {}, {}
    optimizer = kwargs.get("optimizer")
    if optimizer is not None and not isinstance(optimizer, (str, type)):
        # an optimizer object's settings, unless routed optimizer__ ones say otherwise
        config = optimizer.get_config() if hasattr(optimizer, "get_config") else {}
        for key, value in config.items():
            routed = f"optimizer__{key}"
            if routed in SCIKERAS_NAMES and routed not in kwargs and isinstance(
                    value, (int, float, bool)):
                if isinstance(value, float):
                    value = float(f"{value:.7g}")  # Keras keeps float32: 0.05, not 0.0500000007
                kwargs = {**kwargs, routed: value}
    if own_names is None:
        own_names = set(type(estimator)._get_param_names())
    for key, value in kwargs.items():
        if key in NO_EFFECT:
            continue
        if key.startswith("fit__"):
            own.update(fit_params({key[len("fit__"):]: value}, estimator, "fit__"))
            continue
        if key.startswith(OBJECT_PREFIXES):
            rest[key] = value  # kept in model_params, built at fit (.routed)
            continue
        if key.startswith(_UNROUTED) and key not in SCIKERAS_NAMES:
            raise ValueError(
                f"{key}={value!r}: skdeep builds no optimizer from routed parameters; "
                "its optimizer is solver= with optimizer__learning_rate / momentum / "
                "nesterov / beta_1 / beta_2 / epsilon."
            )
        if key in SCIKERAS_NAMES and key not in own_names:
            own[SCIKERAS_NAMES[key]] = _scikeras_value(key, value, estimator)
        else:
            rest[key] = value
    return own, rest


def fit_params(kwargs, estimator, spelling="fit() got "):
    """skdeep's parameters for Keras ``fit()`` keyword arguments (``epochs=5``), or a
    ValueError naming those skdeep cannot honour."""
    own_names = set(type(estimator)._get_param_names())
    params = {}
    for key, value in kwargs.items():
        if key in NO_EFFECT or f"fit__{key}" in NO_EFFECT:
            continue
        if key in REFUSED:
            raise ValueError(f"{spelling}{key}: skdeep cannot take it; {REFUSED[key]}.")
        name = FIT_NAMES.get(key, key)
        if name not in own_names:
            raise ValueError(
                f"{spelling}{key}, which is neither a Keras fit() argument skdeep takes "
                f"({sorted(FIT_NAMES)}) nor a parameter of {type(estimator).__name__}."
            )
        params[name] = value
    return params


class CallKwargsMixin:
    """Keyword arguments to ``fit``, ``partial_fit`` and ``predict`` as scikeras takes them.

    ``fit(X, y, epochs=5, batch_size=32)`` trains with those settings for
    this call only (scikeras routes them to Keras' ``fit``); the estimator's
    parameters are as they were afterwards.
    """

    @contextlib.contextmanager
    def _call_params(self, kwargs, spelling):
        params = fit_params(kwargs, self, spelling)
        before = {name: getattr(self, name) for name in params}
        for name, value in params.items():
            setattr(self, name, value)
        try:
            yield
        finally:
            for name, value in before.items():
                setattr(self, name, value)

    def fit(self, X, y, sample_weight=None, **kwargs):
        """Fit the model to ``X`` and ``y``; keyword arguments as Keras' ``fit`` takes them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        **kwargs : dict
            Settings for this call only, by Keras' names (``epochs``,
            ``batch_size``, ``validation_split``, ``callbacks``, ``verbose``,
            ``shuffle``, ``class_weight``) or the estimator's own
            (``max_iter``, ``learning_rate_init``, ...).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        with self._call_params(kwargs, "fit() got "):
            return super().fit(X, y, sample_weight=sample_weight)

    @available_if(_stochastic_only)
    def partial_fit(self, X, y, *args, **kwargs):
        """One epoch on ``(X, y)``; keyword arguments as :meth:`fit` takes them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        *args : tuple
            ``classes`` (the classifier) and ``sample_weight``, in the
            order of the head's ``partial_fit``.
        **kwargs : dict
            ``classes`` / ``sample_weight`` by name, and settings for this
            call only as in :meth:`fit` (``epochs`` has no meaning here: one
            epoch runs).

        Returns
        -------
        self : object
            The trained estimator.
        """
        own = {"classes", "sample_weight"}
        fixed = {k: kwargs.pop(k) for k in list(kwargs) if k in own}
        with self._call_params(kwargs, "partial_fit() got "):
            return super().partial_fit(X, y, *args, **fixed)

    def predict(self, X, **kwargs):
        """Predict for ``X``; Keras' ``batch_size`` and ``verbose`` are accepted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        **kwargs : dict
            ``batch_size`` and ``verbose`` (Keras' ``predict`` arguments:
            skdeep predicts in its own chunks, the result is the same), and
            the head's own options (``return_std``).

        Returns
        -------
        y : ndarray
            The predictions (see the class's head).
        """
        return super().predict(X, **_prediction_kwargs(kwargs, "predict"))

    @available_if(lambda est: hasattr(super(CallKwargsMixin, est), "predict_proba"))
    def predict_proba(self, X, **kwargs):
        """Class probabilities for ``X``; Keras' ``batch_size`` and ``verbose`` accepted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        **kwargs : dict
            As in :meth:`predict`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probabilities (classifiers only).
        """
        return super().predict_proba(X, **_prediction_kwargs(kwargs, "predict_proba"))

    def score(self, X, y, sample_weight=None):
        """Accuracy (classifier) or R^2 (regressor), or a subclass' scikeras ``scorer``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The true targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            scikit-learn's score, or ``scorer(y, self.predict(X),
            sample_weight=sample_weight)`` when the class defines a static
            ``scorer`` (scikeras' hook).
        """
        scorer = getattr(type(self), "scorer", None)
        if scorer is None:
            return super().score(X, y, sample_weight=sample_weight)
        return scorer(y, self.predict(X), sample_weight=sample_weight)

    @property
    def initialized_(self):
        """bool: whether ``fit``, ``partial_fit`` or ``initialize`` set the network up,
        so ``predict`` works (scikeras)."""
        return self.__sklearn_is_fitted__()

    @property
    def current_epoch(self):
        """int: epochs trained so far, over warm starts and ``partial_fit`` calls (scikeras)."""
        return len(getattr(self, "loss_curve_", None) or ())


def _prediction_kwargs(kwargs, method):
    allowed = {"batch_size", "verbose"}
    head = {k: v for k, v in kwargs.items() if k not in allowed}
    unknown = [k for k in head if k != "return_std"]
    if unknown:
        raise ValueError(
            f"{method}() got {unknown}: it takes Keras' batch_size and verbose (without "
            "effect on the result) and return_std."
        )
    return head


def with_model_kwargs(model_params, model_kwargs):
    """``model_params`` joined by the constructor's scikeras-style keyword arguments.

    ``hidden=32`` and ``model__hidden=32`` (or ``model_params__hidden=32``)
    give the entry ``'hidden'``; they win over ``model_params``' own. Without
    any, ``model_params`` is returned as it was given (``clone`` checks that
    the constructor stores its arguments unchanged).
    """
    if not model_kwargs:
        return model_params
    routed = {}
    for key, value in model_kwargs.items():
        for prefix in ROUTED:
            if key.startswith(prefix):
                key = key[len(prefix):]
                break
        routed[key] = value
    base = model_params if isinstance(model_params, dict) else {}
    return {**base, **routed}


def _skdeep_init(klass):
    return klass.__init__.__module__.startswith("skdeep.")


def _init_names(klass):
    """The named parameters of ``klass.__init__``, and whether it takes ``**kwargs``."""
    parameters = list(inspect.signature(klass.__init__).parameters.values())[1:]
    named = [p.name for p in parameters if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
    return named, any(p.kind is p.VAR_KEYWORD for p in parameters)


def _init_chain(cls):
    """``(names, wrapper's)``: the parameters a wrapper subclass' own ``__init__`` (and
    its parents') declare, and those of skdeep's wrapper ``__init__`` that the chain
    passes ``**kwargs`` on to (None when an ``__init__`` without them ends it)."""
    names = []
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        named, passes_on = _init_names(klass)
        if _skdeep_init(klass):
            return names, named
        names += [n for n in named if n not in names]
        if not passes_on:
            return names, None
    return names, None


def subclass_names(cls):
    """The parameters a wrapper subclass' own ``__init__`` (and its parents') declare."""
    return _init_chain(cls)[0]


class ModelParamsMixin:
    """``get_params`` / ``set_params`` of the Keras wrappers: ``model_params`` entries as
    ``model_params__<name>`` (``model__<name>``, bare names) and scikeras' spellings.

    A subclass written as scikeras' tutorials write them -- its own ``__init__``
    taking some parameters and passing ``**kwargs`` to the wrapper's -- has
    all of them as parameters: its own (those it stores) and the wrapper's,
    so ``clone`` and searches keep every one. scikeras' names ``epochs`` and
    ``optimizer`` read and write ``max_iter`` and ``solver``.
    """

    @classmethod
    def _get_param_names(cls):
        names, wrapper = _init_chain(cls)
        return sorted(set(names) | set(wrapper or ()))

    @property
    def epochs(self):
        """scikeras' name of ``max_iter``."""
        return self.max_iter

    @epochs.setter
    def epochs(self, value):
        self.max_iter = value

    @property
    def optimizer(self):
        """scikeras' name of ``solver`` (a Keras optimizer class or instance is read
        as its solver and, for an instance, its settings)."""
        return self.solver

    @optimizer.setter
    def optimizer(self, value):
        if value in (*STOCHASTIC_SOLVERS, "lbfgs"):
            self.solver = value  # kept as given: clone checks identity
        else:
            own, _ = split_scikeras({"optimizer": value}, self, own_names=())
            for name, translated in own.items():
                setattr(self, name, translated)

    def get_params(self, deep=True):
        """Get the parameters; with ``deep``, also ``model_params__<name>`` entries.

        Parameters
        ----------
        deep : bool, default=True
            Also list each entry of ``model_params`` as
            ``model_params__<name>``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        declared = set(subclass_names(type(self)))
        params = {}
        for key in self._get_param_names():
            if key in declared and not hasattr(self, key):
                continue  # declared by a subclass' __init__ but never stored (scikeras' rule)
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            params[key] = value
        if deep and isinstance(self.model_params, dict):
            for key, value in self.model_params.items():
                params[ROUTED[0] + key] = value
        return params

    def set_params(self, **params):
        """Set parameters; ``model_params__<name>`` (or ``model__<name>``) sets one argument.

        Parameters
        ----------
        **params : dict
            Estimator parameters. ``model_params__hidden=32`` -- or
            scikeras' spellings ``model__hidden=32`` and ``hidden=32`` (a
            name the estimator does not take) -- replaces the entry
            ``'hidden'`` of ``model_params`` (so GridSearchCV can search it).

        Returns
        -------
        self : object
            The estimator.
        """
        scikeras, params = split_scikeras(params, self)
        params = {**params, **scikeras}  # scikeras' spelling wins
        routed = {}
        valid = self._get_param_names()
        for key in list(params):
            for prefix in ROUTED:
                if key.startswith(prefix):
                    routed[key[len(prefix):]] = params.pop(key)
                    break
            else:
                if key.startswith(OBJECT_PREFIXES):
                    routed[key] = params.pop(key)  # callbacks__monitor: built at fit
                    continue
                if key.split("__", 1)[0] not in valid:
                    # as in the constructor: a name the estimator does not take is
                    # the model function's (scikeras' rule)
                    routed[key] = params.pop(key)
        if "model_params" in params:
            super().set_params(model_params=params.pop("model_params"))
        if routed:
            current = self.model_params if isinstance(self.model_params, dict) else {}
            self.model_params = {**current, **routed}
        return super().set_params(**params)

    def _routed_params(self):
        """The model function's arguments: ``model_params`` less the routed object
        parameters it keeps (``callbacks__monitor``, see :mod:`.routed`)."""
        routed = self.model_params or {}
        if not isinstance(routed, dict):
            raise ValueError(
                f"model_params must be a dict of arguments for model, got "
                f"{type(routed).__name__}."
            )
        return {k: v for k, v in routed.items() if not k.startswith(OBJECT_PREFIXES)}

    def _built(self, name):
        """The ``callbacks``, ``metrics`` or ``loss`` parameter with its classes built
        from their routed parameters (fresh objects each call)."""
        return build_routed(getattr(self, name), routed_to(self.model_params, name), name)
