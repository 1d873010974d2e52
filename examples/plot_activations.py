"""
Activation functions and their gradients
=========================================

The course's table of activation functions -- step, identity, logistic,
tanh, ReLU, softplus -- computed by the Keras functions skdeep's networks use, and drawn with
their derivatives.
The step function's gradient is zero everywhere it exists, which is why
``fit`` refuses ``activation='step'``; the logistic function's gradient is at
most 0.25, which is why deep logistic networks learn slowly.
"""

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from skdeep.builders import keras_activation


def activation_function(name, x):
    """The activation ``name`` on ``x`` and its derivative (central differences)."""
    function = keras.activations.get(keras_activation(name))
    value = keras.ops.convert_to_numpy(function(x))
    gradient = np.gradient(value, x)
    gradient[np.abs(gradient) > 5] = np.nan  # a jump (the step at 0) has no derivative
    return value, gradient


x = np.linspace(-4, 4, 401).astype("float32")
names = ["step", "identity", "logistic", "tanh", "relu", "softplus"]

fig, axes = plt.subplots(2, 3, figsize=(10, 5.5), sharex=True)
for ax, name in zip(axes.flat, names):
    value, gradient = activation_function(name, x)
    ax.plot(x, value, label=name)
    ax.plot(x, gradient, linestyle="--", label="gradient")
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.set_title(name)
    ax.legend(fontsize="small")
    print(f"{name:9s} f(0) = {value[200]:.3f}   max gradient = {np.nanmax(gradient):.3f}")
fig.tight_layout()

# %%
# Every name works as ``activation`` (hidden layers) and ``output_activation``,
# next to Keras' modern ones (``'elu'``, ``'selu'``, ``'gelu'``, ``'swish'``, ...).
plt.show()
