"""Raw article records into the article table: normalised text, lists, UTC times, keys.

Columnar polars work over a batch. The body's boilerplate pass
(``etl.transform.boilerplate``) and the topic taxonomy (``etl.transform.topics``) are
expressions over exploded paragraphs and topics. The few steps that need a library or a small
parser per value (URL canonicalisation, the public-suffix list, language identification,
bylines) run once per distinct value or per page, never per paragraph.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

import polars as pl

from etl.core.schema import ARTICLE_SCHEMA
from etl.core.text import WHITESPACE_RUN, compact_key
from etl.core.urls import canonical_url, domain_label, registered_domain
from etl.extract.bylines import (
    AGENCIES,
    AGENCY_ALT,
    AGENCY_NAME,
    AMBIGUOUS_CODES,
    BYLINE_PREFIX,
    NOT_A_NAME,
    PHOTO_CREDIT,
    PHOTO_CREDIT_START,
    ROLE,
    person_name,
)
from etl.extract.metadata import MONTH_NAME
from etl.transform.boilerplate import strip_boilerplate
from etl.transform.dates import after_fetch, before_earliest
from etl.transform.language import language_identifier
from etl.transform.topics import clean_topics_frame, topic_categories_frame
from etl.transform.words import joined_words

_AGENCY_LIST = rf"(?:{AGENCY_ALT})(?:\s*(?:[/,]|und|and|&)\s*(?:{AGENCY_ALT}))*"
_AGENCY_MARKERS = [
    # "Washington (dpa) -", "BERLIN (AFP/dpa) –", "(dpa/tmn)"
    re.compile(rf"\((?P<names>{_AGENCY_LIST})(?:\s*/\s*\w{{1,5}})*\)", re.I),
    # "Quelle: dpa", "Source: Reuters", "Mit Material von dpa und AFP"
    re.compile(
        rf"\b(?:quelle|quellen|source|sources|mit material (?:von|der)|material from|"
        rf"with reporting (?:from|by)|additional reporting by|reporting by)\s*:?\s*"
        rf"(?:der |the |von )?(?:agentur(?:en)? )?(?P<names>{_AGENCY_LIST})\b",
        re.I,
    ),
    # A credit line of its own: "dpa", "(AFP)", "SDA/sep", "APA/dpa", "© dpa-infocom"
    re.compile(
        rf"^\s*(?:©\s*)?\(?(?P<names>{_AGENCY_LIST})(?:-infocom)?\)?(?:\s*/\s*\w{{1,5}})*\.?\s*$",
        re.I | re.M,
    ),
    # "... as the agency reported. (dpa)" at the very end of a paragraph
    re.compile(rf"\((?P<names>{_AGENCY_LIST})\)\s*$", re.I | re.M),
]

# "Capital Von Jemima Kelly": a brand or section, then the byline proper.
_INNER_BYLINE = re.compile(r"^(?:\S+\s+){1,3}(?:von|by)\s+(?=\S)", re.I)
# "Andrew Gerrand 4 August 2010", "Jane Roe on December 18, 2025, 9:46 pm": a name whose
# element also holds the date. Only a plain name of two to four words before a date alone:
# a name glued to a label ("Jane RoePublished"), one before a label ("Jane Roe Updated") or
# a second credit ("Updated by ...") stays unread, as before.
_NAME_THEN_DATE = re.compile(
    rf"(?-i:(?P<name>(?:[A-ZÀ-Þ][\w'’.-]*\s+){{1,3}}[A-ZÀ-Þ][\w'’.-]*))\s*[,|•·–-]?\s+"
    rf"(?:(?:on|am|le)\s+)?"
    rf"(?:\d{{1,2}}\.?\s+(?:{MONTH_NAME})\.?,?\s+\d{{4}}|(?:{MONTH_NAME})\.?\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    rf"(?:,?\s*\d{{1,2}}[:.]\d{{2}}\s*(?:[ap]\.?m\.?)?)?\s*",
    re.I,
)
# A byline's date and what follows it: "September 4, 2025", "Nov 08, 2025 7 min read".
_DATE_TAIL = re.compile(rf"\s+(?:on\s+)?(?:\d|(?i:{MONTH_NAME})\.?\s+\d).*$")
_NOT_A_BARE_NAME = re.compile(r"[a-zäöüß]{2}[A-ZÄÖÜ]|\b(?i:updated|published|posted|last)$")
_NO_NAME_WORD = re.compile(r"(?i)the|our|your|my|unser\w*|ihr\w*|mein\w*|die|der|das|von|by")
_DESK = re.compile(r"\b(?:staff|team|editors|desk|newsdesk|newsroom|redaktion)\b", re.I)
# Where a byline's credit ends and its date or separator begins.
_BYLINE_END = re.compile(r"\s*[|•·]\s*|\s*[-–—]\s+|\s+\d")
_WEB_ADDRESS = re.compile(r"\(.*?\)|\S+\.(?:com|de|org|net)\S*")
# "Www Medianotions De": a web address a CMS capitalised word by word is no credit either.
_NOT_A_CREDIT = re.compile(
    r"[@©<>{}\[\]=#]|https?:|\d{1,2}:\d{2}|\b(?:19|20)\d{2}\b|^(?i:anonymous|anonym|unknown)$"
    r"|^(?i:www)\b"
)
_DOMAIN_CREDIT = re.compile(r"[\w-]+(?:\.[a-z]{2,6})+", re.I)
_CJK_CREDIT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{3,20}")

# The opening of the text is enough to tell its language: on 761 articles (the labelled pages
# and synthetic ones in three languages) 500 characters named the same language as 5,000,
# at a third of the cost; 1,000 leave a margin.
LANGUAGE_SAMPLE_CHARS = 1000
# detect_agencies reads 400 characters at each end of the text once photo credits are out;
# this much of each end leaves room for the credit lines it removes first.
AGENCY_TEXT_CHARS = 3000


def clean_articles(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw extraction records (see ``extract.extract_page``) into rows of ``ARTICLE_SCHEMA``."""
    if raw.is_empty():
        return pl.DataFrame(schema=article_polars_schema())
    frame = strip_boilerplate(boilerplate_input(raw))
    frame = frame.with_columns(
        canonical_url=pl.struct("url", "canonical_raw").map_elements(
            lambda r: canonical_url(r["url"], r["canonical_raw"]), return_dtype=pl.String
        ),
        published=_utc_from_iso(pl.col("published_raw")),
        modified=_utc_from_iso(pl.col("modified_raw")),
        word_count=pl.col("text").str.normalize("NFC").str.count_matches(r"\w+").cast(pl.Int32),
        agencies=pl.struct(
            _ends(pl.col("full_text"), AGENCY_TEXT_CHARS),
            "authors_raw",
            "bylines_raw",
            "credits_raw",
        ).map_elements(
            lambda r: detect_agencies(
                r["full_text"],
                [*(r["authors_raw"] or []), *(r["bylines_raw"] or [])],
                r["credits_raw"],
            ),
            return_dtype=pl.List(pl.String),
        ),
        # Only the sample crosses into Python: copying whole texts cost more than reading them.
        language=pl.struct(
            pl.col("text").str.slice(0, LANGUAGE_SAMPLE_CHARS), "html_lang"
        ).map_elements(
            lambda r: detect_language(r["text"], r["html_lang"]), return_dtype=pl.String
        ),
        content_hash=pl.col("text").map_elements(content_hash, return_dtype=pl.String),
    )
    frame = frame.with_columns(
        credit=pl.struct(
            "authors_raw", "bylines_raw", "outlet_names", "url", "author_orgs_raw", "agencies"
        ).map_elements(
            _credit_columns,
            return_dtype=pl.Struct({"authors": pl.List(pl.String), "author_kind": pl.String}),
        ),
    ).unnest("credit")
    frame = frame.with_columns(topics=clean_topics_frame(frame))
    frame = frame.with_columns(
        topic_categories=topic_categories_frame(frame["topics"]),
        source=pl.col("canonical_url").map_elements(registered_domain, return_dtype=pl.String),
        article_id=pl.col("canonical_url").map_elements(stable_hash, return_dtype=pl.String),
    )
    frame = _checked_dates(frame)
    # Set by the later stages: story_id by dedup, run_id by the store.
    frame = frame.with_columns(story_id=pl.col("article_id"), run_id=pl.lit(None, pl.String))
    return frame.select(
        [pl.col(name).cast(dtype) for name, dtype in article_polars_schema().items()]
    )


def boilerplate_input(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw records as ``strip_boilerplate`` reads them: text and titles normalised, the
    people the page credits in one column (``explain`` reads the line verdicts of this)."""
    return _with_optional_columns(raw).with_columns(
        title=_normalise_inline(pl.col("title")),
        text=_normalise_lines(pl.col("text")),
        description=_normalise_inline(pl.col("description")),
        site_name=_normalise_inline(pl.col("site_name")),
        people=pl.concat_list(
            pl.col("authors_raw").fill_null([]), pl.col("bylines_raw").fill_null([])
        ),
    )


def _credit_columns(row: dict[str, Any]) -> dict[str, Any]:
    names, kind = credited_authors(
        row["authors_raw"],
        row["bylines_raw"],
        [*(row["outlet_names"] or []), _label(row["url"])],
        row["author_orgs_raw"],
        row["agencies"],
    )
    return {"authors": names, "author_kind": kind}


def _ends(text: pl.Expr, chars: int) -> pl.Expr:
    """The first and last ``chars`` characters of a longer text, joined by a line break."""
    return (
        pl.when(text.str.len_chars() > 2 * chars)
        .then(pl.concat_str(text.str.head(chars), pl.lit("\n"), text.str.tail(chars)))
        .otherwise(text)
    )


def article_polars_schema() -> pl.Schema:
    return pl.DataFrame(ARTICLE_SCHEMA.empty_table()).schema


_OPTIONAL_LISTS = (
    "title_variants", "bylines_raw", "credits_raw", "sections_raw", "keywords_raw",
    "breadcrumbs_raw", "outlet_names", "author_orgs_raw", "captions_raw",
)  # fmt: skip
_OPTIONAL_STRINGS = ("published_from", "feed_published_raw")


def _with_optional_columns(raw: pl.DataFrame) -> pl.DataFrame:
    """Staged records written before a field existed still clean (re-processing old runs)."""
    missing = [
        *(pl.lit(None, pl.List(pl.String)).alias(c) for c in _OPTIONAL_LISTS),
        *(pl.lit(None, pl.String).alias(c) for c in _OPTIONAL_STRINGS),
    ]
    return raw.with_columns([m for m in missing if m.meta.output_name() not in raw.columns])


# Text keeps the Unicode form the page used (some pages are decomposed, NFD): rewriting it
# would make the stored text differ from the page's. Everything that compares or counts
# text (hashes, word counts, shingles, headline matching, language) normalises first.


def _normalise_inline(column: pl.Expr) -> pl.Expr:
    """NFC (decomposed and composed umlauts must compare, search and hash alike), one space."""
    return (
        column.str.normalize("NFC")
        .str.replace_all(r"[\u200b\u00ad\ufeff]", "")
        .str.replace_all(WHITESPACE_RUN, " ")
        .str.strip_chars()
    )


# Spaces of any width in a run of two or more, or alone if not a plain space: what
# ``[...]+`` finds, less the lone plain spaces it would replace by themselves (see
# ``WHITESPACE_RUN``).
_SPACES = r"\u00a0\u2000-\u200a\u202f\u205f\u3000\t"
_SPACE_RUN = rf"[{_SPACES} ]{{2,}}|[{_SPACES}]"


def _normalise_lines(column: pl.Expr) -> pl.Expr:
    """NFC, one space between words; lines stay lines for the paragraph pass."""
    return (
        column.str.normalize("NFC")
        .str.replace_all(_SPACE_RUN, " ")
        .str.replace_all(r"[\u200b\u00ad\ufeff]", "")
        .str.replace_all(r" *\r?\n[\n ]*", "\n")
        .str.strip_chars()
    )


def _utc_from_iso(column: pl.Expr) -> pl.Expr:
    """ISO strings with any offset into a struct of (UTC timestamp, offset in minutes).

    Naive values are taken as UTC with an unknown offset.
    """
    column = column.str.replace(r"(?i)z$", "+00:00")
    offset_text = column.str.extract(r"([+-]\d{2}):?(\d{2})$", 0)
    offset = column.str.extract(r"([+-])\d{2}:?\d{2}$", 1).replace_strict(
        {"+": 1, "-": -1}, default=None, return_dtype=pl.Int32
    ) * (
        column.str.extract(r"[+-](\d{2}):?\d{2}$", 1).cast(pl.Int32) * 60
        + column.str.extract(r"[+-]\d{2}:?(\d{2})$", 1).cast(pl.Int32)
    )
    aware = column.str.to_datetime(
        format="%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_zone="UTC", time_unit="us"
    )
    naive = column.str.to_datetime(
        format="%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us"
    ).dt.replace_time_zone("UTC")
    day = column.str.to_date(format="%Y-%m-%d", strict=False).cast(pl.Datetime("us", "UTC"))
    utc = pl.when(offset_text.is_not_null()).then(aware).otherwise(pl.coalesce(naive, day))
    return pl.struct(utc.alias("utc"), offset.alias("offset"))


def _checked_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """Publication and modification times, with impossible ones dropped and flagged.

    The rule is ``etl.transform.dates``: a time after the fetch (beyond clock skew) or before
    1990 is a misread. It is dropped and the row says why in ``date_flags``.
    """
    published = pl.col("published").struct.field("utc")
    modified = pl.col("modified").struct.field("utc")
    checks = {
        "published_after_fetch": after_fetch(published),
        "published_before_1990": before_earliest(published),
        "modified_after_fetch": after_fetch(modified),
        "modified_before_1990": before_earliest(modified),
    }
    flags = pl.concat_list(
        [pl.when(test.fill_null(False)).then(pl.lit(name)) for name, test in checks.items()]
    ).list.drop_nulls()
    bad_published = (checks["published_after_fetch"] | checks["published_before_1990"]).fill_null(
        False
    )
    bad_modified = (checks["modified_after_fetch"] | checks["modified_before_1990"]).fill_null(
        False
    )
    return frame.with_columns(
        date_flags=flags,
        published_at=pl.when(bad_published).then(None).otherwise(published),
        published_offset_minutes=pl.when(bad_published)
        .then(None)
        .otherwise(pl.col("published").struct.field("offset").cast(pl.Int16)),
        published_source=pl.when(published.is_null() | bad_published)
        .then(None)
        .otherwise(pl.col("published_from")),
        modified_at=pl.when(bad_modified).then(None).otherwise(modified),
    )


def dropped_publication_dates(articles: pl.DataFrame) -> int:
    """How many rows lost an impossible publication date in cleaning (for run summaries)."""
    if "date_flags" not in articles.columns or articles.is_empty():
        return 0
    flagged = articles["date_flags"].list.eval(pl.element().str.starts_with("published_"))
    return int(flagged.list.any().sum())


def stable_hash(value: str) -> str:
    return hashlib.blake2b(value.encode(), digest_size=16).hexdigest()


def content_hash(text: str) -> str:
    """Hash of the words only, so whitespace and case changes do not count as new content."""
    return stable_hash(joined_words(unicodedata.normalize("NFC", text).casefold()))


def clean_authors(
    raw: list[str] | None,
    bylines: list[str] | None = None,
    outlets: list[str] | None = None,
) -> list[str]:
    """People only: no outlets, agencies, "Von"/"By", roles, dates or photo credits.

    The structured credits (JSON-LD, meta tags) come first. Only where they name no person
    is the visible byline read, and only the first one: later byline elements on a page
    belong to teasers of other articles (measured: merging them cost more than it gained).
    """
    return _credits(raw or [], bylines, _outlet_keys(raw or [], outlets))[0]


def credited_authors(
    raw: list[str] | None,
    bylines: list[str] | None = None,
    outlets: list[str] | None = None,
    organisations: list[str] | None = None,
    agencies: list[str] | None = None,
) -> tuple[list[str], str | None]:
    """Who the article credits, and whether that is a "person" or an "organisation".

    The people (``clean_authors``) whenever the page names any. A page that names no person
    still says whose text it is ("dpa", "Associated Press", "DER SPIEGEL", "Guardian staff
    reporter"): that credit is kept as the page states it rather than leaving the row
    anonymous, in this order: a stated credit other than the outlet's bare name, a wire
    agency in the byline, the outlet's own name as its metadata credits it, an agency
    credited elsewhere (``agencies``: the dateline, "Quelle: dpa").
    """
    raw = raw or []
    outlet_keys = _outlet_keys(raw, outlets)
    people, agency = _credits(raw, bylines, outlet_keys)
    if people:
        return people, "person"
    stated = [
        c
        for c in (_organisation_credit(i, outlet_keys) for i in [*raw, *(organisations or [])])
        if c
    ]
    credits = [c for c in stated if compact_key(c) not in outlet_keys or AGENCY_NAME.fullmatch(c)]
    own_name = [c for c in stated if compact_key(c) in outlet_keys]
    first_byline = (bylines or [])[:1]
    desk = [c for c in (_desk_credit(line) for line in first_byline) if c]
    signed = [c for c in (_outlet_byline(line, outlet_keys) for line in first_byline) if c]
    fallbacks = [
        *credits[:1],
        *([agency] if agency else []),
        *desk,
        *own_name[:1],
        *signed,
        *(agencies or [])[:1],
    ]
    return (fallbacks[:1], "organisation") if fallbacks else ([], None)


def _outlet_keys(raw: list[str], outlets: list[str] | None) -> set[str]:
    keys = {compact_key(o) for o in outlets or [] if o and len(compact_key(o)) >= 3}
    # "Deutsche Welle (www.dw.com)": a name given with a web address is an organisation.
    keys |= {
        compact_key(_WEB_ADDRESS.sub("", item))
        for item in raw
        if NOT_A_NAME.search(item) and re.search(r"\w\.(?:com|de|org|net|[a-z]{2})\b", item)
    } - {""}
    return keys


def _credits(
    raw: list[str], bylines: list[str] | None, outlet_keys: set[str]
) -> tuple[list[str], str | None]:
    """The people credited, else the agency the first byline names (as written there).

    A first name alone in the metadata ("Susan") comes before the bylines only where the
    first byline shows it too ("Written by Susan"); otherwise after them.
    """
    people = _people_in(raw, outlet_keys)
    if people:
        return people, None
    given = _given_names(raw, outlet_keys)
    if given and bylines and all(name in bylines[0].split() for name in given):
        return given, None
    for line in bylines or []:
        names = _people_in([line], outlet_keys)
        if names:
            return names, None
        if agency := AGENCY_NAME.search(line):
            return [], agency.group(0)
    return given, None


# First names credited together ("Linny and Peter", "Anna & Tom"): a couple's blog.
_GIVEN_NAMES_JOINED = re.compile(r"\s+(?:and|und|et|&)\s+")
_MAX_GIVEN_NAMES = 3


def _organisation_credit(item: str, outlet_keys: set[str]) -> str | None:
    """A stated credit that names an organisation: an agency, an outlet, a desk or a team."""
    credit = BYLINE_PREFIX.sub("", re.sub(r"\(.*?\)", "", " ".join(item.split()))).strip(" .,-|")
    if not credit or len(credit) > 60 or _NOT_A_CREDIT.search(credit):
        return None
    if AGENCY_NAME.fullmatch(credit) or ROLE.search(credit) or len(credit.split()) >= 2:
        return credit
    # One word: the outlet's own name ("Euronews"), a domain ("NDR.de") or a name in a
    # script without spaces ("読売新聞オンライン"); any other lone word ("amw") is a signature.
    if compact_key(credit) in outlet_keys or _DOMAIN_CREDIT.fullmatch(credit):
        return credit
    return credit if _CJK_CREDIT.fullmatch(credit) else None


def _desk_credit(byline: str) -> str | None:
    """A byline that credits a desk or team ("Podium Staff", "EDB Team", "The Currency editors")."""
    credit = BYLINE_PREFIX.sub("", " ".join(byline.split()))
    credit = _DATE_TAIL.sub("", credit).strip(" .,-|")  # "EDB Team September 4, 2025"
    if len(credit.split()) > 4 or _NOT_A_CREDIT.search(credit) or not _DESK.search(credit):
        return None
    # A named desk ("Podium Staff"), not a newsroom in general ("unserer Redaktion", "Our Team").
    named = [w for w in _DESK.sub(" ", credit).split() if not _NO_NAME_WORD.fullmatch(w)]
    return credit if any(w[:1].isupper() for w in named) else None


def _outlet_byline(byline: str, outlet_keys: set[str]) -> str | None:
    """A byline that names the outlet itself ("By Hardtail Canada", "Acme | May 3, 2025")."""
    credit = _BYLINE_END.split(BYLINE_PREFIX.sub("", " ".join(byline.split())), maxsplit=1)[0]
    credit = credit.strip(" .,-|")
    return credit if credit and compact_key(credit) in outlet_keys else None


def _label(url: str | None) -> str:
    """The outlet's domain label ("ilanga" for www.ilanga.co.za): bylines often credit it."""
    if not url:
        return ""
    return domain_label(url)


# Where one credited name ends: lists ("A, B und C"), and an agency set after a person
# behind a spaced dash ("Paula Steiger - dpa").
_CREDIT_PARTS = re.compile(r"\s*(?:;|,|/|\||·|•|\band\b|\bund\b|\bet\b|\by\b|&)\s*|\s+[-–—]\s+")
# A bracket after a name holds another part of the credit: the agency, place or role
# ("Paula Steiger (SDA)", "Anna Meier (Text) und Peter Huber (Fotos)", a form's unclosed
# "Name (erforderlich"); one inside a name is part of it ("Paramita (Guha) Ghosh").
_BRACKET_AFTER_NAME = re.compile(
    r"\s*\(([^()]*)\)(?=\s*(?:$|[;,/|·•&]|\band\b|\bund\b|\bet\b))|\s*\(([^()]*)$"
)


def _bracket_as_part(match: re.Match[str]) -> str:
    inside = match.group(1) if match.group(1) is not None else match.group(2)
    return f", {inside}"


def _without_trailing_date(item: str) -> str:
    dated = _NAME_THEN_DATE.fullmatch(item)
    if dated is None or _NOT_A_BARE_NAME.search(dated["name"]):
        return item
    return dated["name"]


def _given_names(raw: list[str], outlet_keys: set[str]) -> list[str]:
    """The stated credit when it is first names alone ("Susan", "Linny and Peter"), as blogs
    credit writers.

    Only a whole credit, and only the one: one-word parts of several credits ("Roy",
    "Aniruddha" for "Roy, Aniruddha") are pieces of names written surname first.
    """
    credits = {BYLINE_PREFIX.sub("", " ".join(item.split())) for item in raw} - {""}
    if len(credits) != 1:
        return []
    parts = _GIVEN_NAMES_JOINED.split(credits.pop())
    names = [person_name(part, outlet_keys, given_name=True) for part in parts]
    if len(names) > _MAX_GIVEN_NAMES or not all(name and " " not in name for name in names):
        return []
    return [name for name in names if name]


def _people_in(items: list[str], outlet_keys: set[str]) -> list[str]:
    people: list[str] = []
    seen: set[str] = set()
    for item in items:
        if PHOTO_CREDIT_START.match(item):
            continue
        item = _without_trailing_date(BYLINE_PREFIX.sub("", " ".join(item.split())))
        item = _INNER_BYLINE.sub("", item)
        item = _BRACKET_AFTER_NAME.sub(_bracket_as_part, item)
        for part in _CREDIT_PARTS.split(item):
            name = person_name(part, outlet_keys)
            if name and compact_key(name) not in seen:
                seen.add(compact_key(name))
                people.append(name)
    return people


def detect_agencies(
    text: str | None, bylines: list[str] | None, credits: list[str] | None = None
) -> list[str]:
    """Wire agencies named in the dateline, the credits at the end, the byline or credits."""
    found: list[str] = []

    def add(name: str) -> None:
        agency = AGENCIES[name.lower()]
        if agency not in found:
            found.append(agency)

    # Photo credits name the picture agency ("Foto: Kay Nietfeld/dpa"), not the text's.
    text = "\n".join(
        "" if ("©" in line or ":" in line) and PHOTO_CREDIT.search(line) else line
        for line in (text or "").split("\n")
    )
    windows = [text[:400], text[-400:], *(bylines or []), *(credits or [])]
    for window in windows:
        for marker in _AGENCY_MARKERS:
            for match in marker.finditer(window):
                for name in AGENCY_NAME.findall(match.group("names")):
                    add(name)
    for line in [*(bylines or []), *(credits or [])]:
        if PHOTO_CREDIT_START.match(line):
            continue
        for name in AGENCY_NAME.findall(line):
            # "dpa" and "Reuters" in a byline are credits; "AP" or "PA" loose in a sentence
            # are not, unless written in capitals.
            if name.lower() not in AMBIGUOUS_CODES or name.isupper():
                add(name)
    return found


def detect_language(text: str | None, html_lang: str | None) -> str | None:
    """Language of the text by py3langid; the page's ``lang`` attribute breaks near-ties."""
    declared = (html_lang or "").split("-")[0].split("_")[0].strip().lower() or None
    if not text or len(text) < 20:
        return declared
    sample = unicodedata.normalize("NFC", text[:LANGUAGE_SAMPLE_CHARS])
    ranked: list[Any] = language_identifier().rank(sample)
    best, best_p = ranked[0]
    if declared and best != declared:
        for lang, p in ranked[1:5]:
            if lang == declared and p >= best_p * 0.5:
                return str(declared)
    return str(best)
