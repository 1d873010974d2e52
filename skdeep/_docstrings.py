"""Parameter and attribute text shared by several estimators' docstrings.

Each fragment is written once here and substituted into docstrings with
:func:`fill_doc` (``%(name)s`` placeholders), as imbalanced-learn does.
"""

_PARAMS = {
    "hidden_layer_sizes": """hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
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
    "n_iter_no_change": """n_iter_no_change : int, default=10
        Epochs without an improvement of ``tol`` before stopping.""",
    "max_fun": """max_fun : int, default=15000
        Maximum number of loss evaluations of ``'lbfgs'``.""",
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
        A Keras model holding the fitted weights (built on first access).""",
}

_FRAGMENTS = {**_PARAMS, **_ATTRS}


def fill_doc(obj):
    """Substitute the shared ``%(name)s`` fragments into ``obj.__doc__``."""
    obj.__doc__ = obj.__doc__ % _FRAGMENTS
    return obj
