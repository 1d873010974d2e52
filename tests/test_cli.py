"""The ``skdeep`` command line, run as a new user would: a messy CSV, bad invocations."""

import contextlib
import io
import json
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import skdeep
from skdeep.cli import main


@pytest.fixture(scope="module")
def messy_csv(tmp_path_factory):
    """Mixed types, missing values, a string target, an ID, a constant and a date column."""
    rng = np.random.RandomState(0)
    n = 150
    calls = rng.poisson(3, n)
    plan = rng.choice(["basic", "pro"], n)
    churn = np.where(calls + 2 * (plan == "basic") + rng.randn(n) > 4, "yes", "no")
    frame = pd.DataFrame({
        "id": [f"C{i:04d}" for i in range(n)],
        "age": np.where(rng.rand(n) < 0.1, np.nan, rng.randint(18, 80, n)),
        "plan": plan,
        "region": rng.choice(["north", "south", None], n),
        "signup": pd.date_range("2021-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
        "calls": calls,
        "newsletter": rng.rand(n) < 0.5,
        "country": "NO",
        "churn": churn,
    })
    frame.loc[3, "churn"] = None
    path = tmp_path_factory.mktemp("cli") / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def run(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_on_a_messy_csv(messy_csv, tmp_path, capsys):
    json_file, plot_file = tmp_path / "r.json", tmp_path / "r.png"
    code, out, err = run(["compare", messy_csv, "--target", "churn", "--cv", "3",
                          "--models", "skdeep-mlp,linear,hgb", "--json", json_file,
                          "--plot", plot_file], capsys)
    assert code == 0, err
    assert "149 rows, 6 features" in out  # one row without target, id and country dropped
    for note in ("dropped 1 rows without a target", "dropped column 'id'",
                 "dropped column 'country': it holds one value",
                 "column 'signup' (dates as text) converted"):
        assert note in err
    table = [line for line in out.splitlines() if line.startswith("| ") and "rank" not in line]
    assert len(table) == 3
    scores = [float(line.split("|")[3].split("±")[0]) for line in table]
    assert scores == sorted(scores, reverse=True)  # best first
    result = json.loads(json_file.read_text())
    assert result["task"] == "classification" and result["scoring"] == "accuracy"
    assert {r["model"] for r in result["results"]} == {
        "skdeep.MLPClassifier", "LogisticRegression", "HistGradientBoosting"}
    assert all(len(r["scores"]) == 3 and r["mean"] > 0.7 for r in result["results"])
    assert plot_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_trains_scikit_learns_models_while_keras_starts(messy_csv, tmp_path):
    # a fresh process, as a user runs it: Keras starts in a background thread
    # while LogisticRegression trains; each model's line comes as it finishes,
    # and TensorFlow's C++ start-up lines stay silenced
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # a user's
    result = subprocess.run(
        [sys.executable, "-m", "skdeep", "compare", str(messy_csv), "-t", "churn", "--cv", "2",
         "--models", "skdeep-mlp,linear"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    err = result.stderr
    first = err.index("[1/2] LogisticRegression: ")
    started = err.index("note: Keras started in")
    assert first < started < err.index("[2/2] skdeep.MLPClassifier: ")
    assert "of it while scikit-learn's models trained" in err
    startup = ("oneDNN", "cuda drivers", "absl::InitializeLog", "cpu_feature_guard")
    assert not any(word in err for word in startup), err
    assert "| 1 |" in result.stdout and "| 2 |" in result.stdout


def test_compare_regression_on_bundled_data(capsys):
    code, out, err = run(["compare", "diabetes", "--models", "tabular,linear", "--cv", "2",
                          "--scoring", "neg_mean_absolute_error"], capsys)
    assert code == 0, err
    assert "target 'target' (regression)" in out and "Ridge" in out
    assert "skdeep.TabularMLPRegressor" in out
    assert "neg_mean_absolute_error" in out


@pytest.fixture(scope="module")
def searched(messy_csv, tmp_path_factory):
    """``skdeep search --save`` on the messy table: (exit code, out, err, plot, model file)."""
    folder = tmp_path_factory.mktemp("search")
    plot_file, model_file = folder / "s.png", folder / "best.skdeep"
    grid = '{"hidden_layer_sizes": [[8], [16]], "alpha": [0.0001]}'
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["search", str(messy_csv), "-t", "churn", "--cv", "2", "--grid", grid,
                     "--max-iter", "30", "--plot", str(plot_file), "--save", str(model_file)])
    return code, out.getvalue(), err.getvalue(), plot_file, model_file


def test_search_saves_plot_and_model(messy_csv, searched):
    code, out, err, plot_file, model_file = searched
    assert code == 0, err
    assert "2 candidates x 2 folds" in out and "| 1 |" in out and "best:" in out
    assert plot_file.stat().st_size > 1000
    best = skdeep.load(model_file)  # the allow-list covers the CLI's table cleaning
    frame = pd.read_csv(messy_csv).dropna(subset=["churn"])
    assert set(best.predict(frame.drop(columns=["churn"]))) <= {"yes", "no"}


def test_predict_writes_a_prediction_per_row_in_order(messy_csv, searched, tmp_path, capsys):
    model_file = searched[4]
    frame = pd.read_csv(messy_csv)
    new = frame.drop(columns=["churn"]).iloc[::-1].head(40)  # new rows, another order
    european = tmp_path / "new.csv"  # as a European spreadsheet writes them
    new.assign(age=new["age"] + 0.5).to_csv(european, sep=";", decimal=",", index=False)
    expected = skdeep.load(model_file).predict(new.assign(age=new["age"] + 0.5))
    code, out, err = run(["predict", model_file, european, "--id", "id"], capsys)
    assert code == 0, err
    written = pd.read_csv(io.StringIO(out))
    assert list(written.columns) == ["id", "predicted_churn"]
    assert written["id"].tolist() == new["id"].tolist()
    assert written["predicted_churn"].tolist() == list(expected)
    assert "read decimal commas" in err
    # probabilities, to a Parquet file, with the target column present (and unused)
    out_file = tmp_path / "p.parquet"
    code, out, err = run(["predict", model_file, messy_csv, "--proba", "-o", out_file], capsys)
    assert code == 0, err
    proba = pd.read_parquet(out_file)
    assert list(proba.columns) == ["proba_no", "proba_yes"] and len(proba) == len(frame)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert "'churn' (the target the model learned) is not used" in err


def test_info_says_what_a_saved_model_holds(searched, capsys):
    code, out, err = run(["info", searched[4]], capsys)
    assert code == 0, err
    assert "Pipeline ending in MLPClassifier" in out
    assert "classes: ['no', 'yes']" in out and "target: churn" in out
    assert "cv score: 0." in out and "scoring: accuracy" in out
    assert "columns (6): age, plan, region, signup, calls, newsletter" in out
    assert "saved with: skdeep " in out
    assert "file format: data (JSON and arrays; loads without running code)" in out
    assert skdeep.file_info(searched[4])["about"]["cv_folds"] == 2


def test_predict_and_info_refuse_bad_files_and_tables_in_one_line(searched, tmp_path, capsys):
    model_file = searched[4]
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    lacking = tmp_path / "lacking.csv"
    pd.DataFrame({"age": [30.0], "calls": [2]}).to_csv(lacking, index=False)
    cases = [
        (["predict", tmp_path / "none.skdeep", lacking], "no such model file"),
        (["predict", text, lacking], "is not a file saved by skdeep.save"),
        (["info", text], "is not a file saved by skdeep.save"),
        (["predict", model_file, lacking],
         "the table lacks column(s) ['plan', 'region', 'signup', 'newsletter']"),
        (["predict", model_file, lacking, "--id", "key"], "no column 'key' for --id"),
    ]
    for args, message in cases:
        code, out, err = run(args, capsys)
        assert code == 2 and out == "", (args, out)
        assert message in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("args,message", [
    (["compare", "missing.csv", "-t", "y"], "no such file or bundled data set"),
    (["compare", "{csv}", "-t", "nope"], "no column 'nope'; the columns are ['id', 'age'"),
    (["compare", "{csv}", "-t", "country"], "has one class ('NO')"),
    (["compare", "{csv}"], "--target COL is required"),
    (["compare", "{csv}", "-t", "churn", "--cv", "200"], "too few rows for 200-fold CV"),
    (["compare", "{csv}", "-t", "churn", "--models", "svm"], "unknown --models"),
    (["compare", "{csv}", "-t", "churn", "--scoring", "acuracy"], "did you mean accuracy"),
    (["compare", "{csv}", "-t", "plan", "--task", "regression"], "needs a numeric target"),
    (["search", "{csv}", "-t", "churn", "--grid", "{bad"], "--grid is not valid JSON"),
    (["search", "{csv}", "-t", "churn", "--grid", '{"units": [1]}'], "unknown parameter(s)"),
    (["compare", "{bin}", "-t", "y"], "cannot read"),
    (["compare", "{csv}", "-t", "churn", "--n-jobs", "0"], "--n-jobs must not be 0"),
    (["compare", "{csv}", "-t", "churn", "--seed", "-1"], "--seed must be from 0 to"),
    (["compare", "{csv}", "-t", "churn", "--cv", "1"], "--cv must be at least 2, got 1"),
    (["search", "{csv}", "-t", "churn", "--max-iter", "0"], "--max-iter must be at least 1"),
    (["compare", "{csv}", "-t", "churn", "--sep", "ab"], "--sep takes one punctuation"),
    (["compare", "{csv}", "-t", "churn", "--scoring", "r2"], "--scoring 'r2' cannot score "
                                                             "classes"),
    (["compare", "diabetes", "--scoring", "accuracy"], "--scoring 'accuracy' cannot score a "
                                                       "numeric (regression) target"),
    (["compare", "{csv}", "-t", "churn", "--scoring", "roc_auc", "--models", "linear"],
     None),  # two classes: roc_auc works (no error line; the run itself is not checked)
    (["compare", "{odd}", "-t", "constant"], "target 'constant' is constant (3 in every row)"),
    (["compare", "{odd}", "-t", "empty", "--task", "classification"],
     "target 'empty' has no values"),
    (["compare", "{odd}", "-t", "infinite"], "target 'infinite' holds 1 infinite value(s)"),
    (["compare", "{odd}", "-t", "y"], "column(s) ['big', 'infinite'] hold infinite values"),
    (["compare", "{odd}", "-t", "rare", "--cv", "2"], "class(es) ['c'] of target 'rare' have a "
                                                      "single row"),
])
def test_bad_invocations_get_one_line_and_status_2(args, message, messy_csv, tmp_path, capsys):
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"\x00\xff\xfe" * 50)
    rng = np.random.RandomState(0)
    odd = pd.DataFrame({"x": rng.randn(40), "big": np.r_[np.inf, rng.randn(39)],
                        "constant": 3.0, "empty": np.nan,
                        "infinite": np.r_[-np.inf, rng.randn(39)],
                        "rare": ["a"] * 20 + ["b"] * 19 + ["c"], "y": rng.randn(40)})
    odd_csv = tmp_path / "odd.csv"
    odd.to_csv(odd_csv, index=False)
    args = [a.replace("{csv}", str(messy_csv)).replace("{bin}", str(binary))
            .replace("{odd}", str(odd_csv)) for a in args]
    if message is None:
        args += ["--cv", "2"]
        code, out, err = run(args, capsys)
        assert code == 0 and "error:" not in err, err
        return
    code, out, err = run(args, capsys)
    assert code == 2
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], err


def test_help_is_instant_and_imports_no_tensorflow():
    code = ("import sys, time; t = time.perf_counter(); from skdeep.cli import main\n"
            "try: main(['compare', '--help'])\n"
            "except SystemExit: pass\n"
            "assert 'tensorflow' not in sys.modules and 'sklearn' not in sys.modules\n"
            "print(time.perf_counter() - t)")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "--target COL" in result.stdout
    assert float(result.stdout.splitlines()[-1]) < 0.5
    assert time.perf_counter() - start < 5  # interpreter start included, on a loaded CI box
    bad = subprocess.run([sys.executable, "-m", "skdeep", "compare", "--cv", "x"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- CSV dialects
def _dialect_frame(seed):
    rng = np.random.RandomState(seed)
    n = 40
    frame = pd.DataFrame({
        "temp": rng.normal(20, 5, n).round(2),
        "price": (rng.rand(n) * 30000 - 100).round(2),
        "count": rng.randint(0, 500, n),
        "city": rng.choice(["Oslo", "Roma", "Lyon"], n),
        "y": rng.choice(["warm", "cold"], n),
    })
    frame.loc[rng.rand(n) < 0.1, "temp"] = np.nan
    return frame


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
@pytest.mark.parametrize("decimal", [".", ","])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_csv_dialects_are_read_as_the_numbers_they_hold(sep, decimal, seed, tmp_path):
    """Every separator and decimal mark pandas writes: the numbers come back as numbers,
    detected without options; the one ambiguous case (decimal commas in a comma-separated
    file, quoted) is refused with a hint naming --decimal, and read with it."""
    from skdeep.cli.tables import CLIError, load_table

    frame = _dialect_frame(seed)
    path = tmp_path / "t.csv"
    frame.to_csv(path, sep=sep, decimal=decimal, index=False)
    if sep == "," and decimal == ",":
        with pytest.raises(CLIError, match="pass --decimal , if the comma is the decimal mark"):
            load_table(str(path), "y")
        read, _, _, _ = load_table(str(path), "y", decimal=",")
    else:
        read, target, _, notes = load_table(str(path), "y")
        assert target == "y"
        if decimal == ",":
            assert any("decimal commas" in note for note in notes)
    assert list(read.columns) == list(frame.columns)
    for name in ("temp", "price", "count"):
        assert pd.api.types.is_numeric_dtype(read[name]), (name, read[name].dtype)
        np.testing.assert_allclose(read[name].to_numpy(float), frame[name].to_numpy(float))
    assert list(read["city"]) == list(frame["city"])


def test_thousands_grouped_by_dots_in_a_european_file(tmp_path):
    from skdeep.cli.tables import load_table

    path = tmp_path / "eu.csv"
    path.write_text("amount;label\n1.234,5;a\n-12,25;b\n7;a\n2.000.000,0;b\n")
    read, _, _, _ = load_table(str(path), "label")
    np.testing.assert_allclose(read["amount"], [1234.5, -12.25, 7.0, 2e6])


def test_a_european_csv_is_compared_on_its_numbers(tmp_path, capsys):
    frame = _dialect_frame(0)
    frame["y"] = np.where(frame["temp"].fillna(20) > 20, "warm", "cold")
    path = tmp_path / "eu.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)
    code, out, err = run(["compare", path, "-t", "y", "--models", "linear", "--cv", "2"],
                         capsys)
    assert code == 0, err
    assert "4 features (3 numeric, 1 categorical" in out
    assert "separator ';'" in err and "decimal commas in column(s) ['temp', 'price']" in err


def test_numbers_with_missing_value_markers_stay_numbers(tmp_path, capsys):
    """UCI-style '?' for missing values: the column is numbers with gaps (a note says
    so), not text with a different value in every row dropped as an identifier."""
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.randn(80).round(4).astype(object), "z": rng.randn(80),
                          "y": rng.choice(["a", "b"], 80)})
    frame.loc[[3, 10, 40], "x"] = "?"
    path = tmp_path / "uci.csv"
    frame.to_csv(path, index=False)
    code, out, err = run(["compare", path, "-t", "y", "--models", "linear", "--cv", "2"],
                         capsys)
    assert code == 0, err
    assert "column 'x' holds numbers; its 3 other value(s) ['?'] read as missing" in err
    assert "2 features (2 numeric, 0 categorical; 3 missing values)" in out


def test_compare_report_holds_the_table_notes_and_chart_in_one_file(messy_csv, tmp_path, capsys):
    import base64
    import re

    for suffix in (".html", ".md"):
        report = tmp_path / f"report{suffix}"
        code, out, err = run(["compare", messy_csv, "-t", "churn", "--cv", "3",
                              "--models", "linear,hgb", "--report", report], capsys)
        assert code == 0, err
        text = report.read_text(encoding="utf-8")
        for row in (line for line in out.splitlines() if line.startswith("| 1 |")):
            model = row.split(" | ")[1]
            assert model in text  # the printed table's best model, in the report
        assert "LogisticRegression" in text and "HistGradientBoosting" in text
        assert "dropped column" in text and "scoring accuracy" in text  # the notes
        png = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text).group(1)
        assert base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"report written to {report}" in err
    assert text.startswith("# customers.csv: 3-fold CV")
    start = time.perf_counter()
    code, _, err = run(["compare", messy_csv, "-t", "churn", "--report", tmp_path / "r.pdf"],
                       capsys)
    assert code == 2 and "--report writes .html or .md files" in err
    assert time.perf_counter() - start < 5  # refused before any model trains


def test_compare_counts_each_models_folds_on_a_terminal(messy_csv, capsys, monkeypatch):
    from skdeep.cli import progress

    code, out, err = run(["compare", messy_csv, "-t", "churn", "--cv", "3",
                          "--models", "linear"], capsys)
    assert code == 0 and "fold 1/3" not in err  # not a terminal: no progress line
    monkeypatch.setattr(progress, "live", lambda: True)
    code, out, err = run(["compare", messy_csv, "-t", "churn", "--cv", "3",
                          "--models", "linear,hgb"], capsys)
    assert code == 0, err
    assert err.count("fold 3/3") == 2 and "fold 1/3" in err and "\r\x1b[K" in err
    assert "| 1 |" in out and "fold 1/3" not in out  # the table stays clean
