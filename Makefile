# Every target works on a fresh machine with only Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test check lint typecheck contracts unit bench clean browser trace lock

# the versions the tests passed with (requirements.lock, `make lock`), then thecal itself
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# re-resolve the lock after a change of dependencies in pyproject.toml
lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml

setup: $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/thecal serve --demo

browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP) browser
	$(BIN)/pytest -q

test: lint typecheck contracts unit

# the safety-requirement trace table in docs/safety-rules.md, written from the tests
trace: $(STAMP)
	$(BIN)/python -m tests.traceability --write

# the fast tier: no database, browser, process or long study (issue 27)
check: lint typecheck contracts
	$(BIN)/pytest -q -m "not db and not browser and not slow"

bench: $(STAMP)
	$(BIN)/python bench/delivery.py
	$(BIN)/python bench/demand_scaling.py
	$(BIN)/python bench/server.py
	$(BIN)/python bench/sim.py
	$(BIN)/python bench/telemetry.py
	$(BIN)/python bench/probe.py
	$(BIN)/python bench/cli_start.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
