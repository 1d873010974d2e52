"""The parameter section shared by the tabular estimators' docstrings.

A template: ``{activation}``, ``{lr}`` and ``{extra}`` (the classifier's or
regressor's own parameters) are filled in by
:mod:`skdeep._estimators.tabular`.
"""

TABULAR_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(128, 128, 128)
        Width of each hidden layer.
    activation : str, default={activation!r}
        Hidden activation, made parametric: each unit computes
        ``x + a * (act(x) - x)`` with a learned ``a`` starting at 1. Any name
        of :data:`skdeep.builders.ACTIVATIONS`.
    alpha : float, default=0.0
        L2 penalty on the (neural-tangent-parametrised) kernels, scaled as
        in scikit-learn's MLP.
    dropout : float or sequence of float, default=0.15
        Dropout rate after each hidden layer.
    dropout_schedule : {{'flat_cos', 'constant'}}, default='flat_cos'
        ``'flat_cos'`` keeps the rates for the first half of the epochs,
        then lowers them to 0 along a half cosine
        (:func:`~skdeep._training.schedules.flat_cos`, set per epoch), so
        the last epochs train the network that predicts; Monte-Carlo
        predictions sample at the full rates. ``'constant'`` keeps them.
    batch_size : int, 'auto' or 'full', default='auto'
        Minibatch size; ``'auto'`` is ``min(256, n_samples)``, so a small
        table trains in full batches without a warning.
    learning_rate : {{'cosine_cycles', 'constant'}}, default='cosine_cycles'
        ``'cosine_cycles'`` multiplies ``learning_rate_init`` by
        :func:`~skdeep._estimators.tabular.cosine_cycles` of the training progress
        (``n_cycles`` cycles on a log time axis, set per epoch);
        ``'constant'`` keeps it.
    learning_rate_init : float, default={lr!r}
        Peak learning rate of Adam. High by the usual standards because the
        dense layers are in the neural-tangent parametrisation.
    n_cycles : int, default=4
        Cycles of the ``'cosine_cycles'`` schedule.
    max_iter : int, default=100
        Number of epochs (the schedule's length). With the default
        ``n_iter_no_change='auto'`` a fit whose held-out score stopped
        improving ends early; ``n_iter_no_change=np.inf`` runs every epoch.
    n_frequencies : int, default=16
        Cosines per numeric feature in its periodic embedding; 0 feeds the
        scaled numeric columns to the network as they are.
    quantile_inputs : 'auto' or bool, default='auto'
        Numeric columns that also enter as a quantile copy: the normal score
        of the value's rank among the training rows (scikit-learn's
        :class:`~sklearn.preprocessing.QuantileTransformer`, up to 1,000
        quantiles), embedded like the column itself. A mass of rows at one
        value and the far tail of a skewed count, which the robust scaling
        squeezes together, are spread by rank, so the network finds the cut
        points a tree would. ``'auto'``: the columns with at least a fifth
        of their values at their minimum (counts and amounts that are
        mostly zero); True: every numeric column; False: none.
    embedding_dim : int, default=4
        Width of each numeric feature's embedding (the value itself and
        ``embedding_dim - 1`` learned periodic features).
    frequency_scale : float, default=0.1
        Standard deviation of the embeddings' initial frequencies (in cycles
        per interquartile range).
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows and keep the weights of
        the epoch with the best validation score (best-epoch selection).
    validation_fraction : float, default=0.2
        Fraction of the training rows held out when ``early_stopping``.
    n_iter_no_change : int, np.inf or 'auto', default='auto'
        Epochs without an improvement of ``tol`` in the held-out score
        before stopping (with ``early_stopping``; else in the training
        loss). ``'auto'``: ``max(10, max_iter // 4)`` epochs, counted only once
        40 % of ``max_iter`` have run -- the fits whose best epoch came
        early (the held-out score falling for the rest of the schedule) end
        after about half their epochs, which halves the median fit time on
        the benchmark's tables. With fewer than 100 held-out rows (tables
        under ~500 rows at the default ``validation_fraction``) the whole
        schedule runs: a score over so few rows moves in steps of a point
        or more, and a stall says little. ``np.inf`` runs the whole
        schedule and only selects the best epoch (the previous default).
    tol : float, default=1e-4
        Improvement threshold of the ``n_iter_no_change`` rule.
    beta_1 : float, default=0.9
        Adam's first-moment decay.
    beta_2 : float, default=0.95
        Adam's second-moment decay (shorter memory than Adam's 0.999, which
        suits the changing learning rate).
    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
{extra}    categorical_encoding : {{'onehot', 'binary', 'embedding'}}, default='onehot'
        How the category/object/string columns of a DataFrame are encoded
        (learned on the training rows).
    categorical_features : 'auto', None or array-like, default='auto'
        Which columns are categorical: ``'auto'`` decides by dtype, and for
        ``object`` columns by content (all numbers: numeric); a list of
        names or positions, or a boolean mask, names them; None makes every
        column numeric. The decision is kept in ``is_categorical_``.
    column_treatment : dict or None, default=None
        What chosen columns of a DataFrame become, overriding the automatic
        decision: column name (or position) -> ``'numeric'``, ``'bool'``,
        ``'category'``, ``'target'`` (a category plus its levels' target
        statistics, cross-fitted on the training rows; never chosen
        automatically), ``'words'`` (0/1 inputs of its frequent words),
        ``'date'`` (days since 1970 plus calendar inputs) or ``'drop'``.
        The decisions, automatic or not, are listed in ``input_summary_``.
    missing : {{'impute', 'error'}}, default='impute'
        ``'impute'`` fills missing values with the training mean and adds a
        0/1 "was missing" input per such column; ``'error'`` refuses NaN.
    n_members : int, default=1
        Ensemble members trained together as one network: each member
        multiplies the (scaled, embedded) inputs by its own learned vector
        (starting at random signs) and has its own output layer, while the
        hidden layers are shared; each member learns the targets with its
        own loss (the loss curves sum them), and predictions average the
        members' outputs. A step costs about ``n_members`` times a single
        network's arithmetic.
    mc_samples : int, default=100
        Stochastic passes behind Monte-Carlo dropout predictions.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks called once per epoch. The schedule sets each
        epoch's learning rate as the epoch begins, before the callbacks'
        ``on_epoch_begin``; a callback that changes the rate at an epoch's
        end (``ReduceLROnPlateau``) needs ``learning_rate='constant'``.
    distribution : None, 'data_parallel', list of str or strategy, default=None
        Data-parallel training over several devices (see the multi-device
        guide).
    precision : {{'auto', 'float32', 'float64'}}, default='auto'
        The float dtype the network computes in; ``'auto'`` is float32 (the
        scaled, clipped inputs need no more, and a CPU step takes half the
        time). Predictions are float64.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the held-out split and the shuffling.
    verbose : bool, default=False
        Print the loss and validation score after each epoch.
    warm_start : bool, default=False
        Continue from the fitted weights in the next ``fit`` (the schedule
        starts again).
"""
