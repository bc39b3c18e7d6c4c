# KI-Kompetenz. `make run` and `make test` set up everything they need on a fresh Debian machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_STAMP := .cache/apt-installed
PG_DIR := /tmp/lms-pg-test-$(shell id -u)
export LMS_DEV ?= 1

.PHONY: run test setup venv system-deps migrate courses demo lint pytest pytest-pg vendor screenshots bench clean translations translations-compile

## run: set up, migrate, import courses, load the demo organisation, serve on http://127.0.0.1:5000
run: setup migrate courses demo
	@echo "KI-Kompetenz: open http://127.0.0.1:5000 and log in with one of the accounts above (Ctrl+C stops)."
	$(BIN)/gunicorn --bind 127.0.0.1:5000 --workers 2 --threads 4 --timeout 120 --access-logfile - wsgi:app

## test: ruff + the whole suite on SQLite, then again on a temporary PostgreSQL server
test: setup system-deps lint pytest pytest-pg

setup: $(STAMP)
	@$(MAKE) --no-print-directory translations-compile

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## translations: extract UI strings and update the English catalogue (then translate lms/translations/en/…/messages.po)
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o lms/translations/messages.pot --no-location --omit-header --sort-output --ignore-dirs=".* __pycache__" . >/dev/null
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations -l en --no-fuzzy-matching >/dev/null
	$(MAKE) --no-print-directory translations-compile

translations-compile:
	@if ls lms/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile -d lms/translations --statistics 2>&1 | tail -n 1; fi

## system-deps: Debian packages the tests need (Chromium for browser tests, PostgreSQL server, pdfinfo, Redis for the two-server test)
system-deps: $(APT_STAMP)

$(APT_STAMP): Makefile
	@if ! command -v chromium >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	   || ! fc-list | grep -qi dejavu || ! command -v pdfinfo >/dev/null || ! command -v redis-server >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium postgresql fonts-dejavu-core poppler-utils redis-server >/dev/null; fi
	mkdir -p $(dir $(APT_STAMP)) && touch $(APT_STAMP)

migrate: setup
	$(BIN)/lms db upgrade

courses: setup migrate
	@if $(BIN)/lms courses --help >/dev/null 2>&1; then $(BIN)/lms courses import; fi

demo: setup migrate
	@if $(BIN)/lms demo --help >/dev/null 2>&1; then $(BIN)/lms demo load --if-empty; fi

lint: setup
	$(BIN)/ruff check lms tests wsgi.py scripts $(wildcard bench)
	@# bandit: no medium or high finding; each exception is justified inline (# nosec Bxxx # reason)
	$(BIN)/bandit -q -r lms tests wsgi.py scripts $(wildcard bench) --severity-level medium
	@# import-linter: the layers of ARCHITECTURE.md (contracts in pyproject.toml, docs/decisions.md)
	$(BIN)/lint-imports --no-cache

pytest: setup system-deps
	$(BIN)/pytest -q -p no:cacheprovider

pytest-pg: setup system-deps
	@scripts/pg-test.sh stop $(PG_DIR); \
	url=$$(scripts/pg-test.sh start $(PG_DIR)) || { cat $(PG_DIR)/*.log; exit 1; }; \
	TEST_DATABASE_URL=$$url $(BIN)/pytest -q -p no:cacheprovider $(PG_PYTEST_ARGS); rc=$$?; \
	scripts/pg-test.sh stop $(PG_DIR); exit $$rc

## screenshots: every main page at 1280 px and 375 px into docs/screenshots/ (own server, demo data)
screenshots: setup system-deps
	$(BIN)/python scripts/screenshots.py

## bench: synthetic city (8,000 staff, 300,000 quiz attempts; once), load test of the main pages with wrk, import timings (docs/performance.md)
bench: setup
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	$(BIN)/python bench/synth.py --if-missing
	$(BIN)/python bench/run.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/reports.py

## vendor: refresh the vendored KERN UX design system (set KERN_VERSION=x.y.z to change version)
vendor:
	scripts/vendor-kern.sh $(KERN_VERSION)

clean:
	rm -rf $(VENV) .cache instance .pytest_cache
