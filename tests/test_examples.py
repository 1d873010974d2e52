"""The example scripts run as a user would run them, and print the course's numbers."""

import os
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def run(name, env=None):
    env = dict(os.environ if env is None else env, MPLBACKEND="Agg")  # figures off screen
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_course_backpropagation_prints_slide_numbers():
    out = run("course_backpropagation.py")
    assert "0.75136507 0.77292847" in out
    assert "w5 after the step: 0.358916" in out
    assert "w1 after the step: 0.149780" in out


def test_xor_perceptron():
    out = run("xor_perceptron.py")
    assert "2 hidden units accuracy: 1.0" in out
    assert "perceptron accuracy: 1.0" not in out
    assert "step network predicts: [-1  1  1 -1] targets: [-1  1  1 -1]" in out


def test_dropout_uncertainty_grows_off_the_data():
    rows = [line.split() for line in run("dropout_uncertainty.py").splitlines()]
    std = {float(r[0]): float(r[2]) for r in rows if len(r) >= 3 and r[0][-2:-1] == "."}
    assert std[3.0] > 3 * std[0.0] and std[-3.0] > 3 * std[0.0]


def test_tabular_defaults_example():
    out = run("tabular_defaults.py")
    scores = {line.split(" accuracy")[0].strip(): float(line.split("accuracy ")[1].split()[0])
              for line in out.splitlines() if " accuracy " in line and "+-" in line}
    assert set(scores) == {"TabularMLPClassifier (defaults)", "HistGradientBoosting",
                           "LogisticRegression"}
    # the untuned network is at least as good as boosting and the linear model here
    assert scores["TabularMLPClassifier (defaults)"] >= scores["HistGradientBoosting"] - 0.01
    assert scores["TabularMLPClassifier (defaults)"] > scores["LogisticRegression"]
    assert "P(churned) for two new customers:" in out


def test_export_serving_example():
    pytest.importorskip("onnxruntime")
    out = run("export_serving.py")
    assert "input region   text   ['east', 'north', 'south']" in out
    onnx_line = next(x for x in out.splitlines() if x.startswith("onnxruntime:"))
    assert float(onnx_line.split("predict_proba ")[1].split(",")[0]) < 1e-5
    assert "labels equal: True" in onnx_line
    saved = next(x for x in out.splitlines() if x.startswith("SavedModel:"))
    assert float(saved.split("predict_proba ")[1]) < 1e-5


def test_mixed_dataframe_example():
    out = run("mixed_dataframe.py")
    for encoding, inputs in (("onehot", 15), ("binary", 8), ("embedding", 5)):
        line = next(x for x in out.splitlines() if x.startswith(encoding))
        assert f"({inputs} network inputs)" in line and float(line.split()[2]) > 0.8


@pytest.mark.slow
def test_grid_search_dropout_example():
    out = run("grid_search_dropout.py")
    assert "best:" in out and float(out.split("test accuracy")[-1]) > 0.95
    assert "(18 fits trained together)" in out  # every dropout candidate's folds grouped


@pytest.mark.slow
def test_drop_in_example():
    out = run("drop_in_for_sklearn.py")
    assert "best parameters" in out and "validation loss per epoch" in out


@pytest.mark.slow
def test_cnn_digits_example():
    out = run("cnn_digits.py")
    assert float(out.split("5-fold accuracy")[1].split()[0]) >= 0.985
    assert "pool_1             (2, 2, 64)" in out


def test_from_scikeras_example():
    out = run("from_scikeras.py")
    assert "6 configurations x 5 folds" in out
    assert float(out.split("test accuracy")[1].split()[0]) > 0.9
    assert "output (ToLogits)" in out


@pytest.mark.slow
def test_rnn_sequences_example():
    out = run("rnn_sequences.py")
    accuracy = {line.split()[0]: float(line.split()[3]) for line in out.splitlines()
                if line.split()[:1] in (["simple"], ["gru"], ["lstm"])}
    assert len(accuracy) == 3 and min(accuracy.values()) > 0.93
    default = [line for line in out.splitlines() if line.startswith("default")]
    assert len(default) == 1 and float(default[0].split()[7]) >= 0.96
    assert "next to a 200-step series: True" in out


@pytest.mark.slow
def test_series_networks_example():
    out = run("series_networks.py")
    accuracy = {line.split(" test accuracy")[0].strip(): float(line.split()[-4])
                for line in out.splitlines() if " test accuracy " in line and " fit " in line}
    assert accuracy["CNNClassifier (residual network)"] > 0.95
    assert accuracy["CNNClassifier, 3 members"] > 0.95
    assert "network input: (None, 12)" in out
    # the baselines' rows when aeon is installed, else what to install
    assert ("1-NN DTW (aeon)" in accuracy) != ("aeon is not installed" in out)
    cv = [line for line in out.splitlines() if "CV accuracy" in line]
    assert len(cv) == 2 and "'fcn'" in cv[0] and "'resnet'" in cv[1]


@pytest.mark.slow
def test_text_generation_example():
    out = run("text_generation.py")
    assert "greedy sample from 'h': hello" in out
    unseen = float(out.split("unseen text")[1].split()[0])
    assert unseen < 31 / 2


def test_grid_search_on_jax_example():
    pytest.importorskip("jax")
    # as a user starts it: no backend chosen yet (this process may have set one)
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    out = run("grid_search_on_jax.py", env=env)
    assert "Keras backend: jax" in out
    cv = [float(line.split(" CV ")[1].split()[0]) for line in out.splitlines() if " CV " in line]
    assert len(cv) == 2 and abs(cv[0] - cv[1]) < 0.02  # skdeep on JAX scores as sklearn does


def test_every_example_is_tested_here():
    source = pathlib.Path(__file__).read_text()
    untested = [p.name for p in EXAMPLES.glob("*.py") if f'"{p.name}"' not in source]
    assert not untested


def numbers(line):
    return [float(t) for t in line.replace(",", " ").split() if t.replace(".", "").isdigit()]


def test_activations_example():
    out = run("plot_activations.py")
    assert "logistic  f(0) = 0.500   max gradient = 0.250" in out
    assert "step      f(0) = 1.000   max gradient = 0.000" in out


@pytest.mark.slow
def test_early_stopping_example():
    out = run("plot_early_stopping.py")
    lines = [line for line in out.splitlines() if line.startswith("patience")]
    assert len(lines) == 2
    short, long = (int(line.split("after ")[1].split()[0]) for line in lines)
    assert short < long < 300  # more patience runs longer, both stop early
    keras_line = next(line for line in out.splitlines() if line.startswith("Keras"))
    stopped = int(keras_line.split("epoch ")[1].split(",")[0])
    kept = int(keras_line.split("kept epoch ")[1].split(",")[0])
    assert kept < stopped and float(keras_line.split()[-1]) > 0.65


@pytest.mark.slow
def test_hidden_units_example():
    out = run("plot_hidden_units_cv.py")
    assert float(out.split("CV accuracy ")[1].split()[0].rstrip(",")) > 0.95
    assert float(out.split("test accuracy ")[1].split()[0]) > 0.93


@pytest.mark.slow
def test_regularization_example():
    rows = {line[:12].strip(): line for line in run("plot_regularization.py").splitlines()}
    test = {name: float(line.split("test ")[1].split()[0]) for name, line in rows.items()}
    assert "train 1.000" in rows["no penalty"]
    assert test["L2: alpha=1"] > test["no penalty"] and test["dropout 0.5"] > test["no penalty"]
    assert "weights below 1e-3: 1%" in rows["no penalty"]


@pytest.mark.slow
def test_optimizers_example():
    final = {line[:19].strip(): float(line.split()[-1]) for line in
             run("plot_optimizers.py").splitlines() if "loss after" in line}
    assert len(final) == 6
    assert final["sgd + momentum 0.9"] < final["sgd"] / 5
    assert max(final.values()) < 0.2


@pytest.mark.slow
def test_batch_modes_example():
    out = run("plot_batch_modes.py")
    lines = {line.split(" ")[0]: line for line in out.splitlines()}
    assert "1000 updates per epoch" in lines["on-line"]
    assert "   1 updates per epoch" in lines["batch"]
    # the same 40 epochs: the more updates per epoch, the further the loss fell
    # (the seconds are printed, not asserted: timings belong to benchmarks/)
    loss = {k: float(v.split("final loss")[1]) for k, v in lines.items()}
    assert loss["batch"] > 1.5 * loss["on-line"] and loss["batch"] > 1.5 * loss["minibatch"]


@pytest.mark.slow
def test_compare_classifiers_example():
    rows = {line.split()[0]: line for line in run("plot_compare_classifiers.py").splitlines()}
    accuracy = {k: float(v.split("accuracy ")[1].split()[0]) for k, v in rows.items()}
    assert accuracy["skdeep.MLPClassifier"] == accuracy["sklearn.MLPClassifier"] > 0.95
    assert len(accuracy) == 5


@pytest.mark.slow
def test_callbacks_progress_example():
    out = run("plot_callbacks_progress.py")
    assert "val_accuracy" in out and "best:" in out
    table = [line.split() for line in out.splitlines() if line[:2].strip().isdigit()]
    assert float(table[4][-1]) < 0.01  # ReduceLROnPlateau lowered the learning rate


def test_out_of_core_parquet_example():
    pytest.importorskip("pyarrow")
    out = run("out_of_core_parquet.py", env=dict(os.environ, SKDEEP_EXAMPLE_ROWS="60000"))
    best = float(out.split("best held-out accuracy")[1].split()[0])
    in_memory = float(out.split("in-memory fit: held-out accuracy")[1].split()[0])
    # chunked partial_fit epochs reach the in-memory fit's quality
    assert best > 0.85 and best >= in_memory - 0.02
    assert "40 row groups" in out


def test_optuna_example_compares_three_searches_on_one_budget():
    out = run("optuna_search.py")
    lines = {line.split(" 12 candidates")[0].strip(): line for line in out.splitlines()
             if "12 candidates" in line}
    assert set(lines) == {"grid search", "OptunaSearchCV", "Optuna pruning"}
    for line in lines.values():
        assert float(line.split(": CV ")[1].split(",")[0]) > 0.95
    assert "(36 fits trained together)" in lines["grid search"]
    pruned = int(lines["Optuna pruning"].split("(")[1].split(" pruned")[0])
    assert 0 < pruned < 12
