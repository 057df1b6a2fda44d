# Two commands set everything up on a fresh machine with python3 >= 3.11:
#   make demo   — virtualenv, dependencies from the lock file, translations,
#                 database, An Giang's areas and demo accounts; serves on
#                 http://127.0.0.1:8000 (SQLite, Celery in eager mode).
#   make test   — the whole test suite (same command CI runs).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_PASSWORD ?= AnGiang-138-demo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint check-static format messages migrate check-msgfmt clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/dev.lock
	touch $@ $(VENV)/.base-installed

check-msgfmt:
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (Debian: apt-get install gettext)"; exit 1; }

messages: check-msgfmt | $(BIN)/python
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v 0

# A local .env so that later `python manage.py …` commands run in the same mode.
.env:
	printf '# Written by make demo for this machine only (see .env.example).\nDEBUG=true\nDEMO_PASSWORD=%s\n' '$(DEMO_PASSWORD)' > .env

demo: $(VENV)/.base-installed messages .env
	DEBUG=true $(BIN)/python manage.py migrate --no-input -v 0
	DEBUG=true DEMO_PASSWORD='$(DEMO_PASSWORD)' $(BIN)/python manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with a demo account (password: $(DEMO_PASSWORD))."
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Tests run with DEBUG off, as in production; the key below is for tests only
# (long enough for settings' check: a short key is refused whenever DEBUG is off).
test: $(VENV)/.dev-installed messages
	SECRET_KEY="$${SECRET_KEY:-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz}" $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-static

# Static analysis (issue 10), configured in pyproject.toml: bandit over the app's
# code (medium and high findings fail; low ones are ruff's S rules above), mypy
# with django-stubs on every room's services and selectors, and the scoping rule
# (no unscoped lookups of registrations, assessments, evidence or report jobs
# outside the selectors), an AST test in tests/static/ that make test runs too.
check-static: $(VENV)/.dev-installed
	$(BIN)/bandit -c pyproject.toml -r . -q --severity-level medium
	DEBUG=true $(BIN)/mypy
	SECRET_KEY="$${SECRET_KEY:-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz}" $(BIN)/python -m pytest tests/static -q

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
