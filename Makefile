# The targets the README names. `make demo` and `make test` work in a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test run lint bench browser clean

$(BIN)/foerderradar: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: $(BIN)/foerderradar
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

demo: $(BIN)/foerderradar
	$(BIN)/foerderradar demo

run: $(BIN)/foerderradar
	$(BIN)/foerderradar run

test: $(VENV)/.dev browser
	$(BIN)/pytest -q

# Debian's Chromium for the browser tests; they skip when it cannot be installed.
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: browser tests will skip"

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.dev
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) demo/out
