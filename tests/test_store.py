from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.store import StoreError, write_partitions

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
    with pytest.raises(StoreError):
        write_partitions(rows([date(2025, 10, 16)]), tmp_path, "published_date", SCHEMA, run_id)
    assert not list(tmp_path.rglob("*"))
