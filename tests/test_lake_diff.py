"""``news-archive lake-diff``: two lakes compared row for row, as a refactor's proof."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.cli import main
from etl.load.lake_diff import compare_lakes
from tests.lake import article, write_run


def two_lakes(tmp_path: Path, new_title: str = "Stadt plant neue Radwege") -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    write_run(old, "run-a", [article("radwege"), article("brücke", title="Neue Brücke")])
    # The same rows in the other order: order within a file is not a difference.
    write_run(
        new, "run-a", [article("brücke", title="Neue Brücke"), article("radwege", title=new_title)]
    )
    return old, new


def test_the_same_rows_are_the_same_lake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = two_lakes(tmp_path)
    assert compare_lakes(old / "lake", new / "lake").same
    assert main(["lake-diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out.startswith("same: 1 tables, 2 rows")


def test_a_changed_value_names_its_file_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = two_lakes(tmp_path, new_title="Stadt plant neue Radwege!")
    diff = compare_lakes(old / "lake", new / "lake")
    assert not diff.same
    assert diff.changed == [
        "articles/published_date=2025-10-16/part-run-a.parquet: column(s) title"
    ]
    assert main(["lake-diff", str(old), str(new)]) == 1
    assert "differs: articles/" in capsys.readouterr().out


def test_a_file_on_one_side_only_is_a_difference(tmp_path: Path) -> None:
    old, new = two_lakes(tmp_path)
    write_run(new, "run-b", [article("hafen", published="2025-10-17T08:00:00")])
    diff = compare_lakes(old / "lake", new / "lake")
    assert diff.only_new == ["articles/published_date=2025-10-17/part-run-b.parquet"]
    assert diff.only_old == [] and diff.changed == []


def test_a_folder_without_a_lake_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, _ = two_lakes(tmp_path)
    assert main(["lake-diff", str(old), str(tmp_path / "nothing")]) == 2
    assert "has no lake/ folder" in capsys.readouterr().err
