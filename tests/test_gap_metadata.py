from __future__ import annotations

from datetime import date, datetime

import pytest
from trafilatura.utils import load_html

import etl.extract.page
from etl.extract.gap_metadata import read_missing
from etl.extract.metadata import read_page_metadata
from etl.extract.page import ExtractionSettings, extract_page, missing_metadata
from tests.pages import article_page
from tests.test_extract import page

URL = "https://www.rheinland-kurier.de/lokales/2025/10/14/radwege-123.html"
FULL_LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Stadt plant neue Radwege",
    "datePublished": "2025-10-14T09:30:00+02:00",
    "author": [{"@type": "Person", "name": "Anna Beispiel"}],
    "publisher": {"@type": "Organization", "name": "Rheinland Kurier"},
}


def test_a_page_with_its_own_date_author_and_outlet_asks_trafilatura_for_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[set[str]] = []

    def recording(tree: object, url: str, missing: set[str]) -> dict[str, object]:
        asked.append(set(missing))
        return {}

    monkeypatch.setattr(etl.extract.page, "read_missing", recording)
    record = extract_page(page(article_page(json_ld=FULL_LD)))
    assert asked == [set()]
    assert record["authors_raw"] == ["Anna Beispiel"]
    assert record["site_name"] == "Rheinland Kurier"


def test_what_the_page_lacks_comes_from_trafilaturas_readers() -> None:
    # No machine date, no author credit, no outlet name: the date stands only in the URL
    # (htmldate reads it there), the author only in a meta tag etl.extract.metadata does not read.
    html = article_page(extra_head='<meta name="citation_author" content="Jonas Muster">')
    tree = load_html(html)
    meta = read_page_metadata(tree)
    assert missing_metadata(meta, URL) == {"date", "author", "sitename"}
    found = read_missing(tree, URL, {"date", "author", "sitename"})
    assert found == {
        "date": "2025-10-14",
        "author": "Jonas Muster",
        "sitename": "rheinland-kurier.de",
        "tags": [],
        "categories": None,
    }


def test_tags_come_from_the_meta_keywords_else_from_tag_links() -> None:
    keywords = '<meta name="keywords" content="Radverkehr, Stadtrat">'
    tree = load_html(article_page(extra_head=keywords))
    # As one string: cleaning splits lists of topics.
    assert read_missing(tree, URL, set())["tags"] == ["Radverkehr, Stadtrat"]
    links = (
        '<div class="tags"><a href="/tag/radverkehr/">Radverkehr</a>'
        '<a href="/tag/stadtrat/">Stadtrat</a></div>'
    )
    tree = load_html(article_page().replace("</article>", f"{links}</article>"))
    assert read_missing(tree, URL, set())["tags"] == ["Radverkehr", "Stadtrat"]


def test_extraction_fills_the_gaps_by_default_and_the_full_pass_is_still_a_setting() -> None:
    html = article_page(extra_head='<meta name="citation_author" content="Jonas Muster">')
    listed = page(html)
    listed = type(listed)(URL, listed.body, listed.origin, listed.fetched_at, 200, "text/html")
    for settings in (ExtractionSettings(), ExtractionSettings(with_metadata=True)):
        record = extract_page(listed, settings)
        assert datetime.fromisoformat(record["published_raw"]).date() == date(2025, 10, 14)
        assert record["published_from"] == "trafilatura"
        assert "Jonas Muster" in record["authors_raw"]
    assert ExtractionSettings().with_metadata is False


def test_a_reader_for_a_field_it_does_not_know_is_an_error() -> None:
    with pytest.raises(ValueError, match="no reader"):
        read_missing(load_html(article_page()), URL, {"language"})
