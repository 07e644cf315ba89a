# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SRC := core agents search routing executors

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/graft run configs/runs/demo.yaml

lint: $(STAMP)
	$(PY) -m ruff check $(SRC) tests benchmarks
	$(PY) -m mypy $(SRC)

unit: $(STAMP)
	$(PY) -m pytest -q

test: lint unit

bench: $(STAMP)
	$(PY) benchmarks/automl_vs_flaml.py

clean:
	rm -rf $(VENV) runs .mypy_cache .ruff_cache .pytest_cache
