"""Convolutional networks for series from the time-series literature.

:func:`build_series_cnn` builds the three network families that lead the
deep-learning results on the UCR/UEA archive, written here from their papers:

- ``'fcn'``: the fully convolutional network of Wang et al. (2017), convolution
  blocks (convolution, batch normalisation, activation) without pooling, then
  the average of each filter over time;
- ``'resnet'``: the residual network of the same paper, blocks of three such
  convolutions with a shortcut around them;
- ``'inception'``: the InceptionTime network of Ismail Fawaz et al. (2020):
  Inception modules (a bottleneck, three long filters of different lengths and
  a max-pooling branch, concatenated), with a shortcut every third module.

Each ends with global average pooling, so the dense part sees one value per
filter whatever the series' length, then optional dense layers and the
output layer named ``"output"`` (see :mod:`skdeep.builders`).
"""

from ._backend import load
from ._network_parts import dense_stack, with_output
from ._shapes import per_layer

#: The series architectures and their published widths and filter lengths:
#: ``filters`` (one value per block or module) and ``kernel_size`` (the
#: lengths of the convolutions in a block, or of an Inception module's
#: three long filters).
SERIES_ARCHITECTURES = {
    "fcn": {"filters": (128, 256, 128), "kernel_size": (8, 5, 3)},
    "resnet": {"filters": (64, 128, 128), "kernel_size": (8, 5, 3)},
    "inception": {"filters": (32,) * 6, "kernel_size": (40, 20, 10)},
}


def _conv_unit(layers, x, n_filters, kernel, name, act, dtype, activate=True):
    """Convolution (``same`` padding), batch normalisation and the activation."""
    x = layers.Conv1D(int(n_filters), int(kernel), padding="same", dtype=dtype,
                      name=f"conv_{name}")(x)
    x = layers.BatchNormalization(dtype=dtype, name=f"batchnorm_conv_{name}")(x)
    if activate:
        x = layers.Activation(act, dtype=dtype, name=f"hidden_conv_{name}")(x)
    return x


def _shortcut(layers, x, shortcut, name, act, dtype):
    """Add ``shortcut`` (projected by a 1-wide convolution when the widths
    differ, then batch-normalised) to ``x`` and activate the sum."""
    if shortcut.shape[-1] != x.shape[-1]:
        shortcut = layers.Conv1D(int(x.shape[-1]), 1, padding="same", dtype=dtype,
                                 name=f"conv_{name}_shortcut")(shortcut)
    shortcut = layers.BatchNormalization(dtype=dtype, name=f"batchnorm_{name}_shortcut")(
        shortcut)
    x = layers.Add(dtype=dtype, name=f"add_{name}")([x, shortcut])
    return layers.Activation(act, dtype=dtype, name=f"hidden_{name}")(x)


def _inception_module(layers, x, n_filters, kernels, name, act, dtype):
    """A bottleneck (when the input is wider than one channel), the long
    filters of lengths ``kernels`` and a max-pool branch, concatenated."""
    branch_in = x
    if x.shape[-1] > 1:
        branch_in = layers.Conv1D(int(n_filters), 1, padding="same", use_bias=False,
                                  dtype=dtype, name=f"conv_{name}_bottleneck")(x)
    branches = [
        layers.Conv1D(int(n_filters), int(k), padding="same", use_bias=False, dtype=dtype,
                      name=f"conv_{name}_branch{j}")(branch_in)
        for j, k in enumerate(kernels)
    ]
    pooled = layers.MaxPooling1D(3, strides=1, padding="same", dtype=dtype,
                                 name=f"pool_{name}")(x)
    branches.append(layers.Conv1D(int(n_filters), 1, padding="same", use_bias=False,
                                  dtype=dtype, name=f"conv_{name}_pool")(pooled))
    x = layers.Concatenate(dtype=dtype, name=f"concat_{name}")(branches)
    x = layers.BatchNormalization(dtype=dtype, name=f"batchnorm_{name}")(x)
    return layers.Activation(act, dtype=dtype, name=f"hidden_conv_{name}")(x)


def series_body(x, architecture, filters, kernel_size, act, dtype):
    """The convolutional part of ``architecture`` applied to ``x``, up to the
    global average pooling (``global_pool``)."""
    _, keras = load()
    layers = keras.layers
    kernels = tuple(int(k) for k in kernel_size)
    if architecture == "fcn":
        for i, n_filters in enumerate(filters):
            x = _conv_unit(layers, x, n_filters, kernels[i % len(kernels)], str(i), act, dtype)
    elif architecture == "resnet":
        for i, n_filters in enumerate(filters):
            block_in = x
            for j, kernel in enumerate(kernels):
                x = _conv_unit(layers, x, n_filters, kernel, f"{i}_{j}", act, dtype,
                               activate=j < len(kernels) - 1)
            x = _shortcut(layers, x, block_in, f"block_{i}", act, dtype)
    else:  # inception
        block_in = x
        for i, n_filters in enumerate(filters):
            x = _inception_module(layers, x, n_filters, kernels, f"inception_{i}", act, dtype)
            if i % 3 == 2:
                x = _shortcut(layers, x, block_in, f"residual_{i // 3}", act, dtype)
                block_in = x
    return layers.GlobalAveragePooling1D(dtype=dtype, name="global_pool")(x)


def build_series_cnn(
    input_shape,
    n_outputs,
    architecture="resnet",
    filters=None,
    kernel_size=None,
    dense_layer_sizes=(),
    activation="relu",
    output_activation="identity",
    dtype="float32",
    dropout=0.0,
    batch_normalization=False,
    standardize=True,
):
    """Build a series network: FCN, ResNet or InceptionTime.

    Parameters
    ----------
    input_shape : tuple of int
        ``(length, channels)`` of one series; the length may be None.
    n_outputs : int
        Number of output units.
    architecture : {'fcn', 'resnet', 'inception'}, default='resnet'
        The network family (see the module's description).
    filters : tuple of int or None, default=None
        Filters of each block (``'fcn'``: each convolution; ``'resnet'``: the
        three convolutions of each residual block; ``'inception'``: each of an
        Inception module's four branches, so a module outputs four times as
        many). None takes the published widths of
        :data:`SERIES_ARCHITECTURES`.
    kernel_size : tuple of int or None, default=None
        Filter lengths: ``'fcn'`` cycles through them block by block,
        ``'resnet'`` uses them in order inside every block, ``'inception'``
        gives each module one long filter per value. None takes the
        published lengths.
    dense_layer_sizes : tuple of int, default=()
        Dense hidden layers after the global pooling (none in the papers).
    activation, output_activation : str
        Keys of :data:`skdeep.builders.ACTIVATIONS`.
    dtype : {'float32', 'float64'}, default='float32'
        Variable and compute dtype.
    dropout : float or tuple of float, default=0.0
        Dropout after each dense hidden layer.
    batch_normalization : bool, default=False
        Batch normalisation after each dense hidden layer (the convolutions
        always have it).
    standardize : bool, default=True
        Start with a per-channel :class:`~skdeep.layers.Standardize` layer.

    Returns
    -------
    keras.Model
        An uncompiled functional model.

    Examples
    --------
    >>> from skdeep.builders import build_series_cnn
    >>> model = build_series_cnn((150, 1), 2, architecture="resnet", filters=(8, 16))
    >>> model.get_layer("global_pool").output.shape
    (None, 16)
    >>> model = build_series_cnn((150, 3), 4, architecture="inception", filters=(8,) * 3)
    >>> model.get_layer("concat_inception_0").output.shape
    (None, 150, 32)
    """
    from .layers import keras_activation

    if architecture not in SERIES_ARCHITECTURES:
        raise ValueError(f"architecture must be one of {sorted(SERIES_ARCHITECTURES)}, "
                         f"got {architecture!r}.")
    published = SERIES_ARCHITECTURES[architecture]
    filters = tuple(int(f) for f in (published["filters"] if filters is None else filters))
    kernel_size = published["kernel_size"] if kernel_size is None else kernel_size
    _, keras = load()
    sizes = tuple(int(u) for u in dense_layer_sizes)
    dropout = per_layer(dropout, len(sizes), "dropout")
    inputs = keras.Input(tuple(input_shape), dtype=dtype, name="input")
    x = inputs
    if standardize:
        from .layers import Standardize

        x = Standardize(dtype=dtype, name="standardize")(x)
    x = series_body(x, architecture, filters, kernel_size, keras_activation(activation), dtype)
    x = dense_stack(x, sizes, 0, activation, dropout, bool(batch_normalization), dtype)
    return with_output(inputs, x, n_outputs, output_activation, dtype, architecture)
