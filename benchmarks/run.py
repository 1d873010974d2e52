"""Run every benchmark and write benchmarks/RESULTS.md (``make bench``)."""

import datetime
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
SCRIPTS = ["bench_mlp.py", "bench_backends.py", "bench_cnn_rnn.py", "bench_big.py",
           "bench_callbacks.py", "bench_scikeras.py",
           "bench_search.py", "bench_cluster.py", "bench_multidevice.py",
           "bench_sparse.py", "bench_memory.py", "bench_tabular.py"]


def main():
    args = sys.argv[1:]
    parts = [f"# Benchmark results\n\nMeasured {datetime.date.today()} with `make bench`.\n"]
    for script in SCRIPTS:
        out = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True,
                             text=True, check=True).stdout
        print(out)
        parts.append(f"## {script}\n\n{out}")
    (HERE / "RESULTS.md").write_text("\n".join(parts))


if __name__ == "__main__":
    main()
