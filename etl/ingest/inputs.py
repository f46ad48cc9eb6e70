"""Inputs into page records: WARC files, folders of saved HTML pages, single HTML files.

Every input record ends as a ``Page``, a ``Reject`` with a reason, or a counted skip (WARC
records that are not responses), so that a run can prove it lost nothing.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import re
import tempfile
import zlib
from collections.abc import Generator, Iterator, Sequence
from contextlib import redirect_stderr
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataException, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from etl.core.errors import InputError
from etl.core.objectstore import is_object_url

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
# A plain list of URLs, one a line: fetched into a WARC file first (``etl.collect.runs``).
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
    """What a unit held that is neither a page nor a reject (warcinfo, request records, ...),
    how many records its reader found (pages, rejects and skips, damaged ones included), and
    how many bytes of it could not be read at all."""

    skipped: dict[str, int] = field(default_factory=dict)
    records: int = 0
    unread_bytes: int = 0

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
        if is_object_url(raw):
            units.update(_object_units(str(raw)))
            continue
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


def _object_units(url: str) -> list[str]:
    """The WARC files on object storage that ``url`` names (an object, a folder, a pattern)."""
    from etl.core.objectstore import list_objects, store_from_env

    found = list_objects(store_from_env(), url)
    warcs = [unit for unit in found if is_warc(Path(unit))]
    if not warcs:
        raise InputError(f"no WARC file at {url}")
    return warcs


# Input up to this size as stored makes a small run: its fixed costs are most of it, and it
# is extracted in the running process (``etl.pipeline.IN_PROCESS_BYTES``).
SMALL_INPUT_BYTES = 1 << 20


def is_small_input(paths: Sequence[str | Path]) -> bool:
    """Whether local ``paths`` hold at most ``SMALL_INPUT_BYTES`` (object storage: not asked)."""
    if any(is_object_url(p) for p in paths):
        return False
    return sum(unit_size(u) for u in list_input_units(paths)) <= SMALL_INPUT_BYTES


def unit_size(unit: str) -> int:
    """Bytes of input a unit holds as stored (a WARC file, or the HTML files of a folder)."""
    if is_object_url(unit):
        from etl.core.objectstore import ObjectRoot, refused, store_from_env

        with refused(f"reading {unit}"):
            info = store_from_env().get_file_info(ObjectRoot.parse(unit).key())
        return int(info.size or 0)
    path = Path(unit)
    if not path.is_dir():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file() and is_html(p))


def read_unit(unit: str, counts: IngestCounts | None = None) -> Iterator[Page | Reject]:
    """Yield the pages (or rejects) of one unit from ``list_input_units``."""
    counts = counts if counts is not None else IngestCounts()
    if is_object_url(unit):
        yield from _read_object(unit, counts)
        return
    path = Path(unit)
    if is_warc(path) and not path.is_dir():
        yield from read_warc(path, counts)
        return
    if is_url_list(path) and not path.is_dir():
        raise InputError(
            f"{unit} is a list of URLs: fetch it first (etl.collect.runs.run_url_lists)"
        )
    # An HTML file is one record.
    for item in read_html_folder(path) if path.is_dir() else read_html_files([path], {}):
        counts.records += 1
        yield item


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
    LookupError,
    ArithmeticError,
)


# warcio inflates each gzip member with zlib; ISA-L's inflate, a drop-in with the same
# interface, is two to three times faster, and reading a WARC.gz is mostly inflating it.
# Given to the archive's reader only: record offsets, and everything else, stay warcio's.
_FAST_DECOMPRESSORS = {
    **DecompressingBufferedReader.DECOMPRESSORS,
    "gzip": lambda: isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS),
}

# The record types of WARC 1.0 and 1.1 (ISO 28500); warcio turns ARC records into these.
WARC_RECORD_TYPES = (
    "warcinfo",
    "response",
    "resource",
    "request",
    "metadata",
    "revisit",
    "conversion",
    "continuation",
)
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINES = (b"WARC/1.0\r\n", b"WARC/1.1\r\n")
# Where a record may start: a gzip member, or the first line of an uncompressed record.
_RECORD_START = re.compile(rb"\x1f\x8b\x08|WARC/1\.[01]\r\n")
# Damage is looked past in chunks of this size, so a long stretch is read once.
_SCAN_CHUNK = 1 << 20


class _InflateError(Exception):
    """A gzip member of the file failed to inflate."""


class _Damaged(Exception):
    """The record being read is damaged: ``reason`` in plain words; ``fatal`` if reading
    cannot go on after it."""

    def __init__(self, reason: str, fatal: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.fatal = reason, fatal
        self.url: str | None = None


class _StrictReader(DecompressingBufferedReader):  # type: ignore[misc]
    """warcio's buffered reader, except that a gzip member that fails to inflate raises.

    warcio's own writes the error to stderr and reads on as if the file had ended there (or,
    on its first read, takes the file for an uncompressed one: here whether the file is
    gzipped is decided beforehand). It also keeps the last line it handed out, which tells
    whether an HTTP header block ended with its blank line.
    """

    DECOMPRESSORS = _FAST_DECOMPRESSORS

    def __init__(self, stream: BinaryIO, gzipped: bool) -> None:
        super().__init__(stream, decomp_type="gzip" if gzipped else None)
        self.last_line = b""

    def _decompress(self, data: bytes) -> bytes:
        if self.decompressor is None or not data:
            return data
        try:
            return bytes(self.decompressor.decompress(data))
        except Exception as exc:  # zlib's error, ISA-L's IsalError
            raise _InflateError(str(exc)) from exc

    def readline(self, length: int | None = None) -> bytes:
        self.last_line = bytes(super().readline(length))
        return self.last_line


class _Records(ArchiveIterator):  # type: ignore[misc]
    """warcio's record iterator, on a ``_StrictReader``, from where the file is positioned."""

    def __init__(self, stream: BinaryIO, gzipped: bool) -> None:
        super().__init__(stream, arc2warc=True)
        self.reader = _StrictReader(self.fh, gzipped)

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        # warcio warns on stderr where a record does not end in a blank line; here that record
        # is a reject (``err_count`` still counts it).
        with redirect_stderr(io.StringIO()):
            return super()._consume_blanklines()  # type: ignore[no-any-return]


def _read_object(url: str, counts: IngestCounts) -> Iterator[Page | Reject]:
    """A WARC file on object storage, read from a local copy; its records name the URL."""
    from etl.core.objectstore import ObjectRoot, download, store_from_env

    store = store_from_env()
    with tempfile.TemporaryDirectory(prefix="news-archive-input-") as folder:
        local = Path(folder) / Path(url).name
        download(store, ObjectRoot.parse(url).key(), local)
        yield from read_warc(local, counts, origin=url)


def read_warc(
    path: Path, counts: IngestCounts, origin: str | None = None
) -> Iterator[Page | Reject]:
    """Response (and resource) records of a WARC file; every record a page, reject or skip.

    A damaged record costs only itself: it is a ``corrupt_input`` reject with its offset, and
    reading goes on at the next record start (``_next_record_start``). Where reading has to
    stop early, a reject says how many bytes from which offset were not read, and so does
    ``counts.unread_bytes``.
    """
    yield from _WarcReader(path, counts, origin).read()


class _WarcReader:
    """One WARC file being read: where the reading stands, and what the file is."""

    def __init__(self, path: Path, counts: IngestCounts, origin: str | None = None) -> None:
        """``origin``: where the file is for the user (its URL, for a local copy of an object)."""
        self.path, self.origin, self.counts = path, origin or str(path), counts
        name = path.name.lower()
        self.gzipped = False  # whether gzip members start where reading (re)started
        # The next record start is found in WARC files; an ARC file ends at its first damage.
        self.resumable = not name.endswith((".arc", ".arc.gz"))
        self.size = 0
        self.offset = 0  # where the record being read starts

    def read(self) -> Iterator[Page | Reject]:
        try:
            self.size = self.path.stat().st_size
            with self.path.open("rb") as stream:
                start: int | None = 0
                while start is not None and start < self.size:
                    stream.seek(start)
                    self.gzipped = stream.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC
                    stream.seek(start)
                    damaged = yield from self._records(_Records(stream, self.gzipped))
                    if damaged is None:
                        return
                    start = yield from self._past_damage(stream, damaged)
        except OSError as exc:
            yield self._give_up(f"the file could not be read ({exc.strerror or exc})")

    def _records(self, records: _Records) -> Generator[Page | Reject, None, _Damaged | None]:
        """The outcomes of the records from where ``records`` starts, up to the first damaged
        record, which is returned (None at the end of the file)."""
        start = records.offset
        while True:
            self.offset = records.offset
            if self.gzipped and records.next_line:
                # Offsets mean nothing inside one gzip stream: the stream from its start is lost.
                self.offset = start
                return _Damaged(_NOT_CHUNKED, fatal=True)
            record = None
            try:
                record = next(records, None)
                if record is None:
                    # warcio also ends where a gzip member it began never ends (a damaged
                    # header waits for more): what it did not reach is damage too.
                    return self._member_damage(records) if self.offset < self.size else None
                outcome = self._outcome(records, record)
            except _Damaged as damaged:
                if record is not None:
                    damaged.url = record.rec_headers.get_header("WARC-Target-URI")
                return damaged
            except _InflateError:
                return self._member_damage(records)
            except _DAMAGED_WARC_ERRORS as exc:
                return _damage(exc)
            self.counts.records += 1
            if isinstance(outcome, str):
                self.counts.skip(outcome)
            elif isinstance(outcome, Page):
                yield from _checked_page(outcome)
            else:
                yield outcome

    def _member_damage(self, records: _Records) -> _Damaged:
        if not self.gzipped:
            return _Damaged("record could not be parsed")
        records.fh.seek(self.offset)
        if records.fh.read(len(_GZIP_MAGIC)) != _GZIP_MAGIC:
            return _Damaged("no gzip member starts here")
        return _Damaged("gzip member could not be inflated")

    def _outcome(self, records: _Records, record: ArcWarcRecord) -> Page | Reject | str:
        """What one record is: a page, a reject, or the name it is skipped under. Raises
        ``_Damaged`` where the record cannot be taken at its word."""
        headers = record.rec_headers
        if record.rec_type not in WARC_RECORD_TYPES:
            raise _Damaged(
                f"unknown record type {record.rec_type!r}"
                if record.rec_type
                else "record has no WARC-Type"
            )
        if not isinstance(record.raw_stream, LimitReader):
            raise _Damaged("record has no valid Content-Length")
        if not self.gzipped and self._end(records, record) > self.size:
            # Read as declared, it would swallow every record after it.
            raise _Damaged("record's Content-Length runs past the end of the file")
        url = headers.get_header("WARC-Target-URI")
        fetched_at = _parse_warc_date(headers.get_header("WARC-Date"))
        origin = f"{self.origin}#{self.offset}"
        role = headers.get_header(ROLE_HEADER)
        outcome: Page | Reject | str | None = None
        if role in SKIPPED_ROLES:
            outcome = f"warc_{role}"
        elif record.rec_type == "metadata" and role:
            failure = _fetch_failure(_read_limited(record.content_stream(), 65536))
            if failure is not None:
                outcome = Reject(origin, "fetch", *failure, url, fetched_at)
        if outcome is None and record.rec_type not in ("response", "resource"):
            outcome = f"warc_{record.rec_type}"
        if outcome is None:
            outcome = self._page(records, record, Page(url or "", b"", origin, fetched_at))
        self._check_end(records, record)
        return outcome

    def _page(self, records: _Records, record: ArcWarcRecord, page: Page) -> Page | Reject:
        """The page of a response or resource record (``page`` without its body yet)."""

        def reject(reason: str) -> Reject:
            detail = f"{reason} (record at offset {self.offset})"
            return Reject(page.origin, "ingest", "corrupt_input", detail, page.url, page.fetched_at)

        status: int | None = None
        content_type: str | None = None
        http = record.http_headers
        if http is not None:
            if records.reader.last_line.strip() or not records.reader.last_line:
                raise _Damaged("HTTP header block could not be parsed (no blank line ends it)")
            code = http.get_statuscode()
            if not (
                http.protocol.upper().startswith("HTTP/") and code.isdigit() and len(code) == 3
            ):
                line = f"{http.protocol} {http.statusline}".strip()[:80]
                return reject(f"HTTP status line could not be parsed: {line!r}")
            status = int(code)
            content_type = http.get_header("Content-Type")
        else:
            content_type = record.rec_headers.get_header("Content-Type")
        try:
            body = _read_limited(record.content_stream(), MAX_PAGE_BYTES + 1)
        except (OSError, zlib.error, EOFError, ValueError, ChunkedDataException) as exc:
            # The payload's own Content-Encoding or chunking, inside a sound record.
            return reject(f"HTTP payload could not be decoded ({type(exc).__name__})")
        return dataclasses.replace(page, body=body, status=status, content_type=content_type)

    def _check_end(self, records: _Records, record: ArcWarcRecord) -> None:
        """Read the record to its end; raise ``_Damaged`` unless it ends as it says."""
        errors = records.err_count
        records.get_record_offset()  # reads the rest of the record and the blank lines after it
        if record.raw_stream.limit:
            # warcio hands out a cut-off record without complaint: the unread remainder of its
            # declared length is the only sign.
            member = records.reader.decompressor
            cut = member is None or not member.eof
            raise _Damaged(
                "record cut off at the end of the file"
                if cut
                else "record shorter than its Content-Length"
            )
        following = records.next_line
        if records.err_count != errors or (following and not self._ends_cleanly(records)):
            raise _Damaged("record does not end where its Content-Length says")

    def _ends_cleanly(self, records: _Records) -> bool:
        """Whether the line after a record may be the next record's first."""
        following: bytes = records.next_line
        if self.gzipped:
            # A second record in the member: the loop gives up on the file (``_NOT_CHUNKED``).
            return following.startswith(b"WARC/")
        if not self.resumable:
            return True
        # A WARC record ends in "\r\n\r\n": fewer blank lines, and its Content-Length is wrong.
        blank: int = records.offset - self.offset - records.member_info[1]
        return blank >= 4

    def _end(self, records: _Records, record: ArcWarcRecord) -> int:
        """Where an uncompressed record ends by its Content-Length."""
        position: int = records.fh.tell() - records.reader.rem_length()
        return position + int(record.raw_stream.limit)

    def _past_damage(
        self, stream: BinaryIO, damaged: _Damaged
    ) -> Generator[Reject, None, int | None]:
        """Reject the damaged record; return where the next record starts (None: nowhere)."""
        if damaged.fatal or not self.resumable:
            yield self._give_up(damaged.reason, damaged.url)
            return None
        offset = self.offset
        following = self._next_record_start(stream, offset)
        self.counts.records += 1
        where = (
            f"reading went on at offset {following}"
            if following is not None
            else "no record starts after it"
        )
        yield Reject(
            f"{self.origin}#{offset}",
            "ingest",
            "corrupt_input",
            f"{damaged.reason} (record at offset {offset}; {where})",
            damaged.url,
        )
        return following

    def _give_up(self, reason: str, url: str | None = None) -> Reject:
        """The reject of a file read no further: how many bytes from where were not read."""
        offset = min(max(self.offset, 0), self.size)
        unread = self.size - offset
        self.counts.records += 1
        self.counts.unread_bytes += unread
        return Reject(
            f"{self.origin}#{offset}",
            "ingest",
            "corrupt_input",
            f"{reason}; reading stopped: the {unread} bytes from offset {offset} to the end "
            "of the file were not read",
            url,
        )

    def _next_record_start(self, stream: BinaryIO, after: int) -> int | None:
        """The first offset past ``after`` where a WARC record starts: a gzip member that
        inflates to a WARC/1.x line, or that line itself (a file may be mended from both).

        The file is read once, in chunks, however long the stretch of damage.
        """
        position, tail = after + 1, b""
        while True:
            stream.seek(position)
            chunk = stream.read(_SCAN_CHUNK)
            if not chunk:
                return None
            data, base = tail + chunk, position - len(tail)
            for found in _RECORD_START.finditer(data):
                if found.end() <= len(tail):
                    continue  # seen at the end of the chunk before
                if found[0] != _GZIP_MAGIC or _inflates_to_record(stream, base + found.start()):
                    return base + found.start()
            tail = data[-len(_WARC_LINES[0]) :]
            position += len(chunk)


# A gzipped WARC is one gzip member per record, so that a reader can seek to each; warcio reads
# no further in a file that is one gzip stream, and nor can the search for the next member.
_NOT_CHUNKED = (
    "the file is one gzip stream, not one gzip member per record, and only its first record "
    "was read (`warcio recompress` rewrites it readable)"
)


def _inflates_to_record(stream: BinaryIO, offset: int) -> bool:
    """Whether the gzip member at ``offset`` begins with a WARC record."""
    stream.seek(offset)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = inflater.decompress(stream.read(4096), 64)
    except zlib.error:
        return False
    return head.startswith(_WARC_LINES)


def _damage(exc: Exception) -> _Damaged:
    """The plain words for what warcio raised on a damaged record."""
    if isinstance(exc, ArchiveLoadFailed) and "non-chunked" in str(exc):
        return _Damaged(_NOT_CHUNKED, fatal=True)
    if isinstance(exc, EOFError):
        return _Damaged("record cut off at the end of the file")
    if isinstance(exc, AttributeError):
        # The one header warcio takes for granted (it calls a method on it).
        return _Damaged("record has no WARC-Target-URI")
    if isinstance(exc, (ArchiveLoadFailed, StatusAndHeadersParserException)):
        return _Damaged("no WARC record starts here (a damaged WARC/1.x line or header block)")
    return _Damaged("record could not be parsed")


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
