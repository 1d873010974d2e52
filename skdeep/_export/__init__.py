"""Export a fitted estimator as one serving artifact that takes raw inputs.

See :func:`export`; :mod:`.plan` says what the artifact computes,
:mod:`.tf_graph` and :mod:`.onnx_graph` write it.
"""

import contextlib
import json
import logging
import os
import warnings

__all__ = ["export", "FORMATS"]

#: The formats :func:`export` writes.
FORMATS = ("tf_saved_model", "onnx")


@contextlib.contextmanager
def _quiet_converters():
    """Keras' ONNX route (tf2onnx) logs its rewrites as warnings: keep them quiet.

    Keras' patch of tf2onnx for NumPy 2 also asks NumPy for ``np.object``,
    which warns; neither says anything about the user's model.
    """
    loggers = [logging.getLogger(), logging.getLogger("tf2onnx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            for category in (FutureWarning, DeprecationWarning):
                warnings.filterwarnings("ignore", category=category, module="keras")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _check_onnx_backend():
    """Keras writes a JAX network as ONNX through jax2onnx, which skdeep does not install."""
    from .._backend import backend

    if backend() != "jax":
        return
    try:
        import jax2onnx  # noqa: F401
    except ImportError:
        raise ValueError(
            "format='onnx' on the JAX backend goes through Keras' jax2onnx route, which "
            "is not installed (it brings flax, equinox and orbax). Export from a "
            "TensorFlow-backend process instead: skdeep.save(est, 'model.skdeep') here, "
            "then skdeep.export(skdeep.load('model.skdeep'), 'model.onnx', format='onnx') "
            "with KERAS_BACKEND=tensorflow -- or pip install jax2onnx. "
            "format='tf_saved_model' works on both backends."
        ) from None


def export(estimator, path, format="tf_saved_model"):
    """Write a fitted estimator as one artifact that a serving system feeds raw rows.

    The artifact holds the estimator's input side -- a frame's category
    codes, standardising, filled gaps and was-missing inputs, the tabular
    networks' quantile copies and smooth clipping, a Pipeline's scalers --
    the network, and its output side (class labels and probabilities, or
    values on the target's scale), so it returns what ``predict`` and
    ``predict_proba`` return, without Python, pandas or skdeep.

    Inputs, by name: an estimator fitted on an array (or inside a Pipeline)
    takes ``X`` (float64, rows as in ``fit``; RNNs take ``(n, steps,
    features)`` with NaN after a sequence's end); one fitted on a
    DataFrame with categories takes one input per column -- float64 for
    numbers and bools (NaN for missing), strings for categories (a level as
    ``str(value)``, anything else read as unknown). Names that are not
    identifiers are rewritten (``'petal width'`` -> ``petal_width``); the
    returned description lists them.

    Outputs: ``label`` and ``probabilities`` (float64) for classifiers,
    ``prediction`` (float64) for regressors. Monte-Carlo dropout
    (``return_std``, ``predict_interval``) is not part of the artifact.

    Parameters
    ----------
    estimator : estimator
        A fitted MLP, CNN, RNN or tabular estimator of skdeep, or a Pipeline
        of StandardScaler / RobustScaler / MinMaxScaler steps ending in one.
    path : str or path-like
        Where to write: a directory for ``'tf_saved_model'``, a file for
        ``'onnx'``.
    format : {'tf_saved_model', 'onnx'}, default='tf_saved_model'
        ``'tf_saved_model'``: a TensorFlow SavedModel with a
        ``serving_default`` signature (TF Serving, ``tf.saved_model.load``),
        with ``skdeep.json`` beside it describing the inputs. ``'onnx'``:
        one ONNX file (opset 17 and ``ai.onnx.ml``; onnxruntime runs it)
        with the description in its metadata under ``'skdeep'``; needs the
        ``onnx`` and ``tf2onnx`` packages (``pip install skdeep[export]``).

    Returns
    -------
    description : dict
        The artifact's inputs (name, graph input, kind, shape, category
        levels), outputs, classes and notes -- what is stored in it.

    Raises
    ------
    ValueError
        For an unfitted estimator, an unknown format, a Pipeline step or a
        column treatment the graph cannot compute (words, dates), naming it.

    Examples
    --------
    >>> import skdeep
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> est = skdeep.MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    >>> info = skdeep.export(est, "iris_model")  # doctest: +SKIP
    >>> import tensorflow as tf  # doctest: +SKIP
    >>> serve = tf.saved_model.load("iris_model").signatures["serving_default"]  # doctest: +SKIP
    >>> serve(X=tf.constant(X))["label"]  # doctest: +SKIP
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {list(FORMATS)}; got {format!r}.")
    from .._version import __version__
    from .plan import serving_plan

    plan = serving_plan(estimator)
    description = {**plan.describe(), "format": format, "skdeep": __version__}
    path = os.fspath(path)
    if format == "onnx" and os.path.isdir(path):
        raise ValueError(f"{path!r} is a directory; an ONNX model is one file: give a file "
                         "name such as 'model.onnx'.")
    if format == "tf_saved_model" and os.path.isfile(path):
        raise ValueError(f"{path!r} is a file; a SavedModel is a directory: give a new or "
                         "existing directory's name, or format='onnx' for one file.")
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    with _quiet_converters():
        if format == "onnx":
            try:
                import onnx  # noqa: F401 -- both are needed by the ONNX route
                import tf2onnx  # noqa: F401
            except ImportError as error:  # pragma: no cover - the test extra has onnx
                raise ValueError(
                    f"format='onnx' needs the onnx and tf2onnx packages ({error}); "
                    "pip install 'skdeep[export]'."
                ) from None
            _check_onnx_backend()
            from .onnx_graph import write_onnx

            write_onnx(plan, path, json.dumps(description))
        else:
            from .tf_graph import write_saved_model

            write_saved_model(plan, path)
            with open(os.path.join(path, "skdeep.json"), "w", encoding="utf-8") as handle:
                json.dump(description, handle, indent=1)
    return description
