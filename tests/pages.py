"""Article pages of the tests' own making, built from parts: each test states what it varies."""

from __future__ import annotations

import html
import json
from typing import Any

BODY = [
    "Die Stadtverwaltung hat am Dienstag neue Pläne für den Ausbau des Radwegenetzes "
    "vorgestellt. Bis zum Jahr 2030 sollen mehr als vierzig Kilometer neue Wege entstehen.",
    "Nach Angaben der Verwaltung kostet das Vorhaben rund zwölf Millionen Euro. Ein Teil des "
    "Geldes kommt aus einem Förderprogramm des Landes, den Rest trägt die Stadt selbst.",
    "Kritik kam von den Anwohnern der Innenstadt, die den Wegfall von Parkplätzen fürchten. Die "
    "Verwaltung kündigte an, die Pläne in mehreren Bürgerversammlungen zu erläutern.",
    "Die erste Versammlung findet in der kommenden Woche im Rathaus statt. Eine Anmeldung ist "
    "nicht erforderlich, die Plätze sind allerdings begrenzt.",
]


def article_page(
    *,
    title: str = "Stadt plant neue Radwege",
    site: str = "Rheinland Kurier",
    paragraphs: list[str] | None = None,
    lang: str = "de",
    json_ld: dict[str, Any] | None = None,
    meta: dict[str, str] | None = None,
    byline: str = "",
    extra_head: str = "",
    furniture: str = "",
    title_tag: str | None = None,
) -> str:
    """An article page with navigation, teasers and a footer around the article."""
    paragraphs = BODY if paragraphs is None else paragraphs
    ld = f'<script type="application/ld+json">{json.dumps(json_ld)}</script>' if json_ld else ""
    metas = "".join(
        f'<meta property="{html.escape(k)}" content="{html.escape(v)}">'
        for k, v in (meta or {}).items()
    )
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(title_tag or f"{title} | {site}")}</title>{metas}{ld}{extra_head}</head>
<body>
<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik/">Politik</a></li>
<li><a href="/sport/">Sport</a></li></ul></nav>
<main><article>
<h1>{html.escape(title)}</h1>
<p class="byline">{html.escape(byline)}</p>
{body}
</article>
<aside><h2>Mehr zum Thema</h2><ul>
<li><a href="/a.html">Neue Ampel am Marktplatz</a> vor 14 Minuten</li>
<li><a href="/b.html">Baustelle auf der A3</a> vor 2 Stunden</li></ul></aside>
{furniture}
</main>
<footer><p>Impressum · Datenschutz · Kontakt</p></footer>
</body></html>"""


def section_front(*, teasers: int = 12, og_type: str = "website") -> str:
    """A section front: a card per story (headline link, one-line summary), no article."""
    cards = "".join(
        f'<div class="card"><h3><a href="/politik/meldung-{i}-aus-dem-rathaus-{100 + i}.html">'
        f"Meldung Nummer {i} aus dem Rathaus der Stadt</a></h3>"
        f"<p>Kurz gefasst: was der Rat in seiner Sitzung Nummer {i} beschlossen hat, und was es "
        "für die Anwohner bedeutet.</p></div>"
        for i in range(teasers)
    )
    return f"""<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Politik | Rheinland Kurier</title>
<meta property="og:type" content="{og_type}"></head>
<body>
<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik/">Politik</a></li></ul></nav>
<main><h1>Politik</h1>{cards}</main>
<footer><p>Impressum · Datenschutz · Kontakt</p></footer>
</body></html>"""
