"""The DuckDB warehouse: derived from the Parquet lake by the SQL files in ``sql/``.

Every build or update writes a new database file next to the old one and renames it into
place, so a reader (or a crash) never meets a half-written warehouse, and readers holding the
old file open are never locked out. A full build starts from an empty file; an incremental
update starts from a copy of the current one and merges only the lake files that are new,
rewritten or gone since (``lake_files`` in the database remembers path, size and mtime of
each). The same SQL does both: a full build is a merge with every file new.

Before each script the loader provides the lake as temporary views: ``lake_articles_new``
(rows of the new or rewritten article files, with ``lake_file``), ``lake_articles_reload``
(the files named in the temporary table ``loader_reload``), ``lake_rejects``,
``lake_fetch_log``, ``lake_discovered`` and ``lake_story_merges`` (whole), the tables
``loader_new_files`` and ``loader_gone_files``, and the empty view ``loader_article_columns``
that gives ``articles`` its columns.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from etl.core.datadir import LAKE_TABLES, DataDir
from etl.core.lock import WRITER_WAIT_SECONDS, data_dir_lock
from etl.core.resources import package_file, rules_file
from etl.core.schema import (
    ARTICLE_PARTITION,
    ARTICLE_SCHEMA,
    DISCOVERED_PARTITION,
    DISCOVERED_SCHEMA,
    FETCH_LOG_PARTITION,
    FETCH_LOG_SCHEMA,
    REJECT_PARTITION,
    REJECT_SCHEMA,
    STORY_MERGE_PARTITION,
    STORY_MERGE_SCHEMA,
)
from etl.core.settings import ObjectStoreSettings
from etl.transform.topics import TOPIC_TABLE
from etl.warehouse.connect import connect_object_store, load_fts

BUILD_SCRIPT = re.compile(r"^[0-9]{3}_\w+\.sql$")
# The lake tables the warehouse loads (the story index is the store's alone).
WAREHOUSE_TABLES = ("articles", "rejects", "fetch_log", "discovered", "story_merges")
# A build waits this long for another writer of the data dir (a run, a collect, an update).
WRITER_LOCK_TIMEOUT = WRITER_WAIT_SECONDS
# Rows a row group of the warehouse file (DuckDB default: 122,880); see _connect_for_writing.
ROW_GROUP_SIZE = 8192


def sql_files() -> list[Traversable]:
    """The build scripts (``etl/sql/NNN_*.sql``), run in the order of their number prefix."""
    scripts = package_file("sql").iterdir()
    return sorted((s for s in scripts if BUILD_SCRIPT.match(s.name)), key=lambda s: s.name)


@dataclass(frozen=True)
class LakeFile:
    dataset: str
    lake_file: str  # path below lake/, the key stored in the warehouse
    path: str  # absolute, for reading
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class LoadSummary:
    path: str
    mode: str  # full, incremental or unchanged
    files_added: int
    files_removed: int
    articles_changed: int

    def __str__(self) -> str:
        if self.mode == "unchanged":
            return f"{self.path} (up to date)"
        return (
            f"{self.path} ({self.mode}: {self.files_added} lake files added or rewritten, "
            f"{self.files_removed} removed or rewritten, {self.articles_changed} articles changed)"
        )


def build_warehouse(data_dir: str | Path, rebuild: bool = False) -> str:
    """Bring ``warehouse/news.duckdb`` up to date with the lake; return its path.

    Incremental unless ``rebuild``; either way the result is the one a full build gives.
    """
    return update_warehouse(data_dir, rebuild=rebuild).path


def update_warehouse(data_dir: str | Path, rebuild: bool = False) -> LoadSummary:
    """Bring the warehouse up to date with the lake, merging only what changed.

    Falls back to a full build when there is no warehouse yet, when asked to, or when the SQL
    files or the schema changed since the file was built (its tables would no longer match).
    """
    data = DataDir.at(data_dir)
    target = data.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    # One writer at a time (the CLI and Airflow may both update); the second waits its turn.
    # On a remote root the DuckDB file is built in the working copy and published; the lake
    # is read in place.
    with data_dir_lock(data, timeout=WRITER_LOCK_TIMEOUT, sync=("warehouse",)):
        lake = list_lake(data)
        fingerprint = build_fingerprint()
        previous = _previous_load(target)
        full = rebuild or previous is None or previous[0] != fingerprint
        loaded = {} if full or previous is None else previous[1]
        current = {(f.dataset, f.lake_file): (f.size, f.mtime_ns) for f in lake}
        if not full and loaded == current:
            return LoadSummary(data.location(target), "unchanged", 0, 0, 0)
        articles_before = {k[1]: v for k, v in loaded.items() if k[0] == "articles"}
        new = [
            f
            for f in lake
            if f.dataset == "articles" and articles_before.get(f.lake_file) != (f.size, f.mtime_ns)
        ]
        gone = [
            name
            for name, stamp in articles_before.items()
            if current.get(("articles", name)) != stamp
        ]
        temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
        try:
            if not full:
                shutil.copyfile(target, temporary)
                if Path(f"{target}.wal").exists():
                    shutil.copyfile(f"{target}.wal", f"{temporary}.wal")
            with _connect_for_writing(temporary, data) as con:
                changed = _load(con, lake, new, gone)
                con.execute(
                    "INSERT INTO warehouse_loads VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        datetime.now(UTC),
                        "full" if full else "incremental",
                        fingerprint,
                        len(new),
                        len(gone),
                        changed,
                    ],
                )
                con.execute("CHECKPOINT")
            with temporary.open("rb") as fh:
                os.fsync(fh.fileno())
            temporary.replace(target)
            Path(f"{target}.wal").unlink(missing_ok=True)
        finally:
            temporary.unlink(missing_ok=True)
            Path(f"{temporary}.wal").unlink(missing_ok=True)
    return LoadSummary(
        data.location(target), "full" if full else "incremental", len(new), len(gone), changed
    )


def _connect_for_writing(path: Path, data: DataDir | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse file opened for a build, with its small row groups.

    DuckDB skips a row group only when its min/max rule it out; a search fetches a few
    scattered documents by id, and with the default 122,880 rows a group almost every group
    holds one of them. With 8,192 rows a group, ``search_articles`` reads a small fraction
    of ``search_docs``; the aggregate queries are not slower.

    The extensions it loads (FTS, and httpfs for a remote root) are files of this
    environment's own packages, pinned with DuckDB and loaded by path, and it runs only the
    build's SQL: DuckDB's check of their signatures (70-80 ms of CPU for the 11 MB FTS
    library, at every build) guards nothing the code that loads them does not already
    trust. The read-only connections that run users' queries keep the check.
    """
    con = duckdb.connect(config={"allow_unsigned_extensions": True})
    if data is not None and data.remote is not None:
        connect_object_store(con, ObjectStoreSettings.from_env())
    con.execute(f"ATTACH '{_sql_string(path)}' AS warehouse (ROW_GROUP_SIZE {ROW_GROUP_SIZE})")
    con.execute("USE warehouse")
    return con


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


def list_lake(data_dir: str | Path | DataDir) -> list[LakeFile]:
    """The Parquet files of the lake's datasets (hidden temporary files are not ``*.parquet``):
    a folder's, or a remote root's objects (their URLs, sizes and times)."""
    data = DataDir.at(data_dir)
    if data.remote is not None:
        return _list_object_lake(data)
    files = []
    for dataset in WAREHOUSE_TABLES:
        for path in data.table_files(dataset):
            stat = path.stat()
            files.append(
                LakeFile(
                    dataset,
                    path.relative_to(data.lake).as_posix(),
                    str(path.resolve()),
                    stat.st_size,
                    stat.st_mtime_ns,
                )
            )
    return files


def _list_object_lake(data: DataDir) -> list[LakeFile]:
    from pyarrow import fs as pafs

    from etl.core.objectstore import refused

    assert data.remote is not None
    store, files = data.object_store(), []
    for dataset in WAREHOUSE_TABLES:
        table = data.location(data.table(dataset))
        selector = pafs.FileSelector(
            data.object_key(data.table(dataset)), recursive=True, allow_not_found=True
        )
        with refused(f"listing {table}/"):
            listing = store.get_file_info(selector)
        for info in listing:
            relative = data.remote.relative(info.path)
            # lake/<table>/<column>=<day>/<name>.parquet, as partition_files finds on a disk
            parts = relative.split("/")
            if (
                info.type != pafs.FileType.File
                or len(parts) != 4
                or not parts[2].startswith(f"{LAKE_TABLES[dataset]}=")
                or not parts[3].endswith(".parquet")
                or parts[3].startswith(".")
            ):
                continue
            files.append(
                LakeFile(
                    dataset,
                    relative.removeprefix("lake/"),
                    data.remote.url(relative),
                    int(info.size or 0),
                    int(info.mtime_ns or 0),
                )
            )
    return sorted(files, key=lambda f: (f.dataset, f.lake_file))


def build_fingerprint() -> str:
    """Changes whenever the SQL or the schemas do: an older warehouse is then rebuilt whole."""
    digest = hashlib.sha256(f"{duckdb.__version__} {ROW_GROUP_SIZE}".encode())
    for script in sql_files():
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    digest.update(rules_file(TOPIC_TABLE).read_bytes())  # a new taxonomy maps every topic again
    for schema in (
        ARTICLE_SCHEMA,
        REJECT_SCHEMA,
        FETCH_LOG_SCHEMA,
        DISCOVERED_SCHEMA,
        STORY_MERGE_SCHEMA,
    ):
        digest.update(schema.to_string(show_field_metadata=False).encode())
    return digest.hexdigest()[:16]


def _previous_load(target: Path) -> tuple[str, dict[tuple[str, str], tuple[int, int]]] | None:
    """The fingerprint and the lake files of the current warehouse, or None to build anew."""
    if not target.exists():
        return None
    try:
        with duckdb.connect(str(target), read_only=True) as con:
            row = con.execute(
                "SELECT fingerprint FROM warehouse_loads ORDER BY loaded_at DESC LIMIT 1"
            ).fetchone()
            files = con.execute("SELECT dataset, lake_file, size, mtime_ns FROM lake_files")
            loaded = {(d, f): (s, m) for d, f, s, m in files.fetchall()}
    except duckdb.Error:
        return None  # not a warehouse this code wrote: build it anew
    return (str(row[0]), loaded) if row else None


def _load(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[LakeFile],
    new: Sequence[LakeFile],
    gone: Sequence[str],
) -> int:
    """Run every script with the lake views in place; return the number of articles changed."""
    load_fts(con)
    con.execute("SET TimeZone = 'UTC'")
    articles = [f for f in files if f.dataset == "articles"]
    keep: list[Any] = []  # Arrow tables behind registered views must outlive the load
    keep.append(
        _register_table(
            con,
            "loader_files",
            {
                "filename": [f.path for f in articles],
                "lake_file": [f.lake_file for f in articles],
            },
        )
    )
    keep.append(_register_table(con, "loader_new_files", {"lake_file": [f.lake_file for f in new]}))
    keep.append(_register_table(con, "loader_gone_files", {"lake_file": list(gone)}))
    keep.append(_register_dataset(con, "loader_article_columns", [], _article_columns()))
    keep.append(_register_articles(con, "lake_articles_new", [f.path for f in new]))
    keep.append(_register_topic_map(con))
    for table, dataset, schema, partition in (
        ("lake_rejects", "rejects", REJECT_SCHEMA, REJECT_PARTITION),
        ("lake_fetch_log", "fetch_log", FETCH_LOG_SCHEMA, FETCH_LOG_PARTITION),
        ("lake_discovered", "discovered", DISCOVERED_SCHEMA, DISCOVERED_PARTITION),
        ("lake_story_merges", "story_merges", STORY_MERGE_SCHEMA, STORY_MERGE_PARTITION),
    ):
        paths = [f.path for f in files if f.dataset == dataset]
        partitioned = schema.append(pa.field(partition, pa.date32()))
        keep.append(_register_dataset(con, table, paths, partitioned))
    by_name = {f.lake_file: f.path for f in articles}
    reload: list[str] | None = None
    stale = True  # loader_reload may have changed since lake_articles_reload was registered
    for script in sql_files():
        if stale:
            wanted = _reload_files(con, by_name)
            if wanted != reload:
                keep.append(_register_articles(con, "lake_articles_reload", wanted))
                reload = wanted
        sql = script.read_text(encoding="utf-8")
        con.execute(sql)
        # Only a script that names loader_reload can change it: asking the catalog before
        # each of the others cost two queries a script.
        stale = "loader_reload" in sql
    con.execute("DELETE FROM lake_files")
    keep.append(
        _register_table(
            con,
            "loader_lake_files",
            {
                "dataset": [f.dataset for f in files],
                "lake_file": [f.lake_file for f in files],
                "size": pa.array([f.size for f in files], pa.int64()),
                "mtime_ns": pa.array([f.mtime_ns for f in files], pa.int64()),
            },
        )
    )
    con.execute(
        "INSERT INTO lake_files "
        "SELECT dataset, lake_file, size, mtime_ns, ? FROM loader_lake_files",
        [datetime.now(UTC)],
    )
    row = con.execute("SELECT count(*) FROM loader_changed").fetchone()
    return int(row[0]) if row else 0


def _register_topic_map(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Categories of the topics in the new files, as ``loader_topic_map`` (topic, category).

    The taxonomy is etl/transform/topics.py's (the table behind the articles' ``topic_categories``),
    applied to each topic alone; a topic's first category is its category.
    """
    from etl.transform.topics import topic_categories_frame

    found = con.execute(
        "SELECT DISTINCT topic FROM (SELECT unnest(topics) AS topic FROM lake_articles_new) "
        "WHERE topic IS NOT NULL ORDER BY topic"
    ).fetchall()
    topics = [t for (t,) in found]
    categories = topic_categories_frame(pl.Series([[t] for t in topics], dtype=pl.List(pl.String)))
    return _register_table(
        con,
        "loader_topic_map",
        {"topic": topics, "category": [c[0] if len(c) else None for c in categories]},
    )


def _reload_files(con: duckdb.DuckDBPyConnection, by_name: dict[str, str]) -> list[str]:
    """The files ``loader_reload`` needs read, once the merge script has made it."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'loader_reload'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    names = con.execute("SELECT DISTINCT lake_file FROM loader_reload ORDER BY 1").fetchall()
    return [by_name[name] for (name,) in names]


def _register_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, Any]) -> pa.Table:
    table = pa.table(
        {k: v if isinstance(v, pa.Array) else pa.array(v, pa.string()) for k, v in columns.items()}
    )
    con.register(name, table)
    return table


def _register_articles(con: duckdb.DuckDBPyConnection, name: str, paths: list[str]) -> object:
    """Article rows of ``paths`` with the ``lake_file`` each came from, as view ``name``."""
    if paths:
        relation = con.read_parquet(
            paths, hive_partitioning=True, union_by_name=True, filename=True
        )
        keep: object = relation
    else:
        keep = _article_columns().append(pa.field("filename", pa.string())).empty_table()
        relation = con.from_arrow(keep)
    # The lake_file is the path below lake/ that lake_files and article_versions keep.
    with_origin = relation.join(con.table("loader_files"), "filename")
    con.register(name, with_origin.project("* EXCLUDE (filename)"))
    return keep


def _article_columns() -> pa.Schema:
    """The columns of ``articles``: the schema's, then the partition key from the path."""
    return ARTICLE_SCHEMA.append(pa.field(ARTICLE_PARTITION, pa.date32()))


def _register_dataset(
    con: duckdb.DuckDBPyConnection, name: str, paths: list[str], empty_schema: pa.Schema
) -> object:
    """A whole hive-partitioned dataset as view ``name``, or an empty one of its columns."""
    if paths:
        relation = con.read_parquet(paths, hive_partitioning=True, union_by_name=True)
        keep: object = relation
    else:
        keep = empty_schema.empty_table()
        relation = con.from_arrow(keep)
    con.register(name, relation)
    return keep
