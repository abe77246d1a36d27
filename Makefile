# Every target works on a fresh machine with only Python >= 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME := $(VENV)/.runtime

.PHONY: setup demo test check lint typecheck contracts unit bench clean browser fonts trace lock \
	min-versions

# what the clinic needs to run (requirements-runtime.lock: the same pins as the full
# lock, without the test tools), then thecal itself: `make demo` waits for no more
$(RUNTIME): pyproject.toml requirements-runtime.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-runtime.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(RUNTIME)

# and the test tools: every version the tests passed with (requirements.lock)
$(STAMP): $(RUNTIME) requirements.lock
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

# re-resolve the locks after a change of dependencies in pyproject.toml; the runtime
# lock is constrained by the full one, so the two never pin a package differently
lock:
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --all-extras --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--constraint requirements.lock --output-file requirements-runtime.lock pyproject.toml

# the lowest versions pyproject.toml allows (requirements-min.lock, resolved by uv's
# lowest-direct), in a venv of their own, through every test but the browser's; run it
# after a floor in pyproject.toml changes (README, Dependencies)
min-versions:
	$(PYTHON) -m venv .venv-min
	.venv-min/bin/python -m pip install --quiet --upgrade pip uv
	.venv-min/bin/uv pip compile --quiet --resolution lowest-direct --python-version 3.11 \
		--all-extras pyproject.toml -o requirements-min.lock
	.venv-min/bin/python -m pip install --quiet -r requirements-min.lock
	.venv-min/bin/python -m pip install --quiet --no-deps -e .
	.venv-min/bin/pytest -q -m "not browser" -p no:cacheprovider

setup: $(STAMP)

demo: $(RUNTIME)
	mkdir -p out
	$(BIN)/thecal serve --demo

browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# the Noto faces the PDFs set Indic and Thai names in (without them: code points)
fonts:
	test -f /usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf || \
		(apt-get update -qq && apt-get install -y -qq fonts-noto-core)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP) browser fonts
	$(BIN)/pytest -q

test: lint typecheck contracts unit

# the safety-requirement trace table in docs/safety-rules.md, written from the tests
trace: $(STAMP)
	$(BIN)/python -m tests.traceability --write

# the fast tier: no database, browser, system fonts, process or long study (issue 27)
check: lint typecheck contracts
	$(BIN)/pytest -q -m "not db and not browser and not slow and not fonts"

bench: $(STAMP)
	$(BIN)/python bench/delivery.py
	$(BIN)/python bench/demand_scaling.py
	$(BIN)/python bench/server.py
	$(BIN)/python bench/sim.py
	$(BIN)/python bench/telemetry.py
	$(BIN)/python bench/probe.py
	$(BIN)/python bench/logins.py
	$(BIN)/python bench/cli_start.py

clean:
	rm -rf $(VENV) .venv-min out .pytest_cache .mypy_cache .ruff_cache
