"""What every backend's engine shares: the model, its views and the optimizer.

:class:`_EngineCore` builds the Keras model and optimizer of a
:class:`~skdeep._engine.spec.ModelSpec` and the views of it that training
needs; the loss is :func:`skdeep._engine.objective.objective`, which each
backend (:mod:`skdeep._engine.tensorflow`, :mod:`skdeep._engine.jax`) calls
with its own array operations.  Which engine a fit gets, and the cache of
compiled ones, live in :mod:`skdeep._engine.cache`; the two backends never
import each other.
"""

import numpy as np

from .._backend import load
from .objective import check_loss
from .spec import make_optimizer

__all__ = ["as_csr", "chunk_rows", "compact"]


def compact(array):
    """``array``, or a read-only broadcast of its one value when every element is equal.

    Optimizer slots (Adam's moments) and biases start as zeros: kept as a
    broadcast they take no memory, where a 1,000,000 x 16 first layer's
    moments would hold 256 MB per cached engine.
    """
    array = np.asarray(array)
    if array.size > 1 and array.dtype.kind in "biuf" and (array == array.flat[0]).all():
        return np.broadcast_to(np.array(array.flat[0], dtype=array.dtype), array.shape)
    return np.array(array)


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
        check_loss(spec.loss)
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
            # each layer's input and, when called with mask= (the series
            # networks' padded steps), its mask: statistics over real steps only
            outputs, self._bn_slots = [], []
            for layer in self.batchnorms:
                inputs = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
                self._bn_slots.append(tuple(range(len(outputs), len(outputs) + len(inputs))))
                outputs.extend(inputs)
            self._bn_model = keras.Model(self.model.inputs, outputs)
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
            self._optimizer_initial = [compact(np.asarray(v.value))
                                       for v in self.optimizer.variables]
        self.initial_weights = [compact(np.asarray(v.value)) for v in self.variables]
        self.loaded = None  # token of the weights now held by the variables
        #: What the engine holds: its variables (the optimizer's too) and the
        #: initial values kept beside them; the cache bounds its idle engines by it.
        self.nbytes = sum(
            int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize
            for v in [*self.variables, *(self.optimizer.variables if self.optimizer else [])]
        ) + sum(a.nbytes for a in [*self.initial_weights, *getattr(self, "_optimizer_initial", [])]
                if a.flags.owndata)  # a broadcast holds one value

    def _creating(self, make):
        """Run ``make`` (a model or optimizer build) and return its result."""
        return make()

    def _scoped(self, make):
        """Run ``make`` (the optimizer's construction) in the engine's device scope."""
        return make()

    def recalibrate_batchnorm(self, X, batch_rows=65536):
        """Set every batch-norm layer's moving statistics to the exact ones on ``X``.

        Moving averages (momentum 0.99) lag far behind the weights when a
        fit makes only a few hundred updates -- a small data set trained in
        full batches makes one per epoch -- so after training each layer's
        mean and variance are recomputed in inference mode, layer after
        layer, from ``X`` (the training rows).  The backends supply the
        layers' inputs (``_batchnorm_inputs``) and keep the statistics
        (``_set_batchnorm_statistics``).
        """
        for k in range(len(self.batchnorms)):
            total = total_sq = 0.0
            count = 0
            for parts in self._batchnorm_inputs(X, self._bn_slots[k], batch_rows):
                z = parts[0].reshape(-1, parts[0].shape[-1]).astype(np.float64)
                if len(parts) > 1:  # a mask: the real steps only
                    z = z[np.asarray(parts[1], bool).reshape(-1)]
                total = total + z.sum(axis=0)
                total_sq = total_sq + np.square(z).sum(axis=0)
                count += z.shape[0]
            mean = total / count
            variance = np.maximum(total_sq / count - np.square(mean), 0.0)
            self._set_batchnorm_statistics(k, mean, variance)
        self.loaded = None
