"""trafilatura's metadata readers, asked only for the fields a page's own metadata lacks.

``bare_extraction(with_metadata=True)`` reads every field on every page (meta tags, JSON-LD,
a byline search over a copy of the tree, tag and category links, the date): about a third of
extraction, mostly repeating ``etl.extract.metadata``. Where the page's own metadata has no date, no
author credit or no outlet name, trafilatura's reader for that field alone runs on the tree
already parsed, and its finding takes the place ``with_metadata`` gave it.

Tags and categories as the head's meta tags give them (``keywords``, ``news_keywords``,
``article:tag``, ``article:section``) are always read: half a millisecond a page, and on the
labelled pages they are the topics of outlets that name them nowhere else (Polish and German
pages lost most of their topics without them). Where the meta tags name none, its reader
of tag links (``/tag/`` in the address, in tag containers; 3.7 ms a page) runs, as in
trafilatura's own pass.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_url,
)
from trafilatura.settings import Document, set_date_params

FIELDS = ("date", "author", "sitename")
ALWAYS = ("tags", "categories")


def read_missing(tree: HtmlElement, url: str, missing: Collection[str]) -> dict[str, Any]:
    """trafilatura's readings of the ``missing`` fields and of ``ALWAYS``, keyed as in its
    document dict.

    Each reader does what ``trafilatura.metadata.extract_metadata`` does for its field (its
    JSON-LD pass only for the author: ``etl.extract.metadata`` reads keywords, sections and the
    publisher there already); none changes the tree.
    """
    unknown = set(missing) - set(FIELDS)
    if unknown:
        raise ValueError(f"no reader for {sorted(unknown)}; known: {FIELDS}")
    # The head's meta tags: a fraction of a millisecond, and the first source of most fields.
    head = examine_meta(tree)
    found = Document(tags=head.tags, categories=head.categories)
    if "author" in missing:
        # A one-word meta author is a site or a handle (trafilatura drops it too); JSON-LD
        # overrides the meta tags. Not its byline search over the body (``extract_author``):
        # it copies the whole tree (5-10 ms a page) and, on the labelled pages, found no
        # author that the bylines ``etl.extract.metadata`` reads did not name already.
        credited = Document(author=head.author if head.author and " " in head.author else None)
        found.author = _json_ld(tree, credited).author
    if "sitename" in missing or "date" in missing:
        # The page's own statement of its address (og:url, the canonical link), as the
        # date reader looks for dates in it.
        page_url = head.url or extract_url(tree, url)
        if "sitename" in missing:
            found.sitename = _site_name(head.sitename or extract_sitename(tree), page_url)
        if "date" in missing:
            found.date = find_date(tree, **{**set_date_params(True), "url": page_url})
    if not found.tags:
        found.tags = extract_catstags("tag", tree)
    found.clean_and_trim()
    return {name: getattr(found, name) for name in {*missing, *ALWAYS}}


def _json_ld(tree: HtmlElement, document: Document) -> Document:
    """trafilatura's JSON-LD reading over ``document``, or ``document`` where it breaks."""
    try:
        return extract_meta_json(tree, document)
    except Exception:
        # Its parser raises on structures it does not expect; trafilatura catches everything
        # here too and goes on with what the meta tags said.
        return document


def _site_name(name: str | None, url: str | None) -> str | None:
    """As trafilatura writes it: no "@" of a handle, capitalised, else the URL's host."""
    if name:
        name = name.lstrip("@")
        if name and "." not in name and not name[0].isupper():
            name = name.title()
        return name or None
    match = META_URL.match(url or "")
    return match[1] if match else None
