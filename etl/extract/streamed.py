"""Streamed segments of a page rendered by React on the server, put where the page shows them.

A page streamed by React 18 (Next.js and others) sends its slow parts after the rest: each one
in ``<div hidden id="S:n">`` at the end of the body, and a script (``$RC("B:n", "S:n")``) that
moves it to the placeholder ``<template id="B:n">`` it stands for. A reader sees the segment
in place; an extractor sees a hidden block and leaves it out, and with it the article's lists,
sections or whole body.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

# What every streamed page has in its markup: a cheap test before any tree walk.
STREAM_MARK = 'hidden id="S:'
_SEGMENTS = etree.XPath("//div[@hidden][starts-with(@id, 'S:')]")
_PLACEHOLDERS = etree.XPath("//template[starts-with(@id, 'B:') or starts-with(@id, 'P:')]")
# $RC("B:1","S:1") fills a boundary, $RS("S:7","P:7") a segment: the placeholder a segment
# replaces, when the script says so (else the one of its number).
_REPLACE_CALL = re.compile(r"""\$RC\(\s*["'](B:[^"']+)["']\s*,\s*["'](S:[^"']+)["']""")
# The blocks trafilatura prunes as reader comments (its REMOVE_COMMENTS_XPATH), by their
# class or id: "commentOnSelection" wraps a whole post on some sites.
_COMMENT_BLOCK = re.compile(r"(?:^|\s)(?:[Cc]omment(?!ary)|comol)|(?:article|post)-comments")
_SEGMENT_CALL = re.compile(r"""\$RS\(\s*["'](S:[^"']+)["']\s*,\s*["'](P:[^"']+)["']""")


def place_streamed_segments(tree: HtmlElement, markup: str) -> int:
    """Move each hidden streamed segment into the placeholder it fills.

    Returns how many segments were moved. ``markup`` is the page's source, for the cheap
    test and the placeholders the scripts name.
    """
    if STREAM_MARK not in markup:
        return 0
    segments = _SEGMENTS(tree)
    if not segments:
        return 0
    placeholders = {template.get("id"): template for template in _PLACEHOLDERS(tree)}
    target = {segment: holder for holder, segment in _REPLACE_CALL.findall(markup)}
    target.update(_SEGMENT_CALL.findall(markup))
    moved = 0
    for segment in segments:
        name = segment.get("id", "")
        holder = _first(placeholders, target.get(name, ""), f"B:{name[2:]}", f"P:{name[2:]}")
        if holder is None or holder.getparent() is None or _inside(holder, segment):
            continue
        if any(_COMMENT_BLOCK.search(_names(block)) for block in holder.iterancestors()):
            # trafilatura prunes such a block as reader comments before it extracts: the
            # segment stays where it was, the one place it can still be read.
            continue
        _move_children(segment, holder)
        holder.drop_tree()
        segment.drop_tree()
        moved += 1
    return moved


def _first(placeholders: dict[str | None, HtmlElement], *names: str) -> HtmlElement | None:
    for name in names:
        if (holder := placeholders.get(name)) is not None:
            return holder
    return None


def _names(element: HtmlElement) -> str:
    return f"{element.get('id') or ''} {element.get('class') or ''}"


def _inside(element: HtmlElement, container: HtmlElement) -> bool:
    return any(ancestor is container for ancestor in element.iterancestors())


def _move_children(segment: HtmlElement, holder: HtmlElement) -> None:
    """The segment's content just before the placeholder, its loose text kept."""
    if segment.text and segment.text.strip():
        span = segment.makeelement("span")
        span.text = segment.text
        segment.text = None
        segment.insert(0, span)
    for child in list(segment):
        holder.addprevious(child)
