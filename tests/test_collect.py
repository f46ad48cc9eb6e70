"""Collecting the fixture site twice, end to end: accounting, faults, archive, replay, state."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpcore
import polars as pl
import pytest
from warcio.archiveiterator import ArchiveIterator

import etl.collect.runs
from etl.cli import main
from etl.collect.fetch import FetchSettings
from etl.collect.runs import collect, reprocess
from etl.collect.sources import load_sources
from etl.core.datadir import DataDir
from etl.core.results import CollectSummary
from tests.fixture_site import (
    CP1252_TEXT,
    EXPECTED,
    FAST,
    FixtureSite,
    serve_site,
    sources_file,
)

SETTINGS = FAST


@dataclass
class Collected:
    site: FixtureSite
    data_dir: Path
    first: CollectSummary
    second: CollectSummary
    hits_first: Counter[str]
    log_first: list[tuple[str, dict[str, str]]]
    log_second: list[tuple[str, dict[str, str]]]
    connects: list[str]


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collected]:
    root = tmp_path_factory.mktemp("collect")
    connects: list[str] = []
    original = httpcore.AnyIOBackend.connect_tcp

    async def recording(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        connects.append(host)
        return await original(self, host, port, *args, **kwargs)

    with serve_site() as site, pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpcore.AnyIOBackend, "connect_tcp", recording)
        sources = load_sources(sources_file(site, root / "sources.toml"))
        first = collect(sources, root / "data", settings=SETTINGS)
        hits_first, log_first = Counter(site.hits), list(site.log)
        site.generation = 2
        second = collect(sources, root / "data", settings=SETTINGS)
        yield Collected(
            site,
            root / "data",
            first,
            second,
            hits_first,
            log_first,
            site.log[len(log_first) :],
            connects,
        )


def _discovered(data_dir: Path, run_id: str) -> pl.DataFrame:
    frame = pl.read_parquet(data_dir / "lake" / "discovered", hive_partitioning=True)
    return frame.filter(pl.col("run_id") == run_id)


def _articles(data_dir: Path) -> pl.DataFrame:
    frame = pl.read_parquet(data_dir / "lake" / "articles" / "**" / "*.parquet")
    return frame.sort("article_id")


def test_every_discovered_url_ends_exactly_once(collected: Collected) -> None:
    for summary in (collected.first, collected.second):
        (source,) = summary.sources
        outcomes = source.articles + sum(source.rejects.values()) + sum(source.skipped.values())
        assert source.discovered == outcomes
        assert source.fetched + source.failed + sum(source.skipped.values()) == (source.discovered)
        assert summary.accounted
        rows = _discovered(collected.data_dir, summary.run_id)
        assert rows.height == source.discovered
        assert rows["canonical_url"].n_unique() == rows.height
        assert set(rows["outcome"]) <= {"article", "reject", "skipped"}
    first = collected.first.sources[0]
    assert (first.discovered, first.articles, sum(first.rejects.values())) == (17, 8, 9)


def test_each_fault_ends_as_its_reason(collected: Collected) -> None:
    rows = _discovered(collected.data_dir, collected.first.run_id)
    got = {
        urlsplit(url).path: reason or outcome
        for url, outcome, reason in rows.select("url", "outcome", "reason").iter_rows()
    }
    assert got == EXPECTED
    # Each reject row of the run sits in the lake's rejects table with its reason.
    rejects = pl.read_parquet(collected.data_dir / "lake" / "rejects" / "**" / "*.parquet")
    assert Counter(rejects["reason"]) >= Counter(collected.first.sources[0].rejects)


def test_retries_happen_where_due_and_nowhere_else(collected: Collected) -> None:
    hits = collected.hits_first
    attempts = SETTINGS.retries + 1
    assert hits["/news/flaky.html"] == 2  # 500, then the article
    assert hits["/news/ratelimit.html"] == 2  # 429 with Retry-After, then the article
    assert hits["/faults/slow.html"] == attempts
    assert hits["/faults/reset.html"] == attempts
    for once in (
        "/faults/missing.html",
        "/faults/bomb.html",
        "/faults/huge.html",
        "/docs/bericht.pdf",
    ):
        assert hits[once] == 1, once
    assert collected.first.sources[0].retries == 2 * (attempts - 1) + 2


def test_robots_txt_is_obeyed(collected: Collected) -> None:
    paths = [path for path, _ in collected.log_first + collected.log_second]
    assert not [p for p in paths if p.startswith("/private/")]
    assert collected.hits_first["/robots.txt"] == 1
    agents = {headers.get("User-Agent", "") for _, headers in collected.log_first}
    assert len(agents) == 1 and agents.pop().startswith("news-archive/")


def test_a_redirect_to_a_private_address_is_refused_before_connecting(
    collected: Collected,
) -> None:
    assert set(collected.connects) == {"127.0.0.1"}
    rows = _discovered(collected.data_dir, collected.first.run_id)
    assert rows.filter(pl.col("url").str.ends_with("/to-private.html"))["reason"].item() == (
        "ssrf_blocked"
    )


def test_windows_1252_page_without_charset_is_read_right(collected: Collected) -> None:
    articles = _articles(collected.data_dir)
    page = articles.filter(pl.col("url").str.ends_with("/cp1252.html"))
    assert page["title"].item() == "Straßenfest mit Rekord"
    assert CP1252_TEXT[:60] in page["text"].item()


def test_feed_hints_are_kept_beside_the_urls(collected: Collected) -> None:
    rows = _discovered(collected.data_dir, collected.first.run_id)
    markt = rows.filter(pl.col("url").str.ends_with("/news/markt.html")).row(0, named=True)
    assert markt["hint_title"] == "Nachricht 1"
    assert markt["hint_categories"] == ["Stadt", "Verkehr"]
    assert markt["hint_language"] == "de"
    assert markt["hint_published_at"].isoformat() == "2025-10-16T23:30:00+00:00"
    radwege = rows.filter(pl.col("url").str.contains("/news/radwege.html")).row(0, named=True)
    # Listed by RSS with tracking parameters and by Atom without: one URL, both hints.
    assert radwege["canonical_url"].endswith("/news/radwege.html")
    assert radwege["hint_categories"] == ["Lokales", "Region"]


def test_the_archive_holds_every_request_with_digests(collected: Collected) -> None:
    archives = [Path(a) for a in DataDir(collected.data_dir).raw_archives()]
    assert len(archives) == 2
    assert not list((collected.data_dir / "raw").rglob("*.open"))
    requests = responses = 0
    for archive in archives:
        with archive.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "request":
                    requests += 1
                elif record.rec_type == "response":
                    responses += 1
                    assert record.rec_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
                    assert record.rec_headers.get_header("WARC-Block-Digest")
    # Every request the site saw is in the archive (the refused 10.0.0.1 hop never was one).
    assert requests == len(collected.log_first) + len(collected.log_second)
    assert responses < requests  # timeouts and resets are metadata records, not responses


def test_a_second_collect_fetches_no_article_twice(collected: Collected) -> None:
    second = Counter(path for path, _ in collected.log_second)
    for path, outcome in EXPECTED.items():
        if outcome == "article":
            assert second[path] == 0, path
    assert second["/news/neu.html"] == 1
    # Passing failures are due again; the rest is skipped as seen.
    assert second["/faults/slow.html"] == SETTINGS.retries + 1
    (source,) = collected.second.sources
    assert source.skipped == {"seen": 8}
    # The unchanged documents answered 304 to the validators kept from the first collect.
    conditional = {path for path, headers in collected.log_second if "If-None-Match" in headers}
    assert {"/sitemap.xml", "/rss.xml"} <= conditional
    since = {path for path, headers in collected.log_second if "If-Modified-Since" in headers}
    assert since == {"/atom.xml"}
    assert second["/sitemap-news.xml"] == 0  # the index was unchanged, so not read again
    log = pl.read_parquet(collected.data_dir / "lake" / "fetch_log", hive_partitioning=True)
    assert log.sort("started_at")["articles"].to_list() == [8, 1]


def test_replay_without_network_gives_the_same_articles(
    collected: Collected, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _articles(collected.data_dir)
    files_before = sorted((collected.data_dir / "lake").rglob("*.parquet"))

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("reprocess touched the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    summary = reprocess(collected.data_dir)
    assert summary.accounted
    assert summary.articles == 9
    after = _articles(collected.data_dir)
    # Story ids included: a reprocess keeps the stories its articles had (docs/stories.md).
    assert after.equals(before)
    # Each archive's rows were replaced in place: no new files beside the old ones.
    assert sorted((collected.data_dir / "lake").rglob("*.parquet")) == files_before


def test_cli_collect_run_and_reprocess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(FetchSettings, "from_env", classmethod(lambda cls: SETTINGS))
    data = tmp_path / "data"
    with serve_site() as site:
        sources = sources_file(site, tmp_path / "clean.toml", "sources-clean.toml")
        monkeypatch.setenv("NEWS_ARCHIVE_SOURCES", str(sources))
        assert main(["collect", "--data-dir", str(data), "--no-warehouse", "--workers", "1"]) == 0
        out = capsys.readouterr().out
        assert "discovered 2" in out and "articles 2" in out and "all accounted   yes" in out

        urls = tmp_path / "urls.txt"
        urls.write_text(
            f"# a comment\n{site.base}/clean/eins.html\n\n{site.base}/nirgends.html\nftp://x/\n",
            encoding="utf-8",
        )
        args = ["run", "--input", str(urls), "--data-dir", str(data), "--no-warehouse"]
        # Without --allow-private-network the list's loopback host is refused.
        assert main([*args, "--workers", "1"]) == 0
        out = capsys.readouterr().out
        assert "discovered 3" in out and "rejects: ssrf_blocked 2, bad_url 1" in out

        assert main([*args, "--workers", "1", "--allow-private-network"]) == 0
        out = capsys.readouterr().out
        assert "articles 1" in out and "http_status 1" in out and "bad_url 1" in out
        assert site.hits["/clean/eins.html"] == 2  # the collect, then the list
    assert (
        main(
            [
                "reprocess",
                "--data-dir",
                str(data),
                "--source",
                "127.0.0.1",
                "--no-warehouse",
                "--workers",
                "1",
            ]
        )
        == 0
    )
    assert "reprocessed 1 archive files" in capsys.readouterr().out
    assert (
        main(["collect", "--sources", str(tmp_path / "missing.toml"), "--data-dir", str(data)]) == 2
    )
    assert "sources file not found" in capsys.readouterr().err


def test_an_interrupted_collect_leaves_nothing_to_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(etl.collect.runs, "_fetch_planned", broken)
    with serve_site() as site:
        sources = load_sources(sources_file(site, tmp_path / "s.toml", "sources-clean.toml"))
        with pytest.raises(RuntimeError, match="disk full"):
            collect(sources, tmp_path / "data", settings=SETTINGS)
    assert DataDir(tmp_path / "data").raw_archives() == []
    assert len(list((tmp_path / "data" / "raw").rglob("*.warc.gz.open"))) == 1
    assert not (tmp_path / "data" / "state").exists()  # so the next collect fetches again


def test_the_warehouse_shows_collection_health_and_the_hints(collected: Collected) -> None:
    import duckdb

    from etl.warehouse.build import build_warehouse

    with duckdb.connect(build_warehouse(collected.data_dir), read_only=True) as con:
        health = con.sql(
            "SELECT source, runs, discovered, skipped, fetched, failed, articles FROM fetch_log"
        ).fetchall()
        assert health == [("127.0.0.1", 2, 28, 8, 10, 10, 9)]
        outcomes = dict(
            con.sql("SELECT outcome, count(*) FROM discovered_urls GROUP BY 1").fetchall()
        )
        assert outcomes == {"article": 9, "reject": 11, "skipped": 8}
        hinted = con.sql(
            "SELECT a.title, d.hint_title FROM articles AS a JOIN discovered_urls AS d "
            "USING (article_id) WHERE d.url LIKE '%/news/markt.html'"
        ).fetchall()
        assert hinted == [("Wochenmarkt zieht um", "Nachricht 1")]
