"""skdeep.plotting's displays, rendered to PNG."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skdeep import CharRNN, MLPClassifier, MLPRegressor  # noqa: E402
from skdeep.plotting import (  # noqa: E402
    LossCurveDisplay,
    PredictionIntervalDisplay,
    ScoreComparisonDisplay,
    SearchResultsDisplay,
)

X, y = make_classification(n_samples=200, n_features=6, random_state=0)


def png(display, tmp_path):
    path = tmp_path / "figure.png"
    display.figure_.savefig(path)
    plt.close(display.figure_)
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_loss_curve_of_an_estimator_a_pipeline_and_a_search(tmp_path):
    clf = MLPClassifier(hidden_layer_sizes=(8,), early_stopping=True, max_iter=40,
                        learning_rate_init=0.01, random_state=0).fit(X, y)
    display = LossCurveDisplay.from_estimator(clf)
    assert png(display, tmp_path)
    np.testing.assert_array_equal(display.lines_["training loss"].get_ydata(), clf.loss_curve_)
    np.testing.assert_array_equal(display.lines_["validation score"].get_ydata(),
                                  clf.validation_scores_)
    best = int(np.argmax(clf.validation_scores_)) + 1
    assert display.lines_["best epoch"].get_xdata()[0] == best
    assert display.ax_.get_xlabel() == "epoch"

    search = GridSearchCV(make_pipeline(StandardScaler(), MLPClassifier(max_iter=5)),
                          {"mlpclassifier__alpha": [1e-4, 1e-2]}, cv=2).fit(X, y)
    shown = LossCurveDisplay.from_estimator(search)
    assert list(shown.lines_) == ["training loss"]  # no early stopping, no validation
    np.testing.assert_array_equal(shown.lines_["training loss"].get_ydata(),
                                  search.best_estimator_[-1].loss_curve_)
    assert png(shown, tmp_path)
    text = LossCurveDisplay.from_estimator(CharRNN(units=4, max_iter=3).fit("hello"))
    assert len(text.lines_["training loss"].get_ydata()) == 3
    with pytest.raises(TypeError, match="no loss curve"):
        LossCurveDisplay.from_estimator(StandardScaler().fit(X))


def test_prediction_interval_display(tmp_path):
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (150, 1))
    target = np.sin(3 * x[:, 0]) + 0.1 * rng.randn(150)
    reg = MLPRegressor(hidden_layer_sizes=(32,), dropout=0.2, max_iter=100,
                       learning_rate_init=0.01, random_state=0).fit(x, target)
    display = PredictionIntervalDisplay.from_estimator(reg, x, target, confidence=0.8)
    assert png(display, tmp_path)
    xs = display.lines_["mean prediction"].get_xdata()
    assert np.all(np.diff(xs) >= 0)  # sorted along the input
    assert np.all(display.lower <= display.upper)
    assert display.lines_["interval"].get_label() == "80% interval"
    several = PredictionIntervalDisplay.from_estimator(
        MLPRegressor(hidden_layer_sizes=(8,), dropout=0.1, max_iter=5).fit(X, y), X)
    assert several.xlabel == "sample (by mean prediction)"


def test_score_comparison_and_search_results(tmp_path):
    rows = [{"model": "skdeep.MLPClassifier", "mean": 0.9, "std": 0.02},
            {"model": "RandomForest", "mean": 0.8, "std": 0.05}]
    display = ScoreComparisonDisplay.from_results(rows, scoring="accuracy")
    assert [b.get_width() for b in display.bars_] == [0.9, 0.8]
    assert png(display, tmp_path)

    search = GridSearchCV(MLPClassifier(max_iter=5, random_state=0),
                          {"hidden_layer_sizes": [(4,), (8,)], "alpha": [1e-4, 1e-1]},
                          cv=2).fit(X, y)
    curve = SearchResultsDisplay.from_search(search, param="hidden_layer_sizes")
    assert sorted(curve.lines_) == ["alpha=0.0001", "alpha=0.1"]
    mean = search.cv_results_["mean_test_score"]
    got = np.concatenate([line.get_ydata() for line in curve.lines_.values()])
    np.testing.assert_allclose(np.sort(got), np.sort(mean))
    assert png(curve, tmp_path)
