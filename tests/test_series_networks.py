"""The series networks (FCN, ResNet, InceptionTime) and the CNNs' ``architecture``."""

import dataclasses
import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import skdeep
from skdeep import CNNClassifier, CNNRegressor
from skdeep.builders import SERIES_ARCHITECTURES, build_series_cnn

RNG = np.random.RandomState(0)


def bumps(n=120, length=40, seed=0):
    """Series of noise with a bump (class 1) or a dip (class 0) at a random place:
    a shift-invariant task a convolution finds and a dense layer on raw
    positions does not."""
    rng = np.random.RandomState(seed)
    X = rng.normal(scale=0.3, size=(n, length))
    y = rng.randint(0, 2, n)
    for i in range(n):
        start = rng.randint(0, length - 6)
        X[i, start:start + 6] += np.where(y[i] == 1, 1.5, -1.5) * np.hanning(6)
    return X, y


def params(model, prefix):
    return {layer.name: layer.count_params() for layer in model.layers
            if layer.name.startswith(prefix)}


def test_resnet_blocks_count_the_papers_parameters_and_add_a_projected_shortcut():
    model = build_series_cnn((20, 2), 3, architecture="resnet", filters=(4, 6),
                             kernel_size=(3, 2, 1))
    convs = params(model, "conv_")
    # F * channels_in * filters + filters biases, three convolutions per block
    assert convs["conv_0_0"] == 3 * 2 * 4 + 4
    assert convs["conv_0_1"] == 2 * 4 * 4 + 4
    assert convs["conv_0_2"] == 1 * 4 * 4 + 4
    assert convs["conv_1_0"] == 3 * 4 * 6 + 6
    # the shortcut is projected by a 1-wide convolution when the widths differ
    assert convs["conv_block_0_shortcut"] == 2 * 4 + 4
    assert convs["conv_block_1_shortcut"] == 4 * 6 + 6
    assert model.get_layer("global_pool").output.shape == (None, 6)
    assert model.output.shape == (None, 3)
    # the block's output is relu(conv branch + batch-normalised shortcut)
    x = RNG.randn(5, 20, 2).astype("float32")
    parts = keras.Model(model.input, [model.get_layer("batchnorm_conv_0_2").output,
                                      model.get_layer("batchnorm_block_0_shortcut").output,
                                      model.get_layer("hidden_block_0").output,
                                      model.get_layer("global_pool").output,
                                      model.get_layer("hidden_block_1").output])
    branch, shortcut, block, pooled, last = (np.asarray(a) for a in parts(x))
    np.testing.assert_allclose(block, np.maximum(branch + shortcut, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pooled, last.mean(axis=1), rtol=1e-5, atol=1e-6)


def test_fcn_has_no_shortcuts_and_inception_modules_concatenate_four_branches():
    fcn = build_series_cnn((30, 1), 2, architecture="fcn", filters=(5, 7, 5))
    names = [layer.name for layer in fcn.layers]
    assert not any(name.startswith("add_") for name in names)
    # the published filter lengths 8, 5, 3
    assert params(fcn, "conv_") == {"conv_0": 8 * 5 + 5, "conv_1": 5 * 5 * 7 + 7,
                                     "conv_2": 3 * 7 * 5 + 5}
    inc = build_series_cnn((30, 3), 2, architecture="inception", filters=(4,) * 6,
                           kernel_size=(9, 5, 3))
    names = [layer.name for layer in inc.layers]
    assert inc.get_layer("concat_inception_0").output.shape == (None, 30, 16)
    # a bottleneck on every module (the input has 3 channels), no bias in the branches
    assert params(inc, "conv_inception_0_bottleneck") == {
        "conv_inception_0_bottleneck": 3 * 4}
    assert inc.get_layer("conv_inception_1_branch0").count_params() == 9 * 4 * 4
    assert sum(name.startswith("add_residual") for name in names) == 2  # every third
    uni = build_series_cnn((30, 1), 2, architecture="inception", filters=(4,) * 3)
    assert "conv_inception_0_bottleneck" not in [layer.name for layer in uni.layers]
    assert "conv_inception_1_bottleneck" in [layer.name for layer in uni.layers]


def test_published_widths_are_the_default_and_unknown_architectures_are_refused():
    model = build_series_cnn((16, 1), 2, architecture="fcn")
    assert [model.get_layer(f"conv_{i}").filters for i in range(3)] == list(
        SERIES_ARCHITECTURES["fcn"]["filters"])
    with pytest.raises(ValueError, match="architecture must be one of"):
        build_series_cnn((16, 1), 2, architecture="lenet")


def test_auto_trains_a_residual_network_on_series_and_the_plain_one_on_images():
    X, y = bumps()
    clf = CNNClassifier(filters=(8, 8), max_iter=30, random_state=0).fit(X, y)
    assert clf.input_shape_ == (40, 1)
    names = [name for name, _, _ in clf.layer_shapes_]
    assert "add_block_1" in names and not any(n.startswith("hidden_") and n[7:].isdigit()
                                             for n in names)  # no dense layer by default
    # (n, length, 1) is a univariate series as Keras takes it, the same network
    same = CNNClassifier(filters=(8, 8), max_iter=30, random_state=0).fit(X[:, :, None], y)
    np.testing.assert_allclose(same.predict_proba(X[:, :, None]), clf.predict_proba(X),
                               rtol=1e-5, atol=1e-6)
    images = RNG.rand(40, 8, 8)
    img = CNNClassifier(filters=(4,), max_iter=2, random_state=0).fit(images, y[:40])
    names = [name for name, _, _ in img.layer_shapes_]
    assert "pool_0" in names and "hidden_0" in names and "add_block_0" not in names


@pytest.mark.parametrize("architecture", ["fcn", "resnet"])
def test_estimators_leave_out_the_biases_batch_norm_removes_and_old_files_keep_theirs(
        architecture, tmp_path):
    X, y = bumps(n=40)
    est = CNNClassifier(architecture=architecture, filters=(4, 6), max_iter=2,
                        random_state=0).fit(X, y)
    convs = {v.path: v for v in est.model_.variables if v.path.startswith("conv_")}
    assert convs and not any(path.endswith("/bias") for path in convs)
    # the builder's default is the published network: one bias per filter more
    kwargs = dict(est._spec.builder_kwargs)
    published = build_series_cnn(**{**kwargs, "conv_bias": True})
    biases = [v for v in published.variables if v.path.startswith("conv_")
              and v.path.endswith("/bias")]
    extra = sum(int(np.prod(v.shape)) for v in biases)
    assert published.count_params() - est.model_.count_params() == extra > 0
    # a network fitted before the change (its spec names no conv_bias, its
    # weights hold biases that batch norm's moving means carry too) loads,
    # rebuilds with the biases and predicts what the file did
    old = pickle.loads(pickle.dumps(est))
    old._spec = dataclasses.replace(old._spec, builder_kwargs=tuple(
        (k, v) for k, v in old._spec.builder_kwargs if k != "conv_bias"))
    values = {v.path: np.asarray(v.value, dtype=np.float64) for v in est.model_.variables}
    for bias in biases:
        conv = bias.path.split("/")[0]
        b = np.random.RandomState(len(values)).normal(size=bias.shape)
        values[bias.path] = b
        values[f"batchnorm_{conv[5:] if 'block' in conv else conv}/moving_mean"] += b
    old._weights = [values[v.path].astype(np.float32) for v in published.variables]
    old._weights_token = "before conv_bias"
    proba = old.predict_proba(X)
    np.testing.assert_allclose(proba, est.predict_proba(X), rtol=1e-5, atol=1e-6)
    skdeep.save(old, tmp_path / "old.skdeep")
    again = skdeep.load(tmp_path / "old.skdeep")
    assert len(again.model_.variables) == len(published.variables)
    np.testing.assert_array_equal(again.predict_proba(X), proba)


def test_the_residual_network_learns_a_shift_invariant_task_the_plain_one_finds_harder():
    X, y = bumps(n=200)
    Xt, yt = bumps(n=200, seed=1)
    resnet = CNNClassifier(filters=(16, 16), random_state=0).fit(X, y)
    assert resnet.score(Xt, yt) >= 0.95
    assert resnet.score(Xt, yt) >= CNNClassifier(
        architecture="plain", random_state=0).fit(X, y).score(Xt, yt)


@pytest.mark.parametrize("architecture", ["fcn", "resnet", "inception"])
def test_series_networks_on_images_or_with_plain_parameters_are_clear_errors(architecture):
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=rf"architecture='{architecture}' is a network for "
                                         r"series .* images of shape \(8, 8, 1\)"):
        CNNClassifier(architecture=architecture, max_iter=1).fit(RNG.rand(20, 8, 8), y)
    X = RNG.rand(20, 12)
    for name, value in [("pooling", "avg"), ("strides", 2), ("global_pooling", "max"),
                        ("padding", "valid"), ("pool_size", 3)]:
        with pytest.raises(ValueError, match=rf"{name}={value!r} sets the course's plain "
                                             r"network.*architecture='plain'"):
            CNNClassifier(architecture=architecture, max_iter=1, **{name: value}).fit(X, y)
    # under 'auto' too: a series with pooling set is not silently a residual network
    with pytest.raises(ValueError, match=r"pooling='avg'.*architecture='auto'"):
        CNNClassifier(pooling="avg", max_iter=1).fit(X, y)
    assert CNNClassifier(pooling="avg", architecture="plain", max_iter=1).fit(X, y).n_iter_ == 1


@pytest.mark.parametrize("architecture", ["fcn", "resnet", "inception"])
def test_series_networks_train_in_float32_clone_pickle_save_and_reproduce(architecture,
                                                                          tmp_path):
    X, y = bumps(n=60)
    est = CNNClassifier(architecture=architecture, filters=(4,) * 3, kernel_size=(5, 3, 3),
                        dense_layer_sizes=(6,), dropout=0.1, batch_normalization=True,
                        max_iter=3, random_state=0)
    est.fit(X, y)
    assert est._spec.dtype == "float32"
    proba = est.predict_proba(X)
    assert proba.dtype == np.float64 and proba.shape == (60, 2)
    assert "hidden_0" in [name for name, _, _ in est.layer_shapes_]
    np.testing.assert_array_equal(clone(est).fit(X, y).predict_proba(X), proba)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X), proba)
    skdeep.save(est, tmp_path / "est.skdeep")
    np.testing.assert_array_equal(skdeep.load(tmp_path / "est.skdeep").predict_proba(X), proba)


def test_architecture_is_a_grid_search_parameter_and_the_regressor_takes_it_too():
    X, y = bumps(n=60)
    search = GridSearchCV(CNNClassifier(filters=(4, 4), max_iter=5, random_state=0),
                          {"architecture": ["plain", "fcn", "resnet"]}, cv=2).fit(X, y)
    assert list(search.cv_results_["param_architecture"]) == ["plain", "fcn", "resnet"]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    # the regressor: the bump's height from anywhere in the series
    rng = np.random.RandomState(0)
    height = rng.uniform(0.5, 2.0, 150)
    Xr = rng.normal(scale=0.1, size=(150, 30))
    for i, start in enumerate(rng.randint(0, 24, 150)):
        Xr[i, start:start + 6] += height[i] * np.hanning(6)
    reg = CNNRegressor(architecture="fcn", filters=(8, 8), random_state=0)
    assert reg.fit(Xr[:100], height[:100]).score(Xr[100:], height[100:]) > 0.8


def ragged_bumps(n=120, seed=0, channels=2):
    """Series of 20-49 steps: a bump (class 1) or a dip (class 0) in channel 0."""
    rng = np.random.RandomState(seed)
    X, y = [], rng.randint(0, 2, n)
    for i in range(n):
        length = rng.randint(20, 50)
        series = rng.normal(scale=0.3, size=(length, channels))
        start = rng.randint(0, length - 6)
        series[start:start + 6, 0] += (1.5 if y[i] else -1.5) * np.hanning(6)
        X.append(series)
    return X, y


@pytest.mark.parametrize("architecture", ["fcn", "resnet", "inception"])
def test_padding_changes_no_prediction_of_a_trained_series_network(architecture):
    """Masked after every layer that mixes steps, a series computes what it
    computes alone; batch normalisation's statistics count real steps only."""
    model = build_series_cnn((None, 2), 3, architecture=architecture, filters=(4,) * 3,
                             masked=True)
    rng = np.random.RandomState(1)  # trained-looking statistics, not the identity
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.set_weights([rng.uniform(0.5, 2, w.shape) if i in (0, 3) else
                               rng.normal(size=w.shape) for i, w in
                               enumerate(layer.get_weights())])
    series = RNG.randn(1, 30, 2).astype("float32")
    padded = np.concatenate([series, np.full((1, 17, 2), np.nan, "float32")], axis=1)
    np.testing.assert_allclose(model(padded), model(series), rtol=1e-5, atol=1e-6)
    # without masking the padding (zeros) would change it
    plain = build_series_cnn((None, 2), 3, architecture=architecture, filters=(4,) * 3)
    plain.set_weights(model.get_weights())
    zeros = np.nan_to_num(padded)
    assert np.abs(np.asarray(plain(zeros)) - np.asarray(plain(series))).max() > 1e-4


def test_a_list_of_series_of_unequal_length_trains_a_network_for_any_length(tmp_path):
    X, y = ragged_bumps()
    Xt, yt = ragged_bumps(n=80, seed=1)
    clf = CNNClassifier(filters=(8, 8), random_state=0).fit(X, y)
    assert clf.input_shape_ == (None, 2) and not hasattr(clf, "n_features_in_")
    assert clf.score(Xt, yt) >= 0.95
    # one series alone or beside longer ones: the same probabilities
    alone = np.vstack([clf.predict_proba([x]) for x in Xt[:6]])
    np.testing.assert_allclose(clf.predict_proba(Xt[:6]), alone, rtol=1e-5, atol=1e-6)
    # arrays of any length, and the moving statistics of the first batch
    # normalisation are those of its input over the real steps only
    assert clf.predict(np.stack([x[:20] for x in Xt[:5]])).shape == (5,)
    inner = keras.Model(clf.model_.input, clf.model_.get_layer("conv_0_0").output)
    padded = clf._validate_X(X)
    steps = np.asarray(inner(padded.astype("float32")))[~np.isnan(padded).all(axis=-1)]
    moving_mean = clf.model_.get_layer("batchnorm_conv_0_0").moving_mean
    np.testing.assert_allclose(keras.ops.convert_to_numpy(moving_mean),
                               steps.mean(axis=0), rtol=1e-4, atol=1e-5)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(Xt), clf.predict_proba(Xt))
    skdeep.save(clf, tmp_path / "ragged.skdeep")
    np.testing.assert_array_equal(skdeep.load(tmp_path / "ragged.skdeep").predict_proba(Xt),
                                  clf.predict_proba(Xt))


def test_lists_of_series_are_refused_where_a_length_is_fixed():
    X, y = ragged_bumps(n=20)
    with pytest.raises(ValueError, match="architecture='plain' flattens a fixed length"):
        CNNClassifier(architecture="plain", max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="conv_dims=2 takes images, but X is a list"):
        CNNClassifier(conv_dims=2, max_iter=1).fit(X, y)
    fixed = CNNClassifier(filters=(4,), conv_dims=1, max_iter=1, random_state=0)
    fixed.fit(np.stack([x[:20] for x in X]), y)
    assert fixed.predict([x[:20] for x in X]).shape == (20,)  # a list of the fitted length
    with pytest.raises(ValueError, match=r"fitted on series of shape \(20, 2\) and takes no "
                                         r"other length.*Fit it on a list"):
        fixed.predict(X)
    # a list of series of one length is an array's rows, as scikit-learn reads lists
    same = CNNClassifier(filters=(4,), max_iter=1, random_state=0).fit([x[:20] for x in X], y)
    assert same.input_shape_ == (20, 2) and same.n_features_in_ == 20
    ragged = CNNClassifier(filters=(4,), max_iter=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"fitted on series of 2 channel\(s\) and any length"):
        ragged.predict(RNG.randn(3, 20, 3))


def test_an_ensemble_trains_its_members_as_one_network_each_on_its_own_loss(tmp_path):
    X, y = bumps(n=60)
    # before training: members start from different weights, and the loss is the
    # sum of the members' log-losses (scikit-learn's, member by member)
    init = CNNClassifier(filters=(4, 4), n_members=3, alpha=0.0, random_state=0)
    init.initialize(X, y)
    kernels = [init.model_.get_layer(f"conv_0_0_m{m}").get_weights()[0] for m in range(3)]
    assert not np.allclose(kernels[0], kernels[1]) and not np.allclose(kernels[1], kernels[2])
    members = np.asarray(init.model_(X[:, :, None].astype("float32")), dtype=np.float64)
    assert members.shape == (60, 3)  # one logistic output per member, side by side
    from sklearn.metrics import log_loss

    assert init.loss_ == pytest.approx(sum(log_loss(y, members[:, m]) for m in range(3)),
                                       rel=1e-4)
    np.testing.assert_allclose(init.predict_proba(X)[:, 1], members.mean(axis=1), rtol=1e-6)
    # trained, with dropout in each member's dense layer: reproducible, pickled, exported
    est = CNNClassifier(filters=(4, 4), n_members=2, dense_layer_sizes=(6,), dropout=0.2,
                        max_iter=5, random_state=0).fit(X, y)
    rates = [keras.ops.convert_to_numpy(v) for v in est.model_.variables
             if v.path.endswith("/rate")]
    np.testing.assert_allclose(rates, [0.2, 0.2])
    proba = est.predict_proba(X)
    np.testing.assert_array_equal(clone(est).fit(X, y).predict_proba(X), proba)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict_proba(X), proba)
    import tensorflow as tf

    skdeep.export(est, tmp_path / "ensemble", format="tf_saved_model")
    served = tf.saved_model.load(str(tmp_path / "ensemble")).signatures["serving_default"]
    out = served(X=tf.constant(X))["probabilities"].numpy()
    np.testing.assert_allclose(out, proba, atol=1e-5)


def test_an_ensemble_regressor_averages_its_members_and_plain_networks_refuse_one():
    X, _ = bumps(n=60)
    target = X.max(axis=1)
    reg = CNNRegressor(architecture="fcn", filters=(4,), n_members=2, max_iter=5,
                       random_state=0).fit(X, target)
    members = np.asarray(reg.model_(X[:, :, None].astype("float32")), dtype=np.float64)
    assert members.shape == (60, 2)
    # the network learns the targets standardised: predict maps its mean back
    np.testing.assert_allclose(reg.predict(X), members.mean(axis=1) * reg._target_scale
                               + reg._target_center, rtol=1e-5, atol=1e-6)
    # the ensemble's size is architecture: warm_start refuses to change it
    reg.set_params(warm_start=True, n_members=3)
    with pytest.raises(ValueError, match=r"architecture was fixed by the first fit.*n_members"):
        reg.fit(X, target)
    with pytest.raises(ValueError, match=r"n_members=2 trains an ensemble of series networks"):
        CNNClassifier(n_members=2, max_iter=1).fit(RNG.rand(20, 8, 8), np.arange(20) % 2)
