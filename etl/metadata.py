"""Article metadata that pages state explicitly: JSON-LD, meta tags, ``<time>`` and datelines.

trafilatura keeps only the day of publication and reads one source of tags; news pages usually
say much more, in several places, and the places disagree. This module collects the candidates
from one parsed tree; ``extract`` decides between them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import dateparser
from lxml.html import HtmlElement

ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "liveblogposting",
    "webpage", "socialmediaposting", "report", "techarticle",
}  # fmt: skip

PUBLISHED_META = (
    "article:published_time", "og:published_time", "published_time", "datepublished",
    "date", "pubdate", "publishdate", "publish-date", "dc.date", "dc.date.issued",
    "dcterms.created", "parsely-pub-date", "sailthru.date", "cxenseparse:recs:publishtime",
)  # fmt: skip
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "last-modified",
    "dcterms.modified",
)  # fmt: skip
TOPIC_META = ("keywords", "news_keywords", "article:tag", "parsely-tags", "sailthru.tags")
SECTION_META = ("article:section", "parsely-section")
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")

# "16. Oktober 2025, 22:41 Uhr", "16.10.2025, 14:03 Uhr", "October 16, 2025 3:05pm EDT"
_DATELINE = re.compile(
    r"(?:\b\d{1,2}\.\s*(?:[A-Za-zÄÖÜäöüé]+|\d{1,2}\.)\s*\d{4}"
    r"|\b[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}"
    r"|\b\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}"
    r"|\b\d{4}-\d{2}-\d{2})"
    r"(?:[,\s]+(?:um\s+|at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*Uhr)?"
    r"(?:\s*(?:[A-Z]{2,4}|[+-]\d{2}:?\d{2}))?)?",
    re.IGNORECASE,
)
# Abbreviations dateparser does not resolve on its own, as UTC offsets.
_ZONE_OFFSETS = {
    "MEZ": 60, "CET": 60, "MESZ": 120, "CEST": 120, "WEZ": 0, "GMT": 0, "UTC": 0, "BST": 60,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420, "AEST": 600, "AEDT": 660, "JST": 540, "KST": 540,
}  # fmt: skip


@dataclass(slots=True)
class PageMetadata:
    """Everything the page says about its article, each field a list of candidates in order."""

    titles_ld: list[str] = field(default_factory=list)
    titles_og: list[str] = field(default_factory=list)
    title_tag: str | None = None
    h1: list[str] = field(default_factory=list)
    published: list[datetime] = field(default_factory=list)
    modified: list[datetime] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    description: str | None = None
    image: str | None = None
    canonical: str | None = None
    html_lang: str | None = None
    datelines: list[str] = field(default_factory=list)


def read_page_metadata(tree: HtmlElement) -> PageMetadata:
    meta = PageMetadata()
    _read_json_ld(tree, meta)
    _read_meta_tags(tree, meta)
    _read_time_elements(tree, meta)
    meta.title_tag = _text(tree.find(".//title"))
    meta.h1 = [t for t in (_text(h) for h in tree.iter("h1")) if t]
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            meta.canonical = (link.get("href") or "").strip()
            break
    meta.html_lang = (tree.get("lang") or tree.get("xml:lang") or "").strip() or None
    for anchor in tree.iter("a"):
        if "tag" in (anchor.get("rel") or "").lower().split():
            text = _text(anchor)
            if text:
                meta.topics.append(text)
    return meta


def _read_json_ld(tree: HtmlElement, meta: PageMetadata) -> None:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except (json.JSONDecodeError, RecursionError):
            continue
        for node in _ld_nodes(data):
            types = node.get("@type")
            type_names = {str(t).lower() for t in (types if isinstance(types, list) else [types])}
            if not type_names & ARTICLE_TYPES:
                if type_names & {"newsmediaorganization", "organization", "website"}:
                    name = node.get("name")
                    if isinstance(name, str) and name.strip():
                        meta.site_names.append(name.strip())
                continue
            is_page = type_names <= {"webpage"}
            if not is_page:
                _add_str(meta.titles_ld, node.get("headline"))
            _add_date(meta.published, node.get("datePublished"))
            _add_date(meta.modified, node.get("dateModified"))
            if not is_page:
                meta.authors.extend(_ld_names(node.get("author")))
                meta.topics.extend(_as_strings(node.get("keywords")))
                meta.sections.extend(_as_strings(node.get("articleSection")))
                publisher = node.get("publisher")
                if isinstance(publisher, dict):
                    _add_str(meta.site_names, publisher.get("name"))


def _ld_nodes(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON-LD document: top level, lists and @graph, not deeper than needed."""
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_nodes(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _ld_nodes(data["@graph"], depth + 1)
        main = data.get("mainEntity")
        if isinstance(main, dict):
            yield from _ld_nodes(main, depth + 1)


def _ld_names(value: Any) -> list[str]:
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            kind = str(item.get("@type", "Person")).lower()
            name = item.get("name")
            if isinstance(name, str) and "organization" not in kind:
                names.append(name)
    return [n.strip() for n in names if n and n.strip()]


def _read_meta_tags(tree: HtmlElement, meta: PageMetadata) -> None:
    for tag in tree.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = (tag.get("content") or "").strip()
        if not key or not content:
            continue
        if key in PUBLISHED_META:
            _add_date(meta.published, content)
        elif key in MODIFIED_META:
            _add_date(meta.modified, content)
        elif key in TOPIC_META:
            meta.topics.extend(_as_strings(content))
        elif key in SECTION_META:
            meta.sections.append(content)
        elif key in ("og:title", "twitter:title"):
            meta.titles_og.append(content)
        elif key == "og:site_name":
            meta.site_names.append(content)
        elif key in ("description", "og:description") and meta.description is None:
            meta.description = content
        elif key in ("og:image", "twitter:image") and meta.image is None:
            meta.image = content
        elif key in AUTHOR_META and not content.startswith("http"):
            meta.authors.append(content)


def _read_time_elements(tree: HtmlElement, meta: PageMetadata) -> None:
    for element in tree.iter("time"):
        value = element.get("datetime")
        if not value:
            continue
        prop = (element.get("itemprop") or "").lower()
        if prop == "datemodified":
            _add_date(meta.modified, value)
        else:
            _add_date(meta.published, value)
    # Visible datelines, only where no machine-readable date exists (checked by the caller).
    for element in tree.iter("time", "span", "div", "p"):
        cls = (element.get("class") or "").lower()
        if element.tag == "time" or any(k in cls for k in ("date", "time", "datum", "published")):
            text = _text(element)
            if text and len(text) < 120:
                meta.datelines.append(text)
        if len(meta.datelines) > 20:
            break


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 or common machine date; naive results are left naive (offset unknown)."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    return _parse_with_dateparser(value)


def parse_dateline(text: str, languages: list[str] | None = None) -> datetime | None:
    """The first date (with time and zone where given) in a visible dateline."""
    match = _DATELINE.search(text)
    if not match:
        return None
    return _parse_with_dateparser(match.group(0), languages)


def _parse_with_dateparser(value: str, languages: list[str] | None = None) -> datetime | None:
    value = re.sub(r"\s*Uhr\b", "", value)
    value = re.sub(r"\b(um|at)\b", " ", value)
    offset: int | None = None
    zone = re.search(r"\b([A-Z]{3,4})\s*$", value)
    if zone and zone.group(1) in _ZONE_OFFSETS:
        offset = _ZONE_OFFSETS[zone.group(1)]
        value = value[: zone.start()].strip()
    settings: Any = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
    try:
        parsed = dateparser.parse(value, languages=languages, settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if not isinstance(parsed, datetime):
        return None
    if offset is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone(timedelta(minutes=offset)))
    return parsed


def _add_date(target: list[datetime], value: Any) -> None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            target.append(parsed)


def _add_str(target: list[str], value: Any) -> None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and value.strip():
        target.append(value.strip())


def _as_strings(value: Any) -> list[str]:
    """Keywords come as a list, or as one string joined by commas or semicolons."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.extend(part.strip() for part in re.split(r"[,;|]", item) if part.strip())
    return out


def _text(element: HtmlElement | None) -> str | None:
    if element is None:
        return None
    text = " ".join(element.text_content().split())
    return text or None
