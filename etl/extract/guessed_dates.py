"""Dates htmldate makes up from a year or a month alone.

When a page states no date, htmldate's last resorts are the copyright year ("© 2016"), a year
and month in the URL or the text, or any year at all, each returned as the first day of that
year or month. On pages that are not dated (about pages, service pages, guides, product pages)
that is most of what it finds: on general article pages one in twelve got a 1 January date,
none of them right where the page does have a date. A first of the month that the page does
not show in full is no publication date, so the article keeps none.
"""

from __future__ import annotations

import re
from datetime import date

from htmldate.extractors import LONG_TEXT_PATTERN, MONTH_NUMBERS


def is_guessed_day(day: date, markup: str) -> bool:
    """Whether ``day``, as htmldate gave it, stands for a whole year or month: it is a first
    of the month, and the page shows that day nowhere (numbers or month names)."""
    return day.day == 1 and not shows_day(markup, day)


def shows_day(markup: str, day: date) -> bool:
    """Whether the page's markup writes out ``day``: 2025-01-01, 01.01.2025, 1/1/2025,
    20250101, "January 1, 2025", "1. Januar 2025" and the like."""
    if any(pattern.search(markup) for pattern in _numeric_patterns(day)):
        return True
    return any(_named_day(match) == day for match in LONG_TEXT_PATTERN.finditer(markup))


def _numeric_patterns(day: date) -> list[re.Pattern[str]]:
    y, m, d = day.year, day.month, day.day
    return [
        re.compile(rf"(?<!\d){y}[-/.]0?{m}[-/.]0?{d}(?!\d)"),
        re.compile(rf"(?<!\d)0?{d}\.\s?0?{m}\.\s?{y}(?!\d)"),
        re.compile(rf"(?<!\d)0?{d}[-/]0?{m}[-/]{y}(?!\d)"),
        re.compile(rf"(?<!\d)0?{m}/0?{d}/{y}(?!\d)"),
        re.compile(rf"(?<!\d){y}{m:02d}{d:02d}(?!\d)"),
    ]


def _named_day(match: re.Match[str]) -> date | None:
    word = (match["month"] or match["month2"]).lower()[-12:]
    # a month glued to the word before it ("PostedJanuary"): its longest known ending
    word = next((word[i:] for i in range(len(word) - 2) if word[i:] in MONTH_NUMBERS), word)
    month = MONTH_NUMBERS.get(word)
    if month is None:
        return None
    try:
        return date(int(match["year"] or match["year2"]), month, int(match["day"] or match["day2"]))
    except ValueError:
        return None


def stated_date(value: str | None, markup: str) -> str | None:
    """htmldate's date (ISO text), or None where it stands for a whole year or month."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return None if is_guessed_day(day, markup) else value
