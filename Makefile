# Two commands on a fresh machine: `make run` and `make test`. Both install first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-quick lint bench dev clean demo reliability messages

# Bytecode is compiled at install: the environment sets PYTHONDONTWRITEBYTECODE=1, so without it
# every run recompiles every module it imports (about a quarter of a demo night).
$(STAMP): requirements.lock pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q -j 0 pipelines connectors benchmarks >/dev/null
	touch $(STAMP)

# Message catalogs (pipelines/reporting/locale): .po files are the source, .mo files are built here.
LOCALE := pipelines/reporting/locale
PO_FILES := $(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -D messages -d $(LOCALE) -l $*

install: $(STAMP) $(MO_FILES)

# After changing a message id in code or templates: re-extract, merge into every catalog, compile.
messages: install
	$(BIN)/pybabel extract -F $(LOCALE)/babel.cfg -k t -k _ -k gettext -k ngettext:1,2 -k N_ -k N_plural:1,1 --no-default-keywords \
		--sort-output --omit-header --no-location -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -D messages -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching \
		--ignore-obsolete --width 100
	$(BIN)/pybabel compile --statistics -D messages -d $(LOCALE)

run: install
	$(BIN)/okr run

# Two workers (pytest-xdist). --dist loadscope keeps each test module on one worker, so a module's
# expensive fixture (a dbt run, a PostgreSQL database) is built once; session fixtures shared by
# all workers (the demo night, the dbt manifest) are built once under a file lock (tests/conftest.py).
# --no-loadscope-reorder keeps the order tests/conftest.py sets (slow end-to-end modules first):
# xdist's default reorders modules by test count, which left the long one-test modules to the end
# on one worker while the other sat idle for minutes.
# `pytest` alone (no -n) still runs everything in one process.
TEST_WORKERS ?= 2
XDIST = -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

test: install
	$(BIN)/python -m pytest $(XDIST)

# The subset for every change: no end-to-end runs, and the property tests search a quarter as long
# (tests/fuzzing.py); `make test` runs them in full.
test-quick: install
	OKR_QUICK_FUZZ=1 $(BIN)/python -m pytest $(XDIST) -m "not slow and not integration"

# Run the fault tests and regenerate the fault table of docs/reliability.md from their results.
reliability: install
	rm -rf build/fault-report
	$(BIN)/python -m pytest $(XDIST) -m fault
	$(BIN)/python scripts/reliability_report.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/check_portability.py
	OKR_WAREHOUSE_PATH=:memory: $(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests

# Every row of issue 15's goals table (benchmarks/README.md); BENCH_ARGS="--krs 100 --metrics 20" is quicker.
bench: install
	$(eval BENCH_FILE := .benchmarks/bench-$(shell date -u +%Y%m%dT%H%M%SZ).jsonl)
	OKR_BENCH_RESULTS=$(CURDIR)/$(BENCH_FILE) $(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-autosave -p no:cacheprovider
	OKR_BENCH_RESULTS=$(CURDIR)/$(BENCH_FILE) $(BIN)/python -m benchmarks.harness $(BENCH_ARGS)

dev: install
	mkdir -p .dagster_home
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev

clean:
	rm -rf $(VENV) data build dbt_project/target

demo: install
	$(BIN)/python -m demo.generate
