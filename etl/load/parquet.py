"""Atomic, hive-partitioned Parquet writes: readers never see half a file.

Each run writes one file per partition, named after the run (``part-<run_id>.parquet``), so
re-running a run replaces exactly its own files and leaves other runs' files alone.
"""

from __future__ import annotations

import filecmp
import os
import uuid
from collections import OrderedDict
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.core.datadir import DataDir, UnsafeName, partition_files, partition_name


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


class ParquetAppender:
    """One Parquet file written batch by batch, renamed into place when complete.

    Batches are buffered up to ``row_group_rows`` rows and written as one row group each, so
    memory stays bounded however many rows pass through.
    """

    def __init__(self, target: Path, schema: pa.Schema, row_group_rows: int = 2_000) -> None:
        self.target = target
        self.schema = schema
        self.row_group_rows = row_group_rows
        self.rows = 0
        target.parent.mkdir(parents=True, exist_ok=True)
        self._temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
        self._writer = pq.ParquetWriter(
            self._temporary, schema, compression="zstd", write_statistics=True
        )
        self._pending: list[pa.Table] = []
        self._pending_rows = 0

    def __enter__(self) -> ParquetAppender:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self._writer.close()
            self._temporary.unlink(missing_ok=True)

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self._pending.append(table.select(self.schema.names).cast(self.schema))
        self._pending_rows += table.num_rows
        self.rows += table.num_rows
        if self._pending_rows >= self.row_group_rows:
            self._flush()

    def close(self) -> None:
        self._flush()
        self._writer.close()
        with self._temporary.open("rb") as fh:
            os.fsync(fh.fileno())
        self._temporary.replace(self.target)

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(pa.concat_tables(self._pending))
        self._pending, self._pending_rows = [], 0


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
    with PartitionedWriter(dataset_dir, partition_column, schema, run_id) as writer:
        writer.write(frame)
    return writer.written


class PartitionedWriter:
    """Append frames to one Parquet file per partition value of a run, in bounded memory.

    Rows are buffered per partition and written as row groups of ``row_group_rows`` (or when
    all buffers together pass ``buffer_bytes``), to hidden temporary files; ``close`` renames
    every file into place at the end, so readers see all of a run's files or none of the new
    ones, and removes this run's files in partitions it no longer writes. Leaving the ``with``
    block on an exception removes the temporary files and keeps the old ones.

    A file whose new content is byte for byte the old one is left as it was, so re-running an
    unchanged run changes nothing that the warehouse's incremental load would have to reload.
    """

    def __init__(
        self,
        dataset_dir: Path,
        partition_column: str,
        schema: pa.Schema,
        run_id: str,
        row_group_rows: int = 20_000,
        buffer_bytes: int = 64 * 1024 * 1024,
        max_open: int = 128,
    ) -> None:
        self.dataset_dir = dataset_dir
        self.partition_column = partition_column
        self.schema = schema
        self.file_name = DataDir.part_name(run_id)
        self.row_group_rows = row_group_rows
        self.buffer_bytes = buffer_bytes
        self.max_open = max_open
        self.written: list[Path] = []
        self._buffers: dict[date, list[pa.Table]] = {}
        self._buffered_rows: dict[date, int] = {}
        self._buffered_bytes = 0
        # Open files, least recently written first; closed parts of partitions that had to
        # give their file handle up (a run spanning more days than ``max_open``).
        self._open: OrderedDict[date, tuple[pq.ParquetWriter, Path]] = OrderedDict()
        self._parts: dict[date, list[Path]] = {}

    def __enter__(self) -> PartitionedWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def write(self, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        groups = frame.partition_by(self.partition_column, as_dict=True, maintain_order=True)
        for (value,), group in groups.items():
            day = _partition_date(value)
            table = group.drop(self.partition_column).to_arrow().cast(self.schema)
            self._buffers.setdefault(day, []).append(table)
            self._buffered_rows[day] = self._buffered_rows.get(day, 0) + table.num_rows
            self._buffered_bytes += table.nbytes
            if self._buffered_rows[day] >= self.row_group_rows:
                self._flush(day)
        while self._buffered_bytes > self.buffer_bytes and self._buffered_rows:
            self._flush(max(self._buffered_rows, key=self._buffered_rows.__getitem__))

    def close(self) -> list[Path]:
        for day in list(self._buffers):
            self._flush(day)
        for day in list(self._open):
            self._close_part(day)
        for _day, parts in sorted(self._parts.items()):
            complete = parts[0] if len(parts) == 1 else self._merge(parts)
            self.written.append(self._publish(complete))
        self._parts.clear()
        # Files of an earlier attempt of this run in partitions it no longer writes, and the
        # temporary files of an attempt that was killed before it could rename them.
        keep = {p.resolve() for p in self.written}
        if self.dataset_dir.exists():
            column = self.partition_column
            for stale in partition_files(self.dataset_dir, column, self.file_name):
                if stale.resolve() not in keep:
                    stale.unlink(missing_ok=True)
            for leftover in partition_files(self.dataset_dir, column, f".{self.file_name}.*.tmp"):
                leftover.unlink(missing_ok=True)
        return self.written

    def abort(self) -> None:
        for writer, temporary in self._open.values():
            writer.close()
            temporary.unlink(missing_ok=True)
        for parts in self._parts.values():
            for part in parts:
                part.unlink(missing_ok=True)
        self._open.clear()
        self._parts.clear()
        self._buffers.clear()
        self._buffered_rows.clear()

    def _flush(self, day: date) -> None:
        tables = self._buffers.pop(day, [])
        self._buffered_rows.pop(day, None)
        if not tables:
            return
        self._buffered_bytes -= sum(t.nbytes for t in tables)
        if day not in self._open:
            if len(self._open) >= self.max_open:
                self._close_part(next(iter(self._open)))
            self._open[day] = self._new_writer(day)
        self._open.move_to_end(day)
        self._open[day][0].write_table(pa.concat_tables(tables))

    def _new_writer(self, day: date) -> tuple[pq.ParquetWriter, Path]:
        folder = self.dataset_dir / partition_name(self.partition_column, day)
        folder.mkdir(parents=True, exist_ok=True)
        return self._new_writer_at(folder)

    def _close_part(self, day: date) -> None:
        writer, temporary = self._open.pop(day)
        writer.close()
        self._parts.setdefault(day, []).append(temporary)

    def _merge(self, parts: list[Path]) -> Path:
        """The parts of one partition as one file, a row group at a time."""
        writer, merged = self._new_writer_at(parts[0].parent)
        with writer:
            for part in parts:
                source = pq.ParquetFile(part)
                for index in range(source.num_row_groups):
                    writer.write_table(source.read_row_group(index))
                part.unlink()
        return merged

    def _new_writer_at(self, folder: Path) -> tuple[pq.ParquetWriter, Path]:
        temporary = folder / f".{self.file_name}.{uuid.uuid4().hex}.tmp"
        writer = pq.ParquetWriter(temporary, self.schema, compression="zstd", write_statistics=True)
        return writer, temporary

    def _publish(self, temporary: Path) -> Path:
        target = temporary.parent / self.file_name
        if target.exists() and filecmp.cmp(temporary, target, shallow=False):
            temporary.unlink()
            return target
        with temporary.open("rb") as fh:
            os.fsync(fh.fileno())
        temporary.replace(target)
        return target


def _partition_date(value: object) -> date:
    if isinstance(value, date):
        return value
    raise UnsafeName(f"partition value must be a date, got {value!r}")
