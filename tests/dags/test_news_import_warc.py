"""End to end: ``news_import_warc`` run in-process with ``dag.test()`` on the sample WARC."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dags.conftest import load_dag, run_dag, task_result
from tests.dags.lake import (
    article_rows,
    articles_event_extra,
    lake_snapshot,
    parquet_rows,
    sources_in_lake,
)

pytestmark = [
    pytest.mark.e2e,
    # Airflow's in-process execution API client, not our code.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
SAMPLE_WARC = SAMPLES / "warc" / "samples.warc.gz"
SAMPLE_HTML = SAMPLES / "html"
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


def story_groups(data_dir: Path) -> set[frozenset[tuple[str, str]]]:
    """The lake's stories as groups of (run, article): the same groups, whatever their ids."""
    groups: dict[str, set[tuple[str, str]]] = {}
    for row in article_rows(data_dir):
        groups.setdefault(row["story_id"], set()).add((row["run_id"], row["article_id"]))
    return {frozenset(group) for group in groups.values()}


def test_the_dag_and_a_cli_run_write_one_data_dir_at_once(news_import_warc, tmp_path):
    """Production runs imports and hand-started runs into one data directory: each store
    waits for the other's lock, and the lake is the one they make one after the other."""
    data_dir, alone = tmp_path / "shared", tmp_path / "alone"
    cli = [sys.executable, "-m", "etl.cli", "run", "--input", str(SAMPLE_HTML), "--workers", "2"]
    run_at = RUN_AT + dt.timedelta(hours=2)
    conf = {"data_dir": str(data_dir)}
    at_once = subprocess.Popen(
        [*cli, "--data-dir", str(data_dir), "--no-warehouse", "--wait", "600"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        run = run_dag(news_import_warc, run_at, conf)
    finally:
        output, _ = at_once.communicate(timeout=600)
    assert at_once.returncode == 0, output
    assert "all accounted   yes" in output
    assert task_result(run, "store")["accounted"] is True

    # The same two runs one after the other, into a data directory of their own.
    subprocess.run([*cli, "--data-dir", str(alone), "--no-warehouse"], check=True, timeout=600)
    run_dag(news_import_warc, run_at, {"data_dir": str(alone)})
    assert lake_snapshot(data_dir)["keys"] == lake_snapshot(alone)["keys"]
    assert story_groups(data_dir) == story_groups(alone)
    assert not (data_dir / "staging").exists() or not any((data_dir / "staging").iterdir())


def test_the_store_keys_may_come_from_an_airflow_connection(
    news_import_warc, first_run, tmp_path, monkeypatch
):
    """A deployment that keeps its secrets in Airflow: no AWS_* variables in the workers'
    environment, the keys in the ``news_archive_s3`` connection (the Amazon provider's form)."""
    import json
    import os

    from etl.core.objectstore import Mirror, ObjectRoot, s3_filesystem
    from etl.core.settings import ObjectStoreSettings
    from tests.s3 import start_seaweedfs

    server = start_seaweedfs(tmp_path / "seaweedfs")
    s3 = next(server)
    try:
        env = s3.env()
        for name in list(os.environ):
            if name.startswith("AWS_"):
                monkeypatch.delenv(name)
        connection = {
            "conn_type": "aws",
            "login": env["AWS_ACCESS_KEY_ID"],
            "password": env["AWS_SECRET_ACCESS_KEY"],
            "extra": {"endpoint_url": env["AWS_ENDPOINT_URL"], "region_name": env["AWS_REGION"]},
        }
        monkeypatch.setenv("AIRFLOW_CONN_NEWS_ARCHIVE_S3", json.dumps(connection))
        monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(tmp_path / "work"))
        # What the task sets, the test's own environment loses again afterwards.
        for name in (
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ENDPOINT_URL",
            "AWS_REGION",
        ):
            monkeypatch.setenv(name, "")
            monkeypatch.delenv(name)
        url = s3.root()

        # Every param given: dag.test() keeps an earlier run's conf as the DAG's defaults.
        conf = {"paths": [str(SAMPLE_WARC)], "since": None, "until": None, "domains": []}
        run_dag(news_import_warc, RUN_AT + dt.timedelta(days=30), conf | {"data_dir": url})

        settings = ObjectStoreSettings(
            env["AWS_ENDPOINT_URL"], env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
        )
        copy = tmp_path / "copy"
        Mirror(ObjectRoot.parse(url), copy, s3_filesystem(settings)).pull("lake")
        assert lake_snapshot(copy)["articles"] == first_run[2]["articles"]
    finally:
        server.close()
