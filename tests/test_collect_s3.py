"""A collect into an ``s3://`` data root (real SeaweedFS, real HTTP site on 127.0.0.1), fetched
on one machine and stored on another, as ``news_collect`` runs on Celery workers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from etl.collect.runs import collect, reprocess
from etl.collect.sources import load_sources
from etl.collect.steps import FetchedSource, fetch_source, select_archives, store_source
from etl.core.datadir import DataDir
from etl.core.objectstore import Mirror, ObjectRoot, list_objects, store_from_env
from etl.core.runs import remove_staging
from tests.dags.lake import lake_snapshot
from tests.fixture_site import FAST, FixtureSite, serve_site, sources_file
from tests.s3 import S3Server, start_seaweedfs

STARTED = datetime(2025, 10, 16, 9, tzinfo=UTC)
SOURCE = "127.0.0.1"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    yield from start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with serve_site() as running:
        yield running


@pytest.fixture
def machine(s3: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Machine:
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    return Machine(monkeypatch, tmp_path)


class Machine:
    """Which worker the next step runs on: each has a working copy of its own."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        self.monkeypatch, self.tmp_path = monkeypatch, tmp_path

    def use(self, name: str) -> Path:
        work = self.tmp_path / name
        self.monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(work))
        return work


def _article_requests(site: FixtureSite) -> int:
    return sum(n for path, n in site.hits.items() if path.startswith("/clean/"))


def _pull_lake(url: str, copy: Path) -> Path:
    Mirror(ObjectRoot.parse(url), copy, store_from_env()).pull("lake")
    return copy


def test_a_collect_fetched_on_one_worker_is_stored_on_another(
    s3: S3Server, site: FixtureSite, machine: Machine, tmp_path: Path
) -> None:
    url, sources = s3.root(), sources_file(site, tmp_path / "sources.toml", "sources-clean.toml")
    before = _article_requests(site)

    def staging() -> Path:  # as the DAG's fetch task names it, on the worker it runs on
        return DataDir.at(url).staging("run")

    fetcher = machine.use("fetch-worker")
    fetched = fetch_source(sources, SOURCE, url, STARTED, staging(), FAST)
    assert fetched.archive.startswith(f"{url}/raw/2025/10/16/{SOURCE}_20251016T090000Z_")
    assert fetched.plan == f"{url}/staging/run/{SOURCE}.plan.pickle"
    # The archive left the fetching machine: the store is where every worker reads it.
    assert not list(fetcher.rglob("*.warc.gz"))
    # A retry of the fetch, on another worker, finds the interval's archive and its plan.
    machine.use("retry-worker")
    assert fetch_source(sources, SOURCE, url, STARTED, staging(), FAST) == fetched
    assert _article_requests(site) - before == 2

    machine.use("store-worker")
    stored = store_source(fetched, url)
    assert stored.articles == 2 and stored.accounted and not stored.replayed
    lake = _pull_lake(url, tmp_path / "copy")
    articles = pl.read_parquet(lake / "lake" / "articles", hive_partitioning=True)
    assert articles["input_origin"].str.starts_with(f"{fetched.archive}#").all()
    discovered = pl.read_parquet(lake / "lake" / "discovered", hive_partitioning=True)
    assert set(discovered["outcome"]) == {"article"}
    assert set(discovered["article_id"]) == set(articles["article_id"])
    assert pl.read_parquet(lake / "lake" / "fetch_log", hive_partitioning=True).height == 1

    # The seen-state was published: an hour later a third worker fetches nothing again.
    machine.use("next-hour-worker")
    later = fetch_source(sources, SOURCE, url, STARTED + timedelta(hours=1), staging(), FAST)
    assert _article_requests(site) - before == 2
    assert store_source(later, url).articles == 0

    # A replay whose plan is gone rebuilds the archive's lake rows, the same files.
    remove_staging(url, "run")
    assert not list_objects(store_from_env(), f"{url}/staging/")
    snapshot = lake_snapshot(lake)
    replay = store_source(FetchedSource(fetched.source, fetched.archive, None), url)
    assert replay.replayed and replay.articles == 2
    assert lake_snapshot(_pull_lake(url, lake)) == snapshot


def test_collect_and_reprocess_by_hand_on_an_s3_root(
    s3: S3Server, site: FixtureSite, machine: Machine, tmp_path: Path
) -> None:
    """The CLI's path: one process fetches, stores and keeps the state; a reprocess lists the
    raw archives in the store, not on the disk, and replaces exactly their lake files."""
    url = s3.root()
    sources = load_sources(sources_file(site, tmp_path / "sources.toml", "sources-clean.toml"))
    machine.use("laptop")
    first = collect(sources, url, settings=FAST)
    assert first.articles == 2 and first.accounted
    assert collect(sources, url, settings=FAST).articles == 0  # seen, from the store's state

    machine.use("other-laptop")
    archives = select_archives(url)
    assert len(archives) == 2 and all(a.startswith(f"{url}/raw/") for a in archives)
    lake = _pull_lake(url, tmp_path / "copy")
    snapshot = lake_snapshot(lake)
    again = reprocess(url)
    assert again.archives == archives and again.articles == 2 and again.accounted
    assert lake_snapshot(_pull_lake(url, lake)) == snapshot


def test_the_cli_collects_and_reprocesses_into_s3_and_names_the_bucket(
    s3: S3Server, site: FixtureSite, tmp_path: Path
) -> None:
    """As a user runs it: separate processes, each its own working copy; what is printed names
    the bucket, never a working copy."""
    import subprocess
    import sys

    from tests.s3 import s3_environment

    url, sources = s3.root(), sources_file(site, tmp_path / "sources.toml", "sources-clean.toml")
    command = Path(sys.executable).parent / "news-archive"
    outputs = []
    for number, args in enumerate(
        (
            ["collect", "--sources", str(sources), "--no-warehouse"],
            ["collect", "--sources", str(sources), "--no-warehouse"],
            ["reprocess", "--no-warehouse"],
        )
    ):
        env = s3_environment(s3, tmp_path / f"machine-{number}")
        env.pop("NEWS_ARCHIVE_LOCK_URL", None)
        done = subprocess.run(
            [str(command), *args, "--data-dir", url],
            env=env | {"NEWS_ARCHIVE_CONTACT": "tests@example.org"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        outputs.append(done.stdout)
    assert "articles 2" in outputs[0] and "seen 2" in outputs[1]
    assert "reprocessed 2 archive files" in outputs[2]
    for output in outputs:
        assert f"lake:      {url}/lake" in output
