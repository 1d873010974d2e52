"""The gallery's order: the course's walk-through, then the product examples."""

import os

COURSE = [
    "xor_perceptron.py",
    "course_backpropagation.py",
    "plot_activations.py",
    "plot_early_stopping.py",
    "plot_hidden_units_cv.py",
    "plot_regularization.py",
    "plot_optimizers.py",
    "plot_batch_modes.py",
    "dropout_uncertainty.py",
    "cnn_digits.py",
    "rnn_sequences.py",
    "series_networks.py",
    "text_generation.py",
    "plot_compare_classifiers.py",
    "drop_in_for_sklearn.py",
    "mixed_dataframe.py",
    "grid_search_dropout.py",
    "plot_callbacks_progress.py",
    "from_scikeras.py",
    "grid_search_on_jax.py",
    "out_of_core_parquet.py",
]


class CourseOrder:
    """Sort key for sphinx-gallery: the position in :data:`COURSE` (others last)."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = os.path.basename(filename)
        return (COURSE.index(name) if name in COURSE else len(COURSE), name)

    def __repr__(self):
        return "CourseOrder()"
