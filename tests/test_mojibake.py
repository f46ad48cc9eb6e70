from __future__ import annotations

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252", as browsers read it)
import pytest

from etl.extract.mojibake import repair_mojibake, shows_mojibake, without_mojibake
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


def test_a_tree_is_repaired_in_texts_tails_and_attributes_only_where_garbled() -> None:
    from etl.extract.page import parse_html

    html = (
        '<html><head><meta property="og:title" content="MÃ¼ller"></head><body>'
        "<p>SprÃ¼hregen <b>heute</b> MÃ¼nchen</p><p>Château, NÃO</p></body></html>"
    )
    assert shows_mojibake(html.encode())
    assert not shows_mojibake("<p>Château, NÃO, Müller’s „Café“</p>".encode())
    tree = parse_html(html)
    assert tree is not None
    repair_mojibake(tree)
    assert tree.xpath("string(//meta/@content)") == "Müller"
    assert [p.text_content() for p in tree.iter("p")] == [
        "Sprühregen heute München",
        "Château, NÃO",
    ]
