"""Connections to the DuckDB warehouse, for the commands that only read it.

Kept apart from the build (``etl.warehouse.build``) so that a query imports DuckDB alone,
not polars and pyarrow.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from etl.core.datadir import DataDir
from etl.core.settings import ObjectStoreSettings


def extension_path(name: str) -> Path:
    """An extension file shipped in ``duckdb-extension-<name>`` for this exact DuckDB version.

    DuckDB cannot download extensions on machines without internet, and refuses one built
    for another version, so the packages are pinned together.
    """
    import importlib

    package = Path(str(importlib.import_module(f"duckdb_extension_{name}").__file__)).parent
    path = package / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        raise RuntimeError(
            f"no {name} extension for DuckDB {duckdb.__version__} in {package}: "
            f"pin duckdb and duckdb-extension-{name} to the same version"
        )
    return path


def fts_extension_path() -> Path:
    return extension_path("fts")


def connect_object_store(con: duckdb.DuckDBPyConnection, store: ObjectStoreSettings) -> None:
    """Let ``con`` read ``s3://`` URLs of the configured store (httpfs, loaded from its package)."""
    con.load_extension(str(extension_path("httpfs")))
    endpoint = urlsplit(store.endpoint) if store.endpoint else None
    options = {
        "TYPE": "s3",
        "PROVIDER": "config",
        "KEY_ID": store.access_key,
        "SECRET": store.secret_key,
        "REGION": store.region,
    }
    if endpoint is not None:
        # An S3-compatible store on its own host: path-style URLs, TLS only if https.
        options |= {
            "ENDPOINT": endpoint.netloc or endpoint.path,
            "URL_STYLE": "path",
            "USE_SSL": "true" if endpoint.scheme == "https" else "false",
        }
    settings = ", ".join(
        f"{name} {value if value in ('true', 'false') else _quoted(value)}"
        for name, value in options.items()
    )
    con.execute(f"CREATE OR REPLACE TEMPORARY SECRET news_archive_store ({settings})")


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.load_extension(str(fts_extension_path()))


def warehouse_path(data_dir: str | Path) -> Path:
    return DataDir.at(data_dir).warehouse


def connect_read_only(data_dir: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection with the FTS extension (its stemmers) loaded, times in UTC."""
    data = DataDir.at(data_dir)
    if data.remote is not None:
        _refresh_copy(data, data.warehouse)
    path = data.warehouse
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


def _refresh_copy(data: DataDir, path: Path) -> None:
    """A remote root's published file (the warehouse) copied here when the store's is newer."""
    from pyarrow import fs as pafs

    from etl.core.objectstore import download, refused

    assert data.remote is not None
    store = data.object_store()
    key = data.object_key(path)
    with refused(f"reading {data.location(path)}"):
        info = store.get_file_info(key)
    if info.type != pafs.FileType.File:
        return
    stat = path.stat() if path.exists() else None
    if stat and stat.st_size == info.size and stat.st_mtime_ns >= int(info.mtime_ns or 0):
        return
    download(store, key, path)
