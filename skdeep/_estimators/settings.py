"""Parameters in, settings out: the training configuration, the model spec, rates, checks.

:class:`SettingsMixin` turns an estimator's parameters into what the layers
below take -- a :class:`~skdeep._training.state.TrainingConfig` for the epoch
loop, a :class:`~skdeep._engine.spec.ModelSpec` for the engines, the dropout
and DropConnect rates as weights, a placement for ``distribution`` -- and
refuses settings that cannot train.
"""

import dataclasses
from numbers import Integral, Real

import numpy as np

from .._activations import ACTIVATIONS, THRESHOLD_ACTIVATIONS
from .._engine.backend import resolve_placement
from .._engine.spec import PENALTIES, ModelSpec
from .._private import Interval, Options, StrOptions, num_samples
from .._training.state import STOCHASTIC_SOLVERS, TrainingConfig
from ..builders import _per_layer

__all__ = ["STOCHASTIC_SOLVERS", "SettingsMixin", "positive_ints"]

_RATE = [Interval(Real, 0, 1, closed="left"), "array-like"]

#: Parameters named like a field of TrainingConfig feed it.
_CONFIG_FIELDS = tuple(f.name for f in dataclasses.fields(TrainingConfig))
_CONFIG_PARAMS = {}  # estimator class -> its parameters among _CONFIG_FIELDS


def positive_ints(value, name, allow_empty=True):
    """``value`` (an int or a sequence of ints) as a tuple of positive ints.

    Floats (``2.5``, even ``4.0``), strings and bools are refused, as
    scikit-learn refuses them for ``hidden_layer_sizes``.
    """
    items = value if hasattr(value, "__iter__") and not isinstance(value, str) else [value]
    items = list(items)
    bad = [v for v in items if isinstance(v, (bool, np.bool_)) or not isinstance(v, Integral)]
    if bad or any(v <= 0 for v in items) or (not items and not allow_empty):
        what = ("a positive integer or a tuple of positive integers" if allow_empty
                else "one or more positive integers")
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    return tuple(int(v) for v in items)


class SettingsMixin:
    """Parameters -> training configuration, model spec, rates, placement (a mixin)."""

    _parameter_constraints = {
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", *STOCHASTIC_SOLVERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto", "full"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        # np.inf turns the no-improvement stop off, as in scikit-learn 1.9
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "output_activation": [None, StrOptions(set(ACTIVATIONS))],
        "l1": [Interval(Real, 0, None, closed="left")],
        "activity_l1": [Interval(Real, 0, None, closed="left")],
        "activity_l2": [Interval(Real, 0, None, closed="left")],
        "dropout": _RATE,
        "dropconnect": _RATE,
        "batch_normalization": ["boolean"],
        "mc_samples": [Interval(Integral, 2, None, closed="left")],
        "min_grad_norm": [Interval(Real, 0, None, closed="left")],
        "kernel_initializer": [None, str],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [None, list, tuple],
        # resolved at fit time by skdeep._engine.distribution (strings, device lists,
        # backend objects), which raises a ValueError naming what it accepts
        "distribution": "no_validation",
        "precision": [StrOptions({"auto", "float32", "float64"})],
    }

    #: Whether ``max_iter`` is a planned number of epochs (a schedule's length)
    #: rather than a cap: reaching it then raises no ConvergenceWarning.
    _epoch_budget = False

    #: Rows of ``batch_size='auto'``: scikit-learn's 200 for the MLPs; the
    #: sequence and image networks take Keras' 32.
    _auto_batch_size = 200

    def _training_config(self, incremental=False):
        """How a ``fit`` (``partial_fit`` when ``incremental``) trains (hook).

        Every parameter named like a :class:`TrainingConfig` field feeds it;
        a family without such a parameter trains with the field's default
        (scikit-learn's MLP defaults).  Families override it to fix settings.
        """
        values = {name: getattr(self, name) for name in self._config_params()}
        return TrainingConfig(
            **values, auto_batch_size=self._auto_batch_size, epoch_budget=self._epoch_budget,
            penalties=self._penalty_values(),
            validation_score_name=getattr(self, "_validation_score_name", None),
        )

    @classmethod
    def _config_params(cls):
        """The parameters of ``cls`` that feed a TrainingConfig field (cached:
        reading ``__init__``'s signature costs about as much as a small epoch)."""
        names = _CONFIG_PARAMS.get(cls)
        if names is None:
            declared = set(cls._get_param_names())
            names = _CONFIG_PARAMS[cls] = tuple(f for f in _CONFIG_FIELDS if f in declared)
        return names

    def _planned_epochs(self, X):
        """The most epochs (L-BFGS iterations) a ``fit`` on ``X`` may run."""
        return self._training_config().planned_epochs(num_samples(X))

    def _hidden_sizes(self):
        return positive_ints(self.hidden_layer_sizes, "hidden_layer_sizes")

    def _penalty_values(self):
        """Strengths of the penalties, in :data:`skdeep._engine.spec.PENALTIES` order."""
        return tuple(float(getattr(self, name, 0.0)) for name in PENALTIES)

    def _make_spec(self, builder, builder_kwargs, input_shape, n_outputs, dtype, loss):
        """A :class:`~skdeep._engine.spec.ModelSpec` with this estimator's training settings."""
        penalties = []
        if getattr(self, "l1", 0.0) > 0:
            penalties.append("l1")
        if getattr(self, "activity_l1", 0.0) > 0 or getattr(self, "activity_l2", 0.0) > 0:
            penalties.append("activity")
        return ModelSpec(
            builder=builder,
            builder_kwargs=tuple(builder_kwargs),
            input_shape=tuple(None if d is None else int(d) for d in input_shape),
            n_outputs=int(n_outputs),
            dtype=dtype,
            loss=loss,
            optimizer=self._training_config().optimizer,
            penalties=tuple(penalties),
            track_grad_norm=getattr(self, "min_grad_norm", 0.0) > 0,
        )

    def _layer_rates(self):
        """``{variable path: rate}`` for the dropout / DropConnect rate variables.

        Rates are weights, not part of the compiled graph, so a grid over
        them shares one trace; the builder only fixes which layers have one.
        """
        n_hidden = len(self._hidden_sizes())
        rates = {}
        for param, prefix in (("dropout", "dropout"), ("dropconnect", "hidden")):
            values = _per_layer(getattr(self, param, 0.0), n_hidden, param)
            for i, rate in enumerate(values):
                rates[f"{prefix}_{i}/rate"] = rate
                if prefix == "hidden":
                    rates[f"dense_{i}/rate"] = rate  # DropConnect under batch norm
        return rates

    def _present_rates(self, prefix):
        """Builder argument saying which hidden layers have a ``prefix`` rate.

        Only *which* layers drop is architecture (0.5 marks one); the rates
        themselves are weights set by :meth:`_apply_rates`.
        """
        rates = self._layer_rates()
        return tuple(
            0.5 if rates.get(f"{prefix}_{i}/rate", 0) > 0 else 0.0
            for i in range(len(self._hidden_sizes()))
        )

    def _apply_rates(self, weights):
        rates = self._layer_rates()
        for i, path in enumerate(self._variable_paths):
            if path.endswith("/rate"):
                weights[i] = np.asarray(rates[path], dtype=weights[i].dtype)
        return weights

    def _check_trainable(self, config):
        for param in ("activation", "output_activation"):
            value = getattr(self, param, None)
            if value in THRESHOLD_ACTIVATIONS:
                raise ValueError(
                    f"{param}={value!r} has a zero gradient, so the network cannot be "
                    "trained with it. To predict with given weights (as in the course's "
                    "exercise), call initialize(X, y), assign coefs_ and intercepts_, "
                    "then predict."
                )
        stochastic = any(r > 0 for r in self._layer_rates().values())
        if not config.stochastic and stochastic:
            raise ValueError(
                "dropout and dropconnect make the loss random, which L-BFGS's line "
                "search cannot handle; use a stochastic solver ('adam', 'sgd', ...) or "
                "set dropout=0 and dropconnect=0."
            )

    def _check_same_architecture(self):
        """warm_start / partial_fit: refuse parameter changes that alter the network."""
        built = self._spec.builder_kwargs
        spec = self._model_spec(
            self._spec.input_shape, self.n_outputs_, self._spec.dtype, self._spec.loss
        )
        if spec.builder_kwargs != built:
            changed = sorted(
                k for (k, old), (_, new) in zip(built, spec.builder_kwargs) if old != new
            )
            raise ValueError(
                "warm_start and partial_fit continue the fitted network, whose "
                "architecture was fixed by the first fit; these settings changed it: "
                f"{changed}. Set warm_start=False to train a new architecture "
                "(dropout and dropconnect rates may change, but not from or to 0)."
            )
        self._spec = spec

    def _placement(self, config):
        """The devices this fit trains on data-parallel (``distribution``), or None."""
        distribution = getattr(self, "distribution", None)
        placement = None
        if distribution is not None:
            if not config.stochastic:
                raise ValueError(
                    "distribution trains with minibatch steps shared by several devices; "
                    "solver='lbfgs' takes full-batch steps on one device. Use a stochastic "
                    "solver ('adam', 'sgd', ...) or distribution=None."
                )
            placement = resolve_placement(distribution)
        self.devices_ = None if placement is None else list(placement.devices)
        return placement
