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
# backend-independent command-line, persistence, property and plotting tests)
test: $(STAMP)
	$(VENV)/bin/python -m pytest --durations=25
	KERAS_BACKEND=jax $(VENV)/bin/python -m pytest -m "not slow" --durations=15 --ignore=tests/test_examples.py \
		--ignore=tests/test_cli.py --ignore=tests/test_persistence.py --ignore=tests/test_properties.py \
		--ignore=tests/test_plotting.py --ignore=tests/test_missing.py -k "not impute"

test-fast: $(STAMP)
	$(VENV)/bin/python -m pytest -m "not slow"

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
