"""Dates htmldate makes up from a year alone are no publication dates (guessed_dates)."""

from __future__ import annotations

from datetime import date

import pytest

from etl.extract.guessed_dates import shows_day, stated_date
from etl.extract.page import ExtractionTrace, extract_page
from etl.ingest.inputs import Page
from tests.pages import article_page


def undated_page(furniture: str) -> Page:
    """An article whose page states no date in its metadata: htmldate searches the text."""
    html = article_page(furniture=furniture).replace('<meta charset="utf-8">', "")
    return Page("https://handwerk.example/leistungen/tragwerksplanung", html.encode(), "test#0")


def test_a_copyright_year_is_not_a_publication_date() -> None:
    record = extract_page(undated_page("<p>© 2016 Ingenieurbüro Beispiel GmbH</p>"))
    assert record["published_raw"] is None


def test_explain_says_why_the_year_was_not_taken() -> None:
    trace = ExtractionTrace()
    extract_page(undated_page("<p>© 2016 Ingenieurbüro Beispiel GmbH</p>"), trace=trace)
    assert ("trafilatura", "2016-01-01 not taken: a year or month alone, not a day shown") in (
        trace.date_candidates
    )


@pytest.mark.parametrize(
    "shown", ["Veröffentlicht am 1. Januar 2024", "Posted January 1st, 2024", "Stand: 01.01.2024"]
)
def test_a_new_years_day_the_page_shows_is_kept(shown: str) -> None:
    record = extract_page(undated_page(f"<p class='date'>{shown}</p>"))
    assert record["published_raw"] == "2024-01-01T00:00:00"


def test_a_day_other_than_the_first_is_kept_as_found() -> None:
    record = extract_page(undated_page("<p class='date'>Posted March 3, 2024</p>"))
    assert record["published_raw"] == "2024-03-03T00:00:00"


@pytest.mark.parametrize(
    "markup",
    [
        '<time datetime="2025-01-01T08:00:00Z">',
        "am 01.01.2025 um 8 Uhr",
        "1.1.2025",
        "on 1/1/2025",
        "01/01/2025",
        "/archiv/20250101/meldung",
        "1 January 2025",
        "January 1, 2025",
        "PostedJanuary 1, 2025",
        "1 janvier 2025",
    ],
)
def test_shows_day_reads_numbers_and_month_names(markup: str) -> None:
    assert shows_day(markup, date(2025, 1, 1))


@pytest.mark.parametrize(
    "markup", ["© 2025 Beispiel", "2025-01-15", "11.01.2025", "January 11, 2025", "Januar 2025"]
)
def test_shows_day_wants_that_very_day(markup: str) -> None:
    assert not shows_day(markup, date(2025, 1, 1))


def test_stated_date_keeps_what_it_cannot_read() -> None:
    assert stated_date("2025-03-01", "") is None
    assert stated_date("2025-03-02", "") == "2025-03-02"
    assert stated_date("not a date", "") == "not a date"
    assert stated_date(None, "") is None
