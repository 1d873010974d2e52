"""skdeep.save / skdeep.load: atomic files, checked headers, an allow-listed payload."""

import hashlib
import json
import os
import pickle
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pandas as pd
import pytest

import skdeep
from skdeep import (
    CharRNN,
    CNNClassifier,
    KerasRegressor,
    MLPClassifier,
    MLPRegressor,
    RNNSequenceClassifier,
    TabularMLPRegressor,
)

rng = np.random.RandomState(0)
X = rng.rand(80, 4)
y = (X[:, 0] + X[:, 1] > 1).astype(int)
frame = pd.DataFrame({"a": np.where(rng.rand(80) < 0.1, np.nan, X[:, 0]), "b": X[:, 1],
                      "kind": rng.choice(["u", "v", "w"], 80)})
images = rng.rand(40, 6, 6, 2)
sequences = [rng.rand(n, 3) for n in rng.randint(3, 9, 40)]


def fitted():
    """(name, estimator, input) for every kind of estimator."""
    return [
        ("mlp_frame", MLPClassifier(hidden_layer_sizes=(8,), dropout=0.2, missing="impute",
                                    max_iter=20, random_state=0).fit(frame, y), frame),
        ("mlp_regressor", MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=50,
                                       random_state=0).fit(X, X.sum(axis=1)), X),
        ("cnn", CNNClassifier(filters=(4,), max_iter=3, random_state=0).fit(
            images, y[:40]), images),
        ("rnn", RNNSequenceClassifier(units=4, max_iter=3, random_state=0).fit(
            sequences, y[:40]), sequences),
        ("charrnn", CharRNN(units=4, max_iter=3, random_state=0).fit("hello world"),
         ["hel", "wor"]),
        ("tabular_frame", TabularMLPRegressor(hidden_layer_sizes=(8,), max_iter=5,
                                              random_state=0).fit(frame, X.sum(axis=1)), frame),
    ]


def predictions(name, est, data):
    if name == "charrnn":
        return est.predict_proba(data)
    if hasattr(est, "predict_proba"):
        return est.predict_proba(data)
    return est.predict(data)


@pytest.mark.parametrize("format", ["data", "pickle"])
def test_every_estimator_round_trips_in_a_fresh_process(tmp_path, format):
    expected = {}
    for name, est, data in fitted():
        skdeep.save(est, tmp_path / f"{name}.skdeep", format=format)
        assert skdeep.file_info(tmp_path / f"{name}.skdeep")["payload"] == format
        expected[name] = predictions(name, est, data)
        with open(tmp_path / f"{name}.input", "wb") as f:
            pickle.dump(data, f)
    script = (
        "import pickle, sys, numpy as np, skdeep\n"
        "folder = sys.argv[1]\n"
        "for name in sys.argv[3:]:\n"
        "    est = skdeep.load(f'{folder}/{name}.skdeep', allow_pickle=sys.argv[2] == 'pickle')\n"
        "    data = pickle.load(open(f'{folder}/{name}.input', 'rb'))\n"
        "    out = (est.predict_proba(data) if hasattr(est, 'predict_proba')\n"
        "           else est.predict(data))\n"
        "    np.save(f'{folder}/{name}.npy', out)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path), format, *expected],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for name, want in expected.items():
        np.testing.assert_array_equal(np.load(tmp_path / f"{name}.npy"), want, err_msg=name)


RELEASE = os.path.join(os.path.dirname(__file__), "data", "release_0_1_0")


def test_files_saved_by_release_0_1_0_still_load_in_a_fresh_process():
    # written by tests/data/make_release_files.py with skdeep 0.1.0's flat
    # layout (skdeep._mlp.MLPClassifier, skdeep._data.FrameEncoder, ...): both
    # skdeep.save files and plain pickles must load after modules move
    names = sorted(f[: -len(".skdeep")] for f in os.listdir(RELEASE) if f.endswith(".skdeep"))
    assert len(names) == 9
    script = (
        "import os, pickle, sys, warnings, numpy as np, pandas as pd, skdeep\n"
        "folder = sys.argv[1]\n"
        "sys.path.insert(0, os.path.dirname(folder))  # release_model.tiny_network\n"
        "warnings.simplefilter('ignore')  # versions of scikit-learn/Keras may differ\n"
        "for name in sys.argv[2:]:\n"
        "    base = os.path.join(folder, name)\n"
        "    if name == 'cli_search':\n"
        "        data = pd.read_csv(base + '.input.csv').drop(columns=['label'])\n"
        "    else:\n"
        "        data = pickle.load(open(base + '.input.pkl', 'rb'))\n"
        "    want = np.load(base + '.npy')\n"
        "    saved = skdeep.load(base + '.skdeep', trusted=['release_model.tiny_network'])\n"
        "    plain = pickle.load(open(base + '.pkl', 'rb'))\n"
        "    for how, est in (('save', saved), ('pickle', plain)):\n"
        "        out = (est.predict_proba(data) if hasattr(est, 'predict_proba')\n"
        "               else est.predict(data))\n"
        "        np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-7,\n"
        "                                   err_msg=f'{name} ({how})')\n"
        "        print(name, how, type(est).__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, RELEASE, *names],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2 * len(names)


def user_network(input_shape, n_outputs):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(4, activation="relu"),
                             keras.layers.Dense(n_outputs)])


def test_your_own_model_function_needs_trust(tmp_path):
    est = KerasRegressor(user_network, max_iter=3, random_state=0).fit(X, X[:, 0])
    with pytest.raises(ValueError, match=rf"cannot be saved as data: .*function {__name__}"
                       r"\.user_network is code.*format='pickle'"):
        skdeep.save(est, tmp_path / "own.skdeep", format="data")
    path = skdeep.save(est, tmp_path / "own.skdeep")  # 'auto': the pickle format
    assert skdeep.file_info(path)["payload"] == "pickle"
    with pytest.raises(ValueError, match="allow_pickle=False loads data files only"):
        skdeep.load(path, allow_pickle=False)
    name = f"{__name__}.user_network"
    with pytest.raises(pickle.UnpicklingError, match=rf"refers to {name}.*trusted=\['{name}'\]"):
        skdeep.load(path)
    again = skdeep.load(path, trusted=[name])
    np.testing.assert_array_equal(again.predict(X), est.predict(X))


def test_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.skdeep"
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, y)
    skdeep.save(est, path)
    before = path.read_bytes()
    original = zipfile.ZipFile.writestr

    def crash(self, name, data, *args, **kwargs):
        if name != "skdeep.json":  # the payload, after the header
            raise KeyboardInterrupt  # Ctrl-C (or a full disk) in the middle of the write
        return original(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", crash)
    with pytest.raises(KeyboardInterrupt):
        skdeep.save(MLPClassifier(hidden_layer_sizes=(9,), max_iter=3).fit(X, y), path)
    assert path.read_bytes() == before  # the old file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.skdeep"]  # no temp file left


def _archive(path, header, payload):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skdeep.json", json.dumps(header))
        archive.writestr("estimator.pkl", payload)


class Exploit:
    def __reduce__(self):
        return (os.system, ("echo owned",))


def test_foreign_newer_altered_or_malicious_files_are_refused(tmp_path):
    good = tmp_path / "good.skdeep"
    skdeep.save(MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, y), good,
                format="pickle")
    with zipfile.ZipFile(good) as archive:
        header = json.loads(archive.read("skdeep.json"))
        payload = archive.read("estimator.pkl")

    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(ValueError, match="not a zip archive"):
        skdeep.load(plain)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("data.csv", "a,b\n")
    with pytest.raises(ValueError, match="without the members skdeep.save writes"):
        skdeep.load(other)
    newer = tmp_path / "newer.skdeep"
    _archive(newer, {**header, "format_version": 99}, payload)
    with pytest.raises(ValueError, match="newer skdeep.*Upgrade"):
        skdeep.load(newer)
    altered = tmp_path / "altered.skdeep"
    _archive(altered, header, payload[:-1] + bytes([payload[-1] ^ 1]))
    with pytest.raises(ValueError, match="altered after saving"):
        skdeep.load(altered)
    evil = tmp_path / "evil.skdeep"
    bad = pickle.dumps(Exploit())
    _archive(evil, {**header, "sha256": hashlib.sha256(bad).hexdigest()}, bad)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        skdeep.load(evil)
    old = tmp_path / "old.skdeep"
    _archive(old, {**header, "versions": {**header["versions"], "skdeep": "0.0.1"}}, payload)
    with pytest.warns(UserWarning, match="saved with skdeep 0.0.1"):
        skdeep.load(old)
    with pytest.raises(FileNotFoundError):
        skdeep.load(tmp_path / "missing.skdeep")


def test_pickles_record_the_skdeep_version():
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, y)
    state = est.__getstate__()
    assert state["_skdeep_version"] == skdeep.__version__
    data = pickle.dumps(est).replace(skdeep.__version__.encode(), b"0.0.0")
    with pytest.warns(UserWarning, match="pickled with skdeep 0.0.0"):
        pickle.loads(data)


@pytest.mark.parametrize("how", [
    "import skdeep\nmodel = skdeep.load(sys.argv[1])",
    "import skdeep, keras\nmodel = keras.saving.load_model(sys.argv[1])",
    "import keras, skdeep\nmodel = keras.saving.load_model(sys.argv[1])",
], ids=["skdeep.load", "skdeep-then-keras", "keras-then-skdeep"])
def test_a_keras_file_with_skdeeps_layers_loads_in_a_fresh_process(tmp_path, how):
    """``est.model_.save("net.keras")``: skdeep.load reads it, and so does Keras' own
    load_model once skdeep is imported, in either order (skdeep registers its layers
    when Keras is imported)."""
    est = MLPClassifier(hidden_layer_sizes=(8,), dropout=0.2, dropconnect=0.1,
                        batch_normalization=True, max_iter=5, random_state=0)
    est.fit(X, y)
    path = tmp_path / "net.keras"
    est.model_.save(path)
    np.save(tmp_path / "X.npy", X)
    script = (f"import sys, numpy as np\n{how}\n"
              "np.save(sys.argv[2], model.predict(np.load(sys.argv[3]), verbose=0))\n")
    result = subprocess.run([sys.executable, "-c", script, str(path), str(tmp_path / "p.npy"),
                             str(tmp_path / "X.npy")], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.load(tmp_path / "p.npy")[:, 0], est.predict_proba(X)[:, 1],
                               rtol=1e-5)


def test_load_goes_by_the_content_not_the_name(tmp_path):
    """A skdeep file named .keras is skdeep's; a Keras file named .skdeep is Keras';
    a file that is neither is refused as such, not as missing."""
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    ours = skdeep.save(est, tmp_path / "model.keras")
    np.testing.assert_array_equal(skdeep.load(ours).predict(X), est.predict(X))
    theirs = tmp_path / "net.keras"
    est.model_.save(theirs)
    renamed = tmp_path / "net.skdeep"
    renamed.write_bytes(theirs.read_bytes())
    assert isinstance(skdeep.load(renamed), keras.Model)
    garbage = tmp_path / "garbage.keras"
    garbage.write_text("not a model")
    with pytest.raises(ValueError, match="not a file saved by skdeep.save nor a Keras .keras"):
        skdeep.load(garbage)
    with pytest.raises(ValueError, match="is a folder"):
        skdeep.load(tmp_path)


def test_a_damaged_file_is_a_value_error_or_loads_intact(tmp_path):
    """One flipped byte anywhere in a saved file: a ValueError naming the file (never
    zipfile's or zlib's own error), or -- a byte zip does not check, like a timestamp --
    the same estimator, predicting the same."""
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    skdeep.save(est, tmp_path / "m.skdeep")
    raw = (tmp_path / "m.skdeep").read_bytes()
    expected = est.predict(X)
    outcomes = {"refused": 0, "intact": 0}
    for position in range(0, len(raw), max(1, len(raw) // 150)):
        damaged = bytearray(raw)
        damaged[position] ^= 0xFF
        path = tmp_path / "damaged.skdeep"
        path.write_bytes(bytes(damaged))
        try:
            loaded = skdeep.load(path)
        except ValueError as exc:
            assert "damaged.skdeep" in str(exc)
            outcomes["refused"] += 1
            continue
        np.testing.assert_array_equal(loaded.predict(X), expected)
        outcomes["intact"] += 1
    assert outcomes["refused"] > 100


@pytest.mark.parametrize("version", ["abc", 1.5, None, True, [1]])
def test_an_unreadable_format_version_is_named(tmp_path, version):
    good = skdeep.save(MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, y),
                       tmp_path / "good.skdeep", format="pickle")
    with zipfile.ZipFile(good) as archive:
        header = json.loads(archive.read("skdeep.json"))
        payload = archive.read("estimator.pkl")
    odd = tmp_path / "odd.skdeep"
    _archive(odd, {**header, "format_version": version}, payload)
    with pytest.raises(ValueError, match=r"unreadable skdeep header: format_version is "):
        skdeep.load(odd)


def _data_archive(path, header, tree, arrays_bytes):
    text = json.dumps(tree).encode()
    digest = hashlib.sha256(text + arrays_bytes).hexdigest()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("skdeep.json", json.dumps({**header, "sha256": digest}))
        archive.writestr("estimator.json", text)
        archive.writestr("arrays.npz", arrays_bytes)


def test_a_data_file_names_no_code_and_a_crafted_one_cannot_run_any(tmp_path):
    import io

    good = skdeep.save(MLPClassifier(hidden_layer_sizes=(4,), max_iter=3,
                                     missing="impute").fit(frame, y),
                       tmp_path / "good.skdeep")
    with zipfile.ZipFile(good) as archive:
        header = json.loads(archive.read("skdeep.json"))
        text = archive.read("estimator.json").decode()
        arrays = archive.read("arrays.npz")
    assert header["payload"] == "data" and header["format_version"] == 2
    assert "skdeep:MLPClassifier" in text and "skdeep.builders:build_mlp" in text
    pickled = io.BytesIO()
    np.savez(pickled, np.array([Exploit()], dtype=object))  # an object array is a pickle
    crafted = [
        ({"function": "os:system"}, arrays, "may not hold"),
        ({"object": "subprocess:Popen", "state": {"dict": []}}, arrays, "may not hold"),
        ({"class": "builtins:eval"}, arrays, "may not hold"),
        ({"object": "skdeep.builders:build_mlp", "state": {"dict": []}}, arrays, "not one"),
        ({"array": 0}, pickled.getvalue(), "cannot be read as data"),
        ({"__reduce__": ["os:system", "echo owned"]}, arrays, "unknown kind"),
    ]
    for i, (evil, data, message) in enumerate(crafted):
        path = tmp_path / f"evil{i}.skdeep"
        _data_archive(path, header, evil, data)
        with pytest.raises(ValueError, match=message):
            skdeep.load(path, allow_pickle=False)
    deep = tmp_path / "deep.skdeep"  # nesting past the recursion limit
    text_deep = ("[" * 100_000 + "]" * 100_000).encode()
    with zipfile.ZipFile(deep, "w") as archive:
        archive.writestr("skdeep.json", json.dumps(
            {**header, "sha256": hashlib.sha256(text_deep + arrays).hexdigest()}))
        archive.writestr("estimator.json", text_deep)
        archive.writestr("arrays.npz", arrays)
    with pytest.raises(ValueError, match="unreadable estimator.json"):
        skdeep.load(deep)
    # one changed number in the JSON (a weight's dtype, a parameter) breaks the checksum
    with zipfile.ZipFile(tmp_path / "altered.skdeep", "w") as archive:
        archive.writestr("skdeep.json", json.dumps(header))
        assert '["max_iter",3]' in text
        archive.writestr("estimator.json", text.replace('["max_iter",3]', '["max_iter",4]'))
        archive.writestr("arrays.npz", arrays)
    with pytest.raises(ValueError, match="altered after saving"):
        skdeep.load(tmp_path / "altered.skdeep")
    again = skdeep.load(good, allow_pickle=False)
    np.testing.assert_array_equal(again.predict_proba(frame),
                                  skdeep.load(good).predict_proba(frame))


def test_searches_pipelines_and_the_cli_model_save_as_data(tmp_path):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    search = GridSearchCV(make_pipeline(StandardScaler(), MLPRegressor(max_iter=5,
                                                                       random_state=0)),
                          {"mlpregressor__alpha": [1e-4, 1e-2]}, cv=2).fit(X, X.sum(axis=1))
    path = skdeep.save(search, tmp_path / "search.skdeep", format="data")
    back = skdeep.load(path, allow_pickle=False)
    np.testing.assert_array_equal(back.predict(X), search.predict(X))
    assert back.best_params_ == search.best_params_
    np.testing.assert_array_equal(back.cv_results_["mean_test_score"],
                                  search.cv_results_["mean_test_score"])
    with pytest.raises(ValueError, match="format must be 'auto', 'data' or 'pickle'"):
        skdeep.save(search, tmp_path / "x.skdeep", format="json")
