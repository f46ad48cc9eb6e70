"""When trafilatura's default pass leaves out the article's lists, its recall pass is asked too.

trafilatura weighs lists of sentences (key findings, steps, the points of an argument) as
likely furniture and, in its default mode, often drops them from a body it otherwise keeps;
its recall mode keeps them, but on every page it also keeps more furniture. So the recall
pass runs only on a page whose prose list items are missing from the default pass's text,
and its text is taken only when it is clearly longer, or when it holds the default text and
adds paragraphs of prose between its lines (passages the default pass skipped; what it adds
around the text is more often a teaser or a menu).
"""

from __future__ import annotations

from typing import cast

from lxml import etree
from lxml.html import HtmlElement

# A list item of prose: a sentence or more, mostly not link text (a teaser list's items are
# their links).
PROSE_ITEM_MIN_CHARS = 80
PROSE_ITEM_MAX_LINKED = 0.3
# Items left out before the recall pass is tried: one or two are often a box or a caption.
MISSING_ITEMS_FOR_RECALL = 3
# The recall pass's text must be this much longer to be taken: a few more lines of
# furniture are no reason to change, a list of sentences is.
RECALL_MIN_GAIN = 1.2
# The recall text is taken when it keeps this share of the default text's lines and adds
# prose paragraphs within it worth this share of the default text's length.
KEPT_LINES_SHARE = 0.95
ADDED_PROSE_SHARE = 0.1
# What a list item of sentences does not hold.
_CONTAINERS = ("li", "div", "section", "article", "h1", "h2", "h3", "h4", "header", "figure")
_FURNITURE = ("nav", "header", "footer", "aside")
# The start of an item looked for in the text (trafilatura may change the item's end).
_ITEM_START_CHARS = 60
# The list items that may be long enough to be prose, picked by libxml2: a page's menus hold
# hundreds of short items, and reading each one's text in Python was most of this pass (0.73
# ms a page against 0.47). XPath's whitespace (space, tab, line breaks) is a part of
# Python's, so its length of an item is never under ``str.split``'s: no item that counts is
# left out, and the length is checked again below.
_LONG_ITEMS = etree.XPath(
    f"descendant::li[string-length(normalize-space()) >= {PROSE_ITEM_MIN_CHARS}]"
)


def prose_items_left_out(body: HtmlElement | None, text: str, enough: int) -> int:
    """How many prose list items of the page are not in ``text``, counting up to ``enough``."""
    if body is None:
        return 0
    shown = " ".join(text.split())
    missing = 0
    for item in cast("list[HtmlElement]", _LONG_ITEMS(body)):
        if any(True for _ in item.iterdescendants(*_CONTAINERS)):
            continue  # a card or a whole story laid out as a list, not an item of one
        words = " ".join(item.text_content().split())
        if len(words) < PROSE_ITEM_MIN_CHARS:
            continue
        linked = sum(len(link.text_content()) for link in item.iter("a"))
        if linked > PROSE_ITEM_MAX_LINKED * len(words):
            continue
        if any(True for _ in item.iterancestors(*_FURNITURE)):
            continue  # a menu's entry
        if words[:_ITEM_START_CHARS] not in shown:
            missing += 1
            if missing >= enough:
                break
    return missing


def wants_recall_pass(tree: HtmlElement, text: str) -> bool:
    """The default pass left out several of the page's prose list items."""
    missing = prose_items_left_out(tree.find("body"), text, MISSING_ITEMS_FOR_RECALL)
    return missing >= MISSING_ITEMS_FOR_RECALL


def adds_passages_within(default: str, recall: str) -> bool:
    """``recall`` keeps the lines of ``default`` and adds paragraphs of prose among them."""
    kept = {line.strip() for line in default.splitlines() if line.strip()}
    lines = [line.strip() for line in recall.splitlines() if line.strip()]
    held = [i for i, line in enumerate(lines) if line in kept]
    if not held or sum(len(lines[i]) for i in held) < KEPT_LINES_SHARE * sum(map(len, kept)):
        return False
    added = (
        len(line)
        for line in lines[held[0] : held[-1] + 1]
        if line not in kept and len(line) >= PROSE_ITEM_MIN_CHARS
    )
    return sum(added) >= ADDED_PROSE_SHARE * len(default)
