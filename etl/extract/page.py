"""Pages into raw article records: trafilatura for the body, the page's own metadata for the rest.

One parse per page: the tree is read for metadata first, then handed to trafilatura (which
works on a copy). A page without an article raises ``ExtractionRejected``, which the pipeline
turns into a reject row.
"""

from __future__ import annotations

import html
import json
import re
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura import bare_extraction
from trafilatura.utils import is_dubious_html

from etl.core.resources import rules_csv
from etl.core.rules_table import heads_teaser_block
from etl.core.text import compact_key
from etl.core.urls import domain_label, public_suffix
from etl.extract import comparison
from etl.extract.bylines import lead_bylines
from etl.extract.encoding import decode_html
from etl.extract.furniture import drop_boxes, drop_teaser_cards, in_tree
from etl.extract.gap_metadata import read_missing
from etl.extract.guessed_dates import stated_date
from etl.extract.links import LinkMarks, mark_links, uses_marks
from etl.extract.metadata import ARTICLE_TYPES, PageMetadata, parse_dateline, read_page_metadata
from etl.extract.mojibake import repair_mojibake, shows_mojibake
from etl.extract.recall import RECALL_MIN_GAIN, adds_passages_within, wants_recall_pass
from etl.extract.repair import repair_faulty_html
from etl.extract.streamed import place_streamed_segments
from etl.ingest.inputs import Page

# Readability is left out of trafilatura's comparison where it cannot change the result.
comparison.install()

MIN_WORDS = 25
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Korean titles glue the section to the headline with a bare hyphen before the outlet's
# name: "제목-정치ㅣ한국일보".
_TITLE_SEPARATORS = re.compile(
    r"\s+[|\-–—:·•»*]{1,2}\s+|\s*[｜|ㅣ]\s*|：|(?<=[\uac00-\ud7af])-(?=[\uac00-\ud7af]{1,6}\s*[ㅣ|｜])"
)
# "Headline ⋆": a star or bullet a theme sets after every title.
_TRAILING_ORNAMENT = re.compile(r"\s+[⋆★☆✦✧•·»~*]+$")
_DOMAIN_LIKE = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}", re.I)
_DATE_LIKE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
# Typographic quotes, apostrophes and dashes as typed on a keyboard.
_TYPOGRAPHY = str.maketrans(
    {c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"} | {c: "-" for c in "‐‑‒–—―"}
)
_AFFIX_START = re.compile(r"\s*[-–—|:·•ㅣ｜/]")
_AFFIX_AFTER_HEADLINE = re.compile(r"\s*(?:[|｜ㅣ:：]|[-–—]\s)")
_KICKER_BAR = re.compile(r"\S\s*[|｜]\s*$")
_BY_LINE = re.compile(r"(?:by|von)\s+\S", re.I)
# A statement that is a URL slug ("adac-kindersitztest-herbst-2018"): a content system filled
# the field with the page's file name, and the page states its headline elsewhere.
_SLUG_TITLE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+){2,}")
# A title typed in Markdown in a site's editor: "## Headline".
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


@cache
def country_zones() -> dict[str, str]:
    """Country-code suffix -> its one civil time zone (``etl/rules/country_zones.csv``)."""
    return {row["suffix"]: row["zone"] for row in rules_csv("country_zones.csv")}


@cache
def home_links() -> frozenset[str]:
    """The first link of a breadcrumb trail, as words (``etl/rules/home_links.csv``)."""
    return frozenset(row["link"] for row in rules_csv("home_links.csv"))


@cache
def payload_keys() -> tuple[str, ...]:
    """JSON keys that name an article body in a script payload (``etl/rules/payload_keys.csv``)."""
    return tuple(row["key"] for row in rules_csv("payload_keys.csv"))


# trafilatura's Markdown for a link, as kept in the raw text: [anchor](target)
MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\s]*\)")
# How much of the text's start is searched for a byline typed as a paragraph.
LEAD_TEXT_CHARS = 5000
_LEAD_SEARCH_LIMIT = 5000
_CHUNK_MIN_CHARS = 500
_PAYLOAD_MIN_CHARS = 500
# A JSON string under a key that names an article body: "contentHtml": "<p>...", "body": "..."
_PAYLOAD_FIELD = re.compile(
    rf'"({"|".join(re.escape(k) for k in payload_keys())})"\s*:\s*"((?:[^"\\]|\\.){{500,}})"'
)
_HTML_TAG = re.compile(r"<(?:p|br|div|h[2-6]|ul|li)\b", re.I)
# Elements a lead paragraph is printed in, innermost first in document order.
_LEAD_TAGS = ("p", "h2", "h3", "strong", "b", "em", "span", "li", "summary", "div", "header")
# The text a reader sees: not in scripts and styles (whose text is their one child node) nor
# in noscript blocks (whose ancestors are searched only on pages that have one). The
# descendant axis, not ".//text()": that is every node's children, a node set of the whole
# page built first (twice the time).
_TEXT_OUTSIDE_SCRIPTS = etree.XPath(
    "descendant::text()[not(parent::script or parent::style)]", smart_strings=False
)
_TEXT_OUTSIDE_NOSCRIPT = etree.XPath(
    "descendant::text()[not(parent::script or parent::style)][not(ancestor::noscript)]",
    smart_strings=False,
)


_STRING: pa.DataType = pa.string()
_STRINGS: pa.DataType = pa.list_(pa.string())
_TIME: pa.DataType = pa.timestamp("us", tz="UTC")
RAW_ARTICLE_SCHEMA = pa.schema(
    {
        "url": _STRING,
        "input_origin": _STRING,
        "fetched_at": _TIME,
        "title": _STRING,
        "title_variants": _STRINGS,
        "text": _STRING,
        "description": _STRING,
        "authors_raw": _STRINGS,
        "bylines_raw": _STRINGS,
        "credits_raw": _STRINGS,
        "author_orgs_raw": _STRINGS,
        "captions_raw": _STRINGS,
        "topics_raw": _STRINGS,
        "keywords_raw": _STRINGS,
        "sections_raw": _STRINGS,
        "breadcrumbs_raw": _STRINGS,
        "published_raw": _STRING,
        "published_from": _STRING,
        "modified_raw": _STRING,
        "site_name": _STRING,
        "outlet_names": _STRINGS,
        "canonical_raw": _STRING,
        "image_url": _STRING,
        "html_lang": _STRING,
    }
)
"""What ``extract_page`` returns, as staged between extraction and cleaning."""


class CpuClock:
    """CPU seconds this process spent inside a kind of work, summed over ``with`` blocks.

    ``TRAFILATURA_CPU`` counts trafilatura's own work in extraction (parsing, the extraction,
    its metadata readers and htmldate), so that the benchmark can set the project's own work
    around it against it.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self) -> None:
        self._started = time.process_time()

    def __exit__(self, *_: object) -> None:
        self.seconds += time.process_time() - self._started


TRAFILATURA_CPU = CpuClock()


@dataclass
class ExtractionTrace:
    """The decisions ``extract_page`` took for one page, kept only when a caller asks.

    ``news-archive explain`` passes one; the pipeline passes none, and then nothing is
    recorded or measured beyond what extraction needs.
    """

    index: IndexEvidence | None = None
    og_type: str | None = None
    trafilatura_text: str = ""
    payload_body: bool = False
    recall_pass: bool = False
    lead: str | None = None
    # (source, statement cleaned of site names), in the order they are considered
    title_candidates: list[tuple[str, str]] = field(default_factory=list)
    title_rule: str = ""
    # (source, value), in the order ``choose_published`` prefers them
    date_candidates: list[tuple[str, str]] = field(default_factory=list)


class ExtractionRejected(Exception):
    """The page holds no article; ``reason`` is the reject reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ExtractionSettings:
    """Extraction switches a user may change (``--set NAME=VALUE`` or ``--config FILE``).

    The defaults were chosen by measurement on labelled pages of many outlets (after the
    cleaning stage): favor_precision and favor_recall move precision and recall by about half
    a point each way at the same F1; include_tables made no difference.
    ``recover_lead`` puts back a lead paragraph shown outside the article container.
    ``with_metadata`` runs trafilatura's whole metadata pass on every page, as
    ``bare_extraction`` offers it: a third of extraction time spent mostly repeating
    ``etl.extract.metadata``. Off (the default), its readers run only for what the page's own
    metadata lacks (``missing_metadata``); on the labelled pages that scored the same
    (body, title, authors and topics overall), and one date better.
    ``compare_extractors`` lets trafilatura compare its extraction with readability's and
    jusText's and keep the better one (off: its ``fast`` mode); see docs/benchmarks.md.
    ``recall_pass`` asks trafilatura's recall mode again on a page whose default pass left
    out several prose list items, and takes its text when clearly longer (etl.extract.recall).
    ``page_cpu_seconds`` bounds one page: trafilatura is superlinear in the number of
    paragraphs, so a hostile page of a few megabytes would otherwise hold a worker for hours.
    """

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    min_words: int = MIN_WORDS
    page_cpu_seconds: float = 60.0
    recover_lead: bool = True
    with_metadata: bool = False
    compare_extractors: bool = True
    recall_pass: bool = True


class SettingsError(ValueError):
    """Extraction settings that name an unknown switch or give a value of the wrong kind."""


def extraction_settings(
    pairs: Sequence[str] = (), config: Path | None = None
) -> ExtractionSettings:
    """Settings from a TOML file's ``[extraction]`` table, then ``NAME=VALUE`` pairs on top.

    A user tries precision against recall modes without touching code:
    ``news-archive run --config extraction.toml --set favor_recall=true``.
    """
    values: dict[str, Any] = {}
    if config is not None:
        try:
            table = tomllib.loads(config.read_text(encoding="utf-8")).get("extraction", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"--config {config}: {exc}") from exc
        if not isinstance(table, dict):
            raise SettingsError(f"--config {config}: [extraction] must be a table")
        for name, value in table.items():
            values[name] = _setting_value(name, value, f"--config {config}")
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in _SETTING_NAMES:
            raise SettingsError(
                f"--set {pair!r}: expected NAME=VALUE with NAME one of {sorted(_SETTING_NAMES)}"
            )
        values[name] = _setting_value(name, raw.strip(), "--set")
    return ExtractionSettings(**values)


_SETTING_NAMES = {f.name for f in fields(ExtractionSettings)}


def _setting_value(name: str, value: Any, where: str) -> Any:
    if name not in _SETTING_NAMES:
        raise SettingsError(f"{where}: unknown setting {name!r}; known: {sorted(_SETTING_NAMES)}")
    default = getattr(ExtractionSettings(), name)
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1", "yes"):
            return True
        if str(value).lower() in ("false", "0", "no"):
            return False
        raise SettingsError(f"{where} {name}: expected true or false, got {value!r}")
    try:
        return type(default)(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{where} {name}: {exc}") from exc


def _html_parser() -> HTMLParser:
    """trafilatura's parser settings, with element classes chosen in C.

    lxml.html picks the class of every element it hands to Python with a Python function
    (for form elements' extra methods, which nothing here uses): millions of calls a run,
    from the tree walks of trafilatura and of this module alike.
    """
    parser = HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


_HTML_PARSER = _html_parser()


def parse_html(markup: str) -> HtmlElement | None:
    """The tree of a decoded page, as ``trafilatura.utils.load_html`` builds it, or None.

    The same repairs and checks (a page that does not say "html" near its start and parses
    to less than two elements is not HTML), with ``_HTML_PARSER``.
    """
    beginning = markup[:50].lower()
    markup = repair_faulty_html(markup, beginning)
    tree: HtmlElement | None = None
    as_bytes = False
    try:
        tree = fromstring(markup, parser=_HTML_PARSER)
    except ValueError:
        # "Unicode strings with encoding declaration are not supported."
        as_bytes = True
    except etree.LxmlError:
        pass
    if as_bytes or tree is None or len(tree) < 1:
        try:
            tree = fromstring(markup.encode("utf-8", "surrogatepass"), parser=_HTML_PARSER)
        except (ValueError, etree.LxmlError):
            tree = None
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def extract_page(
    page: Page, settings: ExtractionSettings | None = None, trace: ExtractionTrace | None = None
) -> dict[str, Any]:
    """One page into a raw article record (plain Python values, one dict).

    ``trace``, when given, is filled with the decisions taken (``news-archive explain``).
    """
    settings = settings or ExtractionSettings()
    markup = decode_html(page.body, page.content_type).replace("\x00", "")
    with TRAFILATURA_CPU:
        tree = parse_html(markup)
    if tree is None:
        raise ExtractionRejected("unparseable", "no HTML tree")
    place_streamed_segments(tree, markup)
    if shows_mojibake(page.body):
        repair_mojibake(tree)
    meta = read_page_metadata(tree)
    if trace is not None:
        trace.og_type = meta.og_type
        trace.index = index_evidence(tree, page.url)
    if is_index_page(meta, tree, page.url):
        raise ExtractionRejected(
            "extraction_empty",
            f"og:type {meta.og_type}, no article date, teasers and no article: an index page",
        )
    for embed in meta.embeds:
        # Embedded posts quote someone else's words in the middle of the article; their
        # attribution line goes by the boilerplate rules, their text has to go here.
        embed.drop_tree()
    headline = choose_title(meta, None, page.url, trace)
    drop_boxes(tree, meta.boxes)
    drop_teaser_cards(tree)
    drop_other_articles(
        tree, [headline or "", *meta.titles_og[:1], *meta.titles_ld[:1], *meta.titles_twitter[:1]]
    )
    join_split_bodies(tree)
    # The walk's rubies were all of them; those still in the tree are all there are now.
    if any(in_tree(ruby, tree) for ruby in meta.rubies):
        # Ruby annotations (readings over Japanese or Chinese words) are inline text; left as
        # elements, trafilatura breaks the sentence around each of them.
        etree.strip_tags(tree, "ruby", "rb", "rt", "rp", "rtc")
    # Links stay in the text as Markdown so that cleaning can tell link lists ("Read more:
    # ...", related-article teasers) from prose; cleaning removes them. They travel through
    # trafilatura as marks, as its include_links changes what it extracts (etl.extract.links).
    marks = None if uses_marks(markup) else mark_links(tree, page.url)
    doc = _trafilatura(tree, page.url, settings, marks is None, settings.favor_recall)
    if settings.recall_pass and not settings.favor_recall and not settings.favor_precision:
        text = doc.get("text") or ""
        if text and wants_recall_pass(tree, text):
            retry = _trafilatura(tree, page.url, settings, marks is None, True)
            fuller = retry.get("text") or ""
            if len(fuller) > RECALL_MIN_GAIN * len(text) or adds_passages_within(text, fuller):
                doc = retry
                if trace is not None:
                    trace.recall_pass = True
    if marks is not None:
        doc = _unmarked(doc, marks)
    text = doc.get("text") or ""
    if trace is not None:
        trace.trafilatura_text = text
    size = shown_size(text)
    if size < settings.min_words:
        # Pages rendered by script carry the article in a data payload, not in the markup.
        payload = payload_body(tree, meta.bodies_ld)
        if payload:
            text, size = payload, shown_size(payload)
            if trace is not None:
                trace.payload_body = True
                trace.trafilatura_text = payload
    if size < settings.min_words:
        # Layouts trafilatura's scoring passes over entirely: the page's main block of prose.
        prose = prose_container_text(tree)
        if prose:
            text, size = prose, shown_size(prose)
            if trace is not None:
                trace.trafilatura_text = prose
    if not text:
        raise ExtractionRejected("extraction_empty", "trafilatura found no main text")
    if size < settings.min_words:
        raise ExtractionRejected("extraction_empty", f"main text under {settings.min_words} words")
    if not settings.with_metadata:
        missing = missing_metadata(meta, page.url)
        with TRAFILATURA_CPU:
            doc.update(read_missing(tree, page.url, missing))
    description = meta.description or doc.get("description")
    if settings.recover_lead:
        # The meta description first: it is the teaser text more often than JSON-LD's.
        lead = visible_lead(tree, [*meta.descriptions, *meta.descriptions_ld], text)
        if lead:
            text = f"{lead}\n{text}"
            if trace is not None:
                trace.lead = lead

    htmldate_day = stated_date(doc.get("date"), markup)
    published, published_from = choose_published(meta, htmldate_day, page.url, trace)
    if trace is not None and doc.get("date") and not htmldate_day:
        trace.date_candidates.append(
            ("trafilatura", f"{doc['date']} not taken: a year or month alone, not a day shown")
        )
    title = headline or doc.get("title")
    if trace is not None and not headline and title:
        trace.title_candidates.append(("trafilatura", title))
        trace.title_rule = "no statement of the page's own: trafilatura's title"
    title_variants = _title_variants(meta, title)
    # The first lines are all that can be a typed byline; links out of them as cleaning does.
    head = MARKDOWN_LINK.sub(r"\1", text[:LEAD_TEXT_CHARS])
    return {
        "url": page.url,
        "input_origin": page.origin,
        "fetched_at": page.fetched_at,
        "title": title,
        "title_variants": title_variants,
        "text": text,
        "description": description,
        "authors_raw": [*meta.authors, *(_split_people(doc.get("author")))],
        "bylines_raw": [
            *meta.bylines,
            *lead_bylines(head, title_variants),
        ],
        "credits_raw": [*meta.credits, *meta.author_orgs],
        "author_orgs_raw": meta.author_orgs,
        "captions_raw": meta.captions,
        "topics_raw": [*meta.topics, *meta.tag_lines, *(doc.get("tags") or [])],
        "keywords_raw": meta.keywords,
        "sections_raw": [*meta.sections, *(doc.get("categories") or [])],
        "breadcrumbs_raw": trail_sections(meta.breadcrumbs, title_variants),
        "published_raw": published.isoformat() if published else None,
        "published_from": published_from,
        "modified_raw": meta.modified[0].isoformat() if meta.modified else None,
        "site_name": (meta.site_names[0] if meta.site_names else doc.get("sitename")),
        "outlet_names": list(
            dict.fromkeys([*meta.site_names, *meta.organisations, *_sitename(doc)])
        ),
        "canonical_raw": meta.canonical or doc.get("url"),
        "image_url": meta.image or doc.get("image"),
        "html_lang": meta.html_lang,
    }


def _trafilatura(
    tree: HtmlElement, url: str, settings: ExtractionSettings, links: bool, recall: bool
) -> dict[str, Any]:
    """trafilatura's record for the page (it extracts from a copy: the tree stays as it is)."""
    with TRAFILATURA_CPU:
        document = bare_extraction(
            tree,
            url=url,
            with_metadata=settings.with_metadata,
            include_comments=settings.include_comments,
            include_tables=settings.include_tables,
            favor_precision=settings.favor_precision,
            favor_recall=recall,
            fast=not settings.compare_extractors,
            include_links=links,
            deduplicate=False,
        )
    if document is None:
        return {}
    return document.as_dict() if hasattr(document, "as_dict") else dict(document)


def _unmarked(doc: dict[str, Any], marks: LinkMarks) -> dict[str, Any]:
    """trafilatura's record with the link marks turned into Markdown in the text and dropped
    elsewhere, and the tree put back for the readers that come after."""
    marks.remove()
    return {
        key: (marks.markdown(value) if key == "text" else marks.unmark(value))
        if isinstance(value, str)
        else value
        for key, value in doc.items()
    }


def missing_metadata(meta: PageMetadata, url: str) -> set[str]:
    """The fields the page's own metadata leaves empty, for trafilatura's readers to try.

    The date counts as missing when ``choose_published`` finds none without trafilatura's;
    the author when the page has no structured credit (meta tags, JSON-LD), as its bylines
    are read by cleaning either way.
    """
    missing: set[str] = set()
    if choose_published(meta, None, url)[0] is None:
        missing.add("date")
    if not meta.authors:
        missing.add("author")
    if not meta.site_names:
        missing.add("sitename")
    return missing


def drop_other_articles(tree: HtmlElement, headlines: list[str]) -> None:
    """On a page that shows several articles, keep only the one under the page's headline.

    Pages that load the next story below the first (endless scrolling) hold each in its own
    ``<article>`` with its own ``<h1>``; extractors then return both stories as one text.
    ``headlines`` are the page's statements of its headline (metadata, not the h1s, which
    every story has).
    """
    articles = [a for a in tree.iter("article") if a.find(".//h1") is not None]
    if len(articles) < 2:
        return
    keys = {compact_key(h) for h in headlines if h}
    under_headline = [
        a for a in articles if any(compact_key(h.text_content()) in keys for h in a.iter("h1"))
    ]
    if not under_headline:
        return
    # Themes nest the story's <article> in a page-level one around the same h1: the innermost
    # is the story, and the outer ones are the page around it, not other stories.
    main = under_headline[0]
    for article in under_headline[1:]:
        if main in article.iterancestors():
            main = article
    above = set(main.iterancestors())
    for article in articles:
        if article is not main and article not in above:
            article.drop_tree()


def join_split_bodies(tree: HtmlElement) -> None:
    """Join an article body split into containers of one class into the first of them.

    Pages break the body into chunks (around advertisements, a paywall marker, a video) that
    are elements with the same tag and class; trafilatura reads the first matching container
    only and loses the rest of the article. Only chunks of several paragraphs count, so that
    small per-paragraph wrappers (which extractors read fine) stay as they are, and chunks
    holding a headline are separate stories (a feed of articles), not parts of one.
    """
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    # Nested members share their paragraphs: each paragraph's text is measured once.
    shown: dict[HtmlElement, int] = {}
    for element in tree.iter("div", "section"):
        cls = element.get("class")
        if cls:
            groups.setdefault((element.tag, cls), []).append(element)
    # The elements holding a headline, by walking up from the page's few h1s once: searching
    # every member's subtree for one was a third of this pass. No h1 moves below (a group
    # holding one is left as it is), so the set stays true as chunks are joined.
    holds_h1 = {ancestor for h1 in tree.iter("h1") for ancestor in h1.iterancestors()}
    for members in groups.values():
        if len(members) < 2 or any(m in holds_h1 for m in members):
            continue
        chunks = [m for m in members if _is_body_chunk(m, shown=shown)]
        if len(chunks) < 2 or _inside_prose(chunks):
            continue
        kept = _before_teaser_heading(chunks)
        # Nothing from the first chunk after such a heading on joins the body.
        end = members.index(chunks[len(kept)]) if len(kept) < len(chunks) else len(members)
        chunks = kept
        if len(chunks) < 2:
            continue
        # Every later member goes, short ones too, so that the text keeps its order; members
        # nested in another member go with it. After the last chunk only prose goes, and only
        # up to the first member without (the list's last, shorter entries follow it
        # directly): page builders give their footer and sidebar widgets (menus, addresses,
        # buttons, a partner's logo with a sentence) the class of the article's own containers.
        first = chunks[0]
        group = set(members)
        last = members.index(chunks[-1])
        for index in range(members.index(first) + 1, end):
            member = members[index]
            if index > last and not _is_body_chunk(
                member, paragraphs=1, chars=_PROSE_MIN_CHARS, shown=shown
            ):
                break
            if not any(a in group for a in member.iterancestors()):
                first.extend([*_headings_before(member, members[index - 1]), *member])
                shown.clear()  # the paragraphs moved: measured anew


_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _inside_prose(chunks: list[HtmlElement]) -> bool:
    """Whether the chunks sit in a body that has prose of its own: paragraphs beside them in
    their common container. They are then boxes within the article (product cards, asides),
    which an extractor reads along with that container; a split body has no prose between
    its chunks but theirs."""
    ancestors = list(chunks[0].iterancestors())
    inside = set(ancestors)
    for chunk in chunks[1:]:
        inside &= {chunk, *chunk.iterancestors()}
    common = next((a for a in ancestors if a in inside), None)
    if common is None:
        return False
    own = sum(len(p.text_content()) for p in common.iterchildren("p"))
    return own >= _CHUNK_MIN_CHARS


def _headings_before(member: HtmlElement, previous: HtmlElement) -> list[HtmlElement]:
    """The subheadings that stand between ``previous`` and ``member`` as siblings of their
    own, to move with ``member``: a page builder that puts every paragraph block and every
    heading in a section of its own (``<section><h2>..</h2></section><section><div
    class="text">..``) would otherwise lose its headings when the blocks join.

    Only siblings under the two members' nearest common ancestor count, and only those whose
    text is all in headings; anything else between (an image, an ad, a widget) stays.
    """
    ancestors = {previous, *previous.iterancestors()}
    wrapper = member
    for ancestor in member.iterancestors():
        if ancestor in ancestors:
            break
        wrapper = ancestor
    else:
        return []
    headings: list[HtmlElement] = []
    sibling = wrapper.getprevious()
    while sibling is not None and sibling not in ancestors:
        found = [sibling] if sibling.tag in _HEADINGS else list(sibling.iter(*_HEADINGS))
        text = _squeezed(sibling.text_content())
        if text and text == _squeezed(" ".join(h.text_content() for h in found)):
            headings[:0] = found
        sibling = sibling.getprevious()
    return headings


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _before_teaser_heading(chunks: list[HtmlElement]) -> list[HtmlElement]:
    """The chunks up to a heading of furniture between two of them ("Recommended for you",
    "Most popular"): what follows such a heading is teasers in the body's class, not more of
    the article."""
    tree = chunks[0].getroottree()
    headings = [h for h in tree.iter("h2", "h3", "h4", "h5", "h6") if h.text_content().strip()]
    if not headings:
        return chunks
    texts = [" ".join(h.text_content().split()) for h in headings]
    teasers = [h for h, flag in zip(headings, heads_teaser_block(texts), strict=True) if flag]
    if not teasers:
        return chunks
    order = {element: index for index, element in enumerate(tree.iter())}
    marks = [order[h] for h in teasers]
    for index, chunk in enumerate(chunks[1:], start=1):
        if any(order[chunks[index - 1]] < mark < order[chunk] for mark in marks):
            return chunks[:index]
    return chunks


def _is_body_chunk(
    element: HtmlElement,
    paragraphs: int = 2,
    chars: int = _CHUNK_MIN_CHARS,
    shown: dict[HtmlElement, int] | None = None,
) -> bool:
    """Prose of its own: several paragraphs with enough text and few links.

    ``shown`` keeps the paragraphs' text lengths between calls on a tree that did not change.
    """
    lengths = shown if shown is not None else {}
    sizes = []
    for p in element.iter("p"):
        size = lengths.get(p)
        if size is None:
            size = lengths[p] = len(p.text_content())
        sizes.append(size)
    if len(sizes) < paragraphs or sum(sizes) < chars:
        return False
    linked = sum(len(a.text_content()) for a in element.iter("a"))
    return linked <= 0.3 * len(element.text_content())


def payload_body(tree: HtmlElement, ld_bodies: Sequence[str] = ()) -> str | None:
    """The article text a page carries as data: JSON-LD ``articleBody`` or a script payload.

    Pages rendered in the browser (Next.js, React Query and the like) ship the article as a
    JSON string in a script (``"contentHtml": "<p>..."``) and show nothing without
    JavaScript. The longest such string under a body-like key is the article; when it is
    HTML, trafilatura reads it as a page of its own, which drops captions and embeds.
    Only asked when the markup gave no text, so the scan over scripts costs nothing on
    ordinary pages.
    """
    candidates = [b for b in ld_bodies if len(b) >= _PAYLOAD_MIN_CHARS]
    for script in tree.iter("script"):
        code = script.text or ""
        if len(code) < _PAYLOAD_MIN_CHARS:
            continue
        for match in _PAYLOAD_FIELD.finditer(code):
            try:
                value = json.loads(f'"{match.group(2)}"')
            except json.JSONDecodeError:
                continue
            if isinstance(value, str):
                candidates.append(value)
    if not candidates:
        return None
    best = max(candidates, key=len)
    if not _HTML_TAG.search(best):
        return "\n".join(line.strip() for line in best.splitlines() if line.strip()) or None
    with TRAFILATURA_CPU:
        document = bare_extraction(
            f"<html><body><article>{best}</article></body></html>",
            include_comments=False,
            include_links=True,
            deduplicate=False,
        )
    if document is None:
        return None
    doc = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    return str(doc.get("text") or "") or None


def is_index_page(meta: PageMetadata, tree: HtmlElement, url: str) -> bool:
    """A section front, home page or tag page: teasers for the site's own articles, no article.

    Section fronts are HTTP 200 pages full of teaser text that trafilatura happily returns.
    What a page declares (og:type "website" and no date) is only where to look: blogs,
    company news and magazines declare "website" on their articles as often as not. The page
    must also look like an index (``index_evidence``); in doubt it is an article.
    """
    if (
        meta.og_type not in ("website", "section", "profile")
        or meta.published
        or meta.ld_types & ARTICLE_TYPES
    ):
        return False
    return index_evidence(tree, url).is_index


@dataclass(frozen=True)
class IndexEvidence:
    """What a page shows of itself as an index; every signal is needed for the verdict."""

    index_url: bool  # the root, a section, tag or page-N path: no article slug
    teasers: int  # distinct links to the site's own article-like pages, as headlines
    prose_chars: int  # the most prose paragraph text that one container holds

    @property
    def is_index(self) -> bool:
        return (
            self.index_url
            and self.teasers >= INDEX_MIN_TEASERS
            and self.prose_chars < INDEX_MAX_PROSE_CHARS
        )


# An index shows a teaser per story (five on the smallest fronts); an article links a few
# related stories, and the other signals must agree.
INDEX_MIN_TEASERS = 5
# An article keeps a few paragraphs of prose side by side in one container, however it is
# laid out; an index has a one-paragraph summary per card. Measured on real articles of every
# kind (blogs, shops, magazines), listings and product round-ups included, the pages below
# this had next to no prose at all.
INDEX_MAX_PROSE_CHARS = 500
_PROSE_MIN_CHARS = 80
_INDEX_PATH = re.compile(
    r"(?i)/(?:page|seite|p)/\d+/?$|/(?:tags?|topics?|themen|category|categories|kategorie|"
    r"section|rubrik|ressort|author|autor)/[^/]*/?$"
)
# A path segment naming one article: three words or more, a number, a file.
_SLUG = re.compile(r"[-_].*[-_]|\d{3,}|\.(?:s?html?|php|aspx?)$", re.I)


def index_evidence(tree: HtmlElement, url: str) -> IndexEvidence:
    """The signals ``is_index_page`` weighs, measured on the page (``explain`` shows them)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    index_url = (
        not segments or not _SLUG.search(segments[-1]) or bool(_INDEX_PATH.search(parts.path))
    )
    body = tree.find("body")
    if body is None:
        return IndexEvidence(index_url, 0, 0)
    teasers: set[str] = set()
    for link in body.iter("a"):
        target = urlsplit((link.get("href") or "").strip())
        if target.scheme not in ("", "http", "https"):
            continue
        if target.hostname and target.hostname.removeprefix("www.") != host:
            continue  # a list of other sites' pages (events, products) is not a site's front
        last = [s for s in target.path.split("/") if s][-1:]
        if not last or not _SLUG.search(last[0]) or target.path == parts.path:
            continue
        headed = any(link.find(f".//{h}") is not None for h in ("h2", "h3")) or any(
            a.tag in ("h2", "h3", "h4") for a in link.iterancestors()
        )
        if headed or len(link.text_content().split()) >= 5:
            teasers.add(target.path)
    return IndexEvidence(index_url, len(teasers), _most_prose_in_one_container(body))


def _most_prose_in_one_container(body: HtmlElement) -> int:
    return max(map(sum, _prose_by_container(body).values()), default=0)


def _prose_by_container(body: HtmlElement) -> dict[HtmlElement, list[int]]:
    """The lengths of the prose paragraphs (long, few links, not inside a link) by parent."""
    by_parent: dict[HtmlElement, list[int]] = {}
    for paragraph in body.iter("p"):
        shown = " ".join(paragraph.text_content().split())
        if len(shown) < _PROSE_MIN_CHARS:
            continue
        linked = sum(len(a.text_content()) for a in paragraph.iter("a"))
        parent = paragraph.getparent()
        if linked > 0.3 * len(shown) or parent is None:
            continue
        if any(a.tag == "a" for a in paragraph.iterancestors()):
            continue  # a card's summary, inside its link
        by_parent.setdefault(parent, []).append(len(shown))
    return by_parent


def prose_container_text(tree: HtmlElement) -> str | None:
    """The paragraphs of the container holding the most prose, when it holds an article's worth.

    For pages where trafilatura finds no main text although the page shows one (its scoring
    passes over some layouts entirely): a page with that much prose side by side is an
    article, and losing it would be worse than a paragraph of furniture more or less.
    """
    body = tree.find("body")
    if body is None:
        return None
    containers = _prose_by_container(body)
    if not containers:
        return None
    container, lengths = max(containers.items(), key=lambda item: sum(item[1]))
    if sum(lengths) < INDEX_MAX_PROSE_CHARS:
        return None
    paragraphs = (" ".join(p.text_content().split()) for p in container.iterchildren("p"))
    return "\n".join(text for text in paragraphs if text) or None


def visible_lead(tree: HtmlElement, descriptions: Sequence[str], text: str) -> str | None:
    """The page's lead paragraph when trafilatura left it out, else None.

    The lead (standfirst, teaser) is usually repeated in a description (meta, Open Graph,
    Twitter or JSON-LD; tried in the order given, as they often differ), and
    extractors often drop it because it sits outside the article container. It is put back
    only where the page shows it: the first element whose text holds the description and
    not much more, so that a dateline the element adds ("Berlin. ...") comes along. A
    description cut short with "..." still finds its paragraph.
    Each of the page's texts is normalised once, whatever the number of descriptions.
    """
    text_key: str | None = None
    wants: list[str] = []
    for description in dict.fromkeys(descriptions):
        if not description or len(description) < 40:
            continue
        want = compact_key(description.rstrip(" .…"))
        if text_key is None:
            text_key = compact_key(MARKDOWN_LINK.sub(r"\1", text))
        if want[:80] not in text_key:
            # Descriptions often add a sentence the page does not show: the first 150
            # characters are what must be visible.
            wants.append(want[:150])
    body = tree.find("body")
    if not wants or body is None:
        return None
    shown = (
        _TEXT_OUTSIDE_NOSCRIPT if body.find(".//noscript") is not None else _TEXT_OUTSIDE_SCRIPTS
    )
    visible = compact_key(" ".join(cast("list[str]", shown(body))))
    wants = [want for want in wants if want in visible]
    if not wants:
        return None
    blocks = _lead_blocks(body, wants)
    for want in wants:
        limit = 2.5 * len(want) + 80
        best: str | None = None
        for element, key in blocks:
            # The innermost element holding the description: its own paragraph.
            if want in key and len(key) <= limit and not _in_furniture(element):
                shown = " ".join(element.text_content().split())
                if best is None or len(shown) < len(best):
                    best = shown
        if best:
            return best
    return None


def _lead_blocks(body: HtmlElement, wants: list[str]) -> list[tuple[HtmlElement, str]]:
    """The elements a lead can be printed in, near the top of the page, with their text's key.

    Normalising an element's text costs in proportion to its length, and containers repeat
    their children's text: elements far too short or far too long to hold one of ``wants``
    and not much more are left out before it (normalising can lengthen or shorten a text,
    but not by a factor of four or of ten for a page's paragraph).
    """
    shortest = min(len(want) for want in wants) // 4
    longest = 10 * (2.5 * max(len(want) for want in wants) + 80) + 1000
    blocks: list[tuple[HtmlElement, str]] = []
    for seen, element in enumerate(body.iter(*_LEAD_TAGS)):
        if seen > _LEAD_SEARCH_LIMIT:
            break  # leads sit near the top; a huge page is not read to its end for one
        if len(element) <= 30:
            shown = element.text_content()
            if shortest <= len(shown) <= longest:
                blocks.append((element, compact_key(shown)))
    return blocks


def _in_furniture(element: HtmlElement) -> bool:
    """In navigation, a footer, a sidebar or a picture caption: text that is not the lead."""
    if element.tag in ("figure", "figcaption") or element.find(".//figcaption") is not None:
        return True
    return any(
        a.tag in ("nav", "footer", "aside", "figure", "figcaption") for a in element.iterancestors()
    )


def trail_sections(trail: list[str], titles: list[str]) -> list[str]:
    """The sections a breadcrumb trail names: without the home link and the article itself."""
    keys = [compact_key(t) for t in titles if t]
    sections: list[str] = []
    for crumb in trail:
        key = compact_key(crumb)
        if not key or key in home_links():
            continue
        if len(crumb.split()) > 6 or any(key in t or t in key for t in keys if len(t) > 10):
            continue
        sections.append(crumb)
    return sections


def _title_variants(meta: PageMetadata, title: str | None) -> list[str]:
    """Every statement of the headline: lines repeating one of them are not body text."""
    variants = [
        *meta.h1[:3],
        *meta.titles_og[:1],
        *meta.titles_ld[:1],
        *meta.titles_twitter[:1],
        *([title] if title else []),
    ]
    return list(dict.fromkeys(v for v in variants if v))


def shown_size(text: str) -> int:
    """``text_size`` of the text as a reader sees it: a Markdown link counts by its label."""
    return text_size(MARKDOWN_LINK.sub(r"\1", text))


def text_size(text: str) -> int:
    """Words, counting two CJK characters as one (those scripts put no spaces between words)."""
    return max(len(text.split()), len(_CJK.findall(text)) // 2)


# Headlines run to about 150 characters (the longest labelled one of 838 pages: 156); a
# statement of several hundred is a description in the wrong tag or a broken attribute.
MAX_TITLE_CHARS = 300


def choose_title(
    meta: PageMetadata, fallback: str | None, url: str, trace: ExtractionTrace | None = None
) -> str | None:
    """The headline, chosen among the page's statements of it.

    JSON-LD ``headline``, ``og:title``, ``twitter:title``, the ``<h1>`` and ``<title>`` often
    differ: one carries the outlet's name, one a kicker, one an SEO rewording. Each is cleaned
    of site-name affixes first; then the social headline (og:title) is preferred, as the one
    editors write for the article itself; measured on labelled pages of many outlets it
    matched the labelled headline more often than the structured data or the h1 did.
    """
    names = site_name_keys(meta.site_names, url)
    clean = {
        source: [strip_site_name(t, names) for t in titles if t]
        for source, titles in (
            ("ld", meta.titles_ld),
            ("og", meta.titles_og),
            ("twitter", meta.titles_twitter),
            ("h1", meta.h1),
            ("title", [meta.title_tag] if meta.title_tag else []),
        )
    }
    clean = {
        k: [t for t in v if t and len(t) <= MAX_TITLE_CHARS and not _SLUG_TITLE.fullmatch(t)]
        for k, v in clean.items()
    }
    if fallback and len(fallback) > MAX_TITLE_CHARS:
        fallback = None
    if trace is not None:
        trace.title_candidates = [(source, t) for source, ts in clean.items() for t in ts]
    h1 = _best_h1(
        clean["h1"], [*clean["ld"], *clean["og"], *clean["twitter"], *clean["title"]], names
    )
    ordered = [c for c in (*clean["og"][:1], *clean["ld"][:1], h1, *clean["twitter"]) if c]
    if not ordered:
        if trace is not None:
            trace.title_rule = "no og:title, JSON-LD headline, h1 or twitter:title: <title>"
        return next(iter(clean["title"]), fallback)
    chosen = ordered[0]
    # `content="Sieger und "royaler Besuch""`: an unescaped quote ended the attribute early,
    # and another statement still has the rest.
    for other in ordered[1:] + clean["title"]:
        if (
            len(other) > len(chosen)
            and other.startswith(chosen)
            and other[len(chosen) :].lstrip()[:1] == '"'
        ):
            chosen = other
            if trace is not None:
                trace.title_rule = "a quote ended an attribute early: the longer statement"
            break
    # "Headline-Section": another statement that is the chosen one minus a tail behind a
    # separator shows the tail is an affix the outlet names did not catch.
    for other in ordered[1:]:
        tail = chosen[len(other) :] if chosen.startswith(other) else ""
        if len(other) >= 10 and 0 < len(tail) <= 20 and _AFFIX_START.match(tail):
            if trace is not None:
                trace.title_rule = f"another statement lacks the affix {tail!r}"
            return other
    # The headline as the page shows it: a statement that is the visible one (h1) plus a part
    # behind a separator carries an affix, however long ("Headline - Blog name | Tagline", an
    # SEO suffix), or a kicker set off by a bar ("Topic | Headline") that the page's headline
    # leaves out, or the site's name behind a colon ("Acme Blog: Headline"). A kicker behind
    # a colon stays: outlets print that one in the headline too.
    if h1 and len(h1) >= 10 and chosen != h1:
        tail = chosen[len(h1) :] if chosen.startswith(h1) else ""
        head = chosen[: -len(h1)] if chosen.endswith(h1) else ""
        site_prefix = head.rstrip().endswith(":") and _is_site_part(head.rstrip()[:-1], names)
        if (
            (tail and _AFFIX_AFTER_HEADLINE.match(tail))
            or (head and _KICKER_BAR.search(head))
            or site_prefix
        ):
            if trace is not None:
                trace.title_rule = f"the h1 is the chosen statement without {tail or head!r}"
            return h1
    statements = [*clean["og"][:1], *clean["ld"][:1], h1, *clean["twitter"][:1], *clean["title"]]
    spelled = typographic_majority(chosen, [t for t in statements if t])
    if trace is not None and not trace.title_rule:
        trace.title_rule = "first of og:title, JSON-LD headline, confirmed h1, twitter:title"
        if spelled != chosen:
            trace.title_rule += ", spelled as most statements spell it"
    return spelled


def typographic_majority(chosen: str, statements: list[str]) -> str:
    """The spelling of ``chosen`` that most statements use, quotes and dashes considered.

    Social titles are often typed with straight quotes and hyphens where the page prints
    typographic ones ("What's" and "What’s"); the headline is written as the page writes it,
    so among statements of the same words the most common spelling wins (ties keep ``chosen``).
    """
    key = _plain_typography(chosen)
    votes: dict[str, int] = {}
    for statement in statements:
        if statement != chosen and _plain_typography(statement) == key:
            votes[statement] = votes.get(statement, 0) + 1
    chosen_votes = sum(1 for s in statements if s == chosen)
    best = max(votes, key=lambda s: votes[s], default=None)
    return best if best is not None and votes[best] > chosen_votes else chosen


def _plain_typography(text: str) -> str:
    return " ".join(text.translate(_TYPOGRAPHY).split())


def _best_h1(headings: list[str], stated: list[str], names: set[str]) -> str | None:
    """The h1 that another source confirms, else the first that does not name the site.

    Pages also use h1 for their logo or the blog's name ("Jane's Blog" on jane.dev): an h1
    nothing else states and that names the site is not the headline.
    """
    keys = {compact_key(t) for t in stated}
    for heading in headings:
        if compact_key(heading) in keys:
            return heading
    return next((h for h in headings if not _is_site_part(h, names)), None)


def site_name_keys(site_names: list[str], url: str) -> set[str]:
    """Loose forms of the outlet's names: as the page states them and as its domain spells it."""
    keys = {compact_key(n) for n in site_names if n and len(compact_key(n)) >= 2}
    # "| WFA" for "World Future Awards": the initials of a name of three words or more.
    keys |= {
        compact_key("".join(w[0] for w in words))
        for words in (n.split() for n in site_names if n)
        if len(words) >= 3 and all(w[:1].isupper() for w in words)
    }
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host:
        keys.add(compact_key(host))
        # "blog.acme.com", "developers.slashdot.org": the first label names the part of the
        # site, the one under the public suffix names the outlet.
        for label in (host.split(".")[0], domain_label(url)):
            if len(label) >= 2:
                keys.add(compact_key(label))
    return keys


def _is_site_part(part: str, names: set[str]) -> bool:
    key = compact_key(part)
    if not key:
        return True
    if key in names or _DOMAIN_LIKE.fullmatch(part.strip()) or _DATE_LIKE.fullmatch(part.strip()):
        return True
    if _BY_LINE.match(part.strip()):
        return True
    words = part.split()
    # "NTV Haber", "Mirror Online", "Die Neue Südtiroler Tageszeitung": a short part that
    # contains the outlet's name; "Thrive Internet Marketing" for "Thrive Internet Marketing
    # Agency", "DianaHR" on getdianahr.com: the outlet's name shortened.
    return len(words) <= 5 and any(
        (len(n) >= 3 and n in key)
        or (len(words) >= 2 and n.startswith(key))
        or (len(words) == 1 and len(key) >= 5 and key in n)
        for n in names
    )


def strip_site_name(title: str, names: set[str] | list[str]) -> str:
    """Drop "| Outlet" suffixes and "Outlet - " prefixes (with a section beside the outlet)."""
    if isinstance(names, list):
        names = {compact_key(n) for n in names if n}
    title = _MARKDOWN_HEADING.sub("", " ".join(html.unescape(title).split()))
    parts = [p for p in _TITLE_SEPARATORS.split(title)]
    if len(parts) < 2:
        return _TRAILING_ORNAMENT.sub("", title)
    separators = _TITLE_SEPARATORS.findall(title)
    end = len(parts)
    dropped_site = False
    while end > 1 and _is_site_part(parts[end - 1], names):
        end -= 1
        dropped_site = True
    # "Headline - National | Globalnews.ca": the section named beside the outlet goes too.
    if (
        dropped_site
        and end >= 2
        and len(parts[end - 1].split()) <= 2
        and ":" not in separators[end - 2]
    ):
        end -= 1
    start = 0
    while start < end - 1 and _is_site_part(parts[start], names):
        start += 1
    if (start, end) == (0, len(parts)):
        return _TRAILING_ORNAMENT.sub("", title)
    kept = parts[start]
    for i in range(start + 1, end):
        kept += separators[i - 1] + parts[i]
    return kept.strip()


def choose_published(
    meta: PageMetadata,
    trafilatura_date: str | None,
    url: str = "",
    trace: ExtractionTrace | None = None,
) -> tuple[datetime | None, str]:
    """The publication time, preferring candidates that carry a time of day and an offset.

    A time without an offset (a visible dateline, a bare meta value) is taken as local time
    where the outlet's country is known from its domain, because that is how newsrooms
    print it; elsewhere it stays naive and is stored as UTC.
    """
    if trace is not None:
        trace.date_candidates = [
            *(("metadata", d.isoformat()) for d in meta.published),
            *(("dateline", line) for line in meta.datelines),
            *([("trafilatura", trafilatura_date)] if trafilatura_date else []),
        ]
    aware = [d for d in meta.published if d.tzinfo is not None]
    if aware:
        return aware[0], "metadata"
    languages = [meta.html_lang[:2].lower()] if meta.html_lang else None
    for line in meta.datelines:
        parsed = parse_dateline(line, languages)
        if parsed is not None and (parsed.hour or parsed.minute):
            return local_time(parsed, url), "dateline"
    if meta.published:
        return local_time(meta.published[0], url), "metadata"
    if trafilatura_date:
        try:
            return datetime.fromisoformat(trafilatura_date), "trafilatura"
        except ValueError:
            pass
    return None, "none"


def local_time(value: datetime, url: str) -> datetime:
    """A naive time in the outlet's country's zone (by country-code domain), if known."""
    if value.tzinfo is not None or (value.hour, value.minute, value.second) == (0, 0, 0):
        return value
    zone = country_zones().get(public_suffix(url).rsplit(".", 1)[-1]) if url else None
    if zone is None:
        return value
    try:
        return value.replace(tzinfo=ZoneInfo(zone))
    except ZoneInfoNotFoundError:
        return value


def _sitename(doc: dict[str, Any]) -> list[str]:
    name = doc.get("sitename")
    return [name] if isinstance(name, str) and name.strip() else []


def _split_people(value: str | None) -> list[str]:
    if not value:
        return []
    return [p.strip() for p in re.split(r";|,|\band\b|\bund\b|&", value) if p.strip()]
