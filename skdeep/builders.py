"""Pure model-building functions: shapes and hyperparameters in, uncompiled
``keras.Model`` out.

Every builder names its last affine layer ``"output"`` and ends with an
``Activation`` layer named ``"output_activation"``.  The training engine reads
the pre-activation (logits) from ``"output"`` so that log-losses are computed
in their numerically stable form, while ``model.predict`` returns
probabilities or regression values as a user expects.
"""

from ._activations import ACTIVATIONS, THRESHOLD_ACTIVATIONS
from ._backend import load
from ._initial import build_call
from ._network_parts import dense_stack, hidden_block, with_output
from ._series_networks import SERIES_ARCHITECTURES, build_series_cnn, recurrent_front_end
from ._shapes import conv_output_size, per_layer as _per_layer

__all__ = [  # noqa: F822 - keras_activation comes from __getattr__
    "ACTIVATIONS", "RNN_CELLS", "SERIES_ARCHITECTURES", "THRESHOLD_ACTIVATIONS", "build_cnn",
    "build_mlp", "build_rnn", "build_series_cnn", "build_tabular_mlp", "conv_output_size",
    "embed_codes", "hidden_block", "keras_activation",
]


def __getattr__(name):
    # keras_activation lives in skdeep.layers (beside step and sign): re-exported
    # here without importing Keras with this module
    if name == "keras_activation":
        from .layers import keras_activation
        return keras_activation
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def embed_codes(inputs, n_numeric, embeddings, dtype="float32"):
    """Replace trailing integer-code columns of ``inputs`` by learned embeddings.

    Parameters
    ----------
    inputs : KerasTensor of shape (None, n_numeric + len(embeddings))
        Numeric columns first, then one column of category codes per
        categorical attribute (0 = unknown or missing, 1..k = categories).
    n_numeric : int
        Number of leading numeric columns passed through unchanged.
    embeddings : sequence of (int, int)
        ``(n_categories, dimension)`` per code column.
    dtype : str, default='float32'
        Variable dtype.

    Returns
    -------
    KerasTensor
        The numeric columns concatenated with every embedding vector.
    """
    _, keras = load()
    parts = [inputs[:, :n_numeric]] if n_numeric else []
    for j, (k, dim) in enumerate(embeddings):
        codes = keras.ops.cast(inputs[:, n_numeric + j], "int32")
        parts.append(keras.layers.Embedding(int(k) + 1, int(dim), dtype=dtype,
                                            name=f"embedding_{j}")(codes))
    if len(parts) == 1:
        return parts[0]
    return keras.layers.Concatenate(dtype=dtype, name="encoded")(parts)


def build_mlp(
    n_features,
    n_outputs,
    hidden_layer_sizes=(100,),
    activation="relu",
    output_activation="identity",
    dtype="float32",
    dropout=0.0,
    dropconnect=0.0,
    batch_normalization=False,
    embeddings=(),
    sparse=False,
):
    """Build a fully connected feed-forward network.

    Parameters
    ----------
    n_features : int
        Number of input features (columns of the encoded input).
    n_outputs : int
        Number of output units.
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden layer; ``()`` builds a single-layer network
        (the perceptron).
    activation : str, default='relu'
        Hidden activation, a key of :data:`ACTIVATIONS`.
    output_activation : str, default='identity'
        Output activation, a key of :data:`ACTIVATIONS`.
    dtype : {'float32', 'float64'}, default='float32'
        Variable and compute dtype.
    dropout : float or tuple of float, default=0.0
        Dropout rate after each hidden layer (one value, or one per layer).
    dropconnect : float or tuple of float, default=0.0
        DropConnect rate of each hidden layer's kernel.
    batch_normalization : bool, default=False
        Batch-normalise every hidden layer's pre-activations.
    embeddings : tuple of (int, int), default=()
        ``(n_categories, dimension)`` of each trailing code column to embed
        (see :func:`embed_codes`).
    sparse : bool, default=False
        Take sparse input (``tf.SparseTensor`` / JAX ``BCOO`` rows): the first
        layer multiplies the sparse rows by its kernel without densifying them.

    Returns
    -------
    keras.Model
        An uncompiled functional model with layers ``hidden_0``, ...,
        ``output`` and ``output_activation``.

    Examples
    --------
    >>> from skdeep.builders import build_mlp
    >>> model = build_mlp(4, 3, hidden_layer_sizes=(8,))
    >>> [layer.name for layer in model.layers]
    ['input', 'hidden_0', 'output', 'output_activation']
    >>> model.output_shape
    (None, 3)
    >>> model = build_mlp(4, 1, hidden_layer_sizes=(8, 8), dropout=0.2)
    >>> [layer.name for layer in model.layers][1:5]
    ['hidden_0', 'dropout_0', 'hidden_1', 'dropout_1']
    """
    _, keras = load()
    sizes = tuple(int(u) for u in hidden_layer_sizes)
    dropout = _per_layer(dropout, len(sizes), "dropout")
    dropconnect = _per_layer(dropconnect, len(sizes), "dropconnect")
    if sparse and embeddings:
        raise ValueError("Sparse input has no category-code columns to embed.")
    inputs = keras.Input((n_features,), dtype=dtype, name="input", sparse=bool(sparse))
    hidden = inputs
    if embeddings:
        hidden = embed_codes(inputs, n_features - len(embeddings), embeddings, dtype)
    hidden = dense_stack(hidden, sizes, 0, activation, dropout, batch_normalization, dtype,
                          dropconnect)
    return with_output(inputs, hidden, n_outputs, output_activation, dtype, "mlp")


def build_tabular_mlp(
    n_features,
    n_outputs,
    n_numeric=0,
    hidden_layer_sizes=(256, 256, 256),
    activation="selu",
    output_activation="identity",
    dtype="float32",
    dropout=0.0,
    n_frequencies=16,
    embedding_dim=4,
    embeddings=(),
    n_members=1,
    embedding_lr_factor=1.0,
    activation_lr_factor=1.0,
    input_padding=False,
):
    """Build the tabular network of :class:`~skdeep.TabularMLPClassifier`.

    Input columns come in three groups: ``n_numeric`` numeric columns
    first, then columns passed as they are (0/1 indicators, one-hot or
    binary codes), then one integer-code column per entry of
    ``embeddings``. The numeric columns go through a
    :class:`~skdeep.layers.PeriodicEmbedding` (when ``n_frequencies > 0``),
    the code columns through learned embeddings; everything is
    concatenated, scaled per input by a :class:`~skdeep.layers.DiagonalScale`,
    then passed through :class:`~skdeep.layers.ScaledDense` layers, each
    followed by a :class:`~skdeep.layers.ParametricActivation` (named
    ``hidden_<i>``) and, optionally, dropout.

    Parameters
    ----------
    n_features : int
        Number of input columns.
    n_outputs : int
        Number of output units.
    n_numeric : int, default=0
        Number of leading numeric columns to embed.
    hidden_layer_sizes : tuple of int, default=(256, 256, 256)
        Units of each hidden layer.
    activation : str, default='selu'
        Hidden activation (made parametric), a key of :data:`ACTIVATIONS`.
    output_activation : str, default='identity'
        Output activation, a key of :data:`ACTIVATIONS`.
    dtype : {'float32', 'float64'}, default='float32'
        Variable and compute dtype.
    dropout : float or tuple of float, default=0.0
        Dropout rate after each hidden layer (one value, or one per layer).
    n_frequencies : int, default=16
        Cosines per numeric feature; 0 passes numeric columns unembedded.
    embedding_dim : int, default=4
        Width of each numeric feature's embedding, the value itself included.
    embeddings : tuple of (int, int), default=()
        ``(n_categories, dimension)`` of each trailing code column.
    n_members : int, default=1
        Ensemble members trained as one network: a
        :class:`~skdeep.layers.MemberAdapter` before the first dense layer
        and a :class:`~skdeep.layers.MemberDense` output; the outputs are
        ``n_members`` blocks of ``n_outputs`` columns, each activated alone.
    embedding_lr_factor : float, default=1.0
        Learning-rate multiplier of the periodic embedding's weights (its
        ``factor``).
    activation_lr_factor : float, default=1.0
        Learning-rate multiplier of the parametric activations' mixes.
    input_padding : bool, default=False
        Whether the first dense layer keeps its ``fan_in ** -0.5`` factor as
        a weight (:class:`~skdeep.layers.ScaledDense` with
        ``scale_weight=True``). The tabular estimators pad the 0/1 columns
        with zero columns to a multiple of 32 and set that weight from the
        unpadded width, so the network computes what the unpadded one
        would, and the folds of a cross-validation whose one-hot widths
        differ share one compiled program.

    Returns
    -------
    keras.Model
        An uncompiled functional model ending in layers ``output`` (logits)
        and ``output_activation``.

    Examples
    --------
    >>> from skdeep.builders import build_tabular_mlp
    >>> model = build_tabular_mlp(5, 2, n_numeric=3, hidden_layer_sizes=(8,))
    >>> [layer.name for layer in model.layers][-5:]
    ['scale', 'dense_0', 'hidden_0', 'output', 'output_activation']
    >>> model.output_shape
    (None, 2)
    """
    _, keras = load()
    from .layers import (DiagonalScale, GroupActivation, MemberAdapter, MemberDense,
                         ParametricActivation, PeriodicEmbedding, RateDropout, ScaledDense)

    sizes = tuple(int(u) for u in hidden_layer_sizes)
    dropout = _per_layer(dropout, len(sizes), "dropout")
    n_numeric, n_codes = int(n_numeric), len(embeddings)
    n_plain = int(n_features) - n_numeric - n_codes
    if n_plain < 0:
        raise ValueError(
            f"n_numeric={n_numeric} and {n_codes} code column(s) exceed n_features={n_features}."
        )
    inputs = keras.Input((int(n_features),), dtype=dtype, name="input")
    parts = []
    if n_numeric:
        numeric = inputs[:, :n_numeric]
        if n_frequencies > 0:
            numeric = PeriodicEmbedding(
                n_frequencies, int(embedding_dim) - 1, factor=embedding_lr_factor, dtype=dtype,
                name="numeric_embedding",
            )(numeric)
        parts.append(numeric)
    if n_plain or n_codes:
        parts.append(embed_codes(inputs[:, n_numeric:], n_plain, embeddings, dtype))
    x = parts[0] if len(parts) == 1 else keras.layers.Concatenate(
        dtype=dtype, name="inputs")(parts)
    x = DiagonalScale(dtype=dtype, name="scale")(x)
    k = int(n_members)
    if k > 1:
        x = MemberAdapter(k, dtype=dtype, name="members")(x)
    for i, units in enumerate(sizes):
        x = ScaledDense(units, scale_weight=bool(input_padding) and i == 0, dtype=dtype,
                        name=f"dense_{i}")(x)
        x = ParametricActivation(activation, factor=activation_lr_factor, dtype=dtype,
                                 name=f"hidden_{i}")(x)
        if dropout[i] > 0:
            x = RateDropout(dropout[i], dtype=dtype, name=f"dropout_{i}")(x)
    if k == 1:
        return with_output(inputs, x, n_outputs, output_activation, dtype, "tabular_mlp",
                            dense=ScaledDense)
    logits = MemberDense(int(n_outputs), dtype=dtype, name="output")(x)
    outputs = GroupActivation([int(n_outputs)] * k, [output_activation] * k, dtype=dtype,
                              name="output_activation")(logits)
    return keras.Model(inputs, outputs, name="tabular_mlp")


def build_cnn(
    input_shape,
    n_outputs,
    filters=(32, 64),
    kernel_size=(3, 3),
    strides=(1, 1),
    padding="same",
    pooling="max",
    pool_size=2,
    dense_layer_sizes=(128,),
    activation="relu",
    output_activation="identity",
    dtype="float32",
    dropout=0.0,
    batch_normalization=False,
    standardize=True,
    global_pooling=None,
):
    """Build a convolutional network: conv blocks, then dense layers.

    Each conv block is ``Conv1D``/``Conv2D`` (``conv_<i>``), optional batch
    normalisation, the activation (``hidden_conv_<i>``) and optional pooling
    (``pool_<i>``); the result is flattened and passes through dense hidden
    layers (``hidden_<j>``, see :func:`hidden_block`) to the output. With
    ``global_pooling`` the conv output is pooled over all positions
    (``global_pool``) instead of flattened, as in fully convolutional
    networks for series (Wang et al. 2017).

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample: ``(length, channels)`` gives a 1-D network,
        ``(height, width, channels)`` a 2-D one.
    n_outputs : int
        Number of output units.
    filters : tuple of int, default=(32, 64)
        Filters of each conv layer.
    kernel_size, strides : tuple of int, default=(3, 3) and (1, 1)
        Filter size ``F`` and stride ``S`` of each conv layer.
    padding : {'same', 'valid'}, default='same'
        Zero padding of the conv and pooling layers.
    pooling : {'max', 'avg'} or None, default='max'
        Pooling after each conv layer.
    pool_size : int, default=2
        Pooling window (and stride).
    dense_layer_sizes : tuple of int, default=(128,)
        Units of the dense hidden layers after flattening.
    activation, output_activation : str
        Keys of :data:`ACTIVATIONS`.
    dtype : {'float32', 'float64'}, default='float32'
        Variable and compute dtype.
    dropout : float or tuple of float, default=0.0
        Dropout after each dense hidden layer.
    batch_normalization : bool, default=False
        Batch-normalise the conv and dense pre-activations.
    standardize : bool, default=True
        Start with a per-channel :class:`~skdeep.layers.Standardize` layer
        whose mean and variance the estimator sets from the training data.
    global_pooling : {'avg', 'max'} or None, default=None
        Average or maximum of each filter over all positions after the last
        conv block; None flattens.

    Returns
    -------
    keras.Model
        An uncompiled functional model.

    Examples
    --------
    >>> from skdeep.builders import build_cnn
    >>> model = build_cnn((8, 8, 1), 10, filters=(4,), kernel_size=(3,), strides=(1,),
    ...                   dense_layer_sizes=(16,))
    >>> [layer.name for layer in model.layers][1:5]
    ['standardize', 'conv_0', 'hidden_conv_0', 'pool_0']
    >>> model.get_layer("pool_0").output.shape
    (None, 4, 4, 4)
    """
    from .layers import keras_activation

    _, keras = load()
    layers = keras.layers
    input_shape = tuple(int(d) for d in input_shape)
    two_d = len(input_shape) == 3
    conv = layers.Conv2D if two_d else layers.Conv1D
    pool = {"max": layers.MaxPooling2D if two_d else layers.MaxPooling1D,
            "avg": layers.AveragePooling2D if two_d else layers.AveragePooling1D}.get(pooling)
    sizes = tuple(int(u) for u in dense_layer_sizes)
    dropout = _per_layer(dropout, len(sizes), "dropout")
    act = keras_activation(activation)
    bn = bool(batch_normalization)

    inputs = keras.Input(input_shape, dtype=dtype, name="input")
    x = inputs
    if standardize:
        from .layers import Standardize

        x = Standardize(dtype=dtype, name="standardize")(x)
    for i, (n_filters, kernel, stride) in enumerate(zip(filters, kernel_size, strides)):
        x = build_call(conv(int(n_filters), int(kernel), strides=int(stride), padding=padding,
                            dtype=dtype, name=f"conv_{i}"), x)
        if bn:
            x = layers.BatchNormalization(dtype=dtype, name=f"batchnorm_conv_{i}")(x)
        x = layers.Activation(act, dtype=dtype, name=f"hidden_conv_{i}")(x)
        if pool is not None:
            x = pool(int(pool_size), padding=padding, dtype=dtype, name=f"pool_{i}")(x)
    if global_pooling is None:
        x = layers.Flatten(dtype=dtype, name="flatten")(x)
    else:
        kind = {"avg": "Average", "max": "Max"}[global_pooling]
        pool_all = getattr(layers, f"Global{kind}Pooling{2 if two_d else 1}D")
        x = pool_all(dtype=dtype, name="global_pool")(x)
    x = dense_stack(x, sizes, 0, activation, dropout, bn, dtype)
    return with_output(inputs, x, n_outputs, output_activation, dtype, "cnn")


#: Recurrent cells: ``'simple'`` is the course's ``h_t = tanh(W_hh h_{t-1} + W_xh x_t)``.
RNN_CELLS = ("lstm", "gru", "simple")


def build_rnn(
    n_features,
    n_outputs,
    cell="lstm",
    units=(64,),
    bidirectional=False,
    recurrent_dropout=0.0,
    dense_layer_sizes=(),
    activation="relu",
    output_activation="identity",
    dtype="float32",
    dropout=0.0,
    batch_normalization=False,
    standardize=True,
    readout="last",
    conv_filters=(),
    conv_kernel_size=(8, 5, 3),
    pool_size=1,
):
    """Build a many-to-one recurrent network for variable-length sequences.

    Input is ``(batch, time, n_features)``, any number of steps; steps NaN in every feature are
    padding: :class:`~skdeep.layers.PaddingMask` masks them, so recurrent layers skip them and
    padding never changes a sequence's result. Recurrent layers ``hidden_<i>`` return sequences
    (the last only if ``readout`` pools them), each optionally followed by dropout, then dense
    hidden layers (see :func:`hidden_block`) and the output.

    Parameters
    ----------
    n_features : int
        Features per time step.
    n_outputs : int
        Number of output units.
    cell : {'lstm', 'gru', 'simple'}, default='lstm'
        Recurrent cell; ``'simple'`` is Keras' ``SimpleRNN`` (tanh).
    units : tuple of int, default=(64,)
        State size of each recurrent layer.
    bidirectional : bool, default=False
        Run each recurrent layer forwards and backwards and concatenate.
    recurrent_dropout : float, default=0.0
        Keras' dropout on the recurrent state of each cell (training only).
    dense_layer_sizes : tuple of int, default=()
        Dense hidden layers after the last recurrent layer.
    activation, output_activation : str
        Activation of the dense layers and of the output, keys of
        :data:`ACTIVATIONS`.
    dtype : {'float32', 'float64'}, default='float32'
        Variable and compute dtype.
    dropout : float or tuple of float, default=0.0
        Dropout after each recurrent and dense hidden layer (one value, or one per layer).
    batch_normalization : bool, default=False
        Batch-normalise the dense hidden layers' pre-activations.
    standardize : bool, default=True
        Standardise each feature with a :class:`~skdeep.layers.Standardize` layer (statistics
        set by the estimator from the real, unpadded steps).
    readout : {'last', 'mean', 'max'}, default='last'
        What the last recurrent layer hands on: its final state, or the mean or maximum of
        its outputs over every real step (:class:`~skdeep.layers.MaskedPooling`).
    conv_filters : tuple of int, default=()
        A convolutional front end: one unit per value (a convolution with
        ``'same'`` padding, batch normalisation over the real steps and
        ``activation``, named ``conv_<i>`` / ``hidden_conv_<i>``), the padding
        set back to 0 after each, so the recurrent layers read learned local
        features instead of the raw steps.
    conv_kernel_size : tuple of int, default=(8, 5, 3)
        The front end's filter lengths, cycled through unit by unit (the
        fully convolutional network's).
    pool_size : int, default=1
        After the front end, max-pool every ``pool_size`` steps
        (:class:`~skdeep.layers.PoolSteps`, windows from each series' first
        step), so the recurrent layers run ``pool_size`` times fewer steps.

    Returns
    -------
    keras.Model
        An uncompiled functional model.

    Examples
    --------
    >>> from skdeep.builders import build_rnn
    >>> model = build_rnn(3, 2, cell="gru", units=(8, 4), dense_layer_sizes=(5,))
    >>> [layer.name for layer in model.layers][1:]
    ['padding_mask', 'standardize', 'hidden_0', 'hidden_1', 'hidden_2', 'output', \
'output_activation']
    >>> model.input_shape, model.output_shape
    ((None, None, 3), (None, 2))
    >>> front = build_rnn(1, 3, cell="gru", units=(8,), conv_filters=(4, 6), pool_size=4,
    ...                   readout="max")
    >>> front.get_layer("conv_1").output.shape, front.get_layer("readout").output.shape
    ((None, None, 6), (None, 8))
    """
    _, keras = load()
    from .layers import MaskedPooling, PaddingMask, RateDropout, Standardize

    layers = keras.layers
    if cell not in RNN_CELLS:
        raise ValueError(f"Unknown cell {cell!r}; expected one of {RNN_CELLS}.")
    recurrent = tuple(int(u) for u in units)
    dense = tuple(int(u) for u in dense_layer_sizes)
    if not recurrent:
        raise ValueError("units needs at least one recurrent layer.")
    dropout = _per_layer(dropout, len(recurrent) + len(dense), "dropout")
    layer_class = {"lstm": layers.LSTM, "gru": layers.GRU, "simple": layers.SimpleRNN}[cell]

    inputs = keras.Input((None, int(n_features)), dtype=dtype, name="input")
    x = PaddingMask(dtype=dtype, name="padding_mask")(inputs)
    if standardize:
        x = Standardize(dtype=dtype, name="standardize")(x)
    mask = None  # the Keras mask PaddingMask attached, unless a front end replaces it
    if conv_filters or int(pool_size) > 1:
        x, mask = recurrent_front_end(inputs, x, conv_filters, conv_kernel_size, pool_size,
                                      activation, dtype)
    for i, size in enumerate(recurrent):
        sequences = i < len(recurrent) - 1 or readout != "last"
        if bidirectional:
            layer = layers.Bidirectional(
                layer_class(size, return_sequences=sequences,
                            recurrent_dropout=float(recurrent_dropout), dtype=dtype,
                            name=f"{cell}_{i}"),
                dtype=dtype, name=f"hidden_{i}",
            )
        else:
            layer = layer_class(size, return_sequences=sequences,
                                recurrent_dropout=float(recurrent_dropout), dtype=dtype,
                                name=f"hidden_{i}")
        x = layer(x) if mask is None or i else layer(x, mask=mask)
        if i == len(recurrent) - 1 and readout != "last":
            x = MaskedPooling(readout, dtype=dtype, name="readout")(x)
        if dropout[i] > 0:
            x = RateDropout(dropout[i], dtype=dtype, name=f"dropout_{i}")(x)
    x = dense_stack(x, dense, len(recurrent), activation, dropout[len(recurrent):],
                     batch_normalization, dtype)
    return with_output(inputs, x, n_outputs, output_activation, dtype, "rnn")


# public here: pickles and the data format name skdeep.builders.<function>
build_series_cnn.__module__ = hidden_block.__module__ = __name__
