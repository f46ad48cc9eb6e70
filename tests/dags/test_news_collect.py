"""End to end: ``news_collect`` run with ``dag.test()`` against the fixture site on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dags.conftest import load_dag, run_dag, task_result
from tests.dags.lake import article_rows, articles_event_extra, lake_snapshot, parquet_rows
from tests.fixture_site import FAST, FixtureSite, serve_site, sources_file

pytestmark = [
    pytest.mark.e2e,
    # Airflow's in-process execution API client, not our code.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

# An hourly run: the manual run for 10:00 covers the hour before it.
RUN_AT = dt.datetime(2025, 10, 16, 10, tzinfo=dt.UTC)
INTERVAL = "20251016T090000Z"


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with serve_site() as running:
        yield running


@pytest.fixture(scope="module")
def news_collect(airflow_db):
    return load_dag("news_collect")


@pytest.fixture(autouse=True)
def _fast_fetching(monkeypatch):
    # The tasks run in this process (dag.test()), so the fetcher's settings can be swapped:
    # the site's pauses and timeouts shrunk a hundredfold, as the collection tests do.
    from etl.collect.fetch import FetchSettings

    monkeypatch.setattr(FetchSettings, "from_env", classmethod(lambda cls: FAST))


def _conf(site: FixtureSite, root: Path) -> dict[str, str]:
    root.mkdir(parents=True, exist_ok=True)
    sources = sources_file(site, root / "sources.toml", "sources-clean.toml")
    return {"sources_file": str(sources), "data_dir": str(root / "data")}


def _article_hits(site: FixtureSite) -> Counter[str]:
    return Counter({p: n for p, n in site.hits.items() if p.endswith(".html")})


@pytest.fixture(scope="module")
def collected(news_collect, site, tmp_path_factory):
    root = tmp_path_factory.mktemp("collect")
    conf = _conf(site, root)
    with pytest.MonkeyPatch.context() as patch:
        from etl.collect.fetch import FetchSettings

        patch.setattr(FetchSettings, "from_env", classmethod(lambda cls: FAST))
        run = run_dag(news_collect, RUN_AT, conf)
    data_dir = Path(conf["data_dir"])
    return conf, data_dir, run, lake_snapshot(data_dir), _article_hits(site)


def test_a_run_fetches_each_source_into_its_interval_archive(collected):
    _, data_dir, run, snapshot, hits = collected
    fetches = [ti for ti in run.get_task_instances() if ti.task_id == "fetch"]
    assert [(ti.map_index, ti.pool) for ti in fetches] == [(0, "news_fetch")]
    archives = sorted((data_dir / "raw").rglob("*.warc.gz"))
    assert [a.relative_to(data_dir / "raw").parent.as_posix() for a in archives] == ["2025/10/16"]
    assert archives[0].name.startswith(f"127.0.0.1_{INTERVAL}_")
    # The quiet corner of the site: one feed, two articles, each fetched once.
    assert snapshot["articles"] == 2
    assert hits == {"/clean/eins.html": 1, "/clean/zwei.html": 1}
    assert parquet_rows(data_dir / "lake" / "fetch_log") == 1


def test_a_run_announces_its_articles_and_cleans_its_staging(collected):
    _, data_dir, run, _, _ = collected
    extra = articles_event_extra(run.run_id)
    assert extra == {"source": "127.0.0.1", "articles": 2, "data_dir": str(data_dir)}
    assert not any((data_dir / "staging").iterdir())
    assert task_result(run, "clean_up") is True


def test_rerunning_a_run_replays_its_archive_without_fetching(news_collect, site, collected):
    conf, data_dir, first, before, _ = collected
    archives = sorted((data_dir / "raw").rglob("*.warc.gz"))
    requests = sum(site.hits.values())

    second = run_dag(news_collect, RUN_AT, conf)

    assert second.run_id == first.run_id
    assert sum(site.hits.values()) == requests, "a re-run must not touch the network"
    assert sorted((data_dir / "raw").rglob("*.warc.gz")) == archives
    assert lake_snapshot(data_dir) == before
    assert parquet_rows(data_dir / "lake" / "fetch_log") == 1


def test_the_next_hour_fetches_nothing_seen_before(news_collect, site, collected):
    conf, data_dir, _, before, _ = collected
    hits = _article_hits(site)

    run_dag(news_collect, RUN_AT + dt.timedelta(hours=1), conf)

    assert _article_hits(site) == hits
    assert lake_snapshot(data_dir)["keys"] == before["keys"]
    assert parquet_rows(data_dir / "lake" / "fetch_log") == 2


def test_a_failed_store_is_finished_by_rerunning_the_run(news_collect, site, tmp_path):
    import etl.collect.steps

    conf = _conf(site, tmp_path)
    data_dir = Path(conf["data_dir"])
    hits = _article_hits(site)
    with pytest.MonkeyPatch.context() as patch:

        def disk_full(*args, **kwargs):
            raise OSError("No space left on device")

        patch.setattr(etl.collect.steps, "store_source", disk_full)
        failed = run_dag(news_collect, RUN_AT, conf, expect_success=False)
    states = {ti.task_id: ti.state for ti in failed.get_task_instances()}
    assert states["fetch"] == "success"
    assert states["store"] == "failed"
    assert parquet_rows(data_dir / "lake" / "articles") == 0

    run_dag(news_collect, RUN_AT, conf)

    # The archive of the failed attempt was stored, not fetched again, and counted once.
    assert _article_hits(site) - hits == {"/clean/eins.html": 1, "/clean/zwei.html": 1}
    assert parquet_rows(data_dir / "lake" / "articles") == 2
    assert parquet_rows(data_dir / "lake" / "fetch_log") == 1
    assert len(list((data_dir / "raw").rglob("*.warc.gz"))) == 1


def test_two_sources_carrying_one_wire_story_store_it_as_one_story(news_collect, site, tmp_path):
    sources = sources_file(site, tmp_path / "sources.toml", "sources-wire.toml")
    data_dir = tmp_path / "data"
    run_dag(news_collect, RUN_AT, {"sources_file": str(sources), "data_dir": str(data_dir)})
    rows = article_rows(data_dir)
    wire = {r["source"]: r for r in rows}
    assert set(wire) == {"127.0.0.1", "localhost"}
    # Stored by two mapped store tasks, as two runs (one per source's archive) ...
    assert wire["127.0.0.1"]["run_id"] != wire["localhost"]["run_id"]
    # ... and still one story.
    assert wire["127.0.0.1"]["story_id"] == wire["localhost"]["story_id"]


def test_on_an_s3_root_the_archive_state_and_lake_go_to_the_store(
    news_collect, site, tmp_path, monkeypatch
):
    """The cluster's default root: fetch publishes the archive and its plan, the store reads
    them from the store, the hour after plans from the published state, and a reprocess
    lists the raw archives in the store."""
    from etl.core.objectstore import Mirror, ObjectRoot, list_objects, store_from_env
    from tests.s3 import start_seaweedfs

    server = start_seaweedfs(tmp_path / "seaweedfs")
    s3 = next(server)
    try:
        for name, value in s3.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(tmp_path / "work"))
        url = s3.root()
        conf = _conf(site, tmp_path) | {"data_dir": url}
        hits = _article_hits(site)

        run_dag(news_collect, RUN_AT, conf)
        run_dag(news_collect, RUN_AT + dt.timedelta(hours=1), conf)

        new_hits = _article_hits(site) - hits
        assert new_hits == {"/clean/eins.html": 1, "/clean/zwei.html": 1}
        store = store_from_env()
        archives = list_objects(store, f"{url}/raw/")
        assert len(archives) == 2 and archives[0].startswith(f"{url}/raw/2025/10/16/127.0.0.1_")
        assert not list_objects(store, f"{url}/staging/")
        copy = tmp_path / "copy"
        Mirror(ObjectRoot.parse(url), copy, store).pull("lake")
        before = lake_snapshot(copy)
        assert before["articles"] == 2
        assert parquet_rows(copy / "lake" / "fetch_log") == 2
        assert not list((tmp_path / "work").rglob("*.warc.gz"))

        run_dag(load_dag("news_reprocess"), RUN_AT, {"data_dir": url})
        Mirror(ObjectRoot.parse(url), copy, store).pull("lake")
        assert lake_snapshot(copy) == before
        assert not list_objects(store, f"{url}/staging/")
    finally:
        server.close()
