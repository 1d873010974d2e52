"""A user's Keras model function, as the saved KerasClassifier file refers to it."""


def tiny_network(n_features_in, n_outputs):
    """One hidden layer of 4 units and a linear output (skdeep adds the activation)."""
    import keras

    inputs = keras.Input((n_features_in,))
    hidden = keras.layers.Dense(4, activation="tanh")(inputs)
    return keras.Model(inputs, keras.layers.Dense(n_outputs)(hidden))
