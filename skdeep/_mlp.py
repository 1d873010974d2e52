"""Multi-layer perceptrons: drop-in Keras versions of scikit-learn's MLPs."""

from numbers import Integral

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from ._base import _STOCHASTIC_SOLVERS, BaseNeuralEstimator
from ._docstrings import fill_doc
from .builders import build_mlp


def _stochastic_only(estimator):
    if estimator.solver not in _STOCHASTIC_SOLVERS:
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{estimator.solver} is not stochastic."
        )
    return True


class _BaseMLP(BaseNeuralEstimator):
    """Shared architecture hooks of :class:`MLPClassifier` and :class:`MLPRegressor`."""

    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "categorical_encoding": [StrOptions({"onehot", "binary", "embedding"})],
    }

    def _model_spec(self, input_shape, n_outputs, dtype, loss):
        rates = self._layer_rates()
        n_hidden = len(self._hidden_sizes())

        def present(prefix):
            # Only *which* layers drop is architecture; the rates are weights.
            return tuple(
                0.5 if rates.get(f"{prefix}_{i}/rate", 0) > 0 else 0.0 for i in range(n_hidden)
            )

        encoder = getattr(self, "_frame_encoder", None)
        kwargs = (
            ("n_features", int(input_shape[0])),
            ("n_outputs", int(n_outputs)),
            ("hidden_layer_sizes", self._hidden_sizes()),
            ("activation", self.activation),
            ("output_activation", self.out_activation_),
            ("dtype", dtype),
            ("dropout", present("dropout")),
            ("dropconnect", present("hidden")),
            ("batch_normalization", bool(self.batch_normalization)),
            ("embeddings", encoder.embeddings if encoder is not None else ()),
        )
        return self._make_spec(build_mlp, kwargs, input_shape, n_outputs, dtype, loss)

    def _initialize(self, X, Y):
        self._hidden_sizes()  # fail early on a bad value
        super()._initialize(X, Y)
        self.n_layers_ = len(self._hidden_sizes()) + 2

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None, train=True):
        if self.__sklearn_is_fitted__() and (self.warm_start or incremental) and train:
            built = self._spec.builder_kwargs
            spec = self._model_spec(
                self._spec.input_shape, self.n_outputs_, self._spec.dtype, self._spec.loss
            )
            if spec.builder_kwargs != built:
                changed = sorted(
                    k for (k, old), (_, new) in zip(built, spec.builder_kwargs) if old != new
                )
                raise ValueError(
                    "warm_start and partial_fit continue the fitted network, whose "
                    "architecture was fixed by the first fit; these settings changed it: "
                    f"{changed}. Set warm_start=False to train a new architecture "
                    "(dropout and dropconnect rates may change, but not from or to 0)."
                )
            self._spec = spec
        return super()._fit(X, y, sample_weight, incremental, classes, train)


@fill_doc
class MLPClassifier(ClassifierMixin, _BaseMLP):
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

    See Also
    --------
    MLPRegressor : The regression counterpart.
    sklearn.neural_network.MLPClassifier : The scikit-learn original.

    Notes
    -----
    The network trains in the floating-point type of ``X`` (float64 unless
    you pass float32, which is faster and what GPUs prefer). Sparse input is
    densified. Early stopping stratifies the validation split for binary and
    multiclass targets (scikit-learn stratifies binary targets only).

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
        categorical_encoding="onehot",
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
        self.categorical_encoding = categorical_encoding

    @available_if(_stochastic_only)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the stochastic solver on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target labels.
        classes : array-like of shape (n_classes,), default=None
            All classes that ``y`` can take over all calls; required on the
            first call (unless ``y`` is a multilabel indicator matrix) and
            must not change afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The trained estimator.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _validate_input(self, X, y, incremental, reset, classes):
        X, y = self._validate_Xy(
            X, y, reset, accept_sparse=["csr", "csc"], multi_output=True,
            dtype=(np.float64, np.float32),
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        multilabel = type_of_target(y).startswith("multilabel")
        if reset:
            if incremental and classes is None and not multilabel:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            binarizer = LabelBinarizer()
            binarizer.fit(y if (multilabel or classes is None) else np.asarray(classes))
            if len(binarizer.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs samples of at least 2 classes in the "
                    f"data, but the data contain only one class: {binarizer.classes_[0]!r}."
                )
            if incremental and not multilabel:
                extra = np.setdiff1d(unique_labels(y), binarizer.classes_)
                if len(extra):
                    raise ValueError(f"`y` has labels {extra} that are not in `classes`.")
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
            return X, y
        if classes is not None and not np.array_equal(
            np.asarray(classes), np.asarray(self.classes_)
        ):
            raise ValueError(
                f"`classes={list(classes)}` is not the same as on the first call to "
                f"partial_fit, which was {list(self.classes_)}."
            )
        if not multilabel:
            labels = unique_labels(y)
            if self.warm_start and not incremental and set(labels) != set(self.classes_):
                raise ValueError(
                    "warm_start can only be used where `y` has the same classes as in "
                    f"the previous call to fit. Previously got {self.classes_}, `y` has "
                    f"{labels}."
                )
            if len(np.setdiff1d(labels, self.classes_)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {labels}."
                )
        return X, y

    def _out_activation(self):
        y_type = self._label_binarizer.y_type_
        if self.output_activation is None:
            return "softmax" if y_type == "multiclass" else "logistic"
        if self.output_activation == "softmax" and y_type.startswith("multilabel"):
            raise ValueError(
                "output_activation='softmax' needs one label per sample; for a "
                "multilabel target use 'logistic' (or None)."
            )
        return self.output_activation

    def _output_setup(self):
        out = self._out_activation()
        return out, ("log_loss" if out == "softmax" else "binary_log_loss")

    def _encode_target(self, y, dtype):
        Y = self._label_binarizer.transform(y).astype(dtype)
        if Y.shape[1] == 1 and self._out_activation() == "softmax":
            Y = np.hstack([1 - Y, Y])
        return Y

    def _class_sample_weight(self, y):
        if self.class_weight is None:
            return np.ones(y.shape[0])
        return compute_sample_weight(self.class_weight, y)

    def _stratify_labels(self, y):
        return None if self._label_binarizer.y_type_.startswith("multilabel") else y

    def _decode(self, output):
        # LabelBinarizer.inverse_transform's decision rule (argmax for one-hot
        # outputs, > 0.5 otherwise) without its input validation, which would
        # cost more than a small epoch in the early-stopping loop.
        y_type = self._label_binarizer.y_type_
        if y_type.startswith("multilabel"):
            return (output > 0.5).astype(int)
        if output.shape[1] > 1:
            return self.classes_[np.argmax(output, axis=1)]
        return self.classes_[(output[:, 0] > 0.5).astype(int)]

    def _score_output(self, y, output, sample_weight):
        """Weighted (subset) accuracy, as ``accuracy_score`` computes it."""
        hits = self._decode(output) == y
        if hits.ndim == 2:
            hits = hits.all(axis=1)
        return float(np.average(hits, weights=sample_weight))

    def predict(self, X):
        """Predict class labels for ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        return self._decode(self._forward(X))

    def predict_proba(self, X, return_std=False):
        """Probability estimates for ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Also return the standard deviation of each probability over
            ``mc_samples`` stochastic forward passes with dropout kept on
            (Monte-Carlo dropout); the probabilities are then the passes'
            average. Needs ``dropout > 0`` or ``dropconnect > 0``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``, in the
            float dtype of ``X``.
        proba_std : ndarray of shape (n_samples, n_classes)
            Standard deviation of each probability; only with
            ``return_std=True``.
        """
        if not return_std:
            return self._as_proba(self._forward(X))
        draws = self._as_proba(self._mc_forward(X))
        return draws.mean(axis=0), draws.std(axis=0)

    @staticmethod
    def _as_proba(output):
        if output.shape[-1] == 1:
            return np.concatenate([1 - output, output], axis=-1)
        return output

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probability of each class, in the order of ``classes_``.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


@fill_doc
class MLPRegressor(RegressorMixin, _BaseMLP):
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
        categorical_encoding="onehot",
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
        self.categorical_encoding = categorical_encoding

    @available_if(_stochastic_only)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of the stochastic solver on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The trained estimator.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset, classes):
        X, y = self._validate_Xy(
            X, y, reset, accept_sparse=["csr", "csc"], multi_output=True, y_numeric=True,
            dtype=(np.float64, np.float32),
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for Poisson regression."
            )
        return X, y

    def _output_setup(self):
        if self.loss == "poisson":
            if self.output_activation not in (None, "exp"):
                raise ValueError(
                    "loss='poisson' uses an exponential output (a log link); got "
                    f"output_activation={self.output_activation!r}. Leave it None."
                )
            return "exp", "poisson"
        return self.output_activation or "identity", self.loss

    def _encode_target(self, y, dtype):
        return np.asarray(y, dtype=dtype).reshape(y.shape[0], -1)

    def _score_output(self, y, output, sample_weight):
        """Weighted R^2 averaged over outputs, as ``r2_score`` computes it."""
        if not np.isfinite(output).all():
            return np.nan
        y = y.reshape(output.shape)
        w = sample_weight[:, None]
        residual = np.sum(w * (y - output) ** 2, axis=0)
        total = np.sum(w * (y - np.average(y, axis=0, weights=sample_weight)) ** 2, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(total > 0, 1 - residual / total, np.where(residual == 0, 1.0, 0.0))
        return float(np.mean(r2))

    def predict(self, X, return_std=False):
        """Predict using the trained network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        return_std : bool, default=False
            Also return the standard deviation of ``mc_samples`` stochastic
            forward passes with dropout (or DropConnect) kept on -- Monte-Carlo
            dropout, the course's "dropout at prediction time". The mean
            prediction is then the average of those passes. Needs a network
            fitted with ``dropout > 0`` or ``dropconnect > 0``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values, in the float dtype of ``X``.
        y_std : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Standard deviation of the passes; only with ``return_std=True``.
        """
        if not return_std:
            output = self._forward(X)
            return output.ravel() if output.shape[1] == 1 else output
        draws = self._mc_forward(X)
        mean, std = draws.mean(axis=0), draws.std(axis=0)
        if mean.shape[1] == 1:
            return mean.ravel(), std.ravel()
        return mean, std

    def predict_interval(self, X, confidence=0.9):
        """Prediction intervals from Monte-Carlo dropout.

        The interval holds the central ``confidence`` fraction of
        ``mc_samples`` stochastic forward passes (empirical quantiles
        ``(1 - confidence) / 2`` and ``(1 + confidence) / 2``). It reflects
        the model's uncertainty about its weights, which grows away from the
        training data; it does not include the noise of the target.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        confidence : float, default=0.9
            Coverage of the interval, in (0, 1).

        Returns
        -------
        interval : ndarray of shape (n_samples, 2) or (n_samples, n_outputs, 2)
            Lower and upper bounds (last axis).
        """
        if not 0 < confidence < 1:
            raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
        draws = self._mc_forward(X)
        q = np.quantile(draws, [(1 - confidence) / 2, (1 + confidence) / 2], axis=0)
        interval = np.moveaxis(q, 0, -1).astype(draws.dtype, copy=False)
        return interval[:, 0, :] if interval.shape[1] == 1 else interval
