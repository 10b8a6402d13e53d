# The two commands a newcomer needs: `make demo` runs the dashboard on the embedded demo,
# `make test` runs the tests. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test lint bench clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[demo,test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/coinpilot-dashboard demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

bench: $(VENV)/.installed
	$(BIN)/python -m bench.seed_year
	$(BIN)/python -m bench.queries
	$(BIN)/python -m bench.history_100k
	$(BIN)/python -m bench.layout_rps
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.rollups

clean:
	rm -rf $(VENV) demo-data artifacts .pytest_cache
