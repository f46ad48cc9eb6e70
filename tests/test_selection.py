from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl.core.errors import InputError
from etl.extract.unit import extract_unit
from etl.ingest.inputs import Page, Reject
from etl.ingest.selection import RecordFilter, expand_inputs, normalise_domain
from tests.warcs import Archived, write_article_warc


def page(url: str, fetched_at: datetime | None) -> Page:
    return Page(url, b"<html></html>", "test", fetched_at)


def test_globs_and_paths_expand_to_sorted_units(tmp_path: Path) -> None:
    for name in ("2025/10/16/a.warc.gz", "2025/10/17/b.warc.gz", "2025/10/17/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    units = expand_inputs(["2025/**/*.warc.gz"], base=tmp_path)
    assert units == [
        str(tmp_path / "2025/10/16/a.warc.gz"),
        str(tmp_path / "2025/10/17/b.warc.gz"),
    ]
    assert expand_inputs([str(tmp_path / "2025/10/16/a.warc.gz")]) == units[:1]
    assert expand_inputs([str(tmp_path / "2025" / "*" / "17")]) == units[1:]
    # Files a glob sweeps up that are neither WARC nor HTML (notes, checksums) are passed over.
    assert expand_inputs(["2025/*/*/*"], base=tmp_path) == units


def test_a_pattern_matching_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no file matches"):
        expand_inputs(["*.warc.gz"], base=tmp_path)
    with pytest.raises(InputError, match="not found"):
        expand_inputs(["missing.warc.gz"], base=tmp_path)


@pytest.mark.parametrize(
    ("written", "domain"),
    [
        ("example.de", "example.de"),
        ("WWW.Example.DE", "example.de"),
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),
        ("news.example.co.uk", "example.co.uk"),
    ],
)
def test_domains_are_normalised_to_the_outlet_key(written: str, domain: str) -> None:
    assert normalise_domain(written) == domain


def test_bad_filter_values_are_input_errors() -> None:
    with pytest.raises(InputError, match="date like"):
        RecordFilter.build(since="16.10.2025")
    with pytest.raises(InputError, match="after"):
        RecordFilter.build(since="2025-10-17", until="2025-10-16")
    with pytest.raises(InputError, match="domain"):
        RecordFilter.build(domains=[" "])


def test_filter_keeps_fetch_days_inclusive_in_utc() -> None:
    keep = RecordFilter.build(since="2025-10-16", until="2025-10-16")
    assert keep.active
    assert (
        keep.skip_reason(page("https://a.de/1", datetime(2025, 10, 16, 0, 0, tzinfo=UTC))) is None
    )
    assert (
        keep.skip_reason(page("https://a.de/1", datetime(2025, 10, 16, 23, 59, tzinfo=UTC))) is None
    )
    assert keep.skip_reason(page("https://a.de/1", datetime(2025, 10, 17, tzinfo=UTC))) == (
        "outside_dates"
    )
    assert keep.skip_reason(page("https://a.de/1", datetime(2025, 10, 15, 23, tzinfo=UTC))) == (
        "outside_dates"
    )
    # Without a fetch time the date cannot be judged: the record stays and is accounted for.
    assert keep.skip_reason(page("https://a.de/1", None)) is None
    assert keep.since == keep.until == date(2025, 10, 16)


def test_filter_keeps_the_named_outlets_and_their_subdomains() -> None:
    keep = RecordFilter.build(domains=["example.de"])
    assert keep.skip_reason(page("https://www.example.de/a", None)) is None
    assert keep.skip_reason(page("https://sport.example.de/a", None)) is None
    assert keep.skip_reason(page("https://example.com/a", None)) == "other_domain"
    # A damaged record has no URL: it stays, to become a reject row.
    assert keep.skip_reason(Reject("x.warc.gz", "ingest", "corrupt_input")) is None


def test_an_empty_filter_is_inactive() -> None:
    assert not RecordFilter.build().active


def test_filtered_records_are_skipped_before_extraction_and_accounted(tmp_path: Path) -> None:
    warc = write_article_warc(
        tmp_path / "cc-news.warc.gz",
        [
            Archived("https://www.example.de/politik/a.html", "2025-10-16T08:00:00Z", "Erster"),
            Archived("https://www.example.de/politik/b.html", "2025-10-18T08:00:00Z", "Zweiter"),
            Archived("https://www.other.de/politik/c.html", "2025-10-16T09:00:00Z", "Dritter"),
        ],
    )
    keep = RecordFilter.build(since="2025-10-16", until="2025-10-17", domains=["example.de"])
    summary = json.loads(
        Path(extract_unit(str(warc), tmp_path / "staging", skip=keep.skip_reason)).read_text()
    )
    assert summary["skipped"] == {"outside_dates": 1, "other_domain": 1}
    assert summary["records"] == 1
    assert summary["extracted"] + summary["rejected"] == summary["records"]
