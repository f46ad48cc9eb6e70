"""Outlets from ``sources.toml``; article URLs from their feeds and sitemaps; what was seen.

A source is keyed by the registered domain of its home page. The key is the only part of a
source that ever becomes a path (``data/state/<key>/``, ``data/raw/.../<key>_*.warc.gz``); the
display name is data, never a path or SQL.

Parsing never touches the network: the fetcher hands over bytes. Feeds go to feedparser (RSS
0.9x/1.0/2.0, Atom) as a stream, sitemaps to defusedxml, and neither may expand entities.
"""

from __future__ import annotations

import io
import json
import os
import re
import tomllib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
import feedparser
import polars as pl
import pyarrow as pa

from etl.core.datadir import DataDir
from etl.core.errors import InputError
from etl.core.urls import canonical_url, registered_domain
from etl.extract.metadata import parse_datetime
from etl.load.parquet import write_parquet_atomic

_SOURCE_KEYS = {
    "name",
    "url",
    "feeds",
    "sitemaps",
    "language",
    "country",
    "crawl_delay",
    "max_pages",
    "url_patterns",
    "allow_private_network",
}
# A key is a (punycode) domain name or an IP address: safe as one path component.
_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9.-]{0,252}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_MAX_PAGES = 500
# A sitemap index may list thousands of archive sitemaps; the newest few hold the news.
MAX_SITEMAPS = 20
MAX_SITEMAP_DEPTH = 3
# A URL whose fetch failed for a passing reason is tried again by this many collects.
MAX_ATTEMPTS = 3


class SourcesError(InputError):
    """The sources file cannot be used as it is; the message names the file and the source."""


class DiscoveryError(ValueError):
    """A feed or sitemap that yields no URLs; ``reason`` is machine-readable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Source:
    """One outlet, as validated from one ``[[source]]`` table."""

    name: str
    url: str
    key: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    language: str | None = None
    country: str | None = None
    crawl_delay: float | None = None
    max_pages: int = DEFAULT_MAX_PAGES
    url_patterns: tuple[str, ...] = ()
    allow_private_network: bool = False

    @property
    def hosts(self) -> frozenset[str]:
        """The hosts the configuration names: the only ones a private address is allowed for."""
        urls = (self.url, *self.feeds, *self.sitemaps)
        return frozenset((urlsplit(u).hostname or "").lower() for u in urls) - {""}

    def wants(self, url: str) -> bool:
        return not self.url_patterns or any(re.search(p, url) for p in self.url_patterns)


@dataclass
class Discovered:
    """An article URL found in a feed or sitemap, with what the listing said about it."""

    url: str
    canonical_url: str
    found_in: str
    title: str | None = None
    published_at: datetime | None = None
    categories: list[str] = field(default_factory=list)
    language: str | None = None

    def merge(self, other: Discovered) -> None:
        """Fill gaps from a second listing of the same URL (the sitemap after the feed)."""
        self.title = self.title or other.title
        self.published_at = self.published_at or other.published_at
        self.language = self.language or other.language
        self.categories += [c for c in other.categories if c not in self.categories]


@dataclass
class Sitemap:
    """One parsed sitemap: article URLs, or (for an index) further sitemaps."""

    urls: list[Discovered] = field(default_factory=list)
    sitemaps: list[tuple[str, datetime | None]] = field(default_factory=list)


def load_sources(path: str | Path) -> list[Source]:
    """Read and check a sources file; any mistake is one ``SourcesError`` naming its place."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"sources file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourcesError(f"{path}: {exc}") from exc
    unknown = set(document) - {"source"}
    if unknown:
        raise SourcesError(f"{path}: unknown top-level keys {sorted(unknown)}; expected [[source]]")
    tables = document.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{path}: no [[source]] tables")
    sources: list[Source] = []
    keys: dict[str, int] = {}
    for number, table in enumerate(tables, 1):
        where = f"{path}: source {number}"
        if isinstance(table, dict) and isinstance(table.get("name"), str):
            where += f" ({table['name'][:60]!r})"
        source = _source_from_table(table, where)
        if source.key in keys:
            raise SourcesError(
                f"{where}: key {source.key} is already source {keys[source.key]}; "
                "put all feeds of one outlet in one [[source]]"
            )
        keys[source.key] = number
        sources.append(source)
    return sources


def _source_from_table(table: object, where: str) -> Source:
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: expected a table")
    unknown = set(table) - _SOURCE_KEYS
    if unknown:
        raise SourcesError(
            f"{where}: unknown keys {sorted(unknown)}; known: {sorted(_SOURCE_KEYS)}"
        )
    name = table.get("name")
    if not isinstance(name, str) or not name.strip() or _CONTROL.search(name) or len(name) > 200:
        raise SourcesError(f"{where}: name must be a non-empty line of text")
    url = _checked_url(table.get("url"), f"{where}: url")
    key = source_key(url)
    if key is None:
        raise SourcesError(f"{where}: no registered domain in url {url!r}")
    feeds = tuple(_checked_url(u, f"{where}: feeds") for u in _list(table, "feeds", where))
    sitemaps = tuple(_checked_url(u, f"{where}: sitemaps") for u in _list(table, "sitemaps", where))
    if not feeds and not sitemaps:
        raise SourcesError(f"{where}: give at least one feed or sitemap")
    patterns = tuple(_list(table, "url_patterns", where))
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SourcesError(f"{where}: url_patterns {pattern!r}: {exc}") from exc
    crawl_delay = table.get("crawl_delay")
    if crawl_delay is not None and (
        isinstance(crawl_delay, bool) or not isinstance(crawl_delay, int | float) or crawl_delay < 0
    ):
        raise SourcesError(f"{where}: crawl_delay must be a number of seconds >= 0")
    max_pages = table.get("max_pages", DEFAULT_MAX_PAGES)
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise SourcesError(f"{where}: max_pages must be a whole number >= 1")
    allow_private = table.get("allow_private_network", False)
    if not isinstance(allow_private, bool):
        raise SourcesError(f"{where}: allow_private_network must be true or false")
    return Source(
        name=name.strip(),
        url=url,
        key=key,
        feeds=feeds,
        sitemaps=sitemaps,
        language=_optional_code(table, "language", where),
        country=_optional_code(table, "country", where),
        crawl_delay=float(crawl_delay) if crawl_delay is not None else None,
        max_pages=max_pages,
        url_patterns=patterns,
        allow_private_network=allow_private,
    )


def _checked_url(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise SourcesError(f"{where}: expected a URL string, got {value!r}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourcesError(f"{where}: {value!r} is not an http(s) URL")
    return value.strip()


def _list(table: dict[str, Any], name: str, where: str) -> list[str]:
    value = table.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourcesError(f"{where}: {name} must be a list of strings")
    return value


def _optional_code(table: dict[str, Any], name: str, where: str) -> str | None:
    value = table.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?", value):
        raise SourcesError(f"{where}: {name} must be a code like 'de' or 'DE', got {value!r}")
    return value


def source_key(url: str) -> str | None:
    """The registered domain of ``url`` as a safe path component, or None."""
    key = registered_domain(url).lower()
    if not _SAFE_KEY.match(key):
        try:
            key = key.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not _SAFE_KEY.match(key) or key in ("unknown", "local") or ".." in key:
        return None
    return key


def canonical(url: str) -> str:
    """The URL as the seen-state and the article table key it (tracking parameters dropped)."""
    return canonical_url(url, None)


# --- feeds and sitemaps -------------------------------------------------------------------


def refuse_xml_entities(body: bytes) -> None:
    """Refuse documents that declare entities or point outside themselves (XXE, billion laughs).

    Malformed XML is let through: feedparser has its own lenient parser for broken feeds and
    neither it nor the sitemap parser below expands what the check did not see.
    """
    try:
        SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise DiscoveryError("unsafe_xml", f"{type(exc).__name__}: {exc}") from exc
    except ParseError:
        pass


def parse_feed(body: bytes, feed_url: str, content_type: str | None = None) -> list[Discovered]:
    """Entries of an RSS or Atom feed, with title, date and categories as hints."""
    refuse_xml_entities(body)
    headers = {"content-location": feed_url}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never bytes or str: feedparser opens a str that looks like a path or URL.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if not parsed.entries:
        if parsed.get("bozo"):
            raise DiscoveryError("bad_feed", str(parsed.get("bozo_exception", ""))[:300])
        return []
    language = (parsed.feed.get("language") or "").split("-")[0].lower() or None
    found: list[Discovered] = []
    for entry in parsed.entries:
        link = _entry_link(entry, feed_url)
        if link is None:
            continue
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        tags = [(t.get("term") or "").strip() for t in entry.get("tags", [])]
        found.append(
            Discovered(
                url=link,
                canonical_url=canonical(link),
                found_in=feed_url,
                title=(entry.get("title") or "").strip() or None,
                published_at=_from_struct_time(published),
                categories=[t for t in tags if t],
                language=language,
            )
        )
    return found


def _from_struct_time(value: Any) -> datetime | None:
    """feedparser's dates are UTC ``time.struct_time`` values."""
    if not value:
        return None
    year, month, day, hour, minute, second = value[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _entry_link(entry: Any, feed_url: str) -> str | None:
    candidates = [entry.get("link")]
    candidates += [
        link.get("href") for link in entry.get("links", []) if link.get("rel") == "alternate"
    ]
    for candidate in candidates:
        if candidate:
            url = urljoin(feed_url, str(candidate).strip())
            if urlsplit(url).scheme in ("http", "https"):
                return url
    return None


def parse_sitemap(body: bytes, sitemap_url: str) -> Sitemap:
    """A sitemap index, a URL set (with Google News tags) or a plain-text list of URLs."""
    refuse_xml_entities(body)
    try:
        root = SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        return _text_sitemap(body, sitemap_url, exc)
    result = Sitemap()
    kind = _local(root.tag)
    if kind == "sitemapindex":
        for node in _children(root, "sitemap"):
            loc = _child_text(node, "loc")
            if loc:
                lastmod = _child_text(node, "lastmod")
                result.sitemaps.append(
                    (urljoin(sitemap_url, loc), _utc(lastmod) if lastmod else None)
                )
    elif kind == "urlset":
        for node in _children(root, "url"):
            loc = _child_text(node, "loc")
            if not loc:
                continue
            url = urljoin(sitemap_url, loc)
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            news = next(_children(node, "news"), None)
            title = published = language = None
            keywords: list[str] = []
            if news is not None:
                title = _child_text(news, "title")
                published = _child_text(news, "publication_date")
                keywords = [k.strip() for k in (_child_text(news, "keywords") or "").split(",")]
                publication = next(_children(news, "publication"), None)
                if publication is not None:
                    language = _child_text(publication, "language")
            published = published or _child_text(node, "lastmod")
            result.urls.append(
                Discovered(
                    url=url,
                    canonical_url=canonical(url),
                    found_in=sitemap_url,
                    title=title,
                    published_at=_utc(published) if published else None,
                    categories=[k for k in keywords if k],
                    language=(language or "").split("-")[0].lower() or None,
                )
            )
    else:
        raise DiscoveryError("bad_sitemap", f"root element <{kind}> is not a sitemap")
    return result


def _text_sitemap(body: bytes, sitemap_url: str, error: ParseError) -> Sitemap:
    """The sitemap protocol also allows a text file of URLs, one a line."""
    lines = body.decode("utf-8", "replace").split()
    urls = [line for line in lines if line.startswith(("http://", "https://"))]
    if not urls or len(urls) < len(lines):
        raise DiscoveryError("bad_sitemap", f"neither XML nor a list of URLs ({error})")
    return Sitemap(urls=[Discovered(u, canonical(u), sitemap_url) for u in urls])


def _local(tag: str) -> str:
    # Many sitemaps get the namespace wrong; only local names matter.
    return tag.rsplit("}", 1)[-1].lower()


def _children(node: Element, name: str) -> Iterator[Element]:
    return (child for child in node if _local(child.tag) == name)


def _child_text(node: Element, name: str) -> str | None:
    child = next(_children(node, name), None)
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def _utc(value: str) -> datetime | None:
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def merge_discovered(found: Iterable[Discovered]) -> list[Discovered]:
    """One entry per canonical URL, in first-seen order, hints merged."""
    by_url: dict[str, Discovered] = {}
    for item in found:
        if item.canonical_url in by_url:
            by_url[item.canonical_url].merge(item)
        else:
            by_url[item.canonical_url] = replace(item, categories=list(item.categories))
    return list(by_url.values())


# --- state: what was fetched, what is still due, and feed validators ---------------------

_STRING: pa.DataType = pa.string()
_TIME: pa.DataType = pa.timestamp("us", tz="UTC")
_FRONTIER_SCHEMA = pa.schema(
    {
        "url": _STRING,
        "status": _STRING,
        "attempts": pa.int32(),
        "first_seen": _TIME,
        "last_attempt": _TIME,
    }
)


@dataclass
class FrontierEntry:
    status: str  # "done": fetched for good; "pending": due again (passing failure, page limit)
    attempts: int
    first_seen: datetime
    last_attempt: datetime | None


class SourceState:
    """Per-source state under ``data/state/<key>/``: seen URLs and feed validators.

    Saved once the source's collect has finished, each file written to a temporary name and
    renamed, so a crash leaves the previous state and the next collect fetches again rather
    than forgetting URLs.
    """

    def __init__(self, data: DataDir, key: str) -> None:
        if not _SAFE_KEY.match(key):
            raise SourcesError(f"unsafe source key {key!r}")
        self.folder = data.source_state(key)
        self.urls: dict[str, FrontierEntry] = {}
        self.validators: dict[str, dict[str, str]] = {}
        frontier = self.folder / "frontier.parquet"
        if frontier.exists():
            for row in pl.read_parquet(frontier).iter_rows(named=True):
                self.urls[row["url"]] = FrontierEntry(
                    row["status"], row["attempts"], row["first_seen"], row["last_attempt"]
                )
        validators = self.folder / "validators.json"
        if validators.exists():
            self.validators = json.loads(validators.read_text(encoding="utf-8"))

    @classmethod
    def published(cls, data: DataDir, key: str) -> SourceState:
        """The state as every machine sees it, for a fetch that plans without the lock: on a
        remote root read from the store (this machine's working copy is the lock holder's),
        and never saved from there (``update_state`` reads it again under the lock)."""
        if data.remote is None:
            return cls(data, key)
        import tempfile

        from etl.core.objectstore import download, list_objects

        store, folder = data.object_store(), data.source_state(key)
        with tempfile.TemporaryDirectory(prefix="news-archive-state-") as scratch:
            copy = DataDir(Path(scratch))
            for url in list_objects(store, data.location(folder) + "/"):
                name = url.rsplit("/", 1)[-1]
                download(store, data.object_key(folder / name), copy.source_state(key) / name)
            state = cls(copy, key)
        state.folder = folder
        return state

    def is_done(self, url: str, now: datetime, refetch_after: timedelta | None) -> bool:
        entry = self.urls.get(url)
        if entry is None or entry.status != "done":
            return False
        if refetch_after is None or entry.last_attempt is None:
            return True
        return now - entry.last_attempt < refetch_after

    def pending(self) -> list[str]:
        return [url for url, e in self.urls.items() if e.status == "pending"]

    def record(self, url: str, now: datetime, *, done: bool, attempted: bool) -> None:
        """Note an outcome; a URL that keeps failing for passing reasons is given up on."""
        entry = self.urls.get(url) or FrontierEntry("pending", 0, now, None)
        if attempted:
            entry.attempts += 1
            entry.last_attempt = now
        entry.status = "done" if done or entry.attempts >= MAX_ATTEMPTS else "pending"
        self.urls[url] = entry

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        rows = [
            {
                "url": url,
                "status": e.status,
                "attempts": e.attempts,
                "first_seen": e.first_seen,
                "last_attempt": e.last_attempt,
            }
            for url, e in self.urls.items()
        ]
        write_parquet_atomic(
            pa.Table.from_pylist(rows, _FRONTIER_SCHEMA), self.folder / "frontier.parquet"
        )
        target = self.folder / "validators.json"
        temporary = self.folder / f".validators.{uuid.uuid4().hex}.tmp"
        try:
            temporary.write_text(json.dumps(self.validators, indent=1), encoding="utf-8")
            with temporary.open("rb") as fh:
                os.fsync(fh.fileno())
            temporary.replace(target)
        finally:
            temporary.unlink(missing_ok=True)
