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
from ._initial import build_call
from ._network_parts import hidden_block, with_output
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


class _Parts:
    """Layer factories of one network: Keras' layers, the dtype, the
    activation and, for NaN-padded series, the real steps (``real``) that
    masking uses after every step that mixes time positions."""

    def __init__(self, act, dtype, real=None, suffix="", bias=False):
        _, keras = load()
        self.layers, self.act, self.dtype, self.real = keras.layers, act, dtype, real
        self.suffix = suffix  # an ensemble member's, after every layer name
        self.bias = bias  # on the convolutions batch normalisation follows

    def n(self, name):
        """The layer name ``name`` of this network (member)."""
        return f"{name}{self.suffix}"

    def conv(self, x, n_filters, kernel, name, use_bias=None):
        """A ``'same'`` convolution; ``use_bias`` None: the network's rule (``bias``)."""
        use_bias = self.bias if use_bias is None else use_bias
        return build_call(self.layers.Conv1D(int(n_filters), int(kernel), padding="same",
                                             use_bias=use_bias, dtype=self.dtype,
                                             name=self.n(name)), x)

    def norm(self, x, name):
        """Batch normalisation; over the real steps only when padded."""
        if self.real is None:
            return self.layers.BatchNormalization(dtype=self.dtype, name=self.n(name))(x)
        from .layers import MaskedBatchNormalization

        layer = MaskedBatchNormalization(dtype=self.dtype, name=self.n(name))
        return layer(x, mask=self.real)

    def activate(self, x, name):
        """The activation, then the padding set back to 0 (what ``'same'``
        padding reads beyond a series' end), so it never leaks into real steps."""
        x = self.layers.Activation(self.act, dtype=self.dtype, name=self.n(name))(x)
        return self.zero(x, f"mask_{name}")

    def zero(self, x, name, fill="zero"):
        if self.real is None:
            return x
        from .layers import MaskSteps

        return MaskSteps(fill, dtype=self.dtype, name=self.n(name))([x, self.real])


def _conv_unit(parts, x, n_filters, kernel, name, activate=True):
    """Convolution (``same`` padding; a bias by ``parts.bias``), batch
    normalisation and the activation."""
    x = parts.conv(x, n_filters, kernel, f"conv_{name}")
    x = parts.norm(x, f"batchnorm_conv_{name}")
    return parts.activate(x, f"hidden_conv_{name}") if activate else x


def _shortcut(parts, x, shortcut, name):
    """Add ``shortcut`` (projected by a 1-wide convolution when the widths
    differ, then batch-normalised) to ``x`` and activate the sum."""
    if shortcut.shape[-1] != x.shape[-1]:
        shortcut = parts.conv(shortcut, x.shape[-1], 1, f"conv_{name}_shortcut")
    shortcut = parts.norm(shortcut, f"batchnorm_{name}_shortcut")
    x = parts.layers.Add(dtype=parts.dtype, name=parts.n(f"add_{name}"))([x, shortcut])
    return parts.activate(x, f"hidden_{name}")


def _inception_module(parts, x, n_filters, kernels, name):
    """A bottleneck (when the input is wider than one channel), the long
    filters of lengths ``kernels`` and a max-pool branch, concatenated."""
    branch_in = x
    if x.shape[-1] > 1:  # no bias: the padding stays 0
        branch_in = parts.conv(x, n_filters, 1, f"conv_{name}_bottleneck", use_bias=False)
    branches = [parts.conv(branch_in, n_filters, k, f"conv_{name}_branch{j}", use_bias=False)
                for j, k in enumerate(kernels)]
    # max pooling's own padding is never the maximum: nor may the series' padding be
    pooled = parts.zero(x, f"mask_{name}_pool_in", fill="lowest")
    pooled = parts.layers.MaxPooling1D(3, strides=1, padding="same", dtype=parts.dtype,
                                       name=parts.n(f"pool_{name}"))(pooled)
    pooled = parts.zero(pooled, f"mask_{name}_pool")
    branches.append(parts.conv(pooled, n_filters, 1, f"conv_{name}_pool", use_bias=False))
    x = parts.layers.Concatenate(dtype=parts.dtype, name=parts.n(f"concat_{name}"))(branches)
    return parts.activate(parts.norm(x, f"batchnorm_{name}"), f"hidden_conv_{name}")


def series_body(x, architecture, filters, kernel_size, parts):
    """The convolutional part of ``architecture`` applied to ``x``, up to the
    global average pooling (``global_pool``), with ``parts``' layers."""
    kernels = tuple(int(k) for k in kernel_size)
    if architecture == "fcn":
        for i, n_filters in enumerate(filters):
            x = _conv_unit(parts, x, n_filters, kernels[i % len(kernels)], str(i))
    elif architecture == "resnet":
        for i, n_filters in enumerate(filters):
            block_in = x
            for j, kernel in enumerate(kernels):
                x = _conv_unit(parts, x, n_filters, kernel, f"{i}_{j}",
                               activate=j < len(kernels) - 1)
            x = _shortcut(parts, x, block_in, f"block_{i}")
    else:  # inception
        block_in = x
        for i, n_filters in enumerate(filters):
            x = _inception_module(parts, x, n_filters, kernels, f"inception_{i}")
            if i % 3 == 2:
                x = _shortcut(parts, x, block_in, f"residual_{i // 3}")
                block_in = x
    if parts.real is None:
        return parts.layers.GlobalAveragePooling1D(dtype=parts.dtype,
                                                   name=parts.n("global_pool"))(x)
    from .layers import MaskedPooling

    return MaskedPooling("mean", dtype=parts.dtype, name=parts.n("global_pool"))(
        x, mask=parts.real)


def recurrent_front_end(inputs, x, filters, kernel_size, pool_size, activation, dtype):
    """Convolution units and step pooling before a recurrent network.

    ``inputs`` is the NaN-padded input (its real steps are found there) and
    ``x`` the same steps made finite (and standardised). Returns the
    features and the real (pooled) steps, the first recurrent layer's
    ``mask=``.
    """
    from .layers import MaskSteps, PoolSteps, RealSteps, keras_activation

    real = RealSteps(dtype=dtype, name="real_steps")(inputs)
    x = MaskSteps(dtype=dtype, name="mask_input")([x, real])
    parts = _Parts(keras_activation(activation), dtype, real)
    kernels = tuple(int(k) for k in kernel_size)
    for i, n_filters in enumerate(filters):
        # no bias (_Parts' default): batch normalisation removes it, so its
        # gradient is rounding noise that Adam would turn into full steps
        x = _conv_unit(parts, x, n_filters, kernels[i % len(kernels)], str(i))
    if int(pool_size) > 1:
        x, real = PoolSteps(int(pool_size), dtype=dtype, name="pool_steps")([x, real])
    return x, real


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
    masked=False,
    n_members=1,
    conv_bias=True,
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
    masked : bool, default=False
        Take series of unequal length, padded with NaN to a common length
        (give the length as None in ``input_shape``): the padding is masked
        after every layer that mixes time steps (batch normalisation and the
        global pooling count real steps only), so a series' prediction does
        not depend on how much padding follows it.
    n_members : int, default=1
        An ensemble trained as one network (InceptionTime is five): every
        member is a whole network of its own on the shared input, its layer
        names ending in ``_m0``, ``_m1``, ...; the output layer ``"output"``
        holds the members' logits side by side and ``"output_activation"``
        activates each member's block (train each block on its own loss and
        average the blocks to predict, as the estimators' ``n_members`` does).
    conv_bias : bool, default=True
        A bias on each FCN/ResNet convolution and shortcut projection, as
        published (the Inception modules' convolutions have none).  Batch
        normalisation follows every one and subtracts the bias again, so it
        never changes an output; its gradient is rounding noise, which Adam
        turns into steps of the learning rate's size.  The estimators build
        their networks without it (False).

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
    x, real = inputs, None
    if masked:
        from .layers import PaddingMask, RealSteps

        real = RealSteps(dtype=dtype, name="real_steps")(inputs)
        x = PaddingMask(dtype=dtype, name="padding_mask")(x)  # NaN -> 0
    if standardize:
        from .layers import Standardize

        x = Standardize(dtype=dtype, name="standardize")(x)
    if masked:  # the padding is 0 again after the standardisation
        x = _Parts(None, dtype, real).zero(x, "mask_input")
    k = int(n_members)
    heads = []
    for m in range(k):
        parts = _Parts(keras_activation(activation), dtype, real, "" if k == 1 else f"_m{m}",
                       bias=bool(conv_bias))
        h = series_body(x, architecture, filters, kernel_size, parts)
        for j, units in enumerate(sizes):
            h = hidden_block(h, units, parts.n(str(j)), activation=activation,
                             dropout=dropout[j], batch_normalization=bool(batch_normalization),
                             dtype=dtype)
        heads.append(h)
    if k == 1:
        return with_output(inputs, heads[0], n_outputs, output_activation, dtype, architecture)
    from .layers import GroupActivation

    logits = keras.layers.Concatenate(dtype=dtype, name="output")([
        build_call(keras.layers.Dense(int(n_outputs), dtype=dtype, name=f"output_m{m}"), h)
        for m, h in enumerate(heads)])
    outputs = GroupActivation([int(n_outputs)] * k, [output_activation] * k, dtype=dtype,
                              name="output_activation")(logits)
    return keras.Model(inputs, outputs, name=f"{architecture}_ensemble")
