"""Ensembles trained as one network (``n_members``): the hooks the tabular and
series estimators share.

The network's outputs are the members' outputs side by side, member after
member; every member learns the same targets with its own loss (the engine
sums one loss per block of outputs), and predictions and scores average the
members' outputs.
"""

import numpy as np


class Members:
    """Targets, losses and predictions of an ensemble of ``_n_members``."""

    def _validate_Xy(self, X, y, reset, **check_params):
        if reset:  # the ensemble's size is fixed by the first fit, like the architecture
            self._n_members = int(self.n_members)
        return super()._validate_Xy(X, y, reset, **check_params)

    def _members(self):
        """Ensemble members of the fitted network (1 before ``n_members`` existed)."""
        return getattr(self, "_n_members", 1)

    def _member_mean(self, output):
        """The ensemble's output: the members' outputs (side by side) averaged."""
        k = self._members()
        if k == 1:
            return output
        return output.reshape(*output.shape[:-1], k, -1).mean(axis=-2)

    def _tile_members(self, Y):
        """Every member learns the same targets: ``Y`` repeated once per member."""
        k = self._members()
        return Y if k == 1 else np.tile(Y, (1, k))

    @staticmethod
    def _member_losses(loss, n_outputs, k):
        """The engine's loss for ``k`` members of ``n_outputs`` each: one group
        per member's block, summed (``loss`` may be a fitted spec's groups)."""
        if isinstance(loss, tuple):
            loss = loss[0][0]
        return ((loss, int(n_outputs)),) * k if k > 1 else loss

    #: The dtype of the predictions; None keeps the network's (the input's).
    _prediction_dtype = None

    def _as_prediction(self, output):
        output = self._member_mean(output)
        dtype = self._prediction_dtype
        return output if dtype is None else output.astype(dtype, copy=False)

    def _forward(self, X):
        return self._as_prediction(super()._forward(X))

    def _mc_forward(self, X):
        return self._as_prediction(super()._mc_forward(X))

    def _setup_network(self, X, Y, sample_weight=None):
        # Y holds one block of targets per member: the network has one block of outputs
        super()._setup_network(X, Y[:, :Y.shape[1] // self._members()], sample_weight)


class MemberTargets:
    """A head's targets tiled once per member and its scores on the members'
    mean (listed before the head in an estimator's bases)."""

    def _encode_target(self, y, dtype):
        return self._tile_members(super()._encode_target(y, dtype))

    def _score_output(self, y, output, sample_weight):
        return super()._score_output(y, self._member_mean(output), sample_weight)
