from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from etl.cli import main
from etl.core.errors import InputError
from etl.explain import explain_page, load_page
from etl.extract.page import ExtractionTrace, extract_page
from etl.ingest.inputs import Page
from tests.pages import BODY, article_page, section_front
from tests.warcs import Archived, write_article_warc

URL = "https://www.rheinland-kurier.de/lokales/radwege-123.html"


def _page(html: str, url: str = URL) -> Page:
    return Page(url, html.encode(), "test#0", None, 200, "text/html; charset=utf-8")


def test_every_line_gets_its_verdict_and_the_rule_that_gave_it() -> None:
    html = article_page(
        paragraphs=[*BODY, "Lesen Sie auch: Neue Ampel am Marktplatz"],
        json_ld={"@type": "NewsArticle", "headline": "Stadt plant neue Radwege"},
        meta={"og:title": "Stadt plant neue Radwege | Rheinland Kurier"},
        byline="Von Anna Beispiel",
    )
    explanation = explain_page(_page(html))
    verdicts = {line.text: line for line in explanation.lines}
    assert all(verdicts[p].kept and not verdicts[p].reasons for p in BODY)
    teaser = verdicts["Lesen Sie auch: Neue Ampel am Marktplatz"]
    assert not teaser.kept
    assert any("rule" in reason for reason in teaser.reasons)
    # What was dropped is what the stored text lacks, and the rest is what it holds.
    stored = explanation.article["text"]
    assert all(line.text in stored for line in explanation.lines if line.kept)
    assert teaser.text not in stored
    # Title candidates by source, the winner and the rule that chose it.
    assert ("og", "Stadt plant neue Radwege") in explanation.trace.title_candidates
    assert ("ld", "Stadt plant neue Radwege") in explanation.trace.title_candidates
    assert explanation.trace.title_rule
    assert explanation.article["authors"] == ["Anna Beispiel"]


def test_the_date_shown_as_stored_is_the_cleaned_record_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = article_page(meta={"article:published_time": "2025-10-14T09:30:00+02:00"})
    page = tmp_path / "radwege.html"
    page.write_text(html, encoding="utf-8")
    assert main(["explain", str(page)]) == 0
    assert "stored: 2025-10-14 07:30:00+00:00" in capsys.readouterr().out


def test_a_trace_changes_nothing_in_the_record() -> None:
    html = article_page(meta={"article:published_time": "2025-10-14T09:30:00+02:00"})
    trace = ExtractionTrace()
    assert extract_page(_page(html), trace=trace) == extract_page(_page(html))
    assert trace.date_candidates[0] == ("metadata", "2025-10-14T09:30:00+02:00")
    assert trace.index is not None and not trace.index.is_index


def test_explain_reads_a_warc_record_by_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warc = write_article_warc(
        tmp_path / "pages.warc.gz",
        [
            Archived(URL, "2025-10-16T08:00:00Z", "Stadt plant neue Radwege"),
            Archived(f"{URL}?page=2", "2025-10-16T08:00:00Z", "Ein anderer Artikel"),
        ],
    )
    assert main(["explain", str(warc), "--url", URL]) == 0
    shown = capsys.readouterr().out
    assert "title candidates" in shown
    assert "chosen: 'Stadt plant neue Radwege'" in shown
    assert f"keep {BODY[0][:60]}" in shown
    # Two records and no --url: the user is told to pick one.
    assert main(["explain", str(warc)]) == 2
    assert "--url" in capsys.readouterr().err


def test_explain_shows_why_an_index_page_is_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "politik.html.gz"
    file.write_bytes(gzip.compress(section_front().encode()))
    assert main(["explain", str(file), "--url", "https://www.rheinland-kurier.de/politik/"]) == 0
    shown = capsys.readouterr().out
    assert "teasers 12" in shown
    assert "REJECTED: extraction_empty" in shown
    assert load_page(str(file)).url.startswith("file://")


def test_a_url_is_fetched_as_a_collect_fetches_it() -> None:
    """Redirects followed hop by hop, then the page read back from the fetch's own WARC."""
    from etl.collect.fetch import NetworkPolicy
    from etl.explain import fetch_page
    from tests.fixture_site import serve_site

    local = NetworkPolicy(frozenset({"127.0.0.1"}))
    with serve_site() as site:
        page = fetch_page(f"{site.base}/faults/moved.html", local)
        assert page.url == f"{site.base}/news/umzug.html"
        assert b"<html" in page.body.lower()
        assert explain_page(page).article["title"]
        with pytest.raises(InputError, match="redirect"):
            fetch_page(f"{site.base}/faults/loop.html", local)
        # Only the hosts a caller names may be private: by default 127.0.0.1 is refused.
        with pytest.raises(InputError):
            fetch_page(f"{site.base}/news/radwege.html")
