# pytest-datadrift: make demo | make test | make lint | make bench
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,lint]"
	touch $(STAMP)

## demo: a real pytest session with drift gates on examples/, then the command line
demo: $(STAMP)
	$(BIN)/python examples/run_demo.py

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 tests

## lint: ruff and mypy --strict
lint: $(STAMP)
	$(BIN)/ruff check pytest_drift tests examples docs benchmarks
	$(BIN)/mypy

## bench: the benchmark, small and mid (a few minutes); BENCH_SIZES=all for large and wide
BENCH_SIZES ?= small,mid
BENCH_REPEATS ?= 3
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --sizes $(BENCH_SIZES) --repeats $(BENCH_REPEATS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -rf examples/reports drift_report.json
