"""Multi-layer perceptrons: drop-in Keras versions of scikit-learn's MLPs."""

from numbers import Integral


from .._activations import NUMPY_ACTIVATIONS, dense_forward
from .._docstrings import fill_doc
from .._private import Interval, StrOptions
from ..builders import build_mlp
from .base import BaseNeuralEstimator
from .heads import ClassifierHead, RegressorHead


#: Largest ``n_rows x n_weights`` predicted in NumPy: below it TensorFlow's
#: per-call overhead (about 0.3 ms) exceeds the arithmetic.
NUMPY_PREDICT_LIMIT = 10_000_000


class _BaseMLP(BaseNeuralEstimator):
    """Shared architecture hooks of :class:`MLPClassifier` and :class:`MLPRegressor`."""

    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "categorical_encoding": [StrOptions({"onehot", "binary", "embedding"})],
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "missing": [StrOptions({"error", "impute"})],
    }

    _sparse_rows = True

    def _model_spec(self, input_shape, n_outputs, dtype, loss):
        encoder = getattr(self, "_frame_encoder", None)
        kwargs = (
            ("n_features", int(input_shape[0])),
            ("n_outputs", int(n_outputs)),
            ("hidden_layer_sizes", self._hidden_sizes()),
            ("activation", self.activation),
            ("output_activation", self.out_activation_),
            ("dtype", dtype),
            ("dropout", self._present_rates("dropout")),
            ("dropconnect", self._present_rates("hidden")),
            ("batch_normalization", bool(self.batch_normalization)),
            ("embeddings", encoder.embeddings if encoder is not None else ()),
        )
        if getattr(self, "_sparse_input", False):
            kwargs += (("sparse", True),)
        return self._make_spec(build_mlp, kwargs, input_shape, n_outputs, dtype, loss)

    def _numpy_forward(self, X):
        """Plain dense networks on small inputs: the forward pass in NumPy.

        Inference of a network without batch normalisation or embeddings is
        a chain of ``activation(X @ W + b)`` (dropout and DropConnect are
        off), which NumPy computes in microseconds; the result equals the
        compiled Keras pass up to floating-point rounding (tested).
        """
        built = dict(self._spec.builder_kwargs)  # the fitted network, not current params
        activations = (built["activation"], built["output_activation"])
        if (
            built["batch_normalization"]
            or built["embeddings"]
            or any(a not in NUMPY_ACTIVATIONS for a in activations)
        ):
            return None
        layers = self._dense_layers()
        if X.shape[0] * sum(w.size for w, _ in layers) > NUMPY_PREDICT_LIMIT:
            return None
        hidden, output = (NUMPY_ACTIVATIONS[a] for a in activations)
        return output(dense_forward(X, layers, hidden)[1])

    def _dense_layers(self):
        """``(kernel, bias)`` of every layer in order, from the fitted weights.

        Looked up on each call (a few microseconds): prediction must not
        change the estimator's state.
        """
        index = {path: i for i, path in enumerate(self._variable_paths)}
        sizes = dict(self._spec.builder_kwargs)["hidden_layer_sizes"]
        names = [f"hidden_{i}" for i in range(len(sizes))] + ["output"]
        return [(self._weights[index[f"{n}/kernel"]], self._weights[index[f"{n}/bias"]])
                for n in names]

    def _cohort_eligible(self, activations):
        """Dense networks train in a search's cohorts.

        A stochastic solver (not ``'lbfgs'``), a hidden activation of
        ``activations``, the loss's own output activation, and none of
        ``n_init``, callbacks, ``kernel_initializer``, warm starts or
        ``distribution``.  Dropout, DropConnect, batch norm, L1 and activity
        penalties and the gradient-norm rule train in the cohort.
        """
        p = self.get_params(deep=False)
        return (
            p["solver"] != "lbfgs" and p["activation"] in activations
            and p["n_init"] == 1 and not p["callbacks"]
            and p["output_activation"] in (None, "identity")
            and p["kernel_initializer"] is None
            and not p["warm_start"] and p["distribution"] is None
        )

    def _setup_network(self, X, Y, sample_weight=None):
        self._hidden_sizes()  # fail early on a bad value
        super()._setup_network(X, Y, sample_weight)
        self.n_layers_ = len(self._hidden_sizes()) + 2


@fill_doc
class MLPClassifier(ClassifierHead, _BaseMLP):
    """Multi-layer perceptron classifier trained by Keras.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`:
    same parameters, defaults, loss (log-loss plus scikit-learn's L2
    penalty), stopping rules and fitted attributes, with the network built,
    trained and run by Keras on TensorFlow (a GPU is used when present).
    A seeded fit draws the same initial weights, validation split and
    minibatches as a seeded scikit-learn fit.

    Parameters
    ----------
    %(hidden_layer_sizes)s
    %(activation)s
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
    output_activation : {'logistic', 'softmax'} or None, default=None
        Output activation. None chooses as scikit-learn does: softmax for
        multiclass, logistic for binary and multilabel targets. ``'softmax'``
        on a binary target uses two output units.
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``;
        ``'balanced'`` uses ``n_samples / (n_classes * bincount(y))``.
    %(toolbox_params)s

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels (for multilabel, one indicator per column).
    %(common_attributes)s
    %(frame_attributes)s

    See Also
    --------
    MLPRegressor : The regression counterpart.
    sklearn.neural_network.MLPClassifier : The scikit-learn original.

    Notes
    -----
    The network trains in the floating-point type of ``X`` (float64 unless
    you pass float32, which is faster and what GPUs prefer). A SciPy sparse
    matrix stays sparse through fit and predict: the first layer multiplies
    its rows by the kernel without densifying them. Early stopping
    stratifies the validation split for binary and multiclass targets
    (scikit-learn stratifies binary targets only).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skdeep import MLPClassifier
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=0)
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **_BaseMLP._parameter_constraints,
        "output_activation": [None, StrOptions({"logistic", "softmax"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
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
        n_iter_no_change=10,
        max_fun=15000,
        output_activation=None,
        class_weight=None,
        l1=0.0,
        activity_l1=0.0,
        activity_l2=0.0,
        dropout=0.0,
        dropconnect=0.0,
        batch_normalization=False,
        mc_samples=100,
        min_grad_norm=0.0,
        kernel_initializer=None,
        n_init=1,
        callbacks=None,
        categorical_encoding="onehot",
        categorical_features="auto",
        missing="error",
        distribution=None,
        precision="auto",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.class_weight = class_weight
        self.l1 = l1
        self.activity_l1 = activity_l1
        self.activity_l2 = activity_l2
        self.dropout = dropout
        self.dropconnect = dropconnect
        self.batch_normalization = batch_normalization
        self.mc_samples = mc_samples
        self.min_grad_norm = min_grad_norm
        self.kernel_initializer = kernel_initializer
        self.n_init = n_init
        self.callbacks = callbacks
        self.categorical_encoding = categorical_encoding
        self.categorical_features = categorical_features
        self.missing = missing
        self.distribution = distribution
        self.precision = precision


@fill_doc
class MLPRegressor(RegressorHead, _BaseMLP):
    """Multi-layer perceptron regressor trained by Keras.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`:
    same parameters, defaults, loss (half squared error or half Poisson
    deviance, plus scikit-learn's L2 penalty), stopping rules and fitted
    attributes, with the network built, trained and run by Keras.

    Parameters
    ----------
    loss : {'squared_error', 'absolute_error', 'huber', 'poisson'}, default='squared_error'
        Half squared error; absolute error (robust to outliers, fits the
        median); Huber loss with threshold 1 (quadratic for residuals below
        1, linear above -- scale ``y`` accordingly); or half Poisson deviance
        with an exponential output (requires ``y >= 0``).
    %(hidden_layer_sizes)s
    %(activation)s
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
    output_activation : str or None, default=None
        Output activation; None is ``'identity'`` (``'exp'`` for the Poisson
        loss). Any hidden activation name works, e.g. ``'logistic'`` for
        targets in (0, 1).
    %(toolbox_params)s

    Attributes
    ----------
    %(common_attributes)s
    %(frame_attributes)s

    See Also
    --------
    MLPClassifier : The classification counterpart.
    sklearn.neural_network.MLPRegressor : The scikit-learn original.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skdeep import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1, random_state=0)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=500,
    ...                    random_state=0)
    >>> reg.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {
        **_BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "absolute_error", "huber", "poisson"})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
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
        n_iter_no_change=10,
        max_fun=15000,
        output_activation=None,
        l1=0.0,
        activity_l1=0.0,
        activity_l2=0.0,
        dropout=0.0,
        dropconnect=0.0,
        batch_normalization=False,
        mc_samples=100,
        min_grad_norm=0.0,
        kernel_initializer=None,
        n_init=1,
        callbacks=None,
        categorical_encoding="onehot",
        categorical_features="auto",
        missing="error",
        distribution=None,
        precision="auto",
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
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
        self.dropconnect = dropconnect
        self.batch_normalization = batch_normalization
        self.mc_samples = mc_samples
        self.min_grad_norm = min_grad_norm
        self.kernel_initializer = kernel_initializer
        self.n_init = n_init
        self.callbacks = callbacks
        self.categorical_encoding = categorical_encoding
        self.categorical_features = categorical_features
        self.missing = missing
        self.distribution = distribution
        self.precision = precision


# public: pickles and the docs name skdeep.<Class>, never this private module
MLPClassifier.__module__ = MLPRegressor.__module__ = "skdeep"
