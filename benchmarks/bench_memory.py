"""Memory of a wide sparse fit (a TF-IDF-like matrix): skdeep against scikit-learn.

200 x 1,000,000 CSR at 0.002 % density, binary target, MLP (16,) / (17,) /
(18,) / (19,) units, 3 epochs, Adam -- a grid over hidden sizes. Each library
runs in its own new Python process: resident memory (RSS, after a garbage
collection) above the process's start after its library started, once a fit
is done, once the estimator is deleted, and (skdeep) after ``clear_cache()``.

Run ``python benchmarks/bench_memory.py``.
"""

import subprocess
import sys
import textwrap

from _common import table, versions

SCRIPT = textwrap.dedent("""
    import gc, sys, warnings
    warnings.filterwarnings("ignore")
    import numpy as np, psutil, scipy.sparse as sp

    def rss():
        gc.collect()
        return psutil.Process().memory_info().rss / 2**20

    library = sys.argv[1]
    if library == "skdeep":
        import skdeep
        from skdeep import MLPClassifier
    else:
        from sklearn.neural_network import MLPClassifier
    X = sp.random(200, 1_000_000, density=0.00002, format="csr", random_state=0)
    y = np.random.RandomState(0).randint(0, 2, 200)
    MLPClassifier(hidden_layer_sizes=(3,), max_iter=1).fit(X[:, :10].toarray(), y)
    base = rss()
    fitted, deleted = [], []
    for units in (16, 17, 18, 19):
        est = MLPClassifier(hidden_layer_sizes=(units,), max_iter=3, random_state=0).fit(X, y)
        fitted.append(rss() - base)
        del est
        deleted.append(rss() - base)
    cleared = float("nan")
    if library == "skdeep":
        skdeep.clear_cache()
        cleared = rss() - base
    print(max(fitted), fitted[0], deleted[-1], cleared)
""")


def main():
    versions()
    rows = []
    for library in ("skdeep", "sklearn"):
        out = subprocess.run([sys.executable, "-c", SCRIPT, library], capture_output=True,
                             text=True, timeout=1800)
        if out.returncode != 0:
            raise SystemExit(out.stderr[-2000:])
        peak, first, deleted, cleared = (float(v) for v in out.stdout.split()[-4:])
        rows.append([library, f"+{first:.0f}", f"+{peak:.0f}", f"+{deleted:.0f}",
                     "-" if cleared != cleared else f"+{cleared:.0f}"])
    table(["library", "first fit (MB)", "largest of 4 fits (MB)",
           "after deleting the 4th (MB)", "after clear_cache() (MB)"], rows)


if __name__ == "__main__":
    main()
