"""
An RNN on real multivariate series of unequal length
====================================================

Japanese Vowels: nine speakers say /ae/; each utterance is a series of 7 to
29 frames of 12 LPC coefficients. The task is to tell the speaker (labels are
strings). The sequences go in as a plain Python list of ``(n_steps, 12)``
arrays -- no padding by hand: skdeep pads internally and masks the padding,
so a sequence's prediction never depends on the length of the others.
"""

# %%
import time

import numpy as np
from sklearn.model_selection import GridSearchCV

from skdeep import RNNSequenceClassifier
from skdeep.datasets import load_japanese_vowels

X_train, y_train = load_japanese_vowels(split="train")
X_test, y_test = load_japanese_vowels(split="test")
lengths = [len(x) for x in X_train]
print(f"{len(X_train)} training utterances, {min(lengths)}-{max(lengths)} steps of "
      f"{X_train[0].shape[1]} features; speakers {np.unique(y_train).tolist()}")

# %%
# The three cells of the course -- the plain tanh recurrence, GRU and LSTM --
# reading the raw frames and answering from their last state
# (``conv_filters=()``: no convolutional front end).
for cell in ("simple", "gru", "lstm"):
    start = time.perf_counter()
    clf = RNNSequenceClassifier(cell=cell, conv_filters=(), random_state=0).fit(X_train, y_train)
    print(f"{cell:6s} test accuracy {clf.score(X_test, y_test):.3f} "
          f"({clf.n_iter_} epochs, {time.perf_counter() - start:.1f} s)")

# %%
# The default puts a convolutional front end before the GRU (three
# convolution units, then the maximum over every 4 frames) and reads the
# maximum of its outputs over all steps: what lets a recurrent network read
# series of hundreds of steps (see the docs' performance page); here too it
# is at least as good.
start = time.perf_counter()
clf = RNNSequenceClassifier(random_state=0).fit(X_train, y_train)
print(f"default (front end + gru) test accuracy {clf.score(X_test, y_test):.3f} "
      f"({clf.n_iter_} epochs, {time.perf_counter() - start:.1f} s)")

# %%
# Padding never leaks into a prediction: one utterance alone, or in a batch
# with a much longer series, gets the same probabilities.
alone = clf.predict_proba(X_test[:1])
with_long = clf.predict_proba([X_test[0], np.zeros((200, 12))])[:1]
print("same probabilities alone and next to a 200-step series:",
      bool(np.allclose(alone, with_long, atol=1e-6)))

# %%
# Model selection of the hidden units, as for any scikit-learn classifier
# (the lists are split into folds like arrays), with early stopping on a
# validation split of each training fold.
search = GridSearchCV(RNNSequenceClassifier(cell="gru", early_stopping=True,
                                            validation_fraction=0.15, n_iter_no_change=30,
                                            random_state=0),
                      {"units": [16, 64]}, cv=3)
search.fit(X_train, y_train)
print("best:", search.best_params_, f"CV accuracy {search.best_score_:.3f}, "
      f"test accuracy {search.score(X_test, y_test):.3f}")
