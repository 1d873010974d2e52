"""The course's character-level language model: :class:`CharRNN`."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._private import Interval, Options, StrOptions
from ..builders import RNN_CELLS
from .rnn import RNNSequenceClassifier

#: Parameters passed unchanged to the inner :class:`RNNSequenceClassifier`.
_SHARED = (
    "cell", "units", "dense_layer_sizes", "dropout", "recurrent_dropout", "solver", "alpha",
    "batch_size", "learning_rate", "learning_rate_init", "power_t", "max_iter", "shuffle",
    "tol", "verbose", "momentum", "nesterovs_momentum", "early_stopping",
    "validation_fraction", "beta_1", "beta_2", "epsilon", "n_iter_no_change", "callbacks",
    "distribution", "precision",
)


class _NextCharacterNetwork(RNNSequenceClassifier):
    """The network under :class:`CharRNN`: early stopping on log-likelihood.

    A language model is judged by the probability it gives the text, not by
    how often its first guess is right, so the validation score that early
    stopping follows is the mean log-probability of the next character.
    """

    #: The validation score's name in the logs Keras callbacks get.
    _validation_score_name = "log_likelihood"

    #: One example per character position makes thousands of rows: keep
    #: scikit-learn's ``min(200, n)`` batches, as CharRNN documents.
    _auto_batch_size = 200

    def fit(self, X, y, validation_rows=None):
        """Fit on the contexts ``X`` and next characters ``y``.

        ``validation_rows`` -- ``(train_index, val_index)`` -- are the rows
        early stopping holds out (each text's end, see
        :meth:`CharRNN._held_out_ends`) instead of a random fraction.
        """
        self._validate_params()
        return self._fit(X, y, validation_split=validation_rows)

    def _score_output(self, y, output, sample_weight):
        proba = self._as_proba(output)
        columns = np.searchsorted(self.classes_, y)
        with np.errstate(divide="ignore"):
            log_p = np.log(proba[np.arange(len(y)), columns])
        return float(np.average(np.maximum(log_p, -1e3), weights=sample_weight))


def _as_texts(X):
    if isinstance(X, str):
        return [X]
    if X is None or not hasattr(X, "__iter__") or isinstance(X, (bytes, dict)):
        raise ValueError(
            f"CharRNN models text: pass a string or a list of strings, got "
            f"{type(X).__name__}: {X!r:.60}."
        )
    texts = list(X)
    bad = [type(t).__name__ for t in texts if not isinstance(t, str)]
    if bad:
        raise ValueError(
            f"CharRNN models text: pass a string or a list of strings, got items of type "
            f"{sorted(set(bad))}."
        )
    return texts


class CharRNN(BaseEstimator):
    """Character-level recurrent language model (the course's "hello" network).

    The network reads up to ``context_length`` characters, one-hot encoded,
    and predicts the next character (softmax over the vocabulary). Training
    makes one example of every position of every text: the characters
    before it (fewer at a text's start -- shorter sequences are masked, not
    padded with fake characters) and the character itself. At test time
    :meth:`sample` draws characters one at a time and feeds each back as
    input, as in the course. The recurrent network is an
    :class:`RNNSequenceClassifier`, so every cell option and training
    parameter works as there.

    Parameters
    ----------
    cell : {'lstm', 'gru', 'simple'}, default='lstm'
        Recurrent cell (``'simple'``: the course's tanh recurrence).
    units : int or sequence of int, default=128
        State size of each recurrent layer.
    context_length : int, default=40
        Most characters the network sees before predicting the next one
        (the truncation of back-propagation through time).
    dense_layer_sizes : int or sequence of int, default=()
        Dense hidden layers after the recurrent ones.
    dropout : float or sequence of float, default=0.0
        Dropout after each hidden layer.
    recurrent_dropout : float, default=0.0
        Dropout on the recurrent state during training.
    solver : {'adam', 'sgd', 'rmsprop', 'adagrad', 'lbfgs'}, default='adam'
        Optimiser (see :class:`MLPClassifier`).
    alpha : float, default=0.0
        L2 penalty on the weights.
    batch_size : int, 'auto' or 'full', default='auto'
        Minibatch size (``'auto'``: ``min(200, n_positions)``).
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule of ``'sgd'``.
    learning_rate_init : float, default=0.005
        Initial learning rate.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
    max_iter : int, default=100
        Most epochs.
    shuffle : bool, default=True
        Shuffle the positions every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and dropout.
    tol : float, default=1e-4
        Improvement below which an epoch counts as no progress.
    verbose : bool, default=False
        Print the loss every epoch.
    momentum : float, default=0.9
        Momentum of ``'sgd'``.
    nesterovs_momentum : bool, default=True
        Nesterov momentum for ``'sgd'``.
    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of each text and stop when
        the mean log-probability of its characters stops improving (restoring
        the best epoch's weights). Recommended for real text: a small text is soon
        learnt by heart.
    validation_fraction : float, default=0.1
        Held-out fraction of each text for ``early_stopping``.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's parameters.
    n_iter_no_change : int, default=10
        Epochs without progress before stopping.
    callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks called once per epoch (see
        :class:`RNNSequenceClassifier`); with ``early_stopping`` the logs
        hold ``val_loss`` and ``val_log_likelihood``.
    distribution : None, 'data_parallel', list of str or strategy, default=None
        Train data-parallel over several devices (see
        :class:`RNNSequenceClassifier`).
    precision : {'auto', 'float32', 'float64'}, default='auto'
        The float dtype the network computes in; ``'auto'`` is float32.

    Attributes
    ----------
    vocabulary_ : ndarray of str
        The characters of the training texts, sorted; the columns of
        :meth:`predict_proba`.
    network_ : RNNSequenceClassifier
        The fitted next-character classifier.
    first_char_proba_ : ndarray of shape (n_vocabulary,)
        Frequency of each character at the start of the training texts
        (used by :meth:`sample` with an empty prefix).
    loss_curve_ : list of float
        Training loss (mean cross-entropy per character, in nats) of each
        epoch.
    n_iter_ : int
        Epochs run.

    See Also
    --------
    RNNSequenceClassifier : The many-to-one network it trains.

    Notes
    -----
    A character that never follows another one in the training texts (say,
    one that only starts a text) gets probability 0 as a next character, so
    a text where it follows another character has infinite perplexity.

    Examples
    --------
    >>> from skdeep import CharRNN
    >>> lm = CharRNN(units=16, learning_rate_init=0.05, max_iter=60,
    ...              random_state=0).fit("hello")
    >>> lm.vocabulary_.tolist()
    ['e', 'h', 'l', 'o']
    >>> lm.sample("h", n_chars=4, temperature=0)
    'hello'
    >>> lm.perplexity("hello") < 1.2
    True
    """

    _parameter_constraints = {
        "cell": [StrOptions(set(RNN_CELLS))],
        "units": ["array-like", Interval(Integral, 1, None, closed="left")],
        "context_length": [Interval(Integral, 1, None, closed="left")],
        "dense_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "dropout": ["array-like", Interval(Real, 0, 1, closed="left")],
        "recurrent_dropout": [Interval(Real, 0, 1, closed="left")],
        "random_state": ["random_state"],
        **{
            name: RNNSequenceClassifier._parameter_constraints[name]
            for name in _SHARED
            if name not in ("cell", "units", "dense_layer_sizes", "dropout",
                            "recurrent_dropout", "max_iter", "n_iter_no_change")
        },
        # CharRNN counts epochs over its (many) character positions
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"),
                             Options(Real, {np.inf})],
    }

    def __init__(
        self,
        cell="lstm",
        units=128,
        context_length=40,
        dense_layer_sizes=(),
        *,
        dropout=0.0,
        recurrent_dropout=0.0,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.005,
        power_t=0.5,
        max_iter=100,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        callbacks=None,
        distribution=None,
        precision="auto",
    ):
        self.cell = cell
        self.units = units
        self.context_length = context_length
        self.dense_layer_sizes = dense_layer_sizes
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
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
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.callbacks = callbacks
        self.distribution = distribution
        self.precision = precision

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.non_deterministic = self.random_state is None
        return tags

    # ------------------------------------------------------------------ encoding
    def _codes(self, text):
        try:
            return np.array([self._index[c] for c in text], dtype=np.intp)
        except KeyError:
            unknown = sorted(set(text) - set(self._index))
            raise ValueError(
                f"Characters {unknown} are not in the vocabulary of the training texts."
            ) from None

    def _one_hot(self, codes):
        return np.eye(len(self.vocabulary_), dtype=np.float32)[codes]

    def _positions(self, texts):
        """Every (context one-hot, next-character code) pair of ``texts``."""
        contexts, targets = [], []
        for text in texts:
            codes = self._codes(text)
            onehot = self._one_hot(codes)
            for i in range(1, len(codes)):
                contexts.append(onehot[max(0, i - self.context_length) : i])
                targets.append(codes[i])
        return contexts, np.asarray(targets, dtype=np.intp)

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Learn to predict each character of the texts from the ones before it.

        Parameters
        ----------
        X : str or list of str
            Training text(s); each needs at least two characters.
        y : None
            Ignored.

        Returns
        -------
        self : CharRNN
            The fitted model.
        """
        self._validate_params()
        texts = _as_texts(X)
        if not any(len(t) >= 2 for t in texts):
            raise ValueError("CharRNN needs a text of at least two characters to learn from.")
        self.vocabulary_ = np.array(sorted(set("".join(texts))))
        self._index = {c: i for i, c in enumerate(self.vocabulary_)}
        contexts, targets = self._positions(texts)
        starts = np.bincount([self._index[t[0]] for t in texts if t],
                             minlength=len(self.vocabulary_))
        self.first_char_proba_ = starts / starts.sum()
        self.network_ = _NextCharacterNetwork(
            **{name: getattr(self, name) for name in _SHARED},
            standardize=False, readout="last", conv_filters=(), pool_size=1,
            random_state=self.random_state,
        )
        held_out = self._held_out_ends(texts) if self.early_stopping else None
        self.network_.fit(contexts, targets, validation_rows=held_out)
        self.loss_curve_ = self.network_.loss_curve_
        self.n_iter_ = self.network_.n_iter_
        return self

    def _held_out_ends(self, texts):
        """``(train, validation)`` positions: the last ``validation_fraction`` of each text.

        Neighbouring positions share most of their context, so a random
        split would validate on near-copies of training examples; holding
        out each text's end measures how well the model continues text.
        """
        train, val, start = [], [], 0
        for text in texts:
            n = max(len(text) - 1, 0)
            n_val = int(round(self.validation_fraction * n))
            train.extend(range(start, start + n - n_val))
            val.extend(range(start + n - n_val, start + n))
            start += n
        if len(val) < 2 or not train:
            raise ValueError(
                f"early_stopping holds out the last validation_fraction="
                f"{self.validation_fraction} of each text, which leaves {len(val)} "
                "validation characters; use longer texts, a larger validation_fraction, "
                "or early_stopping=False."
            )
        return np.asarray(train), np.asarray(val)

    # ------------------------------------------------------------------ predict
    def _proba(self, contexts):
        """Next-character probabilities over ``vocabulary_`` for one-hot contexts."""
        proba = self.network_.predict_proba(contexts)
        full = np.zeros((proba.shape[0], len(self.vocabulary_)))
        full[:, self.network_.classes_] = proba
        return full

    def predict_proba(self, X):
        """Probability of each vocabulary character following each context.

        Parameters
        ----------
        X : str or list of str
            Contexts (non-empty); only their last ``context_length``
            characters are read.

        Returns
        -------
        proba : ndarray of shape (n_contexts, n_vocabulary)
            Columns in the order of ``vocabulary_``.
        """
        check_is_fitted(self)
        texts = _as_texts(X)
        if not texts:
            raise ValueError("No contexts given: pass a string or a non-empty list of strings.")
        if any(len(t) == 0 for t in texts):
            raise ValueError("Contexts must be non-empty; use sample('') to start a text.")
        return self._proba([self._one_hot(self._codes(t[-self.context_length :]))
                            for t in texts])

    def predict(self, X):
        """Most probable next character of each context.

        Parameters
        ----------
        X : str or list of str
            Contexts (non-empty).

        Returns
        -------
        chars : ndarray of str of shape (n_contexts,)
            The predicted next characters.
        """
        check_is_fitted(self)
        return self.vocabulary_[np.argmax(self.predict_proba(X), axis=1)]

    def sample(self, prefix="", n_chars=100, temperature=1.0, random_state=None):
        """Generate text one character at a time, feeding each back as input.

        Parameters
        ----------
        prefix : str, default=''
            Text to continue; empty starts with a character drawn from
            ``first_char_proba_``.
        n_chars : int, default=100
            Number of characters to generate.
        temperature : float, default=1.0
            Sharpness of the sampling: probabilities are raised to the power
            ``1 / temperature`` and renormalised; 0 always takes the most
            probable character (greedy decoding).
        random_state : int, RandomState instance or None, default=None
            Seed of the draws.

        Returns
        -------
        text : str
            ``prefix`` followed by the generated characters.
        """
        check_is_fitted(self)
        try:
            temperature = float(temperature)
        except (TypeError, ValueError):
            raise ValueError(f"temperature must be a number >= 0, got {temperature!r}.") from None
        if not np.isfinite(temperature) or temperature < 0:
            raise ValueError(f"temperature must be a finite number >= 0, got {temperature}.")
        if int(n_chars) < 0:
            raise ValueError(f"n_chars must be >= 0, got {n_chars}.")
        rng = check_random_state(random_state)
        codes = list(self._codes(prefix))
        todo = int(n_chars)
        if not codes and todo:
            codes.append(self._draw(self.first_char_proba_, temperature, rng))
            todo -= 1
        for _ in range(todo):
            context = self._one_hot(np.asarray(codes[-self.context_length :]))
            codes.append(self._draw(self._proba([context])[0], temperature, rng))
        return "".join(self.vocabulary_[codes])

    @staticmethod
    def _draw(proba, temperature, rng):
        if temperature == 0:
            return int(np.argmax(proba))
        with np.errstate(divide="ignore"):
            logits = np.log(proba) / temperature
        weights = np.exp(logits - logits.max())
        return int(rng.choice(len(weights), p=weights / weights.sum()))

    # ------------------------------------------------------------------ evaluate
    def score(self, X, y=None):
        """Mean log-likelihood per predicted character (nats; higher is better).

        Every character of every text after the first is predicted from the
        (at most ``context_length``) characters before it.

        Parameters
        ----------
        X : str or list of str
            Texts to evaluate.
        y : None
            Ignored.

        Returns
        -------
        score : float
            Average of ``log p(char | context)``; ``-inf`` if some character
            never followed another in training.
        """
        check_is_fitted(self)
        contexts, targets = self._positions(_as_texts(X))
        if not len(targets):
            raise ValueError("The texts have no character to predict (all shorter than 2).")
        proba = self._proba(contexts)[np.arange(len(targets)), targets]
        with np.errstate(divide="ignore"):
            return float(np.mean(np.log(proba)))

    def perplexity(self, X):
        """Per-character perplexity: ``exp(-score(X))``.

        1 is a perfect model; a model that knows nothing (uniform over the
        vocabulary) scores the vocabulary size.

        Parameters
        ----------
        X : str or list of str
            Texts to evaluate.

        Returns
        -------
        perplexity : float
            The geometric mean of ``1 / p(char | context)``.
        """
        return float(np.exp(-self.score(X)))


# public: pickles and the docs name skdeep.<Class>, never this private module
CharRNN.__module__ = "skdeep"
