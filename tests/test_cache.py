"""The extraction cache's keys: what makes a page, a unit or an extractor different."""

from __future__ import annotations

import os
from pathlib import Path

from etl.extract.cache import ExtractionCache, code_files, fingerprint, page_key, unit_identity
from etl.extract.page import ExtractionSettings
from etl.ingest.inputs import Page


def page(
    url: str = "https://example.de/a.html", body: bytes = b"<p>x</p>", ctype: str = ""
) -> Page:
    return Page(url, body, "origin#1", None, 200, ctype or "text/html")


def test_a_page_is_known_by_url_content_type_and_body_not_by_where_or_when() -> None:
    key = page_key(page())
    assert (
        page_key(Page("https://example.de/a.html", b"<p>x</p>", "other#9", None, 200, "text/html"))
        == key
    )
    assert page_key(page(url="https://example.de/b.html")) != key
    assert page_key(page(body=b"<p>y</p>")) != key
    assert page_key(page(ctype="text/html; charset=iso-8859-1")) != key


def test_other_settings_make_another_cache() -> None:
    assert fingerprint(ExtractionSettings()) == fingerprint(ExtractionSettings())
    assert fingerprint(ExtractionSettings()) != fingerprint(ExtractionSettings(favor_recall=True))


def test_a_unit_changes_with_its_size_or_modification_time(tmp_path: Path) -> None:
    file = tmp_path / "day.warc.gz"
    file.write_bytes(b"one")
    before = unit_identity(str(file))
    os.utime(file, ns=(1, 1))
    assert unit_identity(str(file)) != before
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text("<p>a</p>")
    before = unit_identity(str(folder))
    (folder / "b.html").write_text("<p>b</p>")
    assert unit_identity(str(folder)) != before


def test_only_staging_inside_a_data_directory_is_cached(tmp_path: Path) -> None:
    settings = ExtractionSettings()
    cache = ExtractionCache.for_staging(tmp_path / "data" / "staging" / "run-1", settings)
    assert cache is not None
    assert cache.dir.parent == tmp_path / "data" / "cache" / "extract"
    assert ExtractionCache.for_staging(tmp_path / "scratch", settings) is None


def test_a_missing_or_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ExtractionCache(tmp_path / "cache", ExtractionSettings())
    assert cache.unchanged("unit", {"unit": "x"}) is None
    assert cache.known_pages("unit") == {}
    cache.dir.mkdir(parents=True)
    cache.entry("unit").summary.write_text("{not json")
    cache.entry("unit").articles.write_bytes(b"not parquet")
    assert cache.unchanged("unit", {"unit": "x"}) is None
    assert cache.known_pages("unit") == {}


def test_the_fingerprint_reads_the_code_that_makes_staged_rows_and_only_that() -> None:
    names = {name for name, _ in code_files()}
    wanted = {
        "pipeline.py",
        "extract/page.py",
        "extract/metadata.py",
        "transform/clean.py",
        "load/dedup.py",
        "rules/boilerplate.toml",
    }
    assert wanted <= names
    assert not {n for n in names if n.startswith(("warehouse/", "bench/", "sql/", "cli.py"))}
