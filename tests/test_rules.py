"""The rules kept in one place: loose text keys, implausible dates, URLs, rule tables."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

import etl
from etl.core.resources import rules_csv, rules_toml
from etl.core.text import compact_key, loose_words, loose_words_expr
from etl.core.urls import canonical_url, domain_label, public_suffix, registered_domain
from etl.extract import bylines
from etl.extract.page import country_zones, home_links, local_time, payload_keys
from etl.transform.clean import detect_agencies
from etl.transform.dates import (
    EARLIEST_PLAUSIBLE,
    after_fetch,
    before_earliest,
    drop_implausible_publication,
)
from tests.test_clean import clean, raw_record

TRICKY = [
    ("Rot-Grün!", "rot grün", "rotgrün"),
    ("  DER   SPIEGEL ", "der spiegel", "derspiegel"),
    ("Straße", "strasse", "strasse"),  # casefolded, not only lowercased
    ("ﬁnance", "finance", "finance"),  # NFKC: the ligature is two letters
    ("ＡＢＣ 123", "abc 123", "abc123"),  # full-width letters; digits are kept
    ("snake_case__name", "snake case name", "snakecasename"),  # "_" is a separator
    ("…—«»", "", ""),
    ("", "", ""),
]


@pytest.mark.parametrize(("text", "words", "compact"), TRICKY)
def test_loose_keys_on_tricky_inputs(text: str, words: str, compact: str) -> None:
    assert loose_words(text) == words
    assert compact_key(text) == compact
    assert compact_key(text) == loose_words(text).replace(" ", "")


def test_the_loose_expression_folds_compatibility_forms_unless_told_not_to() -> None:
    values = pl.Series(["Rot-Grün!", "ﬁ\u00adnance", "Straße", None])
    folded = pl.select(loose_words_expr(pl.lit(values))).to_series().to_list()
    plain = (
        pl.select(loose_words_expr(pl.lit(values), compatibility_forms=False)).to_series().to_list()
    )
    assert folded == ["rot grün", "finance", "straße", None]  # lowercased, not casefolded
    assert plain == ["rot grün", "ﬁ nance", "straße", None]


def _times(published: list[datetime | None], fetched: datetime) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "published_at": published,
            "published_offset_minutes": [60] * len(published),
            "fetched_at": [fetched] * len(published),
        },
        schema={
            "published_at": pl.Datetime("us", "UTC"),
            "published_offset_minutes": pl.Int16,
            "fetched_at": pl.Datetime("us", "UTC"),
        },
    )


def test_implausible_dates_at_the_boundaries() -> None:
    fetched = datetime(2025, 10, 16, 12, 0, tzinfo=UTC)
    second = timedelta(microseconds=1)
    published = [
        EARLIEST_PLAUSIBLE,  # the first plausible instant
        EARLIEST_PLAUSIBLE - second,
        fetched + timedelta(days=1),  # clock skew: still plausible
        fetched + timedelta(days=1) + second,
        None,
    ]
    frame = _times(published, fetched)
    flags = frame.select(
        late=after_fetch(pl.col("published_at")), early=before_earliest(pl.col("published_at"))
    )
    assert flags["late"].to_list() == [False, False, False, True, None]
    assert flags["early"].to_list() == [False, True, False, False, None]
    cleared, count = drop_implausible_publication(frame)
    assert count == 2
    assert cleared["published_at"].to_list() == [published[0], None, published[2], None, None]
    assert cleared["published_offset_minutes"].to_list() == [60, None, 60, None, 60]


def test_cleaning_and_staging_apply_the_same_date_rule() -> None:
    # Cleaning flags what it drops; staging the cleaned rows again finds nothing left to drop.
    fetched = "2025-10-16T12:00:00+00:00"
    cases = {
        "1989-12-31T23:59:59+00:00": ["published_before_1990"],
        "1990-01-01T00:00:00+00:00": [],
        "2025-10-17T12:00:00+00:00": [],
        "2025-10-17T12:00:01+00:00": ["published_after_fetch"],
    }
    records = [
        raw_record(
            url=f"https://www.example.de/{i}.html",
            published_raw=value,
            fetched_at=datetime.fromisoformat(fetched),
        )
        for i, value in enumerate(cases)
    ]
    cleaned = clean(*records)
    assert cleaned["date_flags"].to_list() == list(cases.values())
    assert cleaned["published_at"].is_null().to_list() == [True, False, False, True]
    assert drop_implausible_publication(cleaned)[1] == 0


def test_url_helpers_share_one_public_suffix_list() -> None:
    assert registered_domain("https://news.bbc.co.uk/a") == "bbc.co.uk"
    assert registered_domain("file:///tmp/a.html") == "local"
    assert domain_label("https://www.ilanga.co.za/x") == "ilanga"
    assert public_suffix("https://www.ilanga.co.za/x") == "co.za"
    assert canonical_url("https://www.example.de/a.html#top", None) == (
        "https://www.example.de/a.html"
    )


def test_stages_before_transform_do_not_import_it() -> None:
    # extract/unit.py runs one unit through extraction, cleaning and dedup: it is the one
    # module of an earlier stage that calls the later ones.
    root = Path(etl.__path__[0])
    for stage in ("core", "collect", "ingest", "extract"):
        for path in sorted((root / stage).glob("*.py")):
            if path.name == "unit.py" and stage == "extract":
                continue
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"^\s*(?:from|import) etl\.transform", text, re.M), path


def test_agency_table_loads_and_every_entry_is_reachable() -> None:
    table = rules_toml("agencies.toml")
    assert set(table) == {"ambiguous", "names"}
    names = bylines.agencies()
    assert all(key == key.lower() and key.strip() == key for key in names)
    assert bylines.ambiguous_agency_codes() <= set(names)
    for written, shown in names.items():
        assert bylines.AGENCY_NAME.fullmatch(written), written
        # Every written form, as a dateline, is reported under its display name.
        assert detect_agencies(f"Berlin ({written}) - Text.", []) == [shown], written


def test_ambiguous_agency_codes_count_in_a_byline_only_in_capitals() -> None:
    assert detect_agencies("Text.", ["Bericht von Anna Beispiel, AP"]) == ["AP"]
    assert detect_agencies("Text.", ["Anna Beispiel, ap"]) == []
    assert detect_agencies("Text.", ["Anna Beispiel, dpa"]) == ["dpa"]


def test_byline_words_are_plain_distinct_words_that_stop_a_name() -> None:
    words = bylines.byline_words()
    assert len(words) == len(set(words))
    assert all(re.fullmatch(r"[a-z-]+", w) for w in words), words
    for word in words:
        assert bylines.person_name(f"Anna {word.capitalize()}", set()) is None, word
    assert bylines.person_name("Anna Beispiel", set()) == "Anna Beispiel"


def test_country_zones_are_valid_zones_and_make_naive_times_local() -> None:
    zones = country_zones()
    assert len(rules_csv("country_zones.csv")) == len(zones)
    for suffix, zone in zones.items():
        assert re.fullmatch(r"[a-z]{2}", suffix), suffix
        ZoneInfo(zone)
    naive = datetime(2025, 10, 16, 22, 41)
    assert local_time(naive, "https://www.example.de/a") == naive.replace(
        tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert local_time(naive, "https://news.bbc.co.uk/a").tzinfo == ZoneInfo("Europe/London")
    assert local_time(naive, "https://www.example.com/a") == naive


def test_home_links_are_compared_as_compact_keys() -> None:
    links = home_links()
    assert "startseite" in links and "홈" in links
    # Crumbs are compared by compact_key, which has no spaces: these two entries never match.
    # They are kept as the table had them (changing them would change extracted sections).
    assert {link for link in links if compact_key(link) != link} == {"home page", "strona główna"}


def test_payload_keys_load_in_order() -> None:
    keys = payload_keys()
    assert keys[0] == "articleBody" and keys[-1] == "text"
    assert len(keys) == len(set(keys)) == 11
