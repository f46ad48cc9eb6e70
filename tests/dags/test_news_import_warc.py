"""End to end: ``news_import_warc`` run in-process with ``dag.test()`` on the sample WARC."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.dags.conftest import load_dag, run_dag, task_result
from tests.dags.lake import articles_event_extra, lake_snapshot, parquet_rows, sources_in_lake

pytestmark = [
    pytest.mark.e2e,
    # Airflow's in-process execution API client, not our code.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

SAMPLE_WARC = Path(__file__).resolve().parents[2] / "data" / "samples" / "warc" / "samples.warc.gz"
# dag.test() names the run after run_after: the same time makes the second run the same run.
RUN_AT = dt.datetime(2025, 10, 16, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def news_import_warc(airflow_db):
    return load_dag("news_import_warc")


@pytest.fixture(scope="module")
def first_run(news_import_warc, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    # The default paths Param is the bundled sample WARC, given as a glob.
    run = run_dag(news_import_warc, RUN_AT, {"data_dir": str(data_dir)})
    return data_dir, run, lake_snapshot(data_dir)


def test_run_fills_the_lake_and_cleans_its_staging(first_run):
    data_dir, run, snapshot = first_run
    extracts = [ti for ti in run.get_task_instances() if ti.task_id == "extract"]
    assert [ti.map_index for ti in extracts] == [0], "the glob should find the one sample WARC"

    assert snapshot["articles"] > 0
    assert not any((data_dir / "staging").iterdir())
    # The store task announced what it wrote (news_warehouse is scheduled on this event).
    extra = articles_event_extra(run.run_id)
    assert extra is not None, "store emitted no news_archive_articles event"
    assert extra["articles"] == snapshot["articles"]
    assert extra["data_dir"] == str(data_dir)

    summary = task_result(run, "store")
    assert summary["accounted"] is True


def test_rerunning_a_run_replaces_what_it_wrote(news_import_warc, first_run):
    data_dir, first, before = first_run
    second = run_dag(news_import_warc, RUN_AT, {"data_dir": str(data_dir)})

    assert second.run_id == first.run_id
    assert lake_snapshot(data_dir) == before


def test_date_and_domain_filters_apply_before_extraction(news_import_warc, tmp_path):
    run = run_dag(
        news_import_warc,
        RUN_AT + dt.timedelta(hours=1),
        {
            "paths": [str(SAMPLE_WARC)],
            "since": "2025-10-13",
            "until": "2025-10-18",
            "domains": ["www.midwest-ledger.com"],
            "data_dir": str(tmp_path),
        },
    )
    assert sources_in_lake(tmp_path) == {"midwest-ledger.com"}
    summary = task_result(run, "store")
    # The sample WARC's 17 responses: 8 fetched before the 13th or after the 18th, 6 in the
    # window from other outlets (a logo and a section page among them, which would otherwise
    # have become rejects), 3 kept. Its warcinfo and request records are skipped as always.
    assert summary["skipped"] == {
        "outside_dates": 8,
        "other_domain": 6,
        "warc_request": 1,
        "warc_warcinfo": 1,
    }
    assert summary["accounted"] is True
    assert parquet_rows(tmp_path / "lake" / "articles") == summary["articles"] > 0
