"""The parts every builder shares: a dense hidden block, a stack of them, and
the output layer with its activation (see :mod:`skdeep.builders`)."""

from ._backend import load
from ._initial import build_call

def hidden_block(x, units, index, *, activation, dropout=0.0, dropconnect=0.0,
                 batch_normalization=False, dtype="float32"):
    """Append one fully connected hidden layer to the functional tensor ``x``.

    The layer is ``Dense`` (or :class:`~skdeep.layers.DropConnectDense` when
    ``dropconnect > 0``), optionally followed by batch normalisation before
    the activation, and by :class:`~skdeep.layers.RateDropout` when
    ``dropout > 0``.  The activations -- what activity penalties act on -- are
    the output of the layer named ``hidden_<index>``.

    Parameters
    ----------
    x : KerasTensor
        Input of the block.
    units : int
        Width of the layer.
    index : int
        Position of the layer, used in the layer names.
    activation : str
        A key of :data:`skdeep.builders.ACTIVATIONS`.
    dropout : float, default=0.0
        Unit dropping rate after the activation (0 adds no layer).
    dropconnect : float, default=0.0
        Connection dropping rate of the kernel (0 uses a plain ``Dense``).
    batch_normalization : bool, default=False
        Normalise the pre-activations with ``BatchNormalization``.
    dtype : str, default='float32'
        Variable and compute dtype.

    Returns
    -------
    KerasTensor
        Output of the block.
    """
    from .layers import keras_activation

    _, keras = load()
    layers = keras.layers
    act = keras_activation(activation)
    bn = bool(batch_normalization)
    dense_name = f"dense_{index}" if bn else f"hidden_{index}"
    if dropconnect > 0:
        from .layers import DropConnectDense

        x = DropConnectDense(units, rate=dropconnect, activation=None if bn else act,
                             dtype=dtype, name=dense_name)(x)
    else:
        x = build_call(layers.Dense(units, activation=None if bn else act, dtype=dtype,
                                    name=dense_name), x)
    if bn:
        x = layers.BatchNormalization(dtype=dtype, name=f"batchnorm_{index}")(x)
        x = layers.Activation(act, dtype=dtype, name=f"hidden_{index}")(x)
    if dropout > 0:
        from .layers import RateDropout

        x = RateDropout(dropout, dtype=dtype, name=f"dropout_{index}")(x)
    return x


def dense_stack(x, sizes, first, activation, dropout, batch_normalization, dtype,
                 dropconnect=None):
    """:func:`hidden_block` per size, numbered from ``first``; one rate per block."""
    for j, units in enumerate(sizes):
        x = hidden_block(x, units, first + j, activation=activation, dropout=dropout[j],
                         dropconnect=0.0 if dropconnect is None else dropconnect[j],
                         batch_normalization=batch_normalization, dtype=dtype)
    return x


def with_output(inputs, x, n_outputs, output_activation, dtype, name, dense=None):
    """Close a network: the affine ``output`` layer (logits; of class ``dense``,
    default ``keras.layers.Dense``), then its activation."""
    from .layers import keras_activation

    _, keras = load()
    dense = keras.layers.Dense if dense is None else dense
    logits = build_call(dense(int(n_outputs), dtype=dtype, name="output"), x)
    outputs = keras.layers.Activation(
        keras_activation(output_activation), dtype=dtype, name="output_activation"
    )(logits)
    return keras.Model(inputs, outputs, name=name)
