"""The fetcher against the fixture site: SSRF guard, limits, retries, archive records."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpcore
import pytest

from etl.collect import fetch
from etl.collect.fetch import (
    BodyTooLarge,
    Fetched,
    Fetcher,
    FetchSettings,
    NetworkPolicy,
    Session,
    WarcArchive,
    _retry_after,
    gunzip_limited,
    is_public_address,
)
from etl.ingest.inputs import IngestCounts, Page, Reject, read_warc
from tests.fixture_site import FAST, FixtureSite, serve_site

SETTINGS = FAST
LOOPBACK = NetworkPolicy(frozenset({"127.0.0.1"}))
T = TypeVar("T")


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with serve_site() as running:
        yield running


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address a TCP connection was opened to."""
    seen: list[str] = []
    original = httpcore.AnyIOBackend.connect_tcp

    async def recording(self: Any, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        seen.append(host)
        return await original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", recording)
    return seen


def run_session(
    tmp_path: Path,
    policy: NetworkPolicy,
    work: Callable[[Session], Awaitable[T]],
    settings: FetchSettings = SETTINGS,
) -> tuple[T, Path]:
    """Run ``work`` with a fresh session writing one archive; return its result and the file."""

    async def go() -> T:
        archive = WarcArchive(tmp_path / "test.warc.gz", {"source": "test"})
        session = Fetcher(settings).session(archive, policy)
        try:
            return await work(session)
        finally:
            await session.aclose()
            archive.close()

    return asyncio.run(go()), tmp_path / "test.warc.gz"


def page(site: FixtureSite, path: str) -> Callable[[Session], Awaitable[Fetched]]:
    return lambda session: session.fetch_page(site.base + path)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2a00:1450:4001::200e", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("::ffff:10.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_a_loopback_site_needs_the_source_to_allow_it(
    site: FixtureSite, tmp_path: Path, connects: list[str]
) -> None:
    before = sum(site.hits.values())
    fetched, _ = run_session(tmp_path, NetworkPolicy(), page(site, "/news/hafen.html"))
    assert fetched.failure == "ssrf_blocked"
    assert sum(site.hits.values()) == before and connects == []


def test_a_name_that_resolves_to_a_private_address_is_never_contacted(
    tmp_path: Path, connects: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def private(host: str, port: int) -> list[str]:
        return ["10.0.0.1"]

    monkeypatch.setattr(fetch, "resolve_host", private)
    fetched, archive = run_session(
        tmp_path, LOOPBACK, lambda s: s.fetch_page("http://intranet.example/secret")
    )
    assert (fetched.failure, connects) == ("ssrf_blocked", [])
    assert "10.0.0.1" in fetched.detail
    # The refusal is archived as the URL's failure record.
    (reject,) = [r for r in read_warc(archive, IngestCounts()) if isinstance(r, Reject)]
    assert (reject.reason, reject.stage, reject.url) == (
        "ssrf_blocked",
        "fetch",
        "http://intranet.example/secret",
    )


def test_the_connection_goes_to_the_checked_address(
    site: FixtureSite, tmp_path: Path, connects: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = int(site.base.rsplit(":", 1)[1])

    async def loopback(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    monkeypatch.setattr(fetch, "resolve_host", loopback)
    # "news.test" exists in no DNS: reaching the site proves there was no second lookup.
    policy = NetworkPolicy(frozenset({"news.test"}))
    fetched, _ = run_session(
        tmp_path, policy, lambda s: s.fetch_page(f"http://news.test:{port}/news/hafen.html")
    )
    assert fetched.ok and set(connects) == {"127.0.0.1"}
    # A host the policy does not name gets no exception for resolving to loopback.
    fetched, _ = run_session(
        tmp_path, LOOPBACK, lambda s: s.fetch_page(f"http://news.test:{port}/news/hafen.html")
    )
    assert fetched.failure == "ssrf_blocked"


def test_a_redirect_into_the_private_network_is_refused(
    site: FixtureSite, tmp_path: Path, connects: list[str]
) -> None:
    fetched, _ = run_session(tmp_path, LOOPBACK, page(site, "/faults/to-private.html"))
    assert fetched.failure == "ssrf_blocked"
    assert "10.0.0.1" not in connects


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/faults/declared-huge.html", "Content-Length"),
        ("/faults/huge.html", "body over"),
        ("/faults/bomb.html", "once decompressed"),
    ],
)
def test_bodies_over_the_limit_are_refused(
    site: FixtureSite, tmp_path: Path, path: str, detail: str
) -> None:
    fetched, archive = run_session(tmp_path, LOOPBACK, page(site, path))
    assert fetched.failure == "too_large" and detail in fetched.detail
    assert archive.stat().st_size < 200_000  # the partial body is not archived
    (reject,) = [r for r in read_warc(archive, IngestCounts()) if isinstance(r, Reject)]
    assert reject.reason == "too_large"


def test_a_document_is_fetched_conditionally(site: FixtureSite, tmp_path: Path) -> None:
    async def twice(session: Session) -> tuple[Fetched, Fetched]:
        first = await session.fetch_document(site.base + "/sitemap.xml")
        assert first.headers is not None
        second = await session.fetch_document(
            site.base + "/sitemap.xml", {"etag": first.headers["etag"]}
        )
        return first, second

    (first, second), archive = run_session(tmp_path, LOOPBACK, twice)
    assert first.status == 200 and b"<sitemapindex" in first.body
    assert second.status == 304
    # Discovery records are archived but are not article candidates.
    counts = IngestCounts()
    assert list(read_warc(archive, counts)) == []
    assert counts.skipped["warc_discovery"] == 3  # robots.txt, 200, 304


def test_read_back_each_fetched_url_is_one_record_at_its_origin(
    site: FixtureSite, tmp_path: Path
) -> None:
    paths = ["/news/flaky.html", "/faults/moved.html", "/faults/missing.html", "/faults/loop.html"]

    async def all_of(session: Session) -> list[Fetched]:
        return [await session.fetch_page(site.base + p) for p in paths]

    site.hits["/news/flaky.html"] = 0  # fail once more
    fetched, archive = run_session(tmp_path, LOOPBACK, all_of)
    assert [f.status for f in fetched] == [200, 200, 404, None]
    assert fetched[1].final_url.endswith("/news/umzug.html")
    assert fetched[3].failure == "redirect_loop"
    counts = IngestCounts()
    records = list(read_warc(archive, counts))
    assert [r.origin for r in records] == [f.origin for f in fetched]
    assert isinstance(records[0], Page) and isinstance(records[1], Page)
    assert [r.reason for r in records[2:] if isinstance(r, Reject)] == [
        "http_status",
        "redirect_loop",
    ]
    # The 500 before the article and the redirect hops are archived, and skipped on reading.
    assert counts.skipped["warc_superseded"] == 4  # 500, 301, and the loop's two 302s


def test_a_gzipped_chunked_page_reads_back_as_sent(site: FixtureSite, tmp_path: Path) -> None:
    fetched, archive = run_session(tmp_path, LOOPBACK, page(site, "/news/chunked.html"))
    assert fetched.ok
    (record,) = list(read_warc(archive, IngestCounts()))
    assert isinstance(record, Page)
    assert record.body == site.article("/news/hafen.html")


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ARCHIVE_CONTACT", "mailto:archiv@example.org")
    monkeypatch.setenv("NEWS_ARCHIVE_REFETCH_AFTER_DAYS", "7")
    settings = FetchSettings.from_env()
    assert settings.user_agent.endswith("(news archive collector; +mailto:archiv@example.org)")
    assert settings.refetch_after_days == 7.0
    monkeypatch.setenv("NEWS_ARCHIVE_REFETCH_AFTER_DAYS", "soon")
    with pytest.raises(ValueError, match="REFETCH"):
        FetchSettings.from_env()


def test_retry_after_and_gzip_limits() -> None:
    assert _retry_after("120") == 120.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert _retry_after("soon") is None
    assert gunzip_limited(gzip.compress(b"abc"), 10) == b"abc"
    with pytest.raises(BodyTooLarge):
        gunzip_limited(gzip.compress(b"x" * 100), 10)
