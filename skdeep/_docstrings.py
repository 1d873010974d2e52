"""Parameter and attribute text shared by several estimators' docstrings.

Each fragment is written once here and substituted into docstrings with
:func:`fill_doc` (``%(name)s`` placeholders), as imbalanced-learn does.
"""

_PARAMS = {
    "hidden_layer_sizes":
        """hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.
        ``()`` gives a network without hidden layer (the perceptron).""",
    "activation": """activation : str, default='relu'
        Hidden-layer activation: scikit-learn's ``'identity'``, ``'logistic'``,
        ``'tanh'``, ``'relu'`` or a Keras activation (``'softplus'``, ``'elu'``,
        ``'selu'``, ``'gelu'``, ``'swish'``, ``'mish'``, ``'leaky_relu'``, ...;
        see :data:`skdeep.builders.ACTIVATIONS`).""",
    "solver": """solver : {'lbfgs', 'sgd', 'adam', 'rmsprop', 'adagrad'}, default='adam'
        The optimizer. ``'lbfgs'`` is SciPy's L-BFGS-B on full-batch gradients
        computed by Keras; the others are Keras optimizers stepping on
        minibatches (``'sgd'`` uses ``momentum`` and ``nesterovs_momentum``;
        ``'adam'`` uses ``beta_1``, ``beta_2`` and ``epsilon``; ``'rmsprop'`` and
        ``'adagrad'`` use ``epsilon``).""",
    "alpha": """alpha : float, default=0.0001
        Strength of the L2 penalty on the weights (not the biases), scaled as
        in scikit-learn: ``0.5 * alpha * ||W||^2 / n_samples_in_batch`` is
        added to each minibatch's loss.""",
    "batch_size": """batch_size : int, 'auto' or 'full', default='auto'
        Minibatch size for the stochastic solvers. ``'auto'`` is
        ``min(200, n_samples)``; ``'full'`` is batch learning (one update per
        epoch); ``1`` is on-line learning. Ignored by ``'lbfgs'``.""",
    "learning_rate": """learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule for ``'sgd'``, ``'rmsprop'`` and ``'adagrad'``
        (``'adam'`` ignores it, as in scikit-learn). ``'invscaling'`` sets
        ``learning_rate_init / (t + 1) ** power_t`` after each epoch (``t``
        counts samples seen); ``'adaptive'`` divides the rate by 5 each time
        the loss (or validation score) stalls for ``n_iter_no_change``
        epochs, and stops once it falls below 1e-6.""",
    "learning_rate_init": """learning_rate_init : float, default=0.001
        Initial step size of the stochastic solvers.""",
    "power_t": """power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.""",
    "max_iter": """max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).""",
    "shuffle": """shuffle : bool, default=True
        Whether to shuffle the training rows before each epoch.""",
    "random_state": """random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the validation split and the
        shuffling, drawn in the same order as scikit-learn's MLP. An int makes
        fits reproducible; nothing global (NumPy's, TensorFlow's or Keras'
        seeds) is changed.""",
    "tol": """tol : float, default=1e-4
        Improvement threshold: training stops when the loss (or validation
        score, with ``early_stopping``) has not improved by ``tol`` for
        ``n_iter_no_change`` consecutive epochs. For ``'lbfgs'`` it is the
        projected-gradient tolerance.""",
    "verbose": """verbose : bool, default=False
        Print the loss (and validation score) after each epoch.""",
    "warm_start": """warm_start : bool, default=False
        Reuse the previous solution as the starting point of the next
        ``fit`` (a new optimizer state is used, as in scikit-learn).""",
    "momentum": """momentum : float, default=0.9
        Momentum of ``'sgd'``, between 0 and 1.""",
    "nesterovs_momentum": """nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``'sgd'`` and ``momentum > 0``.""",
    "early_stopping": """early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified
        for single-output classification), stop when the validation score
        has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch.""",
    "validation_fraction": """validation_fraction : float, default=0.1
        Fraction of the training data held out when ``early_stopping``.""",
    "beta_1": """beta_1 : float, default=0.9
        Adam's decay rate of the first-moment estimates, in [0, 1).""",
    "beta_2": """beta_2 : float, default=0.999
        Adam's decay rate of the second-moment estimates, in [0, 1).""",
    "epsilon": """epsilon : float, default=1e-8
        Numerical-stability constant of ``'adam'``, ``'rmsprop'`` and
        ``'adagrad'``.""",
    "n_iter_no_change": """n_iter_no_change : int or np.inf, default=10
        Epochs without an improvement of ``tol`` before stopping;
        ``np.inf`` never stops for lack of improvement (with
        ``early_stopping``, the best epoch's weights are still kept -- leave
        stopping to a Keras ``EarlyStopping`` callback, for instance).""",
    "max_fun": """max_fun : int, default=15000
        Maximum number of loss evaluations of ``'lbfgs'``.""",
    "l1": """l1 : float, default=0.0
        Strength of an L1 penalty on the weights (not the biases), scaled
        like ``alpha``: ``l1 * ||W||_1 / n_samples_in_batch`` per minibatch.
        Drives weights to exactly/near zero (sparse networks).""",
    "activity_l1": """activity_l1 : float, default=0.0
        L1 penalty on the hidden activations (the course's R(Z)): the mean
        over samples of ``activity_l1 * sum(|z|)`` over hidden units.""",
    "activity_l2": """activity_l2 : float, default=0.0
        L2 penalty on the hidden activations: the mean over samples of
        ``activity_l2 * sum(z ** 2)`` over hidden units.""",
    "dropout": """dropout : float or sequence of float, default=0.0
        Probability of dropping each hidden unit during training (inverted
        dropout, after the activation): one rate for every hidden layer or
        one per layer, each in [0, 1). Networks with dropout can give
        Monte-Carlo uncertainty at prediction time (``return_std``). Rates
        are not part of the compiled graph: a grid over rates > 0 trains
        without re-tracing.""",
    "dropconnect": """dropconnect : float or sequence of float, default=0.0
        Probability of dropping each single connection (weight) of a hidden
        layer during training (DropConnect; one mask per minibatch), one
        rate or one per hidden layer.""",
    "batch_normalization": """batch_normalization : bool, default=False
        Batch-normalise each hidden layer's pre-activations.""",
    "mc_samples": """mc_samples : int, default=100
        Number of stochastic forward passes behind ``return_std=True`` and
        ``predict_interval`` (Monte-Carlo dropout).""",
    "min_grad_norm": """min_grad_norm : float, default=0.0
        Gradient-norm stopping criterion: stop when the Euclidean norm of the
        gradient falls below it (stochastic solvers: the epoch's mean
        minibatch gradient; ``'lbfgs'``: the full gradient). Each epoch's
        norm is recorded in ``grad_norm_curve_``. 0 disables it.""",
    "kernel_initializer": """kernel_initializer : str or None, default=None
        Initial weights: None is scikit-learn's Glorot-uniform draw (a seeded
        fit starts where scikit-learn's does); otherwise a Keras initializer
        name (``'glorot_uniform'``, ``'glorot_normal'``, ``'he_uniform'``,
        ``'he_normal'``, ``'lecun_normal'``, ``'orthogonal'``, ...) seeded from
        ``random_state``, with zero biases.""",
    "n_init": """n_init : int, default=1
        Number of trainings from different random initialisations; the
        best is kept -- highest validation score with ``early_stopping``,
        else lowest final training loss. Each run's score is in
        ``init_scores_``. Runs share one validation split and each draws
        from its own generator seeded from ``random_state``, so the runs
        of a dense MLP train together in one compiled program.""",
    "missing": """missing : {'error', 'impute'}, default='error'
        What to do with missing values (NaN) in ``X``. ``'error'`` refuses
        them, as scikit-learn's MLP does. ``'impute'`` fills each with its
        column's training mean and adds a 0/1 "was missing" input for every
        column that had missing values in training -- for arrays and for
        the numeric columns of a DataFrame alike (missing categories are
        already encoded as unknown) -- learned on the training data only,
        so it is safe inside cross-validation.""",
    "callbacks": """callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks (``EarlyStopping``, ``ReduceLROnPlateau``,
        ``LearningRateScheduler``, ``ModelCheckpoint``, ``CSVLogger``,
        ``TensorBoard``, your own), called once per epoch (per L-BFGS
        iteration) by skdeep's training loop with the logs ``loss``,
        ``learning_rate`` and, with ``early_stopping``, ``val_loss``,
        ``val_score`` (also as ``val_accuracy`` / ``val_r2``). They see a
        Keras model holding the current weights; ``model.stop_training`` ends
        the fit and ``model.optimizer.learning_rate`` can be set. Each fit
        trains with fresh copies, kept as ``callbacks_``; your instances are
        not changed. scikit-learn's callbacks (``ProgressBar``,
        ``ScoringMonitor``) go through :meth:`set_callbacks` instead.""",
    "distribution": """distribution : None, 'data_parallel', list of str or strategy, default=None
        Train one network data-parallel over several devices: each minibatch
        is split across them and their gradients summed, so the loss curve
        and the stopping rules are those of a one-device fit (up to
        floating-point summation order). ``'data_parallel'`` uses every GPU
        (else every logical CPU device); a list names the devices
        (``['/gpu:0', '/gpu:1']``); on TensorFlow a ``tf.distribute``
        strategy (``MirroredStrategy``, ``MultiWorkerMirroredStrategy``), on
        JAX a one-axis ``jax.sharding.Mesh`` or ``keras.distribution.DataParallel``
        also work. Stochastic solvers only; predictions run on one device.
        See the multi-device guide.""",
    "precision": """precision : {'auto', 'float32', 'float64'}, default='auto'
        The float dtype the network computes in (weights, activations,
        gradients); predictions come back in the dtype of the input.
        ``'auto'`` follows the input for the drop-in MLPs and the Keras
        wrappers (float64 data trains in float64, as in scikit-learn's MLP)
        and is ``'float32'`` for the image, sequence and tabular networks.
        ``'float32'`` on float64 data trains several times faster on a CPU
        (see the performance guide), with results within float32's
        precision (about 1e-6 relative) of the float64 fit's. A fit continued
        by ``warm_start`` or ``partial_fit`` keeps the first fit's precision.""",
    "categorical_features":
        """categorical_features : 'auto', None or array-like, default='auto'
        Which columns of ``X`` are categorical, as in scikit-learn's
        ``HistGradientBoostingClassifier``. ``'auto'`` decides per column of
        a DataFrame: ``category`` and string dtypes are categorical, and so
        is an ``object`` column unless its non-missing values are all
        numbers (``decimal.Decimal`` from SQL drivers, floats with ``None``,
        ``astype(object)``), which is read as numeric like scikit-learn's MLP
        reads it. A list of column names or positions, or a boolean mask,
        names the categorical columns yourself (any other column must hold
        numbers; integer-coded categories in a NumPy array work too); None
        makes every column numeric. The decision is kept in
        ``is_categorical_``.""",
    "categorical_encoding":
        """categorical_encoding : {'onehot', 'binary', 'embedding'}, default='onehot'
        How a pandas DataFrame's ``category``/``object``/string columns are
        encoded inside the estimator (learned on the training data only):
        ``'onehot'`` gives k input nodes per attribute of k values,
        ``'binary'`` ceil(log2 k) nodes, ``'embedding'`` a learned embedding.
        When this front end is active, numeric columns are standardised and
        bool columns become 0/1; unseen or missing categories at predict
        time are encoded as "unknown". All-numeric input is used as given,
        exactly like scikit-learn's MLP.""",
}

_ATTRS = {
    "common_attributes": """loss_ : float
        The loss of the last epoch (or at the L-BFGS solution), with the L2
        penalty, in scikit-learn's convention.
    best_loss_ : float or None
        Minimum of ``loss_curve_``; None when ``early_stopping``.
    loss_curve_ : list of float
        Training loss after each epoch (L-BFGS: each iteration).
    validation_loss_curve_ : list of float or None
        Loss on the held-out set after each epoch when ``early_stopping``.
    validation_scores_ : list of float or None
        Score on the held-out set after each epoch when ``early_stopping``.
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    history_ : dict
        Keras-style history: ``'loss'`` and, with early stopping,
        ``'val_loss'`` and ``'val_score'`` per epoch.
    t_ : int
        Number of training samples seen by the stochastic solver.
    coefs_ : list of ndarray
        ``coefs_[i]`` is the weight matrix between layer i and layer i + 1.
        Assigning a list of arrays sets the network's weights.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` is the bias vector of layer i + 1. Assignable.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit, when ``X`` has string column
        names (pandas).
    n_iter_ : int
        Number of epochs (or L-BFGS iterations) run by the last fit.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        Name of the output activation.
    model_ : keras.Model
        A Keras model holding the fitted weights (built on first access).
    grad_norm_curve_ : list of float or None
        Gradient norm after each epoch (iteration) when ``min_grad_norm > 0``.
    init_scores_ : ndarray of shape (n_init,)
        Score of each random initialisation (validation score with
        ``early_stopping``, else final training loss).
    best_init_ : int
        Index of the kept initialisation in ``init_scores_``.
    callbacks_ : list of keras.callbacks.Callback
        The copies of ``callbacks`` the last fit trained with (their state,
        e.g. ``EarlyStopping.stopped_epoch``); not pickled.
    devices_ : list of str or None
        The devices the last fit trained on data-parallel (``distribution``),
        None for a one-device fit.""",
}

# The course's toolbox, shared by every estimator in the same order.
_PARAMS["toolbox_params"] = "\n    ".join(
    _PARAMS[name]
    for name in (
        "l1", "activity_l1", "activity_l2", "dropout", "dropconnect", "batch_normalization",
        "mc_samples", "min_grad_norm", "kernel_initializer", "n_init", "callbacks",
        "categorical_encoding", "categorical_features", "missing", "distribution",
        "precision",
    )
)

_ATTRS["frame_attributes"] = """is_categorical_ : ndarray of bool of shape (n_features,) or None
        Which input columns were encoded as categories (see
        ``categorical_features``); None when none was."""

_FRAGMENTS = {**_PARAMS, **_ATTRS}


#: The sequence and image networks' step-based training defaults.
_STEP_FRAGMENTS = {
    "batch_size": """batch_size : int, 'auto' or 'full', default='auto'
        Minibatch size for the stochastic solvers. ``'auto'`` is
        ``min(32, n_samples)`` (Keras' default; scikit-learn's ``min(200,
        n_samples)`` leaves a few dozen sequences one update per epoch);
        ``'full'`` is batch learning; ``1`` is on-line learning. Ignored by
        ``'lbfgs'``.""",
    "max_iter": """max_iter : int or 'auto', default='auto'
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).
        ``'auto'`` is a budget of optimizer steps rather than epochs:
        ``max(200, ceil(2000 / steps_per_epoch))`` epochs, so a small data
        set gets as many updates as a large one (200 iterations for lbfgs).""",
    "n_iter_no_change": """n_iter_no_change : int, 'auto' or np.inf, default='auto'
        Epochs without an improvement of ``tol`` before stopping.
        ``'auto'`` counts optimizer steps: ``max(10, ceil(100 /
        steps_per_epoch))`` epochs, so a plateau of a few noisy updates on a
        small data set does not end training. ``np.inf`` never stops for
        lack of improvement.""",
    "scaled_targets": """Unlike :class:`MLPRegressor` (scikit-learn's parity), the network
    learns the targets standardised -- ``(y - mean) / sd`` over the training
    targets, weighted by ``sample_weight`` (not with ``loss='poisson'``) --
    so targets of any scale train with the default learning rate and
    tolerance; predictions come back in ``y``'s units, while ``loss_curve_``
    and ``best_loss_`` are in the standardised ones.""",
}


def fill_doc(obj, step_budget=False):
    """Substitute the shared ``%(name)s`` fragments into ``obj.__doc__``.

    ``step_budget`` documents the sequence and image networks' ``'auto'``
    batch size, epoch budget and patience instead of scikit-learn's.
    """
    fragments = {**_FRAGMENTS, **_STEP_FRAGMENTS} if step_budget else _FRAGMENTS
    obj.__doc__ = obj.__doc__ % fragments
    return obj
