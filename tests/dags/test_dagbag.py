"""Every DAG in ``dags/`` parses without errors, quickly and without heavy imports, and states
the house rules explicitly (STYLE.md, Airflow 3)."""

from __future__ import annotations

import ast
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(DAGS_DIR.glob("*.py"))
# Keyword arguments every DAG spells out, even where Airflow's default would do: the reader
# should not need to know the defaults (schedule=None and catchup=False are both defaults).
EXPLICIT_KEYWORDS = {
    "schedule",
    "start_date",
    "catchup",
    "max_active_runs",
    "default_args",
    "tags",
    "doc_md",
}
# The DAG processor imports every DAG file again and again: these belong inside task bodies.
HEAVY_MODULES = {"etl", "polars", "duckdb", "trafilatura", "pyarrow", "pandas"}
MAX_PARSE_SECONDS = 2.0

# Airflow itself is imported first and not timed: the DAG processor has it loaded already. One
# interpreter parses every file in turn; the modules each file adds are its own imports.
PARSE_PROBE = """
import importlib.util, json, sys, time
import airflow.sdk
results = {}
for number, path in enumerate(sys.argv[1:]):
    before = set(sys.modules)
    start = time.perf_counter()
    spec = importlib.util.spec_from_file_location(f"dag_file_{number}", path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    seconds = time.perf_counter() - start
    results[path] = {"seconds": seconds, "modules": sorted(set(sys.modules) - before)}
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def parse_probe() -> dict[str, dict[str, object]]:
    # A fresh interpreter, so that modules other tests imported do not hide what the DAG
    # files import, and the timing is not skewed by warm caches of this process.
    probe = subprocess.run(
        [sys.executable, "-c", PARSE_PROBE, *map(str, DAG_FILES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout.strip().splitlines()[-1])


def test_dags_folder_has_dags(dagbag):
    assert DAG_FILES
    assert dagbag.dags


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_dag_id_is_file_name(dagbag):
    wrong = {d.dag_id: d.fileloc for d in dagbag.dags.values() if Path(d.fileloc).stem != d.dag_id}
    assert wrong == {}


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_arguments_are_explicit(path):
    calls = [
        node
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call) and _called_name(node.func) in {"dag", "DAG"}
    ]
    assert calls, f"{path.name} defines no DAG"
    for call in calls:
        missing = EXPLICIT_KEYWORDS - {kw.arg for kw in call.keywords}
        assert not missing, f"{path.name}:{call.lineno} leaves {sorted(missing)} to defaults"


def test_dag_settings(dagbag):
    problems = []
    for dag in dagbag.dags.values():
        if dag.max_active_runs != 1:
            problems.append(f"{dag.dag_id}: max_active_runs={dag.max_active_runs}, one DuckDB file")
        if not dag.tags:
            problems.append(f"{dag.dag_id}: no tags")
        if not (dag.doc_md or "").strip():
            problems.append(f"{dag.dag_id}: no doc_md")
        if dag.default_args.get("retries", 0) <= 0:
            problems.append(f"{dag.dag_id}: default_args has no retries")
        problems += [f"{dag.dag_id}.{t.task_id}: retries=0" for t in dag.tasks if t.retries <= 0]
        problems += [
            f"{dag.dag_id}.{t.task_id}: retries without backoff"
            for t in dag.tasks
            if not t.retry_exponential_backoff
        ]
    assert problems == []


def test_collect_is_hourly_without_catchup_and_fetches_in_the_pool(dagbag):
    dag = dagbag.dags["news_collect"]
    from airflow.sdk import CronDataIntervalTimetable

    # An interval timetable: each run covers an hour, which keys what it writes.
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == "0 * * * *"
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    fetch = dag.get_task("fetch")
    assert fetch.pool == "news_fetch"
    # Mapped per source: the pool's slots, not the DAG, bound how many outlets are fetched.
    assert fetch.is_mapped
    assert fetch.execution_timeout is not None


def test_article_writers_feed_the_warehouse_dag(dagbag):
    writers = {
        dag_id: sorted(task.task_id for task in dag.tasks if _asset_names(task.outlets))
        for dag_id, dag in dagbag.dags.items()
    }
    assert writers == {
        "news_collect": ["store"],
        "news_import_warc": ["store"],
        "news_reprocess": ["store"],
        "news_warehouse": [],
    }
    warehouse = dagbag.dags["news_warehouse"]
    assert _asset_names(warehouse.timetable.asset_condition.objects) == {"news_archive_articles"}


def test_manual_dags_have_no_schedule(dagbag):
    from airflow.sdk.definitions.timetables.simple import NullTimetable

    for dag_id in ("news_import_warc", "news_reprocess"):
        assert isinstance(dagbag.dags[dag_id].timetable, NullTimetable), dag_id


def test_runs_end_by_cleaning_their_staging(dagbag):
    for dag_id in ("news_collect", "news_import_warc", "news_reprocess"):
        dag = dagbag.dags[dag_id]
        assert [t.task_id for t in dag.leaves] == ["clean_up"], dag_id


def _asset_names(outlets) -> set[str]:
    return {getattr(outlet, "name", None) for outlet in outlets} - {None}


def test_start_date_is_fixed(dagbag):
    from airflow.dag_processing.dagbag import DagBag

    # A start_date computed at parse time (now(), days ago) moves between two parses.
    reparsed = DagBag(dag_folder=DAGS_DIR)
    for dag_id, dag in dagbag.dags.items():
        assert dag.start_date is not None, dag_id
        assert dag.start_date.tzinfo is not None, f"{dag_id}: naive start_date"
        assert dag.start_date < dt.datetime.now(dt.UTC), dag_id
        assert reparsed.dags[dag_id].start_date == dag.start_date, f"{dag_id}: start_date moves"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_parsing_is_light(path, parse_probe):
    heavy = sorted({m.split(".")[0] for m in parse_probe[str(path)]["modules"]} & HEAVY_MODULES)
    assert heavy == [], f"{path.name} imports {heavy} at parse time"


def test_parsing_all_dags_is_fast(parse_probe):
    seconds = {Path(p).name: r["seconds"] for p, r in parse_probe.items()}
    assert sum(seconds.values()) < MAX_PARSE_SECONDS, seconds


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None
