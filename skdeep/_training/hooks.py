"""The epoch loop's hook protocol: how anything steers or watches training.

* ``on_train_begin(loop)`` once, before the first epoch of a fit call;
* ``on_epoch_begin(loop)`` before each epoch (each L-BFGS iteration);
* ``on_epoch_end(loop, logs)`` after it, with the epoch's logs (``loss``,
  ``val_loss``, ``val_score``, ``learning_rate``, ...); a true return value
  stops training after this epoch;
* ``on_train_end(loop, logs)`` once, after skdeep's own best-weight restore
  and before the fitted weights are stored: weights a hook loads into
  ``loop.model`` here become the fitted ones.

A hook reads and writes the training state through the loop:
``loop.epoch`` (0-based, counted over warm starts and ``partial_fit``
calls), ``loop.learning_rate`` (settable on stochastic solvers),
``loop.current_weights()``, ``loop.datasets`` (the training and held-out
rows), ``loop.model`` (a Keras model holding the current
weights) and ``loop.stop_training``.  A fit without hooks runs the same code
with empty hook lists: no per-epoch work is added.
"""

__all__ = ["EpochHook"]


class EpochHook:
    """Base class of the epoch loop's hooks; every method is optional.

    Subclass it and override what you need. The loop calls the methods in
    the order ``on_train_begin``, then ``on_epoch_begin`` / ``on_epoch_end``
    per epoch, then ``on_train_end`` -- also when training ends early, by a
    stopping rule, a hook or Ctrl-C.
    """

    def on_train_begin(self, loop):
        """Called before the first epoch of a fit (or ``partial_fit``) call."""

    def on_epoch_begin(self, loop):
        """Called before each epoch; ``loop.epoch`` is its 0-based index."""

    def on_epoch_end(self, loop, logs):
        """Called after each epoch with its ``logs``; return True to stop."""
        return False

    def on_train_end(self, loop, logs):
        """Called once after the last epoch, with the last epoch's logs."""
