"""trafilatura's recall pass on pages whose default pass leaves out the article's lists."""

from __future__ import annotations

from dataclasses import replace

from etl.extract.page import ExtractionSettings, extract_page, parse_html
from etl.extract.recall import adds_passages_within, prose_items_left_out
from tests.test_extract import page

_PARAGRAPH = (
    "The council decided on Tuesday evening, after a long debate, to renew the old bridge "
    "over the mill brook by spring ({})."
)
_ITEMS = [
    "Buses take a detour over Linden Street and the market square while the bridge is closed.",
    "Residents receive a letter with the exact dates of the closure by the end of February.",
    "The state pays half of the 480,000 euros, the town pays the rest from its reserves.",
    "Cyclists may push their bikes across the temporary footbridge next to the works.",
]


def listing_page() -> str:
    """A post whose list of sentences trafilatura's default pass drops."""
    items = "".join(f"<li>{item}</li>" for item in _ITEMS)
    body = (
        f"<p>{_PARAGRAPH.format(1)}</p><p>{_PARAGRAPH.format(2)}</p>"
        f"<p>What changes:</p><ul>{items}</ul><p>{_PARAGRAPH.format(3)}</p>"
    )
    return (
        "<html><body><nav><a href='/'>Home</a></nav>"
        f"<div class='p-4'><div class='post-area prose'>{body}</div></div>"
        "<footer>Contact</footer></body></html>"
    )


def test_a_list_of_sentences_the_default_pass_left_out_comes_from_the_recall_pass() -> None:
    text = extract_page(page(listing_page()))["text"]
    for item in _ITEMS:
        assert item in text
    assert text.index(_ITEMS[0]) < text.index(_PARAGRAPH.format(3))
    without = extract_page(page(listing_page()), replace(ExtractionSettings(), recall_pass=False))
    assert _ITEMS[0] not in without["text"]


def test_only_list_items_of_prose_outside_menus_count_as_left_out() -> None:
    sentence = "a list item that is a whole sentence of prose, long enough to be the article's."
    tree = parse_html(
        "<html><body>"
        f"<ul><li>One: {sentence}</li><li>Two: {sentence}</li><li>Short item</li></ul>"
        f"<nav><ul><li>Menu: {sentence}</li></ul></nav>"
        f"<ul><li><a href='/x'>Link: {sentence}</a></li></ul>"
        f"<ul><li><div>Card: {sentence}</div></li></ul>"
        "</body></html>"
    )
    assert tree is not None
    body = tree.find("body")
    assert prose_items_left_out(body, "", 10) == 2
    assert prose_items_left_out(body, f"One: {sentence}", 10) == 1
    assert prose_items_left_out(body, "", 1) == 1


def test_the_recall_text_is_taken_for_passages_it_adds_within_the_text_not_around_it() -> None:
    default = "\n".join(_PARAGRAPH.format(n) for n in range(1, 6))
    lines = default.split("\n")
    skipped = " ".join(_ITEMS[:2])  # a passage of prose the default pass left out
    within = "\n".join([*lines[:3], skipped, *lines[3:]])
    assert adds_passages_within(default, within)
    # The same prose after the text is a teaser's summary more often than the article's.
    assert not adds_passages_within(default, "\n".join([*lines, skipped]))
    # Short lines within the text are a menu or a share bar.
    menu = "\n".join([*lines[:3], "Home", "News", "Sport", "Weather", *lines[3:]])
    assert not adds_passages_within(default, menu)
    # A recall text that leaves out the default text's lines is another container.
    assert not adds_passages_within(default, "\n".join([lines[0], skipped, lines[4]]))


def test_an_item_counts_by_its_words_whatever_the_spaces_and_markup_around_them() -> None:
    # 80 characters once the words are joined by single spaces: the shortest prose item.
    words = "word " * 15 + "words"
    assert len(words) == 80
    spread = words.replace(" ", "\u00a0 \n\t", 3).replace("word", "<b>word</b>", 2)
    padded = "\u00a0\u2003" * 60 + "short words"  # long only by spaces XPath keeps
    tree = parse_html(
        f"<html><body><ul><li>{spread}</li><li>{words[:-1]}</li><li>{padded}</li></ul>"
        "</body></html>"
    )
    assert tree is not None
    assert prose_items_left_out(tree.find("body"), "", 10) == 1
