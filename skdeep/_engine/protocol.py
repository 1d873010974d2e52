"""The engine protocol: the host API every engine offers the layers above.

Three classes implement it: :class:`~skdeep._engine.tensorflow.TensorFlowEngine`,
:class:`~skdeep._engine.jax.JaxEngine` and, for training only, a search
cohort's :class:`~skdeep._cohort.member.MemberEngine`.  The estimators and
the epoch loop use nothing else of an engine; ``tests/test_engine.py``
checks the compiled engines against :data:`TRAINING`, :data:`MODEL` and
:data:`PREDICTION`, and a cohort member against :data:`TRAINING`.

Weights cross the API as one NumPy array per model variable, in
``variables`` order; ``loaded`` names the weights the engine holds (a token
the estimator keeps with its fitted weights), so a fitted estimator's
weights are loaded only when another fit used the engine in between.
"""

from typing import Protocol

__all__ = ["MODEL", "PREDICTION", "TRAINING", "Engine"]


class Engine(Protocol):
    """What an engine offers: see the module docstring.

    Attributes
    ----------
    spec : ModelSpec
        The network and training settings it was compiled for.
    variables : list
        The model's variables (each has a ``path``), in weight order.
    trainable : list
        The trainable ones (L-BFGS' flat vector follows their order).
    initial_weights : list of ndarray
        The values the model was built with (shapes, dtypes, deterministic
        initial values).
    stochastic : list
        Its dropout / DropConnect layers (empty: no Monte-Carlo predictions).
    batchnorms : list
        Its batch-normalization layers.
    model : keras.Model
        The Keras model (hooks see it holding the current weights).
    loaded : object
        Token of the weights its variables hold, or None.
    pool : object
        Where :func:`skdeep._engine.cache.release` gives it back
        (``pool.give_back(engine)``).
    """

    def tensors(self, *arrays, pad=True):
        """The arrays as the engine's training data (device arrays, padded rows)."""

    def set_weights(self, weights, token):
        """Load ``weights`` unless ``token`` names the weights already held."""

    def get_weights(self):
        """A NumPy copy of every variable."""

    def set_values(self, values):
        """Set some variables, ``{index in variables: value}``, keeping the others
        (a schedule's per-epoch rates) without recompiling."""

    def sync_model(self, weights=None):
        """Make ``model`` hold ``weights`` (default: the engine's current ones)."""

    def adopt_model_weights(self):
        """Take what ``model`` holds now (a hook may have changed it) as the weights."""

    def reset_optimizer(self, learning_rate, state=None):
        """A fresh optimizer state (or ``state``) at ``learning_rate``."""

    def set_learning_rate(self, learning_rate):
        """The learning rate of the next updates (no recompilation)."""

    def optimizer_state(self):
        """A copy of the optimizer's state, in Keras' variable order."""

    def train_epoch(self, X, Y, SW, perm, batch_size, penalties):
        """One epoch of minibatches over ``perm``: ``(mean loss, gradient norm)``."""

    def evaluate(self, X, Y, SW, penalties):
        """``(output, reported loss)`` on held-out rows."""

    def recalibrate_batchnorm(self, X):
        """Exact batch-norm statistics of the training rows ``X``."""

    def loss_and_grad(self, flat, X, Y, SW, penalties):
        """Full-batch ``(objective, reported, gradient)`` at the flat trainable vector."""

    def trainable_flat(self):
        """The trainable variables as one float64 vector (L-BFGS' start)."""

    def predict(self, X):
        """The network's output for ``X``, in chunks of rows."""

    def mc_predict(self, X, n_samples, seed):
        """``(n_samples, n_rows, n_outputs)`` outputs with dropout kept on."""


#: What the epoch loop and the fit template call while training.
TRAINING = (
    "tensors", "set_weights", "get_weights", "reset_optimizer", "set_learning_rate",
    "optimizer_state", "train_epoch", "evaluate", "recalibrate_batchnorm",
)
#: What hooks that ask for ``loop.model`` (Keras callbacks) need besides: a fit
#: with Keras callbacks is never lent an engine without them.
MODEL = ("sync_model", "adopt_model_weights")
#: What full-batch training (L-BFGS) and prediction call besides.
PREDICTION = ("loss_and_grad", "trainable_flat", "predict", "mc_predict")
