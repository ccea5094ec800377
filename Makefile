# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format fuzz faults load

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput -v0
	PORT=$(PORT) exec $(BIN)/python -m statusapp.run

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The property tests (address guard, status machine, pagination) and schemathesis against
# /api/schema (every operation, then stateful scenarios, with real API keys) with many more
# generated examples; short runs of both are part of make test. Prints schemathesis's
# figures at the end. About 5 minutes.
fuzz: $(VENV)/.dev
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:cacheprovider tests/test_properties.py tests/test_schema_fuzz.py

# The API, the public status page and heartbeat pings under wrk at once while 10,000 monitors
# are checked, then the rate limiter under 50 clients; prints the figures (bench/load.py).
load: $(VENV)/.dev
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/load.py

# PostgreSQL restarted, Redis flushed, workers killed, two beats: against a private
# PostgreSQL and Redis that the run starts and removes (faults/__main__.py).
faults: $(VENV)/.dev
	$(BIN)/python -m faults
