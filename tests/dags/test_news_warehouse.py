"""End to end: ``news_warehouse`` on what ``news_import_warc`` wrote: tables, search, report."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dags.conftest import load_dag, run_dag
from tests.dags.lake import article_rows, parquet_rows, warehouse_count

pytestmark = [
    pytest.mark.e2e,
    # Airflow's in-process execution API client, not our code.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

RUN_AT = dt.datetime(2025, 10, 21, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def built(airflow_db, tmp_path_factory):
    """The sample WARC imported, then the warehouse built on the result."""
    data_dir = tmp_path_factory.mktemp("data")
    run_dag(load_dag("news_import_warc"), RUN_AT, {"data_dir": str(data_dir)})
    news_warehouse = load_dag("news_warehouse")
    run = run_dag(news_warehouse, RUN_AT, {"data_dir": str(data_dir)})
    return news_warehouse, data_dir, run


def test_the_warehouse_holds_the_lake(built):
    _, data_dir, run = built
    lake = article_rows(data_dir)
    assert lake
    assert warehouse_count(data_dir, "articles") == len(lake)
    assert warehouse_count(data_dir, "sources") == len({r["source"] for r in lake})
    assert warehouse_count(data_dir, "rejects") == parquet_rows(data_dir / "lake" / "rejects")
    topics = {(r["article_id"], t) for r in lake for t in r["topics"] or []}
    assert warehouse_count(data_dir, "article_topics") == len(topics)
    mapped = [ti for ti in run.get_task_instances() if ti.task_id == "update_warehouse"]
    assert [ti.rendered_map_index for ti in mapped] == [str(data_dir)]


def test_full_text_search_is_indexed(built):
    import duckdb

    from etl.warehouse.connect import load_fts

    _, data_dir, _ = built
    lake = article_rows(data_dir)
    expected = {r["article_id"] for r in lake if "budapest" in (r["title"] + r["text"]).lower()}
    assert expected
    with duckdb.connect(str(data_dir / "warehouse" / "news.duckdb"), read_only=True) as con:
        load_fts(con)
        found = {
            row[0]
            for row in con.execute("SELECT article_id FROM search_articles('Budapest')").fetchall()
        }
    assert found == expected


def test_the_report_is_refreshed(built):
    _, data_dir, _ = built
    report = data_dir / "report" / "index.html"
    warehouse = data_dir / "warehouse" / "news.duckdb"
    assert report.stat().st_mtime_ns >= warehouse.stat().st_mtime_ns
    page = report.read_text(encoding="utf-8")
    # Rendered from this warehouse: its outlets are in it.
    sources = {r["source"] for r in article_rows(data_dir)}
    assert {source for source in sources if source not in page} == set()


def test_an_update_merges_new_runs_by_article_id(built):
    news_warehouse, data_dir, _ = built
    # A second import of part of the same WARC: a new run, the same articles again.
    run_dag(
        load_dag("news_import_warc"),
        RUN_AT + dt.timedelta(hours=1),
        {"domains": ["midwest-ledger.com"], "data_dir": str(data_dir)},
    )
    lake = article_rows(data_dir)
    assert len(lake) > len({r["article_id"] for r in lake}), "the lake holds both runs' rows"

    run_dag(news_warehouse, RUN_AT + dt.timedelta(hours=1), {"data_dir": str(data_dir)})
    assert warehouse_count(data_dir, "articles") == len({r["article_id"] for r in lake})
    # Re-running the same warehouse run changes nothing.
    run_dag(news_warehouse, RUN_AT + dt.timedelta(hours=1), {"data_dir": str(data_dir)})
    assert warehouse_count(data_dir, "articles") == len({r["article_id"] for r in lake})
