"""Who a byline names: people's names, wire agencies and the words that are neither.

Read by extraction (``lead_bylines``: a byline typed as the body's first paragraph) and by
cleaning (``etl.transform.clean``: the credited authors and agencies), so it lives with the
earlier stage and the later one imports it. The word lists are rule tables in ``etl/rules/``:
``agencies.toml`` and ``byline_words.toml``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import cache

from etl.core.resources import rules_toml
from etl.core.text import compact_key

# A byline typed as a paragraph stands among the first lines, before the prose starts.
LEAD_BYLINE_LINES = 4
PROSE_MIN_WORDS = 20


@cache
def agencies() -> dict[str, str]:
    """Agency names as written (lower case) -> display name, from ``etl/rules/agencies.toml``."""
    names: dict[str, str] = rules_toml("agencies.toml")["names"]
    return dict(names)


@cache
def ambiguous_agency_codes() -> frozenset[str]:
    """Agency codes that are everyday words somewhere ("ap", "tt"): trusted only as credits."""
    codes: list[str] = rules_toml("agencies.toml")["ambiguous"]
    return frozenset(codes)


@cache
def byline_words() -> tuple[str, ...]:
    """Role, organisation and web words (``etl/rules/byline_words.toml``), in file order."""
    table = rules_toml("byline_words.toml")
    return (*table["roles"], *table["organisations"], *table["web"])


AGENCIES = agencies()
AMBIGUOUS_CODES = ambiguous_agency_codes()
# Longest first, so "dpa-AFX" wins over "dpa".
AGENCY_ALT = "|".join(re.escape(k) for k in sorted(AGENCIES, key=len, reverse=True))
AGENCY_NAME = re.compile(rf"(?<![\w-])({AGENCY_ALT})(?![\w-])", re.I)

BYLINE_PREFIX = re.compile(
    r"^\s*[-–•]?\s*(?:von|by|text|texte|autor|autorin|author|authors|written by|reporting by|"
    r"posted by|geschrieben von|verfasst von|von unseren?|por|par|di|av|af|door|af|van)"
    r"(?:\s*:\s*|\s+)",
    re.I,
)
ROLE = re.compile(rf"\b(?:{'|'.join(re.escape(w) for w in byline_words())})\b", re.I)
# A star marks a form's required field ("Name *"), never a person's name; nor does a colon
# stand inside one ("Back Pain: Quick Facts", "Blog Navigation: Related" are widget labels);
# "Anonymous" and a form's "Name" credit no one.
NOT_A_NAME = re.compile(
    r"\d|@|https?:|\.(?:de|com|org|net|uk|at|ch)\b|[|<>{}\[\]=#*:]"
    r"|\b(?i:anonymous|anonym|unknown|unbekannt|name)\b"
)
# "BySummer Swann": the prefix glued to the name where the page sets them in two elements;
# "Martina BergAutor": a role label glued after it the same way.
_GLUED_PREFIX = re.compile(r"^(?:By|Von)(?=[A-ZÄÖÜ][a-zäöüß])")
_GLUED_ROLE = re.compile(r"(?<=[a-zäöüß])(?:Autor|Autorin|Author|Redakteur|Redakteurin|Editor)$")
# Photo credits, two rules for two places. They differ on purpose and are kept as measured:
# PHOTO_CREDIT finds a credit anywhere in a line of body text ("... Foto: Kay Nietfeld/dpa",
#   "© Reuters"), so the picture agency is not taken for the text's (``detect_agencies``).
#   Searched only in lines with a colon or a "©": as one multi-line pattern
#   (``^.*\bfoto...:.*$``) over the text, or over every line, the case-insensitive keywords
#   were tried at every position of every line.
# PHOTO_CREDIT_START tells a credit item (a byline, a stated credit) that is a photo credit:
#   it opens with the label ("Foto: Kay Nietfeld", "(Bild: dpa)"); a name with a "©" in it is
#   still read.
PHOTO_CREDIT = re.compile(r"\b(?:foto|fotos|bild|photo|image|picture|credit)s?\s*:|©", re.I)
PHOTO_CREDIT_START = re.compile(r"\s*\(?\s*(?:foto|bild|photo|image|credit)s?\s*:", re.I)
# Korean and Japanese bylines: "박준석 기자 외 1명" (reporter ... and one more), "記者".
_CJK_ROLE = re.compile(r"\s*(?:기자|특파원|논설위원|외\s*\d+\s*명|외$|記者|特派員|編集委員)\s*")
_CJK_NAME = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{2,5}$")
# "Matt CheckHead Winemaker": a title glued to the surname where the page sets them apart.
_GLUED_WORD = re.compile(r"(?<=[a-zäöüß]{3})[A-ZÄÖÜ]")
# Words that begin a job title after a name; ``ROLE``'s words do too.
_JOB_TITLE_WORDS = {
    "founder", "co-founder", "cofounder", "ceo", "cto", "cfo", "coo", "head", "director",
    "manager", "consultant", "reviewer", "former", "senior", "lead", "chief", "president",
    "gardener", "winemaker", "owner", "partner", "founding", "associate", "professor",
}  # fmt: skip
_GIVEN_NAME = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ]{2,14}")
_NAME_PARTICLES = {
    "von", "van", "de", "der", "den", "da", "di", "du", "le", "la", "al", "bin", "ibn", "el",
    "dos", "das", "del", "zu", "ter", "ten", "af",
}  # fmt: skip


def lead_bylines(text: str, titles: Sequence[str] = ()) -> list[str]:
    """Byline paragraphs at the head of the body: lines that are only people's names.

    Small outlets type the byline as the article's first paragraph ("Mathatisi Sebusi/
    Mohalenyane Phakela") while their CMS credits an account or the outlet. A line qualifies
    only when every part of it is a name of two to four capitalised words, it stands before
    the first paragraph of prose, and that paragraph follows it directly: kickers and section
    labels ("Middle East") stand over the headline, subheadings further down; a headline in
    title case ("Biden Signs Bill") is recognised by ``titles``.
    """
    headlines = {compact_key(t) for t in titles}
    nonempty = (" ".join(line.split()) for line in text.split("\n", 200) if line.strip())
    lines = list(itertools.islice(nonempty, LEAD_BYLINE_LINES + 1))
    found: list[str] = []
    for line, after in itertools.pairwise(lines):
        if len(line.split()) >= PROSE_MIN_WORDS:
            break
        if (
            len(after.split()) >= PROSE_MIN_WORDS
            and len(line) <= 80
            and compact_key(line) not in headlines
            and _is_names_only(line)
        ):
            found.append(line)
    return found


def _job_title_dropped(name: str) -> str:
    """The name of two words without the job title a byline sets after it.

    Spaced ("Celeste Longacre Gardener", "Liz Kenny Former McKinsey Consultant") or glued
    where the page sets them apart ("Matt CheckHead Winemaker", "Robert TschudiExpert");
    a capital inside a name ("Mark SubbaRao") stays.
    """
    glued = _GLUED_WORD.search(name)
    if glued and " " in name[: glued.start()] and _is_title_word(name[glued.start() :].split()[0]):
        name = name[: glued.start()]
    words = name.split()
    if len(words) >= 3 and words[2].casefold() in _JOB_TITLE_WORDS:
        return " ".join(words[:2])
    return name


def _is_job_title(word: str) -> bool:
    return word.casefold() in _JOB_TITLE_WORDS


def _is_title_word(word: str) -> bool:
    return word.casefold() in _JOB_TITLE_WORDS or bool(ROLE.fullmatch(word))


def _names_outlet(words: list[str], outlet_key: str) -> bool:
    """The name is the outlet's: "Ilanga D", an account named for ilanga.co.za, initials added.

    Not where a person's own site is named for them: John Scalzi on scalzi.com (the outlet
    is the surname), Ibrahim Diallo on "Ibrahim Diallo Blog".
    """
    key = compact_key(" ".join(words))
    core = compact_key(" ".join(w for w in words if len(w.strip(".")) > 1))
    if not (outlet_key in key or key in outlet_key or (len(core) >= 4 and core in outlet_key)):
        return False
    own_site = len(words) >= 2 and (
        outlet_key == compact_key(words[-1]) or outlet_key in (f"{key}blog", f"{key}sblog")
    )
    return not own_site


def _is_names_only(line: str) -> bool:
    """Every part of ``line`` is a name of two to four words."""
    if re.search(r"[.!?:;…]$|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", line):
        return False
    body = BYLINE_PREFIX.sub("", line)
    parts = re.split(r"\s*(?:,|/|&|\band\b|\bund\b)\s*", body)
    return all(2 <= len(part.split()) <= 4 and person_name(part, set()) == part for part in parts)


def person_name(part: str, outlet_keys: set[str], given_name: bool = False) -> str | None:
    """``part`` as a person's name, or None: a role, an agency, an outlet, a phrase.

    ``given_name`` also takes one capitalised word ("Susan"), as a blog's metadata credits
    its writer; a visible byline of one word is more often a section or a signature.
    """
    name = _GLUED_ROLE.sub("", _GLUED_PREFIX.sub("", part.strip()))
    name = _CJK_ROLE.sub(" ", BYLINE_PREFIX.sub("", name))
    name = name.strip(" .-–|:()")
    name = _job_title_dropped(" ".join(name.split()))
    half = len(name) // 2
    if name[:half].strip() == name[half + 1 :].strip():
        name = name[:half].strip()  # "Anna Beispiel Anna Beispiel": a doubled byline
    if not name or len(name) > 60 or NOT_A_NAME.search(name):
        return None
    words = name.split()
    one_word_name = _CJK_NAME.match(name) or (given_name and _GIVEN_NAME.fullmatch(name))
    if len(words) > 5 or (len(words) < 2 and not one_word_name):
        return None
    if ROLE.search(name) or AGENCY_NAME.fullmatch(name) or any(map(_is_job_title, words)):
        return None
    if any(_names_outlet(words, outlet) for outlet in outlet_keys):
        return None
    # A name is capitalised in scripts that have case: "foo bar" is a phrase, not a person.
    if any(w[:1].islower() and w not in _NAME_PARTICLES for w in words):
        return None
    return name
