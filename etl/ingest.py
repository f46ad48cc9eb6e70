"""Inputs into page records: WARC files, folders of saved HTML pages, single HTML files.

Every input record ends as a ``Page``, a ``Reject`` with a reason, or a counted skip (WARC
records that are not responses), so that a run can prove it lost nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
# A plain list of URLs, one a line: fetched into a WARC file first (``etl.collect``).
URL_LIST_SUFFIXES = (".txt",)
# Records the collector writes that are not article candidates (robots.txt, feeds, redirect
# hops, retried attempts) carry this header; a fetch that failed is a ``metadata`` record
# whose ``application/warc-fields`` payload names the reason in ``FETCH_FAILURE_FIELD``.
ROLE_HEADER = "News-Archive-Role"
SKIPPED_ROLES = ("discovery", "superseded")
FETCH_FAILURE_FIELD = "fetch-failure"
MANIFEST_NAME = "manifest.jsonl"
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
MAX_PAGE_BYTES = 20 * 1024 * 1024


class InputError(ValueError):
    """An input the user named cannot be read at all (missing path, unknown kind)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched document as the pipeline received it."""

    url: str
    body: bytes
    origin: str
    fetched_at: datetime | None = None
    status: int | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class Reject:
    """An input record that yields no article, and why."""

    origin: str
    stage: str
    reason: str
    detail: str = ""
    url: str | None = None
    fetched_at: datetime | None = None


@dataclass(slots=True)
class IngestCounts:
    """What a unit held that is neither a page nor a reject (warcinfo, request records, ...)."""

    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, kind: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def is_html(path: Path) -> bool:
    return path.name.lower().endswith(HTML_SUFFIXES)


def is_url_list(path: str | Path) -> bool:
    return Path(path).name.lower().endswith(URL_LIST_SUFFIXES)


def list_input_units(paths: Sequence[str | Path]) -> list[str]:
    """Expand user inputs into units of work: each WARC file, each HTML folder, each HTML file.

    A folder is searched recursively; a folder that holds HTML pages (directly) is one unit, so
    its manifest applies to it. Units come back sorted, so runs are repeatable.
    """
    units: set[str] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise InputError(f"input not found: {raw}")
        if path.is_file():
            if not (is_warc(path) or is_html(path) or is_url_list(path)):
                raise InputError(
                    f"unsupported input {raw}: expected .warc(.gz), .html(.gz), a .txt list "
                    "of URLs or a folder"
                )
            units.add(str(path.resolve()))
            continue
        for child in path.rglob("*"):
            if child.is_file() and is_warc(child):
                units.add(str(child.resolve()))
            elif child.is_file() and is_html(child):
                units.add(str(child.parent.resolve()))
    return sorted(units)


def read_unit(unit: str, counts: IngestCounts | None = None) -> Iterator[Page | Reject]:
    """Yield the pages (or rejects) of one unit from ``list_input_units``."""
    counts = counts if counts is not None else IngestCounts()
    path = Path(unit)
    if path.is_dir():
        yield from read_html_folder(path)
    elif is_warc(path):
        yield from read_warc(path, counts)
    elif is_url_list(path):
        raise InputError(f"{unit} is a list of URLs: fetch it first (etl.collect.run_url_lists)")
    else:
        yield from read_html_files([path], {})


# What warcio raises on damaged input: besides its own errors, a record without the headers it
# expects (a response with no WARC-Target-URI) fails inside it with AttributeError or TypeError.
_DAMAGED_WARC_ERRORS = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    OSError,
    EOFError,
    zlib.error,
    ValueError,
    AttributeError,
    TypeError,
    IndexError,
)


# warcio inflates each gzip member with zlib; ISA-L's inflate, a drop-in with the same
# interface, is two to three times faster, and reading a WARC.gz is mostly inflating it.
# Given to the archive's reader only: record offsets, and everything else, stay warcio's.
_FAST_DECOMPRESSORS = {
    **DecompressingBufferedReader.DECOMPRESSORS,
    "gzip": lambda: isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS),
}


def read_warc(path: Path, counts: IngestCounts) -> Iterator[Page | Reject]:
    """Response (and resource) records of a WARC file; a damaged file ends in a reject row."""
    origin = str(path)
    try:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream, arc2warc=True)
            records.reader.DECOMPRESSORS = _FAST_DECOMPRESSORS
            for record in records:
                role = record.rec_headers.get_header(ROLE_HEADER)
                if role in SKIPPED_ROLES:
                    counts.skip(f"warc_{role}")
                    continue
                if record.rec_type == "metadata" and role:
                    failure = _fetch_failure(_read_limited(record.content_stream(), 65536))
                    if failure is not None:
                        yield Reject(
                            f"{origin}#{records.get_record_offset()}",
                            "fetch",
                            *failure,
                            record.rec_headers.get_header("WARC-Target-URI"),
                            _parse_warc_date(record.rec_headers.get_header("WARC-Date")),
                        )
                        continue
                if record.rec_type not in ("response", "resource"):
                    counts.skip(f"warc_{record.rec_type}")
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                fetched_at = _parse_warc_date(record.rec_headers.get_header("WARC-Date"))
                status: int | None = None
                content_type: str | None = None
                if record.http_headers is not None:
                    status_text = record.http_headers.get_statuscode()
                    status = int(status_text) if status_text and status_text.isdigit() else None
                    content_type = record.http_headers.get_header("Content-Type")
                else:
                    content_type = record.rec_headers.get_header("Content-Type")
                error: str | None = None
                try:
                    body = _read_limited(record.content_stream(), MAX_PAGE_BYTES + 1)
                except (OSError, zlib.error, EOFError, ValueError) as exc:
                    body, error = b"", f"{type(exc).__name__}: {exc}"
                # warcio hands out a cut-off record without complaint: the unread remainder
                # of its declared length is the only sign.
                missing = getattr(record.raw_stream, "limit", 0)
                if error is None and len(body) <= MAX_PAGE_BYTES and missing:
                    error = f"record truncated: {missing} of {record.length} bytes missing"
                # The offset is only known once the record has been read.
                record_origin = f"{origin}#{records.get_record_offset()}"
                if error is not None:
                    yield Reject(record_origin, "ingest", "corrupt_record", error, url, fetched_at)
                    continue
                yield from _checked_page(
                    Page(url, body, record_origin, fetched_at, status, content_type)
                )
    except _DAMAGED_WARC_ERRORS as exc:
        # A truncated or corrupt file: what was read so far stands, the rest is one reject.
        yield Reject(origin, "ingest", "corrupt_input", f"{type(exc).__name__}: {exc}")


def _fetch_failure(payload: bytes) -> tuple[str, str] | None:
    """(reason, detail) from the ``application/warc-fields`` of a failed-fetch record."""
    fields: dict[str, str] = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.strip().lower(), value.strip())
    reason = fields.get(FETCH_FAILURE_FIELD)
    if not reason:
        return None
    return reason[:40], fields.get("detail", "")


def read_html_folder(folder: Path) -> Iterator[Page | Reject]:
    """The HTML files directly in ``folder``, with URL and fetch time from its manifest."""
    manifest = _read_manifest(folder / MANIFEST_NAME)
    files = sorted(p for p in folder.iterdir() if p.is_file() and is_html(p))
    yield from read_html_files(files, manifest)


def read_html_files(
    files: list[Path], manifest: dict[str, dict[str, str]]
) -> Iterator[Page | Reject]:
    for file in files:
        entry = manifest.get(file.name, {})
        url = entry.get("url") or file.resolve().as_uri()
        origin = str(file)
        try:
            fetched_at = _parse_iso(entry.get("fetched_at")) or datetime.fromtimestamp(
                file.stat().st_mtime, UTC
            )
            body = _read_html_bytes(file)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            yield Reject(origin, "ingest", "corrupt_input", f"{type(exc).__name__}: {exc}", url)
            continue
        except ValueError as exc:
            yield Reject(origin, "ingest", "too_large", str(exc), url)
            continue
        yield from _checked_page(Page(url, body, origin, fetched_at, None, None))


def _read_limited(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit`` bytes, in chunks: warcio's reader returns nothing for one huge read."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _read_html_bytes(file: Path) -> bytes:
    if file.name.lower().endswith(".gz"):
        with gzip.open(file, "rb") as fh:
            body = fh.read(MAX_PAGE_BYTES + 1)
    else:
        with file.open("rb") as fh:
            body = fh.read(MAX_PAGE_BYTES + 1)
    if len(body) > MAX_PAGE_BYTES:
        raise ValueError(f"page larger than {MAX_PAGE_BYTES} bytes")
    return body


def _checked_page(page: Page) -> Iterator[Page | Reject]:
    """Turn pages that cannot hold an article into rejects before the costly extraction."""

    def reject(reason: str, detail: str) -> Reject:
        return Reject(page.origin, "ingest", reason, detail, page.url, page.fetched_at)

    if (problem := url_problem(page.url)) is not None:
        yield reject("bad_url", problem)
    elif page.status is not None and not 200 <= page.status < 300:
        yield reject("http_status", f"HTTP {page.status}")
    elif len(page.body) > MAX_PAGE_BYTES:
        yield reject("too_large", f"page larger than {MAX_PAGE_BYTES} bytes")
    elif not page.body.strip():
        yield reject("empty", "empty body")
    elif page.content_type and _mime_type(page.content_type) not in HTML_CONTENT_TYPES:
        yield reject("not_html", f"content type {_mime_type(page.content_type)}")
    elif not looks_like_html(page.body):
        yield reject("not_html", "the body is not HTML (no markup at its start)")
    else:
        yield page


def url_problem(url: str) -> str | None:
    """Why a page URL cannot key an article, or None: other schemes, no host, credentials."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a malformed port)
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if parts.scheme == "file":
        return None
    if parts.scheme not in ("http", "https"):
        return f"unsupported URL scheme {parts.scheme!r}"
    if not parts.hostname:
        return "URL without a host"
    if parts.username is not None or parts.password is not None:
        # Credentials would end up in the archive and every export of it.
        return "URL with credentials"
    return None


def looks_like_html(body: bytes) -> bool:
    """Markup near the start, as browsers sniff it; JSON, scripts and binaries fail."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00").lower()
    if head.startswith(b"<"):
        return True
    return any(tag in body[:65536].lower() for tag in (b"<html", b"<body", b"<p>", b"<article"))


def _mime_type(content_type: str) -> str:
    message = Message()
    message["content-type"] = content_type
    return message.get_content_type()


def charset_of(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    charset = message.get_content_charset()
    return charset or None


def _read_manifest(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    entries: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                entries[str(entry["file"])] = {k: str(v) for k, v in entry.items() if v is not None}
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{line_no}: bad manifest line ({exc})") from exc
    return entries


def _parse_warc_date(value: str | None) -> datetime | None:
    return _parse_iso(value)


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def unit_key(unit: str) -> str:
    """A short, filesystem-safe name for a unit's staging files."""
    return hashlib.blake2b(unit.encode(), digest_size=8).hexdigest()
