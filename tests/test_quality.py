"""The extraction quality gate, and the scoring it relies on.

The gate runs every stage on the bundled samples (``data/samples``: pages of the project's
own making with labelled fields) and fails when a figure falls below the stored baseline.
When a change raises a figure on purpose, refresh the baseline and commit it with the change:

    news-archive run --input data/samples --data-dir /tmp/samples --no-warehouse
    news-archive quality --data-dir /tmp/samples --expected data/samples/expected.jsonl \
        --json tests/baselines/samples_quality.json
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from etl.cli import main
from etl.pipeline import run_pipeline
from etl.transform.quality import (
    FIGURES,
    Labels,
    read_labels,
    read_lake,
    same_instant_and_offset,
    score_articles,
    set_f1,
    story_pairs,
)

REPO_DIR = Path(__file__).resolve().parents[1]
SAMPLES = REPO_DIR / "data" / "samples"
BASELINE = Path(__file__).parent / "baselines" / "samples_quality.json"
# The baseline is stored rounded to four places.
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def samples_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("quality")
    run_pipeline([SAMPLES], data_dir, workers=1)
    return data_dir


@pytest.fixture(scope="module")
def figures(samples_run: Path) -> dict[str, float]:
    articles = read_lake(samples_run, "articles")
    assert articles is not None
    labels = read_labels(SAMPLES / "expected.jsonl")
    return score_articles(articles, labels, read_lake(samples_run, "rejects"))


def test_no_quality_figure_drops_below_the_baseline(figures: dict[str, float]) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert set(baseline) == set(FIGURES)
    dropped = {
        name: f"{figures[name]:.4f} < baseline {baseline[name]:.4f}"
        for name in FIGURES
        if figures[name] < baseline[name] - TOLERANCE
    }
    assert not dropped, f"extraction quality fell: {dropped}"


def test_story_clustering_meets_the_issue_targets(figures: dict[str, float]) -> None:
    assert figures["story_precision"] >= 0.98
    assert figures["story_recall"] >= 0.95


def test_quality_command_prints_the_figures_and_unmapped_topics(
    samples_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "figures.json"
    expected = str(SAMPLES / "expected.jsonl")
    args = ["quality", "--data-dir", str(samples_run), "--expected", expected]
    assert main([*args, "--unmapped-topics", "5", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "story_precision" in printed and "topics without a category" in printed
    assert set(json.loads(out.read_text(encoding="utf-8"))) == set(FIGURES)
    assert main(["quality", "--data-dir", str(tmp_path / "empty"), "--expected", expected]) == 2
    # Without labels it still lists what the taxonomy does not cover.
    assert main(["quality", "--data-dir", str(samples_run), "--unmapped-topics", "3"]) == 0
    assert "story_precision" not in capsys.readouterr().out


def test_set_f1_compares_loosely_and_counts_two_empty_sets_as_agreement() -> None:
    assert set_f1(["Anna Beispiel"], ["anna  beispiel"]) == 1.0
    assert set_f1([], []) == 1.0
    assert set_f1([], ["dpa"]) == 0.0
    assert set_f1(["a", "b"], ["a"]) == pytest.approx(2 / 3)


def test_published_time_must_match_as_instant_and_offset() -> None:
    row = {
        "published_at": datetime(2025, 10, 16, 20, 41, tzinfo=UTC),
        "published_offset_minutes": 120,
    }
    assert same_instant_and_offset("2025-10-16T22:41:00+02:00", row)
    assert not same_instant_and_offset("2025-10-16T20:41:00Z", row)
    assert same_instant_and_offset(None, {"published_at": None})


def test_story_pairs_are_scored_once_per_article_row() -> None:
    def pair(
        url: str, story: str, article: str, cluster: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        return {"url": url, "story": story}, {"article_id": article, "story_id": cluster}

    found = [
        pair("a", "wire", "1", "x"),
        pair("b", "wire", "2", "x"),
        pair("c", "wire", "3", "y"),  # a copy the clustering missed
        pair("d", "own", "4", "x"),  # a distinct story joined by mistake
        pair("b2", "wire", "2", "x"),  # a second version of article 2: not a new pair
    ]
    figures = story_pairs(found)
    # Predicted pairs: 1-2, 1-4, 2-4 (1 right of 3). True pairs: 1-2, 1-3, 2-3 (1 found of 3).
    assert figures == {
        "story_precision": pytest.approx(1 / 3),
        "story_recall": pytest.approx(1 / 3),
    }


def test_labels_without_pages_score_as_empty_extractions() -> None:
    labels = Labels(
        articles=[{"url": "https://example.de/a", "title": "A", "authors": [], "topics": []}],
        rejects=[],
    )
    articles = pl.DataFrame(
        {"url": ["https://example.de/other"], "article_id": ["1"], "story_id": ["1"]}
    )
    assert score_articles(articles, labels)["matched"] == 0.0


def test_config_file_sets_extraction_and_set_wins(tmp_path: Path) -> None:
    from etl.cli import parse_overrides

    config = tmp_path / "extraction.toml"
    config.write_text("[extraction]\nfavor_precision = true\nmin_words = 40\n", encoding="utf-8")
    settings = parse_overrides(["min_words=30"], config)
    assert settings.favor_precision is True
    assert settings.min_words == 30
    config.write_text("[extraction]\nfavour_precision = true\n", encoding="utf-8")
    args = ["run", "--input", str(SAMPLES), "--config", str(config), "--data-dir", str(tmp_path)]
    assert main(args) == 2
