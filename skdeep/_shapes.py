"""Shape and per-layer arithmetic of the builders, without Keras.

:func:`conv_output_size` (the course's convolution formula) and
:func:`per_layer` (one rate per hidden layer) are re-exported by
:mod:`skdeep.builders`; they live here so that they import nothing.
"""

__all__ = ["conv_output_size", "per_layer"]


def per_layer(value, n_layers, name):
    """Broadcast a rate (or a sequence of rates) to one float per hidden layer.

    Parameters
    ----------
    value : float, sequence of float or None
        One rate for every layer, or one per layer (None: 0).
    n_layers : int
        Hidden layers.
    name : str
        The parameter's name, for the error message.

    Returns
    -------
    tuple of float
    """
    value = 0.0 if value is None else value
    if hasattr(value, "__iter__") and not isinstance(value, str):
        rates = tuple(float(v) for v in value)
        if len(rates) != n_layers:
            raise ValueError(
                f"{name} has {len(rates)} rates but the network has {n_layers} hidden "
                f"layer(s); give one rate per hidden layer or a single float."
            )
    else:
        rates = (float(value),) * n_layers
    if any(not 0 <= r < 1 for r in rates):
        raise ValueError(f"{name} rates must be in [0, 1), got {rates}.")
    return rates


def conv_output_size(size, kernel, stride, padding):
    """The course's convolution (or pooling) output size along one axis.

    ``(W - F + 2P) / S + 1`` rounded down, with ``P = 0`` for ``'valid'``;
    ``'same'`` pads so that the output size is ``ceil(W / S)``.

    Parameters
    ----------
    size : int
        Input size ``W``.
    kernel : int
        Filter (or pool) size ``F``.
    stride : int
        Stride ``S``.
    padding : {'valid', 'same'}
        Keras padding mode.

    Returns
    -------
    int
        The output size (0 or less when the filter does not fit).

    Examples
    --------
    >>> from skdeep.builders import conv_output_size
    >>> conv_output_size(7, 3, 1, "valid"), conv_output_size(7, 3, 2, "valid")
    (5, 3)
    >>> conv_output_size(8, 3, 2, "same")
    4
    """
    if padding == "same":
        return -(-size // stride)
    return (size - kernel) // stride + 1


def per_conv_layer(value, n_layers, name):
    """One positive int per conv layer from one int or a sequence of them
    (``n_layers=None``: as many layers as values, one for a single int)."""
    values = (tuple(int(v) for v in value) if hasattr(value, "__iter__")
              else (int(value),) * (1 if n_layers is None else n_layers))
    if n_layers is not None and len(values) != n_layers:
        raise ValueError(
            f"{name} has {len(values)} values but there are {n_layers} conv layers; give "
            f"one int or one per conv layer."
        )
    if any(v < 1 for v in values):
        raise ValueError(f"{name} must be positive, got {values}.")
    return values


def check_conv_geometry(sizes, kernels, strides, padding, pooling, pool_size):
    """Raise a ValueError naming the first conv or pool layer that shrinks
    its input (spatial ``sizes``) to nothing."""
    sizes = list(sizes)
    for i, (kernel, stride) in enumerate(zip(kernels, strides)):
        out = [conv_output_size(w, kernel, stride, padding) for w in sizes]
        if min(out) < 1:
            w = min(sizes)
            raise ValueError(
                f"Layer conv_{i} shrinks its input to nothing: output size "
                f"(W - F + 2P)/S + 1 = ({w} - {kernel} + 2*0)/{stride} + 1 = "
                f"{min(out)} for input size W={w} with padding='valid'. Use "
                "padding='same', smaller kernel_size or strides, or fewer conv layers."
            )
        sizes = out
        if pooling is not None:
            out = [conv_output_size(w, pool_size, pool_size, padding) for w in sizes]
            if min(out) < 1:
                raise ValueError(
                    f"Layer pool_{i} shrinks its input of size {min(sizes)} to nothing "
                    f"with pool_size={pool_size} and padding='valid'. Use "
                    "padding='same', a smaller pool_size, or fewer conv layers."
                )
            sizes = out
