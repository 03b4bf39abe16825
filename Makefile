# cx-warehouse — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-done
export CX_RAW_DIR ?= data/raw
export CX_DUCKDB_PATH ?= data/warehouse/cx.duckdb
export CX_SERVING_PATH ?= data/warehouse/serving.duckdb
export DAGSTER_HOME ?= $(CURDIR)/data/dagster
DBT := $(BIN)/dbt
DBT_ARGS := --project-dir . --profiles-dir .
# The Dagster code location's dbt manifest (orchestration/dbt_assets.py): parsed ahead, so
# loading the definitions reads it instead of parsing dbt; re-parsed when a dbt file changes.
MANIFEST := target_orch/manifest.json
# make test: pytest-xdist processes, a test file each
TEST_WORKERS ?= 2
DBT_FILES := dbt_project.yml profiles.yml $(shell find models macros data-tests seeds -type f 2>/dev/null)

.PHONY: setup run build sample test test-spark lint dev dashboard suites export bench clean

setup: $(STAMP) $(MANIFEST)  ## create .venv (idempotent) and prepare the dbt manifest
# the spark target (CX_TARGET=spark, make test-spark) runs PySpark, which needs Java 17+
	@command -v java >/dev/null || { echo "make setup: Java not found (java is not on PATH):" \
		"the spark target (CX_TARGET=spark, make test-spark) needs Java 17+," \
		"e.g. apt-get install -y openjdk-17-jre-headless; the DuckDB target does not" >&2; \
		test "$(CX_TARGET)" != spark; }
# Debian's chromium, driven by playwright in tests/dashboard (never `playwright install`)
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock -e . --no-deps
	mkdir -p data/raw data/warehouse data/dagster
	touch $(STAMP)

# parsed on the DuckDB target whatever CX_TARGET is: one asset graph for both engines
$(MANIFEST): $(STAMP) $(DBT_FILES)
	CX_TARGET=duckdb $(DBT) parse $(DBT_ARGS) --target-path target_orch --log-path logs_orch --quiet
	touch $(MANIFEST)

sample: setup  ## generate the default sample landing dir if it is empty
	$(BIN)/python -m orchestration.sample_data --out $(CX_RAW_DIR) --if-empty

build: setup  ## plain dbt build into CX_DUCKDB_PATH
	mkdir -p $(dir $(CX_DUCKDB_PATH))
	$(DBT) build $(DBT_ARGS)

run: setup  ## the refresh job end to end (sample data first when the default landing dir is empty)
ifeq ($(origin CX_RAW_DIR),file)
	$(BIN)/python -m orchestration.sample_data --out $(CX_RAW_DIR) --if-empty
endif
	$(BIN)/python -m orchestration.cli run

test: setup  ## unit + end-to-end tests (TEST_WORKERS processes, a test file per process)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not spark"

test-spark: setup  ## the hand scenario on DuckDB and on Spark, every mart compared (Java 17+)
	$(BIN)/python -m pytest -q -m spark tests/spark

lint: setup  ## ruff + sqlfluff
	$(BIN)/ruff check orchestration dashboard tests bench
	$(BIN)/ruff format --check orchestration dashboard tests bench
	# the dbt templater opens CX_DUCKDB_PATH: a file of its own, so lint never waits on a refresh
	CX_DUCKDB_PATH=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models macros data-tests --disable-progress-bar

dev: setup  ## Dagster UI with the asset graph, checks, schedule and sensor
	mkdir -p $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || cp orchestration/dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -m orchestration.definitions

CX_DASHBOARD_PORT ?= 8501
dashboard: setup  ## CX dashboard (Streamlit) on port CX_DASHBOARD_PORT, reading CX_SERVING_PATH
	$(BIN)/streamlit run dashboard/app.py --server.port $(CX_DASHBOARD_PORT) \
		--server.headless true --browser.gatherUsageStats false --client.toolbarMode viewer

suites: setup  ## regenerate the GX suites expectations/*.json from the contract (never edit them)
	$(BIN)/python -m orchestration.quality.make_suites

export: setup  ## finance marts as CSV + Parquet with manifest.json in data/exports/<as_of_date>/
	$(BIN)/python -m orchestration.defs.publish.export

SCALE ?= M
ENGINE ?= duckdb
bench: setup  ## benchmark at SCALE=S|M|L (10k/100k/1M accounts), ENGINE=duckdb|spark; figures in bench/results/
	$(BIN)/python bench/bench.py --scale $(SCALE) --engine $(ENGINE)

clean:  ## remove everything generated (every git-ignored file: .venv, data/, target*/, logs*/, caches)
	git clean -fdXq
