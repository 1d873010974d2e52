"""Small real data sets bundled with skdeep (no download needed).

* :func:`load_japanese_vowels` -- multivariate time series of unequal
  length with string labels, for :class:`~skdeep.RNNSequenceClassifier`.
* :func:`load_course_text` -- a paragraph of English for
  :class:`~skdeep.CharRNN`.
"""

from importlib import resources

import numpy as np

__all__ = ["load_course_text", "load_japanese_vowels"]


def _data_path(name):
    return resources.files(__name__).joinpath("data", name)


def load_japanese_vowels(*, split="all"):
    """Load the Japanese Vowels speaker-recognition data set.

    Nine male speakers uttered the Japanese vowels /ae/; each utterance was
    analysed into 12 linear-prediction cepstrum coefficients per frame, so a
    sample is a series of 7 to 29 time steps with 12 features, and the task
    is to tell the speaker (labels ``'1'`` ... ``'9'``, strings). The
    original split has 270 training utterances (30 per speaker) and 370 test
    utterances. Source: M. Kudo, J. Toyama and M. Shimbo (1999),
    "Multidimensional curve classification using passing-through regions",
    Pattern Recognition Letters 20(11-13), via the UCI Machine Learning
    Repository and the UEA multivariate time-series archive.

    Parameters
    ----------
    split : {'all', 'train', 'test'}, default='all'
        Which part of the original train/test split to return; ``'all'``
        gives the 640 utterances, training ones first.

    Returns
    -------
    X : list of ndarray of shape (n_steps_i, 12)
        The utterances, float32, of unequal lengths.
    y : ndarray of shape (n_samples,)
        The speakers, as strings.

    Examples
    --------
    >>> from skdeep.datasets import load_japanese_vowels
    >>> X, y = load_japanese_vowels(split="train")
    >>> len(X), X[0].shape, y[:2].tolist()
    (270, (20, 12), ['1', '1'])
    >>> sorted({len(x) for x in X})[:3], max(len(x) for x in X)
    ([7, 9, 10], 26)
    """
    if split not in ("all", "train", "test"):
        raise ValueError(f"split must be 'all', 'train' or 'test', got {split!r}.")
    with _data_path("japanese_vowels.npz").open("rb") as f:
        data = np.load(f)
        values, lengths = data["values"], data["lengths"].astype(int)
        labels, train = data["labels"], data["train"]
    X = np.split(values, np.cumsum(lengths)[:-1])
    keep = np.ones(len(X), bool) if split == "all" else (train if split == "train" else ~train)
    return [x for x, k in zip(X, keep) if k], labels[keep].astype(str)


def load_course_text():
    """Return a paragraph of English about neural networks (about 1,700 characters).

    Written for skdeep, after the course's notes, to train and evaluate the
    character-level language model :class:`~skdeep.CharRNN`.

    Returns
    -------
    text : str
        The paragraph, lower case, with punctuation.

    Examples
    --------
    >>> from skdeep.datasets import load_course_text
    >>> text = load_course_text()
    >>> text[:30]
    'a neural network is a function'
    """
    return _data_path("course_text.txt").read_text(encoding="utf-8").strip()
