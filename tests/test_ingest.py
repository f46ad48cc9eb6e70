from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from etl.core.errors import InputError
from etl.ingest.inputs import (
    IngestCounts,
    Page,
    Reject,
    list_input_units,
    read_unit,
    unit_size,
)
from tests.pages import article_page


def write_warc(path: Path, records: list[tuple[str, str, int, str, bytes]]) -> None:
    """(type, url, status, content type, body) tuples into a gzipped WARC file."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record("test.warc.gz", {"software": "tests"}))
        for rec_type, url, status, content_type, body in records:
            http = StatusAndHeaders(
                f"{status} X", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                rec_type,
                payload=io.BytesIO(body),
                http_headers=http if rec_type == "response" else None,
                warc_headers_dict={"WARC-Date": "2025-10-17T06:00:00Z"},
            )
            writer.write_record(record)


def test_html_folder_takes_url_and_time_from_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(article_page(), encoding="utf-8")
    with gzip.open(tmp_path / "b.html.gz", "wt", encoding="utf-8") as fh:
        fh.write(article_page(title="Zweite Seite"))
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps(
            {
                "file": "a.html",
                "url": "https://www.example.de/a.html",
                "fetched_at": "2025-10-17T06:00:00+00:00",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    pages = list(read_unit(list_input_units([tmp_path])[0]))
    assert all(isinstance(p, Page) for p in pages)
    by_name = {Path(p.origin).name: p for p in pages if isinstance(p, Page)}
    assert by_name["a.html"].url == "https://www.example.de/a.html"
    assert by_name["a.html"].fetched_at == datetime(2025, 10, 17, 6, tzinfo=UTC)
    # No manifest line: the file URI stands in for the URL, so the page is still traceable.
    assert by_name["b.html.gz"].url.startswith("file://")
    assert b"Zweite Seite" in by_name["b.html.gz"].body


def test_warc_records_become_pages_rejects_or_counted_skips(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(
        warc,
        [
            (
                "response",
                "https://www.example.de/a.html",
                200,
                "text/html; charset=utf-8",
                article_page().encode(),
            ),
            ("response", "https://www.example.de/missing.html", 404, "text/html", b"<p>nope</p>"),
            ("response", "https://www.example.de/logo.png", 200, "image/png", b"\x89PNG...."),
            ("request", "https://www.example.de/a.html", 0, "", b"GET /a.html HTTP/1.1\r\n\r\n"),
        ],
    )
    counts = IngestCounts()
    items = list(read_unit(str(warc), counts))
    pages = [i for i in items if isinstance(i, Page)]
    rejects = {i.url: i.reason for i in items if isinstance(i, Reject)}
    assert [p.url for p in pages] == ["https://www.example.de/a.html"]
    assert pages[0].status == 200 and pages[0].fetched_at == datetime(2025, 10, 17, 6, tzinfo=UTC)
    assert "#" in pages[0].origin  # the record offset, so a reject can be found again
    assert rejects == {
        "https://www.example.de/missing.html": "http_status",
        "https://www.example.de/logo.png": "not_html",
    }
    assert counts.skipped == {"warc_warcinfo": 1, "warc_request": 1}


def test_truncated_warc_keeps_what_was_read_and_rejects_the_rest(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(
        warc,
        [
            (
                "response",
                f"https://www.example.de/{i}.html",
                200,
                "text/html",
                article_page(title=f"Seite {i}").encode(),
            )
            for i in range(3)
        ],
    )
    data = warc.read_bytes()
    warc.write_bytes(data[: int(len(data) * 0.8)])
    items = list(read_unit(str(warc), IngestCounts()))
    pages = [i for i in items if isinstance(i, Page)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert 1 <= len(pages) < 3
    assert rejects and rejects[-1].reason in ("corrupt_input", "corrupt_record")


def test_list_input_units_expands_folders_and_refuses_unknown_inputs(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.html").write_text("<p>x</p>")
    write_warc(tmp_path / "x.warc.gz", [])
    units = list_input_units([tmp_path])
    assert units == sorted(
        [str((tmp_path / "pages").resolve()), str((tmp_path / "x.warc.gz").resolve())]
    )
    with pytest.raises(InputError, match="not found"):
        list_input_units([tmp_path / "nope"])
    (tmp_path / "notes.csv").write_text("hello")
    with pytest.raises(InputError, match="unsupported"):
        list_input_units([tmp_path / "notes.csv"])


def test_a_record_warcio_cannot_parse_becomes_a_reject(tmp_path: Path) -> None:
    # A response record without WARC-Target-URI makes warcio fail with AttributeError.
    warc = tmp_path / "hand-made.warc"
    warc.write_bytes(
        b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 40\r\n\r\n"
        b"HTTP/1.1 200 OK\r\n\r\n<html><p>x</p></html>\r\n\r\n"
    )
    items = list(read_unit(str(warc), IngestCounts()))
    assert [(type(i), getattr(i, "reason", None)) for i in items] == [(Reject, "corrupt_input")]


def test_a_warc_damaged_in_the_middle_keeps_the_records_around_the_damage(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(
        warc,
        [
            ("response", f"https://www.example.de/{i}.html", 200, "text/html", page.encode())
            for i, page in enumerate(article_page(title=f"Seite {i}") for i in range(5))
        ],
    )
    data = bytearray(warc.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 200] = bytes(b ^ 0x5A for b in data[middle : middle + 200])
    warc.write_bytes(bytes(data))
    items = list(read_unit(str(warc), IngestCounts()))
    pages = [i for i in items if isinstance(i, Page)]
    assert 2 <= len(pages) < 5
    assert all(
        i.reason in ("corrupt_input", "corrupt_record") for i in items if isinstance(i, Reject)
    )


def test_a_units_size_is_its_file_or_the_html_files_of_its_folder(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"x" * 10)
    (tmp_path / "b.html.gz").write_bytes(b"x" * 5)
    (tmp_path / "manifest.jsonl").write_bytes(b"x" * 100)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.html").write_bytes(b"x" * 1000)
    assert unit_size(str(tmp_path)) == 15
    assert unit_size(str(tmp_path / "sub" / "c.html")) == 1000
