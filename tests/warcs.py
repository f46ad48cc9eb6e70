"""WARC files of the tests' own making: article pages as a crawler would have archived them."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import NamedTuple

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.pages import BODY, article_page


class Archived(NamedTuple):
    url: str
    fetched: str  # WARC-Date, e.g. 2025-10-16T08:00:00Z
    title: str
    paragraphs: list[str] = BODY
    published: str | None = None  # datePublished in the page's JSON-LD


def write_article_warc(path: Path, pages: list[Archived]) -> Path:
    """One gzipped WARC response record per page, with an HTML content type."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip_members([article_record(page) for page in pages]))
    return path


def article_record(page: Archived) -> bytes:
    """The uncompressed WARC response record of one page, as bytes."""
    json_ld = (
        {"@type": "NewsArticle", "headline": page.title, "datePublished": page.published}
        if page.published
        else None
    )
    body = article_page(title=page.title, paragraphs=page.paragraphs, json_ld=json_ld)
    http = StatusAndHeaders(
        "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
    )
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    writer.write_record(
        writer.create_warc_record(
            page.url,
            "response",
            payload=io.BytesIO(body.encode()),
            http_headers=http,
            warc_headers_dict={"WARC-Date": page.fetched},
        )
    )
    return out.getvalue()


def gzip_members(records: list[bytes]) -> bytes:
    """Records as a WARC.gz is written: each its own gzip member."""
    return b"".join(gzip.compress(record, mtime=0) for record in records)
