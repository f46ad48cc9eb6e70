from __future__ import annotations

import json
import math
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest

import etl.warehouse.build as warehouse
from etl.core.schema import ARTICLE_PARTITION, ARTICLE_SCHEMA
from etl.core.schema_doc import duckdb_type
from etl.pipeline import run_pipeline
from etl.warehouse.build import build_warehouse, update_warehouse
from etl.warehouse.connect import connect_read_only, warehouse_path
from tests.lake import (
    article,
    corpus,
    lake_rows,
    newest_rows,
    updated_verkehr,
    write_run,
)
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


@pytest.fixture(scope="module")
def lake_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    write_run(root, "run-a", corpus())
    build_warehouse(root)
    return root


def query(data_dir: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connect_read_only(data_dir) as con:
        return con.execute(sql, params or []).fetchall()


def search_ids(data_dir: Path, sql: str, params: list[Any]) -> set[str]:
    return {row[0] for row in query(data_dir, f"SELECT article_id FROM ({sql})", params)}  # noqa: S608


def words(text: str) -> list[str]:
    """The warehouse's tokenizer, independently: runs of letters and digits, lower-cased."""
    return re.findall(r"[^\W_]+", text.lower())


# --- the pipeline's lake ---------------------------------------------------------------------


def test_articles_table_matches_the_lake(data_dir: Path) -> None:
    rows = lake_rows(data_dir)
    count = query(data_dir, "SELECT count(*) FROM articles")
    sources = query(data_dir, "SELECT source, articles FROM sources ORDER BY source")
    assert count == [(len(rows),)] and len(rows) == 4
    assert dict(sources) == dict(Counter(str(row["source"]) for row in rows))


def test_topic_and_day_views_count_what_the_parquet_holds(data_dir: Path) -> None:
    rows = lake_rows(data_dir)
    expected = Counter((t, str(row["published_date"])) for row in rows for t in row["topics"])
    got = query(data_dir, "SELECT topic, day::VARCHAR, articles FROM topic_daily")
    daily = query(data_dir, "SELECT day::VARCHAR, articles FROM daily ORDER BY day")
    assert {(t, d): n for t, d, n in got} == expected
    assert daily == [("2025-10-16", 2), ("2025-10-17", 2)]
    categories = Counter(
        (c, str(row["published_date"])) for row in rows for c in set(row["topic_categories"])
    )
    got = query(data_dir, "SELECT category, day::VARCHAR, articles FROM category_daily")
    assert categories and {(c, d): n for c, d, n in got} == categories


def test_search_finds_the_pages_that_name_the_word(data_dir: Path) -> None:
    expected = {
        row["article_id"]
        for row in lake_rows(data_dir)
        if "budapest" in words(f"{row['title']} {row['text']}")
    }
    got = search_ids(data_dir, "SELECT * FROM search_articles(?)", ["Budapest"])
    assert got == expected and len(expected) == 1


def test_rebuild_replaces_the_file_and_leaves_no_temporary(data_dir: Path) -> None:
    build_warehouse(data_dir, rebuild=True)
    leftovers = [
        p.name for p in (data_dir / "warehouse").iterdir() if not p.name.startswith(".news.duckdb.")
    ]
    assert leftovers == ["news.duckdb"]
    assert not list((data_dir / "warehouse").glob("*.tmp*"))
    with duckdb.connect(str(warehouse_path(data_dir)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (4,)


def test_reading_a_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="news-archive warehouse"):
        connect_read_only(tmp_path)


# --- tables and views on a lake of known rows ------------------------------------------------


def test_articles_columns_are_the_schema(lake_dir: Path) -> None:
    described = query(lake_dir, "SELECT column_name, column_type FROM (DESCRIBE articles)")
    got = [(c, t.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")) for c, t in described]
    expected = [(f.name, duckdb_type(f.type)) for f in ARTICLE_SCHEMA]
    assert got == [*expected, (ARTICLE_PARTITION, "DATE")]


def test_articles_are_the_newest_rows(lake_dir: Path) -> None:
    expected = {k: (v["title"], v["source"]) for k, v in newest_rows(lake_dir).items()}
    got = query(lake_dir, "SELECT article_id, title, source FROM articles")
    assert {a: (t, s) for a, t, s in got} == expected


def test_agency_source_and_topic_views(lake_dir: Path) -> None:
    rows = lake_rows(lake_dir)
    agency = Counter((a, str(r["published_date"])) for r in rows for a in r["agencies"])
    got = query(lake_dir, "SELECT agency, day::VARCHAR, articles FROM agency_daily")
    assert {(a, d): n for a, d, n in got} == agency

    words_by_day: Counter[tuple[str, str]] = Counter()
    for r in rows:
        words_by_day[(r["source"], str(r["published_date"]))] += r["word_count"]
    got = query(lake_dir, "SELECT source, day::VARCHAR, words FROM source_daily")
    assert {(s, d): n for s, d, n in got} == words_by_day

    matrix = Counter((t, r["source"]) for r in rows for t in r["topics"])
    got = query(lake_dir, "SELECT topic, source, articles FROM topic_source")
    assert {(t, s): n for t, s, n in got} == matrix

    categories = dict(query(lake_dir, "SELECT DISTINCT topic, category FROM article_topics"))
    assert categories["Politik"] == "politics" and categories["Sport"] == "sport"
    assert categories["USA"] is None  # not in the taxonomy


def test_topic_categories_agree_with_the_articles(data_dir: Path) -> None:
    """Each topic's category is one the pipeline gave the article (same taxonomy)."""
    rows = {r["article_id"]: r for r in lake_rows(data_dir)}
    got = query(data_dir, "SELECT article_id, category FROM article_topics")
    assert got and any(c for _, c in got)
    for article_id, category in got:
        assert category is None or category in rows[article_id]["topic_categories"]


def test_wire_share_per_outlet(lake_dir: Path) -> None:
    totals: Counter[str] = Counter()
    wire: Counter[str] = Counter()
    for r in lake_rows(lake_dir):
        totals[r["source"]] += 1
        wire[r["source"]] += bool(r["agencies"])
    got = query(lake_dir, "SELECT source, articles, wire_articles, wire_share FROM wire_share")
    assert {s: (n, w, share) for s, n, w, share in got} == {
        s: (totals[s], wire[s], round(wire[s] / totals[s], 4)) for s in totals
    }


def test_top_stories_rank_by_outlets(lake_dir: Path) -> None:
    outlets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in lake_rows(lake_dir):
        outlets[(str(r["published_date"]), r["story_id"])].add(r["source"])
    got = query(
        lake_dir,
        "SELECT day::VARCHAR, story_id, outlets FROM top_stories_daily WHERE rank = 1",
    )
    for day, story, n in got:
        assert n == len(outlets[(day, story)])
        assert n == max(len(v) for (d, _), v in outlets.items() if d == day)
    stories = dict(query(lake_dir, "SELECT story_id, outlets FROM stories"))
    assert stories["Budapest-Gipfel"] == 3


def test_sources_table(lake_dir: Path) -> None:
    got = query(
        lake_dir,
        "SELECT source, outlet, domain, country, language, articles, first_seen::VARCHAR "
        "FROM sources ORDER BY source",
    )
    assert got[0] == (
        "gazette-du-lac.fr",
        "Gazette Du Lac",
        "www.gazette-du-lac.fr",
        "FR",
        "fr",
        1,
        "2025-10-16 09:00:00+00",
    )
    assert [(s, c) for s, _, _, c, *_ in got] == [
        ("gazette-du-lac.fr", "FR"),
        ("harbour-times.co.uk", "GB"),
        ("nordsee-bote.de", "DE"),
        ("rheinland-kurier.de", "DE"),
    ]


def test_fetch_log_and_rejects_exist_empty(lake_dir: Path) -> None:
    columns = [c for c, *_ in query(lake_dir, "DESCRIBE fetch_log")]
    assert columns[:7] == ["source", "day", "discovered", "fetched", "failed", "articles", "bytes"]
    assert query(lake_dir, "SELECT count(*) FROM fetch_log") == [(0,)]
    assert query(lake_dir, "SELECT count(*) FROM rejects") == [(0,)]


# --- search ----------------------------------------------------------------------------------


def bm25(rows: list[dict[str, Any]], word: str) -> dict[str, float]:
    """BM25 for a one-word query over docs whose tokens hold ``word`` as is.

    As the FTS extension's ``match_bm25`` computes it: k=1.2, b=0.75, and DuckDB's ``log``,
    which is base 10.
    """
    tokens = {r["article_id"]: words(f"{r['title']} {r['text']}") for r in rows}
    languages = {r["article_id"]: r["language"] for r in rows}
    n = len(rows)
    avgdl = sum(len(t) for t in tokens.values()) / n
    scores = {}
    for language in set(languages.values()):
        docs = [a for a in tokens if languages[a] == language and word in tokens[a]]
        df = len(docs)
        for a in docs:
            tf = tokens[a].count(word)
            idf = math.log10((n - df + 0.5) / (df + 0.5) + 1)
            scores[a] = idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len(tokens[a]) / avgdl))
    return scores


def test_search_scores_are_bm25(lake_dir: Path) -> None:
    expected = bm25(list(newest_rows(lake_dir).values()), "budapest")
    got = query(lake_dir, "SELECT article_id, score FROM search_articles(?)", ["Budapest"])
    assert {a: round(s, 9) for a, s in got} == {a: round(s, 9) for a, s in expected.items()}
    assert [a for a, _ in got] == sorted(expected, key=lambda a: -expected[a])


def test_search_stems_in_the_article_language(lake_dir: Path) -> None:
    by_title = dict(query(lake_dir, "SELECT article_id, title FROM articles"))

    def titles(q: str) -> set[str]:
        return {by_title[a] for a in search_ids(lake_dir, "FROM search_articles(?)", [q])}

    # German: "Verkehrs" and "Verkehr" share a stem; English: "run" finds "running", "runners".
    assert titles("Verkehr") == {"Verkehrsminister stellt Pläne vor"}
    assert titles("Verkehrs") == {"Verkehrsminister stellt Pläne vor"}
    assert titles("running") == {"Runners take over the city"}
    assert titles("prices") == titles("price") == {"Fuel prices rise again"}
    assert (
        titles("kündigt") == titles("KUNDIGT") == {"Trump kündigt Treffen mit Putin in Budapest an"}
    )


def test_search_filters(lake_dir: Path) -> None:
    rows = list(newest_rows(lake_dir).values())

    def expected(keep: Any) -> set[str]:
        return {
            r["article_id"]
            for r in rows
            if "trump" in words(f"{r['title']} {r['text']}") and keep(r)
        }

    sql = (
        "FROM search_articles(?, since := ?, until := ?, source := ?, topic := ?, "
        "language := ?, max_rows := ?)"
    )
    everything = [None, None, None, None, None, 100]
    assert search_ids(lake_dir, sql, ["Trump", *everything]) == expected(lambda r: True)
    assert search_ids(
        lake_dir, sql, ["Trump", None, None, "nordsee-bote.de", None, None, 100]
    ) == expected(lambda r: r["source"] == "nordsee-bote.de")
    assert search_ids(lake_dir, sql, ["Trump", None, None, None, "usa", None, 100]) == expected(
        lambda r: "USA" in r["topics"]
    )
    assert search_ids(lake_dir, sql, ["Trump", None, None, None, None, "fr", 100]) == expected(
        lambda r: r["language"] == "fr"
    )
    assert search_ids(lake_dir, sql, ["Trump", "2025-10-17", None, None, None, None, 100]) == set()
    assert len(search_ids(lake_dir, sql, ["Trump", *everything[:-1], 1])) == 1


def test_search_all_terms_and_odd_queries(lake_dir: Path) -> None:
    any_term = search_ids(lake_dir, "FROM search_articles(?)", ["Verkehr Budapest"])
    all_terms = search_ids(
        lake_dir, "FROM search_articles(?, all_terms := true)", ["Putin Budapest"]
    )
    assert len(any_term) == 4
    assert len(all_terms) == 3
    for odd in ["", "   ", "'; DROP TABLE articles; --", "%_*", "ÄÖÜ"]:
        assert query(lake_dir, "SELECT count(*) FROM search_articles(?)", [odd]) == [(0,)]


# --- incremental updates ---------------------------------------------------------------------


def snapshot(data_dir: Path) -> dict[str, Any]:
    """What an update must leave exactly as a full build would."""
    tables = {
        "articles": "SELECT * FROM articles",
        "versions": "SELECT article_id, lake_file, run_id FROM article_versions",
        "topics": "SELECT * FROM article_topics",
        "sources": "SELECT * FROM sources",
        "stories": "SELECT * FROM stories",
        "new_vs_updated": "SELECT * FROM new_vs_updated",
    }
    searches = ["Budapest", "Verkehr", "Trump Putin", "running", "neu"]
    with connect_read_only(data_dir) as con:
        got: dict[str, Any] = {
            k: sorted(map(str, con.sql(q).fetchall())) for k, q in tables.items()
        }
        for q in searches:
            hits = con.execute("SELECT article_id, score FROM search_articles(?)", [q])
            got[q] = [(a, round(s, 9)) for a, s in hits.fetchall()]
    return got


def assert_same_as_full_build(data_dir: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(data_dir / "lake", fresh / "lake")
    build_warehouse(fresh, rebuild=True)
    assert snapshot(data_dir) == snapshot(fresh)


def test_update_merges_new_replaced_and_removed_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    rows = corpus()
    write_run(data_dir, "run-a", rows)
    assert update_warehouse(data_dir).mode == "full"
    assert update_warehouse(data_dir).mode == "unchanged"

    # A later run: one new article, and a newer version of one run-a had.
    changed = updated_verkehr()
    new = article("hafen", source="nordsee-bote.de", title="Neuer Hafen", text="Der Hafen ist neu.")
    write_run(data_dir, "run-b", [changed, new])
    summary = update_warehouse(data_dir)
    assert (summary.mode, summary.files_added, summary.articles_changed) == ("incremental", 1, 2)
    assert {t for (t,) in query(data_dir, "SELECT title FROM articles")} >= {
        "Verkehrsminister tritt zurück",
        "Neuer Hafen",
    }
    assert len(search_ids(data_dir, "FROM search_articles(?)", ["Hafen"])) == 1
    assert_same_as_full_build(data_dir, tmp_path)

    # run-b again, without the newer version: run-a's version wins again.
    write_run(data_dir, "run-b", [new])
    summary = update_warehouse(data_dir)
    assert summary.mode == "incremental" and summary.files_removed == 1
    assert ("Verkehrsminister stellt Pläne vor",) in query(data_dir, "SELECT title FROM articles")
    assert_same_as_full_build(data_dir, tmp_path)

    # A file deleted from the lake takes its articles out of every table and the index.
    for path in (data_dir / "lake" / "articles").glob("*/part-run-b.parquet"):
        path.unlink()
    update_warehouse(data_dir)
    assert search_ids(data_dir, "FROM search_articles(?)", ["Hafen"]) == set()
    assert query(data_dir, "SELECT count(*) FROM articles") == [(len(rows),)]
    assert_same_as_full_build(data_dir, tmp_path)

    # The history of versions tells new from updated articles.
    write_run(data_dir, "run-c", [changed])
    update_warehouse(data_dir)
    got = query(
        data_dir,
        "SELECT day::VARCHAR, new_articles, updated_articles FROM new_vs_updated ORDER BY day",
    )
    assert got == [("2025-10-16", 4, 0), ("2025-10-17", 2, 1)]
    assert_same_as_full_build(data_dir, tmp_path)


def test_failed_update_leaves_the_old_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    write_run(data_dir, "run-a", corpus())
    build_warehouse(data_dir)
    target = warehouse_path(data_dir)
    before = target.read_bytes()
    write_run(data_dir, "run-b", [article("neu", title="Neu")])

    broken = tmp_path / "999_broken.sql"
    broken.write_text("SELECT * FROM no_such_table;")
    scripts = warehouse.sql_files()
    monkeypatch.setattr(warehouse, "sql_files", lambda: [*scripts, broken])
    monkeypatch.setattr(warehouse, "build_fingerprint", lambda: "unchanged-for-this-test")
    with pytest.raises(duckdb.CatalogException):
        update_warehouse(data_dir)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir() if p.name.endswith(("tmp", "wal"))] == []


def test_changed_sql_rebuilds_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    write_run(data_dir, "run-a", corpus())
    build_warehouse(data_dir)
    monkeypatch.setattr(warehouse, "build_fingerprint", lambda: "another-version")
    assert update_warehouse(data_dir).mode == "full"
    assert update_warehouse(data_dir).mode == "unchanged"


def test_the_warehouse_file_is_written_in_small_row_groups(tmp_path: Path) -> None:
    # A search fetches a few scattered documents by id; only small row groups let DuckDB
    # skip the rest of the table by its min/max.
    with warehouse._connect_for_writing(tmp_path / "w.duckdb") as con:
        con.execute("CREATE TABLE t AS SELECT range AS i FROM range(20000)")
        con.execute("CHECKPOINT")
        groups = con.execute("SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('t')")
        assert groups.fetchone() == (math.ceil(20000 / warehouse.ROW_GROUP_SIZE),)


def test_only_the_build_skips_the_extension_signature_check(data_dir: Path, tmp_path: Path) -> None:
    """The build loads its own packages' extensions without DuckDB's signature check (70-80
    ms a build); a connection that runs users' queries keeps it."""
    setting = "SELECT current_setting('allow_unsigned_extensions')"
    with warehouse._connect_for_writing(tmp_path / "w.duckdb") as con:
        assert con.execute(setting).fetchone() == (True,)
        warehouse.load_fts(con)
        assert con.execute("SELECT stem('running', 'english')").fetchone() == ("run",)
    with connect_read_only(data_dir) as con:
        assert con.execute(setting).fetchone() == (False,)


def test_the_reload_view_is_looked_up_only_after_a_script_that_names_it(
    lake_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    reload_files = warehouse._reload_files

    def counted(*args: Any) -> list[str]:
        calls.append(1)
        return reload_files(*args)

    monkeypatch.setattr(warehouse, "_reload_files", counted)
    data = tmp_path / "data"
    shutil.copytree(lake_dir / "lake", data / "lake")
    build_warehouse(data)
    scripts = [s.read_text(encoding="utf-8") for s in warehouse.sql_files()]
    assert len(calls) == 1 + sum("loader_reload" in text for text in scripts[:-1]) < len(scripts)
    with connect_read_only(data) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (
            con.execute("SELECT count(DISTINCT article_id) FROM article_versions").fetchone()
        )
