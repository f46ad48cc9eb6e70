"""The collection stage: sources to article URLs, polite fetches into WARC, then the pipeline.

Per source: discover URLs in its feeds and sitemaps (conditional GET), drop those already
seen, fetch the rest into one WARC file under ``data/raw/YYYY/MM/DD/``, and run the pipeline
on that file. Extraction only ever reads the archive, so ``reprocess`` (no network) takes the
same path as a live collect.

The lake rows of an archive file belong to a run named after the file, so reprocessing a
file replaces exactly what it produced before. The collect's own tables (``fetch_log`` and
the per-URL ``discovered``) are keyed by the collect run.

Accounting: every discovered URL ends as exactly one of an article, a reject (with reason)
or a skip (``seen``, ``url_pattern``, ``max_pages``). Each fetched URL leaves exactly one
final WARC record, and the record's ``input_origin`` ties it to its lake row.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polars as pl
import pyarrow as pa

from etl.collect.fetch import (
    ROBOTS_TOKEN,
    BodyTooLarge,
    Fetched,
    Fetcher,
    FetchSettings,
    FetchStats,
    NetworkPolicy,
    Session,
    WarcArchive,
    gunzip_limited,
)
from etl.collect.sources import (
    MAX_SITEMAP_DEPTH,
    MAX_SITEMAPS,
    Discovered,
    DiscoveryError,
    Source,
    SourceState,
    canonical,
    merge_discovered,
    parse_feed,
    parse_sitemap,
    source_key,
)
from etl.core.datadir import DataDir, archive_run_id, check_run_id, stamp
from etl.core.errors import InputError
from etl.core.lock import WRITER_WAIT_SECONDS, data_dir_lock
from etl.core.objectstore import is_object_url
from etl.core.results import ArchivesSummary, CollectSummary, RunSummary, SourceSummary
from etl.core.schema import (
    DISCOVERED_PARTITION,
    DISCOVERED_SCHEMA,
    FETCH_LOG_PARTITION,
    FETCH_LOG_SCHEMA,
)
from etl.core.staging import publish_file
from etl.extract.page import ExtractionSettings
from etl.extract.unit import extract_unit, extraction_pool
from etl.load.parquet import write_partitions
from etl.load.store import STORE_SYNC, store_run

URL_LIST_KEY = "urls"


@dataclass
class Planned:
    """One discovered URL and what became of it."""

    item: Discovered
    skipped: str | None = None
    fetched: Fetched | None = None
    outcome: str = ""
    reason: str | None = None
    article_id: str | None = None


@dataclass
class SourceRun:
    """One source's (or URL list's) share of a collect."""

    key: str
    name: str
    archive: Path
    started: datetime
    planned: list[Planned] = field(default_factory=list)
    stats: FetchStats = field(default_factory=FetchStats)
    discovery_errors: list[str] = field(default_factory=list)
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    finished: datetime | None = None
    pipeline: RunSummary | None = None
    lost: int = 0
    # The archive's URL on a remote root, where it is published once closed (``archive`` is
    # then only the fetching machine's temporary copy).
    location: str | None = None

    @property
    def lake_run_id(self) -> str:
        return archive_run_id(self.archive)

    @property
    def archive_location(self) -> str:
        """Where every machine reads the archive (what its records' ``input_origin`` names)."""
        return self.location or str(self.archive)


def new_run_id(started: datetime) -> str:
    return f"collect-{stamp(started)}-{uuid.uuid4().hex[:4]}"


# --- collect ------------------------------------------------------------------------------


def collect(
    sources: Sequence[Source],
    data_dir: str | Path,
    *,
    settings: FetchSettings | None = None,
    extraction: ExtractionSettings | None = None,
    workers: int = 1,
    run_id: str | None = None,
) -> CollectSummary:
    """Collect every source once, store its articles, and account for every URL."""
    settings = settings or FetchSettings.from_env()
    started = datetime.now(UTC)
    run_id = check_run_id(run_id or new_run_id(started))
    data = DataDir.at(data_dir)
    states = {s.key: SourceState.published(data, s.key) for s in sources}
    runs = asyncio.run(fetch_sources(sources, states, data, settings, started))
    return store_runs(runs, data, extraction, workers, run_id, started, update_states=True)


def store_runs(
    runs: Sequence[SourceRun],
    data: DataDir,
    extraction: ExtractionSettings | None,
    workers: int,
    run_id: str,
    started: datetime,
    *,
    update_states: bool,
) -> CollectSummary:
    """Store each fetched archive, then the seen-states and the collect's own tables, as one
    writer: the states are read again under the lock, so a concurrent store is not undone."""
    with (
        data_dir_lock(data, timeout=WRITER_WAIT_SECONDS, sync=STORE_SYNC),
        _executor(workers) as executor,
    ):
        for run in runs:
            store_source_run(run, data, extraction, executor)
            if update_states:
                update_state(run, SourceState(data, run.key), started)
        return finish_runs(runs, data, run_id, started)


async def fetch_sources(
    sources: Sequence[Source],
    states: dict[str, SourceState],
    data: DataDir,
    settings: FetchSettings,
    started: datetime,
) -> list[SourceRun]:
    fetcher = Fetcher(settings)
    refetch = (
        timedelta(days=settings.refetch_after_days)
        if settings.refetch_after_days is not None
        else None
    )

    async def one(source: Source) -> SourceRun:
        run = new_source_run(data, source.key, source.name, started)
        policy = NetworkPolicy(source.hosts if source.allow_private_network else frozenset())
        async with _session(run, fetcher, policy, source.crawl_delay) as session:
            found = await _discover(session, source, states[source.key], run)
            run.planned = plan(source, found, states[source.key], started, refetch)
            await _fetch_planned(session, run.planned)
        await asyncio.to_thread(publish_archive, data, run)
        return run

    return list(await asyncio.gather(*(one(s) for s in sources)))


def new_source_run(data: DataDir, key: str, name: str, started: datetime) -> SourceRun:
    archive = data.raw_archive(key, started)
    location = data.location(archive) if data.remote is not None else None
    return SourceRun(key, name, archive, started, location=location)


def publish_archive(data: DataDir, run: SourceRun) -> None:
    """On a remote root, the closed archive goes to the store and leaves this machine: the
    store task, on whichever machine, reads it from there."""
    if data.remote is not None:
        publish_file(data, run.archive)
        run.archive.unlink()


@asynccontextmanager
async def _session(
    run: SourceRun, fetcher: Fetcher, policy: NetworkPolicy, crawl_delay: float | None = None
) -> AsyncIterator[Session]:
    """A session writing the run's archive, which is renamed into place only if all went well.

    After a crash or an interrupt the file keeps its ``.open`` name: nothing reads it, the
    state was not saved, and the next collect fetches those URLs again.
    """
    info = _warcinfo(run.key, run.name, fetcher.settings)
    archive = WarcArchive(run.archive, info, origin=run.location)
    session = fetcher.session(archive, policy, crawl_delay)
    try:
        yield session
    except BaseException:
        archive.abandon()
        raise
    else:
        archive.close()
    finally:
        run.stats = session.stats
        await session.aclose()


async def _fetch_planned(session: Session, planned: list[Planned]) -> None:
    due = [p for p in planned if p.skipped is None]
    results = await asyncio.gather(*(session.fetch_page(p.item.url) for p in due))
    for item, result in zip(due, results, strict=True):
        item.fetched = result


def _warcinfo(key: str, name: str, settings: FetchSettings) -> dict[str, str]:
    return {
        "source": key,
        "source-name": name,
        "robots": f"obey ({ROBOTS_TOKEN})",
        "http-header-user-agent": settings.user_agent,
    }


async def _discover(
    session: Session, source: Source, state: SourceState, run: SourceRun
) -> list[Discovered]:
    """Article URLs from the source's feeds, then its sitemaps (an index's newest first)."""
    found: list[Discovered] = []
    for feed in source.feeds:
        document = await _document(session, feed, state, run)
        if document is not None:
            try:
                found += parse_feed(document.body, feed, document.content_type)
            except DiscoveryError as exc:
                run.discovery_errors.append(f"{feed}: {exc}")
                run.validators.pop(feed, None)
    queue = [(url, 0) for url in source.sitemaps]
    visited: set[str] = set()
    while queue and len(visited) < MAX_SITEMAPS:
        url, depth = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        document = await _document(session, url, state, run)
        if document is None:
            continue
        try:
            sitemap = parse_sitemap(document.body, url)
        except DiscoveryError as exc:
            run.discovery_errors.append(f"{url}: {exc}")
            run.validators.pop(url, None)
            continue
        found += sitemap.urls
        if depth < MAX_SITEMAP_DEPTH:
            newest = datetime.min.replace(tzinfo=UTC)
            children = sorted(sitemap.sitemaps, key=lambda s: s[1] or newest, reverse=True)
            queue += [(child, depth + 1) for child, _ in children]
    return found


async def _document(
    session: Session, url: str, state: SourceState, run: SourceRun
) -> Fetched | None:
    """A feed or sitemap body, or None when unchanged (HTTP 304) or unreadable."""
    fetched = await session.fetch_document(url, state.validators.get(url))
    if fetched.status == 304:
        return None
    if not fetched.ok:
        run.discovery_errors.append(f"{url}: {fetched.failure or f'HTTP {fetched.status}'}")
        return None
    if fetched.body[:2] == b"\x1f\x8b":  # sitemap.xml.gz, served as a file, not an encoding
        try:
            fetched.body = gunzip_limited(fetched.body, session.settings.max_document_bytes)
        except BodyTooLarge as exc:
            run.discovery_errors.append(f"{url}: too_large: {exc}")
            return None
    headers = fetched.headers
    validators = {
        "etag": headers.get("etag", "") if headers is not None else "",
        "last_modified": headers.get("last-modified", "") if headers is not None else "",
    }
    if any(validators.values()):
        run.validators[url] = validators
    return fetched


def plan(
    source: Source,
    found: Sequence[Discovered],
    state: SourceState,
    now: datetime,
    refetch_after: timedelta | None,
) -> list[Planned]:
    """Each distinct URL once: skipped (and why) or due, newest first within ``max_pages``."""
    items = merge_discovered(found)
    listed = {item.canonical_url for item in items}
    items += [Discovered(url, url, "due") for url in state.pending() if url not in listed]
    planned: list[Planned] = []
    due: list[Planned] = []
    for item in items:
        if not source.wants(item.canonical_url):
            planned.append(Planned(item, skipped="url_pattern"))
        elif state.is_done(item.canonical_url, now, refetch_after):
            planned.append(Planned(item, skipped="seen"))
        else:
            due.append(Planned(item))
    oldest = datetime.min.replace(tzinfo=UTC)
    due.sort(key=lambda p: p.item.published_at or oldest, reverse=True)
    for entry in due[source.max_pages :]:
        entry.skipped = "max_pages"
    return planned + due


# --- from the archive to the lake, and back to each URL -----------------------------------


def store_source_run(
    run: SourceRun,
    data: DataDir,
    extraction: ExtractionSettings | None,
    executor: Executor | None,
) -> None:
    """Run the pipeline on the source's archive and give each planned URL its outcome.

    The caller holds the data root's lock: the lake files read back are this copy's.
    """
    run.pipeline = stored = process_archive(run.archive_location, data, extraction, executor)
    outcomes: dict[str, tuple[str, str | None, str | None]] = {}
    matched: Counter[str] = Counter()
    if stored.article_files:
        files = [data.local(f) for f in stored.article_files]
        articles = pl.read_parquet(files, columns=["input_origin", "article_id"])
        for origin, article_id in articles.iter_rows():
            outcomes[origin] = ("article", None, article_id)
    if stored.reject_files:
        files = [data.local(f) for f in stored.reject_files]
        rejects = pl.read_parquet(files, columns=["input_origin", "reason"])
        for origin, reason in rejects.iter_rows():
            outcomes[origin] = ("reject", reason, None)
    for item in run.planned:
        if item.skipped is not None:
            item.outcome, item.reason = "skipped", item.skipped
        elif item.fetched is not None and item.fetched.origin in outcomes:
            item.outcome, item.reason, item.article_id = outcomes[item.fetched.origin]
            matched[item.fetched.origin] += 1
        else:
            item.outcome, item.reason = "lost", "no lake row for the archived fetch"
            run.lost += 1
    run.lost += sum(n - 1 for n in matched.values())
    run.finished = datetime.now(UTC)


def process_archive(
    archive: str | Path,
    data_dir: str | Path | DataDir,
    extraction: ExtractionSettings | None = None,
    executor: Executor | None = None,
) -> RunSummary:
    """Extract, clean and store one archive file (a path, or an object's URL) as its own run,
    replacing its earlier output."""
    location = str(archive) if is_object_url(archive) else str(Path(archive).resolve())
    run_id = archive_run_id(location)
    staging = DataDir.at(data_dir).staging(run_id)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staged = extract_unit(location, staging, extraction, executor)
        return store_run([staged], data_dir, run_id)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def update_state(run: SourceRun, state: SourceState, now: datetime) -> None:
    """Done URLs are not fetched again; passing failures and the page limit leave them due."""
    for item in run.planned:
        url = item.item.canonical_url
        if item.skipped == "max_pages":
            state.record(url, now, done=False, attempted=False)
        elif item.fetched is not None:
            transient = item.fetched.transient and item.outcome != "article"
            state.record(url, now, done=not transient, attempted=True)
            if item.outcome == "article" and item.fetched.final_url:
                state.record(canonical(item.fetched.final_url), now, done=True, attempted=True)
    state.validators.update(run.validators)
    state.save()


def finish_runs(
    runs: Sequence[SourceRun], data_dir: str | Path | DataDir, run_id: str, started: datetime
) -> CollectSummary:
    """Write the fetch log and the per-URL table; return the summary the CLI prints."""
    day = started.date()
    log_rows = [_fetch_log_row(run, run_id) | {FETCH_LOG_PARTITION: day} for run in runs]
    url_rows = [
        _discovered_row(run, item, run_id) | {DISCOVERED_PARTITION: day}
        for run in runs
        for item in run.planned
    ]
    data = DataDir.at(data_dir)
    write_partitions(
        _frame(log_rows, FETCH_LOG_SCHEMA, FETCH_LOG_PARTITION),
        data.fetch_log,
        FETCH_LOG_PARTITION,
        FETCH_LOG_SCHEMA,
        run_id,
    )
    write_partitions(
        _frame(url_rows, DISCOVERED_SCHEMA, DISCOVERED_PARTITION),
        data.discovered,
        DISCOVERED_PARTITION,
        DISCOVERED_SCHEMA,
        run_id,
    )
    return CollectSummary(run_id, [_source_summary(run) for run in runs])


def _frame(rows: list[dict[str, Any]], schema: pa.Schema, partition: str) -> pl.DataFrame:
    full = schema.append(pa.field(partition, pa.date32()))
    frame = pl.from_arrow(pa.Table.from_pylist(rows, full))
    assert isinstance(frame, pl.DataFrame)
    return frame


def _counts(run: SourceRun) -> dict[str, Any]:
    fetched = [p.fetched for p in run.planned if p.fetched is not None]
    return {
        "discovered": len(run.planned),
        "skipped": dict(Counter(p.reason for p in run.planned if p.outcome == "skipped")),
        "fetched": sum(1 for f in fetched if f.ok),
        "failed": sum(1 for f in fetched if not f.ok),
        "articles": sum(1 for p in run.planned if p.outcome == "article"),
        "rejects": dict(Counter(p.reason for p in run.planned if p.outcome == "reject")),
    }


def _fetch_log_row(run: SourceRun, run_id: str) -> dict[str, Any]:
    counts = _counts(run)
    return {
        "source": run.key,
        "source_name": run.name,
        "discovered": counts["discovered"],
        "skipped": sum(counts["skipped"].values()),
        "fetched": counts["fetched"],
        "failed": counts["failed"],
        "articles": counts["articles"],
        "rejects": sum(counts["rejects"].values()),
        "requests": run.stats.requests,
        "retries": run.stats.retries,
        "bytes": run.stats.bytes,
        "discovery_errors": len(run.discovery_errors),
        "started_at": run.started,
        "finished_at": run.finished,
        "run_id": run_id,
    }


def _discovered_row(run: SourceRun, planned: Planned, run_id: str) -> dict[str, Any]:
    item, fetched = planned.item, planned.fetched
    return {
        "source": run.key if run.key != URL_LIST_KEY else source_key(item.url) or "unknown",
        "url": item.url,
        "canonical_url": item.canonical_url,
        "final_url": fetched.final_url if fetched is not None else None,
        "found_in": item.found_in,
        "hint_title": item.title,
        "hint_published_at": item.published_at,
        "hint_categories": item.categories,
        "hint_language": item.language,
        "outcome": planned.outcome,
        "reason": planned.reason,
        "article_id": planned.article_id,
        "http_status": fetched.status if fetched is not None else None,
        "input_origin": fetched.origin if fetched is not None else None,
        "discovered_at": run.started,
        "run_id": run_id,
    }


def _source_summary(run: SourceRun) -> SourceSummary:
    counts = _counts(run)
    total = counts["articles"] + sum(counts["rejects"].values()) + sum(counts["skipped"].values())
    return SourceSummary(
        source=run.key,
        name=run.name,
        **counts,
        requests=run.stats.requests,
        retries=run.stats.retries,
        bytes=run.stats.bytes,
        discovery_errors=run.discovery_errors,
        archive=run.archive_location,
        lake_run_id=run.lake_run_id,
        accounted=run.lost == 0 and total == counts["discovered"],
    )


@contextmanager
def _executor(workers: int) -> Iterator[Executor | None]:
    """A process pool for extraction when more than one worker is asked for."""
    pool = extraction_pool(workers) if workers > 1 else None
    try:
        yield pool
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


# --- URL lists ----------------------------------------------------------------------------


def read_url_list(path: str | Path) -> list[Discovered]:
    """Lines of a text file; blank lines and ``#`` comments are not inputs."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read URL list {path}: {exc}") from exc
    urls = [line.strip() for line in lines]
    return [Discovered(u, canonical(u), str(path)) for u in urls if u and not u.startswith("#")]


def run_url_lists(
    paths: Sequence[str | Path],
    data_dir: str | Path,
    *,
    settings: FetchSettings | None = None,
    extraction: ExtractionSettings | None = None,
    workers: int = 1,
    allow_private_network: bool = False,
) -> CollectSummary:
    """Fetch the URLs of plain-text lists into one archive, then store them like a collect.

    No seen-state: a list is an explicit request. ``allow_private_network`` opens private
    addresses only to the hosts the lists name, never to where they redirect.
    """
    settings = settings or FetchSettings.from_env()
    data = DataDir.at(data_dir)
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    found = [item for path in paths for item in read_url_list(path)]
    items = merge_discovered(found)
    hosts = frozenset(h for h in (_host(i.url) for i in items) if h)
    name = ", ".join(Path(p).name for p in paths)[:200]

    async def fetch() -> SourceRun:
        run = new_source_run(data, URL_LIST_KEY, name, started)
        run.planned = [Planned(item) for item in items]
        policy = NetworkPolicy(hosts if allow_private_network else frozenset())
        async with _session(run, Fetcher(settings), policy) as session:
            await _fetch_planned(session, run.planned)
        await asyncio.to_thread(publish_archive, data, run)
        return run

    run = asyncio.run(fetch())
    return store_runs([run], data, extraction, workers, run_id, started, update_states=False)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


# --- reprocess ----------------------------------------------------------------------------


def reprocess(
    data_dir: str | Path,
    *,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    extraction: ExtractionSettings | None = None,
    workers: int = 1,
) -> ArchivesSummary:
    """Re-run extraction on archived fetches, without the network.

    Each archive file is stored as the run named after it, so its earlier lake rows (from the
    collect that wrote it, or an earlier reprocess) are replaced, and nothing else is touched.
    """
    data = DataDir.at(data_dir)
    archives = data.raw_archives(since, until, source)
    if not archives:
        raise InputError(f"no archive files in {data.location(data.raw)} match the selection")
    summaries = []
    with _executor(workers) as executor:
        for archive in archives:
            summaries.append(process_archive(archive, data, extraction, executor))
    return ArchivesSummary.of(archives, summaries)
