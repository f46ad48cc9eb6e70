"""Reading staged and lake files (etl.core.staging)."""

from __future__ import annotations

import gc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.core import urls
from etl.core.staging import freeze_imported_objects, read_parquet_file


@pytest.fixture
def lake_file(tmp_path: Path) -> Path:
    """A file in a hive-style folder, as the lake has them (its day is not a column)."""
    path = tmp_path / "published_date=2025-10-16" / "part-run.parquet"
    path.parent.mkdir()
    table = pa.table({"article_id": ["a", "b"], "signature": [b"\x00\x01", None]})
    pq.write_table(table.replace_schema_metadata({"origin": "test"}), path)
    return path


def test_one_file_reads_as_read_table_reads_it(lake_file: Path) -> None:
    expected = pq.read_table(lake_file)
    found = read_parquet_file(lake_file)
    assert found.equals(expected) and found.schema.equals(expected.schema, check_metadata=True)
    assert read_parquet_file(lake_file, ["signature"]).equals(
        pq.read_table(lake_file, columns=["signature"])
    )


def test_a_column_the_file_lacks_is_an_error(lake_file: Path) -> None:
    with pytest.raises(KeyError, match="page_key"):
        read_parquet_file(lake_file, ["article_id", "page_key"])


def test_the_public_suffix_list_is_read_before_extraction_workers_fork(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(urls._EXTRACTOR, "_extractor", None)
    monkeypatch.setattr(gc, "freeze", lambda: None)  # not this test process's objects
    freeze_imported_objects()
    assert urls._EXTRACTOR._extractor is not None
