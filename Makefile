# painpath: every target creates and uses .venv (and node_modules) itself.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: demo test test-fast lint bench serve worker clean setup

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "painpath needs $(PYTHON) on PATH (or run: make PYTHON=python3 ...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

setup: $(STAMP) $(NODE_STAMP)

## Demo on the embedded default: SQLite under ./var, synthetic cohort, server + worker.
demo: setup
	$(BIN)/painpath demo

## The whole suite (SQLite unless DATABASE_URL says otherwise).
test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	PAINPATH_ENV=test $(BIN)/mypy

bench: setup
	$(BIN)/python -m benchmarks

serve: setup
	$(BIN)/painpath serve

worker: setup
	$(BIN)/painpath worker

clean:
	rm -rf $(VENV) node_modules var/*.sqlite3* var/huey* var/audit-anchors.jsonl
