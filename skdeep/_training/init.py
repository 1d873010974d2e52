"""Seeded initial weights: scikit-learn's Glorot draws, or each layer's Keras initializers.

Both draw every random value from the fit's ``random_state`` in variable
order, so a seeded fit is reproducible; the first draws exactly what a seeded
scikit-learn MLP draws.
"""

import numpy as np

from .._backend import load, precision
from .._private import flatten_layers

__all__ = ["keras_initializer", "layer_initial_weights", "sklearn_initial_weights"]

#: Variable attribute of a Keras layer -> attribute holding its initializer.
_INITIALIZER_ATTRIBUTES = {
    "kernel": "kernel_initializer",
    "recurrent_kernel": "recurrent_initializer",
    "bias": "bias_initializer",
    "embeddings": "embeddings_initializer",
    "depthwise_kernel": "depthwise_initializer",
    "pointwise_kernel": "pointwise_initializer",
    "gamma": "gamma_initializer",
    "beta": "beta_initializer",
}


def keras_initializer(name):
    """The Keras initializer called ``name``, or None for None.

    Raises
    ------
    ValueError
        If Keras knows no initializer of that name.
    """
    if name is None:
        return None
    _, keras = load()
    try:
        return keras.initializers.get(name)
    except ValueError:
        raise ValueError(
            f"kernel_initializer={name!r} is not a Keras initializer name; use e.g. "
            "'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', "
            "'lecun_normal', 'orthogonal', or None for scikit-learn's scheme."
        ) from None


def sklearn_initial_weights(engine, rng, initializer=None, activation=None):
    """scikit-learn's initial draws, variable by variable in layer order.

    Kernels and biases are Glorot uniform with scikit-learn's bound (the
    narrower one for the logistic activation), a conv kernel's fans
    including its receptive field; an ``initializer`` draws kernels instead
    (biases stay zero).  Embeddings are uniform in +-0.05, dropout seeds
    drawn; other variables keep their built values.

    Parameters
    ----------
    engine : engine
        Its ``variables`` (paths) and ``initial_weights`` (shapes, dtypes).
    rng : numpy.random.RandomState
        The fit's generator.
    initializer : keras.initializers.Initializer or None, default=None
        Replaces Glorot for kernels.
    activation : str or None, default=None
        The hidden activation (``'logistic'`` narrows the bound).

    Returns
    -------
    list of ndarray
    """
    factor = 2.0 if activation == "logistic" else 6.0
    weights = [np.array(w) for w in engine.initial_weights]
    bound = None
    for i, (variable, w) in enumerate(zip(engine.variables, weights)):
        leaf = variable.path.rsplit("/", 1)[-1]
        if leaf == "kernel":
            if initializer is None:
                fan_in = int(np.prod(w.shape[:-1]))
                fan_out = int(np.prod(w.shape[:-2])) * w.shape[-1] if w.ndim > 2 else w.shape[-1]
                bound = np.sqrt(factor / (fan_in + fan_out))
                weights[i] = rng.uniform(-bound, bound, w.shape).astype(w.dtype)
            else:
                weights[i] = draw(initializer, w, rng)
        elif leaf == "bias" and bound is not None and initializer is None:
            weights[i] = rng.uniform(-bound, bound, w.shape).astype(w.dtype)
        elif leaf == "embeddings":
            weights[i] = rng.uniform(-0.05, 0.05, w.shape).astype(w.dtype)
        elif leaf == "seed_generator_state":
            weights[i] = np.array([rng.randint(2**30), 0], dtype=w.dtype)
    return weights


def layer_initial_weights(engine, rng, kernel_initializer=None):
    """Initial values from the model's own layer initializers, seeded by ``rng``.

    Every variable whose initializer is random (Glorot, orthogonal, ...) is
    drawn again from a copy of that initializer seeded from ``rng``, in
    variable order, so a fit is reproducible with ``random_state``.
    Deterministic initial values (zeros, ones, an LSTM's unit forget bias,
    batch-norm statistics) are kept as built.  ``kernel_initializer``, when
    given, replaces the initializer of every ``kernel``.

    Parameters
    ----------
    engine : engine
        Its ``model``, ``variables`` and ``initial_weights``.
    rng : numpy.random.RandomState
        The fit's generator.
    kernel_initializer : keras.initializers.Initializer or None, default=None
        Replaces every kernel's initializer.

    Returns
    -------
    list of ndarray
    """
    owners = {}
    for layer in flatten_layers(engine.model):
        for attr, init_attr in _INITIALIZER_ATTRIBUTES.items():
            variable = getattr(layer, attr, None)
            initializer = getattr(layer, init_attr, None)
            if variable is not None and initializer is not None and hasattr(variable, "path"):
                owners[id(variable)] = (attr, initializer)
    weights = [np.array(w) for w in engine.initial_weights]
    for i, variable in enumerate(engine.variables):
        leaf = variable.path.rsplit("/", 1)[-1]
        if leaf == "seed_generator_state":
            weights[i] = np.array([rng.randint(2**30), 0], dtype=weights[i].dtype)
            continue
        attr, initializer = owners.get(id(variable), (None, None))
        if attr == "kernel" and kernel_initializer is not None:
            initializer = kernel_initializer
        if initializer is not None and "seed" in initializer.get_config():
            weights[i] = draw(initializer, weights[i], rng)
    return weights


def draw(initializer, like, rng):
    """Draw an array shaped like ``like`` from a Keras initializer seeded by ``rng``."""
    config = initializer.get_config()
    if "seed" in config:
        config["seed"] = int(rng.randint(2**31 - 1))
        initializer = type(initializer).from_config(config)
    with precision(like.dtype):
        return np.asarray(initializer(like.shape, dtype=like.dtype)).astype(like.dtype)
