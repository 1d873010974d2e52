"""Sparse input stays sparse: MLPs multiply CSR rows by their first kernel.

Fitting or predicting must never build the dense matrix (a 2000 x 20000 bag of
words is 0.5 MB sparse and 320 MB dense); the results equal those of the same
fit on the dense matrix.  Run on both engines (``make test`` runs the suite on
TensorFlow and on JAX).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse import _compressed

from skdeep import CNNClassifier, MLPClassifier, MLPRegressor


def _data(n=240, d=30, density=0.1, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", random_state=seed)
    y = (X @ rng.normal(size=d) > 0).astype(int)
    return X, y


@pytest.fixture
def no_densifying(monkeypatch):
    """Make densifying a wide CSR/CSC matrix (the input) an error in the test.

    Narrow ones pass: scikit-learn's label binarizer builds the target's
    one-hot matrix sparse and densifies it.
    """
    toarray = _compressed._cs_matrix.toarray

    def refuse(self, *args, **kwargs):
        if self.shape[1] > 1000:
            raise AssertionError(f"a {self.shape} sparse matrix was densified")
        return toarray(self, *args, **kwargs)

    monkeypatch.setattr(_compressed._cs_matrix, "toarray", refuse)


@pytest.mark.parametrize("params", [
    {},
    {"solver": "sgd", "batch_size": 7, "momentum": 0.9},
    {"solver": "lbfgs"},
    {"early_stopping": True, "validation_fraction": 0.2},
    {"dropout": 0.2, "dropconnect": 0.2},
    {"batch_normalization": True},
], ids=["adam", "sgd-odd-batches", "lbfgs", "early-stopping", "dropout", "batchnorm"])
def test_a_sparse_fit_equals_the_dense_fit(params):
    X, y = _data()
    dense = X.toarray()
    kw = dict(hidden_layer_sizes=(16,), max_iter=12, random_state=0, **params)
    a = MLPClassifier(**kw).fit(X, y)
    b = MLPClassifier(**kw).fit(dense, y)
    assert dict(a._spec.builder_kwargs).get("sparse") is True
    assert "sparse" not in dict(b._spec.builder_kwargs)
    tol = 1e-6 if params.get("batch_normalization") else 1e-10
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=0, atol=tol)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(dense), atol=tol * 10)
    # either kind of input goes to either kind of network
    np.testing.assert_allclose(a.predict_proba(dense), a.predict_proba(X), atol=1e-12)
    np.testing.assert_allclose(b.predict_proba(X), b.predict_proba(dense), atol=1e-12)


def test_wide_sparse_rows_are_never_densified(no_densifying):
    # 600 x 50000 would be 240 MB dense; 10 values per row are set
    rng = np.random.default_rng(1)
    cols = rng.integers(0, 50_000, size=(600, 10))
    X = sp.csr_matrix((rng.random(6000), cols.ravel(), np.arange(0, 6001, 10)),
                      shape=(600, 50_000))
    X.sum_duplicates()
    y = X @ rng.normal(size=50_000)
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    assert reg.coefs_[0].shape == (50_000, 8)
    pred = reg.predict(X)
    assert pred.shape == (600,) and np.isfinite(pred).all()
    # large predictions go through the compiled network in chunks, still sparse
    big = sp.vstack([X] * 30, format="csr")
    np.testing.assert_allclose(reg.predict(big)[:600], pred, rtol=1e-6, atol=1e-9)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, early_stopping=True,
                        random_state=0).fit(X, (y > 0).astype(int))
    assert len(clf.validation_scores_) == clf.n_iter_
    reg.partial_fit(X[:100], y[:100])  # continues on sparse rows


def test_other_sparse_formats_and_dense_continuation():
    X, y = _data(seed=3)
    a = MLPRegressor(hidden_layer_sizes=(8,), max_iter=4, random_state=0).fit(X.tocsc(), y)
    b = MLPRegressor(hidden_layer_sizes=(8,), max_iter=4, random_state=0).fit(X.tocoo(), y)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, atol=1e-12)
    # a network fitted on sparse rows keeps taking them; dense rows are converted
    a.partial_fit(X.toarray(), y)
    b.partial_fit(X, y)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, atol=1e-12)


def test_image_and_sequence_networks_still_take_sparse_rows_densified():
    X, y = _data(n=60, d=16, seed=4)
    clf = CNNClassifier(filters=(4,), dense_layer_sizes=(8,), max_iter=3, random_state=0)
    proba = clf.fit(X, y).predict_proba(X)
    np.testing.assert_allclose(proba, clf.predict_proba(X.toarray()), atol=1e-12)
