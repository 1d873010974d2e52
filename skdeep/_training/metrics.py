"""Keras metrics in every epoch's logs and in ``history_`` (Keras' and scikeras' ``metrics=``).

:class:`MetricsHook` evaluates the network on the call's training rows (and
held-out rows, with the ``val_`` prefix) after each epoch and adds each
metric's value to the epoch's logs -- so Keras callbacks can monitor them --
and to the fit state's curves, which become ``history_`` entries.  A fit
without metrics has no such hook and pays nothing.

Keras averages a metric over the epoch's batches while the weights move; the
hook measures the weights the epoch ends with, on all the rows (what a
``model.evaluate`` after the epoch would report).
"""

import numpy as np

from .._backend import load
from .hooks import EpochHook

__all__ = ["MetricsHook", "metric_names", "resolve_metrics"]

#: Strings Keras' ``compile`` reads as accuracy matched to the target's shape.
_ACCURACY = ("accuracy", "acc")


def class_metric_name(cls):
    """Keras' default name of a metric class (``AUC`` -> 'auc', ``R2Score`` ->
    'r2_score'), without the number Keras adds to a second instance's name."""
    import re

    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", cls.__name__))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _name(metric):
    if isinstance(metric, str):
        return metric
    if isinstance(metric, type):
        return class_metric_name(metric)
    name = getattr(metric, "name", None) or getattr(metric, "__name__", None)
    if not name:
        raise ValueError(
            f"metrics entry {metric!r} has no name; give a Keras metric name ('mae', "
            "'AUC'), a keras.metrics.Metric, or a function f(y_true, y_pred)."
        )
    return name


def metric_names(metrics):
    """The log names of ``metrics`` (a name, a metric or function, or a list of them).

    Parameters
    ----------
    metrics : str, callable, keras.metrics.Metric, list of them, or None
        The ``metrics`` parameter.

    Returns
    -------
    names : tuple of str
        One per metric: a string as given, a metric's ``name``, a
        function's ``__name__``.
    """
    if metrics is None:
        return ()
    if isinstance(metrics, (str, dict)) or not isinstance(metrics, (list, tuple)):
        metrics = [metrics]
    names = tuple(_name(m) for m in metrics)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"metrics names {repeated} more than once; give each metric once.")
    return names


def _accuracy(Y, output):
    """Keras' ``'accuracy'``: binary (per unit, at 0.5) unless one-hot targets."""
    one_hot = Y.shape[1] > 1 and np.allclose(Y.sum(axis=1), 1.0)
    if one_hot:
        return float(np.mean(np.argmax(output, axis=1) == np.argmax(Y, axis=1)))
    return float(np.mean((output > 0.5) == (Y > 0.5)))


def _keras_metric(metric, keras):
    """A function ``(Y, output) -> float`` computing one Keras metric afresh."""
    if isinstance(metric, type):
        metric = metric(name=class_metric_name(metric))
    elif isinstance(metric, str):
        try:
            metric = keras.metrics.get(metric)
        except ValueError:
            raise ValueError(
                f"metrics: Keras knows no metric {metric!r}; give a name from "
                "keras.metrics ('mae', 'mse', 'AUC', 'precision', ...), a "
                "keras.metrics.Metric, or a function f(y_true, y_pred)."
            ) from None
    if isinstance(metric, keras.metrics.Metric):
        template = metric

        def compute(Y, output):
            fresh = type(template).from_config(template.get_config())
            fresh.update_state(Y, output)
            return float(keras.ops.convert_to_numpy(fresh.result()))

        return compute

    def average(Y, output):
        values = keras.ops.convert_to_numpy(metric(Y, output))
        return float(np.mean(values))

    return average


def resolve_metrics(metrics):
    """``[(name, compute)]`` for the ``metrics`` parameter; ``compute(Y, output)``.

    Parameters
    ----------
    metrics : str, callable, keras.metrics.Metric, list of them, or None
        The ``metrics`` parameter.

    Returns
    -------
    list of (str, callable)
        Each metric's log name and a function of the encoded targets and
        the network's outputs (probabilities for classifiers).
    """
    names = metric_names(metrics)
    if not names:
        return []
    if isinstance(metrics, str) or not isinstance(metrics, (list, tuple)):
        metrics = [metrics]
    _, keras = load()
    resolved = []
    for name, metric in zip(names, metrics):
        if isinstance(metric, str) and metric in _ACCURACY:
            resolved.append((name, _accuracy))
        else:
            resolved.append((name, _keras_metric(metric, keras)))
    return resolved


class MetricsHook(EpochHook):
    """Adds metrics to each epoch's logs and the fit state's ``metric_curves``.

    Parameters
    ----------
    metrics : list of (str, callable)
        From :func:`resolve_metrics`.
    """

    def __init__(self, metrics):
        self.metrics = metrics
        self._tensors = {}

    def on_train_begin(self, loop):
        """Put the call's rows on the engine once."""
        self._tensors = {prefix: loop.engine.tensors(*rows)
                         for prefix, rows in loop.datasets.items()}
        if loop.state.metric_curves is None:
            loop.state.metric_curves = {}

    def on_epoch_end(self, loop, logs):
        """Measure every metric on every set of rows; never stops training."""
        if loop.iterate is not None:  # L-BFGS: the variables hold the last evaluation
            loop.engine.set_weights(loop.current_weights(), object())
        curves = loop.state.metric_curves
        for prefix, rows in loop.datasets.items():
            output, _ = loop.engine.evaluate(*self._tensors[prefix], loop.config.penalties)
            output = np.asarray(output)[: rows[1].shape[0]]
            for name, compute in self.metrics:
                value = compute(rows[1], output) if np.isfinite(output).all() else np.nan
                logs[prefix + name] = value
                curves.setdefault(prefix + name, []).append(value)
        return False
