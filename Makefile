# The two commands the README opens with: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AS_OF := 2026-11-20

.PHONY: demo test lint format bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q src  # bytecode as a wheel install has: a faster start
	touch $@

demo: $(BIN)/.installed
	$(BIN)/mdnet --vault vault-example report --as-of $(AS_OF)

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/mdnet

lint: $(BIN)/.installed
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
