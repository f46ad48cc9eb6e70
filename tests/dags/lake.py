"""What a DAG run left in a data directory, read without the code that wrote it."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def parquet_rows(path: Path) -> int:
    import pyarrow.dataset as ds

    if not path.exists():
        return 0
    return ds.dataset(path, format="parquet", partitioning="hive").count_rows()


def article_rows(data_dir: Path) -> list[dict[str, Any]]:
    import pyarrow.dataset as ds

    folder = data_dir / "lake" / "articles"
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


def sources_in_lake(data_dir: Path) -> set[str]:
    return {row["source"] for row in article_rows(data_dir)}


def lake_snapshot(data_dir: Path) -> dict[str, Any]:
    """Article files and rows: equal snapshots mean a re-run replaced exactly what it wrote."""
    articles = data_dir / "lake" / "articles"
    rows = article_rows(data_dir) if articles.exists() else []
    return {
        "articles": len(rows),
        "files": sorted(str(p.relative_to(data_dir)) for p in articles.rglob("*.parquet")),
        "keys": sorted((r["article_id"], r["run_id"], str(r["published_date"])) for r in rows),
    }


def warehouse_count(data_dir: Path, table: str) -> int:
    import duckdb

    assert table.isidentifier()
    path = data_dir / "warehouse" / "news.duckdb"
    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 (fixed names)
    assert row is not None
    return int(row[0])


def articles_event_extra(run_id: str) -> dict[str, Any] | None:
    """The extra of the newest ``news_archive_articles`` event a run emitted."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return session.scalars(
            select(AssetEvent.extra)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.name == "news_archive_articles", AssetEvent.source_run_id == run_id)
            .order_by(AssetEvent.timestamp.desc())
        ).first()
