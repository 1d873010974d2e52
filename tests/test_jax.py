"""The JAX engine (``KERAS_BACKEND=jax``).

``make test`` runs the suite twice: on TensorFlow (the default) and again on
JAX, where the whole backend-independent suite -- scikit-learn parity,
check_estimator, the toolbox, CNN/RNN/Keras wrappers -- drives
:class:`skdeep._engine.jax.JaxEngine`.  The tests here check what is JAX's
own: padded epochs, compilation reuse, 64-bit mode kept local, and a model
fitted on one backend used on the other.
"""

import json
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn import neural_network as sknn
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

import skdeep
from skdeep import MLPClassifier, MLPRegressor
from skdeep._engine import cache as _engines
from skdeep._engine import core as _engine_core
from skdeep._backend import backend

ON_JAX = backend() == "jax"
jax_only = pytest.mark.skipif(not ON_JAX, reason="runs with KERAS_BACKEND=jax")

X, Y = make_classification(n_samples=301, n_features=6, n_informative=4, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@jax_only
def test_padded_epochs_equal_exact_epochs(monkeypatch):
    # 301 rows in batches of 64: the last batch holds 45 real rows and 19
    # zero-weight pads; the exact path trains on 45 rows.  Same run.
    params = dict(hidden_layer_sizes=(8,), batch_size=64, max_iter=8, random_state=0,
                  alpha=1e-3)
    skdeep.clear_cache()
    padded = MLPClassifier(**params).fit(X, Y)
    from skdeep._engine.jax import JaxEngine

    original = JaxEngine.__init__

    def exact(self, spec, placement=None):
        original(self, spec, placement)
        self._padded = False

    skdeep.clear_cache()
    monkeypatch.setattr(JaxEngine, "__init__", exact)
    unpadded = MLPClassifier(**params).fit(X, Y)
    skdeep.clear_cache()
    np.testing.assert_allclose(padded.loss_curve_, unpadded.loss_curve_, rtol=1e-6)
    for a, b in zip(padded.coefs_, unpadded.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@jax_only
def test_partial_last_batch_matches_sklearn():
    params = dict(hidden_layer_sizes=(8,), batch_size=64, max_iter=10, random_state=3,
                  alpha=1e-3)
    ours = MLPClassifier(**params).fit(X, Y)
    theirs = sknn.MLPClassifier(**params).fit(X, Y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-5)


@jax_only
def test_folds_and_refit_share_one_compiled_epoch(monkeypatch):
    built = []
    original = _engine_core._EngineCore.__init__

    def counting(self, spec):
        built.append(spec)
        original(self, spec)

    skdeep.clear_cache()
    monkeypatch.setattr(_engine_core._EngineCore, "__init__", counting)
    X_big, Y_big = make_classification(n_samples=500, n_features=6, random_state=1)
    search = GridSearchCV(
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=0.01,
                      random_state=0),
        {"alpha": [1e-4, 1e-2]}, cv=5,
    ).fit(X_big, Y_big)
    assert search.best_score_ > 0.7
    assert len(built) == 1  # one engine for 10 folds and the refit
    (engine,) = [e for engines in _engines._idle.values() for e in engines]
    epoch = engine._compiled[("epoch", 200, 0)]  # batch size, no sparse entries
    # folds of 400 rows and the refit on 500 pad to the same 512 rows
    assert epoch._cache_size() == 1


@jax_only
def test_float64_is_computed_in_64_bit_mode_without_switching_it_on_globally():
    import jax

    X64 = X.astype(np.float64)
    params = dict(hidden_layer_sizes=(8,), max_iter=10, random_state=3, alpha=1e-3)
    ours = MLPRegressor(**params).fit(X64, Y.astype(float))
    theirs = sknn.MLPRegressor(**params).fit(X64, Y.astype(float))
    assert ours.coefs_[0].dtype == np.float64
    assert ours.predict(X64).dtype == np.float64
    # relu networks and the losses are exact in float64; Keras' own float32
    # learning rate is the only difference from scikit-learn
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-6)
    assert not jax.config.jax_enable_x64


@jax_only
def test_monte_carlo_draws_are_reproducible_and_vary():
    reg = MLPRegressor(hidden_layer_sizes=(16,), dropout=0.3, mc_samples=30, max_iter=20,
                       random_state=0).fit(X, Y.astype(float))
    mean1, std1 = reg.predict(X[:40], return_std=True)
    mean2, std2 = reg.predict(X[:40], return_std=True)
    np.testing.assert_array_equal(std1, std2)
    assert np.all(std1 > 0)
    other = reg.set_params(random_state=1).fit(X, Y.astype(float))
    assert not np.allclose(other.predict(X[:40], return_std=True)[1], std1)


@jax_only
def test_new_row_counts_do_not_recompile_predict():
    clf = MLPClassifier(hidden_layer_sizes=(8,), dropout=0.1, max_iter=3, random_state=0)
    clf.fit(X, Y)  # dropout: predictions go through the compiled model
    engine = _engines.acquire(clf._spec)
    try:
        for n in (97, 100, 103, 104):  # all pad to 104 rows
            engine.predict(X[:n])
        assert engine._compiled["predict"]._cache_size() == 1
    finally:
        _engines.release(engine)


_FIT_ON_JAX = """
import json, pickle, sys
import numpy as np
from sklearn.datasets import make_classification
from skdeep import MLPClassifier, RNNSequenceClassifier
X, Y = make_classification(n_samples=301, n_features=6, n_informative=4, random_state=0)
mlp = MLPClassifier(hidden_layer_sizes=(8,), dropout=0.1, max_iter=20, random_state=0).fit(X, Y)
seqs = X.reshape(301, 3, 2)
rnn = RNNSequenceClassifier(units=4, max_iter=5, random_state=0).fit(seqs, Y)
with open(sys.argv[1], "wb") as fh:
    pickle.dump((mlp, rnn), fh)
from skdeep._backend import backend
print(json.dumps({"backend": backend(), "mlp": mlp.predict_proba(X).tolist(),
                  "rnn": rnn.predict_proba(seqs).tolist()}))
"""


@pytest.mark.skipif(ON_JAX, reason="the TensorFlow run checks the JAX-fitted models")
def test_a_model_fitted_on_jax_predicts_the_same_on_tensorflow(tmp_path):
    pytest.importorskip("jax")
    path = tmp_path / "models.pkl"
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    result = subprocess.run([sys.executable, "-c", _FIT_ON_JAX, str(path)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    on_jax = json.loads(result.stdout.strip().splitlines()[-1])
    assert on_jax["backend"] == "jax"
    with open(path, "rb") as fh:
        mlp, rnn = pickle.load(fh)
    np.testing.assert_allclose(mlp.predict_proba(X), on_jax["mlp"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rnn.predict_proba(X.reshape(301, 3, 2)), on_jax["rnn"],
                               rtol=1e-4, atol=1e-6)


@jax_only
def test_stepwise_epochs_equal_whole_epoch_programs(monkeypatch):
    # conv nets on a CPU step from Python (XLA runs convolutions in a
    # compiled loop far slower); the training run must not change
    from skdeep import CNNClassifier
    from skdeep._engine.jax import JaxEngine

    images = np.random.RandomState(0).rand(90, 6, 6).astype(np.float32)
    labels = (images[:, :3].mean(axis=(1, 2)) > images[:, 3:].mean(axis=(1, 2))).astype(int)
    params = dict(filters=(4,), dense_layer_sizes=(8,), batch_size=32, max_iter=6,
                  random_state=0, min_grad_norm=1e-12)  # records grad_norm_curve_
    runs = {}
    original = JaxEngine.__init__
    for stepwise in (True, False):

        def init(self, spec, placement=None, stepwise=stepwise):
            original(self, spec, placement)
            self._stepwise = stepwise

        skdeep.clear_cache()
        monkeypatch.setattr(JaxEngine, "__init__", init)
        runs[stepwise] = CNNClassifier(**params).fit(images, labels)
    skdeep.clear_cache()
    np.testing.assert_allclose(runs[True].loss_curve_, runs[False].loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(runs[True].grad_norm_curve_, runs[False].grad_norm_curve_,
                               rtol=1e-4)
