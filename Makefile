# news-archive: every target sets itself up from nothing but Python 3.11+ (no network but the
# package registries). `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
DATA_DIR ?= data
# uv from PATH, else a private copy in .tools/ (installed with pip on first use).
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# The interpreter is the machine's: uv must not try to download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
# Installed packages get their bytecode at install, as pip gives it: without it, a process
# started under PYTHONDONTWRITEBYTECODE (or on a read-only venv) compiles polars, pyarrow and
# trafilatura from source at every start, 1.0 s of the 1.7 s a `news-archive run` spent
# importing them (issue 15).
export UV_COMPILE_BYTECODE := 1

.DEFAULT_GOAL := help
.PHONY: help setup demo test test-fast lint format warehouse score clean browser airflow bench bench-scale \
	bench-stories cluster-setup cluster cluster-stop cluster-status test-cluster s3 s3-stop

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

# The checkout's own package is installed editable, which UV_COMPILE_BYTECODE leaves out:
# compiling etl/ from source cost every process about 0.1 s under PYTHONDONTWRITEBYTECODE.
# A module edited later is compiled in memory again (until a run may write its bytecode).
.venv/.synced: uv.lock pyproject.toml Makefile | $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen
	.venv/bin/python -m compileall -q -j 0 etl
	@touch $@

setup: .venv/.synced ## create .venv from uv.lock (installs uv first if missing)

demo: setup ## run the whole pipeline on data/samples, print the summary and the report's path
	$(UV) run --frozen news-archive run --input data/samples --data-dir $(DATA_DIR)
	$(UV) run --frozen news-archive report --data-dir $(DATA_DIR)

test: lint browser ## lint, the whole test suite (unit, end-to-end, DAGs), then the cluster's
	$(UV) run --frozen pytest
	@if reason=$$(ops/cluster.sh installable); then $(MAKE) --no-print-directory test-cluster; \
	else echo "cluster tests skipped: $$reason"; fi

test-fast: setup ## unit tests only (no end-to-end runs)
	$(UV) run --frozen pytest -m "not e2e"

lint: setup ## ruff and mypy, as CI would want them
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy

format: setup ## apply ruff's formatting and safe fixes
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

warehouse: setup ## bring the DuckDB warehouse up to date with the Parquet lake (incremental)
	$(UV) run --frozen news-archive warehouse --data-dir $(DATA_DIR)

score: setup ## score extraction on ../shared/eval/dev (when present)
	rm -rf /tmp/dev-run
	$(UV) run --frozen news-archive run --input ../shared/eval/dev/pages.warc.gz --data-dir /tmp/dev-run
	$(UV) run --frozen python ../shared/eval/score.py --expected ../shared/eval/dev/expected.jsonl \
		--articles /tmp/dev-run/lake/articles --by language

bench: setup ## speed vs the plain trafilatura loop, memory, rerun, 1M-row query latency
	$(UV) run --frozen news-archive bench --pages 2000 --json /tmp/news-archive-bench/bench-2000.json

bench-scale: setup ## peak memory of the pipeline at 5,000 and 20,000 pages
	$(UV) run --frozen news-archive bench --corpus generated --pages 5000 --no-baselines --warehouse-rows 0
	$(UV) run --frozen news-archive bench --corpus generated --pages 20000 --no-baselines --warehouse-rows 0

bench-stories: setup ## a store's story matching: 10,000 new articles vs 1,000,000 archived and vs none
	$(UV) run --frozen news-archive bench-stories --archive 1000000 --new 10000 --days 365 \
		--window-days 3 --stray-days 180 --json /tmp/news-archive-bench/stories.json

clean: ## remove generated data (lake, warehouse, staging), keep the samples
	rm -rf $(DATA_DIR)/lake $(DATA_DIR)/warehouse $(DATA_DIR)/staging $(DATA_DIR)/report \
		$(DATA_DIR)/cache

# The report's browser test drives Debian's Chromium (never a downloaded browser). Installing
# needs root (as in CI) or password-less sudo; if neither works the browser tests skip and say why.
browser: ## install Debian's chromium and chromium-driver when missing (for the browser tests)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "make browser: not root: chromium not installed, the browser tests will skip"; exit 0; fi; \
	if command -v apt-get >/dev/null; then \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		$$sudo apt-get install -y -qq chromium chromium-driver >/dev/null \
		|| echo "make browser: apt-get could not install chromium: the browser tests will skip"; \
	else echo "make browser: no apt-get: chromium not installed, the browser tests will skip"; fi

# A local Airflow 3 for this project: its home (SQLite DB, logs, generated admin password) in
# ./airflow_home (git-ignored), the DAGs read from ./dags, no example DAGs. The DAGs start
# paused: `airflow dags unpause news_collect` (see the README) starts the hourly collect.
AIRFLOW_HOME ?= $(CURDIR)/airflow_home
AIRFLOW_PORT ?= 8080
# How many outlets news_collect fetches at once (the news_fetch pool's slots).
AIRFLOW_FETCH_SLOTS ?= 4
AIRFLOW_ENV = AIRFLOW_HOME=$(AIRFLOW_HOME) AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags \
	AIRFLOW__CORE__LOAD_EXAMPLES=False AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT=$(AIRFLOW_PORT)

airflow: setup ## start a local Airflow 3 (UI and API on :8080, SQLite) on dags/; Ctrl-C stops it
	@mkdir -p $(AIRFLOW_HOME)
	$(AIRFLOW_ENV) $(UV) run --frozen airflow db migrate
	$(AIRFLOW_ENV) $(UV) run --frozen airflow pools set news_fetch $(AIRFLOW_FETCH_SLOTS) \
		"news-archive: outlets news_collect fetches at once"
	@echo "Airflow: http://127.0.0.1:$(AIRFLOW_PORT)  user admin, password in" \
		"$(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated"
	$(AIRFLOW_ENV) exec $(UV) run --frozen airflow standalone

# The local cluster of issue 17 (docs/cluster.md): PostgreSQL, Redis, SeaweedFS S3 and Airflow 3
# on Celery with two workers, all on 127.0.0.1, all state in ./cluster_home (git-ignored). The
# logic is in ops/cluster.sh; `make cluster-stop` ends exactly the processes it started. It has
# its own venv, .venv-cluster (the `cluster` dependency group on top of the default ones), so
# that `make setup` and the cluster never uninstall each other's packages.
CLUSTER_VENV ?= $(CURDIR)/.venv-cluster
CLUSTER = CLUSTER_VENV=$(CLUSTER_VENV) AIRFLOW_FETCH_SLOTS=$(AIRFLOW_FETCH_SLOTS) ops/cluster.sh

$(CLUSTER_VENV)/.synced: uv.lock pyproject.toml | $(if $(filter .tools/bin/uv,$(UV)),.tools/bin/uv)
	UV_PROJECT_ENVIRONMENT=$(CLUSTER_VENV) $(UV) sync --frozen --group cluster
	@touch $@

cluster-setup: $(CLUSTER_VENV)/.synced ## create .venv-cluster: the default venv plus the cluster group

cluster: cluster-setup ## start PostgreSQL, Redis, SeaweedFS S3, Airflow on Celery (2 workers)
	@$(CLUSTER) deps start

cluster-stop: ## stop what `make cluster` started, in reverse order
	@$(CLUSTER) stop

cluster-status: ## what of the cluster runs, and whether it answers
	@$(CLUSTER) status

s3: cluster-setup ## start SeaweedFS alone: S3 on 127.0.0.1:8333, bucket news-archive
	@$(CLUSTER) s3

s3-stop: ## stop the SeaweedFS that `make s3` started
	@$(CLUSTER) s3-stop

test-cluster: cluster-setup ## start the cluster, run the smoke test on it (tests/cluster), stop it
	@$(MAKE) --no-print-directory cluster || { $(MAKE) --no-print-directory cluster-stop; exit 1; }
	NEWS_ARCHIVE_CLUSTER=1 $(CLUSTER_VENV)/bin/pytest -m cluster -rP tests/cluster; \
		status=$$?; $(MAKE) --no-print-directory cluster-stop; exit $$status
