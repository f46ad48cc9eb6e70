"""Pages into raw article records: trafilatura for the body, the page's own metadata for the rest.

One parse per page: the tree is read for metadata first, then handed to trafilatura (which
works on a copy). A page without an article raises ``ExtractionRejected``, which the pipeline
turns into a reject row.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import charset_normalizer
import pyarrow as pa
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.utils import load_html

from etl.ingest import Page, charset_of
from etl.metadata import PageMetadata, parse_dateline, read_page_metadata

MIN_WORDS = 25
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]{1,2}\s+")


_STRING: pa.DataType = pa.string()
_STRINGS: pa.DataType = pa.list_(pa.string())
_TIME: pa.DataType = pa.timestamp("us", tz="UTC")
RAW_ARTICLE_SCHEMA = pa.schema(
    {
        "url": _STRING,
        "input_origin": _STRING,
        "fetched_at": _TIME,
        "title": _STRING,
        "text": _STRING,
        "description": _STRING,
        "authors_raw": _STRINGS,
        "topics_raw": _STRINGS,
        "published_raw": _STRING,
        "published_from": _STRING,
        "modified_raw": _STRING,
        "site_name": _STRING,
        "canonical_raw": _STRING,
        "image_url": _STRING,
        "html_lang": _STRING,
    }
)
"""What ``extract_page`` returns, as staged between extraction and cleaning."""


class ExtractionRejected(Exception):
    """The page holds no article; ``reason`` is the reject reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ExtractionSettings:
    """trafilatura switches a user may change (``news-archive run --set NAME=VALUE``)."""

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    min_words: int = MIN_WORDS


def decode_html(body: bytes, content_type: str | None) -> str:
    """Bytes into text: the HTTP charset, then the page's meta charset, then detection.

    Pages lie about their encoding often enough (or say nothing) that every declared charset
    is only tried, and checked by decoding strictly.
    """
    declared = [charset_of(content_type)]
    meta_match = _META_CHARSET.search(body[:4096])
    if meta_match:
        declared.append(meta_match.group(1).decode("ascii", "ignore"))
    for name in [*declared, "utf-8"]:
        if not name:
            continue
        try:
            codecs.lookup(name)
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def extract_page(page: Page, settings: ExtractionSettings | None = None) -> dict[str, Any]:
    """One page into a raw article record (plain Python values, one dict)."""
    settings = settings or ExtractionSettings()
    html = decode_html(page.body, page.content_type).replace("\x00", "")
    tree = load_html(html)
    if tree is None:
        raise ExtractionRejected("unparseable", "no HTML tree")
    meta = read_page_metadata(tree)
    document = bare_extraction(
        tree,
        url=page.url,
        with_metadata=True,
        include_comments=settings.include_comments,
        include_tables=settings.include_tables,
        favor_precision=settings.favor_precision,
        favor_recall=settings.favor_recall,
        deduplicate=False,
    )
    if document is None:
        raise ExtractionRejected("extraction_empty", "trafilatura found no main text")
    doc: dict[str, Any] = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = doc.get("text") or ""
    if text_size(text) < settings.min_words:
        raise ExtractionRejected("extraction_empty", f"main text under {settings.min_words} words")

    published, published_from = choose_published(meta, doc.get("date"), tree)
    return {
        "url": page.url,
        "input_origin": page.origin,
        "fetched_at": page.fetched_at,
        "title": choose_title(meta, doc.get("title"), doc.get("sitename")),
        "text": text,
        "description": meta.description or doc.get("description"),
        "authors_raw": [*meta.authors, *(_split_people(doc.get("author")))],
        "topics_raw": [
            *meta.topics,
            *(doc.get("tags") or []),
            *meta.sections,
            *(doc.get("categories") or []),
        ],
        "published_raw": published.isoformat() if published else None,
        "published_from": published_from,
        "modified_raw": meta.modified[0].isoformat() if meta.modified else None,
        "site_name": (meta.site_names[0] if meta.site_names else doc.get("sitename")),
        "canonical_raw": meta.canonical or doc.get("url"),
        "image_url": meta.image or doc.get("image"),
        "html_lang": meta.html_lang,
    }


def text_size(text: str) -> int:
    """Words, counting two CJK characters as one (those scripts put no spaces between words)."""
    return max(len(text.split()), len(_CJK.findall(text)) // 2)


def choose_title(meta: PageMetadata, fallback: str | None, sitename: str | None) -> str | None:
    """The on-page headline: an h1 confirmed by the metadata, else the metadata's own title."""
    site_names = [*meta.site_names, *([sitename] if sitename else [])]
    stated = [*meta.titles_ld, *meta.titles_og]
    if meta.title_tag:
        stated.append(strip_site_name(meta.title_tag, site_names))
    stated_keys = {_loose(t) for t in stated}
    for heading in meta.h1:
        if _loose(heading) in stated_keys:
            return heading
    for candidate in [*meta.titles_ld, *meta.titles_og]:
        return strip_site_name(candidate, site_names)
    if meta.h1:
        return meta.h1[0]
    if meta.title_tag:
        return strip_site_name(meta.title_tag, site_names)
    return fallback


def strip_site_name(title: str, site_names: list[str]) -> str:
    """Drop "| Outlet" suffixes and "Outlet - " prefixes when the part names the site."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title.strip()
    names = {_loose(n) for n in site_names if n}
    kept = [p for p in parts if _loose(p) not in names]
    if len(kept) == len(parts):
        # Unknown site name: the shortest end part of two is usually the outlet.
        first, last = parts[0], parts[-1]
        if len(parts) == 2 and len(last.split()) <= 3 < len(first.split()):
            kept = [first]
        elif len(parts) == 2 and len(first.split()) <= 3 < len(last.split()):
            kept = [last]
    return " - ".join(kept).strip() if kept else title.strip()


def choose_published(
    meta: PageMetadata, trafilatura_date: str | None, tree: HtmlElement
) -> tuple[datetime | None, str]:
    """The publication time, preferring candidates that carry a time of day and an offset."""
    aware = [d for d in meta.published if d.tzinfo is not None]
    if aware:
        return aware[0], "metadata"
    languages = [meta.html_lang[:2].lower()] if meta.html_lang else None
    for line in meta.datelines:
        parsed = parse_dateline(line, languages)
        if parsed is not None and (parsed.hour or parsed.minute):
            return parsed, "dateline"
    if meta.published:
        return meta.published[0], "metadata"
    if trafilatura_date:
        try:
            return datetime.fromisoformat(trafilatura_date), "trafilatura"
        except ValueError:
            pass
    return None, "none"


def _split_people(value: str | None) -> list[str]:
    if not value:
        return []
    return [p.strip() for p in re.split(r";|,|\band\b|\bund\b|&", value) if p.strip()]


def _loose(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", text)
