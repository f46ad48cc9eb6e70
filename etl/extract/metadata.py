"""Article metadata that pages state explicitly: JSON-LD, meta tags, ``<time>`` and datelines.

trafilatura keeps only the day of publication and reads one source of tags; news pages usually
say much more, in several places, and the places disagree. This module collects the candidates
from one parsed tree; ``extract`` decides between them.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote

from lxml import etree
from lxml.html import HtmlElement

from etl.extract.furniture import is_box, is_box_class, is_social_embed

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
# Tags an editor attached to the article; plain keywords are often SEO lists and come second.
TOPIC_META = ("article:tag", "parsely-tags", "sailthru.tags", "news_keywords")
KEYWORD_META = ("keywords",)
SECTION_META = ("article:section", "parsely-section")
COPYRIGHT_META = ("copyright", "dc.rights", "dcterms.rightsholder", "rights")
_COPYRIGHT_NOISE = re.compile(
    r"(?i)copyright|\(c\)|©|ⓒ|\b(?:19|20)\d{2}\b|[-–]|all rights reserved|alle rechte vorbehalten"
)
AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")

# Elements whose text is never the page's own statement about the article.
MAX_CAPTIONS = 200
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "select", "option"}
_DATELINE_TAGS = {"span", "div", "p", "small", "li", "header"}
_DATE_CLASS = re.compile(r"date|time|datum|published|dateline")
_BREADCRUMB_CLASS = re.compile(r"breadcrumb")
_BYLINE_CLASS = re.compile(r"\b(?:[\w-]*author[\w-]*|byline|autor[\w-]*|verfasser|creator)\b")
_CREDIT_CLASS = re.compile(r"\b(?:source|quelle|credit|copyright|agency|agentur)\b")
_BYLINE_START = re.compile(r"(?i)(?:von|by)\s+\S")
# The address of a writer's own page: "/author/jane-roe", "/autoren/max-muster/".
_AUTHOR_PAGE = re.compile(
    r"(?i)/(?:authors?|autor(?:en|in)?|auteurs?|autore|autori|autores|writers?|contributors?|"
    r"journalists?|staff|redakteur(?:e|in)?)/([^/?#]+)/?(?:[?#]|$)"
)
# A visible tag line without links: "Themen: Sturmflut, Husum", "Tags: ferries, transport".
_TAG_LINE = re.compile(
    r"(?i)^(?:themen|thema|tags?|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|topics?|"
    r"keywords|mehr zu(?:m thema)?)\s*:\s*(.{2,250})$"
)
_TAG_LINE_LABEL = re.compile(
    r"(?i)(?:themen|thema|tags?|schlagw|stichw|topics?|keywords|mehr zu)\w*\s*:?\s*"
)
# A byline's label in an element of its own, the name in the next one.
_BYLINE_LABEL = re.compile(
    r"(?i)(?:written by|words by|posted by|by|author|autor|autorin|von|geschrieben von)\s*:?"
)
_BYLINE_LABEL_INITIALS = frozenset("wWpPbBaAvVgG")
_TAG_LINE_TAGS = {"p", "div", "span", "li", "td", "small", "footer"}

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
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_DOTTED_DATE = re.compile(
    r"(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})(?:[,\s]+(?:um\s+)?(\d{1,2})[:.](\d{2})(?:\s*Uhr)?)?\s*$"
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
    titles_twitter: list[str] = field(default_factory=list)
    title_tag: str | None = None
    h1: list[str] = field(default_factory=list)
    published: list[datetime] = field(default_factory=list)
    modified: list[datetime] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    description: str | None = None
    descriptions: list[str] = field(default_factory=list)
    descriptions_ld: list[str] = field(default_factory=list)
    bodies_ld: list[str] = field(default_factory=list)
    image: str | None = None
    canonical: str | None = None
    html_lang: str | None = None
    datelines: list[str] = field(default_factory=list)
    og_type: str | None = None
    ld_types: set[str] = field(default_factory=set)
    keywords: list[str] = field(default_factory=list)
    breadcrumbs: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    # What pictures and videos say of themselves (JSON-LD descriptions, alt and title
    # attributes, figcaptions): body lines equal to one of them are captions.
    captions: list[str] = field(default_factory=list)
    author_orgs: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    tag_lines: list[str] = field(default_factory=list)
    # Not statements but the page's furniture, found on the same walk for the page repairs
    # (``etl.extract.furniture``), each in document order: the elements marked as fact
    # boxes, the social posts embedded, the ruby annotations.
    boxes: list[HtmlElement] = field(default_factory=list)
    embeds: list[HtmlElement] = field(default_factory=list)
    rubies: list[HtmlElement] = field(default_factory=list)


def read_page_metadata(tree: HtmlElement) -> PageMetadata:
    meta = PageMetadata()
    _read_json_ld(tree, meta)
    _read_meta_tags(tree, meta)
    meta.title_tag = _text(tree.find(".//title"))
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "canonical" in rel and link.get("href"):
            meta.canonical = (link.get("href") or "").strip()
            break
    meta.html_lang = (tree.get("lang") or tree.get("xml:lang") or "").strip() or None
    body = tree.find("body")
    if body is None:
        _read_visible(tree, meta)
        return meta
    # The furniture outside the body (the root, the head), in document order around it.
    _note_furniture(tree, meta)
    for part in tree:
        if part is body:
            _read_visible(body, meta)
        else:
            for element in part.iter(etree.Element):
                _note_furniture(element, meta)
    return meta


def _note_furniture(element: HtmlElement, meta: PageMetadata) -> None:
    """``_read_visible``'s look for furniture, for an element outside the body."""
    if is_box(element):
        meta.boxes.append(element)
    if is_social_embed(element):
        meta.embeds.append(element)
    elif element.tag == "ruby":
        meta.rubies.append(element)


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
            meta.ld_types |= type_names
            if type_names & {"imageobject", "videoobject"}:
                _add_captions(meta, [node])
                continue
            if "breadcrumblist" in type_names:
                meta.breadcrumbs.extend(_ld_breadcrumbs(node.get("itemListElement")))
                continue
            if not type_names & ARTICLE_TYPES:
                if type_names & {"newsmediaorganization", "organization", "website"}:
                    name = node.get("name")
                    if isinstance(name, str) and name.strip():
                        meta.site_names.append(name.strip())
                continue
            is_page = type_names <= {"webpage"}
            if not is_page:
                _add_str(meta.titles_ld, node.get("headline"))
                _add_str(meta.descriptions_ld, node.get("description"))
                _add_str(meta.descriptions_ld, node.get("abstract"))
                _add_str(meta.bodies_ld, node.get("articleBody"))
            _add_date(meta.published, node.get("datePublished"))
            _add_date(meta.modified, node.get("dateModified"))
            if not is_page:
                images = node.get("image")
                _add_captions(meta, images if isinstance(images, list) else [images])
                meta.authors.extend(_ld_names(node.get("author")))
                meta.author_orgs.extend(_ld_names(node.get("author"), organizations=True))
                meta.topics.extend(_as_strings(node.get("keywords")))
                meta.sections.extend(_as_strings(node.get("articleSection")))
                publisher = node.get("publisher")
                if isinstance(publisher, dict):
                    _add_str(meta.site_names, publisher.get("name"))


def _add_captions(meta: PageMetadata, media: list[Any]) -> None:
    for item in media:
        if isinstance(item, dict) and len(meta.captions) < MAX_CAPTIONS:
            for key in ("caption", "description", "name"):
                _add_str(meta.captions, item.get(key))


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


def _ld_names(value: Any, organizations: bool = False) -> list[str]:
    """Names of people credited (or, with ``organizations``, of organisations credited)."""
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and not organizations:
            names.append(item)
        elif isinstance(item, dict):
            kind = str(item.get("@type", "Person")).lower()
            name = item.get("name")
            if isinstance(name, str) and ("organization" in kind) == organizations:
                names.append(name)
    return [html.unescape(n).strip() for n in names if n and n.strip()]


def _ld_breadcrumbs(value: Any) -> list[str]:
    """The trail's names, in position order, without the home page at its start."""
    items = value if isinstance(value, list) else []
    named: list[tuple[int, str]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        inner = item.get("item")
        if not isinstance(name, str) and isinstance(inner, dict):
            name = inner.get("name")
        position = item.get("position")
        if isinstance(name, str) and name.strip():
            named.append((position if isinstance(position, int) else index, name.strip()))
    return [html.unescape(name) for _, name in sorted(named)]


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
        elif key in KEYWORD_META:
            meta.keywords.extend(_as_strings(content))
        elif key in TOPIC_META:
            meta.topics.extend(_as_strings(content))
        elif key == "og:type":
            meta.og_type = content.lower()
        elif key in SECTION_META:
            meta.sections.append(content)
        elif key == "og:title":
            meta.titles_og.append(content)
        elif key == "twitter:title":
            meta.titles_twitter.append(content)
        elif key == "og:site_name":
            meta.site_names.append(content)
        elif key in ("description", "og:description", "twitter:description"):
            if meta.description is None and key != "twitter:description":
                meta.description = content
            if content not in meta.descriptions:
                meta.descriptions.append(content)
        elif key in ("og:image", "twitter:image") and meta.image is None:
            meta.image = content
        elif key in AUTHOR_META and not content.startswith("http"):
            meta.authors.append(content)
        elif key in COPYRIGHT_META:
            holder = _COPYRIGHT_NOISE.sub(" ", content).strip(" .,-|")
            if 2 < len(holder) <= 60:
                meta.organisations.append(" ".join(holder.split()))


def _read_visible(root: HtmlElement, meta: PageMetadata) -> None:
    """One pass over the page body: headings, tags, times, datelines, bylines, credits.

    News pages hold thousands of elements and this loop visits each, so the common case
    (an element with no class word of interest, no tag-line label) costs one look at its
    class and id and, for text blocks, a look at the first letters of their text. A page
    repeats its classes (a menu's hundred items, a list's cards): what a class and id say is
    worked out once per page (``_Marks``).
    """
    marks_of: dict[tuple[str | None, str | None], _Marks] = {}
    labelled: list[str | None] = []  # names after a byline label of their own
    box_class: dict[str, bool] = {}
    for element in root.iter(etree.Element):  # not comments nor processing instructions
        tag = element.tag
        # The furniture first: it is looked for in every element.
        cls = element.get("class")
        if cls:
            is_box = box_class.get(cls)
            if is_box is None:
                is_box = box_class[cls] = is_box_class(cls)
            if is_box or element.get("role") == "complementary":
                meta.boxes.append(element)
        elif element.get("role") == "complementary":
            meta.boxes.append(element)
        if tag == "blockquote":
            if is_social_embed(element):
                meta.embeds.append(element)
        elif tag == "ruby":
            meta.rubies.append(element)
        if tag in _SKIP_TAGS:
            continue
        if tag in _READ_TAGS:
            if tag == "h1":
                text = _text(element)
                if text:
                    meta.h1.append(text)
                continue
            if tag == "img":
                if len(meta.captions) < MAX_CAPTIONS:
                    for text in (element.get("alt"), (element.get("title") or "").split(" | ")[0]):
                        _add_str(meta.captions, text)
                    continue
            elif tag == "figcaption":
                if len(meta.captions) < MAX_CAPTIONS:
                    _add_str(meta.captions, _text(element, limit=300))
            elif tag == "a":
                rel = (element.get("rel") or "").lower().split()
                if "tag" in rel:
                    text = _text(element)
                    if text:
                        meta.topics.append(text)
                    continue
                if len(meta.bylines) < 6 and ("author" in rel or _links_own_page(element)):
                    text = _byline_text(element)
                    if text and text not in meta.bylines:
                        meta.bylines.append(text)
                    continue
            elif tag == "time":
                value = element.get("datetime")
                if value:
                    prop = (element.get("itemprop") or "").lower()
                    _add_date(meta.modified if prop == "datemodified" else meta.published, value)
        ident = element.get("id")
        if cls or ident:
            marks = marks_of.get((cls, ident))
            if marks is None:
                marks = marks_of[cls, ident] = _Marks.of(cls, ident)
        else:
            marks = _NO_MARKS
        is_dateline = tag == "time" or (marks.date and tag in _DATELINE_TAGS)
        if is_dateline and len(meta.datelines) < 20:
            text = _text(element, limit=120)
            if text:
                meta.datelines.append(text)
        if tag in _TAG_LINE_TAGS and len(labelled) < 2 and not len(element):
            # "<p>Written by</p><p>Jane Roe</p>": a label alone, the name in the next element.
            label_text = (element.text or "").strip()
            if label_text[:1] in _BYLINE_LABEL_INITIALS and _BYLINE_LABEL.fullmatch(label_text):
                labelled.append(_byline_text(element.getnext()))
        if tag in _TAG_LINE_TAGS and len(meta.tag_lines) < 3:
            # The element's first words (its own, else its first child's): the common text
            # block starts with a letter no label starts with, and its text is not read.
            head = (element.text or "").lstrip()
            if not head and len(element):
                head = (element[0].text or "").lstrip()
            if head[:1] in _LABEL_INITIALS and _TAG_LINE_LABEL.match(head):
                text = _text(element, limit=300)
                match = _TAG_LINE.match(text or "")
                if match:
                    meta.tag_lines.append(match.group(1))
        label, prop = element.get("aria-label"), element.get("itemprop")
        if not marks.marked and not label and not prop:
            continue
        if marks.breadcrumb or (label or "").lower() in ("breadcrumb", "breadcrumbs"):
            if not meta.breadcrumbs:
                meta.breadcrumbs.extend(_anchor_texts(element))
        elif (marks.byline or (prop or "").lower() == "author") and len(meta.bylines) < 6:
            text = _byline_text(element)
            if text and text not in meta.bylines:
                meta.bylines.append(text)
        elif marks.credit and len(meta.credits) < 6 and not _in_figure(element):
            text = _text(element, limit=160)
            if text and _BYLINE_START.match(text):
                if len(meta.bylines) < 6 and text not in meta.bylines:
                    meta.bylines.append(text)
            elif text and text not in meta.credits:
                meta.credits.append(text)
    # A label the page repeats labels the items of a list ("By: ..." under each of its
    # resources), not the article's byline.
    found = labelled[0] if len(labelled) == 1 else None
    if found and len(meta.bylines) < 6 and found not in meta.bylines:
        meta.bylines.append(found)


@dataclass(frozen=True, slots=True)
class _Marks:
    """What an element's class and id name: a date, a breadcrumb trail, a byline, a credit."""

    marked: bool = False  # any of the words below
    date: bool = False
    breadcrumb: bool = False
    byline: bool = False
    credit: bool = False

    @staticmethod
    def of(cls: str | None, ident: str | None) -> _Marks:
        words = f"{cls or ''} {ident or ''}".lower()
        if _ANY_MARK.search(words) is None:
            return _NO_MARKS
        return _Marks(
            marked=True,
            date=_DATE_CLASS.search(words) is not None,
            breadcrumb=_BREADCRUMB_CLASS.search(words) is not None,
            byline=_BYLINE_CLASS.search(words) is not None,
            credit=_CREDIT_CLASS.search(words) is not None,
        )


_NO_MARKS = _Marks()


_READ_TAGS = {"h1", "img", "figcaption", "a", "time"}
# Every word the class patterns above look for: an element whose class and id hold none is
# neither a dateline, a breadcrumb trail, a byline nor a credit.
_ANY_MARK = re.compile(
    r"date|time|datum|published|breadcrumb|author|byline|autor|verfasser|creator|source|quelle"
    r"|credit|copyright|agency|agentur"
)
# The first letters ``_TAG_LINE_LABEL`` can start with.
_LABEL_INITIALS = frozenset("tTsSkKmM\u017f\u212a")  # with the long s and the Kelvin sign


def _links_own_page(link: HtmlElement) -> bool:
    """A link to a writer's page, named as the page's address names them.

    Blogs and company news credit the author only with a link to their page
    (``<a href="/authors/jane-roe">Jane Roe</a>``); "All authors" or a team page's link
    does not spell a name the way the address does.
    """
    # Searched in the address as given: pages hold hundreds of links, few of them to a writer.
    match = _AUTHOR_PAGE.search(link.get("href") or "")
    if match is None:
        return False
    text = link.text_content()
    slug = _ascii_letters(unquote(match.group(1)))
    return len(text) <= 80 and slug != "" and _ascii_letters(text) == slug


def _ascii_letters(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def _in_figure(element: HtmlElement) -> bool:
    """Inside a figure or its caption: credits there belong to the picture, not the text."""
    return any(ancestor.tag in ("figure", "figcaption") for ancestor in element.iterancestors())


def _anchor_texts(element: HtmlElement) -> list[str]:
    texts = [_text(a) for a in element.iter("a", "span") if a.tag == "a" or not len(a)]
    out: list[str] = []
    for text in texts:
        if text and len(text) <= 60 and text not in out:
            out.append(text)
    return out


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 or common machine date; naive results are left naive (offset unknown)."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)  # RFC 2822, as feeds and HTTP headers write dates
    except (TypeError, ValueError, IndexError):
        pass
    # "1h ago", "14:36", "PT2M53S", "00:00-YY-DD-MM": template leftovers, not dates. Without a
    # year there is nothing to anchor, and dateparser would spend long guessing a locale.
    if not _YEAR.search(value):
        return None
    return _parse_with_dateparser(value)


def parse_dateline(text: str, languages: list[str] | None = None) -> datetime | None:
    """The first date (with time and zone where given) in a visible dateline."""
    match = _DATELINE.search(text)
    if not match:
        return None
    numeric = _DOTTED_DATE.match(match.group(0))
    if numeric:
        # "11.10.2025": dotted dates are day first wherever they are printed; dateparser
        # would read them month first on pages that do not declare their language.
        day, month, year, hour, minute = (int(g) if g else 0 for g in numeric.groups())
        try:
            return datetime(year, month, day, hour, minute)
        except ValueError:
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
    parsed = _parse_common(value, languages)
    if parsed is None:
        # dateparser reads almost anything, at 10-20 ms a call (its language detection):
        # only for what the common formats above do not cover.
        import dateparser

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


def _parse_common(value: str, languages: list[str] | None) -> datetime | None:
    """The common date formats, read as dateparser reads them, or None for dateparser.

    "16. Oktober 2025, 22:41", "Fr, 17 Mai 2019 13:38:23", "October 16, 2025 3:05pm",
    "2025-10-16 14:03", "16.10.2025 14:03". A month name counts only in a language the page
    declares (dateparser, told the page's languages, knows no other); anything else goes to
    dateparser, whose first call in a process costs over half a second. Dotted numeric dates
    are day first, as ``parse_dateline`` reads them (dateparser reads "03.04.2019" as March).
    """
    match = _ISO_DAY.match(value) or _DOTTED_DAY.match(value) or _WORDED_DAY.match(value)
    if match is None:
        return None
    found = match.groupdict()
    if languages and found.get("weekday"):
        return None  # a weekday in a language the page may not declare: dateparser decides
    if match.re is _WORDED_DAY:
        known = _MONTHS.get((found["m1"] or found["m2"]).casefold())
        if known is None:
            return None
        month, in_languages = known
        if languages and not in_languages & {_LANGUAGE_ALIASES.get(x, x) for x in languages}:
            return None
        day = int(found["d1"] or found["d2"])
    else:
        month, day = int(found["m"]), int(found["d"])
    year = int(found["y"])
    hour, minute = int(match.group("H") or 0), int(match.group("M") or 0)
    meridiem = (match.group("ap") or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "p" else 0)
    try:
        return datetime(year, month, day, hour, minute, int(match.group("S") or 0))
    except ValueError:
        return None


_TIME_OF_DAY = (
    r"(?:(?:\s*[-–,]\s*|\s+)(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"(?:\s*(?P<ap>[ap])\.?m\.?)?)?\s*$"
)
# A weekday before the date: "Fr, 17 Mai 2019", "torsdag 09. mai 2024".
_WEEKDAY = r"\s*(?P<weekday>[^\W\d_]{2,10}\.?,?\s+)?"
_ISO_DAY = re.compile(r"\s*(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})" + _TIME_OF_DAY, re.I)
_DOTTED_DAY = re.compile(
    _WEEKDAY + r"(?P<d>\d{1,2})\.\s*(?P<m>\d{1,2})\.\s*(?P<y>\d{4})" + _TIME_OF_DAY, re.I
)
_WORDED_DAY = re.compile(
    _WEEKDAY + r"(?:(?P<d1>\d{1,2})\.?\s+(?P<m1>[^\W\d_]{3,9})\.?|(?P<m2>[^\W\d_]{3,9})\.?\s+"
    r"(?P<d2>\d{1,2}),?)\s+(?P<y>\d{4})" + _TIME_OF_DAY,
    re.I,
)
# Each language's twelve month names, then their twelve abbreviations ("-": none).
_MONTH_NAMES = {
    "en": "january february march april may june july august september october november "
    "december jan feb mar apr - jun jul aug sep oct nov dec",
    "de": "januar februar märz april mai juni juli august september oktober november dezember "
    "jan feb mär apr - jun jul aug sep okt nov dez",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre janv févr - avr - - juil - sept - - déc",
    "nl": "januari februari maart april mei juni juli augustus september oktober november "
    "december jan feb mrt apr - jun jul aug sep okt nov dec",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre ene feb mar abr - jun jul ago sep oct nov dic",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre gen feb mar apr mag giu lug ago set ott nov dic",
    "no": "januar februar mars april mai juni juli august september oktober november desember "
    "jan feb mar apr - jun jul aug sep okt nov des",
    "da": "januar februar marts april maj juni juli august september oktober november december "
    "jan feb mar apr - jun jul aug sep okt nov dec",
    "sv": "januari februari mars april maj juni juli augusti september oktober november "
    "december jan feb mar apr - jun jul aug sep okt nov dec",
}
_LANGUAGE_ALIASES = {"nb": "no", "nn": "no"}


def _month_table() -> dict[str, tuple[int, set[str]]]:
    table: dict[str, tuple[int, set[str]]] = {}
    for language, names in _MONTH_NAMES.items():
        for index, name in enumerate(names.split()):
            if name != "-":
                table.setdefault(name, (index % 12 + 1, set()))[1].add(language)
    return table


_MONTHS = _month_table()
# Any language's month name or abbreviation, longest first ("März" before "Mär").
MONTH_NAME = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))


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
        # JSON-LD is often written by templates that HTML-escape it a second time.
        target.append(html.unescape(value.strip()))


def _as_strings(value: Any) -> list[str]:
    """Keywords come as a list, or as one string joined by commas or semicolons."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            item = html.unescape(item)
            out.extend(part.strip() for part in re.split(r"[,;|]", item) if part.strip())
    return out


def _byline_text(element: HtmlElement | None, limit: int = 160) -> str | None:
    """A byline's text, a space where one element ends and the next begins.

    Its parts sit in elements of their own ("<p>Jane Roe</p><small>May 3, 2025</small>"),
    which ``text_content`` would glue together ("Jane RoeMay 3, 2025").
    """
    if element is None:
        return None
    text = " ".join(" ".join(element.itertext()).split())
    if not text or (limit and len(text) > limit):
        return None
    return html.unescape(text) if "&" in text else text


def _text(element: HtmlElement | None, limit: int = 0) -> str | None:
    """The element's text on one line; None when empty or (with ``limit``) longer than it."""
    if element is None:
        return None
    text = " ".join(element.text_content().split())
    if limit and len(text) > limit:
        return None
    return html.unescape(text) if "&" in text else text or None
