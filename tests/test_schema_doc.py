from __future__ import annotations

from pathlib import Path

import pytest

from etl.cli import main
from etl.core.schema import ARTICLE_SCHEMA, REJECT_SCHEMA
from etl.core.schema_doc import SCHEMA_DOC, render_schema_doc

REPO = Path(__file__).resolve().parent.parent


def test_committed_schema_doc_matches_the_schema() -> None:
    assert (REPO / SCHEMA_DOC).read_text(encoding="utf-8") == render_schema_doc(), (
        "docs/schema.md is stale: run `news-archive schema-doc` and commit it"
    )


def test_every_column_is_described_with_its_meaning() -> None:
    doc = render_schema_doc()
    for field in [*ARTICLE_SCHEMA, *REJECT_SCHEMA]:
        meaning = (field.metadata or {})[b"description"].decode()
        assert meaning, f"{field.name} has no description"
        assert f"| `{field.name}` |" in doc and meaning in doc


def test_check_fails_on_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "schema.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert main(["schema-doc", "--check", "--out", str(stale)]) == 1
    assert main(["schema-doc", "--out", str(stale)]) == 0
    assert main(["schema-doc", "--check", "--out", str(stale)]) == 0
    assert "matches" in capsys.readouterr().out
