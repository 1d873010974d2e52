"""The compiled, cached training engine gives the results of plain Keras."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

import skdeep
from skdeep import MLPClassifier, MLPRegressor
from skdeep._engine import cache as _engines
from skdeep._engine import core as _engine_core
from skdeep._backend import backend

X, Y = make_classification(n_samples=120, n_features=5, random_state=0)


def test_epoch_equals_keras_model_fit():
    """One skdeep epoch == one ``model.fit`` epoch of the same Keras model."""
    import keras

    from skdeep.builders import build_mlp

    params = dict(hidden_layer_sizes=(6,), solver="sgd", momentum=0.0, alpha=0.0,
                  learning_rate_init=0.1, batch_size=40, shuffle=False, random_state=0)
    ours = MLPClassifier(**params).partial_fit(X, Y, classes=[0, 1])
    # scikit-learn's seeded Glorot-uniform draws, layer by layer
    rng = np.random.RandomState(0)
    weights = []
    for fan_in, fan_out in [(5, 6), (6, 1)]:
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        weights += [rng.uniform(-bound, bound, (fan_in, fan_out)),
                    rng.uniform(-bound, bound, fan_out)]
    model = build_mlp(5, 1, (6,), "relu", "logistic", dtype="float64")
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    model.fit(X, Y, batch_size=40, epochs=1, shuffle=False, verbose=0)
    for mine, layer in zip(ours.coefs_, ["hidden_0", "output"]):
        np.testing.assert_allclose(mine, model.get_layer(layer).kernel.numpy(), rtol=1e-6,
                                   atol=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X)[:, 1], model.predict(X, verbose=0).ravel(),
                               rtol=1e-6)


def test_cached_engine_gives_the_same_fit_as_a_fresh_one(monkeypatch):
    params = dict(hidden_layer_sizes=(7,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        skdeep.clear_cache()
        fresh = MLPClassifier(**params).fit(X, Y).predict_proba(X)
        built = []
        original = _engine_core._EngineCore.__init__

        def counting_init(self, spec):
            built.append(spec)
            original(self, spec)

        monkeypatch.setattr(_engine_core._EngineCore, "__init__", counting_init)
        # other alpha and learning rate: still the same compiled engine
        MLPClassifier(**params, alpha=0.1, learning_rate_init=0.01).fit(X, Y)
        cached = MLPClassifier(**params).fit(X, Y).predict_proba(X)
    assert built == []
    np.testing.assert_array_equal(cached, fresh)


def test_cache_is_bounded():
    skdeep.clear_cache()
    for units in range(1, _engines.MAX_IDLE_ENGINES + 4):
        MLPClassifier(hidden_layer_sizes=(units,), solver="lbfgs", max_iter=2).fit(X, Y)
    assert sum(len(v) for v in _engines._idle.values()) == _engines.MAX_IDLE_ENGINES
    skdeep.clear_cache()
    assert not _engines._idle


def test_the_cache_holds_bounded_memory_and_drops_wide_engines(monkeypatch):
    """Idle engines hold at most MAX_IDLE_BYTES together; an engine larger than that
    (a TF-IDF matrix's wide first layer) is not kept at all, and once the estimator
    is gone its memory is collected -- nothing refers to it any more."""
    import gc
    import weakref

    import scipy.sparse as sp

    skdeep.clear_cache()
    wide = sp.random(60, 20_000, density=0.001, format="csr", random_state=0)
    labels = np.arange(60) % 2
    est = MLPClassifier(hidden_layer_sizes=(16,), max_iter=2).fit(wide, labels)
    engine_bytes = sum(e.nbytes for engines in _engines._idle.values() for e in engines)
    # the kernel and Adam's two moments, plus the kept initial kernel where it is a copy
    # of its own (TensorFlow; on JAX it shares the device buffer); zeros take no room
    kernel = 20_000 * 16 * est.coefs_[0].dtype.itemsize
    assert 3 * kernel <= engine_bytes < 4 * kernel + 2**20
    monkeypatch.setattr(_engines, "MAX_IDLE_BYTES", engine_bytes - 1)
    skdeep.clear_cache()
    captured = []
    real = _engines._Pool.give_back
    monkeypatch.setattr(_engines._Pool, "give_back",
                        staticmethod(lambda e: (captured.append(weakref.ref(e)), real(e))))
    MLPClassifier(hidden_layer_sizes=(16,), max_iter=2).fit(wide, labels)
    assert not _engines._idle  # too large to keep
    gc.collect()
    assert captured and captured[0]() is None  # and freed
    for units in (1, 2, 3):  # small engines are kept within the byte budget
        MLPClassifier(hidden_layer_sizes=(units,), solver="lbfgs", max_iter=2).fit(X, Y)
    assert len(_engines._idle) == 3
    assert _engines._idle_bytes() <= _engines.MAX_IDLE_BYTES
    monkeypatch.setattr(_engines, "MAX_IDLE_BYTES", _engines._idle_bytes() - 1)
    MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=2).fit(X, Y)
    assert _engines._idle_bytes() <= _engines.MAX_IDLE_BYTES and len(_engines._idle) <= 3
    skdeep.clear_cache()


def test_constant_initial_values_take_no_memory():
    from skdeep._engine.core import compact

    zeros = compact(np.zeros((1000, 100), np.float32))
    assert zeros.shape == (1000, 100) and not zeros.flags.owndata and not zeros.any()
    assert zeros.base.nbytes <= 8
    drawn = compact(np.random.RandomState(0).randn(10, 3))
    assert drawn.flags.owndata and drawn.shape == (10, 3)
    np.testing.assert_array_equal(compact(np.ones(5)), np.ones(5))


@pytest.mark.parametrize(
    "make",
    [
        lambda: MLPClassifier(hidden_layer_sizes=(16, 8), max_iter=20),
        lambda: MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", dropout=0.2,
                              dropconnect=0.2, max_iter=20),
        lambda: MLPClassifier(hidden_layer_sizes=(8,), activation="logistic",
                              output_activation="softmax", max_iter=20),
        lambda: MLPRegressor(hidden_layer_sizes=(8,), activation="identity", max_iter=20),
        lambda: MLPRegressor(hidden_layer_sizes=(), loss="poisson", max_iter=20),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_predict_path_equals_the_compiled_keras_pass(make, dtype, monkeypatch):
    from skdeep._estimators import mlp as _mlp

    rng = np.random.RandomState(0)
    X = rng.randn(120, 5).astype(dtype)
    est = make().set_params(random_state=0)
    y = rng.poisson(2, 120) if getattr(est, "loss", "") == "poisson" else (X[:, 0] > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    fast = est._numpy_forward(X.astype(est._spec.dtype))
    assert fast is not None and fast.dtype == est._spec.dtype
    monkeypatch.setattr(_mlp, "NUMPY_PREDICT_LIMIT", 0)  # force TensorFlow
    assert est._numpy_forward(X) is None
    slow = est._forward(X)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    if dtype == np.float64 and backend() == "jax":
        rtol = 1e-6  # Keras on JAX computes tanh, softmax ... in float32 even for float64
    np.testing.assert_allclose(fast, slow, rtol=rtol, atol=rtol)


def test_numpy_predict_path_is_not_used_where_it_would_differ():
    X = np.random.RandomState(0).randn(60, 3)
    y = X[:, 0] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for params in ({"activation": "gelu"}, {"batch_normalization": True}):
            est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, **params).fit(X, y)
            assert est._numpy_forward(X) is None
        est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5).fit(X, y)
        est.set_params(activation="tanh")  # the fitted network still uses relu
        kernel, bias = est._dense_layers()[0]
        hidden = np.maximum(X @ kernel + bias, 0)
        out_k, out_b = est._dense_layers()[1]
        expected = 1 / (1 + np.exp(-(hidden @ out_k + out_b)))
        np.testing.assert_allclose(est._numpy_forward(X), expected, rtol=1e-6)


def test_every_engine_offers_the_protocol():
    from skdeep import _cohort
    from skdeep._engine.protocol import MODEL, PREDICTION, TRAINING

    net = MLPClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X.astype(np.float32), Y)  # float32: cohorts on JAX too
    attributes = ("spec", "variables", "initial_weights", "stochastic", "batchnorms",
                  "loaded", "pool")
    with _engines.lease(net._spec) as engine:  # the backend's compiled engine
        for name in (*TRAINING, *MODEL, *PREDICTION):
            assert callable(getattr(engine, name)), name
        for name in (*attributes, "trainable", "model"):
            assert hasattr(engine, name), name
    with _cohort.session():
        member = _engines.acquire(net._spec, training=True)
        try:
            assert type(member).__name__ == "MemberEngine"
            for name in TRAINING:  # a member trains; it has no Keras model
                assert callable(getattr(member, name)), name
            for name in attributes:
                assert hasattr(member, name), name
        finally:
            _engines.release(member)
