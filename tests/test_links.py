from __future__ import annotations

from lxml import etree
from lxml.html import fromstring
from trafilatura import bare_extraction

from etl.extract.links import mark_links, uses_marks
from etl.extract.page import extract_page
from tests.fixture_site import FIXTURES
from tests.test_extract import page

SENTENCE = "the council met on Tuesday and decided, after a long debate, to close the bridge"
PAGE = f"""<html><body><article>
<p>First, <a href="/report-2025.html">the <b>report</b> of the board</a>: {SENTENCE}.</p>
<p>Second, {SENTENCE} <a href="https://other.example.org/a b">as others said</a>.</p>
<p>Third, {SENTENCE} and that was all that happened in the town this week, as reported.</p>
</article></body></html>"""


def test_links_travel_through_trafilatura_as_marks_and_come_back_as_markdown() -> None:
    tree = fromstring(PAGE)
    before = etree.tostring(tree)
    marks = mark_links(tree, "https://news.example.com/city/story.html")
    document = bare_extraction(tree, include_links=False, deduplicate=False)
    marks.remove()
    assert document is not None
    text = marks.markdown(document.text)
    link = "[the report of the board](https://news.example.com/report-2025.html)"
    assert f"First, {link}: {SENTENCE}." in text
    assert "[as others said](https://other.example.org/a%20b)." in text
    assert etree.tostring(tree) == before
    assert marks.unmark("A ⸨title⸩⠀⠁") == "A title"


def test_a_page_that_uses_the_mark_characters_keeps_trafilaturas_own_links() -> None:
    assert uses_marks("<p>Braille: ⠃⠗⠁⠊⠇⠇⠑</p>")
    assert not uses_marks("<p>Plain text, (parentheses) and «quotes».</p>")
    html = (FIXTURES / "teaser_after_main.html").read_text(encoding="utf-8")
    text = extract_page(page(html.replace("</main>", "<p>⠃⠗⠁⠊⠇⠇⠑</p></main>")))["text"]
    assert "](https://www.rheinland-kurier.de/935-other-story/)" in text
    assert "⸨" not in text


def test_links_kept_as_markdown_do_not_change_what_trafilatura_extracts() -> None:
    html = (FIXTURES / "teaser_after_main.html").read_text(encoding="utf-8")
    text = extract_page(page(html))["text"]
    assert "Why the bridge closes" in text
    assert "met spring traffic costs" not in text  # the teaser card's headline
    link = "[decided traffic neighbours debate](https://www.rheinland-kurier.de/935-other-story/)"
    assert link in text


def test_link_text_with_brackets_stays_plain_text() -> None:
    tree = fromstring(
        f'<html><body><article><p>{SENTENCE}.<a href="#cite-1">[1]</a> {SENTENCE}, '
        f"{SENTENCE} and so on until the end of the paragraph.</p></article></body></html>"
    )
    marks = mark_links(tree, "https://wiki.example.org/page")
    document = bare_extraction(tree, include_links=False, deduplicate=False)
    assert document is not None
    text = marks.markdown(document.text)
    assert f"{SENTENCE}.[1] {SENTENCE}" in text


def test_links_around_blocks_are_not_marked_and_links_around_inline_elements_are() -> None:
    tree = fromstring(
        '<html><body><a href="/a">plain</a><a href="/b"><span>inline</span></a>'
        '<a href="/c"><div><p>card</p></div></a><a href="/d"><em><p>deep</p></em></a>'
        '<a href="/e"> </a><a href="/f"><img src="x.png"></a></body></html>'
    )
    marks = mark_links(tree, "https://news.example.com/")
    assert marks.targets == ["https://news.example.com/a", "https://news.example.com/b"]
    marks.remove()
