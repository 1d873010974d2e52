"""skdeep's version: a leaf every layer may read (``skdeep.__version__`` re-exports it)."""

__version__ = "0.1.0"
