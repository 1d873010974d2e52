"""Regression targets standardised inside the estimator.

The sequence, image and tabular regressors train on ``(y - mean) / sd`` of
the training targets (weighted by ``sample_weight``) and answer in ``y``'s
own units: a network whose output starts near 0 with unit-scale weights
then learns a target of any scale -- deaths per case around 0.04, prices in
the hundred thousands -- with the default learning rate and stopping
tolerance. The drop-in MLPs do not (scikit-learn's ``MLPRegressor`` does
not). A Poisson loss keeps its counts (its exponential output needs them).
"""

import numpy as np


class ScaledTargets:
    """The regression head's targets standardised (listed before the head, after
    :class:`~skdeep._estimators.members.MemberTargets`, in an estimator's bases)."""

    def _fit_targets(self, y, sample_weight):
        super()._fit_targets(y, sample_weight)
        Y = np.asarray(y, dtype=np.float64).reshape(y.shape[0], -1)
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if self._loss_name() == "poisson":
            center, spread = np.zeros(Y.shape[1]), np.ones(Y.shape[1])
        else:
            center = np.average(Y, axis=0, weights=sample_weight)
            spread = np.sqrt(np.average((Y - center) ** 2, axis=0, weights=sample_weight))
        self._target_center = center
        self._target_scale = np.where(spread > 0, spread, 1.0)
        # a constant target column predicts its value exactly, whatever the
        # network outputs (training targets of 0 only pull it towards 0)
        self._target_spread = spread

    def _encode_target(self, y, dtype):
        Y = super()._encode_target(y, dtype)
        if getattr(self, "_target_center", None) is None:  # pickled before the scaling
            return Y
        return ((Y - self._target_center) / self._target_scale).astype(dtype, copy=False)

    def _unscale(self, output):
        if getattr(self, "_target_center", None) is None:
            return output
        spread = getattr(self, "_target_spread", self._target_scale)
        return (output * self._target_scale * (spread > 0) + self._target_center).astype(
            output.dtype, copy=False)

    def _score_output(self, y, output, sample_weight):
        return super()._score_output(y, self._unscale(output), sample_weight)

    def _forward(self, X):
        return self._unscale(super()._forward(X))

    def _mc_forward(self, X):
        return self._unscale(super()._mc_forward(X))
