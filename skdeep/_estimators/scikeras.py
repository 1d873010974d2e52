"""scikeras' spellings, read by the Keras wrappers: the model function's arguments given
to the constructor, and scikeras' names for the training parameters.

A scikeras user changes one import: ``KerasClassifier(build, hidden=32, epochs=20,
optimizer="sgd", optimizer__learning_rate=0.01)`` means ``model_params={"hidden": 32},
max_iter=20, solver="sgd", learning_rate_init=0.01``. A scikeras spelling given in the
constructor or ``set_params`` wins over skdeep's parameter and is stored under
skdeep's name, so ``get_params``, ``clone`` and searches see skdeep's parameters.
"""

__all__ = ["ROUTED", "SCIKERAS_NAMES", "ModelParamsMixin", "split_scikeras", "with_model_kwargs"]

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

#: Keras classification losses: what KerasClassifier trains anyway (log-loss).
_LOG_LOSSES = {"categorical_crossentropy", "sparse_categorical_crossentropy",
               "binary_crossentropy", "categoricalcrossentropy",
               "sparsecategoricalcrossentropy", "binarycrossentropy"}


def _scikeras_value(name, value, estimator):
    """scikeras' value of ``name`` as skdeep's parameter value (or a ValueError)."""
    if name == "optimizer" and not isinstance(value, str):
        # a keras.optimizers class or instance
        value = value.__name__ if isinstance(value, type) else type(value).__name__
    if name == "optimizer":
        solver = str(value).lower()
        if solver not in ("sgd", "adam", "rmsprop", "adagrad"):
            raise ValueError(
                f"optimizer={value!r}: skdeep trains with 'sgd', 'adam', 'rmsprop' or "
                "'adagrad' (solver=); pass one of them (with optimizer__learning_rate=...).")
        return solver
    if name == "loss":  # the classifier's (the regressor has its own loss parameter)
        key = value if isinstance(value, str) else type(value).__name__
        if str(key).lower() in _LOG_LOSSES:
            return None  # the log-loss KerasClassifier trains anyway
        raise ValueError(
            f"loss={value!r}: KerasClassifier trains with the log-loss (cross-entropy); "
            "leave loss out, or use KerasRegressor for another loss.")
    if name == "optimizer__nesterov":
        return bool(value)
    return value


def split_scikeras(kwargs, estimator):
    """``(skdeep parameters, the rest)`` of scikeras-style keyword arguments."""
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
    own_names = set(type(estimator)._get_param_names())
    for key, value in kwargs.items():
        if key in SCIKERAS_NAMES and key not in own_names:  # the regressor's loss is its own
            translated = _scikeras_value(key, value, estimator)
            if not (key == "loss" and translated is None):
                own[SCIKERAS_NAMES[key]] = translated
        else:
            rest[key] = value
    return own, rest


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


class ModelParamsMixin:
    """``get_params`` / ``set_params`` of the Keras wrappers: ``model_params`` entries as
    ``model_params__<name>`` (``model__<name>``, bare names) and scikeras' spellings."""

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
        params = super().get_params(deep=deep)
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
        routed = self.model_params or {}
        if not isinstance(routed, dict):
            raise ValueError(
                f"model_params must be a dict of arguments for model, got "
                f"{type(routed).__name__}."
            )
        return routed
