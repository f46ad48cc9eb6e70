"""``docs/schema.md``, the data dictionary, written from the schemas in ``etl/core/schema.py``.

The descriptions and examples live in the schema's field metadata, so the document cannot say
anything the code does not; ``tests/test_schema_doc.py`` fails when the committed file is stale
(``news-archive schema-doc`` writes it again).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from etl.core import schema

# Relative to the working directory: the data dictionary lives in a checkout's docs/.
SCHEMA_DOC = Path("docs") / "schema.md"


@dataclass(frozen=True)
class Dataset:
    name: str
    schema: pa.Schema
    partition: str
    what: str


DATASETS = [
    Dataset(
        "articles",
        schema.ARTICLE_SCHEMA,
        schema.ARTICLE_PARTITION,
        "One row per article per outlet and run; the warehouse table `articles` keeps the newest "
        "row per `article_id` (latest `fetched_at`, then `run_id`).",
    ),
    Dataset(
        "rejects",
        schema.REJECT_SCHEMA,
        schema.REJECT_PARTITION,
        "Every input that did not become an article, with the reason.",
    ),
    Dataset(
        "fetch_log",
        schema.FETCH_LOG_SCHEMA,
        schema.FETCH_LOG_PARTITION,
        "One row per source and collect run; the warehouse table `fetch_log` sums it per source "
        "and day.",
    ),
    Dataset(
        "discovered",
        schema.DISCOVERED_SCHEMA,
        schema.DISCOVERED_PARTITION,
        "Every URL a collect run took up, and what became of it.",
    ),
    Dataset(
        "story_index",
        schema.STORY_INDEX_SCHEMA,
        schema.ARTICLE_PARTITION,
        "The story index (docs/stories.md): beside each articles file, the MinHash signature of "
        "each of its rows, which later runs match their articles against. Not in the warehouse.",
    ),
    Dataset(
        "story_merges",
        schema.STORY_MERGE_SCHEMA,
        schema.STORY_MERGE_PARTITION,
        "Stories merged because a later article bridged them; the warehouse table "
        "`story_merges` adds `current_story_id`, the end of the chain.",
    ),
]

# How DuckDB reads each Arrow type (the warehouse's `articles` columns are these).
DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.list_(pa.string()): "VARCHAR[]",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.date32(): "DATE",
    pa.binary(512): "BLOB",
}


def duckdb_type(type_: pa.DataType) -> str:
    return DUCKDB_TYPES.get(type_, str(type_).upper())


def render_schema_doc() -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated from `etl/core/schema.py` by `news-archive schema-doc`; do not edit by hand.",
        "",
        "The lake is Parquet (zstd), hive-partitioned by day under `data/lake/<dataset>/`,",
        "for example `data/lake/articles/published_date=2025-10-16/part-<run_id>.parquet`.",
        "Each run writes its own file per partition and re-running it replaces exactly those.",
        "The partition column is not stored in the files: read them with hive partitioning on",
        '(`pl.scan_parquet("data/lake/articles/**/*.parquet", hive_partitioning=True)`,',
        "`read_parquet('data/lake/articles/*/*.parquet', hive_partitioning = true)` in DuckDB).",
        "Times are UTC. The DuckDB warehouse (`data/warehouse/news.duckdb`) is derived from the",
        "lake; its tables and views are described in `docs/analysts.md` and `sql/`.",
    ]
    for dataset in DATASETS:
        lines += [
            "",
            f"## {dataset.name}",
            "",
            f"`data/lake/{dataset.name}/{dataset.partition}=YYYY-MM-DD/`. {dataset.what}",
            "",
            "| column | Parquet type | DuckDB type | meaning | example |",
            "| --- | --- | --- | --- | --- |",
        ]
        for field in dataset.schema:
            metadata = field.metadata or {}
            lines.append(
                _row(
                    field.name,
                    str(field.type),
                    duckdb_type(field.type),
                    metadata.get(b"description", b"").decode(),
                    metadata.get(b"example", b"").decode(),
                )
            )
        lines.append(
            _row(
                dataset.partition,
                "date32 (in the path)",
                "DATE",
                "Hive partition: the day the row is filed under (UTC).",
                "2025-10-16",
            )
        )
    return "\n".join(lines) + "\n"


def _row(*cells: str) -> str:
    escaped = [c.replace("|", "\\|").replace("\n", " ") for c in cells]
    name, type_, duck, meaning, example = escaped
    example = f"`{example}`" if example else ""
    return f"| `{name}` | {type_} | {duck} | {meaning} | {example} |"


def main() -> int:
    SCHEMA_DOC.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_DOC.write_text(render_schema_doc(), encoding="utf-8")
    print(SCHEMA_DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main())
