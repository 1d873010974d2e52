"""Keras loss objects that skdeep would train as something else: refused by name.

skdeep trains a loss by its name; a Keras loss object may carry settings that
change what it computes (``label_smoothing``, Huber's ``delta``, a
``reduction``). :func:`check_loss_arguments` compares such an object with a
default one of its class, so these settings are named instead of dropped,
whether given to a wrapper or compiled into the user's model.
"""

import numpy as np

__all__ = ["check_loss_arguments"]

#: A Keras loss's settings that do not change what skdeep computes: its name and
#: dtype, and ``from_logits`` (skdeep reads the last layer).
_NEUTRAL = {"name", "dtype", "from_logits"}


def check_loss_arguments(loss):
    """Refuse a Keras loss object whose settings change its arithmetic.

    skdeep trains a loss by its name (``'binary_crossentropy'``, ``Huber``),
    so a ``label_smoothing``, a Huber ``delta`` or a ``reduction`` other
    than Keras' default would be dropped silently; they are named instead.
    The object is compared with a default one of its class (``from_logits``
    kept: skdeep reads the last layer): by its configuration, then by its
    values on a few probe batches (Huber's ``delta`` is in no configuration).
    Strings, functions, classes and objects at their defaults pass.

    Parameters
    ----------
    loss : object
        A loss as given (or built from routed parameters), or a list of them.
    """
    for item in (loss if isinstance(loss, (list, tuple)) else [loss]):
        if isinstance(item, type) or not hasattr(item, "get_config"):
            continue
        config = item.get_config()
        try:
            default = type(item)(**{k: config[k] for k in ("from_logits",) if k in config})
        except TypeError:
            continue  # a loss class that needs arguments: nothing to compare
        changed = {k: v for k, v in config.items()
                   if k not in _NEUTRAL and default.get_config().get(k) != v}
        if changed or _computes_otherwise(item, default):
            settings = ", ".join(f"{k}={v!r}" for k, v in changed.items()) or "..."
            raise ValueError(
                f"The loss {type(item).__name__}({settings}) computes something else than "
                f"Keras' default {type(item).__name__}, and skdeep trains "
                f"{type(item).__name__} by its name with Keras' defaults: remove those "
                "settings (label smoothing, another Huber delta or reduction are not "
                "supported).")


def _computes_otherwise(item, default):
    """Whether two losses differ on the probe batches both can take."""
    one_hot = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype="float32")
    proba = np.array([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]], dtype="float32")
    far = np.array([[3.0, -2.0, 0.5], [-4.0, 1.0, 2.0]], dtype="float32")
    labels = np.array([1, 0], dtype="int32")
    for y_true, y_pred in ((one_hot, proba), (one_hot, far), (labels, proba)):
        try:
            a, b = float(item(y_true, y_pred)), float(default(y_true, y_pred))
        except Exception:  # noqa: BLE001 -- a probe this loss cannot take
            continue
        if not np.isclose(a, b, rtol=1e-6, atol=1e-9):
            return True
    return False
