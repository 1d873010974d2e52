"""Helpers shared by the benchmark scripts: timing, tables, versions."""

import os
import platform
import statistics
import time


def timed(fn, repeats):
    """Run ``fn`` ``repeats`` times; return (median, min, max) seconds and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return (statistics.median(times), min(times), max(times)), result


def fmt(t):
    median, lo, hi = t
    return f"{median:.3f} ({lo:.3f}-{hi:.3f})"


def table(header, rows):
    """Print a markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


def versions():
    """One line of library versions and the machine."""
    import numpy
    import sklearn

    from skdeep._backend import load

    _, keras = load()  # quietly: TensorFlow's C++ start-up lines go to /dev/null

    parts = [f"python {platform.python_version()}", f"numpy {numpy.__version__}",
             f"scikit-learn {sklearn.__version__}"]
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        parts.append(f"jax {jax.__version__}")
    else:
        import tensorflow as tf

        parts.append(f"tensorflow {tf.__version__}")
    parts.append(f"keras {keras.__version__} ({backend} backend)")
    try:
        import scikeras

        parts.append(f"scikeras {scikeras.__version__}")
    except Exception:  # noqa: BLE001 - optional peer
        parts.append("scikeras not installed")
    parts.append(f"{os.cpu_count()} CPU cores")
    return ", ".join(parts)
