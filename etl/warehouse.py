"""The DuckDB warehouse: derived from the Parquet lake by the SQL files in ``sql/``.

The build writes a new database file next to the old one and renames it into place, so a
reader (or a crash) never meets a half-built warehouse, and the lake stays the source of truth.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb
import pyarrow as pa

from etl.schema import ARTICLE_PARTITION, ARTICLE_SCHEMA, REJECT_PARTITION, REJECT_SCHEMA

SQL_DIR = Path(
    os.environ.get("NEWS_ARCHIVE_SQL_DIR") or Path(__file__).resolve().parent.parent / "sql"
)


def fts_extension_path() -> Path:
    """The FTS extension file shipped in ``duckdb-extension-fts`` for this exact DuckDB version.

    DuckDB cannot download extensions on machines without internet, and refuses one built
    for another version, so the two packages are pinned together.
    """
    import duckdb_extension_fts

    package = Path(duckdb_extension_fts.__file__).parent
    path = package / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.exists():
        raise RuntimeError(
            f"no FTS extension for DuckDB {duckdb.__version__} in {package}: "
            "pin duckdb and duckdb-extension-fts to the same version"
        )
    return path


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.load_extension(str(fts_extension_path()))


def sql_files() -> list[Path]:
    """The build scripts, run in the order of their number prefix."""
    return sorted(SQL_DIR.glob("[0-9][0-9][0-9]_*.sql"))


def warehouse_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / "warehouse" / "news.duckdb"


def build_warehouse(data_dir: str | Path) -> str:
    """(Re)build ``warehouse/news.duckdb`` from ``lake/``; return its path."""
    data_dir = Path(data_dir)
    target = warehouse_path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        with duckdb.connect(str(temporary)) as con:
            load_fts(con)
            _register_lake(
                con,
                data_dir / "lake" / "articles",
                ARTICLE_SCHEMA,
                ARTICLE_PARTITION,
                "lake_articles",
            )
            _register_lake(
                con, data_dir / "lake" / "rejects", REJECT_SCHEMA, REJECT_PARTITION, "lake_rejects"
            )
            for script in sql_files():
                con.execute(script.read_text(encoding="utf-8"))
            for view in ("lake_articles", "lake_rejects"):
                con.execute(f"DROP VIEW IF EXISTS {view}")  # fixed names, not input
            con.execute("CHECKPOINT")
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    return str(target)


def _register_lake(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    schema: pa.Schema,
    partition: str,
    name: str,
) -> None:
    """A temporary view of a hive-partitioned dataset, or an empty one with the same columns."""
    files = sorted(str(p) for p in folder.glob(f"{partition}=*/*.parquet"))
    if files:
        relation = con.read_parquet(files, hive_partitioning=True, union_by_name=True)
    else:
        empty = schema.empty_table().append_column(partition, pa.array([], pa.date32()))
        relation = con.from_arrow(empty)
    relation.create_view(name, replace=True)


def connect_read_only(data_dir: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection with full-text search loaded, for queries and search."""
    path = warehouse_path(data_dir)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `news-archive warehouse` first")
    con = duckdb.connect(str(path), read_only=True)
    load_fts(con)
    return con
