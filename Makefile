# Ascolto: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ASCOLTO := $(BIN)/ascolto
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: audit typecheck run test test-postgres install messages translations lint check-migrations clean system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,train]"
	touch $(STAMP)

install: $(STAMP) translations

## Compile the translation catalogues (.po -> .mo); no system gettext needed.
translations: $(STAMP)
	$(ASCOLTO) compiletranslations

## Extract strings into the .po catalogues (needs GNU gettext).
messages: $(STAMP)
	cd ascolto && ASCOLTO_DATA_DIR=$(CURDIR)/data ../$(ASCOLTO) makemessages --locale it --locale en --no-obsolete --no-location --ignore "tests/*"

## Set up everything, load the demo business if the database is empty, and serve on :8000.
## Emails go to files in data/outbox unless ASCOLTO_EMAIL_BACKEND says otherwise.
run: export ASCOLTO_HTTPS ?= 0
run: export ASCOLTO_SITE_URL ?= http://127.0.0.1:$(PORT)
run: export ASCOLTO_EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
run: install
	$(ASCOLTO) migrate --no-input
	$(ASCOLTO) demo --if-empty
	$(ASCOLTO) serve --bind 127.0.0.1:$(PORT)

## What the tests need from the system (chromium, gettext, Pango, fonts): installed with apt when
## run as root or with passwordless sudo, otherwise the one command to run is printed.
system-deps:
	@sh scripts/system-deps

## The whole test suite (SQLite unless DATABASE_URL is set), after the system packages, the lint, the migrations check
## and the import contracts of the layers (pyproject.toml, docs/architecture.md). The few tests
## marked slow run under CI=true (which .ci/run sets) or with `make test SLOW=1`; a skip whose
## reason is not in conftest.py's ALLOWED_SKIPS fails the run.
test: system-deps install
	$(BIN)/ruff check ascolto
	$(BIN)/ruff format --check ascolto
	ASCOLTO_DATA_DIR=$(CURDIR)/data/test $(ASCOLTO) makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(MAKE) typecheck
	$(BIN)/pytest -n 2 $(if $(SLOW),--slow) $(PYTEST_ARGS)

## Type checks (mypy with django-stubs): lib, workspaces, and every app's services and selectors.
## Known vulnerabilities in the installed dependencies (pip-audit): fails on one; says so and
## passes when the vulnerability service cannot be reached (docs/security.md).
audit: $(STAMP)
	$(BIN)/python scripts/dependency_audit.py

typecheck: $(STAMP)
	$(BIN)/mypy $$(ls -d ascolto/lib ascolto/workspaces ascolto/*/services.py ascolto/*/services \
		ascolto/*/selectors.py | grep -v '^ascolto/workspaces/')

test-postgres:
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(MAKE) test

clean:
	rm -rf $(VENV) data test-artifacts
