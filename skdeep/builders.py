"""Pure model-building functions: shapes and hyperparameters in, uncompiled
``keras.Model`` out.

Every builder names its last affine layer ``"output"`` and ends with an
``Activation`` layer named ``"output_activation"``.  The training engine reads
the pre-activation (logits) from ``"output"`` so that log-losses are computed
in their numerically stable form, while ``model.predict`` returns
probabilities or regression values as a user expects.
"""

from ._backend import load

__all__ = ["ACTIVATIONS", "build_mlp", "keras_activation"]

#: Activation names accepted by skdeep, mapped to Keras' names.  The first four
#: are scikit-learn's spellings; the rest are Keras activations.
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
}


def keras_activation(name):
    """Return the Keras activation name for an skdeep activation name.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.

    Returns
    -------
    str
        The name Keras knows the activation by.

    Examples
    --------
    >>> from skdeep.builders import keras_activation
    >>> keras_activation("logistic")
    'sigmoid'
    """
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}. Expected one of {sorted(ACTIVATIONS)}."
        ) from None


def build_mlp(
    n_features,
    n_outputs,
    hidden_layer_sizes=(100,),
    activation="relu",
    output_activation="identity",
    dtype="float32",
):
    """Build a fully connected feed-forward network.

    Parameters
    ----------
    n_features : int
        Number of input features.
    n_outputs : int
        Number of output units.
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden layer; ``()`` builds a single-layer network
        (the perceptron).
    activation : str, default='relu'
        Hidden activation, a key of :data:`ACTIVATIONS`.
    output_activation : str, default='identity'
        Output activation, a key of :data:`ACTIVATIONS`.
    dtype : {'float32', 'float64'}, default='float32'
        Variable and compute dtype.

    Returns
    -------
    keras.Model
        An uncompiled functional model with layers ``hidden_0``, ...,
        ``output`` and ``output_activation``.

    Examples
    --------
    >>> from skdeep.builders import build_mlp
    >>> model = build_mlp(4, 3, hidden_layer_sizes=(8,))
    >>> [layer.name for layer in model.layers]
    ['input', 'hidden_0', 'output', 'output_activation']
    >>> model.output_shape
    (None, 3)
    """
    _, keras = load()
    layers = keras.layers
    inputs = keras.Input((n_features,), dtype=dtype, name="input")
    hidden = inputs
    act = keras_activation(activation)
    for i, units in enumerate(hidden_layer_sizes):
        hidden = layers.Dense(int(units), activation=act, dtype=dtype, name=f"hidden_{i}")(
            hidden
        )
    logits = layers.Dense(int(n_outputs), dtype=dtype, name="output")(hidden)
    outputs = layers.Activation(
        keras_activation(output_activation), dtype=dtype, name="output_activation"
    )(logits)
    return keras.Model(inputs, outputs, name="mlp")
