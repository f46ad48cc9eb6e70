"""A damaged WARC record costs that record only, and the counts say so (issue 19).

WARC files of the tests' making, gzipped one member per record and uncompressed, with one kind
of damage in the middle record: the records before and after it are pages, the damaged one is
a ``corrupt_input`` reject at its offset, and every record is counted once.
"""

from __future__ import annotations

import errno
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.cli import format_summary
from etl.collect.runs import reprocess
from etl.ingest.inputs import IngestCounts, Page, Reject, read_warc
from etl.pipeline import run_pipeline
from tests.pages import BODY
from tests.warcs import Archived, article_record, gzip_members

PAGES = [
    Archived(f"https://www.example.de/politik/{i}.html", "2025-10-17T06:00:00Z", f"Seite {i}")
    for i in range(5)
]
DAMAGED = 2
# Made once: a record has a random WARC-Record-ID, and random damage must hit the same bytes
# when hypothesis tries an example again.
RECORDS = [article_record(page) for page in PAGES]


def content_length(record: bytes, change: int) -> bytes:
    length = int(re.search(rb"Content-Length: (\d+)", record)[1])  # type: ignore[index]
    return record.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length + change))


def header_block_without_end(record: bytes) -> bytes:
    """The HTTP header block runs on to the end of the record: no blank line ends it."""
    head, _, body = record.partition(b"\r\n\r\n")
    http, _, payload = body.partition(b"\r\n\r\n")
    payload = payload.replace(b"\n\n", b"\n ").removesuffix(b"\r\n\r\n") + b"\r\n\r\n"
    return head + b"\r\n\r\n" + http + b"\r\nX:" + payload


# Damage to the uncompressed record (equal in length where the length is not the point), and
# the reason its reject gives: (gzipped, uncompressed).
RECORD_DAMAGE: dict[str, tuple[Callable[[bytes], bytes], tuple[str, str]]] = {
    "no_target_uri": (
        lambda r: re.sub(rb"WARC-Target-URI: [^\r]*\r\n", b"", r),
        ("record has no WARC-Target-URI",) * 2,
    ),
    "http_status_line": (
        lambda r: r.replace(b"HTTP/1.1 200 OK", b"\x00\x17garbage\x03\x04\x05\x06\x07\x08"),
        ("HTTP status line could not be parsed",) * 2,
    ),
    "http_header_block": (
        header_block_without_end,
        ("HTTP header block could not be parsed",) * 2,
    ),
    "content_length_too_long": (
        lambda r: content_length(r, 40),
        (
            "record shorter than its Content-Length",
            "record does not end where its Content-Length says",
        ),
    ),
    "content_length_too_short": (
        lambda r: content_length(r, -40),
        ("record does not end where its Content-Length says",) * 2,
    ),
    "content_length_past_the_end": (
        lambda r: content_length(r, 10**9),
        (
            "record shorter than its Content-Length",
            "record's Content-Length runs past the end of the file",
        ),
    ),
    "no_content_length": (
        lambda r: re.sub(rb"Content-Length: [^\r]*\r\n", b"", r),
        ("record has no valid Content-Length",) * 2,
    ),
    "unknown_record_type": (
        lambda r: r.replace(b"WARC-Type: response", b"WARC-Type: foo"),
        ("unknown record type 'foo'",) * 2,
    ),
    "warc_line": (
        lambda r: r.replace(b"WARC/1.0\r\n", b"WARX/1.0\r\n"),
        ("no WARC record starts here",) * 2,
    ),
}


def flip_middle(member: bytes) -> bytes:
    middle = len(member) // 2
    return (
        member[:middle]
        + bytes(b ^ 0x5A for b in member[middle : middle + 16])
        + member[middle + 16 :]
    )


# Damage to the gzip member of the record.
MEMBER_DAMAGE: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "deflate_data": (flip_middle, "gzip member could not be inflated"),
    "gzip_header": (lambda m: b"\x00\x00" + m[2:], "no gzip member starts here"),
    "gzip_checksum": (lambda m: m[:-8] + bytes([m[-8] ^ 1]) + m[-7:], "could not be inflated"),
}


def damaged_warc(
    folder: Path, gzipped: bool, record: Callable[[bytes], bytes] = bytes, member=None
) -> tuple[Path, int]:
    """The five pages, the middle one damaged; the file and the damaged record's offset."""
    records = list(RECORDS)
    records[DAMAGED] = record(records[DAMAGED])
    if gzipped:
        members = [gzip_members([r]) for r in records]
        if member is not None:
            members[DAMAGED] = member(members[DAMAGED])
        parts, path = members, folder / "crawl.warc.gz"
    else:
        parts, path = records, folder / "crawl.warc"
    path.write_bytes(b"".join(parts))
    return path, sum(len(p) for p in parts[:DAMAGED])


def assert_damaged_record_costs_itself_only(path: Path, offset: int, reason: str) -> None:
    counts = IngestCounts()
    items = list(read_warc(path, counts))
    pages = [i for i in items if isinstance(i, Page)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [p.url for p in pages] == [p.url for i, p in enumerate(PAGES) if i != DAMAGED]
    assert [(r.origin, r.reason) for r in rejects] == [(f"{path}#{offset}", "corrupt_input")]
    assert reason in rejects[0].detail and f"offset {offset}" in rejects[0].detail
    assert "Error" not in rejects[0].detail  # plain words, not a Python exception
    assert counts.records == len(PAGES) and counts.unread_bytes == 0


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "uncompressed"])
@pytest.mark.parametrize("damage", sorted(RECORD_DAMAGE))
def test_a_damaged_record_is_a_reject_and_the_records_after_it_are_read(
    tmp_path: Path, damage: str, gzipped: bool
) -> None:
    change, reasons = RECORD_DAMAGE[damage]
    path, offset = damaged_warc(tmp_path, gzipped, change)
    assert_damaged_record_costs_itself_only(path, offset, reasons[0 if gzipped else 1])


@pytest.mark.parametrize("damage", sorted(MEMBER_DAMAGE))
def test_a_gzip_member_that_does_not_inflate_is_a_reject_and_the_next_member_is_read(
    tmp_path: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    change, reason = MEMBER_DAMAGE[damage]
    path, offset = damaged_warc(tmp_path, True, member=change)
    assert_damaged_record_costs_itself_only(path, offset, reason)
    # warcio would have written the inflate error to stderr and read on as if the file ended.
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "uncompressed"])
def test_bytes_between_records_are_one_reject_and_no_record_is_lost(
    tmp_path: Path, gzipped: bool
) -> None:
    records = list(RECORDS)
    parts = [gzip_members([r]) for r in records] if gzipped else records
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    path.write_bytes(
        b"".join(parts[:DAMAGED]) + b"junk without a newline" + b"".join(parts[DAMAGED:])
    )
    counts = IngestCounts()
    items = list(read_warc(path, counts))
    assert [i.url for i in items if isinstance(i, Page)] == [p.url for p in PAGES]
    (reject,) = [i for i in items if isinstance(i, Reject)]
    assert reject.origin == f"{path}#{sum(len(p) for p in parts[:DAMAGED])}"
    assert counts.records == len(PAGES) + 1


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "uncompressed"])
def test_a_file_cut_in_its_last_record_keeps_the_records_before(
    tmp_path: Path, gzipped: bool
) -> None:
    path, _ = damaged_warc(tmp_path, gzipped)
    data = path.read_bytes()
    path.write_bytes(data[:-300])
    counts = IngestCounts()
    items = list(read_warc(path, counts))
    assert [i.url for i in items if isinstance(i, Page)] == [p.url for p in PAGES[:-1]]
    (reject,) = [i for i in items if isinstance(i, Reject)]
    assert reject.reason == "corrupt_input" and "the end of the file" in reject.detail
    assert counts.records == len(PAGES) and counts.unread_bytes == 0


class FailingDisk(io.BytesIO):
    """A file whose bytes from ``bad`` on cannot be read (EIO)."""

    def __init__(self, data: bytes, bad: int) -> None:
        super().__init__(data)
        self.bad = bad

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() >= self.bad:
            raise OSError(errno.EIO, "Input/output error")
        left = self.bad - self.tell()
        return super().read(left if size is None or size < 0 else min(size, left))


def test_a_file_that_cannot_be_read_to_its_end_says_how_much_was_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, offset = damaged_warc(tmp_path, True)
    failing = FailingDisk(path.read_bytes(), offset + 100)
    monkeypatch.setattr(Path, "open", lambda self, mode="r": failing)
    counts = IngestCounts()
    items = list(read_warc(path, counts))
    assert [i.url for i in items if isinstance(i, Page)] == [p.url for p in PAGES[:DAMAGED]]
    assert counts.unread_bytes == path.stat().st_size - offset
    reject = items[-1]
    assert isinstance(reject, Reject) and reject.origin == f"{path}#{offset}"
    assert "Input/output error" in reject.detail and "were not read" in reject.detail
    assert counts.records == DAMAGED + 1


def test_a_file_that_is_one_gzip_stream_says_how_much_was_not_read(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(gzip_members([b"".join(RECORDS)]))
    counts = IngestCounts()
    items = list(read_warc(path, counts))
    assert [i.url for i in items if isinstance(i, Page)] == [PAGES[0].url]
    (reject,) = [i for i in items if isinstance(i, Reject)]
    assert "one gzip stream" in reject.detail and "were not read" in reject.detail
    assert counts.unread_bytes == path.stat().st_size


def test_the_run_summary_counts_the_damaged_record_and_says_all_accounted(
    tmp_path: Path,
) -> None:
    # As in the issue: one response record without WARC-Target-URI early in a longer file.
    pages = [
        Archived(f"https://www.example.de/{i}.html", "2025-10-17T06:00:00Z", f"Seite {i}", BODY)
        for i in range(40)
    ]
    records = [article_record(page) for page in pages]
    records[25] = RECORD_DAMAGE["no_target_uri"][0](records[25])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crawl.warc.gz").write_bytes(gzip_members(records))
    summary = run_pipeline([tmp_path / "in"], tmp_path / "data", run_id="run", use_cache=False)
    assert summary.records == 40 and summary.pages == 40
    assert summary.articles == 39 and summary.rejects == {"corrupt_input": 1}
    assert summary.unread_bytes == 0 and summary.accounted


def test_a_run_that_could_not_read_all_of_a_file_is_not_all_accounted(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "crawl.warc.gz"
    path.write_bytes(gzip_members([b"".join(RECORDS)]))
    summary = run_pipeline([tmp_path / "in"], tmp_path / "data", run_id="run", use_cache=False)
    assert summary.unread_bytes == path.stat().st_size
    assert not summary.accounted
    printed = format_summary(summary, tmp_path / "data", None)
    assert f"not read        {path.stat().st_size} bytes" in printed
    assert "all accounted   NO" in printed


def test_reprocess_sums_what_its_archives_could_not_read(tmp_path: Path) -> None:
    raw = tmp_path / "data" / "raw" / "2025" / "10" / "17"
    raw.mkdir(parents=True)
    (raw / "example.de_1.warc.gz").write_bytes(gzip_members(RECORDS))
    stream = raw / "example.de_2.warc.gz"
    stream.write_bytes(gzip_members([b"".join(RECORDS)]))
    summary = reprocess(tmp_path / "data")
    assert summary.records == len(PAGES) + 2 and summary.articles == len(PAGES) + 1
    assert summary.unread_bytes == stream.stat().st_size and not summary.accounted


# --- random damage ------------------------------------------------------------------------

DAMAGE_OPS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "cut", "insert"]),
        st.floats(0, 1, exclude_max=True),
        st.binary(min_size=1, max_size=48),
    ),
    min_size=1,
    max_size=3,
)


def damage(data: bytes, ops: list[tuple[str, float, bytes]]) -> tuple[bytes, list[tuple[int, int]]]:
    """The damaged bytes, and the spans of ``data`` the damage touched (an insert touches the
    bytes on either side of it, so it is the empty span between them)."""
    # From the end backwards, so that each place is still where it was in ``data``.
    placed = sorted(((int(at * len(data)), kind, junk) for kind, at, junk in ops), reverse=True)
    touched: list[tuple[int, int]] = []
    for at, kind, junk in placed:
        if touched and at + len(junk) >= touched[-1][0]:
            continue  # overlapping damage would move the places of the damage after it
        if kind == "flip":
            end = min(at + len(junk), len(data))
            flipped = bytes(a ^ (b or 1) for a, b in zip(data[at:end], junk, strict=False))
            data = data[:at] + flipped + data[end:]
            touched.append((at, end))
        elif kind == "cut":
            data = data[:at] + data[at + len(junk) :]
            touched.append((at, at + len(junk)))
        else:
            data = data[:at] + junk + data[at:]
            touched.append((at, at))
    return data, touched


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(gzipped=st.booleans(), ops=DAMAGE_OPS)
def test_no_record_outside_the_damage_is_lost(
    tmp_path: Path, gzipped: bool, ops: list[tuple[str, float, bytes]]
) -> None:
    records = list(RECORDS)
    parts = [gzip_members([r]) for r in records] if gzipped else records
    data, touched = damage(b"".join(parts), ops)
    path = tmp_path / ("random.warc.gz" if gzipped else "random.warc")
    path.write_bytes(data)
    starts = [sum(len(p) for p in parts[:i]) for i in range(len(parts) + 1)]
    untouched = {
        PAGES[i].url
        for i in range(len(parts))
        if not any(start < starts[i + 1] and end > starts[i] for start, end in touched)
    }
    counts = IngestCounts()
    items = list(read_warc(path, counts))
    assert untouched <= {i.url for i in items if isinstance(i, Page)}
    assert counts.records == len(items) and counts.unread_bytes == 0
