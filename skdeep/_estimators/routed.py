"""scikeras' routed object parameters: ``callbacks__``, ``metrics__``, ``loss__``.

scikeras builds the callbacks, metrics and losses given as classes, with the
parameters routed to their prefix: ``callbacks=EarlyStopping,
callbacks__monitor='loss'`` is ``EarlyStopping(monitor='loss')``.  For a list
(or dict) of them, ``callbacks__1__monitor`` (``callbacks__es__monitor``)
reaches one item and an unindexed parameter every item given as a class; an
integer name (``callbacks__0=Schedule``) is a positional argument, itself
built from its own routed parameters (``callbacks__0__coef=0.2``).

skdeep keeps these parameters in ``model_params`` under their full names (so
``clone``, ``set_params`` and searches keep them; the model function never
sees them) and builds fresh objects at every fit with :func:`build_routed`.
A loss's parameters that change its arithmetic -- ``label_smoothing``,
Huber's ``delta`` -- are refused by
:func:`skdeep._keras_losses.check_loss_arguments`, given routed or in an
object: skdeep trains the loss by its name.
"""

from .._keras_losses import check_loss_arguments

__all__ = ["OBJECT_PREFIXES", "build_routed", "check_loss_arguments", "routed_to"]

#: Prefixes of the routed parameters that build objects (not model arguments).
OBJECT_PREFIXES = ("callbacks__", "metrics__", "loss__")

def routed_to(params, name):
    """``{rest: value}`` of the entries of ``params`` named ``<name>__<rest>``."""
    prefix = f"{name}__"
    return {k[len(prefix):]: v for k, v in (params or {}).items() if k.startswith(prefix)}


def build_routed(value, routed, name):
    """``value`` with every class in it built from ``routed``, scikeras' way.

    Parameters
    ----------
    value : class, object, list or dict of them, or None
        The ``callbacks``, ``metrics`` or ``loss`` parameter.
    routed : dict
        Its routed parameters, without the prefix (``{'monitor': 'loss',
        '1__patience': 3}``).
    name : str
        The parameter's name, for error messages.

    Returns
    -------
    object
        ``value`` with its classes instantiated (fresh objects each call).
    """
    if isinstance(value, dict):
        return {key: _item(item, routed, str(key), value, name) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_item(item, routed, str(i), value, name) for i, item in enumerate(value)]
    if isinstance(value, type):
        args, kwargs = _arguments(routed, name)
        return value(*args, **kwargs)
    if routed:
        raise ValueError(
            f"{name} was given routed parameters {sorted(f'{name}__{k}' for k in routed)}, "
            f"but {name}={value!r} is not a class to build with them: pass the class "
            f"({name}={type(value).__name__}) or set the values in the object.")
    return value


def _item(item, routed, key, container, name):
    """One item of a list or dict: its own routed parameters over the shared ones (the
    shared ones reach classes only)."""
    keys = {str(k) for k in (container if isinstance(container, dict) else
                             range(len(container)))}
    own = routed_to(routed, key)
    shared = {k: v for k, v in routed.items() if k.split("__", 1)[0] not in keys}
    if not isinstance(item, type):
        return build_routed(item, own, f"{name}__{key}")
    return build_routed(item, {**shared, **own}, f"{name}__{key}")


def _arguments(routed, name):
    """``(args, kwargs)`` of a class from its routed parameters."""
    positional, kwargs, nested = {}, {}, {}
    for key, value in routed.items():
        head, _, rest = key.partition("__")
        if rest:
            nested.setdefault(head, {})[rest] = value
        elif head.isdigit():
            positional[int(head)] = value
        else:
            kwargs[head] = value
    for head, sub in nested.items():
        if head.isdigit() and int(head) in positional:
            positional[int(head)] = build_routed(positional[int(head)], sub, f"{name}__{head}")
        elif head in kwargs:
            kwargs[head] = build_routed(kwargs[head], sub, f"{name}__{head}")
        else:
            raise ValueError(
                f"{name}__{head}__... was given, but {name}__{head} was not: route the "
                "object first, then its parameters.")
    if sorted(positional) != list(range(len(positional))):
        raise ValueError(
            f"{name}'s positional arguments are {sorted(positional)}: number them 0, 1, ...")
    return [positional[i] for i in range(len(positional))], kwargs
