"""trafilatura's comparison with readability, skipped on pages where readability cannot win.

Outside its fast mode, trafilatura extracts a page twice: with its own rules, then with
readability on a copy of the whole tree, and keeps readability's text only when it is more
than twice as long as its own (or its own text is empty or has no paragraphs). That second
extraction and the copy are a fifth of trafilatura's time on real pages. Readability only
ever removes text from the page, so it cannot come out longer than the page's own readable
text (scripts and styles dropped, whitespace collapsed). Where trafilatura's own text is
already half of that, the comparison cannot change the result: readability is handed an
empty page instead (the rest of the comparison, jusText's rescue, runs as before). The
output is the same on every page; about half of real news pages skip readability.

``install`` puts ``extract_and_compare`` in place of trafilatura's function of the same
role (``trafilatura.core._extract_and_compare``, trafilatura 2.3); the tests compare its
results with trafilatura's own on pages where it skips and where it does not.
"""

from __future__ import annotations

from copy import copy
from typing import Any

import trafilatura
import trafilatura.core
from lxml.etree import XPath, _Element
from lxml.html import HtmlElement, fromstring
from trafilatura.external import compare_extraction
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor

_ORIGINAL = trafilatura.core._extract_and_compare
# The trafilatura whose stages 1 and 2 ``extract_and_compare`` repeats (core.py, 2.3.1).
VERIFIED_VERSION = "2.3."
# What readability makes of this: no text, so trafilatura keeps its own.
_EMPTY_PAGE = "<html><body></body></html>"
_READABILITY_DROPS = ("script", "style", "fencedframe")
# XPath's space normalisation leaves more characters than Python's (no-break spaces): an
# upper bound still.
_COLLAPSED_PAGE_LENGTH = XPath("string-length(normalize-space(/))")


def extract_and_compare(
    cleaned_tree: HtmlElement,
    cleaned_tree_backup: HtmlElement,
    tree: HtmlElement,
    options: Extractor,
) -> tuple[_Element, str]:
    """trafilatura's stages 1 and 2: its own extraction, then the comparison with
    readability and jusText, with readability left out where it cannot win."""
    body, text = extract_content(cleaned_tree, options)
    if options.fast:
        return body, text
    if readability_cannot_win(tree, body, text, options):
        raw: HtmlElement = fromstring(_EMPTY_PAGE)
    else:
        raw = copy(tree)
    return compare_extraction(cleaned_tree_backup, raw, body, text, options)


def readability_cannot_win(
    tree: HtmlElement, body: _Element, text: str, options: Extractor
) -> bool:
    """Whether none of trafilatura's reasons to prefer readability's text can hold.

    Those reasons (``trafilatura.external._prefer_readability``) are: its own text empty,
    readability's more than twice as long, its own text without paragraphs or with more
    tables than paragraphs, and, in recall mode, looser length tests.

    Readability's text is some of the page's text pieces in page order, joined, whitespace
    runs collapsed to one space; scripts and styles are dropped first. Taking pieces away
    never adds a character, nor a run between two others, so it is at most as long as the
    page's whole text collapsed, less each script's and style's collapsed text.
    """
    if options.focus == "recall" or not text:
        return False
    if not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(body.findall(".//p")):
        return False
    # The whole page's text first (one call in C); less its scripts only where needed.
    reach = 2 * len(text)
    page = int(_COLLAPSED_PAGE_LENGTH(tree))
    if reach >= page:
        return True
    dropped = [element.text or "" for element in tree.iter(*_READABILITY_DROPS)]
    # Joined, their collapsed lengths add up, with at most one space between each two.
    return reach >= page - (collapsed_length(" ".join(dropped)) - len(dropped))


def collapsed_length(text: str) -> int:
    """The length of ``text`` with whitespace trimmed and collapsed, as trafilatura does."""
    return len(" ".join(text.split()))


def install() -> None:
    """Use ``extract_and_compare`` for trafilatura's extractions in this process, if this
    is the trafilatura it was written against (2.3); any other keeps its own."""
    if not trafilatura.__version__.startswith(VERIFIED_VERSION):
        return
    core: Any = trafilatura.core
    core._extract_and_compare = extract_and_compare


def uninstall() -> None:
    """trafilatura's own function again (the tests compare the two)."""
    core: Any = trafilatura.core
    core._extract_and_compare = _ORIGINAL
