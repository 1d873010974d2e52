"""Models with several outputs, each trained with its own loss (scikeras' multi-output).

A Keras model may end in several outputs -- a binary head and a multiclass
head -- each with its loss (``compile(loss=['binary_crossentropy',
'sparse_categorical_crossentropy'])``, or the wrapper's ``loss=[...]``).
scikeras feeds it the list of arrays its ``target_encoder`` makes of ``y`` and
gives the list of outputs to the encoder's ``inverse_transform``.  skdeep
trains such a model as one network whose outputs lie side by side: each
output is a group of columns with its own link and activation
(:class:`OutputGroups`), the targets are encoded group by group (a sparse
cross-entropy's integer labels become one-hot rows), and the engine's
objective sums the groups' losses -- :func:`~skdeep._engine.objective.
per_sample_loss` given ``(loss, width)`` pairs -- as Keras sums its outputs'.
:class:`OutputGroupsMixin` puts this behind the wrappers' predictions and
scores when the target encoder returns a list.
"""

import dataclasses
import inspect

import numpy as np
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target

from .._user_model import loss_name
from .heads import KERAS_LOSS_NAMES
from .scikeras import CROSS_ENTROPIES, SKDEEP_TO_KERAS, loss_key

__all__ = ["OutputGroups", "OutputGroupsMixin", "plan_groups"]

_REGRESSION = ("squared_error", "absolute_error", "huber", "poisson")


@dataclasses.dataclass(frozen=True)
class OutputGroups:
    """How each output of the model is trained: one entry per output, in order.

    Parameters
    ----------
    losses : tuple of str
        skdeep's loss of each output (``'binary_log_loss'``, ``'log_loss'``,
        ``'squared_error'``, ...).
    widths : tuple of int
        Units of each output.
    labels : tuple of bool
        Whether an output's targets are integer labels (a sparse
        cross-entropy), one-hot encoded for training.
    links : tuple of str
        The :class:`~skdeep.layers.ToLogits` link of each output.
    activations : tuple of str
        The activation that turns each output's scores into its prediction.
    """

    losses: tuple
    widths: tuple
    labels: tuple
    links: tuple
    activations: tuple

    @property
    def spec_loss(self):
        """The engine's loss: ``((loss, width), ...)``."""
        return tuple(zip(self.losses, self.widths))

    def split(self, output):
        """The network's side-by-side output as a list, one array per model output."""
        bounds = np.cumsum(self.widths)[:-1]
        return np.split(output, bounds, axis=1)

    def encode(self, parts, dtype):
        """One target matrix from the encoder's list of arrays (a ValueError naming the
        output whose targets its loss cannot take)."""
        if len(parts) != len(self.widths):
            raise ValueError(
                f"The target_encoder gave {len(parts)} arrays for a model with "
                f"{len(self.widths)} outputs: give one array per output.")
        blocks = []
        for i, (part, loss, width, labels) in enumerate(
                zip(parts, self.losses, self.widths, self.labels)):
            part = np.asarray(part)
            blocks.append(_encode_part(i, part, loss, width, labels))
        return np.concatenate(blocks, axis=1).astype(dtype)


def _encode_part(i, part, loss, width, labels):
    what = f"output {i} ({loss_to_keras(loss, labels)}, {width} unit(s))"
    if labels:
        flat = part.reshape(len(part), -1)
        if flat.shape[1] != 1 or not np.issubdtype(flat.dtype, np.number) or np.any(
                flat != np.round(flat)) or np.any((flat < 0) | (flat >= width)):
            raise ValueError(
                f"The targets of {what} must be one integer label per sample in "
                f"[0, {width}); encode them with a LabelEncoder in the target_encoder.")
        return np.eye(width)[flat[:, 0].astype(int)]
    part = part.reshape(len(part), -1).astype(float)
    if part.shape[1] != width:
        raise ValueError(
            f"The targets of {what} have {part.shape[1]} column(s): give it "
            f"{width}.")
    if loss in ("binary_log_loss", "log_loss") and (np.any(part < 0) or np.any(part > 1)):
        raise ValueError(
            f"The targets of {what} must be in [0, 1] (a cross-entropy); they run from "
            f"{part.min():.4g} to {part.max():.4g}.")
    if loss == "poisson" and np.any(part < 0):
        raise ValueError(f"The targets of {what} must not be negative (a Poisson loss).")
    return part


def loss_to_keras(loss, labels=False):
    """Keras' name of skdeep's loss (of one output)."""
    if loss == "log_loss":
        return "sparse_categorical_crossentropy" if labels else "categorical_crossentropy"
    return SKDEEP_TO_KERAS.get(loss, loss)


def _group_loss(loss, i):
    key = loss_key(loss)
    if key in CROSS_ENTROPIES:
        return CROSS_ENTROPIES[key]
    name = KERAS_LOSS_NAMES.get(key, key)
    if name in _REGRESSION:
        return name, False
    raise ValueError(
        f"The loss of output {i}, {loss!r}, is not one skdeep trains: use "
        "'binary_crossentropy', 'categorical_crossentropy', "
        "'sparse_categorical_crossentropy', 'mse', 'mae', 'huber' or 'poisson'.")


def plan_groups(losses, widths, finals):
    """:class:`OutputGroups` for outputs of ``widths`` ending in the activations
    ``finals``, trained with ``losses`` (one per output, Keras names or objects)."""
    if len(losses) != len(widths):
        raise ValueError(
            f"The model has {len(widths)} outputs and was given {len(losses)} loss(es) "
            f"({[loss_name(v) for v in losses]}): give one loss per output.")
    names, labels, links, activations = [], [], [], []
    for i, (loss, final) in enumerate(zip(losses, finals)):
        name, sparse = _group_loss(loss, i)
        if name in ("binary_log_loss", "log_loss"):
            wanted = "sigmoid" if name == "binary_log_loss" else "softmax"
            if final not in (wanted, "linear"):
                raise ValueError(
                    f"Output {i} ends in {final!r} and is trained with "
                    f"{loss_to_keras(name, sparse)}: end it in {wanted!r} or a linear "
                    "layer (scores).")
            link = wanted if final == wanted else "identity"
            activation = "logistic" if name == "binary_log_loss" else "softmax"
        elif name == "poisson":
            link, activation = ("log" if final != "linear" else "identity"), "exp"
        else:
            link, activation = "identity", "identity"
        names.append(name)
        labels.append(sparse)
        links.append(link)
        activations.append(activation)
    return OutputGroups(tuple(names), tuple(int(w) for w in widths), tuple(labels),
                        tuple(links), tuple(activations))


class OutputGroupsMixin:
    """A model with several outputs, each with its own loss, behind a wrapper (a mixin).

    Active when the fit's ``target_encoder`` returned a list of arrays
    (``_groups`` is set): predictions go through the encoder's
    ``inverse_transform`` of the list of outputs, ``predict_proba`` through
    its ``return_proba``, and the score is the class' ``scorer``, else
    scikit-learn's for multi-output estimators (subset accuracy, R^2).
    """

    def _grouped(self):
        return getattr(self, "_groups", None) is not None

    def _grouped_input(self, X, y, reset, parts, losses, default):
        """The validated ``(X, y)`` of a fit whose target encoder split ``y`` into
        ``parts``; a first fit plans the groups (see :meth:`_set_up_groups`)."""
        if reset:
            self._set_up_groups(X, y, parts, losses, default)
        return X, y

    def _set_up_groups(self, X, y, parts, losses, default):
        """Probe the model's outputs, plan their groups and check the targets.

        ``losses`` (one per output) were given to the wrapper, else the
        model's compiled ones train, else ``default`` for every output.
        """
        meta = {
            **self._meta(X.shape[1:], X.dtype),
            "target_type_": type_of_target(y, input_name="y"),
            "n_outputs_": len(parts),
            "n_outputs_expected_": len(parts),
            "y_dtype_": str(np.asarray(y).dtype),
            "y_ndim_": int(np.ndim(y)),
            **getattr(self, "_target_meta", {}),
        }
        widths, finals, compiled = self._probe(X.shape[1:], len(parts), meta, grouped=True)
        if compiled is not None and losses is not None and [
                loss_key(v) for v in compiled] != [loss_key(v) for v in losses]:
            raise ValueError(
                f"The model was compiled with loss={list(compiled)!r} and "
                f"{type(self).__name__} was given loss={list(losses)!r}: give one of "
                "them (both the same).")
        losses = losses if losses is not None else compiled
        if losses is None and default is not None:
            losses = [default] * len(widths)
        if losses is None:
            raise ValueError(
                f"The model has {len(widths)} outputs and no loss for each: compile it "
                "with a list of losses (one per output) or give the wrapper loss=[...].")
        groups = plan_groups(list(losses), widths, finals)
        groups.encode(parts, float)  # the targets fit their outputs' losses
        self._groups = groups
        self._link = groups.links
        self._call_shape = (len(parts), meta)
        if hasattr(self, "_label_binarizer"):
            self.classes_ = getattr(self.target_encoder_, "classes_", None)
        return groups

    # ------------------------------------------------------------------ training
    def _encode_target(self, y, dtype):
        if not self._grouped():
            return super()._encode_target(y, dtype)
        return self._groups.encode(self._encode_y(y, False), dtype)

    def _output_setup(self):
        if not self._grouped():
            return super()._output_setup()
        return self._groups.activations, self._groups.spec_loss

    def _out_activation(self):
        if not self._grouped():
            return super()._out_activation()
        return self._groups.activations

    def _class_sample_weight(self, y):
        if not self._grouped():
            return super()._class_sample_weight(y)
        if getattr(self, "class_weight", None) is not None:
            raise ValueError(
                "class_weight is not available for a model with several outputs: give "
                "sample_weight to fit instead.")
        return np.ones(y.shape[0])

    def _stratify_labels(self, y):
        return None if self._grouped() else super()._stratify_labels(y)

    def _chance_loss(self, Y, sample_weight):
        return 0.0 if self._grouped() else super()._chance_loss(Y, sample_weight)

    def _score_output(self, y, output, sample_weight):
        if not self._grouped():
            return super()._score_output(y, output, sample_weight)
        if not np.isfinite(output).all():
            return np.nan
        return self._grouped_score(y, self._decode_groups(output), sample_weight)

    # ------------------------------------------------------------------ prediction
    def _decode_groups(self, output):
        return np.asarray(self.target_encoder_.inverse_transform(self._groups.split(output)))

    def _grouped_score(self, y, prediction, sample_weight):
        scorer = getattr(type(self), "scorer", None)
        if scorer is not None:
            return float(scorer(y, prediction, sample_weight=sample_weight))
        y = np.asarray(y).reshape(prediction.shape)
        if hasattr(self, "_label_binarizer"):  # scikit-learn's multi-output classifiers
            return float(np.average(np.all(y == prediction, axis=1), weights=sample_weight))
        return float(r2_score(y, prediction, sample_weight=sample_weight))

    def predict(self, X, **kwargs):
        """Predict for ``X``; several outputs go through ``target_encoder_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        **kwargs : dict
            As the single-output ``predict`` takes them.

        Returns
        -------
        y : ndarray
            The predictions; for a model with several outputs, the encoder's
            ``inverse_transform`` of the list of outputs.
        """
        if not self._grouped():
            return super().predict(X, **kwargs)
        self._refuse_grouped(kwargs.get("return_std"), "return_std")
        return self._decode_groups(self._forward(X))

    @available_if(lambda est: hasattr(super(OutputGroupsMixin, est), "predict_proba"))
    def predict_proba(self, X, **kwargs):
        """Class probabilities for ``X`` (classifiers).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        **kwargs : dict
            As the single-output ``predict_proba`` takes them.

        Returns
        -------
        proba : ndarray or list of ndarray
            For a model with several outputs, the encoder's
            ``inverse_transform(outputs, return_proba=True)``, or without
            one, the list of the outputs' probabilities (a one-unit sigmoid
            output as two columns), as scikit-learn's multi-output
            classifiers give them.
        """
        if not self._grouped():
            return super().predict_proba(X, **kwargs)
        self._refuse_grouped(kwargs.get("return_std"), "return_std")
        outputs = self._groups.split(self._forward(X))
        inverse = self.target_encoder_.inverse_transform
        if "return_proba" in inspect.signature(inverse).parameters:
            return inverse(outputs, return_proba=True)
        return [np.hstack([1 - out, out]) if (loss == "binary_log_loss" and out.shape[1]
                                             == 1) else out
                for out, loss in zip(outputs, self._groups.losses)]

    def score(self, X, y, sample_weight=None):
        """The class' ``scorer``, else accuracy (classifier) or R^2 (regressor).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, ...)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The true targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            For a model with several outputs: ``scorer`` or, without one,
            the share of samples whose every target is right (classifier,
            as scikit-learn's multi-output classifiers score) or R^2 over
            the target columns (regressor).
        """
        if not self._grouped():
            return super().score(X, y, sample_weight=sample_weight)
        return self._grouped_score(y, self.predict(X), sample_weight)

    def _refuse_grouped(self, given, what):
        if given:
            raise ValueError(
                f"{what} is not available for a model with several outputs (a "
                "target_encoder returning a list).")

