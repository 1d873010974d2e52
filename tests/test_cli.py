"""The ``skdeep`` command line, run as a new user would: a messy CSV, bad invocations."""

import json
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


def test_compare_regression_on_bundled_data(capsys):
    code, out, err = run(["compare", "diabetes", "--models", "tabular,linear", "--cv", "2",
                          "--scoring", "neg_mean_absolute_error"], capsys)
    assert code == 0, err
    assert "target 'target' (regression)" in out and "Ridge" in out
    assert "skdeep.TabularMLPRegressor" in out
    assert "neg_mean_absolute_error" in out


def test_search_saves_plot_and_model(messy_csv, tmp_path, capsys):
    plot_file, model_file = tmp_path / "s.png", tmp_path / "best.skdeep"
    grid = '{"hidden_layer_sizes": [[8], [16]], "alpha": [0.0001]}'
    code, out, err = run(["search", messy_csv, "-t", "churn", "--cv", "2", "--grid", grid,
                          "--max-iter", "30", "--plot", plot_file, "--save", model_file],
                         capsys)
    assert code == 0, err
    assert "2 candidates x 2 folds" in out and "| 1 |" in out and "best:" in out
    assert plot_file.stat().st_size > 1000
    best = skdeep.load(model_file)  # the allow-list covers the CLI's table cleaning
    frame = pd.read_csv(messy_csv).dropna(subset=["churn"])
    assert set(best.predict(frame.drop(columns=["churn"]))) <= {"yes", "no"}


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
])
def test_bad_invocations_get_one_line_and_status_2(args, message, messy_csv, tmp_path, capsys):
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"\x00\xff\xfe" * 50)
    args = [a.replace("{csv}", str(messy_csv)).replace("{bin}", str(binary)) for a in args]
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
