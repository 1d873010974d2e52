"""skdeep's own Keras layers and activations."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from skdeep.layers import DropConnectDense, RateDropout, sign, step  # noqa: E402


def test_rate_dropout_keeps_the_expectation_and_reads_its_rate_variable():
    layer = RateDropout(0.25, seed=0)
    x = np.ones((200, 500), dtype="float32")
    out = np.asarray(layer(x, training=True))
    assert abs((out == 0).mean() - 0.25) < 0.01
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.75)}
    assert abs(out.mean() - 1) < 0.01
    layer.rate.assign(0.5)  # no rebuild needed
    assert abs((np.asarray(layer(x, training=True)) == 0).mean() - 0.5) < 0.01
    np.testing.assert_array_equal(layer(x, training=False), x)


def test_dropconnect_dense_drops_weights_not_units():
    layer = DropConnectDense(300, rate=0.5, seed=0)
    x = np.ones((1, 400), dtype="float32")
    inference = np.asarray(layer(x, training=False))
    kernel, bias = np.asarray(layer.kernel), np.asarray(layer.bias)
    np.testing.assert_allclose(inference, x @ kernel + bias, rtol=1e-4, atol=1e-5)
    # identity input: each output row shows which weights survived
    eye = np.eye(400, dtype="float32")
    sampled = np.asarray(layer(eye, training=True)) - bias
    kept = np.isclose(sampled, 2 * kernel, rtol=1e-5)
    dropped = sampled == 0
    assert np.all(kept | dropped) and abs(dropped.mean() - 0.5) < 0.01
    with pytest.raises(ValueError, match="rate"):
        DropConnectDense(3, rate=1.0)


def test_step_and_sign_follow_the_course_table():
    x = np.array([-2.0, -0.0, 0.0, 3.0], dtype="float32")
    np.testing.assert_array_equal(np.asarray(step(x)), [0, 1, 1, 1])
    np.testing.assert_array_equal(np.asarray(sign(x)), [-1, 1, 1, 1])


def test_layers_serialise_with_a_model(tmp_path):
    inputs = keras.Input((4,))
    hidden = DropConnectDense(3, rate=0.2, activation="tanh", name="dc")(inputs)
    outputs = RateDropout(0.3, name="drop")(hidden)
    model = keras.Model(inputs, outputs)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.RandomState(0).randn(5, 4).astype("float32")
    np.testing.assert_allclose(loaded(x), model(x), rtol=1e-6)
    assert float(np.asarray(loaded.get_layer("drop").rate)) == pytest.approx(0.3)
