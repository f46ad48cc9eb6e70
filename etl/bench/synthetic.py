"""Synthetic inputs for the benchmark: a news crawl as a WARC file, and a large lake of articles.

The benchmark must run anywhere, offline, and say the same thing twice, so its inputs are made
here from a seed rather than downloaded. What matters for speed is imitated on purpose: pages of
100-300 KB, most of it scripts, navigation and teaser blocks around a short article (as on real
news sites); several page templates and three languages; about 30% of the pages are wire copy
syndicated to other outlets with small edits; a few re-fetches of the same URL; and a few broken
responses (HTTP errors, PDFs, empty, truncated or binary bodies, wrong charsets).
"""

# The vocabulary tables keep one slot per line, however long.
# ruff: noqa: E501

from __future__ import annotations

import html
import json
import random
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from etl.core.datadir import DataDir
from etl.core.schema import ARTICLE_SCHEMA

CRAWL_START = datetime(2025, 10, 1, tzinfo=UTC)
SYNDICATED_SHARE = 0.3
REFETCH_SHARE = 0.03
BROKEN_SHARE = 0.015
MIN_PAGE_BYTES = 100_000
MAX_PAGE_BYTES = 300_000

# --------------------------------------------------------------------------------------------
# Text: sentences from a small grammar per language, so that py3langid, the word counts and
# the five-word shingles of MinHash behave as on prose (random articles share few shingles).
# --------------------------------------------------------------------------------------------


def _alts(choices: str) -> list[str]:
    return choices.split("|")


_WORDS: dict[str, dict[str, list[str]]] = {
    "en": {
        "subject": _alts("The city council|The government|The minister|Opposition leaders|The central bank|Local residents|The company|Union representatives|The court|Police officers|Health officials|The mayor|Researchers|The committee|Farmers|Teachers|The regional authority|Investors|The coach|Fire crews"),
        "verb": _alts("announced|rejected|criticised|approved|discussed|postponed|welcomed|presented|defended|questioned|confirmed|reviewed|expanded|cancelled|supported"),
        "object": _alts("a new budget plan|the tax reform|plans for a railway line|the housing programme|a proposal on energy prices|the hospital merger|the school timetable|new rules for landlords|the climate strategy|a ban on night flights|the pension changes|a report on water quality|the stadium project|measures against flooding|the wage agreement"),
        "tail": _alts("on Tuesday|after a long debate|despite strong protests|in a statement|earlier this week|at a press conference|according to officials|for the coming year|by a narrow majority|without giving details|in the capital|after months of talks"),
        "topic": _alts("Politics|Economy|Sport|Climate|Health|Education|Transport|Housing|Energy|Justice|Europe|Technology|Culture|Agriculture|Labour"),
        "first": _alts("James|Mary|Robert|Linda|Michael|Sarah|David|Emma|Daniel|Laura|Thomas|Alice"),
        "last": _alts("Smith|Walker|Brown|Taylor|Wilson|Clarke|Hughes|Evans|Turner|Baker|Hill|Cooper"),
    },
    "de": {
        "subject": _alts("Der Stadtrat|Die Bundesregierung|Die Ministerin|Die Opposition|Die Zentralbank|Die Anwohner|Das Unternehmen|Die Gewerkschaft|Das Gericht|Die Polizei|Das Gesundheitsamt|Der Bürgermeister|Die Forscher|Der Ausschuss|Die Landwirte|Die Lehrer|Die Landesregierung|Die Anleger|Der Trainer|Die Feuerwehr"),
        "verb": _alts("kündigte|lehnte|kritisierte|billigte|beriet|verschob|begrüßte|stellte|verteidigte|prüfte|bestätigte|erweiterte|stoppte|unterstützte|diskutierte"),
        "object": _alts("einen neuen Haushaltsplan|die Steuerreform|Pläne für eine Bahnstrecke|das Wohnungsprogramm|einen Vorschlag zu Energiepreisen|die Fusion der Kliniken|den Stundenplan der Schulen|neue Regeln für Vermieter|die Klimastrategie|ein Nachtflugverbot|die Rentenreform|einen Bericht zur Wasserqualität|das Stadionprojekt|Maßnahmen gegen Hochwasser|den Tarifvertrag"),
        "tail": _alts("am Dienstag|nach langer Debatte|trotz heftiger Proteste|in einer Mitteilung|zu Beginn der Woche|auf einer Pressekonferenz|nach Angaben der Behörden|für das kommende Jahr|mit knapper Mehrheit|ohne Einzelheiten zu nennen|in der Hauptstadt|nach monatelangen Gesprächen"),
        "topic": _alts("Politik|Wirtschaft|Sport|Klima|Gesundheit|Bildung|Verkehr|Wohnen|Energie|Justiz|Europa|Technik|Kultur|Landwirtschaft|Arbeit"),
        "first": _alts("Anna|Lukas|Marie|Jonas|Sophie|Felix|Laura|Paul|Julia|Tim|Lena|Max"),
        "last": _alts("Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Koch|Richter"),
    },
    "fr": {
        "subject": _alts("Le conseil municipal|Le gouvernement|La ministre|L'opposition|La banque centrale|Les habitants|L'entreprise|Les syndicats|Le tribunal|La police|Les autorités sanitaires|Le maire|Les chercheurs|La commission|Les agriculteurs|Les enseignants|La région|Les investisseurs|L'entraîneur|Les pompiers"),
        "verb": _alts("a annoncé|a rejeté|a critiqué|a approuvé|a examiné|a reporté|a salué|a présenté|a défendu|a contesté|a confirmé|a étendu|a annulé|a soutenu|a discuté"),
        "object": _alts("un nouveau budget|la réforme fiscale|le projet de ligne ferroviaire|le programme de logement|une proposition sur les prix de l'énergie|la fusion des hôpitaux|les horaires scolaires|de nouvelles règles pour les propriétaires|la stratégie climatique|une interdiction des vols de nuit|la réforme des retraites|un rapport sur la qualité de l'eau|le projet de stade|des mesures contre les inondations|l'accord salarial"),
        "tail": _alts("mardi|après un long débat|malgré de vives protestations|dans un communiqué|en début de semaine|lors d'une conférence de presse|selon les autorités|pour l'année prochaine|à une courte majorité|sans donner de détails|dans la capitale|après des mois de négociations"),
        "topic": _alts("Politique|Économie|Sport|Climat|Santé|Éducation|Transports|Logement|Énergie|Justice|Europe|Technologie|Culture|Agriculture|Travail"),
        "first": _alts("Camille|Louis|Chloé|Hugo|Léa|Jules|Manon|Lucas|Inès|Nathan|Emma|Théo"),
        "last": _alts("Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent"),
    },
}  # fmt: skip
_CAPITALS = {"en": "LONDON", "de": "BERLIN", "fr": "PARIS"}
_AGENCIES = {"en": ["Reuters", "AP"], "de": ["dpa", "AFP"], "fr": ["AFP"]}
_TEMPLATES = ("classic", "modern", "nextjs", "wordpress", "legacy")


@dataclass(frozen=True)
class Outlet:
    domain: str
    name: str
    language: str
    template: str
    charset: str
    bundle: str = field(repr=False)


@dataclass
class Story:
    title: str
    paragraphs: list[str]
    topics: list[str]
    authors: list[str]
    agency: str | None
    language: str


@dataclass
class CorpusCounts:
    """What the generator wrote, for the benchmark's printout and the smoke test."""

    pages: int = 0
    syndicated: int = 0
    refetched: int = 0
    broken: int = 0
    bytes: int = 0


def _sentence(rng: random.Random, lang: str) -> str:
    w = _WORDS[lang]
    number = rng.randint(2, 950)
    extra = {
        "en": f"The plan covers {number} projects.",
        "de": f"Der Plan umfasst {number} Projekte.",
        "fr": f"Le plan comprend {number} projets.",
    }[lang]
    core = (
        f"{rng.choice(w['subject'])} {rng.choice(w['verb'])} {rng.choice(w['object'])} "
        f"{rng.choice(w['tail'])}"
    )
    if lang == "de":
        # Separable verbs put their particle last: enough German for a language detector.
        core += " " + rng.choice(["an", "ab", "vor", "zu", "fest"])
    return core + "." + (" " + extra if rng.random() < 0.15 else "")


def _paragraph(rng: random.Random, lang: str) -> str:
    return " ".join(_sentence(rng, lang) for _ in range(rng.randint(2, 5)))


def sentences(rng: random.Random, lang: str, count: int) -> list[str]:
    """``count`` sentences of the grammar in ``lang`` ("en", "de" or "fr"): prose whose
    five-word shingles behave as real ones, for texts made without a page around them."""
    return [_sentence(rng, lang) for _ in range(count)]


def _person(rng: random.Random, lang: str) -> str:
    return f"{rng.choice(_WORDS[lang]['first'])} {rng.choice(_WORDS[lang]['last'])}"


def _story(rng: random.Random, lang: str, agency: str | None) -> Story:
    paragraphs = [_paragraph(rng, lang) for _ in range(rng.randint(5, 16))]
    if agency:
        paragraphs[0] = f"{_CAPITALS[lang]} ({agency}) - {paragraphs[0]}"
    title = _sentence(rng, lang).split(".")[0]
    return Story(
        title=title,
        paragraphs=paragraphs,
        topics=rng.sample(_WORDS[lang]["topic"], rng.randint(1, 3)),
        authors=[] if agency else [_person(rng, lang) for _ in range(rng.randint(1, 2))],
        agency=agency,
        language=lang,
    )


def _syndicated_copy(rng: random.Random, wire: Story) -> Story:
    """Another outlet's copy of a wire story: a cut end, an own lead, a changed word."""
    paragraphs = list(wire.paragraphs)
    if rng.random() < 0.5 and len(paragraphs) > 4:
        paragraphs.pop()
    if rng.random() < 0.3:
        paragraphs.insert(1, _paragraph(rng, wire.language))
    if rng.random() < 0.5:
        i = rng.randrange(len(paragraphs))
        paragraphs[i] = paragraphs[i].replace(" the ", " this ", 1).replace(" die ", " diese ", 1)
    return Story(wire.title, paragraphs, list(wire.topics), [], wire.agency, wire.language)


def _outlets(rng: random.Random) -> list[Outlet]:
    outlets = []
    tlds = {"en": ["co.uk", "com"], "de": ["de", "at"], "fr": ["fr", "be"]}
    for i in range(24):
        lang = ("en", "de", "fr")[i % 3]
        template = _TEMPLATES[i % len(_TEMPLATES)]
        stem = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9)))
        domain = f"{stem}-news.{rng.choice(tlds[lang])}"
        # Legacy sites still serve Latin-1 (and say so); the rest UTF-8.
        charset = "iso-8859-1" if template == "legacy" and lang != "en" else "utf-8"
        outlets.append(
            Outlet(domain, f"{stem.title()} News", lang, template, charset, _bundle(rng, 60_000))
        )
    return outlets


def _bundle(rng: random.Random, size: int) -> str:
    """A minified-script lookalike: the same on every page of an outlet, as a real bundle is."""
    names = [
        "".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(1, 3)))
        for _ in range(400)
    ]
    parts: list[str] = []
    length = 0
    while length < size:
        a, b, c = rng.choice(names), rng.choice(names), rng.choice(names)
        part = (
            f"function {a}{length}({b},{c}){{return {b}&&{c}.{a}?{b}[{rng.randint(0, 99)}]:{c}}};"
        )
        parts.append(part)
        length += len(part)
    return "".join(parts)


def _teasers(rng: random.Random, outlet: Outlet, count: int) -> str:
    items = []
    for i in range(count):
        title = html.escape(_sentence(rng, outlet.language).split(".")[0])
        path = (
            f"/{rng.choice(_WORDS[outlet.language]['topic']).lower()}/{rng.randint(10**6, 10**7)}"
        )
        items.append(
            f'<div class="teaser teaser--{i % 3}"><a href="{path}.html" class="teaser__link">'
            f'<figure class="teaser__img"><img src="https://img.{outlet.domain}{path}.jpg" '
            f'alt="" loading="lazy" width="320" height="180"></figure>'
            f'<span class="teaser__kicker">{rng.choice(_WORDS[outlet.language]["topic"])}</span>'
            f'<h3 class="teaser__title">{title}</h3></a>'
            f'<span class="teaser__meta">{rng.randint(1, 59)} min</span></div>'
        )
    return "\n".join(items)


def _nav(rng: random.Random, outlet: Outlet, count: int) -> str:
    topics = _WORDS[outlet.language]["topic"]
    links = "".join(
        f'<li class="nav__item"><a href="/{topics[i % len(topics)].lower()}/{i}/">'
        f"{topics[i % len(topics)]} {i}</a></li>"
        for i in range(count)
    )
    return f'<nav class="mega-menu"><ul class="nav__list">{links}</ul></nav>'


def _comments(rng: random.Random, outlet: Outlet, count: int) -> str:
    if not count:
        return ""
    items = "".join(
        f'<li class="comment"><div class="comment__author">{_person(rng, outlet.language)}</div>'
        f'<div class="comment__body"><p>{html.escape(_sentence(rng, outlet.language))}</p></div></li>'
        for _ in range(count)
    )
    return f'<section id="comments" class="comments"><h2>Comments</h2><ol>{items}</ol></section>'


def render_page(
    rng: random.Random, outlet: Outlet, story: Story, url: str, published: datetime
) -> bytes:
    """One article page in the outlet's template, padded with scripts to a realistic size."""
    lang = outlet.language
    target = rng.randint(MIN_PAGE_BYTES, MAX_PAGE_BYTES)
    title = html.escape(story.title)
    iso = published.isoformat()
    byline = ", ".join(story.authors) or (story.agency or "")
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    keywords = html.escape(", ".join(story.topics))
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": iso,
            "author": [{"@type": "Person", "name": a} for a in story.authors],
            "keywords": story.topics,
            "publisher": {"@type": "Organization", "name": outlet.name},
        },
        ensure_ascii=False,
    )
    head = (
        f'<meta charset="{outlet.charset}"><title>{title} | {html.escape(outlet.name)}</title>'
        f'<link rel="canonical" href="{url}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{outlet.bundle[:4000].replace('function', '.c')}</style>"
        f"<script>{outlet.bundle}</script>"
    )
    nav = _nav(rng, outlet, rng.randint(80, 220))
    teasers = _teasers(rng, outlet, rng.randint(20, 70))
    comments = _comments(rng, outlet, rng.randint(0, 25) if rng.random() < 0.4 else 0)
    footer = (
        '<footer class="site-footer"><ul>'
        + "".join(f'<li><a href="/info/{i}">Info {i}</a></li>' for i in range(40))
        + f"</ul><p>&copy; 2025 {html.escape(outlet.name)}</p></footer>"
    )
    tags = "".join(
        f'<a rel="tag" href="/tag/{t.lower()}">{html.escape(t)}</a> ' for t in story.topics
    )
    if outlet.template == "modern":
        head += (
            f'<meta property="og:title" content="{title}">'
            f'<meta property="og:site_name" content="{html.escape(outlet.name)}">'
            f'<meta property="article:published_time" content="{iso}">'
            f'<meta name="keywords" content="{keywords}">'
            f'<script type="application/ld+json">{ld}</script>'
        )
        main = (
            f'<main id="main"><article class="article"><header><h1>{title}</h1>'
            f'<p class="byline">{html.escape(byline)} <time datetime="{iso}">{published:%d.%m.%Y %H:%M}</time></p>'
            f'</header><div class="article__body">{body}</div></article>'
            f'<aside class="related">{teasers}</aside></main>'
        )
    elif outlet.template == "nextjs":
        head += f'<script type="application/ld+json">{ld}</script>'
        state = json.dumps(
            {"props": {"pageProps": {"article": {"title": story.title, "body": story.paragraphs}}}},
            ensure_ascii=False,
        )
        main = (
            f'<div id="__next"><div class="Layout_root__x1"><div class="Article_wrap__a9">'
            f'<h1 class="Article_title__z2">{title}</h1><div class="Article_meta__k3">'
            f'<span class="Byline_name__q1">{html.escape(byline)}</span>'
            f'<span class="Date_time__p0">{published:%B %d, %Y %H:%M}</span></div>'
            f'<div class="Article_body__r5">{body}</div></div>'
            f'<div class="Rail_root__m2">{teasers}</div></div></div>'
            f'<script id="__NEXT_DATA__" type="application/json">{state}</script>'
        )
    elif outlet.template == "wordpress":
        head += f'<meta name="description" content="{html.escape(story.paragraphs[0][:150])}">'
        main = (
            f'<div id="page" class="site"><div id="content" class="site-content">'
            f'<article class="post type-post"><h1 class="entry-title">{title}</h1>'
            f'<div class="entry-meta"><span class="posted-on">'
            f'<time class="entry-date published" datetime="{iso}">{published:%Y-%m-%d}</time>'
            f'</span> <span class="author vcard">{html.escape(byline)}</span></div>'
            f'<div class="entry-content">{body}</div>'
            f'<footer class="entry-footer"><span class="tags-links">{tags}</span></footer>'
            f'</article>{comments}<div id="secondary" class="widget-area">{teasers}</div></div></div>'
        )
    elif outlet.template == "legacy":
        main = (
            f'<table width="100%"><tr><td class="left" valign="top">{teasers}</td>'
            f'<td class="content" valign="top"><h1><font size="5">{title}</font></h1>'
            f'<p class="date">{published:%d.%m.%Y}</p><div class="text">{body}</div>'
            f'<p class="author">{html.escape(byline)}</p></td></tr></table>'
        )
    else:  # classic
        head += (
            f'<meta property="og:title" content="{title}">'
            f'<meta name="date" content="{iso}">'
            f'<meta name="news_keywords" content="{keywords}">'
        )
        main = (
            f'<div id="wrapper"><div class="breadcrumb"><a href="/">Home</a> &gt; '
            f'{html.escape(story.topics[0])}</div><div class="col-main"><div class="story">'
            f'<h1 class="headline">{title}</h1><div class="dateline">{published:%d %B %Y}</div>'
            f'<div class="story-body">{body}</div><div class="story-author">{html.escape(byline)}</div>'
            f'</div>{comments}</div><div class="col-side">{teasers}</div></div>'
        )
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}</head><body>'
        f'<header class="site-header"><a class="logo" href="/">{html.escape(outlet.name)}</a>{nav}</header>'
        f"{main}{footer}"
    )
    # Ad and tracking configuration: the part of a real page that makes it 200 KB.
    padding = max(0, target - len(page.encode("utf-8")) - 40)
    filler = (outlet.bundle * (padding // len(outlet.bundle) + 1))[:padding]
    page += f"<script>var cfg='{filler}';</script></body></html>"
    return page.encode(outlet.charset, errors="xmlcharrefreplace")


def _stamp(record: ArcWarcRecord, rng: random.Random, when: datetime) -> None:
    """Record id and date from the seed, not from the clock: the same seed, the same bytes."""
    record_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    record.rec_headers.replace_header("WARC-Record-ID", f"<urn:uuid:{record_id}>")
    record.rec_headers.replace_header("WARC-Date", when.strftime("%Y-%m-%dT%H:%M:%SZ"))


def _broken(rng: random.Random, outlet: Outlet, url: str, kind: str) -> tuple[int, str, bytes]:
    if kind == "404":
        return 404, "text/html", b"<html><body><h1>Not found</h1></body></html>"
    if kind == "503":
        return 503, "text/html", b"<html><body>Service unavailable</body></html>"
    if kind == "pdf":
        return 200, "application/pdf", b"%PDF-1.4\n" + rng.randbytes(20_000)
    if kind == "empty":
        return 200, "text/html; charset=utf-8", b""
    if kind == "binary":
        return 200, "text/html", rng.randbytes(50_000)
    # "index": a section front with teasers only, no article.
    teasers = _teasers(rng, outlet, 60)
    page = f"<html><head><title>{outlet.name}</title></head><body>{teasers}</body></html>"
    return 200, "text/html; charset=utf-8", page.encode()


def write_corpus(path: Path, pages: int, seed: int = 7) -> CorpusCounts:
    """Write ``pages`` response records to a gzipped WARC file; the same seed, the same file."""
    rng = random.Random(seed)
    outlets = _outlets(rng)
    counts = CorpusCounts()
    wires: dict[str, list[Story]] = {"en": [], "de": [], "fr": []}
    seen: list[tuple[str, str, bytes, datetime]] = []
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        info = {"software": "news-archive bench", "seed": str(seed), "pages": str(pages)}
        warcinfo = writer.create_warcinfo_record(path.name, info)
        _stamp(warcinfo, rng, CRAWL_START)
        writer.write_record(warcinfo)
        for i in range(pages):
            fetched = CRAWL_START + timedelta(seconds=i * 2_592_000 // max(pages, 1))
            roll = rng.random()
            outlet = rng.choice(outlets)
            url = f"https://www.{outlet.domain}/{rng.choice(_WORDS[outlet.language]['topic']).lower()}/{i:07d}-{rng.randint(1000, 9999)}.html"
            status, content_type = 200, f"text/html; charset={outlet.charset}"
            # Broken responses at a fixed stride, so that even a small corpus has some.
            if i % round(1 / BROKEN_SHARE) == round(1 / BROKEN_SHARE) // 2:
                kind = rng.choice(
                    ["404", "503", "pdf", "empty", "binary", "index", "truncated", "charset"]
                )
                counts.broken += 1
                if kind in ("truncated", "charset"):
                    story = _story(rng, outlet.language, None)
                    body = render_page(rng, outlet, story, url, fetched - timedelta(hours=2))
                    if kind == "truncated":
                        body = body[: len(body) * 2 // 5]
                    else:
                        # The header claims UTF-8, the bytes are Latin-1.
                        body = body.decode(outlet.charset).encode("iso-8859-1", "xmlcharrefreplace")
                        content_type = "text/html; charset=utf-8"
                else:
                    status, content_type, body = _broken(rng, outlet, url, kind)
            elif roll < REFETCH_SHARE and seen:
                # The same URL fetched again later, unchanged (most refetches are).
                url, content_type, body, _ = rng.choice(seen[-200:])
                counts.refetched += 1
            else:
                same_language = wires[outlet.language]
                if roll < REFETCH_SHARE + SYNDICATED_SHARE and same_language:
                    story = _syndicated_copy(rng, rng.choice(same_language[-50:]))
                    counts.syndicated += 1
                else:
                    agency = rng.choice(_AGENCIES[outlet.language]) if rng.random() < 0.25 else None
                    story = _story(rng, outlet.language, agency)
                    if agency:
                        same_language.append(story)
                published = fetched - timedelta(minutes=rng.randint(5, 600))
                body = render_page(rng, outlet, story, url, published)
                seen.append((url, content_type, body, fetched))
            http_headers = StatusAndHeaders(
                f"{status} {'OK' if status == 200 else 'Error'}",
                [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                length=len(body),
                http_headers=http_headers,
            )
            _stamp(record, rng, fetched)
            writer.write_record(record)
            counts.pages += 1
            counts.bytes += len(body)
    temporary.replace(path)
    return counts


# --------------------------------------------------------------------------------------------
# A lake of generated article rows, for warehouse query latency at a scale no test corpus has.
# --------------------------------------------------------------------------------------------


def write_article_lake(
    data: DataDir, rows: int, seed: int = 7, days: int = 60, run_id: str = "bench"
) -> int:
    """``rows`` articles over ``days`` days into ``data``'s lake (``articles``) (one file per day).

    Vectorised with numpy, so a million rows take seconds: texts are short sentences from the
    same grammar as the pages, enough vocabulary for search to find a rare term in few rows.
    """
    rng = np.random.default_rng(seed)
    py_rng = random.Random(seed)
    sources = [f"outlet{i:03d}.example" for i in range(200)]
    topics_all = sorted({t for lang in _WORDS for t in _WORDS[lang]["topic"]})
    # A pool of sentences to draw texts from; a few rare marker words make selective searches.
    pool = [_sentence(py_rng, ("en", "de", "fr")[i % 3]) for i in range(5000)]
    pool += [
        f"The inquiry into the {w} affair continued." for w in ("zeppelin", "quasar", "marzipan")
    ]
    pool_arr = np.array(pool, dtype=object)
    per_day = np.full(days, rows // days)
    per_day[: rows % days] += 1
    start = date(2025, 9, 1)
    written = 0
    for day_index, count in enumerate(per_day.tolist()):
        day = start + timedelta(days=day_index)
        ids = np.arange(written, written + count)
        # Weighted sources: a few big outlets, a long tail, as in any news sample.
        source_idx = np.minimum(rng.zipf(1.3, count) - 1, len(sources) - 1)
        # Rare marker sentences appear in roughly 1 of 25,000 texts.
        picks = rng.integers(0, len(pool) - 3, size=(count, 6))
        marker = rng.random(count) < 4e-5
        picks[marker, 0] = len(pool) - 3 + rng.integers(0, 3, size=int(marker.sum()))
        texts = [" ".join(row) for row in pool_arr[picks].tolist()]
        seconds = rng.integers(0, 86_400, size=count)
        published = [
            datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=int(s))
            for s in seconds.tolist()
        ]
        topic_idx = rng.integers(0, len(topics_all), size=(count, 3))
        n_topics = rng.integers(1, 4, size=count)
        topics = [
            [topics_all[t] for t in row[:n]]
            for row, n in zip(topic_idx.tolist(), n_topics.tolist(), strict=True)
        ]
        article_ids = [f"{i:032x}" for i in ids.tolist()]
        urls = [
            f"https://{sources[s]}/a/{i}"
            for s, i in zip(source_idx.tolist(), ids.tolist(), strict=True)
        ]
        columns: dict[str, list[Any]] = {
            "article_id": article_ids,
            "story_id": article_ids,
            "url": urls,
            "canonical_url": urls,
            "source": [sources[s] for s in source_idx.tolist()],
            "title": [t[:80] for t in texts],
            "text": texts,
            "authors": [[] for _ in range(count)],
            "agencies": [[] for _ in range(count)],
            "topics": topics,
            "published_at": published,
            "fetched_at": published,
            "language": ["en"] * count,
            "word_count": [len(t.split()) for t in texts],
            "content_hash": article_ids,
            "input_origin": ["synthetic"] * count,
            "run_id": [run_id] * count,
        }
        table = pa.Table.from_arrays(
            [
                pa.array(columns[f.name], f.type) if f.name in columns else pa.nulls(count, f.type)
                for f in ARTICLE_SCHEMA
            ],
            schema=ARTICLE_SCHEMA,
        )
        folder = data.partition("articles", day)
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / DataDir.part_name(run_id), compression="zstd")
        written += count
    return written


def iter_corpus_urls(path: Path) -> Iterator[str]:
    """The target URIs of a corpus file (for tests)."""
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                yield record.rec_headers.get_header("WARC-Target-URI")
