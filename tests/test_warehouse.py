from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from etl.pipeline import run_pipeline
from etl.warehouse import build_warehouse, connect_read_only
from tests.pages import article_page

OUTLETS = {
    "rheinland-kurier.de": ("Rheinland Kurier", "Politik, Verkehr"),
    "nordsee-bote.de": ("Nordsee Bote", "Verkehr; Hafen"),
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four pages of two outlets on two days, run through the pipeline once."""
    root = tmp_path_factory.mktemp("warehouse")
    pages = root / "pages"
    pages.mkdir()
    manifest = []
    for i, (domain, (site, keywords)) in enumerate(sorted(OUTLETS.items()) * 2):
        name = f"{i}.html"
        day = 16 + i % 2
        html = article_page(
            title=f"Meldung {i} aus {site}",
            site=site,
            paragraphs=[
                f"Absatz {i}: Budapest ist Thema." if i == 0 else f"Absatz {i}.",
                *[f"Satz {j} von Meldung {i} über den Verkehr in der Region." for j in range(8)],
            ],
            meta={
                "article:published_time": f"2025-10-{day}T10:00:00+02:00",
                "keywords": keywords,
                "og:site_name": site,
            },
        )
        (pages / name).write_text(html, encoding="utf-8")
        manifest.append(
            {
                "file": name,
                "url": f"https://www.{domain}/a/{i}.html",
                "fetched_at": "2025-10-18T06:00:00+00:00",
            }
        )
    (pages / "manifest.jsonl").write_text("\n".join(json.dumps(m) for m in manifest))
    run_pipeline([pages], root, run_id="test-run")
    build_warehouse(root)
    return root


def lake_rows(data_dir: Path) -> list[dict[str, object]]:
    dataset = ds.dataset(data_dir / "lake" / "articles", format="parquet", partitioning="hive")
    return dataset.to_table().to_pylist()


def test_articles_table_matches_the_lake(data_dir: Path) -> None:
    rows = lake_rows(data_dir)
    with connect_read_only(data_dir) as con:
        count = con.execute("SELECT count(*) FROM articles").fetchone()
        sources = con.execute("SELECT source, articles FROM sources ORDER BY source").fetchall()
    assert count == (len(rows),) and len(rows) == 4
    expected: dict[str, int] = {}
    for row in rows:
        expected[str(row["source"])] = expected.get(str(row["source"]), 0) + 1
    assert dict(sources) == expected


def test_topic_and_day_views_count_what_the_parquet_holds(data_dir: Path) -> None:
    rows = lake_rows(data_dir)
    expected: dict[tuple[str, str], int] = {}
    for row in rows:
        for topic in row["topics"]:  # type: ignore[attr-defined]
            key = (topic, str(row["published_date"]))
            expected[key] = expected.get(key, 0) + 1
    with connect_read_only(data_dir) as con:
        got = con.execute("SELECT topic, day::VARCHAR, articles FROM topic_daily").fetchall()
        daily = con.execute("SELECT day::VARCHAR, articles FROM daily ORDER BY day").fetchall()
    assert {(t, d): n for t, d, n in got} == expected
    assert daily == [("2025-10-16", 2), ("2025-10-17", 2)]


def test_full_text_search_works_offline(data_dir: Path) -> None:
    with connect_read_only(data_dir) as con:
        hits = con.execute(
            "SELECT title FROM (SELECT *, fts_main_articles.match_bm25(article_id, ?) AS score "
            "FROM articles) WHERE score IS NOT NULL",
            ["Budapest"],
        ).fetchall()
    assert hits == [("Meldung 0 aus Nordsee Bote",)]


def test_rebuild_replaces_the_file_and_leaves_no_temporary(data_dir: Path) -> None:
    build_warehouse(data_dir)
    leftovers = [p.name for p in (data_dir / "warehouse").iterdir() if p.name != "news.duckdb"]
    assert leftovers == []
    with duckdb.connect(str(data_dir / "warehouse" / "news.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (4,)


def test_reading_a_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="news-archive warehouse"):
        connect_read_only(tmp_path)
