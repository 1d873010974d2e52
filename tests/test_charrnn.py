"""CharRNN: the course's character-level language model."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skdeep import CharRNN, RNNSequenceClassifier
from skdeep.datasets import load_course_text

HELLO = dict(units=16, learning_rate_init=0.05, max_iter=60, random_state=0)



@pytest.fixture(scope="module")
def hello():
    return CharRNN(**HELLO).fit("hello")


@pytest.mark.parametrize("cell", ["lstm", "gru", "simple"])
def test_course_hello_greedy(cell):
    """Slides: vocabulary [h, e, l, o], training sequence "hello"."""
    lm = CharRNN(cell=cell, **HELLO).fit("hello")
    assert lm.vocabulary_.tolist() == ["e", "h", "l", "o"]
    assert lm.sample("h", n_chars=4, temperature=0) == "hello"
    # the two l's: after "he" comes l, after "hel" comes l, after "hell" comes o
    assert lm.predict(["he", "hel", "hell"]).tolist() == ["l", "l", "o"]


def test_probabilities_score_and_perplexity(hello):
    proba = hello.predict_proba(["h", "hell"])
    assert proba.shape == (2, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert proba[:, 1].max() == 0  # 'h' never follows a character in training
    # score: mean log-probability of each character given the ones before it
    contexts, targets = ["h", "he", "hel", "hell"], ["e", "l", "l", "o"]
    p = hello.predict_proba(contexts)
    expected = np.mean([np.log(p[i, "ehlo".index(t)]) for i, t in enumerate(targets)])
    assert hello.score("hello") == pytest.approx(expected, rel=1e-6)
    assert hello.perplexity("hello") == pytest.approx(np.exp(-expected), rel=1e-6)
    assert hello.perplexity("hello") < 1.2
    assert hello.perplexity("hlleo") > 10  # an unlikely spelling is surprising
    assert hello.perplexity("hh") == np.inf  # 'h' never followed anything


def test_sampling(hello):
    assert hello.sample("", n_chars=5, temperature=0) == "hello"  # starts like the texts
    a = hello.sample("h", 20, temperature=1.5, random_state=3)
    assert a == hello.sample("h", 20, temperature=1.5, random_state=3)
    assert len(a) == 21 and set(a) <= set("ehlo")
    assert hello.sample("hel", 0) == "hel"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        hello.sample("hex", 3)
    with pytest.raises(ValueError, match="temperature"):
        hello.sample("h", 3, temperature=-1)


def test_context_length_truncates_the_input():
    lm = CharRNN(context_length=2, **HELLO).fit(["abcabcabc", "cab"])
    # with two characters of context "ab" -> c, "ca" -> b, "bc" -> a
    assert lm.predict(["ab", "xxab"[2:], "ca", "bc"]).tolist() == ["c", "c", "b", "a"]
    assert lm.network_.max_length_ == 2


def test_estimator_api(hello):
    assert clone(hello).get_params() == hello.get_params()
    again = pickle.loads(pickle.dumps(hello))
    assert again.sample("h", 4, temperature=0) == "hello"
    with pytest.raises(ValueError, match="string or a list of strings"):
        CharRNN().fit([1, 2, 3])
    with pytest.raises(ValueError, match="at least two characters"):
        CharRNN().fit(["a", "b"])
    with pytest.raises(ValueError, match="validation characters"):
        CharRNN(early_stopping=True).fit("hello")
    from sklearn.utils import get_tags

    assert get_tags(hello).input_tags.string


def test_early_stopping_holds_out_text_ends():
    lm = CharRNN(early_stopping=True, validation_fraction=0.25, **HELLO)
    train, val = lm._held_out_ends(["abcdefghi", "xyzxy"])
    # 8 positions in the first text (2 held out), 4 in the second (1 held out)
    assert val.tolist() == [6, 7, 11]
    assert train.tolist() == [0, 1, 2, 3, 4, 5, 8, 9, 10]


@pytest.mark.slow
def test_paragraph_perplexity_far_below_vocabulary_size():
    text = load_course_text()
    cut = int(len(text) * 0.8)
    lm = CharRNN(units=64, early_stopping=True, random_state=0).fit(text[:cut])
    vocabulary = len(lm.vocabulary_)
    assert vocabulary == 31
    assert lm.perplexity(text[:cut]) < vocabulary / 4
    assert lm.perplexity(text[cut:]) < vocabulary / 2  # text it never saw


def test_early_stopping_follows_log_likelihood():
    text = "the cat sat on the mat. " * 6
    lm = CharRNN(units=16, early_stopping=True, validation_fraction=0.2, max_iter=30,
                 learning_rate_init=0.02, random_state=0).fit(text)
    scores = lm.network_.validation_scores_
    assert all(s <= 0 for s in scores)  # mean log-probabilities, not accuracies
    assert lm.network_.best_validation_score_ == max(scores)
    assert isinstance(lm.network_, RNNSequenceClassifier)
