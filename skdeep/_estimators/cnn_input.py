"""How the CNN estimators read their input: images, series in one array, or a
list of series of unequal length (see :mod:`skdeep._estimators.cnn`)."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .base import BaseNeuralEstimator
from .sequences import _is_sequence_list, pad_sequences, read_sequence_list


class CNNInput(BaseNeuralEstimator):
    """Sample layouts of the CNNs: ``input_shape_`` from the training input,
    the same layout rules at prediction, and NaN-padded lists of series."""

    # ------------------------------------------------------------------ input layout
    _nd_samples = True


    def _sample_layout(self, raw):
        """The network's sample shape for raw sample shape ``raw``."""
        raw = tuple(int(d) for d in raw)
        if len(raw) == 1 and self.input_shape is not None:
            shape = tuple(int(d) for d in self.input_shape)
            if int(np.prod(shape)) != raw[0]:
                raise ValueError(
                    f"input_shape={shape} holds {int(np.prod(shape))} values but X has "
                    f"{raw[0]} features per sample."
                )
            raw = shape
        dims = self.conv_dims
        if len(raw) == 1:
            if dims == 2:
                raise ValueError(
                    "conv_dims=2 needs images: pass X as (n, height, width[, channels]) or "
                    "give input_shape=(height, width[, channels]) for flat rows."
                )
            return raw + (1,)  # a univariate series
        if len(raw) == 2:
            # (length, channels), a univariate series (length, 1) as Keras takes
            # it, or a grayscale image
            return raw if dims == 1 or (dims == "auto" and raw[1] == 1) else raw + (1,)
        if len(raw) == 3 and dims != 1:
            return raw
        raise ValueError(
            f"Cannot use samples of shape {raw} with conv_dims={dims!r}: expected "
            "(length,) or (length, channels) for 1-D convolutions, (height, width) or "
            "(height, width, channels) for 2-D ones."
        )

    # ------------------------------------------------------------------ series of unequal length
    def _validate_Xy(self, X, y, reset, **check_params):
        if not _is_sequence_list(X):
            return super()._validate_Xy(X, y, reset, **check_params)
        self._refuse_images_as_series()
        X, lengths, y = read_sequence_list(self, X, y, reset, check_params)
        return self._series_layout(X, lengths, reset), y

    def _validate_X(self, X):
        if not _is_sequence_list(X):
            return super()._validate_X(X)
        check_is_fitted(self)
        self._refuse_images_as_series()
        return self._series_layout(*pad_sequences(list(X), type(self).__name__), reset=False)

    def _refuse_images_as_series(self):
        if self.conv_dims == 2:
            raise ValueError("conv_dims=2 takes images, but X is a list of series; pass "
                             "conv_dims='auto' or 1, or stack the images into one array.")

    def _series_layout(self, X, lengths, reset):
        """A list of series NaN-padded to ``X`` (``(n, longest, channels)``):
        a fit on series of unequal length trains a network that takes any
        length (``input_shape_ = (None, c)``), on series of one length --
        an array's rows, as scikit-learn reads a list -- that length only."""
        if reset:
            self._imputer = None  # arrays given later go through the front end
            length = int(lengths[0]) if (lengths == lengths[0]).all() else None
            self.input_shape_ = self._fit_sample_shape = (length, int(X.shape[2]))
        elif self.input_shape_[0] is not None and (
                (lengths != self.input_shape_[0]).any() or X.shape[2:] != self.input_shape_[1:]):
            seen = sorted(set(lengths.tolist()))[:5]
            raise ValueError(
                f"{type(self).__name__} was fitted on series of shape {self.input_shape_} "
                f"and takes no other length; got series of lengths {seen} with "
                f"{X.shape[2]} channel(s). Fit it on a list of series to take any length."
            )
        return self._any_length(X)

    def _any_length(self, X):
        """``(n, length[, channels])`` for a network fitted on a list of series."""
        X = X[:, :, None] if X.ndim == 2 else X
        if X.ndim != 3 or X.shape[2] != self.input_shape_[1]:
            raise ValueError(
                f"X has samples of shape {X.shape[1:]}, but {type(self).__name__} was fitted "
                f"on series of {self.input_shape_[1]} channel(s) and any length: pass a list "
                f"of (length_i, {self.input_shape_[1]}) arrays or one (n, length, "
                f"{self.input_shape_[1]}) array."
            )
        return X

    def _shape_input(self, X, reset):
        X = super()._shape_input(X, reset)  # densifies sparse rows
        if not reset and self.input_shape_[0] is None:
            return self._any_length(X)
        if reset:
            self._fit_sample_shape = tuple(X.shape[1:])
            self.input_shape_ = self._sample_layout(X.shape[1:])
        elif tuple(X.shape[1:]) != self._fit_sample_shape:
            # same layout rules as in fit; never reinterpret the bytes of another
            # layout with the same number of values ((8, 3, 8) is not (8, 8, 3))
            try:
                layout = self._sample_layout(X.shape[1:])
            except ValueError:
                layout = None
            if layout != self.input_shape_:
                raise ValueError(self._shape_message(X.shape[1:]))
        return X.reshape((X.shape[0], *self.input_shape_))

    def _shape_message(self, shape):
        fitted = getattr(self, "_fit_sample_shape", self.input_shape_)
        return (
            f"X has samples of shape {tuple(shape)}, but {type(self).__name__} was fitted "
            f"on samples of shape {fitted} (network input {self.input_shape_}). Images "
            "are (height, width) or (height, width, channels), channels last: transpose "
            "channels-first arrays with X.transpose(0, 2, 3, 1)."
        )
