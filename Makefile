# OpenISMS: `make run` to try it, `make test` before every commit.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
COVERAGE_FLOOR ?= 85
# Test processes (pytest-xdist); each has its own test database.
TEST_WORKERS ?= auto
BENCH_SCALE ?= reference
export OPENISMS_VAR_DIR ?= $(CURDIR)/var

.PHONY: run serve install test test-pg e2e lint typecheck check-django pytest clean help bench bench-pg

help:
	@echo "make run      build .venv, migrate, load the demo on a new database, serve on 127.0.0.1:8000"
	@echo "make test     lint, types, Django checks, migrations check, tests with coverage (SQLite)"
	@echo "make test-pg  the tests on PostgreSQL ($(PG_URL))"
	@echo "make e2e      browser tests in Debian's Chromium"
	@echo "make bench    the performance budgets on SQLite (BENCH_SCALE=small for a quick run)"
	@echo "make bench-pg the same on PostgreSQL (database openisms_bench, made and dropped)"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	@chmod 600 var/secret_key

run: install var/secret_key
	@set -e; export OPENISMS_SECRET_KEY="$$(cat var/secret_key)"; \
	new=0; [ -n "$$DATABASE_URL" ] || [ -f var/openisms.sqlite3 ] || new=1; \
	$(BIN)/openisms migrate --noinput -v 0; \
	$(BIN)/openisms collectstatic --noinput -v 0; \
	if [ $$new = 1 ]; then $(BIN)/openisms demo; else $(BIN)/openisms demo | head -n 1; fi; \
	echo ""; echo "OpenISMS: open http://127.0.0.1:8000/ and log in as owner@acme.example (password acme-demo-2026)"; \
	exec $(BIN)/openisms serve --bind 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	OPENISMS_DEBUG=1 $(BIN)/mypy openisms tests conftest.py manage.py

check-django: install
	OPENISMS_DEBUG=1 $(BIN)/openisms check --fail-level WARNING
	OPENISMS_DEBUG=1 $(BIN)/openisms makemigrations --check --dry-run

pytest: install
	OPENISMS_DEBUG=1 $(BIN)/pytest -m "not e2e" -n $(TEST_WORKERS) --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR) -q

test: lint typecheck check-django pytest

test-pg: install
	DATABASE_URL=$(PG_URL) OPENISMS_DEBUG=1 $(BIN)/pytest -m "not e2e" -n $(TEST_WORKERS) -q

e2e: install
	OPENISMS_DEBUG=1 $(BIN)/pytest -m e2e -q -p no:randomly

bench: install
	$(PY) -m openisms.bench.runner --db sqlite --scale $(BENCH_SCALE)

bench-pg: install
	$(PY) -m openisms.bench.runner --db pg --scale $(BENCH_SCALE)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
