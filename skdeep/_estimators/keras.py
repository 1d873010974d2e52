"""Your own Keras model behind scikit-learn's API: :class:`KerasClassifier`,
:class:`KerasRegressor`.

The user gives ``model``: a function that returns a Keras model (called
with the fitted data's shapes) or a model to clone. skdeep wraps it --
``input -> user model -> ToLogits('output') -> Activation('output_activation')``
-- so the shared engine trains it exactly as it trains the built-in networks:
compiled epochs, cached per configuration, scikit-learn's stopping rules.
"""

import numpy as np

from .._docstrings import fill_doc
from .._private import StrOptions
from .._user_model import freeze
from .heads import KERAS_LOSS_NAMES, ClassifierHead, RegressorHead
from .outputs import OutputGroupsMixin
from .scikeras import (BCE_NAMES, LOG_LOSSES, SKDEEP_TO_KERAS, CallKwargsMixin, loss_key,
                       one_log_loss)
from .scikeras import split_scikeras as _split_scikeras
from .scikeras import with_model_kwargs as _with_model_kwargs
from .wrapper import EncodedTargetMixin, _BaseKerasWrapper

_WRAPPER_PARAMS = """model : callable or keras.Model, default=None
        The network. A function returning a (compiled or not) Keras model whose output has one
        unit per output; skdeep calls it with the arguments it names among ``n_features_in``
        (int), ``input_shape`` (tuple, one sample), ``n_outputs`` (the width skdeep expects),
        %(wrapper_extra)s``meta`` (a dict with scikeras' names: ``n_features_in_``,
        ``X_shape_``, ``n_classes_``, ``classes_``, ``target_type_``, ``n_outputs_expected_``,
        ...), and the entries of ``model_params``. Or a Keras model, cloned for each
        configuration, whose fit starts from the model's own weights (a pre-trained network is
        fine-tuned, as in scikeras; ``random_state`` then seeds the shuffling and dropout).
        skdeep trains it with its own loss and optimizer (a ``compile()`` is ignored); any
        ``kernel_regularizer`` / ``activity_regularizer`` losses of its layers are added.
    model_params : dict or None, default=None
        Further keyword arguments for ``model`` (e.g. layer sizes). Each
        entry is a parameter ``model_params__<name>`` -- or ``model__<name>``,
        scikeras' spelling -- for ``set_params`` and GridSearchCV.
    **model_kwargs : dict
        The model function's arguments given as scikeras takes them, bare
        (``hidden=32``) or routed (``model__hidden=32``): they join
        ``model_params`` (and win over an entry of the same name there), so
        ``get_params``, ``clone`` and searches see them as
        ``model_params__<name>``."""

_WRAPPER_FIT = """metrics : str, keras.metrics.Metric, callable, list of them or None, default=None
        Keras metrics measured after every epoch on the training rows (and, prefixed ``val_``,
        on the held-out rows), in ``history_`` and in the logs callbacks see (so
        ``EarlyStopping(monitor='val_auc')`` works). ``'accuracy'`` follows the targets as
        Keras' ``compile`` does; other names are Keras' (``'mae'``, ``'AUC'``). Classifiers'
        metrics get the encoded targets (one-hot for several classes) and the probabilities.
        Each value is that of the epoch's final weights on all rows, not Keras' running average
        over the epoch's batches.
    validation_split : float in [0, 1), default=0.0
        Keras' ``validation_split``: the last ``validation_split`` of the rows (unshuffled, as
        Keras takes them) are held out and scored every epoch -- ``val_loss``, ``val_score`` and
        the metrics' ``val_`` entries in ``history_`` -- without stopping on them; with
        ``early_stopping=True`` those rows are the ones it stops on (instead of a random
        ``validation_fraction``)."""

_WRAPPER_ATTRS = """input_shape_ : tuple of int
        Shape of one sample.
    n_layers_ : int
        Number of layers of the wrapped model ``model_`` (input, the user's
        model, output scores and activation)."""


def _doc(extra):
    def decorate(obj):
        text = _WRAPPER_PARAMS.replace("%(wrapper_extra)s", extra)
        obj.__doc__ = obj.__doc__.replace("%(wrapper_params)s", text).replace(
            "%(wrapper_attributes)s", _WRAPPER_ATTRS).replace("%(wrapper_fit)s", _WRAPPER_FIT)
        return fill_doc(obj)

    return decorate


@_doc("``n_classes`` (int), ``classes`` (tuple), ``output_activation`` "
      "(``'softmax'`` or ``'sigmoid'``, the activation skdeep would use), ")
class KerasClassifier(CallKwargsMixin, OutputGroupsMixin, ClassifierHead, _BaseKerasWrapper):
    """Any Keras model as a scikit-learn classifier, trained by skdeep's engine.

    Give a function that builds your network (or the network itself); get
    ``fit / predict / predict_proba / score``, label encoding (strings,
    multilabel), ``class_weight``, early stopping on a validation split,
    ``partial_fit``, ``warm_start``, pickling, ``clone`` and
    GridSearchCV over the function's arguments (``model__<name>``) and the
    training parameters -- the same training loop, parameter names and fitted
    attributes as :class:`MLPClassifier`, and far less overhead than a
    ``model.fit`` per fit (see the performance page).

    The model's last layer may end in ``softmax`` or ``sigmoid`` (its
    probabilities are turned back into scores for a stable log-loss) or be
    linear (scores; skdeep adds the activation): for ``K > 2`` classes give
    it ``K`` units, for two classes 1 unit (sigmoid or linear) or 2 (softmax),
    for multilabel targets one unit per label.

    Parameters
    ----------
    %(wrapper_params)s
    %(solver)s
    alpha : float, default=0.0
        Strength of skdeep's L2 penalty on every kernel (scikit-learn's
        convention, see :class:`MLPClassifier`); 0 leaves regularisation to
        the model's own layers.
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
    %(mc_samples)s
    %(min_grad_norm)s
    kernel_initializer : str or None, default=None
        None keeps each layer's own initializer; a Keras initializer name
        replaces it for every kernel. Either way the draws are seeded from
        ``random_state``.
    %(n_init)s
    %(callbacks)s
    %(distribution)s
    %(precision)s
    %(wrapper_fit)s
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
    loss : str, keras.losses.Loss, list or None, default=None
        None or a Keras cross-entropy (scikeras' spelling, for a model
        function's ``compile_kwargs``): the log-loss the output calls for. A
        list gives each output of a model with several outputs its loss
        (with a ``target_encoder`` splitting ``y``, see the scikeras page).

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels.
    %(wrapper_attributes)s
    %(common_attributes)s

    See Also
    --------
    KerasRegressor : The regression counterpart.
    MLPClassifier : A built-in fully connected network.

    Notes
    -----
    Monte-Carlo predictions (``predict_proba(X, return_std=True)``) need
    dropout layers that can sample at prediction time: use
    :class:`skdeep.layers.RateDropout` instead of ``keras.layers.Dropout``.

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import load_iris
    >>> from skdeep import KerasClassifier
    >>> def make_net(n_features_in, n_classes, hidden=16):
    ...     return keras.Sequential([
    ...         keras.Input((n_features_in,)),
    ...         keras.layers.Dense(hidden, activation="relu"),
    ...         keras.layers.Dense(n_classes, activation="softmax"),
    ...     ])
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = KerasClassifier(make_net, model_params={"hidden": 32}, max_iter=300,
    ...                       learning_rate_init=0.01, random_state=0).fit(X, y)
    >>> clf.get_params()["model_params__hidden"], clf.predict_proba(X[:1]).shape
    (32, (1, 3))
    >>> clf.score(X, y) > 0.95
    True
    """

    # scikeras: a first partial_fit without classes= takes those of its y
    _classes_from_first_batch = True

    _parameter_constraints = {
        **_BaseKerasWrapper._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "loss": [None, str, callable, list, tuple],  # checked at fit (one_log_loss)
    }

    def __init__(
        self,
        model=None,
        *,
        model_params=None,
        solver="adam",
        alpha=0.0,
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
        l1=0.0,
        mc_samples=100,
        min_grad_norm=0.0,
        kernel_initializer=None,
        n_init=1,
        callbacks=None,
        class_weight=None,
        distribution=None,
        precision="auto",
        metrics=None,
        validation_split=0.0,
        loss=None,
        **model_kwargs,
    ):
        scikeras, model_kwargs = _split_scikeras(model_kwargs, self)
        self.model = model
        self.model_params = _with_model_kwargs(model_params, model_kwargs)
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
        self.l1 = l1
        self.mc_samples = mc_samples
        self.min_grad_norm = min_grad_norm
        self.kernel_initializer = kernel_initializer
        self.n_init = n_init
        self.callbacks = callbacks
        self.distribution = distribution
        self.precision = precision
        self.metrics = metrics
        self.validation_split = validation_split
        for name, value in scikeras.items():  # scikeras' spelling wins
            setattr(self, name, value)
        self.class_weight = class_weight
        self.loss = loss

    output_activation = None  # decided from the model's last layer

    def _extra_call_kwargs(self):
        return self._class_kwargs

    def _keras_loss(self):
        """The loss trained as Keras names it (scikeras' ``compile_kwargs['loss']``):
        the given ``loss``, else the cross-entropy of the output."""
        if self.loss is not None or not self._class_kwargs:
            return self._built("loss")
        return ("categorical_crossentropy" if self._class_kwargs["output_activation"] ==
                "softmax" else "binary_crossentropy")

    def _validate_input(self, X, y, incremental, reset, classes):
        if reset:
            self._groups = None
        if self.target_encoder is not None if reset else self._grouped():  # (.outputs)
            X, y = self._validate_Xy(X, y, reset, multi_output=True)
            parts = self._encode_y(y, reset)
            if not isinstance(parts, list):
                raise ValueError(
                    f"{type(self).__name__}.target_encoder returned one array: "
                    "KerasClassifier encodes the classes itself (one-hot or 0/1 columns, "
                    "multilabel included); a target_encoder is for a model with several "
                    "outputs and returns a list of arrays, one per output.")
            if reset:
                self._class_kwargs = {}  # the classes are the encoder's business
            losses = self.loss if isinstance(self.loss, (list, tuple)) else (
                None if self.loss is None else [self.loss] * len(parts))
            return self._grouped_input(X, y, reset, parts, losses, None)
        if self.loss is not None:
            one_log_loss(self.loss)
        X, y = super()._validate_input(X, y, incremental, reset, classes)
        if reset:
            self._setup_output(X, y)  # probe the model: its width and last activation
        return X, y

    def _setup_output(self, X, y):
        binarizer = self._label_binarizer
        y_type = binarizer.y_type_
        n_classes = len(binarizer.classes_)
        multilabel = y_type.startswith("multilabel")
        default = "sigmoid" if (multilabel or n_classes <= 2) else "softmax"
        expected = n_classes if (multilabel or n_classes > 2) else 1
        classes = binarizer.classes_
        self._class_kwargs = {
            "n_classes": n_classes,
            "classes": freeze(classes) if not multilabel else tuple(range(n_classes)),
            "output_activation": default,
        }
        meta = {
            **self._meta(X.shape[1:], X.dtype),
            "n_classes_": n_classes,
            "classes_": self._class_kwargs["classes"],
            "target_type_": y_type,
            "n_outputs_": n_classes if multilabel else 1,
            "n_outputs_expected_": expected,
            "y_dtype_": str(np.asarray(y).dtype),
            "y_ndim_": int(np.ndim(y)),
        }
        width, final, compiled = self._probe(X.shape[1:], expected, meta)
        if compiled is not None and str(compiled).lower() not in LOG_LOSSES:
            raise ValueError(
                f"The model was compiled with loss={compiled!r}, but {type(self).__name__} "
                "trains with the log-loss (cross-entropy) the classes call for: compile it "
                "with a cross-entropy or without a loss, or use KerasRegressor.")
        if final == "softmax":
            out, link = "softmax", "softmax"
            ok = width == n_classes and not multilabel
        elif final == "sigmoid":
            out, link = "logistic", "sigmoid"
            ok = width == expected or (width == n_classes and not multilabel)
        else:
            link = "identity"
            out = "softmax" if (width == 2 and n_classes == 2) else (
                "logistic" if default == "sigmoid" else "softmax")
            ok = width == expected or (width == 2 and n_classes == 2)
        if not ok:
            if multilabel:
                advice = f"{n_classes} units, sigmoid or linear (not softmax)"
            elif n_classes == 2:
                advice = "1 unit (sigmoid or linear) or 2 (softmax or linear)"
            else:
                advice = f"{n_classes} units (softmax or linear)"
            raise ValueError(
                f"The model's output has {width} unit(s) ending in {final!r}, but y has "
                f"{n_classes} {'labels' if multilabel else 'classes'}: give the last "
                f"layer {advice}."
            )
        self._call_shape = (expected, meta)
        self._link = link
        self._chosen_activation = out

    def _out_activation(self):
        return self._chosen_activation


@_doc("")
class KerasRegressor(CallKwargsMixin, OutputGroupsMixin, EncodedTargetMixin, RegressorHead,
                     _BaseKerasWrapper):
    """Any Keras model as a scikit-learn regressor, trained by skdeep's engine.

    The regression counterpart of :class:`KerasClassifier`: the model's
    output (one unit per target) is the prediction, trained on ``loss``
    with scikit-learn's stopping rules, scored by ``R^2``.

    Parameters
    ----------
    %(wrapper_params)s
    %(solver)s
    alpha : float, default=0.0
        Strength of skdeep's L2 penalty on every kernel (scikit-learn's
        convention); 0 leaves regularisation to the model's own layers.
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
    %(mc_samples)s
    %(min_grad_norm)s
    kernel_initializer : str or None, default=None
        None keeps each layer's own initializer; a Keras initializer name
        replaces it for every kernel. Either way the draws are seeded from
        ``random_state``.
    %(n_init)s
    %(callbacks)s
    %(distribution)s
    %(precision)s
    %(wrapper_fit)s
    loss : str, keras.losses.Loss or list, default='squared_error'
        The regression loss: ``'squared_error'``, ``'absolute_error'``,
        ``'huber'``, ``'poisson'`` (see :class:`MLPRegressor`), Keras' names
        and objects for them (``'mse'``, ``keras.losses.Huber()``), or
        ``'binary_crossentropy'`` for targets in [0, 1] (an autoencoder's
        pixels; a linear last layer gets a sigmoid). With ``'poisson'`` a
        linear last layer is read as the log of the mean (an exponential is
        added); any other last activation must give positive means. Left at
        its default, a loss the model was compiled with is trained instead.
        A list gives each output of a model with several outputs its loss
        (cross-entropies included), with a ``target_encoder`` splitting
        ``y`` into one array per output (see the scikeras page).

    Attributes
    ----------
    %(wrapper_attributes)s
    %(common_attributes)s

    See Also
    --------
    KerasClassifier : The classification counterpart.

    Examples
    --------
    >>> import keras
    >>> import numpy as np
    >>> from skdeep import KerasRegressor
    >>> def make_net(n_features_in, n_outputs):
    ...     return keras.Sequential([keras.Input((n_features_in,)),
    ...                              keras.layers.Dense(32, activation="tanh"),
    ...                              keras.layers.Dense(n_outputs)])
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, (300, 1))
    >>> y = np.sin(X[:, 0])
    >>> reg = KerasRegressor(make_net, max_iter=300, learning_rate_init=0.01,
    ...                      random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.97
    True
    """

    _parameter_constraints = {
        **_BaseKerasWrapper._parameter_constraints,
        # skdeep's names, Keras' ('mse', 'mae', ...) and Keras loss objects (scikeras)
        "loss": [StrOptions({"squared_error", "absolute_error", "huber", "poisson",
                             *KERAS_LOSS_NAMES, *BCE_NAMES}), callable, list, tuple],
    }

    def __init__(
        self,
        model=None,
        *,
        model_params=None,
        solver="adam",
        alpha=0.0,
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
        l1=0.0,
        mc_samples=100,
        min_grad_norm=0.0,
        kernel_initializer=None,
        n_init=1,
        callbacks=None,
        loss="squared_error",
        distribution=None,
        precision="auto",
        metrics=None,
        validation_split=0.0,
        **model_kwargs,
    ):
        scikeras, model_kwargs = _split_scikeras(model_kwargs, self)
        self.model = model
        self.model_params = _with_model_kwargs(model_params, model_kwargs)
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
        self.l1 = l1
        self.mc_samples = mc_samples
        self.min_grad_norm = min_grad_norm
        self.kernel_initializer = kernel_initializer
        self.n_init = n_init
        self.callbacks = callbacks
        self.distribution = distribution
        self.precision = precision
        self.metrics = metrics
        self.validation_split = validation_split
        for name, value in scikeras.items():  # scikeras' spelling wins
            setattr(self, name, value)
        self.loss = loss

    output_activation = None  # the model's last layer is the prediction

    def _extra_call_kwargs(self):
        return {}

    def _keras_loss(self):
        """The loss as Keras names it (scikeras' ``compile_kwargs['loss']``): the
        given Keras name or object, else Keras' name of skdeep's loss."""
        if not (isinstance(self.loss, str) and self.loss in SKDEEP_TO_KERAS):
            return self._built("loss")
        return SKDEEP_TO_KERAS[self.loss]

    def _validate_input(self, X, y, incremental, reset, classes):
        if reset:
            self._adopted_loss = None  # read again from this fit's model
            self._groups = None
        losses = list(self.loss) if isinstance(self.loss, (list, tuple)) else None
        if losses is not None or (not reset and self._grouped()):
            X, y = self._validate_Xy(X, y, reset, multi_output=True, y_numeric=True)
        else:
            X, y = super()._validate_input(X, y, incremental, reset, classes)
        encoded = self._encode_y(y, reset)
        if isinstance(encoded, list):  # a model with several outputs (.outputs)
            if losses is None and self.loss != "squared_error":
                losses = [self.loss] * len(encoded)  # one loss for every output
            return self._grouped_input(X, y, reset, encoded, losses, "squared_error")
        if losses is not None:
            raise ValueError(
                f"loss={self.loss!r} is a list of {len(losses)} losses, one per output of a "
                "model with several outputs, whose target_encoder splits y into one array "
                "per output; this y is one array: give one loss.")
        y = encoded
        if reset:
            self._setup_output(X, y)  # probe the model: its width and last activation
        return X, y

    def _setup_output(self, X, y):
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        meta = {
            **self._meta(X.shape[1:], X.dtype),
            "target_type_": "continuous" if n_outputs == 1 else "continuous-multioutput",
            "n_outputs_": n_outputs,
            "n_outputs_expected_": n_outputs,
            "y_dtype_": str(np.asarray(y).dtype),
            "y_ndim_": int(np.ndim(y)),
        }
        width, final, compiled = self._probe(X.shape[1:], n_outputs, meta)
        self._adopt_loss(compiled, y)
        if width != n_outputs:
            raise ValueError(
                f"The model's output has {width} unit(s), but y has {n_outputs} target(s); "
                f"give the last layer {n_outputs} unit(s)."
            )
        self._call_shape = (n_outputs, meta)
        self._check_bce_targets(y)
        self._link = ("log" if (self._loss_name() == "poisson" and final != "linear")
                      else "sigmoid" if (self._loss_name() == "binary_log_loss"
                                         and final == "sigmoid") else "identity")

    def _check_bce_targets(self, y):
        if self._loss_name() == "binary_log_loss" and (np.any(y < 0) or np.any(y > 1)):
            raise ValueError(
                f"loss='binary_crossentropy' needs targets in [0, 1]; y runs from "
                f"{np.min(y):.4g} to {np.max(y):.4g}. Scale y into [0, 1] (MinMaxScaler) or "
                "use a regression loss ('mse').")

    def _adopt_loss(self, compiled, y):
        """A model compiled with its own loss trains with it while ``loss`` is left at
        its default (scikeras leaves a compiled model's loss as it is); a ``loss``
        given as well must name the same one."""
        if compiled is None:
            return
        key = loss_key(compiled)
        name = "binary_log_loss" if key in BCE_NAMES else KERAS_LOSS_NAMES.get(key, key)
        if name not in ("squared_error", "absolute_error", "huber", "poisson",
                        "binary_log_loss"):
            raise ValueError(
                f"The model was compiled with loss={compiled!r}, which skdeep does not "
                "train: compile it with 'mse', 'mae', 'huber', 'poisson' or "
                "'binary_crossentropy' (or without a loss, and give loss= to the wrapper).")
        if self.loss == "squared_error":
            self._adopted_loss = name
        elif name != self._loss_name():
            raise ValueError(
                f"The model was compiled with loss={compiled!r} and {type(self).__name__} "
                f"was given loss={self.loss!r}: give one of them (both the same).")
        if self._loss_name() == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for Poisson "
                "regression (the model was compiled with a Poisson loss).")

    def _loss_name(self):
        adopted = getattr(self, "_adopted_loss", None)
        if adopted:
            return adopted
        if loss_key(self.loss) in BCE_NAMES:
            return "binary_log_loss"
        return super()._loss_name()

    def _output_setup(self):
        if self._grouped():
            return super()._output_setup()  # each output's own (.outputs)
        if self._loss_name() == "poisson":
            return "exp", "poisson"
        if self._loss_name() == "binary_log_loss":
            return "logistic", "binary_log_loss"
        return "identity", self._loss_name()


# public: pickles and the docs name skdeep.<Class>, never this private module
KerasClassifier.__module__ = KerasRegressor.__module__ = "skdeep"
