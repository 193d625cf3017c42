# The front door: `make demo` builds the catalog from the bundled snapshot, `make test` runs the suite.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export CATALOG_TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: setup
	$(BIN)/catalog build --serve

test: setup lint
	scripts/ensure-services.sh
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data/catalog.db* data/map
