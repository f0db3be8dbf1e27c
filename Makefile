# Two commands matter: `make run` (set up everything and serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

# Debian packages the PDF papers need (WeasyPrint renders with Pango and HarfBuzz; the
# fonts themselves are bundled in static/fonts/, so no font package is needed).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1

.PHONY: run install install-dev system-packages migrate seed test lint audit format messages bench worker beat production services backup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: system-packages $(VENV)/.installed

## Install the Debian packages listed in SYSTEM_PACKAGES that are missing (apt-get, as root
## or through sudo); does nothing when they are all present
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "Install Pango and HarfBuzz for the PDF papers (Debian names: $$missing)"; exit 0; \
		fi; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		echo "Installing $$missing (PDF papers)"; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

install-dev: system-packages $(VENV)/.installed-dev

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed
	$(MANAGE) setup_periodic_tasks
	$(MANAGE) setup_roles

## Set up from scratch (venv, install, migrate, seed) and serve on http://127.0.0.1:$(PORT)
run: seed
	$(MANAGE) runserver 127.0.0.1:$(PORT)

## Install what the tests need and run the whole suite (uses DATABASE_URL/REDIS_URL when set)
test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

## Style, security lint (bandit, exceptions justified in pyproject.toml) and the dependency audit
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -c pyproject.toml -r admissions programs config
	$(MAKE) audit

## Known vulnerabilities in the pinned requirements, from PyPI's advisory data (its JSON
## API). --strict fails when any requirement could not be checked. Where that API does not
## answer at all (a closed network) the audit cannot run: it says so loudly and is skipped,
## or fails when AUDIT_REQUIRED=1 (set it on release machines that can reach PyPI).
audit: install-dev
	@if $(BIN)/python -c "import urllib.request; urllib.request.urlopen('https://pypi.org/pypi/pip/24.0/json', timeout=15)" >/dev/null 2>&1; then \
		$(BIN)/pip-audit --strict --progress-spinner off -r requirements-dev.txt || { \
			echo "pip-audit: FAILED - a known vulnerability, or a requirement could not be checked." >&2; \
			exit 1; }; \
	else \
		echo "pip-audit: NOT RUN - PyPI's advisory API (https://pypi.org/pypi/<name>/<version>/json) does not answer from this machine." >&2; \
		test -z "$(AUDIT_REQUIRED)"; \
	fi

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Rebuild the translation catalogues (needs GNU gettext)
messages: install
	$(MANAGE) makemessages -l kk -l ru -l en --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=var --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

## Production on this machine: web (gunicorn), Celery worker and beat under supervisord,
## which restarts any of them that dies (deploy/supervisord.conf; systemd: deploy/systemd)
production: install
	mkdir -p var/run
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.production} $(MANAGE) migrate --noinput
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.production} $(MANAGE) collectstatic --noinput --verbosity 0
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.production} $(MANAGE) setup_periodic_tasks
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.production} $(MANAGE) setup_roles
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.production} \
	CELERY_CONCURRENCY=$${CELERY_CONCURRENCY:-2} $(BIN)/supervisord -c deploy/supervisord.conf

## The same after loading the catalogue (a first trial run)
services: seed production

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 --prefetch-multiplier=1 -Ofair

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

## Back up the database and the documents into var/backups/<time>/ (docs/production.md)
backup: install
	$(MANAGE) backup

## Pages, allocation, outbox and memory at 20,000 applicants (needs DATABASE_URL, REDIS_URL, wrk)
bench: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles
