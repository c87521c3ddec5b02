# Stadsdel: the two commands of the README's quick start, and a few for developers.
# Needs only python3 (3.11+), pip and make; everything else is installed into .venv/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint lock clean

# Set up (virtual environment, dependencies, database, seeds, demo data, logins) and serve.
demo: $(STAMP)
	$(BIN)/stadsdel demo

# The whole test suite: lint, the layer contracts (pyproject.toml), migration check and pytest
# (unit, property, page, browser tests).
test: $(STAMP)
	$(BIN)/ruff check src tests
	PYTHONPATH=src $(BIN)/lint-imports
	$(BIN)/stadsdel makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Regenerate the pinned lock file after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --extra dev --strip-extras \
		-o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
