"""The collect in orchestrator steps: each step re-run with the same inputs gives the same lake."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl.collect.sources import SourcesError
from etl.collect.steps import (
    FetchedSource,
    fetch_source,
    select_archives,
    source_keys,
    store_source,
)
from etl.core.datadir import DataDir
from etl.core.errors import InputError
from etl.core.results import StoredSource
from tests.dags.lake import lake_snapshot, parquet_rows
from tests.fixture_site import FAST, FixtureSite, serve_site, sources_file

STARTED = datetime(2025, 10, 16, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with serve_site() as running:
        yield running


def _article_requests(site: FixtureSite) -> int:
    return sum(n for path, n in site.hits.items() if path.startswith("/clean/"))


def test_fetch_then_store_and_each_step_again(site: FixtureSite, tmp_path: Path) -> None:
    sources = sources_file(site, tmp_path / "sources.toml", "sources-clean.toml")
    data_dir, staging = tmp_path / "data", tmp_path / "data" / "staging" / "run"
    assert source_keys(sources) == ["127.0.0.1"]
    before = _article_requests(site)

    fetched = fetch_source(sources, "127.0.0.1", data_dir, STARTED, staging, FAST)
    assert fetched.plan is not None
    assert [str(p) for p in DataDir(data_dir).fetch_archives("127.0.0.1", STARTED)] == [
        fetched.archive
    ]
    assert FetchedSource.from_dict(fetched.as_dict()) == fetched

    # The fetch again (a retry, a cleared run): the interval's archive is found, not fetched.
    assert fetch_source(sources, "127.0.0.1", data_dir, STARTED, staging, FAST) == fetched
    assert _article_requests(site) - before == 2

    summary = store_source(fetched, data_dir)
    assert summary.articles == 2 and summary.collect is not None
    assert summary.accounted is True and not summary.replayed
    stored = lake_snapshot(data_dir)
    # The store again, with the plan: the same files and rows, the fetch log once.
    store_source(fetched, data_dir)
    assert lake_snapshot(data_dir) == stored
    assert parquet_rows(data_dir / "lake" / "fetch_log") == 1
    # And as a replay whose plan is gone (its staging was cleaned): the lake rows alone.
    replay = store_source(FetchedSource(fetched.source, fetched.archive, None), data_dir)
    assert replay == StoredSource("127.0.0.1", replayed=True, articles=2, accounted=True)
    assert lake_snapshot(data_dir) == stored


def test_a_crashed_fetch_leaves_no_fragment_behind(site: FixtureSite, tmp_path: Path) -> None:
    sources = sources_file(site, tmp_path / "sources.toml", "sources-clean.toml")
    data_dir = tmp_path / "data"
    fragment = data_dir / "raw" / "2025/10/16" / "127.0.0.1_20251016T090000Z_dead00.warc.gz.open"
    fragment.parent.mkdir(parents=True)
    fragment.write_bytes(b"half a record")

    fetched = fetch_source(sources, "127.0.0.1", data_dir, STARTED, tmp_path / "staging", FAST)

    assert not fragment.exists()
    assert Path(fetched.archive).exists()


def test_a_source_removed_from_the_file_is_a_clear_error(site: FixtureSite, tmp_path: Path) -> None:
    sources = sources_file(site, tmp_path / "sources.toml", "sources-clean.toml")
    with pytest.raises(SourcesError, match=r"no source with key 'gone\.example'"):
        fetch_source(sources, "gone.example", tmp_path, STARTED, tmp_path / "staging", FAST)


def test_select_archives_by_day_and_source(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    for name in (
        "2025/10/16/a.de_20251016T090000Z_000001.warc.gz",
        "2025/10/16/b.de_20251016T090000Z_000002.warc.gz",
        "2025/10/17/a.de_20251017T090000Z_000003.warc.gz",
    ):
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_bytes(b"")
    everything = select_archives(tmp_path)
    assert len(everything) == 3
    assert select_archives(tmp_path, date(2025, 10, 16), date(2025, 10, 16), ["a.de"]) == [
        str(raw / "2025/10/16/a.de_20251016T090000Z_000001.warc.gz")
    ]
    assert len(select_archives(tmp_path, sources=["a.de", "b.de"])) == 3
    with pytest.raises(InputError, match=r"no archive files .* for c\.de"):
        select_archives(tmp_path, sources=["c.de"])
