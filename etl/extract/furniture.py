"""Fact boxes, teaser cards and social embeds: furniture inside the article that trafilatura keeps.

A fact box is found by a test on each element of the page. The metadata walk visits every
element already (``etl.extract.metadata``), so it collects the boxes on its way and
``drop_boxes`` only checks them, rather than walking the page again (a walk of its own was
0.6 ms a page). Removing elements never makes a new box, so the boxes found before any
removal are every one there is; ``drop_boxes`` takes those still in the tree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree
from lxml.html import HtmlElement

# role="complementary", or a class word naming a fact or info box ("fact-box", "factbox",
# "faktaboks", "c-infoBox", "article-body-infobox"), matched as a whole word of the class.
# Python's walk over the elements, reading each class, costs a fifth of an XPath that tests
# the classes (EXSLT's re:test calls back into Python for every element with a class).
_BOX_CLASS = re.compile(r"(^|[\s_-])(fact-?box|fakta(boks|ruta)?|info-?box)($|[\s_-])", re.I)
# The blocks a teaser card's link wraps. The links are picked in Python: lxml's iteration
# over a tag finds them in C, and most have no children to look through, where the XPath
# "//a[@href][descendant::*[self::p or ...]]" built the node set of the whole page first
# (0.39 ms a page against 0.29). Testing the links in the metadata walk instead cost that
# walk as much as the XPath.
CARD_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6")
_CARD_MAX_CHARS = 1500


# Embedded social posts: a blockquote whose class the embed code sets.
_EMBED_CLASSES = (
    "twitter-tweet", "instagram-media", "tiktok-embed", "bluesky-embed", "threads-post",
    "reddit-embed",
)  # fmt: skip


def is_social_embed(element: HtmlElement) -> bool:
    """A blockquote embedding a post from a social network (someone else's words)."""
    if element.tag != "blockquote":
        return False
    classes = element.get("class") or ""
    return any(name in classes for name in _EMBED_CLASSES)


def is_box_class(classes: str) -> bool:
    """A class attribute naming a fact or info box (the cheap look first, the pattern after)."""
    lowered = classes.lower()
    return ("box" in lowered or "fakta" in lowered) and _BOX_CLASS.search(classes) is not None


def is_box(element: HtmlElement) -> bool:
    """An element marked as a box: by a class word or as complementary."""
    classes = element.get("class")
    return bool(classes and is_box_class(classes)) or element.get("role") == "complementary"


def box_candidates(tree: HtmlElement) -> list[HtmlElement]:
    """Every element of ``tree`` marked as a box, in document order (the walk on its own)."""
    boxes: list[HtmlElement] = []
    box_class: dict[str, bool] = {}
    for element in tree.iter(etree.Element):
        classes = element.get("class")
        if classes:
            is_box = box_class.get(classes)
            if is_box is None:
                is_box = box_class[classes] = is_box_class(classes)
            if is_box:
                boxes.append(element)
                continue
        if element.get("role") == "complementary":
            boxes.append(element)
    return boxes


def drop_boxes(tree: HtmlElement, candidates: Sequence[HtmlElement] | None = None) -> None:
    """Remove fact boxes and other complementary asides set inside the article.

    A box ("Fakta om ...", "Info", "Key facts") restates or adds background beside the story;
    the page marks it as complementary (ARIA role, the ``<aside>`` meaning) or names it a fact
    or info box. trafilatura keeps it when it sits inside the article container.
    ``candidates``: the boxes found by a walk over the tree before elements were removed from
    it (``PageMetadata.boxes``); without them, the tree is walked here.
    """
    if candidates is None:
        boxes = box_candidates(tree)
    else:
        boxes = [box for box in candidates if in_tree(box, tree)]
    if not boxes:
        return
    # A "box" holding the headline or most of the page's text is a mislabelled container.
    page_chars = len(tree.text_content())
    for box in boxes:
        if box.find(".//h1") is None and len(box.text_content()) < page_chars / 2:
            box.drop_tree()


def drop_teaser_cards(tree: HtmlElement) -> None:
    """Remove links that wrap whole blocks: teaser cards for other articles.

    A card (picture, headline, summary, all one link) is how pages show related stories; an
    article's own paragraphs are never wrapped in a link. trafilatura keeps a card's summary as
    a paragraph, without the link that would tell cleaning it is a teaser.
    """
    for card in teaser_cards(tree):
        if len(card.text_content()) <= _CARD_MAX_CHARS:
            card.drop_tree()


def teaser_cards(tree: HtmlElement) -> list[HtmlElement]:
    """The links of ``tree`` with a target (``href``, even empty) that wrap a block."""
    return [
        link
        for link in tree.iter("a")
        if len(link)
        and link.get("href") is not None
        and next(link.iterdescendants(*CARD_BLOCKS), None) is not None
    ]


def in_tree(element: HtmlElement, root: HtmlElement) -> bool:
    """``element`` is ``root`` or still below it (not in a subtree removed from it)."""
    ancestors = list(element.iterancestors())
    return (ancestors[-1] if ancestors else element) is root
