# Two commands work on a fresh machine with only Python 3.11: `make demo`, `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench docs clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/python -m skdeep compare

# the suite on TensorFlow (the default backend), then again on JAX (without the
# backend-independent command-line, persistence, property, plotting, missing-value
# and docstring tests, and the Keras wrappers' sparse checks, which densify first).
# pytest-xdist spreads each pass over TEST_WORKERS processes with one compute thread
# each: most tests are small fits bound by Python overhead, so two single-threaded
# workers finish a pass ~1.4x sooner on 2 cores than one process with two threads.
TEST_WORKERS ?= 2
ONE_THREAD := TF_NUM_INTEROP_THREADS=1 TF_NUM_INTRAOP_THREADS=1 OMP_NUM_THREADS=1
# ruff first (seconds); the import layers and size guides are tests/test_architecture.py
test: $(STAMP)
	$(VENV)/bin/python -m ruff check skdeep tests examples benchmarks
	$(ONE_THREAD) $(VENV)/bin/python -m pytest -n $(TEST_WORKERS) --durations=25
	$(ONE_THREAD) KERAS_BACKEND=jax $(VENV)/bin/python -m pytest -n $(TEST_WORKERS) -m "not slow" --durations=15 \
		--ignore=tests/test_examples.py --ignore=tests/test_cli.py --ignore=tests/test_persistence.py \
		--ignore=tests/test_properties.py --ignore=tests/test_plotting.py --ignore=tests/test_missing.py \
		--ignore=tests/test_docstrings.py --ignore=tests/test_distributed.py \
		--ignore=tests/test_architecture.py -k "not impute and not (Keras and sparse)"

test-fast: $(STAMP)
	$(VENV)/bin/python -m ruff check skdeep tests examples benchmarks
	$(ONE_THREAD) $(VENV)/bin/python -m pytest -n $(TEST_WORKERS) -m "not slow"

$(VENV)/.bench: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e ".[bench]"
	touch $(VENV)/.bench

bench: $(VENV)/.bench
	$(VENV)/bin/python benchmarks/run.py

$(VENV)/.docs: $(STAMP)
	$(VENV)/bin/python -m pip install --quiet -e ".[docs]"
	touch $(VENV)/.docs

docs: $(VENV)/.docs
	$(VENV)/bin/python -m sphinx -W -b html docs docs/_build/html

clean:
	rm -rf $(VENV) build dist *.egg-info docs/_build
