#!/usr/bin/env python3
"""Generate the news-archive sample corpus: saved pages, a WARC file and their ground truth.

Why this exists: the pipeline needs inputs that look like what crawlers really deliver
(seven outlets with different templates, boilerplate around every article, syndicated wire
copy, broken and non-article responses) but that the project may redistribute and whose
correct extraction is known. The article contents live in ``articles.toml``; this script
only knows the page templates, so a page can be changed without touching code.

Everything is deterministic: no clock, no randomness, gzip with mtime 0, WARC dates and
record ids derived from the data. Re-running it reproduces every file byte for byte.

    .venv/bin/python data/samples/generate.py
"""

# The page templates keep one HTML element per line, which is easier to read than wrapped markup.
# ruff: noqa: E501

from __future__ import annotations

import gzip
import html
import json
import re
import struct
import sys
import tomllib
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import lxml.html
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = Path(__file__).resolve().parent
HTML_DIR = HERE / "html"
WARC_PATH = HERE / "warc" / "samples.warc.gz"
EXPECTED_PATH = HERE / "expected.jsonl"
WARC_ORIGIN = "warc/samples.warc.gz"
WARC_STARTED = "2025-10-10T00:00:00Z"  # the warcinfo record's date: when the "crawl" began

# --------------------------------------------------------------------------------------------
# The data model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    alt: str
    caption: str
    credit: str


@dataclass(frozen=True)
class Article:
    """One article page as it is stored in articles.toml, after resolving ``base``/``edits``."""

    id: str
    outlet: str
    store: str  # "html", "html.gz" or "warc"
    url: str
    fetched_at: str
    story: str
    section: str
    title: str
    kicker: str
    published: str | None
    modified: str | None
    authors: list[str]
    agencies: list[str]
    byline: str
    topics: list[str]
    lead: str
    body: list[str]
    image: Image | None
    comments: int
    jsonld: bool
    http: dict[str, Any]
    same_article_as: str | None
    must_not_contain: list[str] | None

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body if not p.startswith("## ")]

    @property
    def article_strings(self) -> list[str]:
        """Every string that belongs to the article itself (none may be boilerplate)."""
        parts = [self.title, self.kicker, self.lead, *(b.removeprefix("## ") for b in self.body)]
        if self.image:
            parts += [self.image.alt, self.image.caption, self.image.credit]
        return [p for p in parts if p]


@dataclass(frozen=True)
class Teaser:
    """A teaser of another (invented) story, as the furniture around an article shows it."""

    headline: str
    snippet: str = ""
    ad: bool = False


@dataclass(frozen=True)
class Context:
    """What a template needs besides the article: its neighbours and its position."""

    index: int  # position of the page among its outlet's pages: rotates the teasers
    related: list[Article]  # other articles of the same outlet, for "related" boxes
    charset: str = "utf-8"


@dataclass(frozen=True)
class Page:
    html: str
    boilerplate: list[str]  # strings the template put on the page outside the article


@dataclass(frozen=True)
class Outlet:
    key: str
    name: str
    domain: str
    language: str
    render: Callable[[Article, Context], Page]
    server: str
    ip: str  # from the documentation address ranges (RFC 5737)


INHERITED = ("title", "kicker", "lead", "body", "image", "topics", "authors", "agencies",
             "byline", "story", "section")


def load_articles(path: Path) -> list[Article]:
    """Read articles.toml; syndicated copies take their text from ``base`` and apply ``edits``."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["article"]
    by_id = {entry["id"]: entry for entry in raw}
    articles = []
    for entry in raw:
        data = dict(entry)
        if "base" in data:
            base = by_id[data["base"]]
            for key in INHERITED:
                if key not in data and key in base:
                    data[key] = base[key]
            data["body"] = apply_edits(list(data["body"]), data.get("edits", []))
        image = data.get("image")
        articles.append(Article(
            id=data["id"], outlet=data["outlet"], store=data["store"], url=data["url"],
            fetched_at=data["fetched_at"], story=str(data.get("story", data["id"])),
            section=data.get("section", ""), title=data["title"], kicker=data.get("kicker", ""),
            published=data.get("published"), modified=data.get("modified"),
            authors=list(data.get("authors", [])), agencies=list(data.get("agencies", [])),
            byline=data.get("byline", ""), topics=list(data["topics"]), lead=data.get("lead", ""),
            body=list(data["body"]), image=Image(**image) if image else None,
            comments=int(data.get("comments", 0)), jsonld=bool(data.get("jsonld", True)),
            http=dict(data.get("http", {})), same_article_as=data.get("same_article_as"),
            must_not_contain=data.get("must_not_contain"),
        ))
    return articles


def apply_edits(body: list[str], edits: Iterable[dict[str, Any]]) -> list[str]:
    """The small changes an outlet makes to wire copy: cut, replace, add a sentence."""
    for edit in edits:
        op = edit["op"]
        if op == "append":
            body[edit["at"]] = f"{body[edit['at']]} {edit['text']}"
        elif op == "replace":
            body[edit["at"]] = edit["text"]
        elif op == "insert":
            body.insert(edit["at"], edit["text"])
        elif op == "drop":
            del body[edit["at"]]
        elif op == "truncate":
            body = body[: edit["keep"]]
        else:
            raise ValueError(f"unknown edit op {op!r}")
    return body


# --------------------------------------------------------------------------------------------
# Small helpers shared by the templates
# --------------------------------------------------------------------------------------------

MONATE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EASTERN_DAYLIGHT = timezone(timedelta(hours=-4))


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def canonical(url: str) -> str:
    """The URL without tracking parameters: what the pages' canonical links say."""
    return url.split("?", 1)[0]


UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(text: str) -> str:
    text = text.lower().translate(UMLAUTS)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def rotate(items: list[Any], n: int) -> list[Any]:
    n %= len(items)
    return items[n:] + items[:n]


def join_names(names: list[str], conjunction: str) -> str:
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def byline_de(a: Article) -> str:
    if a.byline:
        return a.byline
    if a.authors:
        agencies = f", {'/'.join(a.agencies)}" if a.agencies else ""
        return f"Von {join_names(a.authors, 'und')}{agencies}"
    return "/".join(a.agencies)


def byline_en(a: Article, agency_prefix: str = "") -> str:
    if a.byline:
        return a.byline
    if a.authors:
        return f"By {join_names(a.authors, 'and')}"
    return f"{agency_prefix}{'/'.join(a.agencies)}"


def kommentare(n: int) -> str:
    return f"[{n} Kommentar{'' if n == 1 else 'e'}]"


def comments_en(n: int) -> str:
    return f"{n} comment{'' if n == 1 else 's'}"


def de_long(d: datetime) -> str:
    return f"{d.day}. {MONATE[d.month - 1]} {d.year}, {d:%H:%M} Uhr"


def de_short(d: datetime) -> str:
    return f"{d:%d.%m.%Y}, {d:%H:%M} Uhr"


def clock_12h(d: datetime, dotted: bool = False) -> str:
    hour = d.hour % 12 or 12
    suffix = ("a.m." if d.hour < 12 else "p.m.") if dotted else ("am" if d.hour < 12 else "pm")
    return f"{hour}:{d:%M}{' ' if dotted else ''}{suffix}"


def body_blocks(body: list[str], heading: str = "h2", bold_subheads: bool = False) -> list[str]:
    """Paragraphs and subheadings as HTML blocks, so templates can slot boxes in between."""
    blocks = []
    for item in body:
        if item.startswith("## "):
            text = esc(item[3:])
            blocks.append(f"<p><b>{text}</b></p>" if bold_subheads else f"<{heading}>{text}</{heading}>")
        else:
            blocks.append(f"<p>{esc(item)}</p>")
    return blocks


def insert_after_paragraph(blocks: list[str], n: int, box: str) -> list[str]:
    """Put a box (ad, related link) after the n-th paragraph: boilerplate inside the body."""
    seen = 0
    for i, block in enumerate(blocks):
        if block.startswith("<p>") and not block.startswith("<p><b>"):
            seen += 1
            if seen == n:
                return [*blocks[: i + 1], box, *blocks[i + 1:]]
    return [*blocks, box]


def image_url(outlet: Outlet, a: Article) -> str:
    return f"https://www.{outlet.domain}/img/{a.id}.jpg"


def ld_authors(a: Article) -> list[dict[str, str]]:
    people = [{"@type": "Person", "name": name} for name in a.authors]
    return people + [{"@type": "Organization", "name": agency} for agency in a.agencies]


def news_article_ld(a: Article, outlet: Outlet, keywords_as_list: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical(a.url)},
        "headline": a.title,
    }
    if a.lead:
        obj["description"] = a.lead
    if a.image:
        obj["image"] = [image_url(outlet, a)]
    if a.published:
        obj["datePublished"] = a.published
        obj["dateModified"] = a.modified or a.published
    obj["author"] = ld_authors(a)
    obj["publisher"] = {
        "@type": "Organization",
        "name": outlet.name,
        "logo": {"@type": "ImageObject", "url": f"https://www.{outlet.domain}/static/logo.png"},
    }
    obj["keywords"] = a.topics if keywords_as_list else ", ".join(a.topics)
    obj["articleSection"] = a.section.split("/")[-1]
    obj["inLanguage"] = outlet.language
    return obj


def jsonld_script(obj: dict[str, Any]) -> str:
    text = json.dumps(obj, ensure_ascii=False, indent=2).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def og_meta(a: Article, outlet: Outlet, locale: str, article_times: bool) -> str:
    tags = [
        ("og:type", "article"), ("og:site_name", outlet.name), ("og:locale", locale),
        ("og:title", a.title), ("og:url", canonical(a.url)),
    ]
    if a.lead:
        tags.append(("og:description", a.lead))
    if a.image:
        tags.append(("og:image", image_url(outlet, a)))
    if article_times and a.published:
        tags.append(("article:published_time", a.published))
        if a.modified:
            tags.append(("article:modified_time", a.modified))
    if article_times:
        tags.append(("article:section", a.section.split("/")[-1]))
        tags += [("article:tag", t) for t in a.topics]
        tags += [("article:author", name) for name in a.authors]
    return "\n".join(f'<meta property="{k}" content="{esc(v)}">' for k, v in tags)


# --------------------------------------------------------------------------------------------
# Outlet 1: nachrichten-portal.de, a big portal; rebuilds the seed page's layout
# (only <time datetime> and meta keywords as metadata, teaser stream, ads, search box)
# --------------------------------------------------------------------------------------------

NP_STREAM = [
    Teaser("Klimaforschung: Gletscher in den Alpen schrumpfen weiter",
           "Zürich (dpa) - Die Gletscher in den Alpen haben auch in diesem Sommer deutlich an "
           "Masse verloren. Forschende sprechen von einem der schlechtesten Jahre seit Beginn "
           "der Messungen. […] (00)"),
    Teaser("Modehaus Lindqvist: 22% Rabatt auf alles zum Herbststart",
           "Zum Herbststart gibt es bei Lindqvist 22% Rabatt auf das gesamte Sortiment. "
           "Gutscheincode HERBST22, Mindestbestellwert 59 Euro, kostenloser Versand ab 125 Euro. "
           "[…] (00)", ad=True),
    Teaser("Web-App erklärt, warum die Berge bröckeln",
           "Davos (dpa/tmn) - Was ist ein Murgang, und warum sind Wälder mit Totholz wichtig? "
           "Eine Web-App beantwortet Fragen dazu, wie der Klimawandel die Alpen verändert. […] (00)"),
    Teaser("Shooter-Hit: Leak deutet auf neue Spielmodi hin",
           "Wenige Tage nach dem Start sorgt der Shooter weiter für hitzige Debatten in der "
           "Community. Ein Leak nährt nun Hoffnungen auf neue Inhalte. […] (00)"),
    Teaser("Nationalmannschaft: Mittelfeldspieler fällt für WM-Quali aus",
           "Frankfurt/Main (dpa) - Der Bundestrainer muss in der WM-Qualifikation auf einen "
           "Stammspieler verzichten und nominiert einen Neuling nach. […] (05)"),
    Teaser("Kryptowährungen: Analyst sagt Kurssprung voraus",
           "Ein bekannter Analyst bleibt optimistisch und prognostiziert für einen Token einen "
           "Anstieg um 140 Prozent. […] (00)"),
]
NP_TIMES = ["vor 14 Minuten", "vor 39 Minuten", "vor 2 Stunden", "vor 5 Stunden",
            "vor 8 Stunden", "vor 12 Stunden"]
NP_BRIEFS = [
    "Flughafen: Afghanen mit Aufnahmezusage gelandet […] (01)",
    "Prozess um Anschlag: Angeklagter schweigt weiter […] (00)",
    "Haushaltsstreit in Washington: Keine Einigung in Sicht […] (00)",
    "Zugspitze: Gipfelkreuz wird restauriert […] (01)",
    "Nur heute – Outdoor-Marke: 22% auf ausgewählte Jacken sichern! […] (01)",
    "Rechenzentren: KI treibt den Ausbau in Deutschland voran […] (01)",
]


def np_stream_item(t: Teaser, age: str) -> str:
    label = '<span class="ad-label">Anzeige</span>' if t.ad else ""
    kind = "anzeige" if t.ad else "nachrichten"
    return (f'<div class="stream-item">{label}<h3><a href="/{kind}/{slug(t.headline)}/">'
            f'{esc(t.headline)}</a></h3><p>{esc(t.snippet)}</p><span class="age">{esc(age)}</span></div>')


def np_source(a: Article) -> str:
    """The portal credits agencies as "Quelle: dpa", own staff as "Von ..."."""
    return a.byline or (byline_de(a) if a.authors else "Quelle: " + "/".join(a.agencies))


def render_np(a: Article, ctx: Context) -> Page:
    o = OUTLETS["np"]
    pub = when(a.published) if a.published else None
    teasers = rotate(NP_STREAM, ctx.index)
    times = rotate(NP_TIMES, ctx.index)
    stream = "\n".join(np_stream_item(t, tm) for t, tm in zip(teasers, times, strict=True))
    briefs = "\n".join(f"<li><a href=\"/kurz/{i}/\">{esc(b)}</a></li>" for i, b in enumerate(
        rotate(NP_BRIEFS, ctx.index)))
    tags = " / ".join(f'<a href="/thema/{slug(t)}/">{esc(t)}</a>' for t in a.topics)
    crumbs = " › ".join(["<a href=\"/\">Startseite</a>",
                         *(f'<a href="/{slug(s)}/">{esc(s)}</a>' for s in a.section.split("/"))])
    figure = ""
    if a.image:
        figure = (f'<figure class="lead-image"><img src="{image_url(o, a)}" alt="{esc(a.image.alt)}" '
                  f'title="{esc(a.image.alt)}"><figcaption><span class="credit">{esc(a.image.credit)}'
                  f'</span><span class="caption">{esc(a.image.caption)}</span></figcaption></figure>')
    dateline = (f'<time datetime="{a.published}">{de_long(pub)}</time> · ' if pub else "")
    footer_time = f"{pub:%d.%m.%Y} · {pub:%H:%M} Uhr" if pub else ""
    page = f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{esc(a.title)} | Nachrichten-Portal</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{esc(a.lead)}">
<meta name="keywords" content="{esc(", ".join(a.topics))}">
<link rel="canonical" href="{esc(canonical(a.url))}">
{og_meta(a, o, "de_DE", article_times=False)}
<link rel="stylesheet" href="/static/portal.css">
</head>
<body class="page page--article">
<div class="consent" id="consent" role="dialog" aria-label="Datenschutz">
<p>Wir verwenden Cookies und ähnliche Technologien, um Ihnen ein optimales Nutzungserlebnis zu bieten und unser Angebot zu finanzieren. Details finden Sie in den Privatsphäre-Einstellungen.</p>
<button type="button">Akzeptieren</button> <button type="button">Einstellungen</button>
</div>
<header class="masthead">
<a class="logo" href="/">nachrichten-portal.de</a>
<nav class="mainnav"><ul>
<li><a href="/nachrichten/">Nachrichten</a></li><li><a href="/politik/">Politik</a></li>
<li><a href="/panorama/">Panorama</a></li><li><a href="/sport/">Sport</a></li>
<li><a href="/wirtschaft/">Wirtschaft</a></li><li><a href="/ratgeber/">Ratgeber</a></li>
<li><a href="/reisen/">Reisen</a></li><li><a href="/wetter/">Wetter</a></li>
</ul></nav>
</header>
<nav class="breadcrumb">{crumbs}</nav>
<main>
<article class="article">
<p class="kicker">{esc(a.kicker)}</p>
<h1>{esc(a.title)}</h1>
<p class="meta">{dateline}<span class="source">{esc(np_source(a))}</span></p>
{figure}
<p class="intro"><strong>{esc(a.lead)}</strong></p>
<div class="article-body">
{chr(10).join(body_blocks(a.body, heading="h3"))}
</div>
<p class="topics">{tags}</p>
<p class="article-footer"><span class="date">{footer_time}</span>
<a class="comments" href="#kommentare">{kommentare(a.comments)}</a>
<span class="share">Teilen: <a href="#">Facebook</a> <a href="#">WhatsApp</a> <a href="#">E-Mail</a></span></p>
</article>
<aside class="stream">
{stream}
</aside>
<section class="briefs"><ul>
{briefs}
</ul></section>
</main>
<footer class="site-footer">
<form class="search" action="/suche/" role="search"><label for="q">Suchbegriff</label> <input id="q" name="q" type="search"> <button type="submit">Suchen</button></form>
<p><a href="/impressum/">Impressum</a> · <a href="/datenschutz/">Datenschutz</a> · <a href="/agb/">AGB</a> · © 2025 Nachrichten-Portal GmbH</p>
</footer>
</body>
</html>
"""
    boilerplate = ["Rabatt", "Kommentare", "Suchbegriff", times[0], teasers[0].headline]
    return Page(page, boilerplate)


# --------------------------------------------------------------------------------------------
# Outlet 2: rheinland-kurier.de, a regional daily with full JSON-LD, OpenGraph, breadcrumbs,
# a consent banner, an inline "Auch interessant" box inside the body and a newsletter box
# --------------------------------------------------------------------------------------------

RK_MOST_READ_TIMES = ["vor 2 Stunden", "vor 4 Stunden", "vor 6 Stunden"]


def render_rk(a: Article, ctx: Context) -> Page:
    o = OUTLETS["rk"]
    pub = when(a.published) if a.published else None
    related = ctx.related
    crumbs = "".join(
        f'<li><a href="/{"/".join(slug(s) for s in a.section.split("/")[: i + 1])}/">{esc(s)}</a></li>'
        for i, s in enumerate(a.section.split("/")))
    blocks = body_blocks(a.body, heading="h2")
    if related:
        blocks = insert_after_paragraph(blocks, 2, (
            f'<aside class="inline-teaser"><strong>Auch interessant:</strong> '
            f'<a href="{esc(canonical(related[0].url))}">{esc(related[0].title)}</a></aside>'))
    figure = ""
    if a.image:
        figure = (f'<figure class="article-image"><img src="{image_url(o, a)}" alt="{esc(a.image.alt)}">'
                  f'<figcaption>{esc(a.image.caption)} <small class="credit">{esc(a.image.credit)}</small>'
                  f'</figcaption></figure>')
    updated = ""
    if a.modified:
        updated = f' <span class="updated">Aktualisiert: {de_short(when(a.modified))}</span>'
    most_read = "\n".join(
        f'<li><a href="{esc(canonical(r.url))}">{esc(r.title)}</a> <span class="age">{t}</span></li>'
        for r, t in zip(related, RK_MOST_READ_TIMES, strict=False))
    themen = ", ".join(f'<a href="/thema/{slug(t)}/" rel="tag">{esc(t)}</a>' for t in a.topics)
    ld = jsonld_script(news_article_ld(a, o, keywords_as_list=False)) if a.jsonld else ""
    page = f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>{esc(a.title)} | Rheinland Kurier</title>
<meta name="description" content="{esc(a.lead)}">
<meta name="author" content="{esc(byline_de(a).removeprefix("Von "))}">
<link rel="canonical" href="{esc(canonical(a.url))}">
{og_meta(a, o, "de_DE", article_times=True)}
{ld}
</head>
<body class="article-page">
<div id="cmp-banner" class="cmp" role="dialog" aria-modal="true">
<h2>Ihre Privatsphäre</h2>
<p>Wir und unsere Partner verwenden Cookies und ähnliche Technologien, um Inhalte und Anzeigen zu personalisieren und die Zugriffe auf unsere Website zu analysieren.</p>
<button>Alle akzeptieren</button> <button>Einstellungen</button>
</div>
<header class="site-header">
<a class="logo" href="/">Rheinland Kurier</a>
<nav class="main-menu"><ul>
<li><a href="/region/">Region</a></li><li><a href="/region/koeln/">Köln</a></li>
<li><a href="/region/bonn/">Bonn</a></li><li><a href="/region/rhein-sieg/">Rhein-Sieg</a></li>
<li><a href="/politik/">Politik</a></li><li><a href="/wirtschaft/">Wirtschaft</a></li>
<li><a href="/sport/">Sport</a></li><li><a href="/abo/">Abo</a></li>
</ul></nav>
</header>
<nav class="breadcrumb" aria-label="Brotkrumen"><ol><li><a href="/">Startseite</a></li>{crumbs}</ol></nav>
<main class="content">
<article class="article">
<header class="article-header">
<span class="kicker">{esc(a.kicker)}</span>
<h1 class="headline">{esc(a.title)}</h1>
<p class="byline">{esc(byline_de(a))}</p>
<p class="dates"><time datetime="{a.published}">{de_short(pub) if pub else ""}</time>{updated}</p>
</header>
<p class="intro">{esc(a.lead)}</p>
{figure}
<div class="article-text">
{chr(10).join(blocks)}
</div>
<div class="share-bar">Teilen: <a href="#">Facebook</a> <a href="#">WhatsApp</a> <a href="#">X</a> <a href="#">E-Mail</a></div>
<p class="themen">Themen: {themen}</p>
<div class="newsletter-box">
<h3>Der Kurier am Morgen</h3>
<p>Jeden Morgen die wichtigsten Nachrichten aus der Region – kostenlos in Ihr Postfach.</p>
<form><input type="email" placeholder="Ihre E-Mail-Adresse"> <button>Jetzt anmelden</button></form>
</div>
<p class="comments-link"><a href="#kommentare">{kommentare(a.comments)}</a></p>
</article>
<aside class="sidebar">
<h2>Meistgelesen</h2>
<ol class="most-read">
{most_read}
</ol>
<div class="ad"><span class="ad-label">Anzeige</span><p>Küchenstudio Rheinblick: Jetzt 30% auf alle Musterküchen – nur bis Samstag!</p></div>
</aside>
</main>
<footer class="site-footer">
<p>© 2025 Rheinland Kurier Verlagsgesellschaft mbH · <a href="/impressum/">Impressum</a> · <a href="/datenschutz/">Datenschutz</a> · <a href="#">Cookie-Einstellungen</a></p>
</footer>
</body>
</html>
"""
    boilerplate = ["Wir und unsere Partner verwenden Cookies", "Der Kurier am Morgen",
                   kommentare(a.comments), "Küchenstudio Rheinblick"]
    if related:
        boilerplate.append(related[0].title)
    return Page(page, boilerplate)


def render_rk_section(articles: list[Article]) -> str:
    """The "Region" section front: nothing but teasers, the pipeline must not keep it."""
    items = "\n".join(
        f'<div class="teaser"><span class="kicker">{esc(a.kicker)}</span>'
        f'<h2><a href="{esc(canonical(a.url))}">{esc(a.title)}</a></h2>'
        f'<p>{esc(a.lead)}</p><span class="age">{t}</span> '
        f'<a class="comments" href="{esc(canonical(a.url))}#kommentare">{kommentare(a.comments)}</a></div>'
        for a, t in zip(articles, ["vor 1 Stunde", "vor 3 Stunden", "vor 5 Stunden", "gestern",
                                   "gestern", "vor 2 Tagen", "vor 3 Tagen"], strict=False))
    return f"""<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>Region | Rheinland Kurier</title>
<meta name="description" content="Nachrichten aus Köln, Bonn, dem Rhein-Sieg-Kreis und der Region.">
<link rel="canonical" href="https://www.rheinland-kurier.de/region/">
<meta property="og:type" content="website">
<meta property="og:site_name" content="Rheinland Kurier">
<meta property="og:title" content="Region">
</head>
<body class="section-page">
<div id="cmp-banner" class="cmp" role="dialog"><p>Wir und unsere Partner verwenden Cookies und ähnliche Technologien.</p><button>Alle akzeptieren</button></div>
<header class="site-header"><a class="logo" href="/">Rheinland Kurier</a>
<nav class="main-menu"><ul><li><a href="/region/">Region</a></li><li><a href="/politik/">Politik</a></li><li><a href="/wirtschaft/">Wirtschaft</a></li><li><a href="/sport/">Sport</a></li></ul></nav></header>
<nav class="breadcrumb"><ol><li><a href="/">Startseite</a></li><li>Region</li></ol></nav>
<main class="content">
<h1>Region</h1>
{items}
<div class="ad"><span class="ad-label">Anzeige</span><p>Küchenstudio Rheinblick: Jetzt 30% auf alle Musterküchen – nur bis Samstag!</p></div>
<nav class="pagination"><a href="/region/?seite=2">Weitere Artikel</a></nav>
</main>
<footer class="site-footer"><p>© 2025 Rheinland Kurier Verlagsgesellschaft mbH · <a href="/impressum/">Impressum</a></p></footer>
</body>
</html>
"""


# --------------------------------------------------------------------------------------------
# Outlet 3: nordsee-bote.de, a small paper on an old table layout in a legacy encoding;
# no structured metadata at all, only a visible dateline "16.10.2025, 14:03 Uhr"
# --------------------------------------------------------------------------------------------

NB_MORE_TIMES = ["vor 3 Stunden", "vor 7 Stunden", "gestern"]


def render_nb(a: Article, ctx: Context) -> Page:
    o = OUTLETS["nb"]
    pub = when(a.published) if a.published else None
    dateline = f'<p class="dateline">{de_short(pub)}</p>' if pub else ""
    byline = byline_de(a)
    figure = ""
    if a.image:
        figure = (f'<div class="bild"><img src="{image_url(o, a)}" width="460" alt="{esc(a.image.alt)}">'
                  f'<br><span class="bu">{esc(a.image.caption)}</span> '
                  f'<span class="copyright">{esc(a.image.credit)}</span></div>')
    more = "\n".join(
        f'<tr><td><a href="{esc(canonical(r.url))}">{esc(r.title)}</a></td><td class="zeit">{t}</td></tr>'
        for r, t in zip(ctx.related, NB_MORE_TIMES, strict=False))
    nav = "".join(f'<a href="/{slug(s)}/">{esc(s)}</a><br>' for s in
                  ["Startseite", "Husum", "Büsum", "Sylt", "Nordfriesland", "Welt", "Ratgeber", "Sport"])
    page = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={ctx.charset.lower()}">
<title>Nordsee-Bote: {esc(a.title)}</title>
<meta name="description" content="{esc(a.lead)}">
<link rel="stylesheet" type="text/css" href="/css/nb.css">
</head>
<body bgcolor="#ffffff">
<table width="980" cellpadding="0" cellspacing="0" class="layout">
<tr><td colspan="2" class="kopf"><img src="/img/kopf.gif" alt="Nordsee-Bote"> Ihre Heimatzeitung zwischen Elbe und Eider | <a href="/abo/">Abo</a> | <a href="/epaper/">E-Paper</a></td></tr>
<tr>
<td class="navi" width="180" valign="top">{nav}</td>
<td class="inhalt" valign="top">
<div class="rubrik">{esc(a.section.split("/")[-1])}</div>
<h1 class="titel">{esc(a.title)}</h1>
{dateline}
<p class="autor">{esc(byline)}</p>
<p class="vorspann"><b>{esc(a.lead)}</b></p>
{figure}
<div class="text">
{chr(10).join(body_blocks(a.body, bold_subheads=True))}
</div>
<p class="themen">Themen: {esc(", ".join(a.topics))}</p>
<p class="werkzeuge"><a href="#kommentare">{kommentare(a.comments)}</a> | <a href="?druck=1">Artikel drucken</a> | <a href="mailto:?subject=Nordsee-Bote">Artikel versenden</a></p>
<table class="weitere" width="100%"><tr><td colspan="2"><b>Weitere Artikel</b></td></tr>
{more}
</table>
<div class="anzeige">Anzeige<br>Ferienwohnung in St. Peter-Ording – jetzt 15% Frühbucher-Rabatt sichern!</div>
</td>
</tr>
<tr><td colspan="2" class="fuss">© Nordsee-Bote Verlag · <a href="/impressum/">Impressum</a> · <a href="/datenschutz/">Datenschutz</a><br>Diese Seite verwendet Cookies. Mit der Nutzung der Seite stimmen Sie dem zu. <a href="#">[OK]</a></td></tr>
</table>
</body>
</html>
"""
    boilerplate = ["Diese Seite verwendet Cookies", "Artikel drucken", kommentare(a.comments),
                   "Frühbucher-Rabatt"]
    if ctx.related:
        boilerplate.append(ctx.related[0].title)
    return Page(page, boilerplate)


# --------------------------------------------------------------------------------------------
# Outlet 4: alpenblick.at, Austrian; OpenGraph + article:* meta and <time>, no JSON-LD;
# an ad inside the article text, "Postings" instead of comments
# --------------------------------------------------------------------------------------------

AB_TIMES = ["vor 3 Stunden", "vor 5 Stunden", "vor 9 Stunden"]


def render_ab(a: Article, ctx: Context) -> Page:
    o = OUTLETS["ab"]
    pub = when(a.published) if a.published else None
    visible = f"{pub.day}. {MONATE[pub.month - 1]} {pub.year}, {pub:%H:%M}" if pub else ""
    blocks = insert_after_paragraph(body_blocks(a.body, heading="h2"), 3, (
        '<div class="ad-inline"><span class="ad-label">Anzeige</span>'
        "<p>Thermenurlaub im Salzkammergut: 3 Nächte inklusive Halbpension ab 299 Euro</p></div>"))
    figure = ""
    if a.image:
        figure = (f'<figure><img src="{image_url(o, a)}" alt="{esc(a.image.alt)}"><figcaption>'
                  f'{esc(a.image.caption)} <span class="copyright">{esc(a.image.credit)}</span>'
                  f"</figcaption></figure>")
    tags = "".join(f'<li><a href="/tag/{slug(t)}/">{esc(t)}</a></li>' for t in a.topics)
    section = a.section.split("/")
    crumbs = " › ".join(["<a href=\"/\">alpenblick.at</a>",
                         *(f'<a href="/{slug(s)}/">{esc(s)}</a>' for s in section)])
    related = "\n".join(
        f'<li><a href="{esc(canonical(r.url))}">{esc(r.title)}</a> <span class="time">{t}</span></li>'
        for r, t in zip(ctx.related, AB_TIMES, strict=False))
    page = f"""<!DOCTYPE html>
<html lang="de-AT">
<head>
<meta charset="utf-8">
<title>{esc(a.title)} - ALPENBLICK.at</title>
<meta name="description" content="{esc(a.lead)}">
<meta name="news_keywords" content="{esc(", ".join(a.topics))}">
<link rel="canonical" href="{esc(canonical(a.url))}">
{og_meta(a, o, "de_AT", article_times=True)}
<meta name="twitter:card" content="summary_large_image">
</head>
<body>
<div class="consent-layer" role="dialog">
<h2>Ihre Privatsphäre ist uns wichtig</h2>
<p>Wir nutzen Cookies und verarbeiten personenbezogene Daten, um Inhalte und Werbung zu personalisieren. Mit Klick auf „Zustimmen“ willigen Sie ein.</p>
<button>Zustimmen</button> <button>Ablehnen</button> <a href="/pur/">PUR-Abo ohne Werbung</a>
</div>
<header class="top">
<a class="brand" href="/">ALPENBLICK</a>
<nav><ul>
<li><a href="/oesterreich/">Österreich</a></li><li><a href="/politik/">Politik</a></li>
<li><a href="/wirtschaft/">Wirtschaft</a></li><li><a href="/bundeslaender/">Bundesländer</a></li>
<li><a href="/sport/">Sport</a></li><li><a href="/kultur/">Kultur</a></li><li><a href="/wetter/">Wetter</a></li>
</ul></nav>
</header>
<main>
<nav class="breadcrumbs">{crumbs}</nav>
<article class="story">
<div class="story-header">
<span class="dachzeile">{esc(a.kicker)}</span>
<h1>{esc(a.title)}</h1>
<p class="teaser-text">{esc(a.lead)}</p>
<div class="author-date"><span class="author">{esc(byline_de(a))}</span> <time datetime="{a.published}">{visible}</time></div>
<div class="share-bar"><button>Teilen</button> <a href="#">Facebook</a> <a href="#">X</a> <a href="#">WhatsApp</a> <a href="#">Link kopieren</a></div>
</div>
{figure}
<section class="artikel-text">
{chr(10).join(blocks)}
</section>
<ul class="tags">{tags}</ul>
<div class="community"><a href="#forum">{a.comments} Postings</a> · <a href="#forum">Jetzt mitdiskutieren</a></div>
</article>
<aside class="related">
<h2>Das könnte Sie auch interessieren</h2>
<ul>
{related}
</ul>
</aside>
</main>
<footer><p>© 2025 Alpenblick Medien GmbH · <a href="/impressum/">Impressum</a> · <a href="/datenschutz/">Datenschutz</a> · <a href="/kontakt/">Kontakt</a></p></footer>
</body>
</html>
"""
    boilerplate = ["Ihre Privatsphäre ist uns wichtig", "Thermenurlaub im Salzkammergut",
                   f"{a.comments} Postings", "Das könnte Sie auch interessieren"]
    if ctx.related:
        boilerplate.append(ctx.related[0].title)
    return Page(page, boilerplate)


# --------------------------------------------------------------------------------------------
# Outlet 5: harbour-herald.co.uk, British local paper; "Harbour Herald - Headline" titles,
# OpenGraph article:published_time (+01:00), visible date without <time>
# --------------------------------------------------------------------------------------------

HH_MOST_READ = [
    Teaser("Seafront cafe owner wins battle over outdoor seating"),
    Teaser("Roadworks on the A-road into town to last until December"),
    Teaser("School celebrates record GCSE results after rebuild"),
    Teaser("Town's oldest pub changes hands after 60 years"),
]
HH_TIMES = ["2 hours ago", "5 hours ago", "9 hours ago", "1 day ago"]


def render_hh(a: Article, ctx: Context) -> Page:
    o = OUTLETS["hh"]
    pub = when(a.published) if a.published else None
    visible = (f"{WEEKDAYS[pub.weekday()]} {pub.day} {MONTHS[pub.month - 1]} {pub.year} "
               f"{pub:%H:%M} BST") if pub else ""
    most_read = rotate(HH_MOST_READ, ctx.index)
    most = "\n".join(f'<li><a href="/news/{slug(t.headline)}/">{esc(t.headline)}</a> <span>{tm}</span></li>'
                     for t, tm in zip(most_read, HH_TIMES, strict=True))
    related = "\n".join(f'<li><a href="{esc(canonical(r.url))}">{esc(r.title)}</a></li>' for r in ctx.related)
    figure = ""
    if a.image:
        figure = (f'<figure class="main-image"><img src="{image_url(o, a)}" alt="{esc(a.image.alt)}">'
                  f'<figcaption>{esc(a.image.caption)} <span class="credit">{esc(a.image.credit)}</span>'
                  f"</figcaption></figure>")
    kicker = f'<p class="label">{esc(a.kicker)}</p>' if a.kicker else ""
    standfirst = f'<p class="standfirst">{esc(a.lead)}</p>' if a.lead else ""
    tags = "".join(f'<li><a href="/topic/{slug(t)}/">{esc(t)}</a></li>' for t in a.topics)
    page = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Harbour Herald - {esc(a.title)}</title>
<meta name="description" content="{esc(a.lead or a.paragraphs[0])}">
<link rel="canonical" href="{esc(canonical(a.url))}">
{og_meta(a, o, "en_GB", article_times=True)}
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@harbourherald">
</head>
<body>
<div class="cookie-notice" role="dialog">
<p>We use cookies to improve your experience on our site and to show you relevant advertising. By continuing you agree to our cookie policy.</p>
<button>Accept all</button> <button>Manage preferences</button>
</div>
<header>
<a class="masthead" href="/">The Harbour Herald</a>
<nav><ul>
<li><a href="/news/">News</a></li><li><a href="/news/local/">Local</a></li><li><a href="/news/world/">World</a></li>
<li><a href="/sport/">Sport</a></li><li><a href="/lifestyle/">Lifestyle</a></li><li><a href="/subscribe/">Subscribe</a></li>
</ul></nav>
</header>
<main>
<article>
{kicker}
<h1>{esc(a.title)}</h1>
{standfirst}
<div class="byline-block"><span class="author">{esc(byline_en(a))}</span> <span class="date">{visible}</span></div>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Email</a> <a href="#comments">{comments_en(a.comments)}</a></div>
{figure}
<div class="article-body">
{chr(10).join(body_blocks(a.body, heading="h2"))}
</div>
<ul class="tags">{tags}</ul>
<section class="related"><h2>More on this story</h2><ul>
{related}
</ul></section>
</article>
<aside>
<div class="advert"><span>Advertisement</span><p>Fresh Cornish fish delivered to your door – save 30% on your first box</p></div>
<h2>Most read</h2>
<ol>
{most}
</ol>
<div class="newsletter"><h3>Get the Herald Daily Briefing</h3><p>The day's top stories from Kellingford and beyond, every morning at 7am.</p><button>Sign up</button></div>
</aside>
</main>
<footer><p>© Harbour Herald Media Ltd 2025. Registered in England and Wales. <a href="/privacy/">Privacy</a> · <a href="/cookies/">Cookie policy</a> · <a href="/contact/">Contact us</a></p></footer>
</body>
</html>
"""
    boilerplate = ["We use cookies to improve your experience", "Share on Facebook",
                   comments_en(a.comments), most_read[0].headline, "Get the Herald Daily Briefing"]
    return Page(page, boilerplate)


# --------------------------------------------------------------------------------------------
# Outlet 6: midwest-ledger.com, a US metro daily; JSON-LD (not on every page) and a visible
# "Published October 16, 2025 3:05pm EDT"; ads and a paywall pitch between paragraphs
# --------------------------------------------------------------------------------------------

ML_TRENDING = [
    Teaser("Buckeye Lake marina owners brace for winter drawdown"),
    Teaser("New brewery taproom opens in former firehouse"),
    Teaser("Suburban schools weigh later start times"),
    Teaser("Interstate ramp closures planned through November"),
]
ML_TIMES = ["2 hours ago", "4 hours ago", "6 hours ago", "Yesterday"]


def render_ml(a: Article, ctx: Context) -> Page:
    o = OUTLETS["ml"]
    pub = when(a.published) if a.published else None
    published = (f"Published {MONTHS[pub.month - 1]} {pub.day}, {pub.year} {clock_12h(pub)} EDT"
                 if pub else "")
    updated = ""
    if a.modified:
        mod = when(a.modified)
        updated = f' <span class="updated">Updated {clock_12h(mod)} EDT</span>'
    blocks = insert_after_paragraph(body_blocks(a.body, heading="h2"), 2, (
        '<div class="ad-slot"><span class="ad-label">Advertisement</span>'
        "<p>Ohio's top-rated furnace tune-up – call now for a free estimate</p></div>"))
    blocks = insert_after_paragraph(blocks, 5, (
        '<div class="paywall-pitch"><p>Local journalism needs your support. '
        "Subscribe for $1 a week.</p></div>"))
    trending = rotate(ML_TRENDING, ctx.index)
    trend = "\n".join(f'<li><a href="/news/{slug(t.headline)}/">{esc(t.headline)}</a> <time>{tm}</time></li>'
                      for t, tm in zip(trending, ML_TIMES, strict=True))
    figure = ""
    if a.image:
        figure = (f'<figure><img src="{image_url(o, a)}" alt="{esc(a.image.alt)}"><figcaption>'
                  f'{esc(a.image.caption)} <span class="credit">({esc(a.image.credit)})</span>'
                  f"</figcaption></figure>")
    topics = ", ".join(f'<a href="/topics/{slug(t)}/" rel="tag">{esc(t)}</a>' for t in a.topics)
    authors = (" and ".join(f'<a rel="author" href="/staff/{slug(n)}/">{esc(n)}</a>' for n in a.authors)
               if a.authors else esc("/".join(a.agencies)))
    ld = jsonld_script(news_article_ld(a, o, keywords_as_list=True)) if a.jsonld else ""
    dek = f'<p class="dek">{esc(a.lead)}</p>' if a.lead else ""
    page = f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>{esc(a.title)} | The Midwest Ledger</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="canonical" href="{esc(canonical(a.url))}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Midwest Ledger">
<meta property="og:title" content="{esc(a.title)}">
<meta property="og:url" content="{esc(canonical(a.url))}">
{ld}
</head>
<body class="story-page">
<div class="consent-bar"><p>This site uses cookies and similar technologies. See our <a href="/privacy/">Privacy Policy</a>.</p><button>OK</button></div>
<header class="site-header">
<a class="logo" href="/">The Midwest Ledger</a>
<nav><a href="/news/">News</a> <a href="/news/local/">Local</a> <a href="/business/">Business</a> <a href="/sports/">Sports</a> <a href="/life/">Life</a> <a href="/opinion/">Opinion</a> <a class="subscribe" href="/subscribe/">Subscribe for $1 a week</a></nav>
</header>
<main>
<div class="story">
<p class="section-label"><a href="/{slug(a.section.split("/")[-1])}/">{esc(a.section.split("/")[-1])}</a></p>
<h1 class="headline">{esc(a.title)}</h1>
{dek}
<div class="story-meta"><span class="byline">By {authors}</span> <span class="timestamp">{published}</span>{updated}</div>
<div class="social"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#comments">{comments_en(a.comments)}</a></div>
{figure}
<div class="story-body">
{chr(10).join(blocks)}
</div>
<div class="topics">Topics: {topics}</div>
<div class="newsletter-signup"><h3>Sign up for The Morning Ledger</h3><p>Get the day's top stories from central Ohio in your inbox every weekday.</p><input type="email" placeholder="Email address"><button>Sign up</button></div>
</div>
<aside class="rail">
<div class="ad-slot"><span class="ad-label">Advertisement</span></div>
<h2>Trending</h2>
<ol>
{trend}
</ol>
</aside>
</main>
<footer class="site-footer"><p>© 2025 The Midwest Ledger, Columbus, Ohio. <a href="/terms/">Terms of Use</a> · <a href="/privacy/">Privacy Policy</a> · <a href="/privacy/opt-out/">Do Not Sell or Share My Personal Information</a></p></footer>
</body>
</html>
"""
    boilerplate = ["Subscribe for $1 a week", "Advertisement", comments_en(a.comments),
                   trending[0].headline, "Sign up for The Morning Ledger"]
    return Page(page, boilerplate)


def render_ml_404() -> str:
    """The 404 page of the Ledger: a real HTML page, but with HTTP status 404."""
    trend = "\n".join(f'<li><a href="/news/{slug(t.headline)}/">{esc(t.headline)}</a></li>'
                      for t in ML_TRENDING)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Page not found | The Midwest Ledger</title>
<meta name="robots" content="noindex">
</head>
<body class="error-page">
<header class="site-header"><a class="logo" href="/">The Midwest Ledger</a></header>
<main>
<h1>We can't find that page</h1>
<p>The page you requested may have been moved or deleted. Try searching our archive or head back to the homepage.</p>
<form action="/search/"><input name="q" type="search" placeholder="Search"><button>Search</button></form>
<h2>Trending</h2>
<ol>
{trend}
</ol>
</main>
<footer class="site-footer"><p>© 2025 The Midwest Ledger, Columbus, Ohio.</p></footer>
</body>
</html>
"""


# --------------------------------------------------------------------------------------------
# Outlet 7: lakeside-gazette.ca, a Canadian community paper on WordPress; JSON-LD @graph
# and <time> in UTC ("Z"), categories and tags as rel="tag" links, comment form
# --------------------------------------------------------------------------------------------

LG_RECENT = [
    Teaser("Port Ellis council approves new skate park"),
    Teaser("Harbour festival draws record crowds"),
    Teaser("Library launches seed-sharing program"),
]
LG_TIMES = ["3 hours ago", "8 hours ago", "2 days ago"]


def render_lg(a: Article, ctx: Context) -> Page:
    o = OUTLETS["lg"]
    pub = when(a.published) if a.published else None
    local = pub.astimezone(EASTERN_DAYLIGHT) if pub else None
    visible = (f"{MONTHS[local.month - 1]} {local.day}, {local.year} at {clock_12h(local, dotted=True)}"
               if local else "")
    recent = rotate(LG_RECENT, ctx.index)
    recent_html = "\n".join(f'<li><a href="/local/{slug(t.headline)}/">{esc(t.headline)}</a> '
                            f'<span class="ago">{tm}</span></li>'
                            for t, tm in zip(recent, LG_TIMES, strict=True))
    related = "\n".join(f'<li><a href="{esc(canonical(r.url))}">{esc(r.title)}</a></li>' for r in ctx.related)
    category = a.section.split("/")[-1]
    tags = ", ".join(f'<a href="/tag/{slug(t)}/" rel="tag">{esc(t)}</a>' for t in a.topics)
    figure = ""
    if a.image:
        figure = (f'<figure class="wp-block-image"><img src="{image_url(o, a)}" alt="{esc(a.image.alt)}">'
                  f'<figcaption>{esc(a.image.caption)} (Photo: {esc(a.image.credit)})</figcaption></figure>')
    article_ld = news_article_ld(a, o, keywords_as_list=True)
    del article_ld["@context"]
    graph: dict[str, Any] = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": canonical(a.url), "url": canonical(a.url), "name": a.title,
             "isPartOf": {"@id": f"https://www.{o.domain}/#website"}},
            article_ld,
            {"@type": "WebSite", "@id": f"https://www.{o.domain}/#website", "name": o.name,
             "url": f"https://www.{o.domain}/"},
        ],
    }
    byline = byline_en(a)
    author = byline.removeprefix("By ")
    page = f"""<!DOCTYPE html>
<html lang="en-CA">
<head>
<meta charset="UTF-8">
<title>{esc(a.title)} - Lakeside Gazette</title>
<link rel="canonical" href="{esc(canonical(a.url))}">
<meta name="author" content="{esc(author)}">
{og_meta(a, o, "en_CA", article_times=False)}
{jsonld_script(graph)}
<link rel="stylesheet" href="/wp-content/themes/gazette/style.css">
</head>
<body class="post-template-default single single-post">
<div id="cookie-law-info-bar"><span>This website uses cookies to improve your experience. You can opt out if you wish.</span> <a role="button">Accept</a> <a role="button">Read More</a></div>
<div id="page" class="site">
<header id="masthead" class="site-header">
<p class="site-title"><a href="/" rel="home">Lakeside Gazette</a></p>
<p class="site-description">News for Port Ellis and the Lakeshore</p>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
<li><a href="/local/">Local</a></li><li><a href="/world/">World</a></li><li><a href="/sports/">Sports</a></li>
<li><a href="/opinion/">Opinion</a></li><li><a href="/obituaries/">Obituaries</a></li>
</ul></nav>
</header>
<div id="content" class="site-content">
<main id="main" class="site-main">
<article class="post type-post status-publish format-standard hentry">
<header class="entry-header">
<h1 class="entry-title">{esc(a.title)}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{a.published}">{visible}</time></span> <span class="byline">{esc(byline)}</span></div>
</header>
<div class="entry-content">
{figure}
{chr(10).join(body_blocks(a.body, heading="h3"))}
</div>
<div class="sharedaddy"><h3>Share this:</h3><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Email</a></div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/{slug(category)}/" rel="category tag">{esc(category)}</a></span> | <span class="tags-links">Tagged {tags}</span></footer>
</article>
<div class="related-posts"><h3>Related Posts</h3><ul>
{related}
</ul></div>
<div id="comments" class="comments-area"><h2 class="comments-title">Comments ({a.comments})</h2>
<div id="respond"><h3>Leave a comment</h3><form><textarea name="comment"></textarea><button>Post Comment</button></form></div></div>
</main>
<aside id="secondary" class="widget-area">
<section class="widget"><h2 class="widget-title">Recent Posts</h2><ul>
{recent_html}
</ul></section>
<section class="widget"><p class="sponsored">Sponsored: Lakeshore Home Comfort – 0% financing on new heat pumps this fall</p></section>
</aside>
</div>
<footer id="colophon" class="site-footer"><p>© 2025 Lakeside Gazette · Proudly powered by WordPress</p></footer>
</div>
</body>
</html>
"""
    boilerplate = ["This website uses cookies", "Leave a comment", "Related Posts",
                   recent[0].headline, "Lakeshore Home Comfort"]
    return Page(page, boilerplate)


OUTLETS: dict[str, Outlet] = {
    o.key: o for o in [
        Outlet("np", "Nachrichten-Portal", "nachrichten-portal.de", "de", render_np, "nginx", "192.0.2.10"),
        Outlet("rk", "Rheinland Kurier", "rheinland-kurier.de", "de", render_rk, "Apache", "192.0.2.21"),
        Outlet("nb", "Nordsee-Bote", "nordsee-bote.de", "de", render_nb, "Apache/2.2.22 (Debian)",
               "192.0.2.33"),
        Outlet("ab", "Alpenblick", "alpenblick.at", "de", render_ab, "nginx", "198.51.100.7"),
        Outlet("hh", "Harbour Herald", "harbour-herald.co.uk", "en", render_hh, "cloudflare",
               "198.51.100.42"),
        Outlet("ml", "The Midwest Ledger", "midwest-ledger.com", "en", render_ml, "Varnish",
               "203.0.113.15"),
        Outlet("lg", "Lakeside Gazette", "lakeside-gazette.ca", "en", render_lg, "Apache",
               "203.0.113.80"),
    ]
}


# --------------------------------------------------------------------------------------------
# Rendering, checking, writing
# --------------------------------------------------------------------------------------------

# A sentence ends at . ! ? optionally followed by a closing quote (not at a quote after a comma).
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][»”]))\s+(?=[A-ZÄÖÜ«„“])")


def sentences_to_check(a: Article) -> list[str]:
    """Two or three sentences from the start, middle and end of the body (not the lead)."""
    paras = a.paragraphs
    picked: list[str] = []
    for idx in sorted({0, len(paras) // 2, len(paras) - 1}):
        candidates = [s for s in SENTENCE_END.split(paras[idx]) if len(s) >= 40] or [paras[idx]]
        sentence = max(candidates, key=len)
        if sentence not in picked:
            picked.append(sentence)
    return picked[:3]


def normalise(text: str) -> str:
    return " ".join(text.split())


def visible_text(page: str) -> str:
    return normalise(lxml.html.document_fromstring(page).text_content())


def check(a: Article, page: Page, must: list[str], must_not: list[str]) -> list[str]:
    """Catch mistakes in data or templates before they become wrong ground truth."""
    problems = []
    words = sum(len(p.split()) for p in a.body)
    if not 150 <= words <= 900:
        problems.append(f"body has {words} words")
    text = visible_text(page.html)
    article_text = normalise(" ".join(a.article_strings))
    for s in must:
        if normalise(s) not in text:
            problems.append(f"must-contain not on page: {s[:60]!r}")
    for s in must_not:
        if normalise(s) not in text:
            problems.append(f"must-not-contain not on page: {s!r}")
        if normalise(s) in article_text:
            problems.append(f"must-not-contain inside the article: {s!r}")
    return [f"{a.id}: {p}" for p in problems]


def encode_page(text: str, charset: str) -> bytes:
    return text.encode(charset, errors="xmlcharrefreplace")


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def tiny_png(width: int = 24, height: int = 8) -> bytes:
    """A small valid PNG (the Herald's logo) for the not-HTML response."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))
    blue, paper = bytes((0x12, 0x3A, 0x5C)), bytes((0xF2, 0xF2, 0xEE))
    raw = b"".join(b"\x00" + b"".join(blue if (x // 4 + y // 4) % 2 else paper for x in range(width))
                   for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


@dataclass
class WarcResponse:
    url: str
    fetched_at: str
    status: str
    content_type: str
    payload: bytes
    outlet: Outlet
    content_encoding: str = ""
    with_request: bool = False
    extra_headers: list[tuple[str, str]] = field(default_factory=list)


def warc_date(iso: str) -> str:
    return when(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_id(kind: str, url: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{kind}:{url}')}>"


def write_warc(path: Path, responses: list[WarcResponse]) -> None:
    """Write warcinfo, then (request and) response records in fetch order, deterministically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.0")
        info = (b"software: news-archive data/samples/generate.py\r\n"
                b"format: WARC File Format 1.0\r\n"
                b"conformsTo: http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf\r\n"
                b"description: news-archive sample corpus; invented pages of fictitious outlets\r\n"
                b"isPartOf: news-archive-samples\r\n")
        writer.write_record(writer.create_warc_record(
            "", "warcinfo", payload=BytesIO(info), length=len(info),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Record-ID": record_id("warcinfo", "samples.warc.gz"),
                               "WARC-Date": WARC_STARTED, "WARC-Filename": "samples.warc.gz"}))
        for r in sorted(responses, key=lambda r: warc_date(r.fetched_at)):
            http_date = format_datetime(when(r.fetched_at).astimezone(UTC), usegmt=True)
            response_id = record_id("response", r.url)
            common = {"WARC-Date": warc_date(r.fetched_at), "WARC-IP-Address": r.outlet.ip,
                      "WARC-Warcinfo-ID": record_id("warcinfo", "samples.warc.gz")}
            if r.with_request:
                host = r.url.split("/")[2]
                target = r.url.split(host, 1)[1]
                request_headers = StatusAndHeaders(f"GET {target} HTTP/1.1", [
                    ("Host", host), ("User-Agent", "news-archive-sampler/0.1"),
                    ("Accept", "text/html,application/xhtml+xml"), ("Accept-Language", "de,en;q=0.8"),
                    ("Accept-Encoding", "identity"), ("Connection", "close"),
                ], is_http_request=True)
                writer.write_record(writer.create_warc_record(
                    r.url, "request", http_headers=request_headers,
                    warc_headers_dict={"WARC-Record-ID": record_id("request", r.url),
                                       "WARC-Concurrent-To": response_id, **common}))
            headers = [("Date", http_date), ("Server", r.outlet.server),
                       ("Content-Type", r.content_type)]
            if r.content_encoding:
                headers += [("Content-Encoding", r.content_encoding), ("Vary", "Accept-Encoding")]
            headers += [("Content-Length", str(len(r.payload))), *r.extra_headers,
                        ("Connection", "close")]
            writer.write_record(writer.create_warc_record(
                r.url, "response", payload=BytesIO(r.payload), length=len(r.payload),
                http_headers=StatusAndHeaders(r.status, headers, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Record-ID": response_id, **common}))


def related_for(a: Article, articles: list[Article]) -> list[Article]:
    """The next three articles of the same outlet (other stories), as a related-links box."""
    same = [x for x in articles if x.outlet == a.outlet]
    start = same.index(a)
    ordered = same[start + 1:] + same[:start]
    return [x for x in ordered if x.story != a.story][:3]


def main() -> int:
    articles = load_articles(HERE / "articles.toml")
    ids = [a.id for a in articles]
    urls = [a.url for a in articles]
    assert len(set(ids)) == len(ids) and len(set(urls)) == len(urls), "duplicate id or url"

    HTML_DIR.mkdir(parents=True, exist_ok=True)
    for old in [*HTML_DIR.glob("*.html"), *HTML_DIR.glob("*.html.gz")]:
        old.unlink()

    problems: list[str] = []
    manifest: list[dict[str, str]] = []
    expected: list[dict[str, Any]] = []
    responses: list[WarcResponse] = []
    positions: dict[str, int] = {}
    for a in articles:
        outlet = OUTLETS[a.outlet]
        index = positions.get(a.outlet, 0)
        positions[a.outlet] = index + 1
        in_warc = a.store == "warc"
        # The Bote serves a legacy encoding: windows-1252 files, ISO-8859-1 in the WARC.
        charset = (a.http.get("charset") or "windows-1252") if a.outlet == "nb" else "utf-8"
        page = outlet.render(a, Context(index, related_for(a, articles), charset))
        must = sentences_to_check(a)
        must_not = a.must_not_contain if a.must_not_contain is not None else page.boilerplate
        problems += check(a, page, must, must_not)
        payload = encode_page(page.html, charset)
        if in_warc:
            declared = a.http.get("charset", "utf-8")
            content_type = f"text/html; charset={declared}" if declared else "text/html"
            encoding = a.http.get("content_encoding", "")
            responses.append(WarcResponse(
                a.url, a.fetched_at, "200 OK", content_type,
                gzip_bytes(payload) if encoding == "gzip" else payload, outlet,
                content_encoding=encoding, with_request=bool(a.http.get("request")),
                extra_headers=[("Cache-Control", "max-age=60")]))
            origin = WARC_ORIGIN
        else:
            name = f"{a.id}.{a.store}"
            (HTML_DIR / name).write_bytes(gzip_bytes(payload) if a.store == "html.gz" else payload)
            manifest.append({"file": name, "url": a.url, "fetched_at": a.fetched_at})
            origin = f"html/{name}"
        record: dict[str, Any] = {
            "url": a.url, "outlet": outlet.name, "source": outlet.domain,
            "language": outlet.language, "title": a.title, "published": a.published,
            # A story credited to no person is credited to its agency (see clean.credited_authors).
            "authors": a.authors or a.agencies[:1], "agencies": a.agencies, "topics": a.topics, "story": a.story,
            "text_must_contain": must, "text_must_not_contain": must_not, "origin": origin,
        }
        if a.same_article_as:
            record["same_article_as"] = a.same_article_as
        expected.append(record)

    # The inputs that are not articles, each with the reason the pipeline must give.
    rk_region = [a for a in articles if a.outlet == "rk" and a.store != "warc"]
    rejects = [
        (WarcResponse("https://www.rheinland-kurier.de/region/", "2025-10-18T15:05:00+00:00",
                      "200 OK", "text/html; charset=utf-8",
                      render_rk_section(rk_region).encode("utf-8"), OUTLETS["rk"]),
         "extraction_empty"),
        (WarcResponse("https://www.midwest-ledger.com/news/local/county-fair-preview-2019-55012.html",
                      "2025-10-13T12:05:00+00:00", "404 Not Found", "text/html; charset=utf-8",
                      render_ml_404().encode("utf-8"), OUTLETS["ml"]),
         "http_status"),
        (WarcResponse("https://www.harbour-herald.co.uk/static/img/herald-logo.png",
                      "2025-10-13T13:00:05+00:00", "200 OK", "image/png", tiny_png(), OUTLETS["hh"],
                      extra_headers=[("Cache-Control", "max-age=31536000")]),
         "not_html"),
    ]
    for response, reason in rejects:
        responses.append(response)
        expected.append({"url": response.url, "outlet": response.outlet.name,
                         "source": response.outlet.domain, "origin": WARC_ORIGIN,
                         "expect_reject": reason})

    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1

    (HTML_DIR / "manifest.jsonl").write_text(
        "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in manifest), encoding="utf-8")
    write_warc(WARC_PATH, responses)
    EXPECTED_PATH.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in expected), encoding="utf-8")
    n_warc = sum(1 for a in articles if a.store == "warc")
    print(f"{len(articles)} article pages ({len(articles) - n_warc} in html/, {n_warc} in warc/), "
          f"{len(rejects)} non-article responses, {len(OUTLETS)} outlets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
