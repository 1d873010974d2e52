"""skdeep.export: serving artifacts that take raw rows and return what predict returns.

Each artifact is run by its own runtime (TensorFlow's SavedModel loader,
onnxruntime) on raw inputs -- frame columns with text categories and gaps,
ragged sequences padded with NaN, images -- and compared with the
estimator's ``predict`` / ``predict_proba``; one subprocess runs them with
skdeep, scikit-learn, pandas and Keras unimportable.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import skdeep
from skdeep._backend import backend

ON_JAX = backend() == "jax"
FORMATS = ["tf_saved_model"] + ([] if ON_JAX else ["onnx"])


def run_artifact(path, fmt, feed):
    """``{output name: ndarray}`` of the artifact at ``path`` on ``feed``."""
    if fmt == "onnx":
        ort = pytest.importorskip("onnxruntime")
        session = ort.InferenceSession(str(path))
        names = [o.name for o in session.get_outputs()]
        return dict(zip(names, session.run(None, feed)))
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    return {k: v.numpy() for k, v in serve(**{k: tf.constant(v) for k, v in feed.items()}).items()}


def exported(est, tmp_path, fmt, feed):
    path = tmp_path / ("model.onnx" if fmt == "onnx" else "saved_model")
    description = skdeep.export(est, path, format=fmt)
    return description, run_artifact(path, fmt, feed)


def labels(values):
    return np.array([v.decode() if isinstance(v, bytes) else v for v in values])


def check_classifier(est, X, out, atol=1e-5):
    np.testing.assert_allclose(out["probabilities"], est.predict_proba(X), rtol=0, atol=atol)
    assert (labels(out["label"]) == est.predict(X)).all()


def iris_frame():
    X, y = load_iris(return_X_y=True)
    frame = pd.DataFrame(X, columns=["sepal length", "sepal width", "petal length",
                                     "petal width"])
    frame["colour"] = np.array(["red", "green", "blue", "teal"])[np.arange(150) % 4]
    frame.loc[::7, "sepal length"] = np.nan
    return frame, np.array(["setosa", "versicolor", "virginica"])[y]


def frame_feed(frame, description):
    feed = {}
    for item in description["inputs"]:
        column = frame[item["name"]]
        feed[item["input"]] = (column.astype(object).where(column.notna(), "").map(str)
                               .to_numpy(dtype=object) if item["kind"] == "text"
                               else column.to_numpy(dtype=np.float64))
    return feed


@pytest.mark.parametrize("fmt", FORMATS)
def test_mlp_on_arrays_matches_predict_proba(tmp_path, fmt):
    X, y = load_iris(return_X_y=True)
    est = skdeep.MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(X, y)
    description, out = exported(est, tmp_path, fmt, {"X": X})
    check_classifier(est, X, out, atol=1e-10 if not ON_JAX else 1e-5)
    assert out["label"].dtype == np.int64
    assert description["classes"] == [0, 1, 2]
    assert [i["input"] for i in description["inputs"]] == ["X"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_multilabel_and_binary_outputs(tmp_path, fmt):
    X, y = load_iris(return_X_y=True)
    Y = np.column_stack([y == 0, y == 2, X[:, 0] > 5.8]).astype(int)
    est = skdeep.MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(X, Y)
    _, out = exported(est, tmp_path, fmt, {"X": X})
    tol = 1e-5 if ON_JAX else 1e-10  # Keras on JAX holds a float32 copy of the network
    np.testing.assert_allclose(out["probabilities"], est.predict_proba(X), atol=tol)
    np.testing.assert_array_equal(out["label"], est.predict(X))
    binary = skdeep.MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(
        X, np.where(y == 0, "setosa", "other"))
    _, out = exported(binary, tmp_path / "binary", fmt, {"X": X})
    assert out["probabilities"].shape == (150, 2)
    check_classifier(binary, X, out, atol=tol)


def test_a_path_of_the_wrong_kind_is_refused(tmp_path):
    X, y = load_iris(return_X_y=True)
    est = skdeep.MLPClassifier(max_iter=2, random_state=0).fit(X, y)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file; a SavedModel is a directory"):
        skdeep.export(est, tmp_path / "file")
    with pytest.raises(ValueError, match="is a directory; an ONNX model is one file"):
        skdeep.export(est, tmp_path, format="onnx")


@pytest.mark.parametrize("encoding", ["onehot", "binary", "embedding"])
def test_mlp_on_a_frame_with_categories_and_gaps(tmp_path, encoding):
    frame, y = iris_frame()
    est = skdeep.MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0,
                               missing="impute", categorical_encoding=encoding).fit(frame, y)
    new = frame.iloc[:40].copy()
    new.loc[new.index[:5], "colour"] = ["mauve", None, "red", "", "teal"]  # unknown, missing
    new.loc[new.index[5:9], "petal length"] = np.nan  # gaps where training had none
    for fmt in FORMATS:
        path = tmp_path / f"{encoding}.{fmt}"
        description = skdeep.export(est, path, format=fmt)
        keys = {i["name"]: i["input"] for i in description["inputs"]}
        assert keys["sepal length"] == "sepal_length"
        colour = next(i for i in description["inputs"] if i["name"] == "colour")
        assert colour["kind"] == "text" and colour["levels"] == ["blue", "green", "red", "teal"]
        out = run_artifact(path, fmt, frame_feed(new, description))
        check_classifier(est, new, out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_pipeline_of_a_scaler_and_a_multi_output_regressor(tmp_path, fmt):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5)) * [1, 10, 100, 1, 1]
    Y = np.column_stack([X[:, 0] + X[:, 1] / 10, np.sin(X[:, 3])])
    model = make_pipeline(StandardScaler(), skdeep.MLPRegressor(
        hidden_layer_sizes=(16,), max_iter=40, random_state=0)).fit(X, Y)
    description, out = exported(model, tmp_path, fmt, {"X": X})
    assert out["prediction"].shape == (120, 2)
    np.testing.assert_allclose(out["prediction"], model.predict(X), rtol=0, atol=1e-5)
    assert description["outputs"] == {"prediction": "float64"}
    # fitted on a frame of numbers: one input per column, by name
    frame = pd.DataFrame(X, columns=["a", "b c", "d", "e", "1f"])
    model.fit(frame, Y[:, 0])
    description = skdeep.export(model, tmp_path / f"named.{fmt}", format=fmt)
    assert [i["input"] for i in description["inputs"]] == ["a", "b_c", "d", "e", "c_1f"]
    out = run_artifact(tmp_path / f"named.{fmt}", fmt, frame_feed(frame, description))
    np.testing.assert_allclose(out["prediction"], model.predict(frame), rtol=0, atol=1e-5)


def tabular_frame(n=240):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "amount": np.where(rng.random(n) < 0.5, 0.0, rng.exponential(100, n)),  # floor mass
        "age": rng.normal(40, 12, n),
        "member": rng.random(n) < 0.3,
        "city": rng.choice([f"city{i}" for i in range(40)], n),  # over 32 levels
        "plan": rng.choice(["basic", "plus", "pro"], n),
    })
    frame.loc[rng.random(n) < 0.1, "age"] = np.nan
    score = ((frame["amount"] > 50).astype(int) + (frame["plan"] == "pro")
             - (frame["age"].fillna(40) > 45))
    return frame, np.where(score > 0, "yes", "no")


@pytest.mark.parametrize("fmt", FORMATS)
def test_tabular_classifier_with_quantile_copies_and_members(tmp_path, fmt):
    frame, y = tabular_frame()
    frame.loc[frame.index[0], "plan"] = "max"  # a level of one row: padded 0/1 columns
    est = skdeep.TabularMLPClassifier(max_iter=4, n_members=2, random_state=0).fit(frame, y)
    assert est._quantiles is not None  # the zero-heavy column got its quantile copy
    assert est._input_padding > 0  # and the 0/1 columns their zero padding
    description = skdeep.export(est, tmp_path / f"t.{fmt}", format=fmt)
    new = frame.copy()
    new.loc[new.index[:3], "city"] = ["elsewhere", None, "city3"]
    new.loc[new.index[3:6], "amount"] = [-5.0, 1e9, np.nan]  # beyond the training range
    out = run_artifact(tmp_path / f"t.{fmt}", fmt, frame_feed(new, description))
    check_classifier(est, new, out)
    assert set(labels(out["label"])) <= {"yes", "no"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_tabular_regressor_on_the_targets_scale(tmp_path, fmt):
    frame, _ = tabular_frame()
    target = 1000 + 50 * frame["amount"].to_numpy() / 100 + frame["age"].fillna(40).to_numpy()
    est = skdeep.TabularMLPRegressor(max_iter=5, random_state=0).fit(frame, target)
    description = skdeep.export(est, tmp_path / f"r.{fmt}", format=fmt)
    out = run_artifact(tmp_path / f"r.{fmt}", fmt, frame_feed(frame, description))
    np.testing.assert_allclose(out["prediction"], est.predict(frame), rtol=1e-5)


@pytest.mark.parametrize("fmt", FORMATS)
def test_target_statistics_of_three_classes_with_gaps_and_new_levels(tmp_path, fmt):
    frame, _ = tabular_frame()
    frame.loc[frame.index[::9], "city"] = None  # missing: a level of its own in training
    y = np.array(["low", "mid", "high"])[
        frame["city"].fillna("city0").str[4:].astype(int).to_numpy() % 3]
    est = skdeep.TabularMLPClassifier(max_iter=4, random_state=0,
                                      column_treatment={"city": "target"}).fit(frame, y)
    assert est.input_summary_.loc["city", "treatment"] == "target"
    description = skdeep.export(est, tmp_path / f"s.{fmt}", format=fmt)
    new = frame.copy()
    new.loc[new.index[:4], "city"] = ["elsewhere", None, "city3", ""]
    out = run_artifact(tmp_path / f"s.{fmt}", fmt, frame_feed(new, description))
    check_classifier(est, new.iloc[:3], {k: v[:3] for k, v in out.items()})
    check_classifier(est, new.iloc[4:], {k: v[4:] for k, v in out.items()})


@pytest.mark.parametrize("fmt", FORMATS)
def test_cnn_and_rnn_take_images_and_padded_sequences(tmp_path, fmt):
    rng = np.random.default_rng(2)
    images = rng.normal(size=(30, 8, 8))
    cnn = skdeep.CNNClassifier(max_iter=2, random_state=0).fit(images, images.mean(axis=(1, 2)) > 0)
    _, out = exported(cnn, tmp_path, fmt, {"X": images})
    check_classifier(cnn, images, out)
    assert out["label"].dtype == bool
    sequences = [rng.normal(size=(int(n), 2)) for n in rng.integers(3, 9, 30)]
    y = np.array([s[:, 0].mean() > 0 for s in sequences]).astype(int)
    rnn = skdeep.RNNSequenceClassifier(max_iter=2, random_state=0, readout="mean").fit(
        sequences, y)
    padded = np.full((30, 8, 2), np.nan)
    for i, s in enumerate(sequences):
        padded[i, :len(s)] = s
    _, out = exported(rnn, tmp_path / "rnn", fmt, {"X": padded})
    check_classifier(rnn, sequences, out)
    # a regressor answers in the targets' units (it trains on them standardised)
    values = 100 + 10 * np.array([s[:, 0].mean() for s in sequences])
    reg = skdeep.RNNSequenceRegressor(max_iter=2, random_state=0).fit(sequences, values)
    _, out = exported(reg, tmp_path / "rnn_reg", fmt, {"X": padded})
    np.testing.assert_allclose(out["prediction"], reg.predict(sequences), rtol=1e-5)
    assert abs(float(np.mean(out["prediction"])) - 100) < 10
    # the series network fitted on the same list: its artifact takes the padded
    # array, and a series' probabilities do not change with more padding
    series = skdeep.CNNClassifier(filters=(4, 4), max_iter=2, random_state=0).fit(
        sequences, y)
    _, out = exported(series, tmp_path / "series", fmt, {"X": padded})
    check_classifier(series, sequences, out)
    longer = np.concatenate([padded, np.full((30, 5, 2), np.nan)], axis=1)
    out = run_artifact(tmp_path / "series" / ("model.onnx" if fmt == "onnx" else "saved_model"),
                       fmt, {"X": longer})
    check_classifier(series, sequences, out)


def test_normal_quantile_of_the_onnx_graph_is_scipys():
    from scipy.special import ndtri

    from skdeep._export.onnx_graph import normal_quantile

    p = np.concatenate([np.geomspace(1e-7, 0.5, 2000), 1 - np.geomspace(1e-7, 0.5, 2000)])
    np.testing.assert_allclose(normal_quantile(p), ndtri(p), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_artifact_runs_without_skdeep_sklearn_or_pandas(tmp_path, fmt):
    frame, y = iris_frame()
    est = skdeep.MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0,
                               missing="impute").fit(frame, y)
    path = tmp_path / ("m.onnx" if fmt == "onnx" else "m")
    description = skdeep.export(est, path, format=fmt)
    feed = frame_feed(frame.iloc[:20], description)
    np.savez(tmp_path / "feed.npz", **{k: v.astype(str) if v.dtype == object else v
                                       for k, v in feed.items()})
    # TensorFlow's own import looks Keras up (tf.keras); the ONNX runtime needs none of it
    blocked = ("skdeep", "sklearn", "pandas") + (("keras",) if fmt == "onnx" else ())
    script = textwrap.dedent(f"""
        import sys
        class Refuse:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {blocked!r}:
                    raise ImportError("not in this process: " + name)
        sys.meta_path.insert(0, Refuse())
        import json
        import numpy as np
        feed = dict(np.load({str(tmp_path / "feed.npz")!r}))
        feed = {{k: v.astype(object) if v.dtype.kind == "U" else v for k, v in feed.items()}}
        if {fmt!r} == "onnx":
            import onnxruntime as ort
            session = ort.InferenceSession({str(path)!r})
            out = dict(zip([o.name for o in session.get_outputs()], session.run(None, feed)))
        else:
            import tensorflow as tf
            serve = tf.saved_model.load({str(path)!r}).signatures["serving_default"]
            out = {{k: v.numpy() for k, v in serve(**{{k: tf.constant(v) for k, v in
                                                    feed.items()}}).items()}}
        label = [v.decode() if isinstance(v, bytes) else str(v) for v in out["label"]]
        print(json.dumps({{"label": label, "proba": out["probabilities"].tolist()}}))
    """)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["label"] == list(est.predict(frame.iloc[:20]))
    np.testing.assert_allclose(result["proba"], est.predict_proba(frame.iloc[:20]), atol=1e-5)


def test_the_description_is_stored_in_the_artifact(tmp_path):
    X, y = load_iris(return_X_y=True)
    est = skdeep.MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    description = skdeep.export(est, tmp_path / "sm")
    with open(tmp_path / "sm" / "skdeep.json", encoding="utf-8") as handle:
        assert json.load(handle) == json.loads(json.dumps(description))
    assert description["format"] == "tf_saved_model"
    if not ON_JAX:
        import onnx

        skdeep.export(est, tmp_path / "m.onnx", format="onnx")
        props = {p.key: p.value for p in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
        assert json.loads(props["skdeep"])["inputs"][0]["shape"] == [4]


def test_what_cannot_be_exported_is_named(tmp_path):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="format must be one of"):
        skdeep.export(skdeep.MLPClassifier(max_iter=2).fit(X, y), tmp_path / "x", "pmml")
    with pytest.raises(Exception, match="not fitted"):
        skdeep.export(skdeep.MLPClassifier(), tmp_path / "x")
    onehot = make_pipeline(OneHotEncoder(), skdeep.MLPClassifier(max_iter=2))
    onehot.fit(X[:, :1].round(), y)
    with pytest.raises(ValueError, match="OneHotEncoder"):
        skdeep.export(onehot, tmp_path / "x")
    text = pd.DataFrame({"note": [f"a long note about item {i % 40} and more" for i in
                                  range(60)], "x": np.arange(60.0)})
    tab = skdeep.TabularMLPClassifier(max_iter=2, random_state=0).fit(text, np.arange(60) % 2)
    assert tab._frame_encoder.treatments_["note"] == "words"
    with pytest.raises(ValueError, match=r"\['note'\].*'drop'"):
        skdeep.export(tab, tmp_path / "x")
    from skdeep import CharRNN

    char = CharRNN(max_iter=1, random_state=0).fit(["abcabcabcabc"] * 4)
    with pytest.raises(ValueError, match="CharRNN can be exported with Keras itself"):
        skdeep.export(char, tmp_path / "x")


@pytest.mark.skipif(not ON_JAX, reason="the JAX backend's ONNX route")
def test_onnx_on_jax_says_how_to_export(tmp_path):
    X, y = load_iris(return_X_y=True)
    est = skdeep.MLPClassifier(max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="KERAS_BACKEND=tensorflow"):
        skdeep.export(est, tmp_path / "m.onnx", format="onnx")


@pytest.mark.skipif(ON_JAX, reason="the command line's tests run on TensorFlow")
def test_search_then_export_on_the_command_line(tmp_path, capsys, monkeypatch):
    """``skdeep search --save`` on a messy table, ``skdeep export`` to both formats; the
    artifacts give ``skdeep predict``'s labels on held-out rows."""
    from skdeep.cli import main

    monkeypatch.chdir(tmp_path)  # search writes its plot here
    from skdeep.cli.tables import TableCleaner

    frame, churn = tabular_frame(160)  # numbers with gaps, 40 cities, plans, a flag
    frame.insert(0, "customer", [f"K-{i}" for i in range(160)])  # an identifier: dropped
    frame["joined"] = pd.date_range("2020-03-01", periods=160, freq="W").astype(str)
    frame["member"] = frame["member"].map({True: "yes", False: "no"})
    frame["churn"] = churn
    train, held_out = frame.iloc[:120], frame.iloc[120:].drop(columns="churn")
    train.to_csv(tmp_path / "train.csv", index=False)
    model_file = tmp_path / "churn.skdeep"
    assert main(["search", str(tmp_path / "train.csv"), "-t", "churn", "--cv", "2", "--grid",
                 '{"hidden_layer_sizes": [[8]], "alpha": [0.0001]}', "--max-iter", "20",
                 "--save", str(model_file)]) == 0
    model = skdeep.load(model_file)
    expected = model.predict(held_out)
    cleaned = TableCleaner.transform(model.steps[0][1], held_out)
    for out_name in ("churn.onnx", "churn_model"):
        capsys.readouterr()
        assert main(["export", str(model_file), str(tmp_path / out_name)]) == 0
        printed, notes = capsys.readouterr()
        assert "MLPClassifier as " + ("onnx" if out_name.endswith("onnx") else
                                       "tf_saved_model") in printed
        assert "plan: text" in printed and "joined: float64" in printed
        assert "'joined'] are dates; send days since 1970-01-01" in notes
        description = json.loads(json.dumps(skdeep.export(
            model, tmp_path / ("again_" + out_name),
            format="onnx" if out_name.endswith("onnx") else "tf_saved_model")))
        out = run_artifact(tmp_path / out_name, "onnx" if out_name.endswith("onnx")
                           else "tf_saved_model", frame_feed(cleaned, description))
        assert list(labels(out["label"])) == list(expected)
    code = main(["export", str(tmp_path / "train.csv"), str(tmp_path / "x.onnx")])
    assert code == 2 and "is not a file saved by skdeep.save" in capsys.readouterr().err
