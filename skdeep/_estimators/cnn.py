"""Convolutional networks for images and series: :class:`CNNClassifier`,
:class:`CNNRegressor`."""

from numbers import Integral, Real

import numpy as np
from .._private import Interval, Options, StrOptions

from .base import BaseNeuralEstimator
from .settings import positive_ints
from .._docstrings import fill_doc
from .heads import ClassifierHead, RegressorHead
from .cnn_input import CNNInput
from .members import Members, MemberTargets
from .targets import ScaledTargets
from .cnn_doc import CNN_ATTRS, CNN_PARAMS
from .._shapes import check_conv_geometry, per_conv_layer
from ..builders import SERIES_ARCHITECTURES, build_cnn, build_series_cnn

_POSITIVE_INTS = ["array-like", Interval(Integral, 1, None, closed="left")]


class _BaseCNN(Members, CNNInput):
    """Input layouts, geometry checks and the builder call of the CNNs."""

    _auto_precision = "float32"
    # a file pickled before the series networks holds the course's network
    _values_before_added = {"architecture": "plain"}
    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "architecture": [StrOptions({"auto", "plain", *SERIES_ARCHITECTURES})],
        "filters": [*_POSITIVE_INTS, StrOptions({"auto"})],
        "kernel_size": [*_POSITIVE_INTS, StrOptions({"auto"})],
        "strides": _POSITIVE_INTS,
        "padding": [StrOptions({"same", "valid"})],
        "pooling": [StrOptions({"max", "avg"}), None],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "global_pooling": [StrOptions({"avg", "max"}), None],
        "dense_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left"),
                              StrOptions({"auto"})],
        "standardize": ["boolean"],
        "input_shape": [None, "array-like"],
        "conv_dims": [StrOptions({"auto"}), Interval(Integral, 1, 2, closed="both")],
        "n_members": [Interval(Integral, 1, None, closed="left")],

        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"),
                             Options(Real, {np.inf}), StrOptions({"auto"})],
    }

    # Keras' batch size and a budget of optimizer steps: a few dozen sequences
    # or images get as many updates as a large set (see _data.resolve_epochs)
    _auto_batch_size = 32

    # ------------------------------------------------------------------ ensembles
    def _layer_rates(self):
        rates = super()._layer_rates()
        k = self._members()
        if k == 1:
            return rates
        # each member's layers by their names, the unsuffixed for _present_rates
        return {**rates, **{f"{path.split('/')[0]}_m{m}/rate": rate
                            for m in range(k) for path, rate in rates.items()}}

    # ------------------------------------------------------------------ architecture
    def _architecture(self):
        """The network family: ``architecture``, with ``'auto'`` resolved on
        the fitted input (series: ``'resnet'``; images: ``'plain'``)."""
        if self.architecture != "auto":
            return self.architecture
        shape = getattr(self, "input_shape_", None)
        return "resnet" if shape is not None and len(shape) == 2 else "plain"

    def _hidden_sizes(self):
        if isinstance(self.dense_layer_sizes, str):
            return (128,) if self._architecture() == "plain" else ()
        return positive_ints(self.dense_layer_sizes, "dense_layer_sizes")

    def _plain_params(self):
        """``filters`` and ``kernel_size`` of the course's network."""
        filters = (32, 64) if isinstance(self.filters, str) else self.filters
        kernels = 3 if isinstance(self.kernel_size, str) else self.kernel_size
        return filters, kernels

    def _conv_geometry(self, input_shape):
        """Per-layer filters, kernel sizes and strides, checking the sizes stay positive."""
        filters, kernels = self._plain_params()
        filters = per_conv_layer(filters, None, "filters")
        kernels = per_conv_layer(kernels, len(filters), "kernel_size")
        strides = per_conv_layer(self.strides, len(filters), "strides")
        check_conv_geometry(input_shape[:-1], kernels, strides, self.padding,
                            self.pooling, self.pool_size)
        return filters, kernels, strides

    def _dense_kwargs(self, dtype):
        """The builder arguments both network families take, in order."""
        return (
            ("dense_layer_sizes", self._hidden_sizes()),
            ("activation", self.activation),
            ("output_activation", self.out_activation_),
            ("dtype", dtype),
            ("dropout", self._present_rates("dropout")),
            ("batch_normalization", bool(self.batch_normalization)),
            ("standardize", bool(self.standardize)),
        )

    _PLAIN_ONLY = {"strides": 1, "padding": "same", "pooling": "max", "pool_size": 2,
                   "global_pooling": None}

    def _series_spec(self, architecture, input_shape, n_outputs, dtype, loss):
        for name, default in self._PLAIN_ONLY.items():
            value = getattr(self, name)
            if np.ndim(value) != 0 or value != default:
                raise ValueError(
                    f"{name}={value!r} sets the course's plain network, but this "
                    f"{type(self).__name__} trains the {architecture!r} series network "
                    f"(architecture={self.architecture!r}); pass architecture='plain' to "
                    f"use {name}, or leave it at {default!r}."
                )

        def given(value, name):
            return None if isinstance(value, str) else per_conv_layer(value, None, name)

        kwargs = (
            ("input_shape", tuple(None if d is None else int(d) for d in input_shape)),
            ("n_outputs", int(n_outputs)),
            ("architecture", architecture),
            # 'auto': half the published widths, as accurate on the sets the
            # defaults were chosen on in 1/3 to 2/3 of the time (benchmarks/bench_sequences)
            ("filters", given(self.filters, "filters") or tuple(
                max(1, f // 2) for f in SERIES_ARCHITECTURES[architecture]["filters"])),
            ("kernel_size", given(self.kernel_size, "kernel_size")),
            *self._dense_kwargs(dtype),
            ("masked", input_shape[0] is None),
            ("n_members", int(self.n_members)),
            # batch norm follows each convolution: a bias would be rounding
            # noise (networks fitted before carry the builder's default, True)
            ("conv_bias", False),
        )
        k = int(self.n_members)  # the parameter: warm_start compares it with the fit
        return self._make_spec(build_series_cnn, kwargs, input_shape, n_outputs * k, dtype,
                               self._member_losses(loss, n_outputs, k))

    def _model_spec(self, input_shape, n_outputs, dtype, loss):
        architecture = self._architecture()
        if self.input_shape_[0] is None:  # fitted on a list of series
            if architecture == "plain":
                raise ValueError(
                    "architecture='plain' flattens a fixed length, but X is a list of "
                    "series of unequal length; use a series network (architecture='auto', "
                    "'resnet', 'fcn' or 'inception') or pad the series yourself."
                )
            input_shape = self.input_shape_
        if architecture != "plain":
            if len(input_shape) != 2:
                raise ValueError(
                    f"architecture={architecture!r} is a network for series of shape "
                    f"(length, channels), but the samples are images of shape "
                    f"{tuple(input_shape)}; use architecture='plain' (or 'auto') for images."
                )
            return self._series_spec(architecture, input_shape, n_outputs, dtype, loss)
        if self.n_members > 1:
            raise ValueError(
                f"n_members={self.n_members} trains an ensemble of series networks, but "
                "this fit trains the course's plain network (images, or "
                "architecture='plain'); use n_members=1, or a series architecture."
            )
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
            *self._dense_kwargs(dtype),
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


def _doc(obj):
    obj.__doc__ = obj.__doc__.replace("%(cnn_params)s", CNN_PARAMS).replace(
        "%(cnn_attributes)s", CNN_ATTRS
    )
    return fill_doc(obj, step_budget=True)


@_doc
class CNNClassifier(MemberTargets, ClassifierHead, _BaseCNN):
    """Convolutional network classifier for images and series, trained by Keras.

    Stacks of convolution (F x F filters, stride S, padding P), activation
    and pooling layers, then fully connected layers -- the course's CNN --
    behind scikit-learn's ``fit / predict / score``, with the same training
    parameters, stopping rules and fitted attributes as
    :class:`MLPClassifier`. Input may be ``(n, h, w)`` grayscale images,
    ``(n, h, w, c)`` images, ``(n, length, channels)`` series (with
    ``conv_dims=1``), or flat rows with ``input_shape`` (so a CNN can follow
    flat transformers in a Pipeline); flat rows without ``input_shape`` are
    univariate series; a list of series of unequal length is padded and
    masked inside. Series train a residual network by default
    (``architecture='auto'``), the network that leads the deep-learning
    results on the UCR/UEA archive; ``architecture='plain'`` keeps the
    course's stack for them too.

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
        filters="auto",
        kernel_size="auto",
        strides=1,
        padding="same",
        pooling="max",
        pool_size=2,
        dense_layer_sizes="auto",
        activation="relu",
        *,
        architecture="auto",
        global_pooling=None,
        standardize=True,
        input_shape=None,
        conv_dims="auto",
        n_members=1,
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
        self.architecture = architecture
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
        self.n_members = n_members
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
class CNNRegressor(MemberTargets, ScaledTargets, RegressorHead, _BaseCNN):
    """Convolutional network regressor for images and series, trained by Keras.

    The regression counterpart of :class:`CNNClassifier` (same layouts and
    architecture parameters), with the regression losses, ``R^2`` score and
    Monte-Carlo dropout intervals of :class:`MLPRegressor`.

    %(scaled_targets)s

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
    >>> series = rng.randn(200, 16) * rng.uniform(0.5, 2, (200, 1))
    >>> target = np.abs(series).mean(axis=1)  # each series' mean amplitude
    >>> reg = CNNRegressor(filters=(8,), max_iter=100, learning_rate_init=0.01,
    ...                    random_state=0).fit(series, target)
    >>> reg.input_shape_
    (16, 1)
    >>> [name for name, _, _ in reg.layer_shapes_][-4:-1]  # a residual network
    ['hidden_block_0', 'global_pool', 'output']
    >>> reg.score(series, target) > 0.8
    True
    """

    _parameter_constraints = {
        **_BaseCNN._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "huber", "poisson"})],
    }

    def __init__(
        self,
        filters="auto",
        kernel_size="auto",
        strides=1,
        padding="same",
        pooling="max",
        pool_size=2,
        dense_layer_sizes="auto",
        activation="relu",
        *,
        architecture="auto",
        global_pooling=None,
        standardize=True,
        input_shape=None,
        conv_dims="auto",
        n_members=1,
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
        self.architecture = architecture
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
        self.n_members = n_members
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
