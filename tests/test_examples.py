"""The example scripts run as a user would run them, and print the course's numbers."""

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def run(name):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=600
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


@pytest.mark.slow
def test_drop_in_example():
    out = run("drop_in_for_sklearn.py")
    assert "best parameters" in out and "validation loss per epoch" in out
