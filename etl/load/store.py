"""A run's staged units deduplicated, linked to stories and written into the lake."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.core.datadir import DataDir, check_run_id
from etl.core.lock import WRITER_WAIT_SECONDS, data_dir_lock
from etl.core.results import RunSummary
from etl.core.schema import (
    ARTICLE_PARTITION,
    ARTICLE_SCHEMA,
    REJECT_PARTITION,
    REJECT_SCHEMA,
)
from etl.core.settings import Settings
from etl.core.staging import (
    STAGED_KEY_COLUMNS,
    TIMED_STEPS,
    StageClock,
    UnitResult,
    fetch_unit,
    read_parquet_file,
    read_unit_summary,
    release_memory,
    staged_article_schema,
)
from etl.load.dedup import collapse_versions, signature_matrix
from etl.load.parquet import PartitionedWriter
from etl.load.stories import finish_merges, match_stories, write_index

# What a store reads and writes besides the staged units: the lake, and the state folder's
# pending story merges (``DataDir.pending_merges``).
STORE_SYNC = ("lake", "state")


def store_run(
    staged: Sequence[str],
    data_dir: str | Path | DataDir,
    run_id: str,
    story_window: timedelta | None = None,
) -> RunSummary:
    """Deduplicate the staged units of a run and write its lake files, in bounded memory.

    One pass over the staged keys and signatures (no texts) decides which rows win and which
    story each joins, against the whole archive's story index (``etl.load.stories``); a second
    pass streams the winning rows into the lake partitions. The data directory's lock is held
    throughout, so stores of concurrent runs happen one after the other.
    """
    check_run_id(run_id)
    window = story_window if story_window is not None else Settings.from_env().story_window
    data = DataDir.at(data_dir)
    local = [fetch_unit(data, location) for location in staged]
    # On a remote root the lock pulls the lake and state first and publishes them after.
    with data_dir_lock(data, timeout=WRITER_WAIT_SECONDS, sync=STORE_SYNC):
        finish_merges(data)
        summary = _store_run_locked(local, data, run_id, window)
    summary.article_files = [data.location(Path(p)) for p in summary.article_files]
    summary.reject_files = [data.location(Path(p)) for p in summary.reject_files]
    return summary


def _store_run_locked(
    staged: Sequence[str], data: DataDir, run_id: str, window: timedelta
) -> RunSummary:
    clock = StageClock()
    units = [read_unit_summary(Path(p)) for p in staged]
    with clock.stage("dedup"):
        keys, signatures = _article_keys(units)
        kept, superseded = collapse_versions(keys.sort("input_origin", maintain_order=True))
        kept = kept.sort("article_id", maintain_order=True)
        kept_signatures = signatures[kept["_signature"].to_numpy()]
        stories, relabelled = match_stories(data, run_id, kept, kept_signatures, window)
        winners = kept.select(
            "_unit", "_row", story_id=pl.Series(stories.story_ids, dtype=pl.String)
        )
    stats = _LakeStats()
    with clock.stage("store"):
        with PartitionedWriter(
            data.articles, ARTICLE_PARTITION, ARTICLE_SCHEMA, run_id
        ) as articles_out:
            for frame in _winning_rows(units, winners):
                rows = frame.with_columns(
                    pl.lit(run_id).alias("run_id"),
                    pl.coalesce("published_at", "fetched_at").dt.date().alias(ARTICLE_PARTITION),
                ).select([*ARTICLE_SCHEMA.names, ARTICLE_PARTITION])
                articles_out.write(rows)
                stats.add_articles(rows)
        with PartitionedWriter(
            data.rejects, REJECT_PARTITION, REJECT_SCHEMA, run_id
        ) as rejects_out:
            duplicates = _as_rejects(
                superseded, "duplicate", "an newer version of the same article was kept"
            )
            for frame in [*_staged_rejects(units), duplicates]:
                rows = _reject_rows(frame, run_id)
                rejects_out.write(rows)
                stats.add_rejects(rows)
        # Last: an articles file without its index file gets one from its texts when read.
        write_index(data, run_id, kept, kept_signatures)
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
    return RunSummary(
        run_id=run_id,
        units=len(units),
        records=records,
        pages=sum(u.records for u in units),
        articles=stats.articles,
        rejects=dict(stats.rejects.most_common()),
        skipped=dict(skipped),
        unread_bytes=unread,
        accounted=stats.articles + rejected + sum(skipped.values()) == records and not unread,
        implausible_dates_dropped=sum(u.implausible_dates for u in units),
        top_sources=stats.sources.most_common(5),
        top_topics=stats.topics.most_common(5),
        days=[(d.isoformat(), n) for d, n in stats.days.most_common(10)],
        stories=winners["story_id"].n_unique() if winners.height else 0,
        stories_continued=stories.continued,
        stories_merged=len(stories.merges),
        lake_files_relabelled=len(relabelled),
        cached_pages=sum(u.cached_pages for u in units),
        stage_seconds={name: round(seconds[name], 3) for name in TIMED_STEPS},
        article_files=[str(p) for p in articles_out.written],
        reject_files=[str(p) for p in rejects_out.written],
    )


def _article_keys(units: Sequence[UnitResult]) -> tuple[pl.DataFrame, np.ndarray[Any, Any]]:
    """What dedup needs of every staged article: keys and times, numbered by unit and row,
    and the signatures as one matrix (row ``_signature``), read from Arrow's buffers without
    a Python object per article.
    """
    frames: list[pl.DataFrame] = []
    matrices: list[np.ndarray[Any, Any]] = []
    offset = 0
    for i, unit in enumerate(units):
        table = read_parquet_file(unit.articles_path, [*STAGED_KEY_COLUMNS, "signature"])
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
        empty = pl.DataFrame(staged_article_schema().empty_table()).select(STAGED_KEY_COLUMNS)
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
