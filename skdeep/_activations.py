"""The one activation table: skdeep's names, Keras' names and NumPy functions.

A leaf (it imports neither Keras nor any other skdeep module), like
scikit-learn's ``neural_network/_base.py``: the estimators validate names
against :data:`ACTIVATIONS`, the builders turn them into Keras activations
(:func:`skdeep.layers.keras_activation`), NumPy inference computes them with
:data:`NUMPY_ACTIVATIONS`, and the stacked training program of the search
cohorts computes the same forward pass.  The dense forward pass itself is
:func:`dense_forward`, written once over any array namespace with ``@``.
"""

import operator

import numpy as np
from scipy.special import expit

__all__ = [
    "ACTIVATIONS", "NUMPY_ACTIVATIONS", "THRESHOLD_ACTIVATIONS",
    "dense_forward", "softmax",
]

#: Activation names accepted by skdeep, mapped to Keras' names.  The first four
#: are scikit-learn's spellings; the rest are Keras activations.  ``skdeep>``
#: marks the course's threshold units, defined in :mod:`skdeep.layers`.
ACTIVATIONS = {
    "identity": "linear",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "softplus": "softplus",
    "softsign": "softsign",
    "elu": "elu",
    "selu": "selu",
    "gelu": "gelu",
    "swish": "silu",
    "silu": "silu",
    "mish": "mish",
    "leaky_relu": "leaky_relu",
    "relu6": "relu6",
    "hard_sigmoid": "hard_sigmoid",
    "exp": "exponential",
    "softmax": "softmax",
    "step": "skdeep>step",
    "sign": "skdeep>sign",
}

#: Activations whose gradient is zero almost everywhere: a network using them
#: can predict with assigned weights but cannot be trained by gradients.
THRESHOLD_ACTIVATIONS = ("step", "sign")


def softmax(z):
    """Row-wise softmax of a 2-D array, shifted by the row maximum for stability.

    Parameters
    ----------
    z : ndarray of shape (n_samples, n_outputs)
        Scores.

    Returns
    -------
    ndarray of shape (n_samples, n_outputs)
        Probabilities; each row sums to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep._activations import softmax
    >>> softmax(np.array([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


#: Activations NumPy inference computes exactly as Keras does.
NUMPY_ACTIVATIONS = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "softmax": softmax,
    "exp": np.exp,
    "step": lambda z: (z >= 0).astype(z.dtype),
    "sign": lambda z: np.where(z >= 0, 1, -1).astype(z.dtype),
}

def dense_forward(x, layers, hidden, matmul=None, dropout=None, normalize=None):
    """A fully connected network's forward pass, kept layer by layer.

    Written once for every place that computes a dense network by hand:
    NumPy inference of the MLPs, the held-out evaluation of a search
    cohort's member, and the cohort's stacked training program (whose
    ``matmul`` multiplies a stack of members at once).

    Parameters
    ----------
    x : array
        Input rows.
    layers : sequence of (kernel, bias)
        Every layer's weights in order, the output layer last; biases
        broadcast against ``x @ kernel``.
    hidden : callable
        The hidden activation.
    matmul : callable, default=None
        ``matmul(a, b)``; None uses ``a @ b`` (which also takes SciPy sparse rows).
    dropout : callable, default=None
        ``dropout(index, a)``: what hidden layer ``index`` passes on from its
        activation ``a`` in a training pass (the units dropout keeps, scaled);
        None passes ``a`` on.
    normalize : callable, default=None
        ``normalize(index, z)``: hidden layer ``index``'s batch normalisation
        of its pre-activation ``z`` (applied before the activation); None
        normalises nothing.

    Returns
    -------
    activations : list of array
        ``x`` and each hidden layer's activation, before dropout (what
        activity penalties act on).
    logits : array
        The output layer's pre-activation.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep._activations import NUMPY_ACTIVATIONS, dense_forward
    >>> layers = [(np.ones((2, 1)), np.zeros(1)), (np.ones((1, 1)), np.array([-1.0]))]
    >>> acts, logits = dense_forward(np.array([[1.0, -3.0]]), layers,
    ...                              NUMPY_ACTIVATIONS["relu"])
    >>> acts[1].tolist(), logits.tolist()
    ([[0.0]], [[-1.0]])
    """
    if matmul is None:
        matmul = operator.matmul
    activations, h = [x], x
    for index, (kernel, bias) in enumerate(layers[:-1]):
        z = matmul(h, kernel) + bias
        activations.append(hidden(z if normalize is None else normalize(index, z)))
        h = activations[-1] if dropout is None else dropout(index, activations[-1])
    kernel, bias = layers[-1]
    return activations, matmul(h, kernel) + bias
