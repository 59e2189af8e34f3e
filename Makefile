# Evenfloor: `make run` starts a demo server; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.DEFAULT_GOAL := help
.PHONY: help run test lint typecheck unit bench screenshots clean install node

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/evenfloor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/evenfloor ## Create .venv and install Evenfloor with its test tools

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

node: node_modules/.installed

run: install ## Migrate the SQLite database, seed the demo room and start the server
	$(BIN)/evenfloor db upgrade
	$(BIN)/evenfloor seed-demo
	$(BIN)/evenfloor serve --port $(PORT)

lint: install ## ruff (format and lint), import contracts
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install ## mypy (strict on the core)
	$(BIN)/mypy

test: install node lint typecheck ## The whole suite: lint, types, then pytest
	$(BIN)/pytest

unit: install ## Only the fast core tests
	$(BIN)/pytest tests/unit tests/property -q

# Every bench/*.py is a benchmark but the package marker and fanout.py's load client.
BENCHMARKS := $(filter-out bench/__init__.py bench/thin_ws.py,$(wildcard bench/*.py))

bench: install ## Benchmarks against bare baselines (prints tables and JSON lines)
	@for b in $(BENCHMARKS); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

screenshots: install node ## PNGs of every page into docs/screenshots/
	$(BIN)/python -m tests.browser.screenshots

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache evenfloor.db*
