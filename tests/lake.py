"""Lake files of the tests' own making: article rows written the way a run writes them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds

from etl.core.schema import ARTICLE_PARTITION, ARTICLE_SCHEMA
from etl.load.parquet import write_partitions


def article(
    key: str,
    *,
    source: str = "rheinland-kurier.de",
    title: str = "Stadt plant neue Radwege",
    text: str = "Die Stadt plant neue Radwege.",
    language: str = "de",
    published: str = "2025-10-16T08:00:00",
    fetched: str = "2025-10-16T09:00:00",
    story: str | None = None,
    topics: list[str] | None = None,
    agencies: list[str] | None = None,
) -> dict[str, Any]:
    """One article row; ``key`` names the article (the same key is the same article_id)."""
    article_id = hashlib.blake2b(f"{source}/{key}".encode(), digest_size=16).hexdigest()
    published_at = datetime.fromisoformat(published).replace(tzinfo=UTC)
    return {
        "article_id": article_id,
        "story_id": story or article_id,
        "url": f"https://www.{source}/{key}.html",
        "canonical_url": f"https://www.{source}/{key}.html",
        "source": source,
        "site_name": source.split(".")[0].replace("-", " ").title(),
        "title": title,
        "description": "",
        "text": text,
        "authors": [],
        "agencies": agencies or [],
        "topics": topics or [],
        "published_at": published_at,
        "published_offset_minutes": 120,
        "modified_at": None,
        "fetched_at": datetime.fromisoformat(fetched).replace(tzinfo=UTC),
        "language": language,
        "image_url": None,
        "word_count": len(text.split()),
        "content_hash": hashlib.blake2b(text.encode(), digest_size=8).hexdigest(),
        "input_origin": f"test#{key}",
        "run_id": None,
    }


def write_run(data_dir: Path, run_id: str, rows: list[dict[str, Any]]) -> list[Path]:
    """Write ``rows`` as run ``run_id`` writes them: one file per publication day."""
    table = pa.Table.from_pylist([{**row, "run_id": run_id} for row in rows], ARTICLE_SCHEMA)
    frame = pl.DataFrame(pl.from_arrow(table)).with_columns(
        pl.col("published_at").dt.date().alias(ARTICLE_PARTITION)
    )
    return write_partitions(
        frame, data_dir / "lake" / "articles", ARTICLE_PARTITION, ARTICLE_SCHEMA, run_id
    )


def lake_rows(data_dir: Path) -> list[dict[str, Any]]:
    """Every row of the lake's article files, read with pyarrow alone."""
    folder = data_dir / "lake" / "articles"
    if not folder.exists():
        return []
    dataset = ds.dataset(folder, format="parquet", partitioning="hive")
    return dataset.to_table().to_pylist()


def newest_rows(data_dir: Path) -> dict[str, dict[str, Any]]:
    """The newest version of every article in the lake: what ``articles`` must hold."""
    newest: dict[str, dict[str, Any]] = {}
    for row in lake_rows(data_dir):
        held = newest.get(row["article_id"])
        if held is None or (row["fetched_at"], row["run_id"]) > (
            held["fetched_at"],
            held["run_id"],
        ):
            newest[row["article_id"]] = row
    return newest


def corpus() -> list[dict[str, Any]]:
    """Three outlets, three languages, one wire story run by three of them."""
    summit = "Budapest-Gipfel"
    return [
        article(
            "gipfel",
            title="Trump kündigt Treffen mit Putin in Budapest an",
            text="Das Treffen in Budapest soll bald stattfinden. Budapest bereitet sich vor.",
            story=summit,
            topics=["Politik", "USA"],
            agencies=["dpa"],
        ),
        article(
            "gipfel",
            source="nordsee-bote.de",
            title="Treffen in Budapest geplant",
            text="Trump und Putin wollen sich in Budapest treffen.",
            story=summit,
            topics=["Politik"],
            agencies=["dpa"],
        ),
        article(
            "sommet",
            source="gazette-du-lac.fr",
            language="fr",
            title="Le sommet de Budapest",
            text="Trump et Putin se retrouvent à Budapest.",
            story=summit,
            topics=["Monde"],
            agencies=["AFP"],
        ),
        article(
            "verkehr",
            title="Verkehrsminister stellt Pläne vor",
            text="Die Pläne des Verkehrsministers betreffen den Verkehr der Region.",
            topics=["Verkehr"],
        ),
        article(
            "marathon",
            source="harbour-times.co.uk",
            language="en",
            title="Runners take over the city",
            text="Thousands of runners were running through the old town on Sunday.",
            published="2025-10-17T07:00:00",
            fetched="2025-10-17T08:00:00",
            topics=["Sport"],
            agencies=["Reuters"],
        ),
        article(
            "fuel",
            source="harbour-times.co.uk",
            language="en",
            title="Fuel prices rise again",
            text="Fuel prices rose for the third week, drivers said.",
            published="2025-10-17T09:00:00",
            fetched="2025-10-17T10:00:00",
            topics=["Economy", "Politik"],
        ),
    ]


def updated_verkehr() -> dict[str, Any]:
    """A later, changed version of the corpus's "verkehr" article."""
    return article(
        "verkehr",
        title="Verkehrsminister tritt zurück",
        text="Der Verkehrsminister ist neu im Amt.",
        fetched="2025-10-17T12:00:00",
        topics=["Verkehr"],
    )
