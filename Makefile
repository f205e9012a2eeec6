# Two commands do all set-up on a fresh machine:
#   make run   - install, create the SQLite database, load demo data, serve on http://127.0.0.1:5000
#   make test  - install (with chromium), then lint, types and the whole suite on SQLite and on PostgreSQL
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ASSETS := eia/static/govuk/app.css
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends

.PHONY: run test install install-test lint chromium postgres clean

# What running the app needs, and no more: the test tools come with `make test`.
install: $(BIN)/eia $(ASSETS)

$(BIN)/eia: pyproject.toml
	@test -x $(BIN)/python || { echo "== Creating the Python environment in $(VENV) =="; $(PYTHON) -m venv $(VENV); }
	@echo "== Installing the app's Python packages into $(VENV) (a minute or two the first time) =="
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --progress-bar off -e .
	touch $@

# The test tools (pytest, Playwright, Schemathesis, ruff, mypy) on top of the app's packages.
install-test: $(VENV)/.test-tools $(ASSETS)

$(VENV)/.test-tools: $(BIN)/eia
	@echo "== Installing the test tools into $(VENV): pytest, Playwright, Schemathesis, ruff, mypy (a few minutes the first time) =="
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --progress-bar off -e '.[test]'
	touch $@

$(ASSETS): package.json package-lock.json assets/app.scss scripts/build-assets.mjs
	@echo "== Installing GOV.UK Frontend from npm and building the stylesheet =="
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/build-assets.mjs

run: install
	@echo "== Creating or upgrading the SQLite database =="
	EIA_ENV=demo $(BIN)/eia db upgrade
	@echo "== Loading the demo council (about half a minute the first time) =="
	EIA_ENV=demo $(BIN)/eia demo
	@echo "== Serving the app on http://127.0.0.1:5000 (Ctrl-C to stop) =="
	EIA_ENV=demo $(BIN)/eia run --host 127.0.0.1 --port 5000

# Lint and types beside the suite on SQLite (with the browser tests), then the suite on PostgreSQL
# (scripts/test-all.sh).
test: install-test chromium postgres
	BIN='$(BIN)' TEST_DATABASE_URL='$(TEST_DATABASE_URL)' scripts/test-all.sh

lint: install-test
	$(BIN)/ruff check eia tracker forms tests bench
	$(BIN)/ruff format --check eia tracker forms tests bench
	@echo "== types (mypy, settings in pyproject.toml) =="
	$(BIN)/mypy

# Debian packages the tests need: chromium for the browser tests, pdftotext to read PDFs back,
# HarfBuzz's subsetter for WeasyPrint (which warns, and so fails the tests, without it).
chromium:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
		&& /sbin/ldconfig -p | grep -q libharfbuzz-subset || { \
		echo "Installing Debian's chromium, poppler-utils and libharfbuzz-subset0 for the tests"; \
		$(SUDO) apt-get update -qq && $(APT_INSTALL) chromium poppler-utils libharfbuzz-subset0; }

postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		command -v pg_ctlcluster >/dev/null 2>&1 || { echo "PostgreSQL is not installed: the suite needs it at $(TEST_DATABASE_URL)"; exit 1; }; \
		echo "Starting PostgreSQL"; \
		$(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -1) main start; \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi

clean:
	rm -rf $(VENV) node_modules eia/static/govuk .pytest_cache
