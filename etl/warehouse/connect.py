"""Connections to the DuckDB warehouse, for the commands that only read it.

Kept apart from the build (``etl.warehouse.build``) so that a query imports DuckDB alone,
not polars and pyarrow.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.core.datadir import DataDir


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


def warehouse_path(data_dir: str | Path) -> Path:
    return DataDir.at(data_dir).warehouse


def connect_read_only(data_dir: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection with the FTS extension (its stemmers) loaded, times in UTC."""
    path = warehouse_path(data_dir)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `news-archive warehouse` first")
    con = duckdb.connect(str(path), read_only=True)
    load_fts(con)
    con.execute("SET TimeZone = 'UTC'")
    # Read-only guards the database file; the queries typed into `news-archive sql` must not
    # read or write other files either (COPY ... TO, read_csv('/etc/...')). The setting can
    # only be switched off, and the lock keeps a query from switching anything back.
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con
