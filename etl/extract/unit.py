"""One input unit through ingest, extraction and cleaning, staged for the store.

Pages stream in bounded batches, extracted by worker processes where a pool is given, so
memory does not grow with the size of a unit.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.core.objectstore import is_object_url
from etl.core.staging import (
    STAGED_REJECT_SCHEMA,
    Span,
    StageClock,
    StagedFiles,
    UnitResult,
    staged_article_schema,
    write_unit_summary,
)
from etl.extract.cache import CachedUnit, ExtractionCache, link_or_copy, page_key, unit_identity
from etl.extract.page import (
    RAW_ARTICLE_SCHEMA,
    TRAFILATURA_CPU,
    ExtractionRejected,
    ExtractionSettings,
    extract_page,
)
from etl.ingest.inputs import IngestCounts, Page, Reject, read_unit, unit_key
from etl.load.dedup import signature_bytes
from etl.load.parquet import ParquetAppender
from etl.transform.clean import clean_articles, dropped_publication_dates
from etl.transform.dates import drop_implausible_publication


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
    ``CLEAN_ROWS`` at a time. Each article row is staged with its MinHash signature, so that
    ``store_run`` finds stories without reading texts again. Pages extracted before with the
    same code and settings come from the cache (``etl.extract.cache``). ``spans`` receives
    when extraction ran (see ``serial_seconds``).
    """
    settings = settings or ExtractionSettings()
    staging, key = Path(staging_dir), unit_key(unit)
    files = StagedFiles.of(staging, key)
    # A unit on object storage is read from a fresh copy each time: not cached.
    cached = use_cache and not is_object_url(unit)
    cache = ExtractionCache.for_staging(staging, settings) if cached else None
    identity = unit_identity(unit) if cache is not None else {}
    if cache is not None and skip is None:
        entry = cache.unchanged(key, identity)
        if entry is not None:
            return _stage_cached_unit(entry, files, on_page)
    result = UnitResult(unit=unit)
    clock = StageClock()
    ingest = _Ingest(cache.known_pages(key) if cache is not None else {}, skip, on_page)
    with _Stager(files, result, clock) as stager:
        batches = ingest.batches(unit, batch_size, result, clock)
        _extract_batches(batches, stager, executor, settings, clock)
        if cache is not None:
            stager.copy_cached(cache.entry(key), ingest.hits)
    result.skipped = dict(ingest.counts.skipped)
    result.input_records, result.unread_bytes = ingest.counts.records, ingest.counts.unread_bytes
    result.stage_seconds = clock.seconds
    if spans is not None:
        spans.extend(clock.spans)
    summary_path = write_unit_summary(result, files.summary)
    if cache is not None:
        cache.keep(
            key,
            {"identity": identity, "filtered": skip is not None, "result": asdict(result)},
            files.articles,
            files.rejects,
        )
    return summary_path


# Where an unchanged page's rows are in a cache entry: ("articles" or "rejects", row), and the
# origin and fetch time the rows take from this record.
_Hits = dict[str, dict[int, tuple[str, datetime | None]]]


class _Ingest:
    """A unit's records in batches: filtered, with the pages the cache knows set aside."""

    def __init__(
        self,
        known: dict[bytes, tuple[str, int]],
        skip: Callable[[Page | Reject], str | None] | None,
        on_page: Callable[[int], None] | None,
    ) -> None:
        self.known, self.skip, self.on_page = known, skip, on_page
        self.counts = IngestCounts()
        self.hits: _Hits = {"articles": {}, "rejects": {}}

    def batches(
        self, unit: str, size: int, result: UnitResult, clock: StageClock
    ) -> Iterator[_Batch]:
        reader = _batches(read_unit(unit, self.counts), size)
        while True:
            with clock.stage("ingest"):
                records = next(reader, None)
                if records is None:
                    return
                if self.on_page is not None:
                    self.on_page(len(records))
                if self.skip is not None:
                    records = _without_skipped(records, self.skip, self.counts)
                result.records += len(records)
                batch = _Batch()
                for record in records:
                    if isinstance(record, Reject):
                        batch.rejects.append(record)
                        continue
                    digest = page_key(record)
                    if digest in self.known:
                        kind, row = self.known[digest]
                        self.hits[kind][row] = (record.origin, record.fetched_at)
                        continue
                    batch.pages.append(record)
                    batch.keys[record.origin] = digest
            yield batch


def _extract_batches(
    batches: Iterable[_Batch],
    stager: _Stager,
    executor: Executor | None,
    settings: ExtractionSettings,
    clock: StageClock,
) -> None:
    """Extract the batches (on the workers, a few ahead) and stage them in input order."""
    workers = _worker_count(executor)
    pending: deque[_Batch] = deque()
    warm_up = _CleaningWarmUp()
    for batch in batches:
        batch.start(executor, workers, settings, clock)
        if batch.futures:
            # The pool forks its workers at the first task: the warm-up comes after. Without
            # workers there is none: beside this process's own extraction it only competed
            # for the interpreter lock, and the regexes it compiled on its thread were not the
            # ones the cleaning (on this thread) then used (issue 15).
            warm_up.start()
        pending.append(batch)
        # Enough work queued that no worker waits while this process writes a batch.
        while len(pending) > (2 if executor is not None else 0):
            stager.add(pending.popleft())
            if stager.waiting >= CLEAN_ROWS:
                stager.stage()
    while pending:
        if stager.waiting and not pending[0].done():
            # The workers still extract the last batches: clean what waits meanwhile,
            # not after them.
            stager.stage()
        stager.add(pending.popleft())
    if stager.waiting:
        stager.stage()
    # A unit without articles never waited for it: no thread is left running (a fork then
    # must not copy a busy polars).
    _CleaningWarmUp.wait()


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


# Pages per task sent to a worker: enough that pickling and queueing stay small next to the
# extraction, few enough that the last tasks of a unit still spread over every worker.
CHUNK_PAGES = 8
# Articles cleaned in one call: a call costs tens of milliseconds whatever its size (the rule
# regexes compiled, a few dozen polars operations), which at 64 articles was a third of
# cleaning. A few batches of extracted records are small next to the pages in flight.
CLEAN_ROWS = 256


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


def _worker_count(executor: Executor | None) -> int:
    if executor is None:
        return 1
    return int(getattr(executor, "_max_workers", None) or os.cpu_count() or 1)


class _CleaningWarmUp:
    """The first ``clean_articles`` of a process, on a made-up article, in a thread.

    That first call spends about a second of CPU that later ones do not (polars compiles and
    caches the cleaning regexes, the boilerplate rules are checked, the language model is
    read); run while the workers extract the first batches, it is off the run's critical
    path. Started after the workers are forked, as a fork must not copy a busy polars; not
    started by a unit extracted in this process, where it has nothing to run beside.
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


class _Stager:
    """A unit's staged files, written as extracted batches are cleaned, in input order."""

    def __init__(self, files: StagedFiles, result: UnitResult, clock: StageClock) -> None:
        self.files, self.result, self.clock = files, result, clock
        self.articles: list[dict[str, Any]] = []
        self.rejects: list[Reject] = []
        self.reject_keys: list[bytes | None] = []
        self.keys: dict[str, bytes] = {}

    def __enter__(self) -> _Stager:
        self._open = ExitStack()
        self.articles_out = self._open.enter_context(
            ParquetAppender(self.files.articles, staged_article_schema())
        )
        self.rejects_out = self._open.enter_context(
            ParquetAppender(self.files.rejects, STAGED_REJECT_SCHEMA)
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._open.__exit__(kind, error, trace)
        self.result.extracted, self.result.rejected = self.articles_out.rows, self.rejects_out.rows
        self.result.articles_path = str(self.files.articles)
        self.result.rejects_path = str(self.files.rejects)

    @property
    def waiting(self) -> int:
        """Extracted records not staged yet."""
        return len(self.articles) + len(self.rejects)

    def add(self, batch: _Batch) -> None:
        """An extracted batch, waiting to be cleaned with the next ones."""
        outcomes = batch.collect(self.clock)
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

    def stage(self) -> None:
        """Clean the waiting articles, sign them for dedup and stage them with the rejects."""
        _CleaningWarmUp.wait()
        clock, result = self.clock, self.result
        with clock.stage("clean"):
            raw = pl.from_arrow(pa.Table.from_pylist(self.articles, RAW_ARTICLE_SCHEMA))
            assert isinstance(raw, pl.DataFrame)
            cleaned, implausible = drop_implausible_publication(clean_articles(raw))
            # Cleaning drops impossible publication dates itself and flags them in date_flags.
            result.implausible_dates += implausible + dropped_publication_dates(cleaned)
        with clock.stage("dedup"):
            signatures = signature_bytes(cleaned["text"].fill_null("").to_list())
        with clock.stage("store"):
            keys = pl.DataFrame(
                {"input_origin": list(self.keys), "page_key": list(self.keys.values())},
                schema={"input_origin": pl.String, "page_key": pl.Binary},
            )
            staged = cleaned.with_columns(signature=pl.Series(signatures, dtype=pl.Binary)).join(
                keys, on="input_origin", how="left", maintain_order="left"
            )
            self.articles_out.write(staged.to_arrow())
            self.rejects_out.write(_rejects_table(self.rejects, self.reject_keys))
        self.articles, self.rejects, self.reject_keys, self.keys = [], [], [], {}

    def copy_cached(self, entry: CachedUnit, hits: _Hits) -> None:
        """Stage the cached rows of the unchanged pages."""
        self._copy_rows(entry.articles, hits["articles"], self.articles_out)
        self._copy_rows(entry.rejects, hits["rejects"], self.rejects_out)
        self.result.cached_pages = len(hits["articles"]) + len(hits["rejects"])

    def _copy_rows(
        self, path: Path, rows: dict[int, tuple[str, datetime | None]], out: ParquetAppender
    ) -> None:
        """The rows of ``path`` numbered in ``rows``, with this record's origin and fetch time."""
        if not rows:
            return
        with self.clock.stage("store"):
            offset = 0
            for batch in pq.ParquetFile(path).iter_batches(batch_size=2048):
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)
                wanted = [i for i in range(offset, offset + frame.height) if i in rows]
                offset += frame.height
                if not wanted:
                    continue
                fetched = [rows[i][1] for i in wanted]
                picked = frame[[i - (offset - frame.height) for i in wanted]].with_columns(
                    input_origin=pl.Series([rows[i][0] for i in wanted], dtype=pl.String),
                    fetched_at=pl.Series(fetched, dtype=pl.Datetime("us", "UTC")),
                )
                if "published_at" in picked.columns:
                    picked, implausible = drop_implausible_publication(picked)
                    self.result.implausible_dates += implausible
                out.write(picked.to_arrow())


def _stage_cached_unit(
    entry: CachedUnit, files: StagedFiles, on_page: Callable[[int], None] | None
) -> str:
    """Stage an unchanged unit from the cache: links to its files, and its summary."""
    clock = StageClock()
    with clock.stage("store"):
        stored = json.loads(entry.summary.read_text(encoding="utf-8"))
        result = UnitResult(**stored["result"])
        files.articles.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(entry.articles, files.articles)
        link_or_copy(entry.rejects, files.rejects)
    result.articles_path, result.rejects_path = str(files.articles), str(files.rejects)
    result.cached_pages = result.records
    result.stage_seconds = clock.seconds
    if on_page is not None:
        on_page(result.records)
    return write_unit_summary(result, files.summary)


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
