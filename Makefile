# Arvo: the two commands a user needs are `make demo` and `make test`.
# Both create .venv when it is missing and install the locked dependency set (requirements.lock).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.arvo-installed
# The same defaults as the `arvo` CLI; set any of them in the environment to point elsewhere.
export ARVO_LANDING ?= $(CURDIR)/landing
export ARVO_WAREHOUSE ?= $(CURDIR)/warehouse/arvo.duckdb
export ARVO_SERVING ?= $(CURDIR)/serving
export ARVO_QUARANTINE ?= $(CURDIR)/quarantine

.PHONY: install demo test test-all test-fast lint bench dagster clean help lock

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

install: $(STAMP)  ## create .venv and install the locked dependencies

demo: $(STAMP)  ## generate the small sample set into $ARVO_LANDING, run the whole pipeline, print a summary, write the report
	$(BIN)/arvo generate --scale small --seed 42 --out $(ARVO_LANDING)
	$(BIN)/arvo run
	$(BIN)/arvo report

test: $(STAMP)  ## run the test suite, as CI does: everything but the six repeated-kill fault variants (marked slow)
	$(BIN)/python -m pytest -m "not slow"

test-all: $(STAMP)  ## every test, the slow fault variants included (about 8 minutes more)
	$(BIN)/python -m pytest

test-fast: $(STAMP)  ## the suite without the slow end-to-end and fault tests
	$(BIN)/python -m pytest -m "not e2e and not faults and not slow"

lint: $(STAMP)  ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)  ## benchmarks -> benchmarks/RESULTS.md
	$(BIN)/python -m benchmarks.run

dagster: $(STAMP)  ## the Dagster UI (asset graph, checks, schedule, sensor) on http://127.0.0.1:3000
	DAGSTER_HOME=$${DAGSTER_HOME:-$(CURDIR)/.dagster} ; mkdir -p $$DAGSTER_HOME ; cp -n dagster.yaml $$DAGSTER_HOME/ ; \
	DAGSTER_HOME=$$DAGSTER_HOME PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dagster dev

clean:  ## remove the demo data and warehouse, dbt build output and the venv
	rm -rf landing warehouse serving quarantine .dagster dbt_project/target dbt_project/logs $(VENV)

lock:  ## re-resolve requirements.lock from pyproject.toml (needs network)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes -o requirements.lock
