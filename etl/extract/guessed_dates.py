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
    20250101, "January 1, 2025", "1. Januar 2025" and the like.

    Every form holds the year, so only the text around each of its occurrences is read (the
    month-name pattern over a whole page took 30 ms).
    """
    patterns = _numeric_patterns(day)
    year = str(day.year)
    at = markup.find(year)
    while at != -1:
        start = max(0, at - _BEFORE_YEAR)
        around, year_at = markup[start : at + len(year) + _AFTER_YEAR], at - start
        for match in (
            *(m for pattern in patterns for m in pattern.finditer(around)),
            *(m for m in LONG_TEXT_PATTERN.finditer(around) if _named_day(m) == day),
        ):
            if match.start() <= year_at < match.end():
                return True
        at = markup.find(year, at + 1)
    return False


# Room for a day and month written out before the year ("1st of September 2025"), or after
# it ("2025-01-01T"), and for the characters around that tell a number's edges.
_BEFORE_YEAR = 64
_AFTER_YEAR = 16


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
