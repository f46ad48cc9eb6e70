"""The implausible-date rule: a time after the fetch (beyond clock skew) or before 1990.

Such a time is a misread: a copyright year, an event date, a template default. Cleaning
(``etl.transform.clean``) drops publication and modification times that break it and says
why in ``date_flags``; the extraction stage (``etl.extract.unit``) applies the same rule to
publication times again when it stages rows, cached rows included, because a cached row
takes the fetch time of the record that reuses it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
# A page may be fetched a little before the clock of its publisher says it appeared.
CLOCK_SKEW = "1d"


def after_fetch(time: pl.Expr, fetched_at: pl.Expr | None = None) -> pl.Expr:
    """``time`` is later than the fetch plus ``CLOCK_SKEW`` (null where either is null)."""
    fetched = pl.col("fetched_at") if fetched_at is None else fetched_at
    return time > fetched.dt.offset_by(CLOCK_SKEW)


def before_earliest(time: pl.Expr) -> pl.Expr:
    """``time`` is before ``EARLIEST_PLAUSIBLE`` (null where ``time`` is null)."""
    return time < pl.lit(EARLIEST_PLAUSIBLE)


def implausible(time: pl.Expr, fetched_at: pl.Expr | None = None) -> pl.Expr:
    """``after_fetch`` or ``before_earliest``; false where it cannot be told."""
    return (after_fetch(time, fetched_at) | before_earliest(time)).fill_null(False)


def drop_implausible_publication(articles: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Clear implausible ``published_at`` (and its offset) in article rows; how many."""
    bad = implausible(pl.col("published_at"))
    count = int(articles.select(bad.sum()).item())
    cleared = articles.with_columns(
        pl.when(bad).then(None).otherwise(pl.col("published_at")).alias("published_at"),
        pl.when(bad)
        .then(None)
        .otherwise(pl.col("published_offset_minutes"))
        .alias("published_offset_minutes"),
    )
    return cleared, count
