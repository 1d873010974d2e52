"""
A CNN on images: digits as 8x8 pictures
=======================================

The course's convolutional network -- F x F filters with stride S and
padding P, output size (W - F + 2P)/S + 1, max pooling, then dense layers --
with scikit-learn's habits: cross-validate it like any classifier and read
each layer's output shape and parameter count in ``layer_shapes_``.
"""

# %%
import time

from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold, cross_val_score

from skdeep import CNNClassifier

X, y = load_digits(return_X_y=True)
images = X.reshape(-1, 8, 8)  # (n, height, width): grayscale images

# %%
clf = CNNClassifier(random_state=0)  # filters (32, 64), 3x3, 'same', max-pool 2, dense 128
start = time.perf_counter()
scores = cross_val_score(clf, images, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
print(f"5-fold accuracy {scores.mean():.4f} +- {scores.std():.4f} "
      f"({time.perf_counter() - start:.0f} s for 5 fits)")

# %%
clf.fit(images, y)
print(f"{'layer':18s} {'output shape':14s} parameters")
for name, shape, n_params in clf.layer_shapes_:
    print(f"{name:18s} {str(shape):14s} {n_params}")
