"""The target side of every estimator: classification and regression heads.

A head is a mixin that turns ``y`` into the matrix the network learns
(label binarisation, class weights, stratification), chooses the output
activation and loss, scores the validation set for early stopping and
decodes the network's output in ``predict`` / ``predict_proba``.  Each
estimator combines one head with a body that builds the network
(``_mlp.py``, ``_cnn.py``, ...), so all of them share this code.
"""


import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d


def _stochastic_only(estimator):
    config = estimator._training_config(incremental=True)
    if not config.stochastic:
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{config.solver} is not stochastic."
        )
    return True


def _check_labels(y):
    """Refuse object labels that cannot be classes: missing ones, or unorderable mixes.

    NumPy would fail sorting them with a bare ``TypeError`` (as scikit-learn's
    classifiers do), and a NaN among text labels would be reported as a NaN
    in ``X``; say which rows and what to do instead.
    """
    if y is None or hasattr(y, "toarray"):
        return  # no target (scikit-learn's own message), or a sparse indicator matrix
    y = np.asarray(y)
    if y.dtype != object:
        return  # numbers and text: check_X_y refuses NaN in numbers
    flat = y.ravel()
    missing = np.flatnonzero([v is None or (isinstance(v, float) and v != v) for v in flat])
    if missing.size:
        raise ValueError(
            f"y holds {missing.size} missing label(s) (None or NaN), the first at position "
            f"{int(missing[0])}; every row needs a class. Drop those rows, or give them a "
            "class of their own (for example y.fillna('missing')).")
    try:
        np.unique(flat)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in flat})
        raise ValueError(
            f"y mixes labels of types {kinds}, which cannot be ordered into classes; "
            "convert them to one type first (for example y.astype(str)).") from None


class ClassifierHead(ClassifierMixin):
    """Classification: labels, log-loss, accuracy, probabilities (a mixin).

    It is scikit-learn's ``ClassifierMixin`` plus what a network needs, and
    goes first (leftmost) among an estimator's bases.
    """

    #: The validation score's name in the logs callbacks get (``val_accuracy``).
    _validation_score_name = "accuracy"

    #: Whether a first ``partial_fit`` without ``classes`` takes the classes of
    #: its ``y`` (scikeras' rule, for the Keras wrappers); scikit-learn's
    #: classifiers require ``classes`` there.
    _classes_from_first_batch = False

    @available_if(_stochastic_only)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the stochastic solver on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.
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
        _check_labels(y)
        X, y = self._validate_Xy(
            X, y, reset, multi_output=True
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        multilabel = type_of_target(y).startswith("multilabel")
        if reset:
            if (incremental and classes is None and not multilabel
                    and not self._classes_from_first_batch):
                raise ValueError("classes must be passed on the first call to partial_fit.")
            binarizer = LabelBinarizer()
            binarizer.fit(y if (multilabel or classes is None) else np.asarray(classes))
            # a one-class target fits silently, as in scikit-learn's MLPClassifier
            # (code run with warnings as errors must not break): every sample is
            # predicted that class, with predict_proba's one column of ones
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
        chosen = getattr(self, "output_activation", None)  # a parameter of some families
        if chosen is None:
            return "softmax" if y_type == "multiclass" else "logistic"
        if chosen == "softmax" and y_type.startswith("multilabel"):
            raise ValueError(
                "output_activation='softmax' needs one label per sample; for a "
                "multilabel target use 'logistic' (or None)."
            )
        return chosen

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
        if isinstance(self.class_weight, dict) and not self._label_binarizer.y_type_.startswith(
                "multilabel"):
            classes = set(self.classes_.tolist())
            unknown = [key for key in self.class_weight if key not in classes]
            if unknown:
                raise ValueError(
                    f"class_weight names {unknown}, which {'is' if len(unknown) == 1 else 'are'}"
                    f" not among the classes of y, {self.classes_.tolist()}; use the class "
                    "labels as keys (same type: 1 and '1' differ)."
                )
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
        if len(self.classes_) == 1:
            return np.repeat(self.classes_, output.shape[0])
        if output.shape[1] > 1:
            return self.classes_[np.argmax(output, axis=1)]
        return self.classes_[(output[:, 0] > 0.5).astype(int)]

    def _chance_loss(self, Y, sample_weight):
        """The log-loss of a uniform guess, ln(k) (per label when multilabel): the
        scale a diverged loss is measured against."""
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return float(Y.shape[1] * np.log(2.0))
        return float(np.log(max(2, len(self.classes_))))

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
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.

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
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.
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

    def _as_proba(self, output):
        if len(self.classes_) == 1 and not self._label_binarizer.y_type_.startswith("multilabel"):
            return np.ones(output.shape, dtype=output.dtype)  # the only class, certainly
        if output.shape[-1] == 1:
            return np.concatenate([1 - output, output], axis=-1)
        return output

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.

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


#: Keras' regression loss names (and loss classes, lower-cased) -> skdeep's ``loss``.
KERAS_LOSS_NAMES = {
    "mse": "squared_error", "mean_squared_error": "squared_error",
    "meansquarederror": "squared_error",
    "mae": "absolute_error", "mean_absolute_error": "absolute_error",
    "meanabsoluteerror": "absolute_error",
    "huber_loss": "huber", "huber": "huber", "poisson": "poisson",
}


class RegressorHead(RegressorMixin):
    """Regression: numeric targets, regression losses, R^2, MC intervals (a mixin).

    It is scikit-learn's ``RegressorMixin`` plus what a network needs, and
    goes first (leftmost) among an estimator's bases.
    """

    #: The validation score's name in the logs callbacks get (``val_r2``).
    _validation_score_name = "r2"

    @available_if(_stochastic_only)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of the stochastic solver on ``(X, y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.
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

    def _loss_name(self):
        """``loss`` as skdeep's name: Keras' names and loss objects are read too
        (``'mse'``, ``'mae'``, ``keras.losses.Huber()``, ...), as scikeras takes them."""
        loss = self.loss
        key = loss if isinstance(loss, str) else (
            loss.__name__ if isinstance(loss, type) else type(loss).__name__)
        name = KERAS_LOSS_NAMES.get(str(key).lower(), key)
        if name not in ("squared_error", "absolute_error", "huber", "poisson"):
            raise ValueError(
                f"loss={loss!r} is not a regression loss skdeep trains: use 'squared_error' "
                "('mse'), 'absolute_error' ('mae'), 'huber' or 'poisson'.")
        return name

    def _validate_input(self, X, y, incremental, reset, classes):
        X, y = self._validate_Xy(
            X, y, reset, multi_output=True, y_numeric=True
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self._loss_name() == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for Poisson regression."
            )
        fitted = getattr(self, "n_outputs_", None)
        outputs = 1 if y.ndim == 1 else y.shape[1]
        if not reset and fitted is not None and outputs != fitted:
            raise ValueError(
                f"y has {outputs} target column(s), but this {type(self).__name__} was "
                f"fitted on {fitted}; partial_fit (or warm_start) continues the same "
                "network, whose output layer has that many units. Call fit without "
                "warm_start to train a new network for the new target."
            )
        return X, y

    def _output_setup(self):
        chosen = getattr(self, "output_activation", None)  # a parameter of some families
        if self._loss_name() == "poisson":
            if chosen not in (None, "exp"):
                raise ValueError(
                    "loss='poisson' uses an exponential output (a log link); got "
                    f"output_activation={chosen!r}. Leave it None."
                )
            return "exp", "poisson"
        return chosen or "identity", self._loss_name()

    def _encode_target(self, y, dtype):
        return np.asarray(y, dtype=dtype).reshape(y.shape[0], -1)

    def _chance_loss(self, Y, sample_weight):
        """Half the (weighted) variance of the target: the squared error of
        predicting its mean, the scale a diverged loss is measured against."""
        Y = np.asarray(Y, dtype=np.float64)
        mean = np.average(Y, axis=0, weights=sample_weight)
        return float(0.5 * np.average(((Y - mean) ** 2).mean(axis=1), weights=sample_weight))

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
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.
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
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data, laid out as in ``fit``.
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

