"""End to end: ``news_import`` run in-process with ``dag.test()`` on the project's samples."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    # Airflow's in-process execution API client, not our code.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

REPO_DIR = Path(__file__).resolve().parents[2]
SAMPLES = REPO_DIR / "data" / "samples"
# dag.test() names the run after run_after: fixing it makes the second run the same run
# (same run_id), which is what re-running means.
RUN_AT = dt.datetime(2025, 10, 16, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def news_import(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=REPO_DIR / "dags").get_dag("news_import")
    # dag.test() waits out retry delays; a broken task should fail the test now, not later.
    for task in dag.tasks:
        task.retries = 0
    return dag


@pytest.fixture(scope="module")
def first_run(news_import, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    run = _run(news_import, data_dir)
    return data_dir, run, _lake_snapshot(data_dir)


def test_run_fills_lake_and_warehouse(first_run):
    data_dir, run, _ = first_run
    extracts = [ti for ti in run.get_task_instances() if ti.task_id == "extract"]
    assert extracts, "the inputs expanded to no units"

    articles = _parquet_rows(data_dir / "lake" / "articles")
    assert articles > 0
    assert _warehouse_rows(data_dir / "warehouse" / "news.duckdb") == articles
    # The store task announced what it wrote; the count matches the lake.
    extra = _articles_event_extra(run.run_id)
    assert extra is not None, "store emitted no news_archive_articles event"
    assert extra["articles"] == articles


def test_rerunning_a_run_replaces_what_it_wrote(news_import, first_run):
    data_dir, first, before = first_run
    second = _run(news_import, data_dir)

    assert second.run_id == first.run_id
    assert _lake_snapshot(data_dir) == before
    assert _warehouse_rows(data_dir / "warehouse" / "news.duckdb") == before["articles"]


def _run(dag, data_dir: Path):
    from airflow.utils.state import DagRunState

    run = dag.test(
        logical_date=RUN_AT,
        run_after=RUN_AT,
        run_conf={"inputs": [str(SAMPLES)], "data_dir": str(data_dir)},
    )
    failed = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert run.state == DagRunState.SUCCESS, failed
    return run


def _articles_event_extra(run_id: str) -> dict[str, object] | None:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalars(
            select(AssetEvent.extra)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.name == "news_archive_articles", AssetEvent.source_run_id == run_id)
            .order_by(AssetEvent.timestamp.desc())
        ).first()


def _parquet_rows(path: Path) -> int:
    import pyarrow.dataset as ds

    return ds.dataset(path, format="parquet", partitioning="hive").count_rows()


def _lake_snapshot(data_dir: Path) -> dict[str, object]:
    articles = data_dir / "lake" / "articles"
    return {
        "articles": _parquet_rows(articles),
        "files": sorted(str(p.relative_to(data_dir)) for p in articles.rglob("*.parquet")),
    }


def _warehouse_rows(path: Path) -> int:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM articles").fetchone()
    assert row is not None
    return int(row[0])
