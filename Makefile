# Thin aliases of the real commands; see README.md.
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

.PHONY: setup run test lint bench screenshots

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

## setup: create .venv and install the locked Python and npm dependencies
setup: $(UV)
	$(UV) sync --frozen --quiet --python $(VENV)/bin/python
	npm ci --no-audit --no-fund --loglevel=error

## run: install, migrate the SQLite database, load demo data, and serve on 127.0.0.1:8000
## with the background task worker beside the web server (Ctrl+C stops both)
run: setup
	$(VENV)/bin/collis manage migrate --no-input --verbosity 0
	$(VENV)/bin/collis demo-data
	@echo
	@echo "Collis is starting at http://127.0.0.1:8000/ with its task worker (press Ctrl+C to stop)"
	$(VENV)/bin/collis run --address 127.0.0.1:8000

## test: install, lint and run the whole test suite (browser journeys need /usr/bin/chromium)
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

lint: setup
	$(VENV)/bin/ruff check .

## bench: seed 100,000 synthetic patients and report latency, then the domain throughput,
## then the production stack (gunicorn) under load from wrk (apt-get install wrk)
bench: setup
	$(VENV)/bin/collis bench
	$(VENV)/bin/collis bench --http
