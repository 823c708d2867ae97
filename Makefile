# Two commands on a fresh machine:  make run   and   make test
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST := 127.0.0.1
PORT ?= 8000

# Django 6 needs Python >= 3.12: python3.13, python3.12, then pyenv's builds.
PYTHON_CANDIDATES := python3.13 python3.12 \
	$(wildcard $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)/versions/3.13*/bin/python3) \
	$(wildcard $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)/versions/3.12*/bin/python3)
find_python = $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell $(p) -c 'import sys; print("$(p)" if sys.version_info >= (3, 12) else "")' 2>/dev/null)))

.PHONY: run test test-pg bench bench-pg load load-pg venv test-deps system-deps collectstatic messages check-deploy clean

$(VENV)/.installed: requirements.txt
	@PYBIN="$(call find_python)"; \
	if [ -z "$$PYBIN" ]; then echo "ERROR: Python 3.12 or newer is needed (Django 6). Install python3.12 or python3.13 (e.g. with pyenv) and run make again." >&2; exit 1; fi; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV); fi
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(PIP) install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

# Compiled translations (.mo) are built from the committed .po files.
messages: venv
	@if ! command -v msgfmt >/dev/null; then $(MAKE) --no-print-directory system-deps-gettext; fi
	$(PY) manage.py compilemessages --ignore=.venv -v 0

system-deps-gettext:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq gettext >/dev/null; else echo "Install gettext (msgfmt)"; exit 1; fi

run: venv messages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py seed_demo --addrport $(HOST):$(PORT)
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# System packages the tests need: Chromium for browser tests, WeasyPrint's
# subsetting library, poppler for reading PDFs back, gettext for translations.
SYSTEM_PACKAGES := chromium libharfbuzz-subset0 poppler-utils gettext
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "ERROR: install these Debian packages first:$$missing" >&2; exit 1; fi; \
	  echo "Installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

test-deps: $(VENV)/.test-installed system-deps

collectstatic: venv
	$(PY) manage.py collectstatic --noinput -v 0

test: test-deps messages collectstatic
	$(VENV)/bin/pytest

# The same suite on a throwaway PostgreSQL (initdb in a temp dir, 127.0.0.1, a free port).
test-pg: test-deps messages collectstatic
	scripts/with-postgres.sh $(VENV)/bin/pytest

# Page speed (1k/10k/100k contacts, 1M history items) on SQLite, then lead
# import/export speed (10k and 100k rows), then opportunities (1k and 100k,
# stage deletion of 50k), then a marketing activity's tracking page (1k and
# 100k), then Create project with a 50-task template, then projects (1k and
# 100k with 10 tasks each), then the pipeline board (5,000 open opportunities
# alone and among 100k). PostgreSQL: make bench-pg. Like the tests, the
# pages need the collected static files (the manifest storage) and the
# compiled translations, so a fresh clone benchmarks without other steps.
bench: test-deps messages collectstatic
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/imports.py
	$(PY) bench/opportunities.py
	$(PY) bench/marketing.py
	$(PY) bench/project_create.py
	$(PY) bench/projects.py
	$(PY) bench/reports.py
	$(PY) bench/board.py
	$(PY) bench/reminders.py

bench-pg: test-deps messages collectstatic
	scripts/with-postgres.sh $(PY) bench/run.py --db postgres $(BENCH_ARGS)
	scripts/with-postgres.sh $(PY) bench/imports.py
	scripts/with-postgres.sh $(PY) bench/opportunities.py --db postgres
	scripts/with-postgres.sh $(PY) bench/marketing.py --db postgres
	scripts/with-postgres.sh $(PY) bench/project_create.py --db postgres
	scripts/with-postgres.sh $(PY) bench/projects.py --db postgres
	scripts/with-postgres.sh $(PY) bench/reports.py --db postgres
	scripts/with-postgres.sh $(PY) bench/board.py --db postgres
	scripts/with-postgres.sh $(PY) bench/reminders.py --db postgres

# Load test: gunicorn with 3 workers on 127.0.0.1 and a database of its own
# (a temporary SQLite file; load-pg: a throwaway PostgreSQL), 20 clients adding
# notes and editing 50 records through the real forms for 60 s, then checks that
# every acknowledged write is in the database and no stale save was accepted.
# Options: make load LOAD_ARGS="--clients 5 --seconds 10"; see bench/README.md.
load: venv collectstatic
	$(PY) bench/load.py --db sqlite $(LOAD_ARGS)

load-pg: venv collectstatic
	scripts/with-postgres.sh $(PY) bench/load.py --db postgres $(LOAD_ARGS)

check-deploy: venv
	DEBUG=0 CRM_HTTPS=1 SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" ALLOWED_HOSTS=crm.example.com \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles
