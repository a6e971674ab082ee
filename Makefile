# Ortak — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export ORTAK_DATA_DIR ?= $(CURDIR)/var
export ORTAK_PORT ?= 8000
# PostgreSQL the test suite runs on as well (skipped with a message when it does not answer).
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.PHONY: install system-deps browser-deps assets run test test-sqlite test-postgres bench bench-peer clean

install: system-deps $(VENV)/.installed assets

# ffmpeg/ffprobe come from Debian (imageio-ffmpeg has no ffprobe).
system-deps:
	@command -v ffprobe >/dev/null || { \
	  echo "installing ffmpeg (Debian package)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && $(APT_INSTALL) ffmpeg; \
	  else sudo apt-get update -qq && sudo $(APT_INSTALL) ffmpeg; fi; }
	@# WeasyPrint (co-production reports) renders with Pango and the DejaVu fonts and subsets
	@# fonts with HarfBuzz; pdftotext (poppler-utils) reads the reports back in the tests.
	@{ ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset && [ -d /usr/share/fonts/truetype/dejavu ] && command -v pdftotext >/dev/null; } || { \
	  echo "installing Pango, DejaVu fonts and poppler-utils (Debian packages)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils; \
	  else sudo apt-get update -qq && sudo $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils; fi; }
	@command -v npm >/dev/null || { \
	  echo "installing Node.js and npm (Debian packages)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && $(APT_INSTALL) nodejs npm; \
	  else sudo apt-get update -qq && sudo $(APT_INSTALL) nodejs npm; fi; }

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot run here).
browser-deps:
	@command -v chromium >/dev/null || { \
	  echo "installing chromium (Debian package)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && $(APT_INSTALL) chromium; \
	  else sudo apt-get update -qq && sudo $(APT_INSTALL) chromium; fi; }

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

# Front-end packages (npm, locked) and compiled translations.
assets: $(VENV)/.installed
	@if [ -f package-lock.json ]; then \
	  [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; fi
	@[ ! -x scripts/vendor.sh ] || scripts/vendor.sh
	@[ ! -x scripts/i18n.sh ] || PATH=$(CURDIR)/$(BIN):$$PATH scripts/i18n.sh

# Fresh machine -> running service with embedded defaults (SQLite, local blobs, tantivy, file broker).
run: install
	@mkdir -p "$(ORTAK_DATA_DIR)"
	@$(BIN)/ortak bootstrap
	@echo "Ortak: http://127.0.0.1:$(ORTAK_PORT)/  (data in $(ORTAK_DATA_DIR); admin password in $(ORTAK_DATA_DIR)/admin-password.txt)"
	@# One process owns both: SIGTERM/SIGINT (make passes SIGTERM on to it) stop the web
	@# service and the worker, and either ending alone stops the other (archive/supervisor.py).
	@exec $(BIN)/ortak run --concurrency 2

# The whole suite: on SQLite and, side by side on the other core, again on PostgreSQL. Each
# run's output is printed whole when it ends (--output-sync); the target fails if either does.
# The database-independent tests run once (tests/conftest.py reaches_database): with both runs,
# in the PostgreSQL run, as the SQLite run has the browser tests; a run alone, or the SQLite run
# when PostgreSQL does not answer, takes them itself.
test: install browser-deps
	$(MAKE) --no-print-directory -j2 --output-sync=target INDEPENDENT_RUN=postgres test-sqlite test-postgres

# Which run takes the database-independent tests: sqlite or postgres (ORTAK_TEST_INDEPENDENT_RUN).
INDEPENDENT_RUN ?= sqlite
PG_ANSWERS = $(BIN)/python -c "import sqlalchemy as s; s.create_engine('$(TEST_PG_URL)').connect().close()" 2>/dev/null

test-sqlite:
	@if [ "$(INDEPENDENT_RUN)" = postgres ] && $(PG_ANSWERS); then run=postgres; else run=sqlite; fi; \
	ORTAK_TEST_INDEPENDENT_RUN=$$run $(BIN)/python -m pytest -q -p no:cacheprovider --durations=30 tests

test-postgres:
	@if $(PG_ANSWERS); then \
	  ORTAK_TEST_INDEPENDENT_RUN=$(INDEPENDENT_RUN) ORTAK_TEST_DATABASE_URL=$(TEST_PG_URL) \
	    $(BIN)/python -m pytest -q -p no:cacheprovider --durations=30 -m "not browser" tests; \
	else echo "PostgreSQL at $(TEST_PG_URL) does not answer: the PostgreSQL run is skipped"; fi

bench: install bench-peer
	$(BIN)/python benchmarks/ingest.py

# The upload benchmark's peer: @tus/server + @tus/file-store, its own npm project (locked).
bench-peer:
	@cd benchmarks/tus-peer && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || \
	  npm ci --no-audit --no-fund --loglevel=error; }

clean:
	rm -rf $(VENV) node_modules benchmarks/tus-peer/node_modules archive/web/static/vendor
