"""Every question in docs/analysts.md: its SQL and its polars answer run, and agree."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest

from etl.core.schema import REJECT_PARTITION, REJECT_SCHEMA
from etl.load.parquet import write_partitions
from etl.warehouse.build import build_warehouse
from etl.warehouse.connect import connect_read_only
from tests.lake import article, corpus, updated_verkehr, write_run

DOC = Path(__file__).resolve().parent.parent / "docs" / "analysts.md"


def questions() -> list[tuple[str, str, str]]:
    """(title, sql, python) for each numbered section of the document."""
    text = DOC.read_text(encoding="utf-8")
    found = []
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        title = section.splitlines()[0]
        sql = re.findall(r"```sql\n(.*?)```", section, flags=re.S)
        python = re.findall(r"```python\n(.*?)```", section, flags=re.S)
        assert len(sql) == 1 and len(python) == 1, f"{title}: one sql and one python block"
        found.append((title, sql[0], python[0]))
    return found


def preamble() -> str:
    head = re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.M)[0]
    blocks: list[str] = re.findall(r"```python\n(.*?)```", head, flags=re.S)
    return "\n".join(blocks)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lake over three weeks with two runs, one re-fetched article and a few rejects."""
    root = tmp_path_factory.mktemp("analysts")
    data = root / "data"
    earlier = [
        article(
            f"early-{i}",
            source=source,
            title=f"Ältere Meldung {i}",
            text="Der Hafen wächst weiter.",
            published=f"2025-10-0{i + 1}T08:00:00",
            fetched=f"2025-10-0{i + 1}T09:00:00",
            topics=["Hafen", "Wirtschaft"] if i % 2 else ["Verkehr"],
            agencies=["dpa"] if i == 2 else [],
        )
        for i, source in enumerate(["nordsee-bote.de", "rheinland-kurier.de"] * 3)
    ]
    write_run(data, "run-a", corpus() + earlier)
    updated = updated_verkehr()
    refetched = corpus()[0] | {"fetched_at": datetime(2025, 10, 17, 13, tzinfo=UTC)}
    write_run(data, "run-b", [updated, refetched])
    rejects = pl.DataFrame(
        pl.from_arrow(
            pa.Table.from_pylist(
                [
                    {"input_origin": f"x#{i}", "stage": stage, "reason": reason}
                    for i, (stage, reason) in enumerate(
                        [("extract", "extraction_empty")] * 2 + [("dedup", "duplicate")]
                    )
                ],
                REJECT_SCHEMA,
            )
        )
    ).with_columns(pl.lit(datetime(2025, 10, 17).date()).alias(REJECT_PARTITION))
    write_partitions(rejects, data / "lake" / "rejects", REJECT_PARTITION, REJECT_SCHEMA, "run-a")
    build_warehouse(data)
    return root


def normalised(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    rows = [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in frame.rows()]
    return sorted(rows, key=repr)


@pytest.mark.parametrize(("title", "sql", "python"), questions(), ids=lambda v: v[:40])
def test_question_runs_and_sql_agrees_with_polars(
    root: Path, monkeypatch: pytest.MonkeyPatch, title: str, sql: str, python: str
) -> None:
    with connect_read_only(root / "data") as con:
        from_sql = con.execute(sql).pl()
    monkeypatch.chdir(root)
    namespace: dict[str, Any] = {}
    exec(preamble(), namespace)
    exec(python, namespace)
    from_polars = namespace["answer"]
    assert from_sql.height > 0, f"{title}: no rows on the test lake"
    assert from_sql.columns == from_polars.columns
    assert normalised(from_sql) == normalised(from_polars)


def test_the_document_has_ten_questions() -> None:
    assert len(questions()) == 10
