"""Convolutional networks for images and series: :class:`CNNClassifier`,
:class:`CNNRegressor`."""

from numbers import Integral, Real

import numpy as np
from .._private import Interval, Options, StrOptions

from .base import BaseNeuralEstimator
from .settings import positive_ints
from .._docstrings import fill_doc
from .heads import ClassifierHead, RegressorHead
from ..builders import build_cnn, conv_output_size

_POSITIVE_INTS = ["array-like", Interval(Integral, 1, None, closed="left")]


def _per_conv_layer(value, n_layers, name):
    values = (tuple(int(v) for v in value) if hasattr(value, "__iter__")
              else (int(value),) * n_layers)
    if len(values) != n_layers:
        raise ValueError(
            f"{name} has {len(values)} values but there are {n_layers} conv layers; give "
            f"one int or one per conv layer."
        )
    if any(v < 1 for v in values):
        raise ValueError(f"{name} must be positive, got {values}.")
    return values


class _BaseCNN(BaseNeuralEstimator):
    """Input layouts, geometry checks and the builder call of the CNNs."""

    _auto_precision = "float32"
    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "filters": _POSITIVE_INTS,
        "kernel_size": _POSITIVE_INTS,
        "strides": _POSITIVE_INTS,
        "padding": [StrOptions({"same", "valid"})],
        "pooling": [StrOptions({"max", "avg"}), None],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "global_pooling": [StrOptions({"avg", "max"}), None],
        "dense_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "standardize": ["boolean"],
        "input_shape": [None, "array-like"],
        "conv_dims": [StrOptions({"auto"}), Interval(Integral, 1, 2, closed="both")],

        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"),
                             Options(Real, {np.inf}), StrOptions({"auto"})],
    }

    # Keras' batch size and a budget of optimizer steps: a few dozen sequences
    # or images get as many updates as a large set (see _data.resolve_epochs)
    _auto_batch_size = 32

    # ------------------------------------------------------------------ input layout
    _nd_samples = True


    def _sample_layout(self, raw):
        """The network's sample shape for raw sample shape ``raw``."""
        raw = tuple(int(d) for d in raw)
        if len(raw) == 1 and self.input_shape is not None:
            shape = tuple(int(d) for d in self.input_shape)
            if int(np.prod(shape)) != raw[0]:
                raise ValueError(
                    f"input_shape={shape} holds {int(np.prod(shape))} values but X has "
                    f"{raw[0]} features per sample."
                )
            raw = shape
        dims = self.conv_dims
        if len(raw) == 1:
            if dims == 2:
                raise ValueError(
                    "conv_dims=2 needs images: pass X as (n, height, width[, channels]) or "
                    "give input_shape=(height, width[, channels]) for flat rows."
                )
            return raw + (1,)  # a univariate series
        if len(raw) == 2:
            return raw if dims == 1 else raw + (1,)  # (length, channels) or grayscale
        if len(raw) == 3 and dims != 1:
            return raw
        raise ValueError(
            f"Cannot use samples of shape {raw} with conv_dims={dims!r}: expected "
            "(length,) or (length, channels) for 1-D convolutions, (height, width) or "
            "(height, width, channels) for 2-D ones."
        )

    def _shape_input(self, X, reset):
        X = super()._shape_input(X, reset)  # densifies sparse rows
        if reset:
            self._fit_sample_shape = tuple(X.shape[1:])
            self.input_shape_ = self._sample_layout(X.shape[1:])
        elif tuple(X.shape[1:]) != self._fit_sample_shape:
            # same layout rules as in fit; never reinterpret the bytes of another
            # layout with the same number of values ((8, 3, 8) is not (8, 8, 3))
            try:
                layout = self._sample_layout(X.shape[1:])
            except ValueError:
                layout = None
            if layout != self.input_shape_:
                raise ValueError(self._shape_message(X.shape[1:]))
        return X.reshape((X.shape[0], *self.input_shape_))

    def _shape_message(self, shape):
        fitted = getattr(self, "_fit_sample_shape", self.input_shape_)
        return (
            f"X has samples of shape {tuple(shape)}, but {type(self).__name__} was fitted "
            f"on samples of shape {fitted} (network input {self.input_shape_}). Images "
            "are (height, width) or (height, width, channels), channels last: transpose "
            "channels-first arrays with X.transpose(0, 2, 3, 1)."
        )

    # ------------------------------------------------------------------ architecture
    def _hidden_sizes(self):
        return positive_ints(self.dense_layer_sizes, "dense_layer_sizes")

    def _conv_geometry(self, input_shape):
        """Per-layer filters, kernel sizes and strides, checking the sizes stay positive."""
        filters = self.filters if hasattr(self.filters, "__iter__") else (self.filters,)
        filters = _per_conv_layer(filters, len(filters), "filters")
        kernels = _per_conv_layer(self.kernel_size, len(filters), "kernel_size")
        strides = _per_conv_layer(self.strides, len(filters), "strides")
        sizes = list(input_shape[:-1])
        for i, (kernel, stride) in enumerate(zip(kernels, strides)):
            out = [conv_output_size(w, kernel, stride, self.padding) for w in sizes]
            if min(out) < 1:
                w = min(sizes)
                raise ValueError(
                    f"Layer conv_{i} shrinks its input to nothing: output size "
                    f"(W - F + 2P)/S + 1 = ({w} - {kernel} + 2*0)/{stride} + 1 = "
                    f"{min(out)} for input size W={w} with padding='valid'. Use "
                    "padding='same', smaller kernel_size or strides, or fewer conv layers."
                )
            sizes = out
            if self.pooling is not None:
                out = [conv_output_size(w, self.pool_size, self.pool_size, self.padding)
                       for w in sizes]
                if min(out) < 1:
                    raise ValueError(
                        f"Layer pool_{i} shrinks its input of size {min(sizes)} to nothing "
                        f"with pool_size={self.pool_size} and padding='valid'. Use "
                        "padding='same', a smaller pool_size, or fewer conv layers."
                    )
                sizes = out
        return filters, kernels, strides

    def _model_spec(self, input_shape, n_outputs, dtype, loss):
        filters, kernels, strides = self._conv_geometry(tuple(input_shape))
        kwargs = (
            ("input_shape", tuple(int(d) for d in input_shape)),
            ("n_outputs", int(n_outputs)),
            ("filters", filters),
            ("kernel_size", kernels),
            ("strides", strides),
            ("padding", self.padding),
            ("pooling", self.pooling),
            ("pool_size", int(self.pool_size)),
            ("dense_layer_sizes", self._hidden_sizes()),
            ("activation", self.activation),
            ("output_activation", self.out_activation_),
            ("dtype", dtype),
            ("dropout", self._present_rates("dropout")),
            ("batch_normalization", bool(self.batch_normalization)),
            ("standardize", bool(self.standardize)),
            ("global_pooling", self.global_pooling),
        )
        return self._make_spec(build_cnn, kwargs, input_shape, n_outputs, dtype, loss)

    def _setup_network(self, X, Y, sample_weight=None):
        super()._setup_network(X, Y, sample_weight)
        self._set_input_statistics(X, sample_weight)

    def _initial_weights(self, engine, rng):
        weights = super()._initial_weights(engine, rng)
        self.layer_shapes_ = [
            (layer.name, tuple(layer.output.shape[1:]), int(layer.count_params()))
            for layer in engine.model.layers
        ]
        self.n_layers_ = len(self.layer_shapes_)
        return weights


_CNN_PARAMS = """filters : int or sequence of int, default=(32, 64)
        Number of filters of each convolution layer (one layer per value).
    kernel_size : int or sequence of int, default=3
        Filter size F (F x F for images), one value or one per conv layer.
    strides : int or sequence of int, default=1
        Stride S of each conv layer.
    padding : {'same', 'valid'}, default='same'
        Zero padding of the conv and pooling layers: ``'valid'`` (P = 0)
        shrinks each layer to (W - F)/S + 1, ``'same'`` keeps ceil(W / S).
    pooling : {'max', 'avg'} or None, default='max'
        Pooling after each conv layer.
    pool_size : int, default=2
        Pooling window and stride.
    dense_layer_sizes : sequence of int, default=(128,)
        Units of the fully connected layers after the conv blocks.
    activation : str, default='relu'
        Activation of the conv and dense layers.
    global_pooling : {'avg', 'max'} or None, default=None
        Pool each filter over all positions after the last conv block
        (a fully convolutional network: the dense part sees one value per
        filter, whatever the input size) instead of flattening.
    standardize : bool, default=True
        Standardise each input channel with the training data's mean and
        standard deviation (part of the network, so ``model_`` includes it).
    input_shape : tuple of int or None, default=None
        Sample shape for flat ``(n_samples, n_features)`` input, e.g.
        ``(8, 8)`` for digits given as 64 columns; None treats flat rows as
        univariate series.
    conv_dims : {'auto', 1, 2}, default='auto'
        1-D or 2-D convolutions. ``'auto'``: ``(n, h, w)`` and
        ``(n, h, w, c)`` input are images, flat rows are series; pass
        ``conv_dims=1`` for ``(n, length, channels)`` series."""

_CNN_ATTRS = """input_shape_ : tuple of int
        The sample shape the network takes (channels last).
    layer_shapes_ : list of (str, tuple, int)
        Each layer's name, output shape (without the batch axis) and number
        of parameters -- check the course's size formula on your network.
    n_layers_ : int
        Number of Keras layers, input included."""


def _doc(obj):
    obj.__doc__ = obj.__doc__.replace("%(cnn_params)s", _CNN_PARAMS).replace(
        "%(cnn_attributes)s", _CNN_ATTRS
    )
    return fill_doc(obj, step_budget=True)


@_doc
class CNNClassifier(ClassifierHead, _BaseCNN):
    """Convolutional network classifier for images and series, trained by Keras.

    Stacks of convolution (F x F filters, stride S, padding P), activation
    and pooling layers, then fully connected layers -- the course's CNN --
    behind scikit-learn's ``fit / predict / score``, with the same training
    parameters, stopping rules and fitted attributes as
    :class:`MLPClassifier`. Input may be ``(n, h, w)`` grayscale images,
    ``(n, h, w, c)`` images, ``(n, length, channels)`` series (with
    ``conv_dims=1``), or flat rows with ``input_shape`` (so a CNN can follow
    flat transformers in a Pipeline); flat rows without ``input_shape`` are
    univariate series.

    Parameters
    ----------
    %(cnn_params)s
    %(solver)s
    %(alpha)s
    %(batch_size)s
    %(learning_rate)s
    %(learning_rate_init)s
    %(power_t)s
    %(max_iter)s
    %(shuffle)s
    %(random_state)s
    %(tol)s
    %(verbose)s
    %(warm_start)s
    %(momentum)s
    %(nesterovs_momentum)s
    %(early_stopping)s
    %(validation_fraction)s
    %(beta_1)s
    %(beta_2)s
    %(epsilon)s
    %(n_iter_no_change)s
    %(max_fun)s
    %(l1)s
    %(activity_l1)s
    %(activity_l2)s
    %(dropout)s
    %(batch_normalization)s
    %(mc_samples)s
    %(min_grad_norm)s
    %(kernel_initializer)s
    %(n_init)s
    %(callbacks)s
    %(distribution)s
    %(precision)s
    output_activation : {'logistic', 'softmax'} or None, default=None
        Output activation; None picks softmax for multiclass, logistic for
        binary and multilabel targets.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels.
    %(cnn_attributes)s
    %(common_attributes)s

    See Also
    --------
    CNNRegressor : The regression counterpart.
    MLPClassifier : Fully connected networks.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import CNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> images = X.reshape(-1, 8, 8)[:300]
    >>> clf = CNNClassifier(filters=(8,), dense_layer_sizes=(32,), max_iter=40,
    ...                     learning_rate_init=0.01,
    ...                     random_state=0).fit(images, y[:300])
    >>> clf.score(images, y[:300]) > 0.9
    True
    >>> clf.layer_shapes_[2]
    ('conv_0', (8, 8, 8), 80)
    """

    _parameter_constraints = {
        **_BaseCNN._parameter_constraints,
        "output_activation": [None, StrOptions({"logistic", "softmax"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        filters=(32, 64),
        kernel_size=3,
        strides=1,
        padding="same",
        pooling="max",
        pool_size=2,
        dense_layer_sizes=(128,),
        activation="relu",
        *,
        global_pooling=None,
        standardize=True,
        input_shape=None,
        conv_dims="auto",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change="auto",
        max_fun=15000,
        output_activation=None,
        l1=0.0,
        activity_l1=0.0,
        activity_l2=0.0,
        dropout=0.0,
        batch_normalization=False,
        mc_samples=100,
        min_grad_norm=0.0,
        kernel_initializer=None,
        n_init=1,
        callbacks=None,
        class_weight=None,
        distribution=None,
        precision="auto",
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.pooling = pooling
        self.pool_size = pool_size
        self.global_pooling = global_pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.activation = activation
        self.standardize = standardize
        self.input_shape = input_shape
        self.conv_dims = conv_dims
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.output_activation = output_activation
        self.l1 = l1
        self.activity_l1 = activity_l1
        self.activity_l2 = activity_l2
        self.dropout = dropout
        self.batch_normalization = batch_normalization
        self.mc_samples = mc_samples
        self.min_grad_norm = min_grad_norm
        self.kernel_initializer = kernel_initializer
        self.n_init = n_init
        self.callbacks = callbacks
        self.distribution = distribution
        self.precision = precision
        self.class_weight = class_weight


@_doc
class CNNRegressor(RegressorHead, _BaseCNN):
    """Convolutional network regressor for images and series, trained by Keras.

    The regression counterpart of :class:`CNNClassifier` (same layouts and
    architecture parameters), with the regression losses, ``R^2`` score and
    Monte-Carlo dropout intervals of :class:`MLPRegressor`.

    Parameters
    ----------
    %(cnn_params)s
    %(solver)s
    %(alpha)s
    %(batch_size)s
    %(learning_rate)s
    %(learning_rate_init)s
    %(power_t)s
    %(max_iter)s
    %(shuffle)s
    %(random_state)s
    %(tol)s
    %(verbose)s
    %(warm_start)s
    %(momentum)s
    %(nesterovs_momentum)s
    %(early_stopping)s
    %(validation_fraction)s
    %(beta_1)s
    %(beta_2)s
    %(epsilon)s
    %(n_iter_no_change)s
    %(max_fun)s
    %(l1)s
    %(activity_l1)s
    %(activity_l2)s
    %(dropout)s
    %(batch_normalization)s
    %(mc_samples)s
    %(min_grad_norm)s
    %(kernel_initializer)s
    %(n_init)s
    %(callbacks)s
    %(distribution)s
    %(precision)s
    output_activation : str or None, default=None
        Output activation; None is ``'identity'`` (``'exp'`` for Poisson).
    loss : {'squared_error', 'absolute_error', 'huber', 'poisson'}, default='squared_error'
        The regression loss (see :class:`MLPRegressor`).

    Attributes
    ----------
    %(cnn_attributes)s
    %(common_attributes)s

    See Also
    --------
    CNNClassifier : The classification counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import CNNRegressor
    >>> rng = np.random.RandomState(0)
    >>> series = rng.randn(200, 16)
    >>> target = series[:, 4:8].sum(axis=1)
    >>> reg = CNNRegressor(filters=(8,), dense_layer_sizes=(16,), max_iter=100,
    ...                    learning_rate_init=0.01, random_state=0).fit(series, target)
    >>> reg.input_shape_
    (16, 1)
    >>> reg.score(series, target) > 0.8
    True
    """

    _parameter_constraints = {
        **_BaseCNN._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "huber", "poisson"})],
    }

    def __init__(
        self,
        filters=(32, 64),
        kernel_size=3,
        strides=1,
        padding="same",
        pooling="max",
        pool_size=2,
        dense_layer_sizes=(128,),
        activation="relu",
        *,
        global_pooling=None,
        standardize=True,
        input_shape=None,
        conv_dims="auto",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change="auto",
        max_fun=15000,
        output_activation=None,
        l1=0.0,
        activity_l1=0.0,
        activity_l2=0.0,
        dropout=0.0,
        batch_normalization=False,
        mc_samples=100,
        min_grad_norm=0.0,
        kernel_initializer=None,
        n_init=1,
        callbacks=None,
        loss="squared_error",
        distribution=None,
        precision="auto",
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.pooling = pooling
        self.pool_size = pool_size
        self.global_pooling = global_pooling
        self.dense_layer_sizes = dense_layer_sizes
        self.activation = activation
        self.standardize = standardize
        self.input_shape = input_shape
        self.conv_dims = conv_dims
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.output_activation = output_activation
        self.l1 = l1
        self.activity_l1 = activity_l1
        self.activity_l2 = activity_l2
        self.dropout = dropout
        self.batch_normalization = batch_normalization
        self.mc_samples = mc_samples
        self.min_grad_norm = min_grad_norm
        self.kernel_initializer = kernel_initializer
        self.n_init = n_init
        self.callbacks = callbacks
        self.distribution = distribution
        self.precision = precision
        self.loss = loss


# public: pickles and the docs name skdeep.<Class>, never this private module
CNNClassifier.__module__ = CNNRegressor.__module__ = "skdeep"
