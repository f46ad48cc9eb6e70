from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.load.parquet import ParquetAppender, PartitionedWriter, UnsafeName, write_partitions

SCHEMA = pa.schema([("article_id", pa.string()), ("n", pa.int32())])


def rows(days: list[date]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "article_id": [f"a{i}" for i in range(len(days))],
            "n": list(range(len(days))),
            "published_date": days,
        },
        schema={"article_id": pl.String, "n": pl.Int32, "published_date": pl.Date},
    )


def test_partitions_are_hive_folders_of_zstd_files_without_the_key(tmp_path: Path) -> None:
    written = write_partitions(
        rows([date(2025, 10, 16), date(2025, 10, 16), date(2025, 10, 17)]),
        tmp_path,
        "published_date",
        SCHEMA,
        "run-1",
    )
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "published_date=2025-10-16/part-run-1.parquet",
        "published_date=2025-10-17/part-run-1.parquet",
    ]
    metadata = pq.ParquetFile(written[0]).metadata
    assert metadata.row_group(0).column(0).compression == "ZSTD"
    assert pq.read_schema(written[0]).names == ["article_id", "n"]
    assert not list(tmp_path.rglob("*.tmp"))


def test_rerunning_a_run_replaces_its_files_and_leaves_other_runs_alone(tmp_path: Path) -> None:
    write_partitions(
        rows([date(2025, 10, 16), date(2025, 10, 17)]), tmp_path, "published_date", SCHEMA, "run-1"
    )
    write_partitions(rows([date(2025, 10, 17)]), tmp_path, "published_date", SCHEMA, "run-2")
    write_partitions(rows([date(2025, 10, 17)]), tmp_path, "published_date", SCHEMA, "run-1")
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    assert files == [
        "published_date=2025-10-17/part-run-1.parquet",
        "published_date=2025-10-17/part-run-2.parquet",
    ]


@pytest.mark.parametrize("run_id", ["../escape", "a/b", "", ".hidden", "x" * 200])
def test_unsafe_run_ids_never_become_paths(tmp_path: Path, run_id: str) -> None:
    with pytest.raises(UnsafeName):
        write_partitions(rows([date(2025, 10, 16)]), tmp_path, "published_date", SCHEMA, run_id)
    assert not list(tmp_path.rglob("*"))


def test_a_run_over_more_days_than_open_files_still_writes_one_file_per_day(
    tmp_path: Path,
) -> None:
    days = [date(2025, 10, d) for d in (1, 2, 3, 4, 5)]
    writer = PartitionedWriter(
        tmp_path, "published_date", SCHEMA, "run-1", row_group_rows=1, max_open=2
    )
    with writer:
        # Every day comes back after the others: each has to give up its open file.
        for _ in range(3):
            writer.write(rows(days))
    assert len(writer.written) == 5
    for day in days:
        folder = tmp_path / f"published_date={day.isoformat()}"
        assert [p.name for p in folder.iterdir()] == ["part-run-1.parquet"]
        assert pq.read_table(folder / "part-run-1.parquet").num_rows == 3


def test_rewriting_the_same_rows_leaves_the_file_untouched(tmp_path: Path) -> None:
    (first,) = write_partitions(rows([date(2025, 10, 16)]), tmp_path, "published_date", SCHEMA, "r")
    stamp = first.stat().st_mtime_ns
    write_partitions(rows([date(2025, 10, 16)]), tmp_path, "published_date", SCHEMA, "r")
    assert first.stat().st_mtime_ns == stamp
    write_partitions(rows([date(2025, 10, 16)] * 2), tmp_path, "published_date", SCHEMA, "r")
    assert pq.read_table(first).num_rows == 2


def test_a_failed_write_keeps_the_old_files_and_leaves_no_temporary_ones(tmp_path: Path) -> None:
    (old,) = write_partitions(rows([date(2025, 10, 16)]), tmp_path, "published_date", SCHEMA, "r")
    with (
        pytest.raises(RuntimeError),
        PartitionedWriter(tmp_path, "published_date", SCHEMA, "r", row_group_rows=1) as writer,
    ):
        writer.write(rows([date(2025, 10, 16), date(2025, 10, 16), date(2025, 10, 17)]))
        raise RuntimeError("disk full")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["part-r.parquet"]
    assert pq.read_table(old).num_rows == 1


def test_appended_batches_become_one_file_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "staged.parquet"
    with ParquetAppender(target, SCHEMA, row_group_rows=2) as appender:
        for n in range(5):
            appender.write(pa.table({"article_id": [f"a{n}"], "n": [n]}, schema=SCHEMA))
            assert not target.exists()
    assert pq.read_table(target).column("n").to_pylist() == [0, 1, 2, 3, 4]
    assert pq.ParquetFile(target).num_row_groups == 3
