from __future__ import annotations

from urllib.parse import urljoin

import pytest

from etl.core.url_join import url_joiner
from etl.extract.links import uses_marks

BASES = [
    "https://news.example.com/city/story.html?id=4#top",
    "http://news.example.com",
    "HTTPS://News.Example.com:8443/a/b/",
    "ftp://files.example.com/dir/",
    "file:///tmp/page.html",
    "",
]
HREFS = [
    "https://other.example.org/a/b?x=1#c",
    "http://other.example.org",
    "https://other.example.org:/x",
    "HTTPS://Other.example.org/x",
    "https://other.example.org/a;p?q",
    "https://other.example.org/a?",
    "https://other.example.org/a#",
    "https://other.example.org/a b",
    "https://other.example.org/a\tb",
    "https://user@other.example.org/x",
    "https://[::1]/x",
    "https://other.example.org//double",
    "https://other.example.org/./x",
    "/report-2025.html",
    "/",
    "/a//b/",
    "/a/./b",
    "/a/../b",
    "/a/..",
    "/.well-known/x",
    "/a.b/c..d/e.",
    "/a?b=/../c",
    "/a#/./b",
    "/a?",
    "/a#",
    "/a;b",
    "//cdn.example.net/x.js",
    "relative/path",
    "../up",
    "?page=2",
    "#section",
    "mailto:desk@example.com",
    "javascript:void(0)",
    "/seite/ä?ö=ü",
]


@pytest.mark.parametrize("base", BASES)
def test_the_joiner_gives_what_urljoin_gives(base: str) -> None:
    join = url_joiner(base)
    for href in HREFS:
        assert join(href) == urljoin(base, href), href


def test_the_mark_characters_are_found_in_any_text() -> None:
    for char in ("\u2e28", "\u2e29", "\u2800", "\u28ff", "\u2840"):
        assert uses_marks(f"<p>é {char}</p>") and uses_marks(char)
    for char in ("\u27ff", "\u2900", "\u2e27", "\u2e2a", "’", "\ud800"):
        assert not uses_marks(f"<p>é {char}</p>")
