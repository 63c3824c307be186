# IOTA: `make demo` runs the platform with demo data, `make test` runs the suite.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install demo test test-browser lint format messages bench clean

$(BIN)/iota: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/iota

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch node_modules/.package-lock.json

locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po iota/compile_messages.py $(BIN)/iota
	$(BIN)/python -m iota.compile_messages

install: $(BIN)/iota node_modules/.package-lock.json locale/en/LC_MESSAGES/django.mo

demo: install
	mkdir -p var
	DEBUG=1 $(BIN)/iota migrate --no-input
	DEBUG=1 $(BIN)/iota load-demo --analysis queue
	DEBUG=1 $(BIN)/iota demo-serve 127.0.0.1:$(PORT)

test: install
	DJANGO_SETTINGS_MODULE=iota.test_settings $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the lock after changing pyproject.toml's dependencies.
lock:
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.12 --quiet -o requirements.lock

messages: install
	DEBUG=1 $(BIN)/iota makemessages --locale en --ignore '.venv/*' --ignore 'node_modules/*'
	$(BIN)/python -m iota.compile_messages

bench: install
	$(BIN)/python bench/import_onde.py

clean:
	rm -rf $(VENV) node_modules var/static
