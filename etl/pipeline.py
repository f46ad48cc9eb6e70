"""The stages wired together, in the units Airflow maps over and the CLI loops over.

``extract_unit`` turns one input unit into staged raw records (in a worker or a mapped task);
``store_run`` cleans, deduplicates and writes the run's share of the lake; ``run_pipeline``
does both for the CLI. Tasks pass paths, never data.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from etl.clean import clean_articles
from etl.dedup import assign_stories, collapse_versions
from etl.extract import RAW_ARTICLE_SCHEMA, ExtractionRejected, ExtractionSettings, extract_page
from etl.ingest import IngestCounts, Page, Reject, list_input_units, read_unit, unit_key
from etl.schema import ARTICLE_PARTITION, ARTICLE_SCHEMA, REJECT_PARTITION, REJECT_SCHEMA
from etl.store import check_run_id, write_parquet_atomic, write_partitions

__all__ = ["extract_unit", "list_input_units", "run_pipeline", "store_run"]

EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)


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


def staging_dir_for(data_dir: str | Path, run_id: str) -> Path:
    return Path(data_dir) / "staging" / check_run_id(run_id)


def default_run_id(inputs: Sequence[str | Path]) -> str:
    """The same inputs make the same run, so running a command twice replaces its output."""
    resolved = sorted(str(Path(p).expanduser().resolve()) for p in inputs)
    digest = hashlib.blake2b("\n".join(resolved).encode(), digest_size=6).hexdigest()
    return f"cli-{digest}"


def extract_one(page: Page, settings: ExtractionSettings) -> dict[str, Any] | Reject:
    """Extract one page; a page without an article becomes a reject (the worker entry point)."""
    try:
        return extract_page(page, settings)
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


def extract_unit(
    unit: str,
    staging_dir: str | Path,
    settings: ExtractionSettings | None = None,
    executor: Executor | None = None,
    batch_size: int = 64,
    on_page: Callable[[int], None] | None = None,
    skip: Callable[[Page | Reject], str | None] | None = None,
) -> str:
    """Ingest and extract one unit; stage its raw articles and rejects; return the summary path.

    ``skip`` names why a record is left out before extraction (a date or domain filter), or
    returns None to keep it; left-out records are counted as skipped under that name.
    """
    settings = settings or ExtractionSettings()
    staging = Path(staging_dir)
    key = unit_key(unit)
    counts = IngestCounts()
    result = UnitResult(unit=unit)
    articles: list[dict[str, Any]] = []
    rejects: list[Reject] = []
    for batch in _batches(read_unit(unit, counts), batch_size):
        if on_page is not None:
            on_page(len(batch))
        if skip is not None:
            batch = _without_skipped(batch, skip, counts)
        pages = [item for item in batch if isinstance(item, Page)]
        rejects.extend(item for item in batch if isinstance(item, Reject))
        if executor is not None and len(pages) > 1:
            outcomes = list(executor.map(extract_one, pages, [settings] * len(pages)))
        else:
            outcomes = [extract_one(page, settings) for page in pages]
        for outcome in outcomes:
            if isinstance(outcome, Reject):
                rejects.append(outcome)
            else:
                articles.append(outcome)
        result.records += len(batch)
    result.extracted, result.rejected = len(articles), len(rejects)
    result.skipped = dict(counts.skipped)
    articles_path = staging / f"{key}.articles.parquet"
    rejects_path = staging / f"{key}.rejects.parquet"
    write_parquet_atomic(pa.Table.from_pylist(articles, RAW_ARTICLE_SCHEMA), articles_path)
    write_parquet_atomic(_rejects_table(rejects), rejects_path)
    result.articles_path, result.rejects_path = str(articles_path), str(rejects_path)
    summary_path = staging / f"{key}.json"
    temporary = summary_path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(result), indent=1), encoding="utf-8")
    temporary.replace(summary_path)
    return str(summary_path)


def store_run(staged: Sequence[str], data_dir: str | Path, run_id: str) -> dict[str, Any]:
    """Clean and deduplicate the staged units of a run and write its lake files."""
    check_run_id(run_id)
    lake = Path(data_dir) / "lake"
    units = [UnitResult(**json.loads(Path(p).read_text(encoding="utf-8"))) for p in staged]
    raw = pl.concat(
        [pl.read_parquet(u.articles_path) for u in units]
        or [pl.DataFrame(RAW_ARTICLE_SCHEMA.empty_table())],
        how="vertical",
    )
    staged_rejects = pl.concat(
        [pl.read_parquet(u.rejects_path) for u in units]
        or [pl.DataFrame(REJECT_SCHEMA.empty_table())],
        how="vertical",
    )
    articles = clean_articles(raw.sort("input_origin"))
    articles, implausible = _drop_implausible_dates(articles)
    articles, superseded = collapse_versions(articles)
    articles = assign_stories(articles.sort("article_id"))
    rejects = pl.concat(
        [
            staged_rejects,
            _as_rejects(superseded, "duplicate", "an newer version of the same article was kept"),
        ],
        how="vertical",
    ).with_columns(run_id=pl.lit(run_id))

    article_rows = articles.with_columns(
        pl.lit(run_id).alias("run_id"),
        pl.coalesce("published_at", "fetched_at").dt.date().alias(ARTICLE_PARTITION),
    )
    reject_rows = rejects.with_columns(
        pl.col("fetched_at")
        .fill_null(pl.lit(datetime.now(UTC)).cast(pl.Datetime("us", "UTC")))
        .dt.date()
        .alias(REJECT_PARTITION)
    )
    article_files = write_partitions(
        article_rows, lake / "articles", ARTICLE_PARTITION, ARTICLE_SCHEMA, run_id
    )
    reject_files = write_partitions(
        reject_rows, lake / "rejects", REJECT_PARTITION, REJECT_SCHEMA, run_id
    )
    skipped: Counter[str] = Counter()
    for unit in units:
        skipped.update(unit.skipped)
    records = sum(u.records for u in units) + sum(skipped.values())
    return {
        "run_id": run_id,
        "units": len(units),
        "records": records,
        "pages": sum(u.records for u in units),
        "articles": articles.height,
        "rejects": dict(Counter(rejects["reason"].to_list()).most_common()),
        "skipped": dict(skipped),
        "accounted": articles.height + rejects.height + sum(skipped.values()) == records,
        "implausible_dates_dropped": implausible,
        "top_sources": _top(articles["source"].to_list()),
        "top_topics": _top(articles["topics"].explode().drop_nulls().to_list()),
        "days": _top([d.isoformat() for d in article_rows[ARTICLE_PARTITION].to_list()], 10),
        "stories": articles["story_id"].n_unique() if articles.height else 0,
        "article_files": [str(p) for p in article_files],
        "reject_files": [str(p) for p in reject_files],
    }


def run_pipeline(
    inputs: Sequence[str | Path],
    data_dir: str | Path,
    run_id: str | None = None,
    workers: int = 1,
    settings: ExtractionSettings | None = None,
    on_page: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """All stages for the CLI: inputs to the lake (the warehouse is built by the caller)."""
    run_id = check_run_id(run_id or default_run_id(inputs))
    units = list_input_units(list(inputs))
    staging = staging_dir_for(data_dir, run_id)
    shutil.rmtree(staging, ignore_errors=True)
    executor = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        staged = [
            extract_unit(unit, staging, settings, executor, on_page=on_page) for unit in units
        ]
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    summary = store_run(staged, data_dir, run_id)
    shutil.rmtree(staging, ignore_errors=True)
    return summary


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


def _rejects_table(rejects: Iterable[Reject]) -> pa.Table:
    rows = [
        {
            "input_origin": r.origin,
            "url": r.url,
            "stage": r.stage,
            "reason": r.reason,
            "detail": r.detail[:1000],
            "fetched_at": r.fetched_at,
            "run_id": None,
        }
        for r in rejects
    ]
    return pa.Table.from_pylist(rows, REJECT_SCHEMA)


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


def _top(values: list[Any], n: int = 5) -> list[tuple[Any, int]]:
    return Counter(values).most_common(n)
