# Two commands for a fresh machine: `make run` and `make test`. Everything else is plumbing.
# manage.py and gunicorn read their settings from the .env that `make run` writes (see .env.example).
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# One pytest-xdist worker per CPU: each has its own test database and Redis database (settings.py).
TEST_WORKERS ?= auto
HOST ?= 127.0.0.1
PORT ?= 8000
SOURCES_DIR ?= ../shared/sources
# Settings for the tests. DOTENV_PATH=/dev/null: whatever a developer's .env holds, the suite reads none
# of it (and real environment variables would win over it anyway).
TEST_ENV := DOTENV_PATH=/dev/null DEBUG=false SECRET_KEY=test-only-not-secret \
	ALLOWED_HOSTS=testserver,localhost,127.0.0.1 \
	SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

.PHONY: run dev setup test lint check-deploy browser bench backup restore clean

# Stamp files make re-runs skip what is already installed.
$(VENV)/.created:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		echo "Installing python3-venv with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
		rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	@$(PY) -m pip install -q --upgrade pip
	@touch $@

$(VENV)/.runtime: $(VENV)/.created requirements.txt
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

# This machine's settings, written only when there is no .env: a second run keeps its secret key (and
# so the editors' sessions) and anything edited in it. Plain HTTP: no HTTPS redirect, cookies without TLS.
.env:
	@echo "Writing .env: a new secret key, DEBUG off, SQLite in db.sqlite3, plain HTTP"
	@set -e; umask 077; \
	key=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))'); \
	{ \
		echo "# Written by make run for this machine only; never commit it. Environment variables win over it."; \
		echo "SECRET_KEY=$$key"; \
		echo "DEBUG=false"; \
		echo "ALLOWED_HOSTS=127.0.0.1,localhost"; \
		echo "DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3"; \
		echo "SECURE_SSL_REDIRECT=false"; \
		echo "SESSION_COOKIE_SECURE=false"; \
		echo "CSRF_COOKIE_SECURE=false"; \
		echo "SOURCES_DIR=$(SOURCES_DIR)"; \
	} > $@.tmp; \
	mv $@.tmp $@

setup: $(VENV)/.runtime .env
	$(PY) manage.py migrate --noinput
	@# Only into a database without the data: a second run must not undo editors' work. The article
	@# texts in SOURCES_DIR (when it exists) fill the archive of any source that has none yet.
	SOURCES_DIR=$(SOURCES_DIR) $(PY) manage.py load_curated
	@# A database from before the search index, or restored from a backup, gets its index once.
	$(PY) manage.py rebuild_search --if-empty
	$(PY) manage.py setup_editors
	@# DEBUG off serves the hashed files this writes (CompressedManifestStaticFilesStorage), via whitenoise.
	$(PY) manage.py collectstatic --noinput -v0

# What production serves: gunicorn with gunicorn.conf.py, static files from whitenoise, DEBUG off.
run: setup
	@echo "Serving the Coalition Contributions Tracker at http://$(HOST):$(PORT)/ (gunicorn, DEBUG off)"
	$(PY) -m gunicorn coalition.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT) --access-logfile -

# For working on the code: Django's server, which reloads on every change, with DEBUG on.
dev: setup
	@echo "Serving the Coalition Contributions Tracker at http://$(HOST):$(PORT)/ (runserver, DEBUG on)"
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# Debian's Chromium for the browser tests; Playwright's own browser download does not work offline.
browser:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/hadolint Dockerfile
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

# Production settings only: a developer's .env (plain HTTP) would fail the check.
check-deploy: $(VENV)/.runtime
	DOTENV_PATH=/dev/null DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=coalition.example.org \
		SECURE_PROXY_SSL_HEADER=true $(PY) manage.py check --deploy --fail-level WARNING

# With CI=true the suite must run on PostgreSQL and Redis; elsewhere it falls back to SQLite and the
# file cache, and says so.
test: lint browser
	@set -e; \
	database=$$(scripts/service.sh postgres "running the suite on SQLite instead"); \
	if [ -n "$$database" ]; then export DATABASE_URL=$$database; echo "Running the suite on PostgreSQL ($$database)"; fi; \
	redis=$$(scripts/service.sh redis "the cache and throttle tests use the file cache instead"); \
	if [ -n "$$redis" ]; then export REDIS_URL=$$redis; echo "Caching and throttling in Redis ($$redis)"; fi; \
	if [ -d "$(SOURCES_DIR)" ]; then \
		export SOURCES_DIR=$$(cd $(SOURCES_DIR) && pwd); \
		echo "Checking citations against the archive filled from $$SOURCES_DIR"; \
		DATABASE_URL=sqlite:///$$(mktemp -d)/verify.sqlite3 $(TEST_ENV) sh -c '$(PY) manage.py migrate -v0 && \
			$(PY) manage.py load_curated -v0 && $(PY) manage.py verify_citations --texts "$$SOURCES_DIR"'; \
	fi; \
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0; \
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS); \
	echo "Stopping and starting PostgreSQL under a running app (the outage test runs last, on its own)"; \
	$(TEST_ENV) $(PY) -m pytest -m outage

# Not part of `make test`: builds databases up to 1M contributions and takes about half an hour,
# then runs the sustained mixed read/write load (32 connections, 60 s) on PostgreSQL.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/datasette.py $(DATASETTE_ARGS)
	$(PY) bench/load.py

# DATABASE_URL in the environment chooses the database (pg_dump for PostgreSQL); without it, the
# settings' own, from the .env: the local SQLite file, as JSON.
backup: $(VENV)/.runtime
	@PY=$(PY) scripts/backup.sh

restore: $(VENV)/.runtime
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/…" >&2; exit 1; }
	@PY=$(PY) scripts/restore.sh "$(FILE)"

clean:
	rm -rf $(VENV) staticfiles test-artifacts db.sqlite3
