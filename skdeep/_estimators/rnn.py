"""Recurrent networks for sequences: :class:`RNNSequenceClassifier`,
:class:`RNNSequenceRegressor` (many-to-one)."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from .._private import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .base import BaseNeuralEstimator
from .settings import positive_ints
from .._docstrings import fill_doc
from .heads import ClassifierHead, RegressorHead
from .targets import ScaledTargets
from .sequences import _is_sequence_list, _text_error, pad_sequences, read_sequence_list
from ..builders import RNN_CELLS, build_rnn

_SIZES = ["array-like", Interval(Integral, 1, None, closed="left")]

#: ``conv_filters='auto'`` and, with a front end, ``pool_size='auto'``: the
#: convolutional front end the sequence defaults were chosen with (docs:
#: "Sequence defaults on the UCR/UEA archive").
AUTO_CONV_FILTERS = (32, 64, 64)
AUTO_POOL_SIZE = 4


class _BaseRNN(BaseNeuralEstimator):
    """Sequence inputs (fixed-length blocks or ragged lists) and the builder call."""

    _keras_initialization = True

    _auto_precision = "float32"
    # a file pickled before the front end existed holds a plain recurrent network
    _values_before_added = {"conv_filters": (), "pool_size": 1}
    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "cell": [StrOptions(set(RNN_CELLS))],
        "units": _SIZES,
        "bidirectional": ["boolean"],
        "recurrent_dropout": [Interval(Real, 0, 1, closed="left")],
        "dense_layer_sizes": _SIZES,
        "standardize": ["boolean"],
        "readout": [StrOptions({"auto", "last", "mean", "max"})],
        "conv_filters": [*_SIZES, StrOptions({"auto"})],
        "conv_kernel_size": _SIZES,
        "pool_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],

        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"),
                             Options(Real, {np.inf}), StrOptions({"auto"})],
    }

    # Keras' batch size and a budget of optimizer steps: a few dozen sequences
    # or images get as many updates as a large set (see _data.resolve_epochs)
    _auto_batch_size = 32

    # ------------------------------------------------------------------ input layout
    _nd_samples = True


    def _validate_array(self, *arrays, reset, **check_params):
        """``validate_data`` with a clear message for text given as sequences."""
        try:
            return validate_data(self, *arrays, reset=reset, **check_params)
        except ValueError as err:
            if "string" in str(err):
                raise _text_error(type(self).__name__, "X") from err
            raise

    def _shape_input(self, X, reset):
        if sp.issparse(X):
            X = X.toarray()
        if X.ndim == 2:
            X = X[:, :, np.newaxis]  # univariate sequences
        elif X.ndim != 3:
            raise ValueError(
                f"X has shape {X.shape}; expected (n_samples, n_steps) univariate "
                "sequences, (n_samples, n_steps, n_features), or a list of "
                "(n_steps_i, n_features) arrays."
            )
        if reset:
            self.n_step_features_ = X.shape[2]
        elif X.shape[2] != self.n_step_features_:
            raise ValueError(
                f"X has {X.shape[2]} features per step, but {type(self).__name__} was "
                f"fitted with {self.n_step_features_}."
            )
        return X

    def _validate_Xy(self, X, y, reset, **check_params):
        if not _is_sequence_list(X):
            X, y = self._validate_array(X, y, reset=reset,
                                        **{**self._X_check_params(), **check_params})
            return self._shape_input(X, reset), y
        X, _, y = read_sequence_list(self, X, y, reset, check_params)
        return self._shape_input(X, reset), y

    def _validate_X(self, X):
        check_is_fitted(self)
        if _is_sequence_list(X):
            X, _ = pad_sequences(list(X), type(self).__name__)
        else:
            X = self._validate_array(X, reset=False, **self._X_check_params())
        return self._shape_input(X, reset=False)

    # ------------------------------------------------------------------ architecture
    def _units(self):
        return positive_ints(self.units, "units", allow_empty=False)

    def _dense_sizes(self):
        return positive_ints(self.dense_layer_sizes, "dense_layer_sizes")

    def _conv_filters(self):
        if isinstance(self.conv_filters, str):
            return AUTO_CONV_FILTERS
        return positive_ints(self.conv_filters, "conv_filters")

    def _pool_size(self):
        if isinstance(self.pool_size, str):
            return AUTO_POOL_SIZE if self._conv_filters() else 1
        return int(self.pool_size)

    def _readout(self):
        if self.readout == "auto":
            return "max" if self._conv_filters() else "last"
        return self.readout

    def _hidden_sizes(self):
        # every hidden layer (recurrent, then dense) can take a dropout rate
        return self._units() + self._dense_sizes()

    def _model_spec(self, input_shape, n_outputs, dtype, loss):
        n_features = int(input_shape[-1])
        kwargs = (
            ("n_features", n_features),
            ("n_outputs", int(n_outputs)),
            ("cell", self.cell),
            ("units", self._units()),
            ("bidirectional", bool(self.bidirectional)),
            ("recurrent_dropout", float(self.recurrent_dropout)),
            ("dense_layer_sizes", self._dense_sizes()),
            ("activation", self.activation),
            ("output_activation", self.out_activation_),
            ("dtype", dtype),
            ("dropout", self._present_rates("dropout")),
            ("batch_normalization", bool(self.batch_normalization)),
            ("standardize", bool(self.standardize)),
            ("readout", self._readout()),
            ("conv_filters", self._conv_filters()),
            ("conv_kernel_size", positive_ints(self.conv_kernel_size, "conv_kernel_size",
                                               allow_empty=False)),
            ("pool_size", self._pool_size()),
        )
        return self._make_spec(build_rnn, kwargs, (None, n_features), n_outputs, dtype, loss)

    def _setup_network(self, X, Y, sample_weight=None):
        super()._setup_network(X, Y, sample_weight)
        self._set_input_statistics(X, sample_weight)  # over the real steps only
        self.max_length_ = int(X.shape[1])

    def _initial_weights(self, engine, rng):
        weights = super()._initial_weights(engine, rng)
        self.n_layers_ = len(engine.model.layers)
        return weights


_RNN_PARAMS = """cell : {'gru', 'lstm', 'simple'}, default='gru'
        Recurrent cell. ``'simple'`` is the course's recurrence
        ``h_t = tanh(W_hh h_(t-1) + W_xh x_t + b)``; ``'lstm'`` and ``'gru'``
        add gates that keep gradients alive over long sequences. The GRU is
        the default: on small real sets it learns where the LSTM stalls
        on a plateau (docs: "Sequence defaults on the UCR/UEA archive").
    units : int or sequence of int, default=64
        State size of each recurrent layer (one layer per value); all but the
        last pass their whole output sequence on.
    bidirectional : bool, default=False
        Read each sequence forwards and backwards and concatenate the states.
    dense_layer_sizes : int or sequence of int, default=()
        Fully connected hidden layers between the last recurrent layer and
        the output.
    activation : str, default='relu'
        Activation of the dense hidden layers.
    recurrent_dropout : float, default=0.0
        Dropout on the recurrent state inside each cell during training
        (Keras' ``recurrent_dropout``; part of the architecture).
    standardize : bool, default=True
        Standardise each feature with the mean and standard deviation of the
        real (unpadded) training steps, inside the network.
    readout : {'auto', 'last', 'mean', 'max'}, default='auto'
        What the last recurrent layer passes on: its state after the last
        real step, or the mean or maximum of its outputs over every real
        step (padding never counts, so predictions stay independent of it).
        Pooling reads the whole of a long series instead of what one state
        retained at its end. ``'auto'`` is ``'max'`` with a convolutional
        front end and ``'last'`` without.
    conv_filters : 'auto', int or sequence of int, default='auto'
        A convolutional front end before the recurrent layers, one unit per
        value: a convolution of that many filters (``'same'`` padding),
        batch normalisation over the real steps, and ``activation``. The
        recurrent layers then read learned local features, ``pool_size``
        times fewer of them, instead of hundreds of raw steps -- on long
        univariate series the plain recurrent network falls below chance
        (docs: "Sequence defaults on the UCR/UEA archive"). ``'auto'`` is
        ``(32, 64, 64)``; ``()`` is the course's plain recurrent network
        (with ``readout`` and ``pool_size`` left at ``'auto'``: its last
        state, every step).
    conv_kernel_size : int or sequence of int, default=(8, 5, 3)
        The front end's filter lengths, cycled through unit by unit (the
        fully convolutional network's, Wang et al. 2017).
    pool_size : 'auto' or int, default='auto'
        After the front end, the maximum over windows of ``pool_size``
        steps (starting at each series' first step, so padding never shifts
        them). ``'auto'`` is 4 with a front end and 1 without."""

_RNN_ATTRS = """n_step_features_ : int
        Number of features per time step.
    max_length_ : int
        Number of steps of the longest training sequence.
    n_layers_ : int
        Number of Keras layers, input included."""

_RNN_INPUT = """Sequences may be given as a ``(n, n_steps)`` array (univariate), a
    ``(n, n_steps, n_features)`` array, or a list of ``(n_steps_i,
    n_features)`` (or 1-D) arrays of different lengths. Lists are padded
    internally and the padding is masked, so the recurrent layers skip it and
    a sequence's prediction does not depend on the other sequences' lengths;
    predictions on a list may use any lengths, while an array must keep the
    number of steps of equal-length training sequences (scikit-learn's
    ``n_features_in_``)."""


def _doc(obj):
    obj.__doc__ = (
        obj.__doc__.replace("%(rnn_params)s", _RNN_PARAMS)
        .replace("%(rnn_attributes)s", _RNN_ATTRS)
        .replace("%(rnn_input)s", _RNN_INPUT)
    )
    return fill_doc(obj, step_budget=True)


@_doc
class RNNSequenceClassifier(ClassifierHead, _BaseRNN):
    """Recurrent network classifier for sequences (many-to-one), trained by Keras.

    The course's recurrent network ``h_t = f_W(h_(t-1), x_t)`` with shared
    weights reads each sequence step by step. By default a convolutional
    front end first turns the raw steps into local features, four times
    fewer, and the maximum of the recurrent outputs over every step goes
    through optional dense layers to the class probabilities;
    ``conv_filters=()`` gives the plain network that reads the raw steps and
    answers from its last state. Same training parameters, stopping rules,
    fitted attributes and scikit-learn behaviour as :class:`MLPClassifier`.

    %(rnn_input)s

    Parameters
    ----------
    %(rnn_params)s
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
    %(rnn_attributes)s
    %(common_attributes)s

    See Also
    --------
    RNNSequenceRegressor : The regression counterpart.
    CharRNN : A character-level language model on the same cells.

    Notes
    -----
    Weights start from each Keras layer's own initializer (Glorot uniform
    kernels, orthogonal recurrent kernels, zero biases with the LSTM's unit
    forget bias), seeded from ``random_state``. ``dropout`` acts between
    layers and is the one Monte-Carlo predictions keep on;
    ``recurrent_dropout`` only acts in training.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import RNNSequenceClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = [rng.randn(rng.randint(5, 15)) for _ in range(200)]
    >>> y = np.array(["up" if x.sum() > 0 else "down" for x in X])
    >>> clf = RNNSequenceClassifier(units=16, max_iter=60, learning_rate_init=0.01,
    ...                             random_state=1).fit(X, y)
    >>> clf.classes_.tolist(), clf.n_step_features_, clf.max_length_
    (['down', 'up'], 1, 14)
    >>> clf.score(X, y) > 0.9
    True
    """

    _parameter_constraints = {
        **_BaseRNN._parameter_constraints,
        "output_activation": [None, StrOptions({"logistic", "softmax"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        cell="gru",
        units=64,
        bidirectional=False,
        dense_layer_sizes=(),
        activation="relu",
        *,
        recurrent_dropout=0.0,
        standardize=True,
        readout="auto",
        conv_filters="auto",
        conv_kernel_size=(8, 5, 3),
        pool_size="auto",
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
        self.cell = cell
        self.units = units
        self.bidirectional = bidirectional
        self.dense_layer_sizes = dense_layer_sizes
        self.activation = activation
        self.recurrent_dropout = recurrent_dropout
        self.standardize = standardize
        self.readout = readout
        self.conv_filters = conv_filters
        self.conv_kernel_size = conv_kernel_size
        self.pool_size = pool_size
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
class RNNSequenceRegressor(ScaledTargets, RegressorHead, _BaseRNN):
    """Recurrent network regressor for sequences (many-to-one), trained by Keras.

    The regression counterpart of :class:`RNNSequenceClassifier` -- e.g. the
    next value of a time series from its recent past -- with the regression
    losses, ``R^2`` score and Monte-Carlo dropout intervals of
    :class:`MLPRegressor`.

    %(scaled_targets)s

    %(rnn_input)s

    Parameters
    ----------
    %(rnn_params)s
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
    %(rnn_attributes)s
    %(common_attributes)s

    See Also
    --------
    RNNSequenceClassifier : The classification counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import RNNSequenceRegressor
    >>> t = np.arange(400) * 0.3
    >>> series = np.sin(t) + 0.5 * np.sin(2.1 * t)
    >>> windows = np.stack([series[i : i + 12] for i in range(380)])
    >>> following = series[12:392]
    >>> reg = RNNSequenceRegressor(cell="gru", units=16, max_iter=80,
    ...                            learning_rate_init=0.01, random_state=0)
    >>> reg.fit(windows, following).score(windows, following) > 0.95
    True
    """

    _parameter_constraints = {
        **_BaseRNN._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "huber", "poisson"})],
    }

    def __init__(
        self,
        cell="gru",
        units=64,
        bidirectional=False,
        dense_layer_sizes=(),
        activation="relu",
        *,
        recurrent_dropout=0.0,
        standardize=True,
        readout="auto",
        conv_filters="auto",
        conv_kernel_size=(8, 5, 3),
        pool_size="auto",
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
        self.cell = cell
        self.units = units
        self.bidirectional = bidirectional
        self.dense_layer_sizes = dense_layer_sizes
        self.activation = activation
        self.recurrent_dropout = recurrent_dropout
        self.standardize = standardize
        self.readout = readout
        self.conv_filters = conv_filters
        self.conv_kernel_size = conv_kernel_size
        self.pool_size = pool_size
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
RNNSequenceClassifier.__module__ = RNNSequenceRegressor.__module__ = "skdeep"
