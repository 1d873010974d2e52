"""The parameter and attribute sections shared by the CNN estimators'
docstrings (filled in by :mod:`skdeep._estimators.cnn`)."""

CNN_PARAMS = """filters : int, sequence of int or 'auto', default='auto'
        Filters of each convolution layer of ``'plain'`` networks (one
        layer per value; ``'auto'``: (32, 64)), of each block of ``'fcn'``
        and ``'resnet'``, or of each branch of an Inception module
        (``'auto'``: half the published widths of
        :data:`skdeep.builders.SERIES_ARCHITECTURES`, as accurate on the
        sets the defaults were chosen on in a third to two thirds of the
        time; ResNet's are (32, 64, 64)).
    kernel_size : int, sequence of int or 'auto', default='auto'
        Filter size F (F x F for images) of each ``'plain'`` conv layer
        (``'auto'``: 3); for the series networks, the filter lengths of a
        block or of an Inception module's long filters (``'auto'``: the
        published ones).
    strides : int or sequence of int, default=1
        Stride S of each conv layer (``'plain'`` only).
    padding : {'same', 'valid'}, default='same'
        Zero padding of the conv and pooling layers (``'plain'`` only):
        ``'valid'`` (P = 0) shrinks each layer to (W - F)/S + 1, ``'same'``
        keeps ceil(W / S).
    pooling : {'max', 'avg'} or None, default='max'
        Pooling after each conv layer (``'plain'`` only).
    pool_size : int, default=2
        Pooling window and stride (``'plain'`` only).
    dense_layer_sizes : sequence of int or 'auto', default='auto'
        Units of the fully connected layers after the conv blocks
        (``'auto'``: (128,) for ``'plain'``, none for the series networks).
    activation : str, default='relu'
        Activation of the conv and dense layers.
    architecture : {'auto', 'plain', 'fcn', 'resnet', 'inception'}, default='auto'
        The network. ``'plain'`` is the course's stack of conv, activation
        and pooling layers set by the parameters above. The others are the
        series networks that lead the deep-learning results on the UCR/UEA
        archive (see :func:`skdeep.builders.build_series_cnn`): the fully
        convolutional network and the residual network of Wang et al.
        (2017), and InceptionTime's network (Ismail Fawaz et al. 2020), all
        with batch normalisation and global average pooling. ``'auto'``
        trains ``'resnet'`` on series (``(n, length)`` rows or ``(n,
        length, channels)`` with ``conv_dims=1``) and ``'plain'`` on images.
    global_pooling : {'avg', 'max'} or None, default=None
        Pool each filter over all positions after the last conv block
        (a fully convolutional network: the dense part sees one value per
        filter, whatever the input size) instead of flattening (``'plain'``
        only; the series networks always average).
    standardize : bool, default=True
        Standardise each input channel with the training data's mean and
        standard deviation (part of the network, so ``model_`` includes it).
    input_shape : tuple of int or None, default=None
        Sample shape for flat ``(n_samples, n_features)`` input, e.g.
        ``(8, 8)`` for digits given as 64 columns; None treats flat rows as
        univariate series.
    conv_dims : {'auto', 1, 2}, default='auto'
        1-D or 2-D convolutions. ``'auto'``: ``(n, h, w)`` and
        ``(n, h, w, c)`` input are images; flat rows and ``(n, length, 1)``
        are univariate series; pass ``conv_dims=1`` for ``(n, length,
        channels)`` series with several channels.
    n_members : int, default=1
        An ensemble of series networks trained together as one network
        (InceptionTime's published recipe is 5): each member has its own
        weights and its own loss on the same minibatches (the loss curves
        sum them), and predictions and scores average the members'
        outputs. A fit costs about ``n_members`` times one network's. Series
        architectures only."""

CNN_ATTRS = """input_shape_ : tuple of int
        The sample shape the network takes (channels last); ``(None,
        channels)`` after a fit on a list of series, which takes any length.
    layer_shapes_ : list of (str, tuple, int)
        Each layer's name, output shape (without the batch axis) and number
        of parameters -- check the course's size formula on your network.
    n_layers_ : int
        Number of Keras layers, input included."""
