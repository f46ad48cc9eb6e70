"""Hostile inputs: each ends as an article or a reject with a reason, never a crash or a hang."""

from __future__ import annotations

import gzip
import io
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from etl.extract.page import RAW_ARTICLE_SCHEMA, ExtractionSettings
from etl.extract.unit import extract_one
from etl.ingest.inputs import MAX_PAGE_BYTES as LIMIT
from etl.ingest.inputs import IngestCounts, Page, Reject, read_unit
from etl.pipeline import run_pipeline
from etl.transform.clean import clean_articles
from tests.pages import article_page

UMLAUT_PAGE = article_page(
    title="Größere Straßen für Düsseldorf",
    paragraphs=[
        f"Die Bürger fordern größere Straßen und mehr Grün, Absatz {i}." for i in range(12)
    ],
)


def hostile_pages(folder: Path) -> dict[str, str | None]:
    """Write the hostile HTML files; return file name -> expected reject reason (None: article)."""
    rng = random.Random(7)
    files: dict[str, tuple[bytes, str | None]] = {
        "empty.html": (b"", "empty"),
        "junk.html": (bytes(rng.getrandbits(8) for _ in range(4000)), "not_html"),
        "json.html": (b'{"items": [1, 2, 3], "next": null}' * 50, "not_html"),
        "script-only.html": (
            b"<html><script>" + b"var a=1;" * 2000 + b"</script></html>",
            "extraction_empty",
        ),
        "nested.html": (
            b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000,
            "extraction_empty",
        ),
        "huge.html": (b"<html><body><p>" + b"word " * (LIMIT // 5 + 10) + b"</p>", "too_large"),
        "nul.html": (UMLAUT_PAGE.replace("Absatz 3", "Absatz\x003").encode(), None),
        "invalid-utf8.html": (UMLAUT_PAGE.encode("cp1252", "replace"), None),
        "cp1252-declared.html": (
            UMLAUT_PAGE.replace('charset="utf-8"', 'charset="windows-1252"').encode("cp1252"),
            None,
        ),
        "shift-jis.html": (
            article_page(
                title="東京で新しい駅が開業",
                lang="ja",
                paragraphs=[
                    "東京都内で新しい駅が開業し、多くの利用者が訪れた。関係者によると、"
                    "一日あたりの利用者数は一万人を超える見込みだという。"
                ]
                * 8,
            )
            .replace('charset="utf-8"', 'charset="shift_jis"')
            .encode("shift_jis", "xmlcharrefreplace"),
            None,
        ),
    }
    for name, (body, _) in files.items():
        (folder / name).write_bytes(body)
    truncated = gzip.compress(UMLAUT_PAGE.encode())
    (folder / "truncated.html.gz").write_bytes(truncated[: len(truncated) // 2])
    expected = {name: reason for name, (_, reason) in files.items()}
    expected["truncated.html.gz"] = "corrupt_input"
    return expected


def hostile_warc(path: Path) -> dict[str, str | None]:
    """A WARC of lying headers and bad URLs; return URL -> expected reject reason."""
    cases = [
        (
            "https://www.example.de/mislabelled.html",
            "text/html; charset=utf-8",
            UMLAUT_PAGE.encode("cp1252"),
            None,
        ),
        (
            "https://www.example.de/served-as-latin1.html",
            "text/html; charset=iso-8859-1",
            UMLAUT_PAGE.encode(),
            None,
        ),
        ("https://user:secret@www.example.de/a.html", "text/html", UMLAUT_PAGE.encode(), "bad_url"),
        ("ftp://www.example.de/a.html", "text/html", UMLAUT_PAGE.encode(), "bad_url"),
        ("javascript:alert(1)", "text/html", UMLAUT_PAGE.encode(), "bad_url"),
        ("https://www.example.de/report.pdf", "application/pdf", b"%PDF-1.4 ...", "not_html"),
    ]
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, content_type, body, _ in cases:
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=http
                )
            )
    return {url: reason for url, _, _, reason in cases}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    root = tmp_path_factory.mktemp("hostile")
    pages = root / "pages"
    pages.mkdir()
    expected = hostile_pages(pages)
    expected |= hostile_warc(root / "hostile.warc.gz")
    summary = run_pipeline([pages, root / "hostile.warc.gz"], root / "data", run_id="hostile")
    assert summary.accounted
    return root / "data", expected


def outcomes(data_dir: Path) -> dict[str, str | None]:
    """Input (file name or URL) -> reject reason, or None for an article."""
    articles = pl.read_parquet(data_dir / "lake/articles/**/*.parquet")
    rejects = pl.read_parquet(data_dir / "lake/rejects/**/*.parquet")

    def key(origin: str, url: str | None) -> str:
        return url if url and not url.startswith("file:") else Path(origin).name

    found: dict[str, str | None] = {}
    for row in articles.iter_rows(named=True):
        found[key(row["input_origin"], row["url"])] = None
    for row in rejects.iter_rows(named=True):
        found[key(row["input_origin"], row["url"])] = row["reason"]
    return found


def test_each_hostile_input_ends_as_expected(
    hostile_run: tuple[Path, dict[str, str | None]],
) -> None:
    data_dir, expected = hostile_run
    assert outcomes(data_dir) == expected


def test_text_from_lying_encodings_is_readable(
    hostile_run: tuple[Path, dict[str, str | None]],
) -> None:
    articles = pl.read_parquet(hostile_run[0] / "lake/articles/**/*.parquet")
    for row in articles.iter_rows(named=True):
        assert "\x00" not in row["text"] and "\ufffd" not in row["text"], row["input_origin"]
        if row["language"] == "de":
            assert "größere Straßen" in row["text"], row["input_origin"]
    titles = set(articles["title"])
    assert "東京で新しい駅が開業" in titles


HTML_FRAGMENTS = st.sampled_from(
    [
        "<html>",
        "<body>",
        "<p>",
        "</p>",
        "<div>",
        "<script>",
        "<meta charset='x'>",
        "&amp;",
        "<!--",
        "-->",
        "<![CDATA[",
        "<h1>",
        "Wort ",
        "ä",
        "\x00",
        "<time datetime='9999-99-99'>",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(
        st.binary(max_size=3000),
        st.lists(HTML_FRAGMENTS, max_size=300).map(lambda x: "".join(x).encode()),
    ),
    content_type=st.sampled_from([None, "text/html", "text/html; charset=latin-7", "x/y"]),
)
def test_extraction_never_raises(body: bytes, content_type: str | None) -> None:
    page = Page("https://www.example.de/a.html", body, "prop#0", None, 200, content_type)
    outcome = extract_one(page, ExtractionSettings())
    assert isinstance(outcome, dict | Reject)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=5000), gzip_it=st.booleans())
def test_ingest_accounts_for_any_file(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, gzip_it: bool
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    name = "page.html.gz" if gzip_it else "page.html"
    (folder / name).write_bytes(gzip.compress(data) if gzip_it else data)
    (folder / "crawl.warc.gz").write_bytes(data)
    counts = IngestCounts()
    items = [*read_unit(str(folder)), *read_unit(str(folder / "crawl.warc.gz"), counts)]
    assert all(isinstance(item, Page | Reject) for item in items)
    assert sum(1 for i in items if Path(i.origin.split("#")[0]).name == name) == 1


RAW_TEXT = st.text(max_size=400)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "url": st.sampled_from(
                    ["https://www.a.de/x", "https://b.co.uk/y?utm_source=z", "file:///t"]
                ),
                "title": st.none() | RAW_TEXT,
                "text": RAW_TEXT,
                "published_raw": st.none()
                | st.sampled_from(
                    [
                        "2025-10-16T22:41:00+02:00",
                        "2025-10-16",
                        "garbage",
                        "2025-13-45T99:99:99+25:00",
                        "0001-01-01T00:00:00Z",
                    ]
                ),
                "authors_raw": st.lists(RAW_TEXT, max_size=3),
                "topics_raw": st.lists(RAW_TEXT, max_size=3),
                "html_lang": st.none() | st.sampled_from(["de", "en-GB", "", "xx-invalid"]),
            }
        ),
        max_size=5,
    )
)
def test_cleaning_keeps_every_row_whatever_the_values(rows: list[dict[str, object]]) -> None:
    schema = pl.DataFrame(RAW_ARTICLE_SCHEMA.empty_table()).schema
    raw = pl.DataFrame(
        [{**dict.fromkeys(schema.names()), "input_origin": "p#0", **r} for r in rows], schema=schema
    )
    assert clean_articles(raw).height == len(rows)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title>
<item><link>https://www.example.de/a.html</link></item></channel></rss>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.example.de/&secret;</loc></url></urlset>"""


def test_xml_bombs_and_external_entities_are_refused_not_expanded() -> None:
    from etl.collect.sources import DiscoveryError, parse_feed, parse_sitemap

    with pytest.raises(DiscoveryError) as bomb:
        parse_feed(BILLION_LAUGHS, "https://www.example.de/feed.xml")
    with pytest.raises(DiscoveryError) as external:
        parse_sitemap(EXTERNAL_ENTITY, "https://www.example.de/sitemap.xml")
    assert bomb.value.reason == external.value.reason == "unsafe_xml"


def test_a_sitemap_of_60000_urls_is_read_whole() -> None:
    from etl.collect.sources import parse_sitemap

    urls = "".join(
        f"<url><loc>https://www.example.de/artikel/{i}.html</loc></url>" for i in range(60_000)
    )
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    ).encode()
    sitemap = parse_sitemap(body, "https://www.example.de/sitemap.xml")
    assert len(sitemap.urls) == 60_000
    assert len({d.canonical_url for d in sitemap.urls}) == 60_000


def test_feed_dates_that_are_invalid_or_in_the_future_do_not_break_discovery() -> None:
    from etl.collect.sources import parse_feed

    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><link>https://www.example.de/a.html</link><pubDate>not a date at all</pubDate></item>
    <item><link>https://www.example.de/b.html</link>
          <pubDate>Fri, 01 Jan 2099 00:00:00 GMT</pubDate></item>
    <item><link>javascript:alert(1)</link></item>
    <item><link>https://user:pw@www.example.de/c.html</link></item>
    </channel></rss>"""
    found = {d.url: d for d in parse_feed(feed, "https://www.example.de/feed.xml")}
    assert found["https://www.example.de/a.html"].published_at is None
    assert found["https://www.example.de/b.html"].published_at.year == 2099  # a hint, no more
    assert "javascript:alert(1)" not in found
