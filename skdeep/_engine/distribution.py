"""Where a fit trains: on one device, or data-parallel over several.

An estimator's ``distribution`` parameter is resolved at fit time (by
:func:`skdeep._engine.backend.resolve_placement`, which calls this module's
resolver for the backend in use) into a :class:`Placement` -- the devices one
training engine spreads each minibatch over -- or ``None`` for an ordinary
one-device fit.  The engines
read it: the TensorFlow engine builds its model and optimizer in a
``tf.distribute`` strategy's scope and runs each minibatch as one step per
replica with a summed gradient (:mod:`skdeep._engine.tensorflow`); the JAX engine keeps
its variables replicated over a device mesh and shards each minibatch along
it, so XLA partitions the step (:mod:`skdeep._engine.jax`).  Either way the
gradient of a step is that of the whole minibatch, so the loss curve and the
stopping rules are those of a one-device fit (up to floating-point
summation order).

Placements are cached per device set, and so are TensorFlow's strategies:
a compiled engine's variables belong to one strategy, and the engine cache
(:mod:`skdeep._engine.cache`) reuses engines per (spec, placement).
"""

import threading
import warnings

from .._backend import load

__all__ = ["Placement", "resolve_jax", "resolve_tensorflow"]

_lock = threading.Lock()
_placements = {}  # (backend, device names) -> Placement


class Placement:
    """A set of devices one fit trains on, data-parallel.

    Parameters
    ----------
    devices : tuple of str
        The devices' names (TensorFlow's ``'/job:localhost/.../CPU:0'`` or
        JAX's ``'cpu:0'``), one replica each.
    handle : object
        The backend's object: a ``tf.distribute.Strategy`` or a
        ``jax.sharding.Mesh`` with one axis named ``'data'``.
    user : bool, default=False
        Whether ``handle`` was given by the user (compared by identity) or
        made by skdeep (compared by ``devices``).
    """

    def __init__(self, devices, handle, user=False):
        self.devices = tuple(devices)
        self.handle = handle
        self._key = (self.devices, id(handle) if user else None)

    def __eq__(self, other):
        return isinstance(other, Placement) and self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def __repr__(self):
        return f"Placement({list(self.devices)})"


def _one_device(devices):
    warnings.warn(
        f"distribution='data_parallel' found one device ({devices[0]}); training on it "
        "alone. On a CPU-only machine TensorFlow sees one CPU device unless it is split "
        "into logical devices, and JAX unless XLA_FLAGS has "
        "--xla_force_host_platform_device_count (see the multi-device guide).",
        UserWarning, stacklevel=4,
    )


def _names(distribution):
    if isinstance(distribution, str) or not hasattr(distribution, "__iter__"):
        return None
    names = list(distribution)
    if not names or not all(isinstance(d, str) for d in names):
        raise ValueError(
            f"distribution must be None, 'data_parallel', a non-empty list of device names "
            f"or a strategy object; got {distribution!r}."
        )
    if len(set(names)) != len(names):
        raise ValueError(f"distribution names a device twice: {names}.")
    return names


def _cached(key, make):
    with _lock:
        placement = _placements.get(key)
        if placement is None:
            placement = _placements[key] = make()
        return placement


def _bad_value(distribution, engine):
    return ValueError(
        f"distribution={distribution!r} is not understood on the {engine} engine: use None, "
        "'data_parallel' or a list of device names"
        + (", or a tf.distribute.Strategy." if engine == "TensorFlow"
           else ", or a jax.sharding.Mesh / keras.distribution.DataParallel.")
    )


def resolve_tensorflow(distribution):
    """The :class:`Placement` of ``distribution`` on TensorFlow, or None for one device.

    Parameters
    ----------
    distribution : 'data_parallel', list of str or tf.distribute.Strategy
        ``'data_parallel'``: every GPU TensorFlow sees, else every (logical)
        CPU device.  A list of device names (``['/gpu:0', '/gpu:1']``).  A
        ``tf.distribute.Strategy`` (``MirroredStrategy``,
        ``MultiWorkerMirroredStrategy``).

    Returns
    -------
    Placement or None
    """
    tf, _ = load()
    if isinstance(distribution, tf.distribute.Strategy):
        devices = tuple(distribution.extended.worker_devices)
        return Placement(devices, distribution, user=True)
    if isinstance(distribution, str):
        if distribution != "data_parallel":
            raise _bad_value(distribution, "TensorFlow")
        devices = [d.name for d in tf.config.list_logical_devices("GPU")]
        if not devices:
            devices = [d.name for d in tf.config.list_logical_devices("CPU")]
        if len(devices) == 1:
            _one_device(devices)
            return None
    else:
        names = _names(distribution)
        if names is None:
            raise _bad_value(distribution, "TensorFlow")
        known = {}
        for d in tf.config.list_logical_devices():
            spec = tf.DeviceSpec.from_string(d.name)
            known[(spec.device_type.upper(), spec.device_index)] = d.name
        devices = []
        for name in names:
            try:
                spec = tf.DeviceSpec.from_string(name if name.startswith("/") else "/" + name)
                found = known.get(((spec.device_type or "").upper(), spec.device_index))
            except (ValueError, TypeError):  # not a device name TensorFlow can parse
                found = None
            if found is None:
                raise ValueError(
                    f"distribution names device {name!r}, which TensorFlow does not see; "
                    f"its devices are {sorted(known.values())}."
                )
            devices.append(found)
    devices = tuple(devices)
    return _cached(("tensorflow", devices),
                   lambda: Placement(devices, tf.distribute.MirroredStrategy(list(devices))))


def resolve_jax(distribution):
    """The :class:`Placement` of ``distribution`` on JAX, or None for one device.

    Parameters
    ----------
    distribution : 'data_parallel', list of str or a mesh
        ``'data_parallel'``: every device JAX sees.  A list of device names
        (``['gpu:0', 'gpu:1']``).  A ``jax.sharding.Mesh`` with one axis or a
        ``keras.distribution.DataParallel``.

    Returns
    -------
    Placement or None
    """
    import jax
    import numpy as np
    from jax.sharding import Mesh

    if isinstance(distribution, Mesh):
        if len(distribution.axis_names) != 1:
            raise ValueError(
                "distribution: a data-parallel mesh has one axis (the batch); got axes "
                f"{distribution.axis_names}."
            )
        devices = list(distribution.devices.ravel())
    elif isinstance(distribution, str):
        if distribution != "data_parallel":
            raise _bad_value(distribution, "JAX")
        devices = jax.devices()
        if len(devices) == 1:
            _one_device([f"{devices[0].platform}:{devices[0].id}"])
            return None
    else:
        names = _names(distribution)
        if names is None:
            mesh = getattr(distribution, "device_mesh", None)  # keras.distribution.DataParallel
            if mesh is None:
                raise _bad_value(distribution, "JAX")
            names = [str(d) for d in np.ravel(mesh.devices)]
        known = {f"{d.platform}:{d.id}": d for d in jax.devices()}
        known.update({f"{d.device_kind}:{d.id}".lower(): d for d in jax.devices()})
        devices = []
        for name in names:
            device = known.get(name.lower().lstrip("/").replace("device:", ""))
            if device is None:
                raise ValueError(
                    f"distribution names device {name!r}, which JAX does not see; its "
                    f"devices are {sorted(f'{d.platform}:{d.id}' for d in jax.devices())}."
                )
            devices.append(device)
    names = tuple(f"{d.platform}:{d.id}" for d in devices)
    return _cached(("jax", names),
                   lambda: Placement(names, Mesh(np.array(devices), ("data",))))
