"""The sequence and image networks' training defaults (issue 15, part 1).

Keras' batch size of 32 and a budget of optimizer steps instead of epochs
(``max_iter='auto'``, ``n_iter_no_change='auto'``), the GRU as the default
cell, and ``global_pooling`` for fully convolutional series networks. The
drop-in MLPs keep scikit-learn's defaults.
"""

import numpy as np
import pytest

from skdeep import (
    CharRNN,
    CNNClassifier,
    CNNRegressor,
    MLPClassifier,
    RNNSequenceClassifier,
    RNNSequenceRegressor,
)
from skdeep._training.batching import resolve_batch_size, resolve_epochs

SEQUENCE_NETS = [RNNSequenceClassifier, RNNSequenceRegressor, CNNClassifier, CNNRegressor]


class _Params:
    """A Keras callback that keeps the ``params`` Keras gives it."""

    def __init__(self):
        import keras

        class Keep(keras.callbacks.Callback):
            seen = []

            def on_train_begin(self, logs=None):
                Keep.seen.append(dict(self.params))

        self.callback = Keep()
        self.seen = Keep.seen


@pytest.mark.parametrize("steps, expected", [
    (1, (2000, 100)), (2, (1000, 50)), (3, (667, 34)), (7, (286, 15)),
    (10, (200, 10)), (45, (200, 10)), (313, (200, 10)),
])
def test_auto_budget_turns_optimizer_steps_into_epochs(steps, expected):
    assert resolve_epochs("auto", "auto", steps) == expected
    # explicit values are epochs, whatever the steps
    assert resolve_epochs(30, 5, steps) == (30, 5)
    assert resolve_epochs(30, np.inf, steps) == (30, np.inf)


def test_auto_batch_is_keras_32_for_sequences_and_200_for_mlps():
    assert resolve_batch_size("auto", 40, 32) == 32
    assert resolve_batch_size("auto", 20, 32) == 20
    assert resolve_batch_size("auto", 1000) == 200
    for cls in SEQUENCE_NETS:
        est = cls()
        assert (est.batch_size, est.max_iter, est.n_iter_no_change) == ("auto", "auto", "auto")
        assert est._auto_batch_size == 32
    assert RNNSequenceClassifier().cell == RNNSequenceRegressor().cell == "gru"
    mlp = MLPClassifier()
    assert (mlp.max_iter, mlp.n_iter_no_change, mlp._auto_batch_size) == (200, 10, 200)
    # CharRNN trains on one row per character position: scikit-learn's batches
    lm = CharRNN(units=4, context_length=3, max_iter=1, random_state=0).fit(["abcabcabc"] * 4)
    assert lm.network_._auto_batch_size == 200


def _series(n, length=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, length, 2)
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int)


@pytest.mark.parametrize("n, early_stopping, budget", [
    (40, False, 1000),  # 2 steps of 32 per epoch
    (50, True, 1000),  # 45 training rows after the validation tenth: 2 steps
    (400, False, 200),  # 13 steps: the usual 200 epochs
])
def test_keras_callbacks_see_the_planned_budget(n, early_stopping, budget):
    X, y = _series(n)
    keep = _Params()
    RNNSequenceClassifier(units=2, max_iter="auto", n_iter_no_change=1,
                          early_stopping=early_stopping, callbacks=[keep.callback],
                          random_state=0).fit(X, y)
    assert keep.seen[-1]["epochs"] == budget


@pytest.mark.parametrize("n, patience", [(40, 50), (400, 10)])
def test_auto_patience_counts_optimizer_steps(n, patience):
    """With a learning rate too small to move the loss by ``tol``, training stops
    after ``patience + 1`` epochs without improvement (after the first epoch). The
    plain recurrent network: the front end's batch norm moves the training loss with
    the batches' statistics whatever the learning rate."""
    X, y = _series(n)
    clf = RNNSequenceClassifier(units=2, conv_filters=(), learning_rate_init=1e-9,
                                random_state=0).fit(X, y)
    assert clf.n_iter_ == patience + 2
    images = np.random.RandomState(0).rand(n, 4, 4)
    cnn = CNNClassifier(filters=(2,), dense_layer_sizes=(), learning_rate_init=1e-9,
                        random_state=0).fit(images, y)
    assert cnn.n_iter_ == patience + 2
    # an explicit patience is a number of epochs, as in scikit-learn
    fixed = RNNSequenceClassifier(units=2, conv_filters=(), learning_rate_init=1e-9,
                                  n_iter_no_change=3, random_state=0).fit(X, y)
    assert fixed.n_iter_ == 5


def test_bad_budget_values_are_clear_errors():
    X, y = _series(10)
    for params in ({"max_iter": "long"}, {"n_iter_no_change": "auto-ish"}, {"max_iter": 0}):
        with pytest.raises(ValueError, match="max_iter|n_iter_no_change"):
            RNNSequenceClassifier(**params).fit(X, y)
    with pytest.raises(ValueError, match="global_pooling"):
        CNNClassifier(global_pooling="mean").fit(X, y)
    with pytest.raises(ValueError, match="max_iter"):
        MLPClassifier(max_iter="auto").fit(X[:, :, 0], y)  # the MLPs count epochs


@pytest.mark.parametrize("pool", ["avg", "max"])
def test_global_pooling_reduces_each_filter_over_all_positions(pool):
    rng = np.random.RandomState(0)
    series = rng.randn(30, 20, 3)
    y = rng.randint(0, 2, 30)
    clf = CNNClassifier(filters=(4, 5), pooling=None, global_pooling=pool, dense_layer_sizes=(),
                        conv_dims=1, architecture="plain", max_iter=2,
                        random_state=0).fit(series, y)
    names = [name for name, _, _ in clf.layer_shapes_]
    assert "flatten" not in names
    assert ("global_pool", (5,), 0) in clf.layer_shapes_
    # the pooled value is the mean / max over positions of the last conv block
    import keras

    model = clf.model_
    inner = keras.Model(model.input, [model.get_layer("hidden_conv_1").output,
                                      model.get_layer("global_pool").output])
    conv, pooled = (np.asarray(a) for a in inner(series[:3].astype(clf._spec.dtype)))
    reduce = np.mean if pool == "avg" else np.max
    np.testing.assert_allclose(pooled, reduce(conv, axis=1), rtol=1e-5, atol=1e-6)
    # images: one value per filter too
    images = rng.rand(30, 8, 8)
    img = CNNClassifier(filters=(3,), global_pooling=pool, dense_layer_sizes=(), max_iter=2,
                        random_state=0).fit(images, y)
    assert ("global_pool", (3,), 0) in img.layer_shapes_
