"""End to end: ``news_reprocess`` after a rule change replaces exactly the affected files."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dags.conftest import load_dag, run_dag, task_result
from tests.dags.lake import article_rows, lake_snapshot, parquet_rows
from tests.pages import BODY
from tests.warcs import Archived, write_article_warc

pytestmark = [
    pytest.mark.e2e,
    # Airflow's in-process execution API client, not our code.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

RUN_AT = dt.datetime(2025, 10, 20, tzinfo=dt.UTC)
FETCHED_16, FETCHED_17 = "2025-10-16T08:00:00Z", "2025-10-17T08:00:00Z"
PUBLISHED_14, PUBLISHED_15 = "2025-10-14T09:00:00Z", "2025-10-15T09:00:00Z"
SHORT = [
    "Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen, mit "
    "breiter Mehrheit und nach kurzer Debatte über die Kosten der neuen Radwege."
]


@pytest.fixture(scope="module")
def news_reprocess(airflow_db):
    return load_dag("news_reprocess")


@pytest.fixture(scope="module")
def archived(news_reprocess, tmp_path_factory):
    """Two sources' archives on two days, stored once with the default rules."""
    data_dir = tmp_path_factory.mktemp("data")
    raw = data_dir / "raw" / "2025" / "10"
    write_article_warc(
        raw / "16" / "kurier.de_20251016T070000Z_a1b2c3.warc.gz",
        [
            Archived("https://www.kurier.de/a.html", FETCHED_16, "Radwege", BODY, PUBLISHED_15),
            Archived("https://www.kurier.de/b.html", FETCHED_16, "Haushalt", SHORT, PUBLISHED_14),
        ],
    )
    write_article_warc(
        raw / "17" / "bote.de_20251017T070000Z_d4e5f6.warc.gz",
        [Archived("https://www.bote.de/c.html", FETCHED_17, "Fähre", BODY[::-1], PUBLISHED_15)],
    )
    run_dag(news_reprocess, RUN_AT, {"data_dir": str(data_dir)})
    return data_dir, lake_snapshot(data_dir)


def test_every_archive_is_stored_as_its_own_run(archived):
    data_dir, snapshot = archived
    assert snapshot["files"] == [
        "lake/articles/published_date=2025-10-14/part-kurier.de_20251016T070000Z_a1b2c3.parquet",
        "lake/articles/published_date=2025-10-15/part-bote.de_20251017T070000Z_d4e5f6.parquet",
        "lake/articles/published_date=2025-10-15/part-kurier.de_20251016T070000Z_a1b2c3.parquet",
    ]
    assert not any((data_dir / "staging").iterdir())


def test_a_rule_change_replaces_exactly_the_affected_files(news_reprocess, archived):
    data_dir, before = archived
    untouched = data_dir / before["files"][1]
    stamp = untouched.stat().st_mtime_ns
    change = {
        "since": "2025-10-16",
        "until": "2025-10-16",
        "sources": ["kurier.de"],
        "settings": ["min_words=40"],
        "data_dir": str(data_dir),
    }

    run = run_dag(news_reprocess, RUN_AT + dt.timedelta(hours=1), change)

    after = lake_snapshot(data_dir)
    # The short article no longer passes: its partition lost the run's file, the other
    # partition's file of the run was rewritten, the other source's file was not touched.
    assert after["files"] == before["files"][1:]
    assert untouched.stat().st_mtime_ns == stamp
    assert sorted(r["url"] for r in article_rows(data_dir)) == [
        "https://www.bote.de/c.html",
        "https://www.kurier.de/a.html",
    ]
    assert task_result(run, "store")["rejects"] == {"extraction_empty": 1}
    assert parquet_rows(data_dir / "lake" / "rejects") == 1

    # The same reprocess again: the same lake, no duplicates.
    run_dag(news_reprocess, RUN_AT + dt.timedelta(hours=1), change)
    assert lake_snapshot(data_dir) == after
    ids = [r["article_id"] for r in article_rows(data_dir)]
    assert len(ids) == len(set(ids))


def test_a_selection_without_archives_fails_the_run_at_once(archived):
    data_dir, _ = archived
    before = lake_snapshot(data_dir)
    # The DAG as deployed, retries and all: bad Params must fail without waiting out retries.
    from airflow.dag_processing.dagbag import DagBag

    from tests.dags.conftest import DAGS_DIR

    run = run_dag(
        DagBag(dag_folder=DAGS_DIR).dags["news_reprocess"],
        RUN_AT + dt.timedelta(hours=2),
        {"since": "2024-01-01", "until": "2024-01-31", "data_dir": str(data_dir)},
        expect_success=False,
    )
    [listing] = [ti for ti in run.get_task_instances() if ti.task_id == "list_archives"]
    assert (listing.state, listing.try_number) == ("failed", 1)
    assert lake_snapshot(data_dir) == before
