"""A news site of the tests' own making on 127.0.0.1, with every fault a collector meets.

``serve_site()`` starts it in a thread and stops it; ``site.hits`` counts requests per path and
``site.log`` keeps (path, headers) of each, so tests can say what the collector asked for.
``site.generation = 2`` adds an article to the RSS feed (and changes its ETag), as a site does
between two collects.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from etl.collect.fetch import FetchSettings
from tests.pages import article_page

FIXTURES = Path(__file__).parent / "fixtures"
ATOM_UPDATED = "Fri, 17 Oct 2025 06:00:00 GMT"

# path: (title, first sentence); each page's text differs so each becomes its own article.
ARTICLES = {
    "/news/radwege.html": ("Stadt plant neue Radwege", "Die Stadt baut neue Radwege."),
    "/news/hafen.html": ("Hafen wird erweitert", "Der Hafen bekommt ein drittes Becken."),
    "/news/markt.html": (
        "Wochenmarkt zieht um",
        "Der Wochenmarkt findet künftig am Rathaus statt.",
    ),
    "/news/flaky.html": ("Neue Buslinie", "Ab Montag fährt eine neue Buslinie zum Bahnhof."),
    "/news/ratelimit.html": ("Bad wird saniert", "Das Hallenbad schließt für zwei Jahre."),
    "/news/umzug.html": ("Bibliothek im Neubau", "Die Stadtbibliothek zieht in den Neubau."),
    "/news/archiv.html": ("Schule erhält Preis", "Die Gesamtschule gewinnt den Landespreis."),
    "/news/neu.html": ("Brücke gesperrt", "Die Rheinbrücke wird ab Freitag gesperrt."),
    "/clean/eins.html": ("Theater eröffnet", "Das Stadttheater eröffnet die neue Spielzeit."),
    "/clean/zwei.html": ("Zoo bekommt Elefanten", "Der Zoo erwartet zwei junge Elefanten."),
}
# One wire story on two outlets: the fixture site answers as both "127.0.0.1" and "localhost"
# (one server on 127.0.0.1), which are two sources with keys of their own.
WIRE_STORY = [
    "Berlin (dpa) - Die Bundesregierung will den Ausbau der Stromnetze deutlich beschleunigen "
    "und dafür die Genehmigungsverfahren für neue Leitungen auf wenige Monate verkürzen.",
    "Das Kabinett beschloss am Mittwoch einen entsprechenden Gesetzentwurf, der nun im "
    "Bundestag beraten wird. Die Netzbetreiber begrüßten die Pläne als überfällig.",
    "Umweltverbände kritisierten dagegen, dass die Beteiligung der Öffentlichkeit an den "
    "Verfahren eingeschränkt werden soll. Sie kündigten Widerstand in den Ländern an.",
    "Nach Angaben des Wirtschaftsministeriums fehlen bis zum Ende des Jahrzehnts mehrere "
    "tausend Kilometer an Übertragungsleitungen, vor allem zwischen Nord und Süd.",
]
WIRE_PAGES = {
    "/wire/kurier.html": ("Netzausbau soll schneller gehen", "Rheinland Kurier"),
    "/wire/bote.html": ("Regierung beschleunigt Netzausbau", "Nordsee-Bote"),
}
RSS_ITEMS = [
    "/news/radwege.html?utm_source=rss&utm_medium=feed",
    "/news/cp1252.html",
    "/news/flaky.html",
    "/news/ratelimit.html",
    "/private/intern.html",
    "/faults/missing.html",
    "/faults/slow.html",
    "/faults/reset.html",
    "/faults/loop.html",
    "/faults/to-private.html",
]
ATOM_ENTRIES = [
    "/news/radwege.html",
    "/news/hafen.html",
    "/faults/huge.html",
    "/faults/bomb.html",
    "/docs/bericht.pdf",
]
NEWS_SITEMAP = ["/news/hafen.html", "/news/markt.html", "/faults/moved.html"]
PAGES_SITEMAP = ["/news/archiv.html"]
# What each discovered path must end as, after the first collect.
EXPECTED = {
    "/news/radwege.html": "article",
    "/news/cp1252.html": "article",
    "/news/flaky.html": "article",
    "/news/ratelimit.html": "article",
    "/news/hafen.html": "article",
    "/news/markt.html": "article",
    "/news/archiv.html": "article",
    "/faults/moved.html": "article",
    "/private/intern.html": "robots_disallowed",
    "/faults/missing.html": "http_status",
    "/faults/slow.html": "timeout",
    "/faults/reset.html": "connection_error",
    "/faults/loop.html": "redirect_loop",
    "/faults/to-private.html": "ssrf_blocked",
    "/faults/huge.html": "too_large",
    "/faults/bomb.html": "too_large",
    "/docs/bericht.pdf": "not_html",
}
CP1252_TEXT = (
    "Die Bürgerinnen und Bürger äußerten sich „überwiegend zufrieden“ mit dem Straßenfest. "
    "Der Eintritt kostete fünf €, Kinder zahlten nichts. Die Veranstalter zählten über "
    "zwölftausend Besucherinnen und Besucher an beiden Tagen. Im nächsten Jahr soll das Fest "
    "größer werden, mit mehr Bühnen und längeren Öffnungszeiten bis Mitternacht."
)
HUGE_BYTES = 50 * 1024 * 1024
# Timeouts short enough that the slow page fails fast, every wait shrunk a hundredfold.
FAST = FetchSettings(
    connect_timeout=0.5,
    read_timeout=0.3,
    total_timeout=5.0,
    retries=2,
    backoff_base=0.05,
    wait_scale=0.01,
    host_concurrency=2,
)


class FixtureSite:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[str, dict[str, str]]] = []
        self.generation = 1
        self.stopping = threading.Event()
        self.base = ""
        self._lock = threading.Lock()

    def article(self, path: str) -> bytes:
        title, lead = ARTICLES[path]
        paragraphs = [
            f"{lead} Das teilte die Verwaltung am Donnerstag mit.",
            f"{title}: Die Pläne liegen seit dem Sommer vor und wurden im Rat beraten.",
            "Die Kosten trägt zum größten Teil das Land, den Rest übernimmt die Stadt selbst.",
            "Anwohnerinnen und Anwohner können sich in einer Versammlung informieren.",
        ]
        return article_page(title=title, paragraphs=paragraphs).encode("utf-8")

    def rss(self) -> bytes:
        paths = RSS_ITEMS + (["/news/neu.html"] if self.generation >= 2 else [])
        items = "".join(
            f"<item><title>Meldung {i}</title><link>{self.base}{p.replace('&', '&amp;')}</link>"
            f"<pubDate>Fri, 17 Oct 2025 0{i % 10}:00:00 +0200</pubDate>"
            f"<category>Lokales</category></item>"
            for i, p in enumerate(paths)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Rheinland Kurier</title><link>{self.base}/</link><language>de</language>"
            f"{items}</channel></rss>"
        ).encode()

    def atom(self) -> bytes:
        entries = "".join(
            f'<entry><title>Eintrag {i}</title><link href="{self.base}{p}"/>'
            f"<id>{self.base}{p}</id><updated>2025-10-16T12:00:00Z</updated>"
            f'<category term="Region"/></entry>'
            for i, p in enumerate(ATOM_ENTRIES)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Rheinland Kurier</title><id>{self.base}/</id>"
            f"<updated>2025-10-17T06:00:00Z</updated>{entries}</feed>"
        ).encode()

    def sitemap_index(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base}/sitemap-news.xml</loc>"
            "<lastmod>2025-10-17T06:00:00Z</lastmod></sitemap>"
            f"<sitemap><loc>{self.base}/sitemap-pages.xml.gz</loc>"
            "<lastmod>2025-10-01</lastmod></sitemap></sitemapindex>"
        ).encode()

    def news_sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.base}{p}</loc><news:news><news:publication>"
            "<news:name>Rheinland Kurier</news:name><news:language>de</news:language>"
            f"</news:publication><news:publication_date>2025-10-17T0{i}:30:00+02:00"
            f"</news:publication_date><news:title>Nachricht {i}</news:title>"
            "<news:keywords>Stadt, Verkehr</news:keywords></news:news></url>"
            for i, p in enumerate(NEWS_SITEMAP)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{urls}</urlset>"
        ).encode()

    def pages_sitemap(self) -> bytes:
        urls = "".join(
            f"<url><loc>{self.base}{p}</loc><lastmod>2025-10-01</lastmod></url>"
            for p in PAGES_SITEMAP
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
        )
        return gzip.compress(xml.encode(), mtime=0)

    def clean_rss(self) -> bytes:
        items = "".join(
            f"<item><title>{t}</title><link>{self.base}{p}</link></item>"
            for p, (t, _) in ARTICLES.items()
            if p.startswith("/clean/")
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Kurz</title>'
            f"{items}</channel></rss>"
        ).encode()

    def wire_rss(self, host: str) -> bytes:
        """The wire story as the outlet at ``host`` (127.0.0.1 or localhost) lists it."""
        path = "/wire/bote.html" if host.startswith("localhost") else "/wire/kurier.html"
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<item><title>{WIRE_PAGES[path][0]}</title><link>http://{host}{path}</link>"
            "<pubDate>Thu, 16 Oct 2025 08:30:00 +0200</pubDate></item></channel></rss>"
        ).encode()


@contextmanager
def serve_site() -> Iterator[FixtureSite]:
    site = FixtureSite()
    gzip_bomb()  # made before serving, so its first request is not slow for other reasons
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(site))
    server.daemon_threads = True
    # The faults (resets, aborted 50 MiB bodies) are meant; tracebacks would only be noise.
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


_BOMB: list[bytes] = []


def gzip_bomb() -> bytes:
    """24 MiB of HTML-ish whitespace, gzipped to about 24 KiB."""
    if not _BOMB:
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        parts = [packer.compress(b"<html><body><p>")]
        block = b" " * (1024 * 1024)
        parts += [packer.compress(block) for _ in range(24)]
        parts.append(packer.flush())
        _BOMB.append(b"".join(parts))
    return _BOMB[0]


def _handler_for(site: FixtureSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with site._lock:
                site.hits[path] += 1
                site.log.append((path, dict(self.headers.items())))
                hits = site.hits[path]
            route = ROUTES.get(path)
            if route is not None:
                route(self, hits)
            elif path in ARTICLES:
                self.reply(200, site.article(path))
            elif path in WIRE_PAGES:
                title, outlet = WIRE_PAGES[path]
                page = article_page(title=title, site=outlet, paragraphs=WIRE_STORY)
                self.reply(200, page.encode("utf-8"))
            else:
                self.reply(404, b"<html><body>not found</body></html>")

        def reply(
            self,
            status: int,
            body: bytes,
            content_type: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, status: int, location: str) -> None:
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def conditional(self, body: bytes, content_type: str, etag: str) -> None:
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.reply(200, body, content_type, {"ETag": etag})

    def robots(h: Handler, hits: int) -> None:
        text = "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n"
        h.reply(200, text.encode(), "text/plain")

    def rss(h: Handler, hits: int) -> None:
        h.conditional(site.rss(), "application/rss+xml", f'"rss-{site.generation}"')

    def atom(h: Handler, hits: int) -> None:
        if h.headers.get("If-Modified-Since") == ATOM_UPDATED:
            h.send_response(304)
            h.end_headers()
            return
        h.reply(200, site.atom(), "application/atom+xml", {"Last-Modified": ATOM_UPDATED})

    def flaky(h: Handler, hits: int) -> None:
        if hits == 1:
            h.reply(500, b"<html><body>server error</body></html>")
        else:
            h.reply(200, site.article("/news/flaky.html"))

    def ratelimit(h: Handler, hits: int) -> None:
        if hits == 1:
            h.reply(429, b"slow down", "text/plain", {"Retry-After": "1"})
        else:
            h.reply(200, site.article("/news/ratelimit.html"))

    def slow(h: Handler, hits: int) -> None:
        if not site.stopping.wait(3):
            h.reply(200, site.article("/news/radwege.html"))

    def reset(h: Handler, hits: int) -> None:
        # Linger with a zero timeout: close() sends RST instead of FIN.
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()

    def huge(h: Handler, hits: int) -> None:
        # No Content-Length: the client only finds out by counting.
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        block = b"<p>" + b"x" * 65533
        try:
            for _ in range(HUGE_BYTES // len(block)):
                if site.stopping.is_set():
                    return
                h.wfile.write(block)
        except OSError:
            return

    def declared_huge(h: Handler, hits: int) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(HUGE_BYTES))
        h.end_headers()
        try:
            h.wfile.write(b"<html>" + b" " * 1024)
        except OSError:
            return

    def bomb(h: Handler, hits: int) -> None:
        h.reply(200, gzip_bomb(), "text/html", {"Content-Encoding": "gzip"})

    def cp1252(h: Handler, hits: int) -> None:
        page = article_page(title="Straßenfest mit Rekord", paragraphs=[CP1252_TEXT] * 2)
        page = page.replace('<meta charset="utf-8">', "")
        h.reply(200, page.encode("cp1252"), "text/html")

    def chunked_gzip(h: Handler, hits: int) -> None:
        # How most news sites answer: gzip, in chunks, over HTTP/1.1.
        body = gzip.compress(site.article("/news/hafen.html"), mtime=0)
        h.wfile.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        for start in range(0, len(body), 100):
            chunk = body[start : start + 100]
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        h.wfile.write(b"0\r\n\r\n")

    def pdf(h: Handler, hits: int) -> None:
        h.reply(200, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")

    ROUTES: dict[str, Callable[[Handler, int], None]] = {
        "/robots.txt": robots,
        "/rss.xml": rss,
        "/atom.xml": atom,
        "/clean-rss.xml": lambda h, n: h.reply(200, site.clean_rss(), "application/rss+xml"),
        "/wire-rss.xml": lambda h, n: h.reply(
            200, site.wire_rss(h.headers.get("Host", "")), "application/rss+xml"
        ),
        "/sitemap.xml": lambda h, n: h.conditional(
            site.sitemap_index(), "application/xml", '"index-1"'
        ),
        "/sitemap-news.xml": lambda h, n: h.conditional(
            site.news_sitemap(), "application/xml", '"news-1"'
        ),
        "/sitemap-pages.xml.gz": lambda h, n: h.conditional(
            site.pages_sitemap(), "application/x-gzip", '"pages-1"'
        ),
        "/news/flaky.html": flaky,
        "/news/ratelimit.html": ratelimit,
        "/news/cp1252.html": cp1252,
        "/faults/slow.html": slow,
        "/faults/reset.html": reset,
        "/faults/loop.html": lambda h, n: h.redirect(302, "/faults/loop-b.html"),
        "/faults/loop-b.html": lambda h, n: h.redirect(302, f"{site.base}/faults/loop.html"),
        "/faults/to-private.html": lambda h, n: h.redirect(302, "http://10.0.0.1/admin"),
        "/faults/moved.html": lambda h, n: h.redirect(301, "/news/umzug.html"),
        "/faults/huge.html": huge,
        "/faults/declared-huge.html": declared_huge,
        "/faults/bomb.html": bomb,
        "/docs/bericht.pdf": pdf,
        "/news/chunked.html": chunked_gzip,
    }
    return Handler


def sources_file(site: FixtureSite, target: Path, name: str = "sources.toml") -> Path:
    """The fixture sources file with the running site's address filled in."""
    text = (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", site.base)
    text = text.replace("{localhost}", site.base.replace("127.0.0.1", "localhost"))
    target.write_text(text, encoding="utf-8")
    return target
