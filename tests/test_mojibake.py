from __future__ import annotations

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252", as browsers read it)
import pytest

from etl.extract.mojibake import record_without_mojibake, without_mojibake
from etl.extract.page import extract_page
from tests.pages import article_page
from tests.test_extract import BODY, page


def garbled(text: str, charset: str) -> str:
    """What a content system that read UTF-8 as ``charset`` stored and serves again."""
    return text.encode("utf-8").decode(charset)


@pytest.mark.parametrize("charset", ["latin-1", "sloppy-windows-1252"])
def test_text_encoded_twice_is_decoded_once_more(charset: str) -> None:
    text = "The Investor’s Guide — Müller’s “Café” at 5 °C"
    assert garbled(text, charset) != text
    assert without_mojibake(garbled(text, charset)) == text


@pytest.mark.parametrize(
    "text",
    [
        "NÃO É POSSÍVEL, disse o ministro à imprensa.",
        "La pâte à choux, c’est très simple – voilà.",
        "Müller’s café in Köln, 5 °C, 30 € — “quoted”.",
        "Â propos",
    ],
)
def test_text_meant_as_it_is_stays(text: str) -> None:
    assert without_mojibake(text) == text


def test_a_page_that_serves_garbled_letters_gives_them_right_in_every_field() -> None:
    # The page's own bytes hold the garbled letters: no charset decodes them right.
    title = "Müllers Café plant neue Radwege"
    html = article_page(
        title=garbled(title, "sloppy-windows-1252"),
        paragraphs=[garbled(p, "sloppy-windows-1252") for p in BODY],
    )
    record = extract_page(page(html))
    assert record["title"] == title
    assert all(p[:40] in record["text"] for p in BODY)
    assert "Ã" not in record["text"]


def test_the_address_of_a_record_is_kept_as_given() -> None:
    url = "https://example.org/M%C3%BCller?q=MÃ¼ller"
    record = record_without_mojibake({"url": url, "title": "MÃ¼ller", "topics_raw": ["MÃ¼ller", 1]})
    assert record == {"url": url, "title": "Müller", "topics_raw": ["Müller", 1]}
