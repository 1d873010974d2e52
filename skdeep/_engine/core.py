"""What every backend's engine shares: the model, its views, the optimizer, the loss.

:class:`_EngineCore` builds the Keras model and optimizer of a
:class:`~skdeep._engine.spec.ModelSpec` and holds the loss and penalty
formulas, written once over a small ops namespace that each backend supplies
(:mod:`skdeep._engine.tensorflow`, :mod:`skdeep._engine.jax`).  Which engine
a fit gets, and the cache of compiled ones, live in :mod:`skdeep._engine.cache`;
the two backends never import each other.
"""

import threading

import numpy as np

from .._backend import load
from .spec import LOSSES, make_optimizer

__all__ = ["as_csr", "chunk_rows"]


def as_csr(X, dtype):
    """``X`` (sparse or dense) as a CSR matrix of ``dtype`` with sorted indices."""
    import scipy.sparse as sp

    X = sp.csr_matrix(X, dtype=dtype)
    if not X.has_sorted_indices:
        X = X.sorted_indices()
    return X


def chunk_rows(rows, X, sparse_network, max_values=1 << 24):
    """Rows per chunk for a network's forward pass over ``X``.

    Sparse rows into a dense-input network are densified one chunk at a
    time, so a chunk then holds at most ``max_values`` numbers.
    """
    import scipy.sparse as sp

    if sp.issparse(X) and not sparse_network:
        rows = min(rows, max_values // max(1, X.shape[1]))
    return max(1, rows)

class _EngineCore:
    """What every backend's engine shares: the model, its views and the optimizer.

    Parameters
    ----------
    spec : ModelSpec
        The architecture and training settings to compile.
    """

    def __init__(self, spec):
        _, keras = load()
        if spec.loss not in LOSSES:
            raise ValueError(f"Unknown loss {spec.loss!r}; expected one of {LOSSES}.")
        self.spec = spec
        self.model = self._creating(spec.build)
        logits = self.model.get_layer("output").output
        self._activity = []
        if "activity" in spec.penalties:
            self._activity = [
                layer.output for layer in self.model.layers if layer.name.startswith("hidden")
            ]
        self._train_model = keras.Model(
            self.model.inputs, [logits, self.model.outputs[0], *self._activity]
        )
        from ..layers import stochastic_layers

        self.stochastic = stochastic_layers(self.model)
        self.batchnorms = [
            layer for layer in self.model.layers
            if isinstance(layer, keras.layers.BatchNormalization)
        ]
        if self.batchnorms:
            self._bn_model = keras.Model(
                self.model.inputs, [layer.input for layer in self.batchnorms]
            )
        self._seed_states = [
            v for v in self.model.non_trainable_variables
            if v.path.endswith("seed_generator_state")
        ]
        self.variables = list(self.model.variables)
        self.trainable = list(self.model.trainable_variables)
        names = [v.path.rsplit("/", 1)[-1] for v in self.trainable]
        self._penalized = [
            v for v, name in zip(self.trainable, names) if name in ("kernel", "recurrent_kernel")
        ]
        self.optimizer = self._scoped(lambda: make_optimizer(keras, spec.optimizer))
        if self.optimizer is not None:
            self._creating(lambda: self.optimizer.build(self.trainable))
            self._optimizer_initial = [np.array(v.numpy()) for v in self.optimizer.variables]
        self.initial_weights = [np.array(v.numpy()) for v in self.variables]
        self.loaded = None  # token of the weights now held by the variables
        self.lock = threading.Lock()
        regression = spec.loss in ("squared_error", "absolute_error", "huber")
        self._report_scale = 1.0 / spec.n_outputs if regression else 1.0

    def _creating(self, make):
        """Run ``make`` (a model or optimizer build) and return its result."""
        return make()

    def _scoped(self, make):
        """Run ``make`` (the optimizer's construction) in the engine's device scope."""
        return make()

    def _objective(self, ops, y, outputs, sw, penalties, kernels, extra, sw_total=None,
                   share=1.0):
        """Return ``(objective, reported)`` for one batch, in ``ops``' backend.

        ``objective`` is what the gradient is taken of: per-sample losses
        summed over outputs, averaged with the sample weights, plus
        ``0.5 * alpha * ||W||^2 / sum(sw)`` -- scikit-learn's convention -- and
        the optional ``l1 * ||W||_1 / sum(sw)`` and activity penalties
        (weighted mean over samples of ``activity_l1 * sum|z|`` and
        ``activity_l2 * sum z^2`` over hidden units, Keras' convention), plus
        the Keras losses of the call (``extra``: regularizers, ``add_loss``).
        ``reported`` is what scikit-learn prints in ``loss_curve_`` (for
        regression losses it averages over outputs instead of summing).
        ``kernels`` are the values of the penalized weights.

        A data-parallel replica computes its part of a minibatch's terms:
        ``sw_total`` is the whole minibatch's weight sum (default: ``sw``'s),
        and ``share`` the fraction of the batch-independent terms (weight
        penalties, Keras losses) it adds, so that the replicas' parts sum to
        the minibatch's objective.
        """
        logits, output, *activities = outputs
        loss = self.spec.loss
        if loss == "log_loss":
            per = ops.softmax_cross_entropy(y, logits)
        elif loss == "binary_log_loss":
            per = ops.sum(ops.sigmoid_cross_entropy(y, logits), 1)
        elif loss == "poisson":
            per = ops.sum(ops.xlogy(y, y) - y * logits - y + ops.exp(logits), 1)
        elif loss == "absolute_error":
            per = ops.sum(ops.abs(y - output), 1)
        elif loss == "huber":
            err = ops.abs(y - output)
            quad = ops.minimum(err, 1.0)
            per = ops.sum(0.5 * ops.square(quad) + (err - quad), 1)
        else:
            per = 0.5 * ops.sum(ops.square(y - output), 1)
        sw_sum = ops.sum(sw) if sw_total is None else sw_total
        data = ops.sum(sw * per) / sw_sum
        penalty = ops.zero()
        if kernels:
            squares = ops.add_n([ops.sum(ops.square(w)) for w in kernels])
            penalty += 0.5 * penalties[0] * ops.cast(squares) / sw_sum
            if "l1" in self.spec.penalties:
                absolute = ops.add_n([ops.sum(ops.abs(w)) for w in kernels])
                penalty += penalties[1] * ops.cast(absolute) / sw_sum
            if share != 1.0:
                penalty = penalty * share  # batch-independent: this replica's part
        if activities:
            flat = [ops.rows(z) for z in activities]
            l1 = ops.add_n([ops.sum(ops.abs(z), 1) for z in flat])
            l2 = ops.add_n([ops.sum(ops.square(z), 1) for z in flat])
            per_sample = penalties[2] * l1 + penalties[3] * l2
            penalty += ops.sum(sw * ops.cast(per_sample)) / sw_sum
        if extra:
            added = ops.cast(ops.add_n(list(extra)))
            penalty = penalty + (added if share == 1.0 else added * share)
        return data + penalty, data * self._report_scale + penalty
