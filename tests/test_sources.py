"""sources.toml, feed and sitemap parsing, canonical URLs, and the per-source state."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from etl.collect.runs import plan
from etl.collect.sources import (
    MAX_ATTEMPTS,
    Discovered,
    DiscoveryError,
    Source,
    SourcesError,
    SourceState,
    canonical,
    load_sources,
    parse_feed,
    parse_sitemap,
    source_key,
)
from etl.core.datadir import DataDir

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 10, 17, 6, tzinfo=UTC)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_example_loads() -> None:
    sources = load_sources(REPO / "data" / "sources.toml")
    keys = {s.key for s in sources}
    assert {"tagesschau.de", "bbc.co.uk", "theguardian.com"} <= keys
    assert all(s.feeds and not s.allow_private_network for s in sources)


def test_a_hostile_name_is_only_data(tmp_path: Path) -> None:
    (source,) = load_sources(
        write(
            tmp_path,
            '[[source]]\nname = "../../etc/passwd\\"; DROP TABLE x; --"\n'
            'url = "https://WWW.Example.CO.UK/news"\nfeeds = ["https://www.example.co.uk/rss"]\n',
        )
    )
    assert source.key == "example.co.uk"
    assert source.name.startswith("../../etc/passwd")
    state = SourceState(DataDir(tmp_path), source.key)
    state.record("https://www.example.co.uk/a", NOW, done=True, attempted=True)
    state.save()
    assert [p.name for p in (tmp_path / "state").iterdir()] == ["example.co.uk"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('name = "A"\nurl = "https://a.de/"\nfeed = ["https://a.de/rss"]', "unknown keys"),
        ('name = "A"\nurl = "ftp://a.de/"\nfeeds = ["https://a.de/rss"]', "not an http(s) URL"),
        ('name = "A"\nurl = "https://a.de/"', "at least one feed or sitemap"),
        ('name = ""\nurl = "https://a.de/"\nfeeds = ["https://a.de/rss"]', "name must be"),
        ('name = "A"\nurl = "https://a.de/"\nfeeds = "https://a.de/rss"', "list of strings"),
        (
            'name = "A"\nurl = "https://a.de/"\nfeeds = ["https://a.de/r"]\nmax_pages = 0',
            "max_pages",
        ),
        (
            'name = "A"\nurl = "https://a.de/"\nfeeds = ["https://a.de/r"]\ncrawl_delay = true',
            "crawl",
        ),
        (
            'name = "A"\nurl = "https://a.de/"\nfeeds = ["https://a.de/r"]\nurl_patterns = ["("]',
            "url_",
        ),
        (
            'name = "A"\nurl = "https://a.de/"\nfeeds = ["https://a.de/r"]\n'
            'allow_private_network = "yes"',
            "allow_private_network",
        ),
        ('name = "A"\nurl = "https://a.de/"\nfeeds = ["https://a.de/r"]\nlanguage = "?"', "code"),
    ],
)
def test_mistakes_are_one_line_errors_naming_the_source(
    tmp_path: Path, table: str, message: str
) -> None:
    with pytest.raises(SourcesError, match="source 1") as raised:
        load_sources(write(tmp_path, f"[[source]]\n{table}\n"))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_file_level_mistakes(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="not found"):
        load_sources(tmp_path / "missing.toml")
    with pytest.raises(SourcesError, match="Expected"):
        load_sources(write(tmp_path, "[[source]\n"))
    with pytest.raises(SourcesError, match="no \\[\\[source\\]\\]"):
        load_sources(write(tmp_path, ""))
    one = '[[source]]\nname = "A"\nurl = "https://www.a.de/"\nfeeds = ["https://a.de/rss"]\n'
    two = '[[source]]\nname = "B"\nurl = "https://blog.a.de/"\nfeeds = ["https://a.de/b"]\n'
    with pytest.raises(SourcesError, match="already source 1"):
        load_sources(write(tmp_path, one + two))


def test_source_keys_are_registered_domains_safe_as_paths() -> None:
    assert source_key("https://www.tagesschau.de/inland/") == "tagesschau.de"
    assert source_key("https://news.bbc.co.uk/") == "bbc.co.uk"
    assert source_key("https://www.bücher.de/") == "xn--bcher-kva.de"
    assert source_key("http://127.0.0.1:8080/") == "127.0.0.1"


def test_canonical_urls_drop_tracking_and_sort_the_query() -> None:
    url = "HTTPS://WWW.Example.DE/a/b.html?utm_source=rss&z=2&fbclid=x&a=1&ref=home#top"
    assert canonical(url) == "https://www.example.de/a/b.html?a=1&z=2"


RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title><language>de-DE</language>
<item><title> Erste </title><link>/politik/eins.html?utm_campaign=x</link>
<pubDate>Fri, 17 Oct 2025 08:00:00 +0200</pubDate><category>Politik</category>
<category>Inland</category></item>
<item><title>ohne Link</title></item>
</channel></rss>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://www.example.de/"><title>T</title></channel>
<item rdf:about="https://www.example.de/rdf.html"><title>RDF</title>
<link>https://www.example.de/rdf.html</link><dc:date>2025-10-17T06:00:00Z</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>x</id><updated>2025-10-17T06:00:00Z</updated>
<entry><title>Atom</title><id>a</id><updated>2025-10-16T12:00:00Z</updated>
<link rel="alternate" href="https://www.example.de/atom.html"/><category term="Welt"/></entry>
</feed>"""


def test_rss2_entries_with_hints() -> None:
    (entry,) = parse_feed(RSS2, "https://www.example.de/rss.xml")
    assert entry.url == "https://www.example.de/politik/eins.html?utm_campaign=x"
    assert entry.canonical_url == "https://www.example.de/politik/eins.html"
    assert entry.title == "Erste"
    assert entry.published_at == datetime(2025, 10, 17, 6, tzinfo=UTC)
    assert entry.categories == ["Politik", "Inland"]
    assert entry.language == "de"


def test_rss1_and_atom() -> None:
    (rdf,) = parse_feed(RSS1, "https://www.example.de/index.rdf")
    assert rdf.url == "https://www.example.de/rdf.html"
    assert rdf.published_at == datetime(2025, 10, 17, 6, tzinfo=UTC)
    (atom,) = parse_feed(ATOM, "https://www.example.de/atom.xml")
    assert (atom.url, atom.title, atom.categories) == (
        "https://www.example.de/atom.html",
        "Atom",
        ["Welt"],
    )


LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]>
<rss version="2.0"><channel><item><title>&b;</title><link>https://x.de/</link></item></channel></rss>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e;</loc></url></urlset>"""


def test_entities_are_refused_not_expanded() -> None:
    with pytest.raises(DiscoveryError) as raised:
        parse_feed(LAUGHS, "https://x.de/rss")
    assert raised.value.reason == "unsafe_xml"
    with pytest.raises(DiscoveryError, match="unsafe_xml"):
        parse_sitemap(XXE, "https://x.de/sitemap.xml")


def test_feedparser_never_reads_a_path_it_is_given(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(RSS2)
    # Handed over as bytes, feedparser would open this as a file name and parse the file.
    with pytest.raises(DiscoveryError, match="bad_feed"):
        parse_feed(str(secret).encode(), "https://x.de/rss")


def test_sitemap_index_and_news_sitemap() -> None:
    index = parse_sitemap(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>/news.xml</loc><lastmod>2025-10-17</lastmod></sitemap></sitemapindex>",
        "https://www.example.de/sitemap.xml",
    )
    assert index.sitemaps == [
        ("https://www.example.de/news.xml", datetime(2025, 10, 17, tzinfo=UTC))
    ]
    assert index.urls == []
    news = parse_sitemap(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        b"<loc>https://www.example.de/a.html</loc><news:news><news:publication>"
        b"<news:name>E</news:name><news:language>de</news:language></news:publication>"
        b"<news:publication_date>2025-10-17T08:00:00+02:00</news:publication_date>"
        b"<news:title>Titel</news:title><news:keywords>A, B</news:keywords></news:news></url>"
        b"<url><loc>https://www.example.de/b.html</loc><lastmod>2025-10-01</lastmod></url>"
        b"<url><loc>javascript:alert(1)</loc></url></urlset>",
        "https://www.example.de/news.xml",
    )
    first, second = news.urls
    assert (first.title, first.categories, first.language) == ("Titel", ["A", "B"], "de")
    assert first.published_at == datetime(2025, 10, 17, 6, tzinfo=UTC)
    assert second.published_at == datetime(2025, 10, 1, tzinfo=UTC)


def test_text_sitemaps_and_non_sitemaps() -> None:
    text = parse_sitemap(b"https://x.de/a\nhttps://x.de/b\n", "https://x.de/s.txt")
    assert [d.url for d in text.urls] == ["https://x.de/a", "https://x.de/b"]
    with pytest.raises(DiscoveryError, match="bad_sitemap"):
        parse_sitemap(b"<html><body>hi</body></html>", "https://x.de/s.xml")
    with pytest.raises(DiscoveryError, match="bad_sitemap"):
        parse_sitemap(gzip.compress(b"<urlset/>"), "https://x.de/s.xml.gz")


def test_state_keeps_done_and_pending_urls(tmp_path: Path) -> None:
    state = SourceState(DataDir(tmp_path), "example.de")
    state.record("https://example.de/a", NOW, done=True, attempted=True)
    state.record("https://example.de/b", NOW, done=False, attempted=True)
    state.validators["https://example.de/rss"] = {"etag": '"1"', "last_modified": ""}
    state.save()
    again = SourceState(DataDir(tmp_path), "example.de")
    assert again.is_done("https://example.de/a", NOW, None)
    assert not again.is_done("https://example.de/b", NOW, None)
    assert again.pending() == ["https://example.de/b"]
    assert again.validators["https://example.de/rss"]["etag"] == '"1"'
    window = timedelta(days=7)
    assert again.is_done("https://example.de/a", NOW + timedelta(days=6), window)
    assert not again.is_done("https://example.de/a", NOW + timedelta(days=8), window)
    for _ in range(MAX_ATTEMPTS - 1):
        again.record("https://example.de/b", NOW, done=False, attempted=True)
    assert again.pending() == []  # given up on after MAX_ATTEMPTS collects


def test_plan_skips_seen_off_pattern_and_over_limit(tmp_path: Path) -> None:
    source = Source(
        "E", "https://e.de/", "e.de", feeds=("https://e.de/rss",), max_pages=2,
        url_patterns=("/politik/",),
    )  # fmt: skip
    state = SourceState(DataDir(tmp_path), "e.de")
    state.record("https://e.de/politik/alt", NOW, done=True, attempted=True)
    state.record("https://e.de/politik/wieder", NOW, done=False, attempted=True)

    def found(path: str, hour: int | None) -> Discovered:
        url = f"https://e.de{path}"
        when = NOW.replace(hour=hour) if hour is not None else None
        return Discovered(url, canonical(url), "https://e.de/rss", published_at=when)

    planned = plan(
        source,
        [
            found("/politik/alt", 1),
            found("/sport/x", 2),
            found("/politik/neu", 3),
            found("/politik/neuer", 4),
            found("/politik/neu?utm_source=x", None),
        ],
        state,
        NOW,
        None,
    )
    by_url = {p.item.url.rsplit("/", 1)[1]: p.skipped for p in planned}
    assert by_url == {
        "alt": "seen",
        "x": "url_pattern",
        "neuer": None,
        "neu": None,
        "wieder": "max_pages",  # due again, but undated: after the two newest
    }
