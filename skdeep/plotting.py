"""scikit-learn-style Display objects for skdeep's estimators and command line.

Each display is built from data (its constructor) or from a fitted object
(``from_estimator`` / ``from_search`` / ``from_results``) and draws with
:meth:`plot`, keeping the matplotlib objects it made as ``ax_``, ``figure_``
and ``lines_``, as scikit-learn's displays do. matplotlib is an optional
dependency (``pip install "skdeep[plot]"``), imported only when plotting.
"""

import numpy as np

__all__ = [
    "LossCurveDisplay",
    "PredictionIntervalDisplay",
    "ScoreComparisonDisplay",
    "SearchResultsDisplay",
]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - exercised without matplotlib only
        raise ImportError(
            "skdeep.plotting needs matplotlib: pip install matplotlib (or "
            '"skdeep[plot]").'
        ) from None
    return plt


def _axes(ax):
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _network(estimator):
    """The fitted skdeep network inside a search, a Pipeline or a CharRNN."""
    seen = estimator
    for _ in range(5):
        if hasattr(seen, "best_estimator_"):
            seen = seen.best_estimator_
        elif hasattr(seen, "steps"):
            seen = seen.steps[-1][1]
        elif hasattr(seen, "network_"):
            seen = seen.network_
        else:
            break
    if not hasattr(seen, "loss_curve_"):
        raise TypeError(
            f"{type(estimator).__name__} has no loss curve: pass a fitted skdeep estimator "
            "(or a fitted Pipeline / search whose final or best estimator is one)."
        )
    return seen


class LossCurveDisplay:
    """Training loss, validation loss and validation score per epoch.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss per epoch.
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Loss on the validation split per epoch (early stopping).
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score per epoch (accuracy or R^2).
    best_epoch : int, default=None
        0-based epoch whose weights were kept (marked with a vertical line).
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the loss curves.
    score_ax_ : matplotlib Axes or None
        Twin axes with the validation score.
    figure_ : matplotlib Figure
        Figure holding the axes.
    lines_ : dict of str to Line2D
        The drawn lines by name.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdeep.plotting import LossCurveDisplay
    >>> display = LossCurveDisplay([1.0, 0.5, 0.4], [1.1, 0.7, 0.8], [0.5, 0.8, 0.7],
    ...                            best_epoch=1).plot()
    >>> sorted(display.lines_)
    ['best epoch', 'training loss', 'validation loss', 'validation score']
    """

    def __init__(self, loss_curve, validation_loss_curve=None, validation_scores=None,
                 best_epoch=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.best_epoch = best_epoch
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Plot the curves of a fitted estimator, Pipeline or search.

        Parameters
        ----------
        estimator : estimator
            A fitted skdeep estimator, or a fitted Pipeline / GridSearchCV /
            CharRNN around one (its final or best estimator is plotted).
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : LossCurveDisplay
        """
        net = _network(estimator)
        scores = getattr(net, "validation_scores_", None)
        best = int(np.argmax(scores)) if scores else None
        return cls(
            net.loss_curve_, getattr(net, "validation_loss_curve_", None), scores,
            best_epoch=best, estimator_name=type(net).__name__,
        ).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : LossCurveDisplay
        """
        ax = _axes(ax)
        epochs = np.arange(1, len(self.loss_curve) + 1)
        lines = {"training loss": ax.plot(epochs, self.loss_curve, label="training loss")[0]}
        if self.validation_loss_curve is not None:
            lines["validation loss"] = ax.plot(
                epochs, self.validation_loss_curve, label="validation loss")[0]
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        self.score_ax_ = None
        if self.validation_scores is not None:
            self.score_ax_ = ax.twinx()
            lines["validation score"] = self.score_ax_.plot(
                epochs, self.validation_scores, color="tab:green", linestyle="--",
                label="validation score")[0]
            self.score_ax_.set_ylabel("validation score")
        if self.best_epoch is not None:
            lines["best epoch"] = ax.axvline(
                self.best_epoch + 1, color="grey", linestyle=":",
                label=f"best epoch ({self.best_epoch + 1})")
        handles = list(lines.values())
        ax.legend(handles, [h.get_label() for h in handles], loc="upper right")
        if self.estimator_name:
            ax.set_title(self.estimator_name)
        self.ax_, self.figure_, self.lines_ = ax, ax.figure, lines
        return self


class PredictionIntervalDisplay:
    """Monte-Carlo dropout predictions with their interval, along one input.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Position of each sample on the horizontal axis.
    mean : array-like of shape (n_samples,)
        Mean prediction.
    lower, upper : array-like of shape (n_samples,)
        The interval's bounds.
    y : array-like of shape (n_samples,), default=None
        Observed targets, drawn as points.
    confidence : float, default=None
        The interval's level, for the legend.
    xlabel : str, default="x"
        Name of the horizontal axis.

    Attributes
    ----------
    ax_, figure_, lines_ :
        The matplotlib objects drawn (``lines_['interval']`` is the band).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdeep.plotting import PredictionIntervalDisplay
    >>> d = PredictionIntervalDisplay([0, 1, 2], [0, 1, 2], [-1, 0, 1], [1, 2, 3]).plot()
    >>> sorted(d.lines_)
    ['interval', 'mean prediction']
    """

    def __init__(self, x, mean, lower, upper, y=None, confidence=None, xlabel="x"):
        self.x, self.mean, self.lower, self.upper = x, mean, lower, upper
        self.y = y
        self.confidence = confidence
        self.xlabel = xlabel

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, feature=None, confidence=0.9, ax=None):
        """Draw a fitted regressor's dropout intervals on ``X``.

        Parameters
        ----------
        estimator : regressor
            A fitted skdeep regressor with dropout (``predict_interval``).
        X : array-like of shape (n_samples, n_features)
            Inputs to predict.
        y : array-like of shape (n_samples,), default=None
            Observed targets, drawn as points.
        feature : int or str, default=None
            Column of ``X`` for the horizontal axis (default: the only one;
            with several features, samples are placed in order of their
            mean prediction).
        confidence : float, default=0.9
            Level of the interval.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : PredictionIntervalDisplay
        """
        mean = np.asarray(estimator.predict(X))
        interval = np.asarray(estimator.predict_interval(X, confidence=confidence))
        if mean.ndim > 1:
            raise ValueError("PredictionIntervalDisplay draws one target; got several outputs.")
        values = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(X)
        values = values.reshape(len(mean), -1)
        if feature is None and values.shape[1] == 1:
            feature = 0
        if feature is None:
            x, xlabel = np.argsort(np.argsort(mean)), "sample (by mean prediction)"
        else:
            index = list(X.columns).index(feature) if hasattr(X, "columns") and not isinstance(
                feature, (int, np.integer)) else int(feature)
            x = values[:, index].astype(float)
            xlabel = str(X.columns[index]) if hasattr(X, "columns") else f"x[{index}]"
        order = np.argsort(x, kind="stable")
        y = None if y is None else np.asarray(y)[order]
        return cls(x[order], mean[order], interval[order, 0], interval[order, 1], y,
                   confidence, xlabel).plot(ax=ax)

    def plot(self, ax=None):
        """Draw the band, the mean and the observations.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : PredictionIntervalDisplay
        """
        ax = _axes(ax)
        label = "interval" if self.confidence is None else f"{self.confidence:.0%} interval"
        lines = {
            "interval": ax.fill_between(self.x, self.lower, self.upper, alpha=0.3, label=label),
            "mean prediction": ax.plot(self.x, self.mean, label="mean prediction")[0],
        }
        if self.y is not None:
            lines["observed"] = ax.scatter(self.x, self.y, s=8, color="black", label="observed")
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel("prediction")
        ax.legend()
        self.ax_, self.figure_, self.lines_ = ax, ax.figure, lines
        return self


class ScoreComparisonDisplay:
    """Cross-validated scores of several models as bars with their spread.

    Parameters
    ----------
    names : list of str
        Model names.
    means, stds : array-like of shape (n_models,)
        Mean and standard deviation of each model's fold scores.
    scoring : str, default="score"
        Name of the score (the axis label).

    Attributes
    ----------
    ax_, figure_ :
        The matplotlib objects.
    bars_ : BarContainer
        The bars.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdeep.plotting import ScoreComparisonDisplay
    >>> d = ScoreComparisonDisplay(["a", "b"], [0.9, 0.8], [0.01, 0.02]).plot()
    >>> len(d.bars_)
    2
    """

    def __init__(self, names, means, stds, scoring="score"):
        self.names, self.means, self.stds, self.scoring = names, means, stds, scoring

    @classmethod
    def from_results(cls, results, *, scoring="score", ax=None):
        """Plot the rows of ``skdeep compare`` (dicts with name, mean and std).

        Parameters
        ----------
        results : list of dict
            Each with ``'model'``, ``'mean'`` and ``'std'``.
        scoring : str, default="score"
            Name of the score.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : ScoreComparisonDisplay
        """
        return cls([r["model"] for r in results], [r["mean"] for r in results],
                   [r["std"] for r in results], scoring).plot(ax=ax)

    def plot(self, ax=None):
        """Draw horizontal bars, best on top.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : ScoreComparisonDisplay
        """
        ax = _axes(ax)
        positions = np.arange(len(self.names))[::-1]
        self.bars_ = ax.barh(positions, self.means, xerr=self.stds, capsize=4,
                             color=["tab:orange" if n.startswith("skdeep") else "tab:blue"
                                    for n in self.names])
        ax.set_yticks(positions, self.names)
        low = min(m - s for m, s in zip(self.means, self.stds))
        high = max(m + s for m, s in zip(self.means, self.stds))
        pad = 0.1 * max(high - low, 1e-3)
        ax.set_xlim(low - pad, high + pad)
        ax.set_xlabel(f"{self.scoring} (mean ± std over folds)")
        ax.figure.tight_layout()
        self.ax_, self.figure_ = ax, ax.figure
        return self


class SearchResultsDisplay:
    """Mean cross-validated score against one searched parameter (a validation curve).

    One line per value of the other searched parameters, with the fold
    spread as a band.

    Parameters
    ----------
    cv_results : dict
        A fitted search's ``cv_results_``.
    param : str
        The parameter on the horizontal axis (its values in search order).
    scoring : str, default="score"
        Name of the score.

    Attributes
    ----------
    ax_, figure_, lines_ :
        The matplotlib objects (one line per group).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdeep.plotting import SearchResultsDisplay
    >>> results = {"params": [{"a": 1}, {"a": 2}], "mean_test_score": [0.5, 0.7],
    ...            "std_test_score": [0.1, 0.1]}
    >>> len(SearchResultsDisplay(results, "a").plot().lines_)
    1
    """

    def __init__(self, cv_results, param, scoring="score"):
        self.cv_results, self.param, self.scoring = cv_results, param, scoring

    @classmethod
    def from_search(cls, search, *, param=None, ax=None):
        """Plot a fitted search; ``param`` defaults to the first one searched.

        Parameters
        ----------
        search : GridSearchCV or RandomizedSearchCV
            A fitted search.
        param : str, default=None
            Parameter for the horizontal axis.
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : SearchResultsDisplay
        """
        results = search.cv_results_
        if param is None:
            param = next(iter(results["params"][0]))
        scoring = search.scoring if isinstance(search.scoring, str) else "score"
        return cls(results, param, scoring).plot(ax=ax)

    def plot(self, ax=None):
        """Draw one line per group of the other parameters.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw.

        Returns
        -------
        display : SearchResultsDisplay
        """
        ax = _axes(ax)
        params = self.cv_results["params"]
        mean = np.asarray(self.cv_results["mean_test_score"], dtype=float)
        std = np.asarray(self.cv_results["std_test_score"], dtype=float)
        labels = []  # the parameter's values as text, in first-seen order
        for p in params:
            text = str(p[self.param])
            if text not in labels:
                labels.append(text)
        groups = {}
        for i, p in enumerate(params):
            rest = ", ".join(f"{k.split('__')[-1]}={v}" for k, v in p.items() if k != self.param)
            groups.setdefault(rest, []).append(i)
        lines = {}
        for rest, rows in groups.items():
            x = [labels.index(str(params[i][self.param])) for i in rows]
            order = np.argsort(x)
            xs = np.asarray(x)[order]
            rows = np.asarray(rows)[order]
            line = ax.plot(xs, mean[rows], marker="o", label=rest or "score")[0]
            ax.fill_between(xs, mean[rows] - std[rows], mean[rows] + std[rows],
                            alpha=0.15, color=line.get_color())
            lines[rest or "score"] = line
        ax.set_xticks(range(len(labels)), labels, rotation=20)
        ax.set_xlabel(self.param.split("__")[-1])
        ax.set_ylabel(f"mean CV {self.scoring}")
        if len(groups) > 1:
            ax.legend(fontsize="small")
        ax.figure.tight_layout()
        self.ax_, self.figure_, self.lines_ = ax, ax.figure, lines
        return self
