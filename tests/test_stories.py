"""Stories across runs: every store matches its articles against the archive's story index."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from etl.core.datadir import DataDir
from etl.pipeline import run_pipeline
from etl.warehouse.build import build_warehouse
from etl.warehouse.connect import connect_read_only
from tests.warcs import Archived, write_article_warc

REPO_DIR = Path(__file__).resolve().parents[1]
WORDS = (
    "Stadt Land Rat Hafen Brücke Schule Bahn Markt Wetter Regierung Minister Polizei Gericht "
    "Haushalt Bürger Verein Feuerwehr Klinik Theater Museum Sturm Ernte Strom Gas Wasser "
    "Straße Bus Zug Flug Preis Miete Steuer Lohn Streik Wahl Partei Gipfel Vertrag Grenze "
    "sagte meldete plant baut sperrt öffnet prüft fordert warnt erwartet zahlt verliert "
    "gewinnt schließt beginnt endet am im vor nach mit ohne für gegen über unter neue alte "
    "große kleine erste letzte zwei drei vier zehn hundert Montag Dienstag Mittwoch Freitag"
)
VOCABULARY = WORDS.split()


def story(seed: int, paragraphs: int = 6) -> list[str]:
    """Paragraphs of a story of its own: word runs that no other seed's story shares."""
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(VOCABULARY) for _ in range(36)).capitalize() + "."
        for _ in range(paragraphs)
    ]


def copy_of(paragraphs: list[str], seed: int) -> list[str]:
    """Wire copy as another outlet runs it: the last paragraph cut, a paragraph of its own."""
    return [*paragraphs[:-1], *story(seed, 1)]


def page(outlet: str, slug: str, paragraphs: list[str], published: str) -> Archived:
    return Archived(
        url=f"https://www.{outlet}/{slug}.html",
        fetched=published.replace("+00:00", "Z"),
        title=f"{slug} {outlet}",
        paragraphs=paragraphs,
        published=published,
    )


def store(data_dir: Path, run_id: str, pages: list[Archived]) -> dict[str, object]:
    warc = write_article_warc(data_dir.parent / "inputs" / f"{run_id}.warc.gz", pages)
    return run_pipeline([warc], data_dir, run_id=run_id)


def stories_of(data_dir: Path) -> dict[str, str]:
    """url -> story_id, from the lake."""
    rows = pl.read_parquet(data_dir / "lake" / "articles" / "**" / "*.parquet")
    return dict(rows.select("url", "story_id").iter_rows())


def partition(story_of: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for url, story_id in story_of.items():
        groups.setdefault(story_id, set()).add(url)
    return {frozenset(g) for g in groups.values()}


WIRE = story(1)
OTHER = story(2)


def test_a_wire_story_stored_in_two_runs_is_one_story_named_by_its_first_copy(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    store(data, "morning", [page("kurier.de", "wire", WIRE, "2025-10-16T08:00:00+00:00")])
    summary = store(
        data,
        "evening",
        [
            page("bote.de", "wire", copy_of(WIRE, 10), "2025-10-16T18:00:00+00:00"),
            page("bote.de", "local", OTHER, "2025-10-16T18:00:00+00:00"),
        ],
    )
    found = stories_of(data)
    first = found["https://www.kurier.de/wire.html"]
    assert found["https://www.bote.de/wire.html"] == first
    assert found["https://www.bote.de/local.html"] != first
    assert summary.stories_continued == 1
    # The run wrote its index beside its articles: one file per partition it wrote.
    assert sorted(p.name for p in DataDir(data).story_index.rglob("*.parquet")) == [
        "part-evening.parquet",
        "part-morning.parquet",
    ]


def test_rerunning_a_run_keeps_every_story_id_and_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store(data, "first", [page("kurier.de", "wire", WIRE, "2025-10-16T08:00:00+00:00")])
    second = [page("bote.de", "wire", copy_of(WIRE, 10), "2025-10-16T18:00:00+00:00")]
    store(data, "second", second)
    files = sorted((data / "lake").rglob("*.parquet"))
    before = {p: p.read_bytes() for p in files}
    for run_id, pages in (
        ("second", second),
        ("first", [page("kurier.de", "wire", WIRE, "2025-10-16T08:00:00+00:00")]),
    ):
        store(data, run_id, pages)
    assert sorted((data / "lake").rglob("*.parquet")) == files
    assert all(p.read_bytes() == before[p] for p in files)


def test_copies_further_apart_than_the_window_are_separate_stories(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store(data, "a", [page("kurier.de", "wire", WIRE, "2025-10-01T08:00:00+00:00")])
    store(data, "b", [page("bote.de", "wire", copy_of(WIRE, 10), "2025-10-09T08:00:00+00:00")])
    found = stories_of(data)
    assert len(set(found.values())) == 2


BRIDGE_PAGES = {
    "a": page("kurier.de", "wire", WIRE, "2025-10-01T08:00:00+00:00"),
    # Six days later: beyond the three-day window of the first copy.
    "b": page("bote.de", "wire", copy_of(WIRE, 10), "2025-10-07T08:00:00+00:00"),
    # Within three days of both: it bridges them.
    "c": page("blatt.de", "wire", copy_of(WIRE, 11), "2025-10-04T08:00:00+00:00"),
}


@pytest.mark.parametrize("order", list(itertools.permutations("abc")))
def test_the_partition_does_not_depend_on_the_order_runs_arrive_in(
    tmp_path: Path, order: tuple[str, ...]
) -> None:
    data = tmp_path / "data"
    for run_id in order:
        store(data, run_id, [BRIDGE_PAGES[run_id]])
    found = stories_of(data)
    assert len(set(found.values())) == 1, found
    # The one run of all three gives the same partition.
    together = tmp_path / "together"
    store(together, "all", list(BRIDGE_PAGES.values()))
    assert partition(stories_of(together)) == partition(found)


def test_a_bridging_article_merges_into_the_story_seen_first_everywhere(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store(data, "a", [BRIDGE_PAGES["a"]])
    store(data, "b", [BRIDGE_PAGES["b"]])
    build_warehouse(data)
    before = stories_of(data)
    first, second = before[BRIDGE_PAGES["a"].url], before[BRIDGE_PAGES["b"].url]
    assert first != second
    summary = store(data, "c", [BRIDGE_PAGES["c"]])
    assert summary.stories_merged == 1 and summary.lake_files_relabelled == 1
    after = stories_of(data)
    assert set(after.values()) == {first}
    # The absorbed id is kept, so whoever held it can find the story it joined.
    merges = pl.read_parquet(DataDir(data).story_merges / "**" / "*.parquet")
    assert merges.select("absorbed_story_id", "story_id").rows() == [(second, first)]
    assert not (DataDir(data).pending_merges).exists()
    # The warehouse's incremental update sees the rewritten file: lake and warehouse agree.
    build_warehouse(data)
    with connect_read_only(data) as con:
        assert dict(con.execute("SELECT url, story_id FROM articles").fetchall()) == after
        assert con.execute("SELECT story_id, outlets FROM stories").fetchall() == [(first, 3)]
        assert con.execute("SELECT * FROM story_merges").fetchall()[0][:2] == (second, first)


def test_after_a_merge_later_stores_see_the_surviving_id(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for run_id in "abc":
        store(data, run_id, [BRIDGE_PAGES[run_id]])
    first = stories_of(data)[BRIDGE_PAGES["a"].url]
    # Near the absorbed copy only: it must join the story under the id that survived.
    late = page("zeit.de", "wire", copy_of(WIRE, 12), "2025-10-08T08:00:00+00:00")
    summary = store(data, "d", [late])
    assert summary.stories_merged == 0
    assert stories_of(data)[late.url] == first
    assert DataDir(data).story_index_cache.is_dir()


def test_merges_a_killed_store_left_half_done_are_finished_by_the_next(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store(data, "a", [BRIDGE_PAGES["a"]])
    store(data, "b", [BRIDGE_PAGES["b"]])
    found = stories_of(data)
    first, second = found[BRIDGE_PAGES["a"].url], found[BRIDGE_PAGES["b"].url]
    # What a store killed after deciding the merge, before rewriting the files, leaves.
    pending = DataDir(data).pending_merges
    pending.parent.mkdir(parents=True, exist_ok=True)
    pending.write_text(json.dumps({"run_id": "c", "merges": {second: first}}))
    store(data, "other", [page("zeit.de", "local", OTHER, "2025-10-20T08:00:00+00:00")])
    assert stories_of(data)[BRIDGE_PAGES["b"].url] == first
    assert not pending.exists()


def test_a_lake_without_an_index_gets_one_from_its_texts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store(data, "old", [page("kurier.de", "wire", WIRE, "2025-10-16T08:00:00+00:00")])
    for index_file in DataDir(data).story_index.rglob("*.parquet"):
        index_file.unlink()  # as a lake written before the index existed
    store(data, "new", [page("bote.de", "wire", copy_of(WIRE, 10), "2025-10-16T18:00:00+00:00")])
    assert len(set(stories_of(data).values())) == 1
    assert len(list(DataDir(data).story_index.rglob("*.parquet"))) == 2


CONCURRENT_STORE = """
import sys, time
from pathlib import Path
from etl.core.datadir import DataDir
from etl.extract.unit import extract_unit
from etl.load.store import store_run
warc, data_dir, run_id, go = sys.argv[1:]
staged = extract_unit(warc, DataDir.at(data_dir).staging(run_id))
while not Path(go).exists():
    time.sleep(0.01)
store_run([staged], data_dir, run_id)
"""


@pytest.mark.e2e
def test_two_processes_storing_the_same_stories_at_once_make_one_story_each(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    wires = [story(seed) for seed in range(20, 26)]
    runs = {
        "left": [
            page("kurier.de", f"w{i}", text, f"2025-10-16T{8 + i:02d}:00:00+00:00")
            for i, text in enumerate(wires)
        ],
        "right": [
            page("bote.de", f"w{i}", copy_of(text, 100 + i), f"2025-10-16T{9 + i:02d}:00:00+00:00")
            for i, text in enumerate(wires)
        ],
    }
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CONCURRENT_STORE,
                str(write_article_warc(tmp_path / f"{run_id}.warc.gz", pages)),
                str(data),
                run_id,
                str(go),
            ],
            cwd=REPO_DIR,
        )
        for run_id, pages in runs.items()
    ]
    go.touch()
    assert [p.wait(timeout=300) for p in processes] == [0, 0]
    found = stories_of(data)
    assert len(found) == 12
    assert partition(found) == {
        frozenset({f"https://www.kurier.de/w{i}.html", f"https://www.bote.de/w{i}.html"})
        for i in range(6)
    }


SAMPLES = REPO_DIR / "data" / "samples"


def split_samples_by_outlet(folder: Path) -> dict[str, Path]:
    """The sample pages as each outlet's own input folder: its saved pages with their manifest
    lines, and its records of the sample WARC (as a crawl of that outlet alone would be)."""
    from urllib.parse import urlsplit

    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    def outlet_of(url: str) -> str:
        return (urlsplit(url).hostname or "").removeprefix("www.")

    outlets: dict[str, Path] = {}

    def folder_of(url: str) -> Path:
        path = outlets.setdefault(outlet_of(url), folder / outlet_of(url))
        path.mkdir(parents=True, exist_ok=True)
        return path

    for line in (SAMPLES / "html" / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        target = folder_of(entry["url"])
        (target / entry["file"]).write_bytes((SAMPLES / "html" / entry["file"]).read_bytes())
        with (target / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
            manifest.write(line + "\n")
    writers: dict[str, WARCWriter] = {}
    handles = []
    with (SAMPLES / "warc" / "samples.warc.gz").open("rb") as stream:
        for record in ArchiveIterator(stream):
            url = record.rec_headers.get_header("WARC-Target-URI")
            if not url:
                continue  # the warcinfo record: no outlet's
            if outlet_of(url) not in writers:
                handle = (folder_of(url) / "crawl.warc.gz").open("wb")
                handles.append(handle)
                writers[outlet_of(url)] = WARCWriter(handle, gzip=True)
            writers[outlet_of(url)].write_record(record)
    for handle in handles:
        handle.close()
    return dict(sorted(outlets.items()))


def run_cli(*args: str) -> None:
    from etl.cli import main

    assert main([*args]) == 0


def lake_and_warehouse_stories(data_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """article_id -> story_id as the lake says and as the warehouse says."""
    lake = pl.read_parquet(data_dir / "lake" / "articles" / "**" / "*.parquet")
    with connect_read_only(data_dir) as con:
        warehouse = dict(con.execute("SELECT article_id, story_id FROM articles").fetchall())
    return dict(lake.select("article_id", "story_id").iter_rows()), warehouse


@pytest.mark.e2e
def test_per_outlet_runs_of_the_samples_in_any_order_find_the_stories_of_one_run(
    tmp_path: Path,
) -> None:
    from etl.transform.quality import read_labels, score_articles

    outlets = split_samples_by_outlet(tmp_path / "outlets")
    assert len(outlets) == 7
    orders = {"forward": list(outlets), "backward": list(reversed(outlets))}
    found: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for name, order in orders.items():
        data_dir = tmp_path / name
        for outlet in order:
            run_cli("run", "--input", str(outlets[outlet]), "--data-dir", str(data_dir))
            run_cli("warehouse", "--data-dir", str(data_dir))
        found[name] = lake_and_warehouse_stories(data_dir)
        articles = pl.read_parquet(data_dir / "lake" / "articles" / "**" / "*.parquet")
        figures = score_articles(articles, read_labels(SAMPLES / "expected.jsonl"))
        assert figures["story_precision"] >= 0.98, (name, figures)
        assert figures["story_recall"] >= 0.95, (name, figures)
    together = tmp_path / "together"
    run_cli("run", "--input", *map(str, outlets.values()), "--data-dir", str(together))
    found["together"] = lake_and_warehouse_stories(together)
    partitions = set()
    for name, (lake, warehouse) in found.items():
        assert lake == warehouse, name  # the analyst's Parquet and DuckDB agree
        groups: dict[str, set[str]] = {}
        for article_id, story_id in lake.items():
            groups.setdefault(story_id, set()).add(article_id)
        partitions.add(frozenset(frozenset(g) for g in groups.values()))
    assert len(partitions) == 1
    # The founding example's wire story is one story on every outlet that ran it.
    assert len(next(iter(partitions))) < len(found["together"][0])


def test_a_run_with_a_few_old_pages_reads_the_days_around_each_not_the_years_between() -> None:
    from datetime import UTC, date, datetime, timedelta

    import numpy as np

    from etl.load.stories import days_within

    def us(at: datetime) -> int:
        return int(at.timestamp() * 1_000_000)

    when = np.array(
        [us(datetime(2015, 3, 1, 23, 59, tzinfo=UTC)), us(datetime(2025, 10, 16, 0, 1, tzinfo=UTC))]
    )
    days = days_within(when, timedelta(days=3))
    assert len(days) == 14
    assert days[0] == date(2015, 2, 26) and days[6] == date(2015, 3, 4)
    assert days[7] == date(2025, 10, 13) and days[-1] == date(2025, 10, 19)


def test_refetched_articles_do_not_lend_their_signatures_to_the_others(tmp_path: Path) -> None:
    """A regression: the archived rows left after taking out the re-fetched ones were matched
    with the signatures of the rows before them, so unrelated stories merged."""
    data = tmp_path / "data"
    first = [
        page("kurier.de", f"s{seed}", story(seed), "2025-10-16T08:00:00+00:00")
        for seed in range(30, 34)
    ]
    store(data, "first", first)
    by_id = dict(
        pl.read_parquet(data / "lake" / "articles" / "**" / "*.parquet")
        .select("article_id", "url")
        .iter_rows()
    )
    # Every page fetched again but the one stored last in the index (the largest id).
    kept_out = by_id[max(by_id)]
    again = [p._replace(fetched="2025-10-16T12:00:00Z") for p in first if p.url != kept_out]
    summary = store(data, "again", again)
    assert summary.stories_merged == 0
    assert len(set(stories_of(data).values())) == 4
