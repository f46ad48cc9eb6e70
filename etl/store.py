"""Atomic, hive-partitioned Parquet writes: readers never see half a file.

Each run writes one file per partition, named after the run (``part-<run_id>.parquet``), so
re-running a run replaces exactly its own files and leaves other runs' files alone.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

_SAFE_RUN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")


class StoreError(ValueError):
    """A value that would make an unsafe path."""


def check_run_id(run_id: str) -> str:
    if not _SAFE_RUN_ID.match(run_id) or run_id.startswith("."):
        raise StoreError(f"run id must match {_SAFE_RUN_ID.pattern}: {run_id!r}")
    return run_id


def write_parquet_atomic(table: pa.Table, target: Path) -> None:
    """Write to a hidden temporary name in the same folder, fsync, then rename into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        pq.write_table(table, temporary, compression="zstd", write_statistics=True)
        with temporary.open("rb") as fh:
            os.fsync(fh.fileno())
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def write_partitions(
    frame: pl.DataFrame,
    dataset_dir: Path,
    partition_column: str,
    schema: pa.Schema,
    run_id: str,
) -> list[Path]:
    """Write ``frame`` as one file per partition value; drop this run's files it no longer has.

    ``partition_column`` holds dates; it names the folder and is not stored in the file.
    """
    check_run_id(run_id)
    file_name = f"part-{run_id}.parquet"
    written: list[Path] = []
    if not frame.is_empty():
        for (day,), group in frame.partition_by(
            partition_column, as_dict=True, maintain_order=True
        ).items():
            folder = dataset_dir / f"{partition_column}={_partition_value(day)}"
            table = group.drop(partition_column).to_arrow().cast(schema)
            target = folder / file_name
            write_parquet_atomic(table, target)
            written.append(target)
    # Files of an earlier attempt of this run in partitions it no longer writes, and the
    # temporary files of an attempt that was killed before it could rename them.
    keep = {p.resolve() for p in written}
    if dataset_dir.exists():
        for stale in dataset_dir.glob(f"{partition_column}=*/{file_name}"):
            if stale.resolve() not in keep:
                stale.unlink(missing_ok=True)
        for leftover in dataset_dir.glob(f"{partition_column}=*/.{file_name}.*.tmp"):
            leftover.unlink(missing_ok=True)
    return written


def _partition_value(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise StoreError(f"partition value must be a date, got {value!r}")
