"""The stages wired together, in the units Airflow maps over and the CLI loops over.

``extract_unit`` turns one input unit into staged, cleaned article rows (in a mapped task, or
with a process pool of extraction workers); ``store_run`` deduplicates them and writes the
run's share of the lake; ``run_pipeline`` does both for the CLI. Tasks pass paths, never data.
Both stream in bounded batches, so memory does not grow with the size of a unit or a run.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.cache import CachedUnit, ExtractionCache, link_or_copy, page_key, unit_identity
from etl.clean import clean_articles, dropped_publication_dates
from etl.config import Settings
from etl.dedup import collapse_versions, signature_bytes, signature_matrix
from etl.extract import (
    RAW_ARTICLE_SCHEMA,
    TRAFILATURA_CPU,
    ExtractionRejected,
    ExtractionSettings,
    extract_page,
)
from etl.ingest import IngestCounts, Page, Reject, list_input_units, read_unit, unit_key
from etl.lock import WRITER_WAIT_SECONDS, data_dir_lock
from etl.schema import (
    ARTICLE_PARTITION,
    ARTICLE_SCHEMA,
    REJECT_PARTITION,
    REJECT_SCHEMA,
)
from etl.store import ParquetAppender, PartitionedWriter, check_run_id
from etl.stories import finish_merges, match_stories, write_index

__all__ = ["extract_unit", "list_input_units", "run_pipeline", "store_run"]

EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
# When a piece of work ran: (start, end) in ``time.monotonic`` seconds.
Span = tuple[float, float]


@dataclass
class UnitResult:
    """What one unit held, as written next to its staged records."""

    unit: str
    records: int = 0
    extracted: int = 0
    rejected: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    articles_path: str = ""
    rejects_path: str = ""
    implausible_dates: int = 0
    cached_pages: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # Records the reader found (None in summaries from before it counted), and bytes it could
    # not read at all: either makes a run not "all accounted".
    input_records: int | None = None
    unread_bytes: int = 0


def staging_dir_for(data_dir: str | Path, run_id: str) -> Path:
    return Path(data_dir) / "staging" / check_run_id(run_id)


def default_run_id(inputs: Sequence[str | Path]) -> str:
    """The same inputs make the same run, so running a command twice replaces its output."""
    resolved = sorted(str(Path(p).expanduser().resolve()) for p in inputs)
    digest = hashlib.blake2b("\n".join(resolved).encode(), digest_size=6).hexdigest()
    return f"cli-{digest}"


class PageTimeLimit(Exception):
    """A page used up its CPU allowance (``ExtractionSettings.page_cpu_seconds``)."""


@contextmanager
def cpu_time_limit(seconds: float) -> Iterator[None]:
    """Raise ``PageTimeLimit`` once this process has spent ``seconds`` of CPU inside the block.

    CPU rather than wall time, so a busy machine does not reject pages; SIGVTALRM, so the
    SIGALRM that schedulers use for their own timeouts stays theirs. Signals reach only the
    main thread: elsewhere the block runs without a limit.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise PageTimeLimit(f"more than {seconds:g} s of CPU")

    previous = signal.signal(signal.SIGVTALRM, expire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def extract_one(page: Page, settings: ExtractionSettings) -> dict[str, Any] | Reject:
    """Extract one page; a page without an article becomes a reject (the worker entry point)."""
    try:
        with cpu_time_limit(settings.page_cpu_seconds):
            return extract_page(page, settings)
    except PageTimeLimit as exc:
        return Reject(page.origin, "extract", "too_slow", str(exc), page.url, page.fetched_at)
    except ExtractionRejected as exc:
        return Reject(page.origin, "extract", exc.reason, exc.detail, page.url, page.fetched_at)
    except RecursionError:
        return Reject(
            page.origin, "extract", "too_deep", "HTML nested too deeply", page.url, page.fetched_at
        )
    except Exception as exc:
        # trafilatura, lxml and the date parsers raise on inputs no one anticipated; one such
        # page must become a reject row with the error, not end the run for every other page.
        detail = f"{type(exc).__name__}: {exc}"[:500]
        return Reject(page.origin, "extract", "extraction_error", detail, page.url, page.fetched_at)


def extract_chunk(
    pages: list[Page], settings: ExtractionSettings
) -> tuple[list[dict[str, Any] | Reject], dict[str, float], Span]:
    """Extract a few pages: the task a worker process runs.

    Also returns the CPU seconds spent (all of it, and inside trafilatura) and when the task
    ran, by ``time.monotonic`` (on Linux one clock for every process of the machine, so the
    run can tell when no worker was busy).
    """
    start, began = time.process_time(), time.monotonic()
    in_trafilatura = TRAFILATURA_CPU.seconds
    outcomes = [extract_one(page, settings) for page in pages]
    seconds = {
        "extract": time.process_time() - start,
        "trafilatura": TRAFILATURA_CPU.seconds - in_trafilatura,
    }
    return outcomes, seconds, (began, time.monotonic())


def extract_unit(
    unit: str,
    staging_dir: str | Path,
    settings: ExtractionSettings | None = None,
    executor: Executor | None = None,
    batch_size: int = 64,
    on_page: Callable[[int], None] | None = None,
    skip: Callable[[Page | Reject], str | None] | None = None,
    use_cache: bool = True,
    spans: list[Span] | None = None,
) -> str:
    """Ingest, extract and clean one unit; stage its article and reject rows; return the summary.

    ``skip`` names why a record is left out before extraction (a date or domain filter), or
    returns None to keep it; left-out records are counted as skipped under that name.

    Pages stream through in batches of ``batch_size``: with an ``executor`` a few batches are
    extracted by the workers while this process cleans and writes the oldest one, so memory
    holds a few batches whatever the size of the unit; extracted records are cleaned
    ``CLEAN_ROWS`` at a time. Each article row is staged with its
    MinHash signature, so that ``store_run`` finds stories without reading texts again.
    Pages extracted before with the same code and settings come from the cache (``etl.cache``).
    ``spans`` receives when extraction ran (see ``serial_seconds``).
    """
    settings = settings or ExtractionSettings()
    staging = Path(staging_dir)
    key = unit_key(unit)
    clock = StageClock()
    cache = ExtractionCache.for_staging(staging, settings) if use_cache else None
    identity = unit_identity(unit) if cache is not None else {}
    if cache is not None and skip is None:
        entry = cache.unchanged(key, identity)
        if entry is not None:
            return _stage_cached_unit(entry, staging, key, on_page)
    known = cache.known_pages(key) if cache is not None else {}
    counts = IngestCounts()
    result = UnitResult(unit=unit)
    hits: dict[str, dict[int, tuple[str, datetime | None]]] = {"articles": {}, "rejects": {}}
    articles_path = staging / f"{key}.articles.parquet"
    rejects_path = staging / f"{key}.rejects.parquet"
    workers = _worker_count(executor)
    pending: deque[_Batch] = deque()
    extracted = _Extracted()
    warm_up = _CleaningWarmUp()
    with (
        ParquetAppender(articles_path, staged_article_schema()) as articles_out,
        ParquetAppender(rejects_path, STAGED_REJECT_SCHEMA) as rejects_out,
    ):
        reader = _batches(read_unit(unit, counts), batch_size)
        while True:
            with clock.stage("ingest"):
                records = next(reader, None)
                if records is None:
                    break
                if on_page is not None:
                    on_page(len(records))
                if skip is not None:
                    records = _without_skipped(records, skip, counts)
                result.records += len(records)
                batch = _Batch()
                for record in records:
                    if isinstance(record, Reject):
                        batch.rejects.append(record)
                        continue
                    digest = page_key(record)
                    if digest in known:
                        kind, row = known[digest]
                        hits[kind][row] = (record.origin, record.fetched_at)
                        continue
                    batch.pages.append(record)
                    batch.keys[record.origin] = digest
            batch.start(executor, workers, settings, clock)
            if batch.futures:
                # The pool forks its workers at the first task: the warm-up comes after.
                warm_up.start()
            pending.append(batch)
            # Enough work queued that no worker waits while this process writes a batch.
            while len(pending) > (2 if executor is not None else 0):
                extracted.add(pending.popleft(), clock)
                if extracted.rows >= CLEAN_ROWS:
                    _stage_extracted(extracted, articles_out, rejects_out, result, clock)
        while pending:
            if extracted.rows and not pending[0].done():
                # The workers still extract the last batches: clean what waits meanwhile,
                # not after them.
                _stage_extracted(extracted, articles_out, rejects_out, result, clock)
            extracted.add(pending.popleft(), clock)
        if extracted.rows:
            _stage_extracted(extracted, articles_out, rejects_out, result, clock)
        if cache is not None:
            entry = cache.entry(key)
            _copy_cached_rows(entry.articles, hits["articles"], articles_out, result, clock)
            _copy_cached_rows(entry.rejects, hits["rejects"], rejects_out, result, clock)
            result.cached_pages = len(hits["articles"]) + len(hits["rejects"])
    result.extracted, result.rejected = articles_out.rows, rejects_out.rows
    result.skipped = dict(counts.skipped)
    result.input_records, result.unread_bytes = counts.records, counts.unread_bytes
    result.articles_path, result.rejects_path = str(articles_path), str(rejects_path)
    result.stage_seconds = clock.seconds
    if spans is not None:
        spans.extend(clock.spans)
    summary_path = _write_summary(result, staging / f"{key}.json")
    if cache is not None:
        cache.keep(
            key,
            {"identity": identity, "filtered": skip is not None, "result": asdict(result)},
            articles_path,
            rejects_path,
        )
    return summary_path


def store_run(
    staged: Sequence[str],
    data_dir: str | Path,
    run_id: str,
    story_window: timedelta | None = None,
) -> dict[str, Any]:
    """Deduplicate the staged units of a run and write its lake files, in bounded memory.

    One pass over the staged keys and signatures (no texts) decides which rows win and which
    story each joins, against the whole archive's story index (``etl.stories``); a second
    pass streams the winning rows into the lake partitions. The data directory's lock is held
    throughout, so stores of concurrent runs happen one after the other.
    """
    check_run_id(run_id)
    window = story_window if story_window is not None else Settings.from_env().story_window
    with data_dir_lock(data_dir, timeout=WRITER_WAIT_SECONDS):
        finish_merges(Path(data_dir))
        return _store_run_locked(staged, Path(data_dir), run_id, window)


def _store_run_locked(
    staged: Sequence[str], data_dir: Path, run_id: str, window: timedelta
) -> dict[str, Any]:
    lake = data_dir / "lake"
    clock = StageClock()
    units = [UnitResult(**json.loads(Path(p).read_text(encoding="utf-8"))) for p in staged]
    with clock.stage("dedup"):
        keys, signatures = _article_keys(units)
        kept, superseded = collapse_versions(keys.sort("input_origin", maintain_order=True))
        kept = kept.sort("article_id", maintain_order=True)
        kept_signatures = signatures[kept["_signature"].to_numpy()]
        stories, relabelled = match_stories(data_dir, run_id, kept, kept_signatures, window)
        winners = kept.select(
            "_unit", "_row", story_id=pl.Series(stories.story_ids, dtype=pl.String)
        )
    stats = _LakeStats()
    with clock.stage("store"):
        with PartitionedWriter(
            lake / "articles", ARTICLE_PARTITION, ARTICLE_SCHEMA, run_id
        ) as articles_out:
            for frame in _winning_rows(units, winners):
                rows = frame.with_columns(
                    pl.lit(run_id).alias("run_id"),
                    pl.coalesce("published_at", "fetched_at").dt.date().alias(ARTICLE_PARTITION),
                ).select([*ARTICLE_SCHEMA.names, ARTICLE_PARTITION])
                articles_out.write(rows)
                stats.add_articles(rows)
        with PartitionedWriter(
            lake / "rejects", REJECT_PARTITION, REJECT_SCHEMA, run_id
        ) as rejects_out:
            duplicates = _as_rejects(
                superseded, "duplicate", "an newer version of the same article was kept"
            )
            for frame in [*_staged_rejects(units), duplicates]:
                rows = _reject_rows(frame, run_id)
                rejects_out.write(rows)
                stats.add_rejects(rows)
        # Last: an articles file without its index file gets one from its texts when read.
        write_index(lake, run_id, kept, kept_signatures)
    release_memory()
    skipped: Counter[str] = Counter()
    seconds: Counter[str] = Counter(clock.seconds)
    for unit in units:
        skipped.update(unit.skipped)
        seconds.update(unit.stage_seconds)
    # What the readers found in the inputs, each record exactly one article, reject or skip.
    records = sum(
        u.records + sum(u.skipped.values()) if u.input_records is None else u.input_records
        for u in units
    )
    unread = sum(u.unread_bytes for u in units)
    rejected = sum(stats.rejects.values())
    return {
        "run_id": run_id,
        "units": len(units),
        "records": records,
        "pages": sum(u.records for u in units),
        "articles": stats.articles,
        "rejects": dict(stats.rejects.most_common()),
        "skipped": dict(skipped),
        "unread_bytes": unread,
        "accounted": stats.articles + rejected + sum(skipped.values()) == records and not unread,
        "implausible_dates_dropped": sum(u.implausible_dates for u in units),
        "top_sources": stats.sources.most_common(5),
        "top_topics": stats.topics.most_common(5),
        "days": [(d.isoformat(), n) for d, n in stats.days.most_common(10)],
        "stories": winners["story_id"].n_unique() if winners.height else 0,
        "stories_continued": stories.continued,
        "stories_merged": len(stories.merges),
        "lake_files_relabelled": len(relabelled),
        "cached_pages": sum(u.cached_pages for u in units),
        "stage_seconds": {name: round(seconds[name], 3) for name in STAGES},
        "article_files": [str(p) for p in articles_out.written],
        "reject_files": [str(p) for p in rejects_out.written],
    }


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes that end with the run that started them.

    A worker waits on a pipe it holds both ends of, so when its parent is killed (``kill -9``,
    the OOM killer) it would wait forever; on Linux the kernel sends it SIGKILL instead.
    """
    return ProcessPoolExecutor(
        max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),)
    )


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def run_pipeline(
    inputs: Sequence[str | Path],
    data_dir: str | Path,
    run_id: str | None = None,
    workers: int = 1,
    settings: ExtractionSettings | None = None,
    on_page: Callable[[int], None] | None = None,
    use_cache: bool = True,
) -> dict[str, Any]:
    """All stages for the CLI: inputs to the lake (the warehouse is built by the caller)."""
    run_id = check_run_id(run_id or default_run_id(inputs))
    units = list_input_units(list(inputs))
    staging = staging_dir_for(data_dir, run_id)
    shutil.rmtree(staging, ignore_errors=True)
    started = time.monotonic()
    spans: list[Span] = []
    executor = extraction_pool(workers) if workers > 1 else None
    try:
        staged = [
            extract_unit(
                unit, staging, settings, executor, on_page=on_page, use_cache=use_cache, spans=spans
            )
            for unit in units
        ]
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    extracted = time.monotonic()
    # The part of extraction spent inside trafilatura, for the benchmark: a part of a stage,
    # so not among the stages that store_run sums.
    in_trafilatura = sum(
        json.loads(Path(p).read_text(encoding="utf-8"))["stage_seconds"].get("trafilatura", 0.0)
        for p in staged
    )
    summary = store_run(staged, data_dir, run_id)
    shutil.rmtree(staging, ignore_errors=True)
    ended = time.monotonic()
    summary["trafilatura_seconds"] = round(in_trafilatura, 3)
    summary["phase_seconds"] = {
        "extract": round(extracted - started, 3),
        "store": round(ended - extracted, 3),
        "serial": round(serial_seconds(spans, started, ended), 3),
    }
    return summary


def serial_seconds(spans: Iterable[Span], start: float, end: float) -> float:
    """Wall seconds between ``start`` and ``end`` during which no extraction ran.

    That is the serial part of a run: reading the first pages, cleaning the last batches,
    deduplication and the lake writes. Work done while extraction runs elsewhere overlaps
    with it, and costs wall time only where the cores are all busy (its CPU share says how
    much then).
    """
    covered = 0.0
    reach = start
    for began, ended in sorted(spans):
        began, ended = max(began, reach), min(ended, end)
        if ended > began:
            covered += ended - began
            reach = ended
    return max(0.0, end - start - covered)


STAGES = ("ingest", "extract", "clean", "dedup", "store")
# Pages per task sent to a worker: enough that pickling and queueing stay small next to the
# extraction, few enough that the last tasks of a unit still spread over every worker.
CHUNK_PAGES = 8
# Articles cleaned in one call: a call costs tens of milliseconds whatever its size (the rule
# regexes compiled, a few dozen polars operations), which at 64 articles was a third of
# cleaning. A few batches of extracted records are small next to the pages in flight.
CLEAN_ROWS = 256
# Staged rows carry the key of their page (for the cache) and their MinHash signature.
STAGED_REJECT_SCHEMA = REJECT_SCHEMA.append(pa.field("page_key", pa.binary()))
_KEY_COLUMNS = ["article_id", "fetched_at", "published_at", "word_count", "input_origin", "url"]


def staged_article_schema() -> pa.Schema:
    return ARTICLE_SCHEMA.append(pa.field("page_key", pa.binary())).append(
        pa.field("signature", pa.binary())
    )


class StageClock:
    """CPU seconds per stage (this process's own, plus what its workers report), and when
    extraction ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.spans: list[Span] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.process_time()
        try:
            yield
        finally:
            self.seconds[name] += time.process_time() - start

    def add(self, seconds: dict[str, float]) -> None:
        """Seconds a worker reports; ``trafilatura`` is the part of ``extract`` spent in it."""
        for name, value in seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + value


Outcome = dict[str, Any] | Reject
_ChunkResult = tuple[list[Outcome], dict[str, float], Span]


@dataclass
class _Batch:
    """Pages on their way through extraction, with the rejects ingest made of their batch."""

    pages: list[Page] = field(default_factory=list)
    keys: dict[str, bytes] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    futures: list[Future[_ChunkResult]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def start(
        self,
        executor: Executor | None,
        workers: int,
        settings: ExtractionSettings,
        clock: StageClock,
    ) -> None:
        if executor is None or len(self.pages) < 2:
            self.outcomes, seconds, span = extract_chunk(self.pages, settings)
            clock.add(seconds)
            clock.spans.append(span)
            return
        size = max(1, min(CHUNK_PAGES, -(-len(self.pages) // workers)))
        for i in range(0, len(self.pages), size):
            chunk = self.pages[i : i + size]
            self.futures.append(executor.submit(extract_chunk, chunk, settings))

    def done(self) -> bool:
        return all(future.done() for future in self.futures)

    def collect(self, clock: StageClock) -> list[Outcome]:
        for future in self.futures:
            outcomes, seconds, span = future.result()
            self.outcomes.extend(outcomes)
            clock.add(seconds)
            clock.spans.append(span)
        self.futures = []
        return self.outcomes


def release_memory() -> None:
    """Give the memory freed by a run's batches back to the system.

    Allocators keep freed memory for reuse: after thousands of batches the process holds far
    more than it uses, and the warehouse build that usually follows in the same process would
    start from there. Arrow's pool and glibc's heap can be asked to return it.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            # Not glibc (musl, for one): nothing to trim, and nothing lost.
            return


def _worker_count(executor: Executor | None) -> int:
    if executor is None:
        return 1
    return int(getattr(executor, "_max_workers", None) or os.cpu_count() or 1)


class _CleaningWarmUp:
    """The first ``clean_articles`` of a process, on a made-up article, in a thread.

    That first call spends about a second of CPU that later ones do not (polars compiles and
    caches the cleaning regexes, the boilerplate rules are checked, the language model is
    read); run while the workers extract the first batches, it is off the run's critical
    path. Started after the workers are forked, as a fork must not copy a busy polars.
    """

    _thread: threading.Thread | None = None
    _lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if _CleaningWarmUp._thread is None:
                _CleaningWarmUp._thread = threading.Thread(
                    target=_clean_made_up_article, name="cleaning-warm-up", daemon=True
                )
                _CleaningWarmUp._thread.start()

    @classmethod
    def wait(cls) -> None:
        thread = cls._thread
        if thread is not None and thread.is_alive():
            thread.join()


def _clean_made_up_article() -> None:
    record = {
        "url": "https://warm-up.example/news/a",
        "input_origin": "warm-up",
        "title": "A made-up article",
        "text": "Berlin (dpa) - A first paragraph of prose.\n\nFoto: Agentur\n\nMehr zum Thema",
        "authors_raw": ["Anna Beispiel"],
        "topics_raw": ["Politik"],
        "published_raw": "2025-10-16T12:00:00+02:00",
        "html_lang": "de",
    }
    raw = pl.from_arrow(pa.Table.from_pylist([record], RAW_ARTICLE_SCHEMA))
    assert isinstance(raw, pl.DataFrame)
    clean_articles(raw)


@dataclass
class _Extracted:
    """Extracted batches waiting to be cleaned and staged together, in input order."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    reject_keys: list[bytes | None] = field(default_factory=list)
    keys: dict[str, bytes] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.articles) + len(self.rejects)

    def add(self, batch: _Batch, clock: StageClock) -> None:
        outcomes = batch.collect(clock)
        # The rejects ingest made of the batch first, then extraction's.
        self.rejects.extend(batch.rejects)
        self.reject_keys.extend([None] * len(batch.rejects))
        for outcome in outcomes:
            if isinstance(outcome, Reject):
                self.rejects.append(outcome)
                self.reject_keys.append(batch.keys.get(outcome.origin))
            else:
                self.articles.append(outcome)
        self.keys.update(batch.keys)


def _stage_extracted(
    extracted: _Extracted,
    articles_out: ParquetAppender,
    rejects_out: ParquetAppender,
    result: UnitResult,
    clock: StageClock,
) -> None:
    """Clean the waiting articles, sign them for dedup and stage them with the rejects."""
    _CleaningWarmUp.wait()
    with clock.stage("clean"):
        raw = pl.from_arrow(pa.Table.from_pylist(extracted.articles, RAW_ARTICLE_SCHEMA))
        assert isinstance(raw, pl.DataFrame)
        cleaned, implausible = _drop_implausible_dates(clean_articles(raw))
        # Cleaning drops impossible publication dates itself and flags them in date_flags.
        result.implausible_dates += implausible + dropped_publication_dates(cleaned)
    with clock.stage("dedup"):
        signatures = signature_bytes(cleaned["text"].fill_null("").to_list())
    with clock.stage("store"):
        keys = pl.DataFrame(
            {"input_origin": list(extracted.keys), "page_key": list(extracted.keys.values())},
            schema={"input_origin": pl.String, "page_key": pl.Binary},
        )
        staged = cleaned.with_columns(signature=pl.Series(signatures, dtype=pl.Binary)).join(
            keys, on="input_origin", how="left", maintain_order="left"
        )
        articles_out.write(staged.to_arrow())
        rejects_out.write(_rejects_table(extracted.rejects, extracted.reject_keys))
    extracted.articles, extracted.rejects, extracted.reject_keys = [], [], []
    extracted.keys = {}


def _copy_cached_rows(
    path: Path,
    rows: dict[int, tuple[str, datetime | None]],
    out: ParquetAppender,
    result: UnitResult,
    clock: StageClock,
) -> None:
    """Stage the cached rows of unchanged pages, with this record's origin and fetch time."""
    if not rows:
        return
    with clock.stage("store"):
        offset = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=2048):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            wanted = [i for i in range(offset, offset + frame.height) if i in rows]
            offset += frame.height
            if not wanted:
                continue
            picked = frame[[i - (offset - frame.height) for i in wanted]].with_columns(
                input_origin=pl.Series([rows[i][0] for i in wanted], dtype=pl.String),
                fetched_at=pl.Series([rows[i][1] for i in wanted], dtype=pl.Datetime("us", "UTC")),
            )
            if "published_at" in picked.columns:
                picked, implausible = _drop_implausible_dates(picked)
                result.implausible_dates += implausible
            out.write(picked.to_arrow())


def _stage_cached_unit(
    entry: CachedUnit, staging: Path, key: str, on_page: Callable[[int], None] | None
) -> str:
    """Stage a unchanged unit from the cache: links to its files, and its summary."""
    clock = StageClock()
    with clock.stage("store"):
        stored = json.loads(entry.summary.read_text(encoding="utf-8"))
        result = UnitResult(**stored["result"])
        articles_path = staging / f"{key}.articles.parquet"
        rejects_path = staging / f"{key}.rejects.parquet"
        staging.mkdir(parents=True, exist_ok=True)
        link_or_copy(entry.articles, articles_path)
        link_or_copy(entry.rejects, rejects_path)
    result.articles_path, result.rejects_path = str(articles_path), str(rejects_path)
    result.cached_pages = result.records
    result.stage_seconds = clock.seconds
    if on_page is not None:
        on_page(result.records)
    return _write_summary(result, staging / f"{key}.json")


def _write_summary(result: UnitResult, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(result), indent=1), encoding="utf-8")
    temporary.replace(path)
    return str(path)


def _article_keys(units: Sequence[UnitResult]) -> tuple[pl.DataFrame, np.ndarray[Any, Any]]:
    """What dedup needs of every staged article: keys and times, numbered by unit and row,
    and the signatures as one matrix (row ``_signature``), read from Arrow's buffers without
    a Python object per article.
    """
    frames: list[pl.DataFrame] = []
    matrices: list[np.ndarray[Any, Any]] = []
    offset = 0
    for i, unit in enumerate(units):
        table = pq.read_table(unit.articles_path, columns=[*_KEY_COLUMNS, "signature"])
        matrices.append(signature_matrix(table.column("signature")))
        frame = pl.from_arrow(table.drop_columns(["signature"]))
        assert isinstance(frame, pl.DataFrame)
        frames.append(
            frame.with_columns(
                _unit=pl.lit(i, pl.Int32),
                _row=pl.int_range(pl.len(), dtype=pl.Int64),
                _signature=pl.int_range(offset, offset + frame.height, dtype=pl.Int64),
            )
        )
        offset += frame.height
    if not frames:
        empty = pl.DataFrame(staged_article_schema().empty_table()).select(_KEY_COLUMNS)
        frames.append(
            empty.with_columns(
                _unit=pl.lit(0, pl.Int32), _row=pl.lit(0, pl.Int64), _signature=pl.lit(0, pl.Int64)
            ).clear()
        )
    return pl.concat(frames, how="vertical"), np.concatenate(
        matrices or [signature_matrix(pa.chunked_array([], pa.binary()))]
    )


def _winning_rows(units: Sequence[UnitResult], winners: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """The staged rows that won, with their story, a few thousand at a time."""
    for index, unit in enumerate(units):
        mine = winners.filter(pl.col("_unit") == index).drop("_unit")
        if mine.is_empty():
            continue
        offset = 0
        staged = pq.ParquetFile(unit.articles_path)
        for batch in staged.iter_batches(batch_size=2048, columns=ARTICLE_SCHEMA.names):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            numbered = frame.drop("story_id").with_columns(
                _row=pl.int_range(offset, offset + frame.height, dtype=pl.Int64)
            )
            offset += frame.height
            yield numbered.join(mine, on="_row", how="inner", maintain_order="left").drop("_row")


def _staged_rejects(units: Sequence[UnitResult]) -> Iterator[pl.DataFrame]:
    for unit in units:
        for batch in pq.ParquetFile(unit.rejects_path).iter_batches(
            batch_size=8192, columns=REJECT_SCHEMA.names
        ):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield frame


def _reject_rows(rejects: pl.DataFrame, run_id: str) -> pl.DataFrame:
    return rejects.with_columns(
        run_id=pl.lit(run_id),
        **{
            REJECT_PARTITION: pl.col("fetched_at")
            .fill_null(pl.lit(datetime.now(UTC)).cast(pl.Datetime("us", "UTC")))
            .dt.date()
        },
    ).select([*REJECT_SCHEMA.names, REJECT_PARTITION])


@dataclass
class _LakeStats:
    """The run summary's counts, gathered while the rows stream past."""

    articles: int = 0
    sources: Counter[str] = field(default_factory=Counter)
    topics: Counter[str] = field(default_factory=Counter)
    days: Counter[date] = field(default_factory=Counter)
    rejects: Counter[str] = field(default_factory=Counter)

    def add_articles(self, rows: pl.DataFrame) -> None:
        self.articles += rows.height
        self.sources.update(rows["source"].drop_nulls().to_list())
        self.topics.update(rows["topics"].explode().drop_nulls().to_list())
        self.days.update(rows[ARTICLE_PARTITION].to_list())

    def add_rejects(self, rows: pl.DataFrame) -> None:
        self.rejects.update(rows["reason"].to_list())


def _drop_implausible_dates(articles: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """A publication time after the fetch (beyond clock skew) or before 1990 is a misread."""
    too_late = pl.col("published_at") > pl.col("fetched_at") + timedelta(days=1)
    too_early = pl.col("published_at") < pl.lit(EARLIEST_PLAUSIBLE)
    bad = (too_late | too_early).fill_null(False)
    count = int(articles.select(bad.sum()).item())
    cleared = articles.with_columns(
        pl.when(bad).then(None).otherwise(pl.col("published_at")).alias("published_at"),
        pl.when(bad)
        .then(None)
        .otherwise(pl.col("published_offset_minutes"))
        .alias("published_offset_minutes"),
    )
    return cleared, count


def _as_rejects(articles: pl.DataFrame, reason: str, detail: str) -> pl.DataFrame:
    return articles.select(
        "input_origin",
        "url",
        stage=pl.lit("dedup"),
        reason=pl.lit(reason),
        detail=pl.lit(detail),
        fetched_at="fetched_at",
        run_id=pl.lit(None, pl.String),
    ).cast({"fetched_at": pl.Datetime("us", "UTC")})


def _rejects_table(rejects: Sequence[Reject], keys: Sequence[bytes | None]) -> pa.Table:
    rows = [
        {
            "input_origin": r.origin,
            "url": r.url,
            "stage": r.stage,
            "reason": r.reason,
            "detail": r.detail[:1000],
            "fetched_at": r.fetched_at,
            "run_id": None,
            "page_key": key,
        }
        for r, key in zip(rejects, keys, strict=True)
    ]
    return pa.Table.from_pylist(rows, STAGED_REJECT_SCHEMA)


def _without_skipped(
    batch: list[Page | Reject], skip: Callable[[Page | Reject], str | None], counts: IngestCounts
) -> list[Page | Reject]:
    kept: list[Page | Reject] = []
    for item in batch:
        reason = skip(item)
        if reason is None:
            kept.append(item)
        else:
            counts.skip(reason)
    return kept


def _batches(items: Iterable[Page | Reject], size: int) -> Iterator[list[Page | Reject]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
