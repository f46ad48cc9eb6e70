"""Raw article records into the article table: normalised text, lists, UTC times, keys.

Columnar polars work over a batch. The few steps that need a library per value (URL
canonicalisation, the public-suffix list, language identification) run once per distinct
value or per page, never per paragraph.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

import courlan
import polars as pl
import py3langid
import tldextract

from etl.schema import ARTICLE_SCHEMA

# Wire agencies, as they appear in datelines ("Washington (dpa) -"), credits ("Quelle: dpa")
# and bylines ("Von Max Muster, dpa"). Longest first, so "dpa-AFX" wins over "dpa".
AGENCIES = {
    "dpa-afx": "dpa-AFX", "dpa": "dpa", "afp": "AFP", "reuters": "Reuters", "ap": "AP",
    "kna": "KNA", "epd": "epd", "sid": "SID", "apa": "APA", "keystone-sda": "Keystone-SDA",
    "sda": "Keystone-SDA", "ats": "Keystone-SDA", "anp": "ANP", "dts": "dts", "afx": "dpa-AFX",
    "efe": "EFE", "ansa": "ANSA", "pa": "PA", "upi": "UPI", "bloomberg": "Bloomberg",
    "belga": "Belga", "tass": "TASS", "xinhua": "Xinhua", "ntb": "NTB", "tt": "TT",
    "ritzau": "Ritzau", "stt": "STT", "kyodo": "Kyodo", "yonhap": "Yonhap", "aap": "AAP",
    "associated press": "AP", "agence france-presse": "AFP", "deutsche presse-agentur": "dpa",
}  # fmt: skip
_AGENCY_ALT = "|".join(re.escape(k) for k in sorted(AGENCIES, key=len, reverse=True))
_AGENCY_MARKERS = [
    # "Washington (dpa) -", "BERLIN (AFP/dpa) –"
    re.compile(rf"\((?P<names>(?:{_AGENCY_ALT})(?:\s*[/,]\s*(?:{_AGENCY_ALT}))*)\)\s*[-–—:]", re.I),
    # "Quelle: dpa", "Source: Reuters", "Mit Material von dpa und AFP"
    re.compile(
        rf"\b(?:quelle|quellen|source|sources|mit material (?:von|der)|material from)\s*:?\s*"
        rf"(?P<names>(?:{_AGENCY_ALT})(?:\s*(?:[/,]|und|and)\s*(?:{_AGENCY_ALT}))*)\b",
        re.I,
    ),
    # "(dpa)" or "/dpa" at the very end of the text, "dpa/abc" credit lines
    re.compile(rf"(?:^|\s)\(?(?P<names>{_AGENCY_ALT})\)?\s*$", re.I),
]
_AGENCY_NAME = re.compile(rf"\b({_AGENCY_ALT})\b", re.I)
_BYLINE_PREFIX = re.compile(r"^\s*(?:von|by|text|autor|author|written by)\s*:?\s+", re.I)
_NOT_A_PERSON = re.compile(
    r"\d|@|https?:|redaktion|newsroom|staff|editorial|online|\.de\b|\.com\b|agentur|desk",
    re.I,
)

_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_LANG_IDENTIFIER = py3langid.langid.LanguageIdentifier.from_model_file(
    py3langid.langid.MODEL_FILE, norm_probs=True
)


def clean_articles(raw: pl.DataFrame) -> pl.DataFrame:
    """Raw extraction records (see ``extract.extract_page``) into rows of ``ARTICLE_SCHEMA``."""
    if raw.is_empty():
        return pl.DataFrame(schema=article_polars_schema())
    frame = raw.with_columns(
        title=_normalise_inline(pl.col("title")),
        text=_normalise_paragraphs(pl.col("text")),
        description=_normalise_inline(pl.col("description")),
        site_name=_normalise_inline(pl.col("site_name")),
    )
    frame = frame.with_columns(
        canonical_url=pl.struct("url", "canonical_raw").map_elements(
            lambda r: canonical_url(r["url"], r["canonical_raw"]), return_dtype=pl.String
        ),
        published=_utc_from_iso(pl.col("published_raw")),
        modified_at=_utc_from_iso(pl.col("modified_raw")).struct.field("utc"),
        word_count=pl.col("text").str.count_matches(r"\w+").cast(pl.Int32),
        authors=pl.struct("authors_raw", "title").map_elements(
            lambda r: clean_authors(r["authors_raw"]), return_dtype=pl.List(pl.String)
        ),
        topics=pl.struct("topics_raw").map_elements(
            lambda r: clean_topics(r["topics_raw"]), return_dtype=pl.List(pl.String)
        ),
        agencies=pl.struct("text", "authors_raw").map_elements(
            lambda r: detect_agencies(r["text"], r["authors_raw"]),
            return_dtype=pl.List(pl.String),
        ),
        language=pl.struct("text", "html_lang").map_elements(
            lambda r: detect_language(r["text"], r["html_lang"]), return_dtype=pl.String
        ),
        content_hash=pl.col("text").map_elements(content_hash, return_dtype=pl.String),
    )
    frame = frame.with_columns(
        published_at=pl.col("published").struct.field("utc"),
        published_offset_minutes=pl.col("published").struct.field("offset").cast(pl.Int16),
        source=pl.col("canonical_url").map_elements(registered_domain, return_dtype=pl.String),
        article_id=pl.col("canonical_url").map_elements(stable_hash, return_dtype=pl.String),
    )
    # Set by the later stages: story_id by dedup, run_id by the store.
    frame = frame.with_columns(story_id=pl.col("article_id"), run_id=pl.lit(None, pl.String))
    return frame.select(
        [pl.col(name).cast(dtype) for name, dtype in article_polars_schema().items()]
    )


def article_polars_schema() -> pl.Schema:
    return pl.DataFrame(ARTICLE_SCHEMA.empty_table()).schema


def _normalise_inline(column: pl.Expr) -> pl.Expr:
    return column.str.normalize("NFC").str.replace_all(r"\s+", " ").str.strip_chars()


def _normalise_paragraphs(column: pl.Expr) -> pl.Expr:
    """NFC, one space between words, one blank line between paragraphs, no empty paragraphs."""
    return (
        column.str.normalize("NFC")
        .str.replace_all(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t ]+", " ")
        .str.replace_all(r"[\u200b\u00ad\ufeff]", "")
        .str.replace_all(r" *\n[\n ]*", "\n\n")
        .str.strip_chars()
    )


def _utc_from_iso(column: pl.Expr) -> pl.Expr:
    """ISO strings with any offset into a struct of (UTC timestamp, offset in minutes).

    Naive values are taken as UTC with an unknown offset.
    """
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


def canonical_url(url: str, canonical: str | None) -> str:
    """The page's canonical link where it stays on the same site, normalised; else the URL."""
    chosen = url
    if (
        canonical
        and canonical.startswith(("http://", "https://"))
        and registered_domain(canonical) == registered_domain(url)
    ):
        chosen = canonical
    try:
        normalised = courlan.normalize_url(chosen)
    except (ValueError, TypeError):
        normalised = chosen
    return normalised.split("#", 1)[0]


@lru_cache(maxsize=65536)
def registered_domain(url: str) -> str:
    """The outlet key: registered domain by the public-suffix list (bundled, no download)."""
    if url.startswith("file:"):
        return "local"
    parts = _EXTRACTOR(url)
    return parts.top_domain_under_public_suffix or parts.domain or "unknown"


def stable_hash(value: str) -> str:
    return hashlib.blake2b(value.encode(), digest_size=16).hexdigest()


def content_hash(text: str) -> str:
    """Hash of the words only, so whitespace and case changes do not count as new content."""
    return stable_hash(" ".join(re.findall(r"\w+", text.casefold())))


def clean_authors(raw: list[str] | None) -> list[str]:
    """People only: no outlets, agencies, "Von"/"By", roles or dates."""
    people: list[str] = []
    seen: set[str] = set()
    for item in raw or []:
        for part in re.split(r";|,|\s+(?:and|und|&)\s+", item):
            name = _BYLINE_PREFIX.sub("", " ".join(part.split())).strip(" .-|")
            if not name or len(name) > 60 or len(name.split()) > 5 or len(name.split()) < 2:
                continue
            if _NOT_A_PERSON.search(name) or _AGENCY_NAME.fullmatch(name):
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                people.append(name)
    return people


def clean_topics(raw: list[str] | None) -> list[str]:
    topics: list[str] = []
    seen: set[str] = set()
    for item in raw or []:
        for part in re.split(r"[,;|/]|\s+>\s+", item):
            topic = " ".join(part.split()).strip(" #.-")
            key = topic.casefold()
            if 1 < len(topic) <= 60 and key not in seen:
                seen.add(key)
                topics.append(topic)
    return topics


def detect_agencies(text: str | None, bylines: list[str] | None) -> list[str]:
    """Wire agencies named in the dateline, the credits at the end, or the byline."""
    found: list[str] = []
    text = text or ""
    windows = [text[:400], text[-300:], *(bylines or [])]
    for window in windows:
        for marker in _AGENCY_MARKERS:
            for match in marker.finditer(window):
                for name in _AGENCY_NAME.findall(match.group("names")):
                    agency = AGENCIES[name.lower()]
                    if agency not in found:
                        found.append(agency)
    for byline in bylines or []:
        for name in _AGENCY_NAME.findall(byline):
            agency = AGENCIES[name.lower()]
            if agency not in found and (name.isupper() or name.islower() or len(name) > 3):
                found.append(agency)
    return found


def detect_language(text: str | None, html_lang: str | None) -> str | None:
    """Language of the text by py3langid; the page's ``lang`` attribute breaks near-ties."""
    declared = (html_lang or "").split("-")[0].strip().lower() or None
    if not text or len(text) < 20:
        return declared
    ranked: list[Any] = _LANG_IDENTIFIER.rank(text[:5000])
    best, best_p = ranked[0]
    if declared and best != declared:
        for lang, p in ranked[1:5]:
            if lang == declared and p >= best_p * 0.5:
                return str(declared)
    return str(best)
