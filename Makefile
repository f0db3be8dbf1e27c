# Two commands matter: `make run` (set up everything and serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run install install-dev migrate seed test lint audit format messages bench worker beat services clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

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

## Known vulnerabilities in the pinned requirements. Needs PyPI's JSON API (the advisory
## service); --strict fails when any requirement could not be checked, so an unreachable
## service is a failure, never a silent pass.
audit: install-dev
	@$(BIN)/pip-audit --strict --progress-spinner off -r requirements-dev.txt || { \
		echo "pip-audit: FAILED - a known vulnerability, or the advisory service (PyPI's JSON API) could not be reached for every pinned requirement." >&2; \
		exit 1; }

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Rebuild the translation catalogues (needs GNU gettext)
messages: install
	$(MANAGE) makemessages -l kk -l ru -l en --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=var --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

## Production-like processes: web, Celery worker and beat (see Procfile)
services: seed
	DJANGO_SETTINGS_MODULE=config.settings.production $(MANAGE) collectstatic --noinput --verbosity 0
	$(BIN)/honcho start

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 --prefetch-multiplier=1

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler

bench: install-dev
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) staticfiles
