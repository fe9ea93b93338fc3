# Quick start: `make run` opens the demo portfolio, `make test` runs every check.
# Both create .venv here and install the project from pyproject.toml.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck imports unit check-demo clean demo

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("portfolio-tui needs Python 3.10 or newer") if sys.version_info < (3, 10) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/portfolio-tui config.toml

lint: $(STAMP)
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/ruff check src tests scripts benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

check-demo: $(STAMP)
	$(BIN)/portfolio-tui check config.toml

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint typecheck imports check-demo unit

demo: $(STAMP)
	$(BIN)/python scripts/make_demo.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache snapshot_report.html
