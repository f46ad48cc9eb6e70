"""The story benchmark's code path at a tiny scale: what it decides and leaves, not its timings."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from etl.bench.stories import ensure_archive, new_day
from etl.cli import main

ARCHIVE, NEW, DAYS, SEED = 2_000, 200, 10, 3


def digest(lake: Path) -> dict[str, str]:
    return {
        str(path.relative_to(lake)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(lake.rglob("*"))
        if path.is_file()
    }


@pytest.mark.e2e
def test_the_story_benchmark_runs_on_a_tiny_archive_and_leaves_it_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive_dir, meta = ensure_archive(tmp_path, ARCHIVE, DAYS, SEED)
    lake = archive_dir / "lake"
    before = digest(lake)
    articles = sorted((lake / "articles").rglob("*.parquet"))
    assert len(articles) == DAYS * 24 and meta["articles_files"] == len(articles)
    assert {
        p.relative_to(lake / "story_index") for p in (lake / "story_index").rglob("*.parquet")
    } == {p.relative_to(lake / "articles") for p in articles}
    rows = pl.read_parquet(articles, hive_partitioning=False)
    assert rows.height == ARCHIVE and rows["article_id"].n_unique() == ARCHIVE
    # Wire copies: about 30% of the rows share the story of an earlier article.
    assert 0.2 < meta["wire_copies"] / ARCHIVE < 0.35
    assert rows.height - rows["story_id"].n_unique() == meta["wire_copies"]

    out = tmp_path / "figures.json"
    argv = ["bench-stories", "--archive", str(ARCHIVE), "--new", str(NEW), "--days", str(DAYS)]
    argv += ["--seed", str(SEED), "--work-dir", str(tmp_path), "--json", str(out), "--repeat", "1"]
    argv += ["--stray-days", "4"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "reused" in printed and "ratio (b)/(a)" in printed and "one merge" in printed

    figures = json.loads(out.read_text(encoding="utf-8"))
    empty, full, merge = figures["empty"], figures["full"], figures["merge"]
    assert figures["empty_runs"] == [empty] and figures["full_runs"] == [full]
    for case in (empty, full):
        assert case["wall"] > 0 and case["peak_rss"] >= case["rss_before"] > 0
        assert case["wire_copies"] == figures["new"]["wire_copies"] > 0.2 * NEW
    # The window (3 days either side of the new articles' day) is all that is read.
    window = [new_day(DAYS) + timedelta(days=d) for d in range(-3, 4)]
    assert full["archived"] == rows.filter(pl.col("published_at").dt.date().is_in(window)).height
    assert empty["archived"] == empty["joined"] == empty["wire_copies_found"] == 0
    # The new wire copies are found in the archived stories they copy (LSH misses a few).
    assert full["wire_copies_found"] >= 0.9 * full["wire_copies"]
    assert full["joined"] >= full["wire_copies_found"] and full["continued"] > 0
    assert merge["articles_files"] == len(articles) and merge["files_rewritten"] >= 1
    # One new article 4 days older: the days between its window and the others' are read too.
    window = [new_day(DAYS) + timedelta(days=d) for d in range(-7, 4)]
    assert (
        figures["stray"]["archived"]
        == rows.filter(pl.col("published_at").dt.date().is_in(window)).height
    )
    # Stores and the merge ran on a hard-linked copy: the archive's files are as they were.
    assert digest(lake) == before
