"""Initial weights drawn flat (``skdeep._initial``): Keras' own numbers, one
compiled program for many shapes on JAX, nothing changed on TensorFlow."""

import logging
import random

import numpy as np
import pytest

from skdeep import _initial, layers
from skdeep._backend import backend, load, precision
from skdeep.builders import build_cnn, build_mlp, build_series_cnn, build_tabular_mlp

_, keras = load()
ON_JAX = backend() == "jax"
jax_only = pytest.mark.skipif(not ON_JAX, reason="runs with KERAS_BACKEND=jax")

SHAPES = [(20, 17), (17, 1), (1,), (65, 33), (3, 3, 1, 16), (8, 16, 32), (300, 200), (0, 4)]
INITS = [
    lambda: keras.initializers.GlorotUniform(seed=3),
    lambda: keras.initializers.HeUniform(seed=11),
    lambda: keras.initializers.LecunUniform(seed=5),
    lambda: keras.initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=7),
    lambda: keras.initializers.RandomUniform(-0.3, 0.7, seed=2),
    lambda: keras.initializers.RandomNormal(0.1, 2.0, seed=9),
]


@jax_only
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("make", INITS)
def test_flat_draw_is_keras_draw_bit_for_bit(make, dtype):
    with precision(dtype):
        for shape in SHAPES:
            init = make()
            assert isinstance(_initial.fast_initializer(init), _initial.FlatDraw)
            ours = np.asarray(_initial.FlatDraw(init)(shape, dtype))
            theirs = np.asarray(init(shape, dtype))
            assert ours.shape == theirs.shape == shape and ours.dtype == theirs.dtype
            np.testing.assert_array_equal(ours, theirs, err_msg=str(shape))


@jax_only
def test_new_shapes_compile_no_new_draw(caplog):
    import jax

    init = keras.initializers.GlorotUniform(seed=0)
    _initial.FlatDraw(init)((2, 2))  # the program of MIN_DRAW numbers
    with jax.log_compiles(True), caplog.at_level(logging.DEBUG):
        caplog.clear()
        for width in (17, 31, 45, 63):
            _initial.FlatDraw(init)((20, width))
        flat = [r.getMessage() for r in caplog.records if "_uniform" in r.getMessage()]
        assert flat == []
        init((20, 77))  # Keras' own draw of a new shape compiles: the check can see it
        assert any("_uniform" in r.getMessage() for r in caplog.records)


def test_other_initializers_and_tensorflow_draw_as_keras():
    orthogonal = keras.initializers.Orthogonal(seed=0)
    assert _initial.fast_initializer(orthogonal) is orthogonal
    axes = keras.initializers.VarianceScaling(seed=0, input_axes=[0], output_axes=[1])
    assert _initial.fast_initializer(axes) is axes
    glorot = _initial.fast_initializer("glorot_uniform")
    if ON_JAX:
        assert type(glorot.initializer) is keras.initializers.GlorotUniform
    else:
        assert type(glorot) is keras.initializers.GlorotUniform


def _weights(build, monkeypatch=None):
    if monkeypatch is not None:  # Keras' own draws, shape by shape
        monkeypatch.setattr(_initial, "fast_initializer", keras.initializers.get)
        monkeypatch.setattr(layers, "fast_initializer", keras.initializers.get)
    random.seed(0)
    model = build()
    if monkeypatch is not None:
        monkeypatch.undo()
    return model, [np.asarray(v.value) for v in model.variables]


@pytest.mark.parametrize("build", [
    lambda: build_mlp(7, 3, (19, 11), dropconnect=(0.0, 0.3)),
    lambda: build_cnn((8, 8, 1), 4, filters=(5, 6), dense_layer_sizes=(9,)),
    lambda: build_series_cnn((30, 2), 3, n_members=2),
    lambda: build_tabular_mlp(6, 2, n_numeric=6, hidden_layer_sizes=(13, 13)),
], ids=["mlp", "cnn", "series", "tabular"])
def test_networks_keep_kerass_weights_and_configuration(build, monkeypatch):
    model, fast = _weights(build)
    _, keras_own = _weights(build, monkeypatch)
    assert len(fast) == len(keras_own) > 2
    for a, b in zip(fast, keras_own):
        np.testing.assert_array_equal(a, b)
    for layer in model.layers:  # what was built keeps Keras' own initializer
        init = getattr(layer, "kernel_initializer", None)
        assert init is None or not isinstance(init, _initial.FlatDraw)
    config = model.get_layer("output").get_config()
    if "kernel_initializer" in config:
        assert config["kernel_initializer"]["class_name"] == "GlorotUniform"


@jax_only
def test_flat_draw_traced_as_keras_initialises_sharded_variables():
    import jax

    init = keras.initializers.GlorotUniform(seed=4)
    traced = jax.jit(_initial.FlatDraw(init).__call__, static_argnames=["shape", "dtype"])
    np.testing.assert_array_equal(np.asarray(traced(shape=(9, 7), dtype="float32")),
                                  np.asarray(init((9, 7), "float32")))
