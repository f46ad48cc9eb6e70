"""Links carried through trafilatura as invisible marks, then written as Markdown.

Cleaning needs to know which words of a line are link text, and where each link points
(``etl.transform.boilerplate``: link lists, teasers, links to other sites). trafilatura's own
``include_links`` gives that, but it changes the extraction: its Markdown targets count as
text when it weighs its result against readability's and jusText's, and its handling of
links inside paragraphs glues or loses words. So extraction runs without links, on a tree
whose inline links carry a rare mark before and after their text (and a number naming their
target); ``LinkMarks.markdown`` turns those back into ``[text](target)``. The marks must be
printable (trafilatura drops other characters): double parentheses around the text, the
number in two Braille cells. A page that already uses one of them keeps trafilatura's links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from etl.core.url_join import url_joiner

OPEN = "\u2e28"
CLOSE = "\u2e29"
# A link's number is two Braille cells after CLOSE: 256 values each.
_CELL = 0x2800
MAX_LINKS = 256 * 256
_MARKED = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}([\u2800-\u28ff]{{2}})")
_LEFTOVER = re.compile(f"{OPEN}|{CLOSE}[\u2800-\u28ff]{{0,2}}")
# OPEN, CLOSE (E2 B8 A8/A9) and the Braille block (E2 A0 80 to E2 A3 BF) in UTF-8.
_RESERVED_UTF8 = re.compile(rb"\xe2(?:[\xa0-\xa3]|\xb8[\xa8\xa9])")
# A link that wraps a block holds no inline text to mark; its marks would land in
# different paragraphs.
_BLOCKS = frozenset(
    ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "section")
)


@dataclass
class LinkMarks:
    """The marks put on one tree: the targets by number, and what to restore afterwards."""

    targets: list[str] = field(default_factory=list)
    # (element, its text before marking, the element whose tail got CLOSE, that tail)
    _changed: list[tuple[HtmlElement, str | None, HtmlElement | None, str | None]] = field(
        default_factory=list
    )

    def markdown(self, text: str) -> str:
        """Marked link text as ``[text](target)``; stray marks (a link cut by the extractor)
        removed."""
        if OPEN not in text:
            return text

        def link(match: re.Match[str]) -> str:
            anchor = match.group(1)
            inner = anchor.strip()
            # Brackets in the text ("[1]", a footnote) would break the Markdown around it.
            if not inner or "\n" in inner or "[" in inner or "]" in inner:
                return anchor
            cells = match.group(2)
            number = (ord(cells[0]) - _CELL) * 256 + ord(cells[1]) - _CELL
            before = " " if anchor[:1].isspace() else ""
            after = " " if anchor[-1:].isspace() else ""
            return f"{before}[{inner}]({self.targets[number]}){after}"

        return _LEFTOVER.sub("", _MARKED.sub(link, text))

    def unmark(self, value: str) -> str:
        """``value`` without marks: a field read from the marked tree that is not the body."""
        return _LEFTOVER.sub("", value) if OPEN in value or CLOSE in value else value

    def remove(self) -> None:
        """Put the tree back as it was, for the readers that use it after extraction."""
        for element, text, last, tail in reversed(self._changed):
            element.text = text
            if last is not None:
                last.tail = tail
        self._changed.clear()


def uses_marks(markup: str) -> bool:
    """The page's own text holds a character the marks are made of.

    Searched in the UTF-8 bytes, where every one of them starts with the byte E2: the
    pattern's literal first byte lets the search skip ahead, where a character class over
    the text is tried at every one of a page's 200,000 characters (1.3 ms against 0.2).
    """
    if markup.isascii():
        return False
    return _RESERVED_UTF8.search(markup.encode("utf-8", "surrogatepass")) is not None


def mark_links(tree: HtmlElement, url: str | None) -> LinkMarks:
    """Mark the text of every inline link of ``tree`` (in place; ``LinkMarks.remove`` undoes)."""
    marks = LinkMarks()
    join = url_joiner(url) if url else None
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or len(marks.targets) >= MAX_LINKS:
            continue
        # Most links hold only text: no descendants to look through (an iterator made for
        # each of a page's 170 links was a third of this pass).
        children = len(anchor)
        if children and next(anchor.iterdescendants(*_BLOCKS), None) is not None:
            continue
        text = anchor.text
        # Its own words make a link's text; the whole text is read only for links without.
        if (not text or text.isspace()) and not anchor.text_content().strip():
            continue
        count = len(marks.targets)
        number = chr(_CELL + count // 256) + chr(_CELL + count % 256)
        target = join(href) if join else href
        marks.targets.append(target.replace(")", "%29").replace(" ", "%20"))
        last = anchor[-1] if children else None
        tail = last.tail if last is not None else None
        marks._changed.append((anchor, text, last, tail))
        anchor.text = OPEN + (text or "")
        if last is not None:
            last.tail = (tail or "") + CLOSE + number
        else:
            anchor.text += CLOSE + number
    return marks
