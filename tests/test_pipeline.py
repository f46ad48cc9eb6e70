"""The pipeline's streaming, parallel and cached paths give the lake the one-shot path gives."""

from __future__ import annotations

import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import etl.extract.unit as unit_stage
import etl.pipeline as pipeline
from etl.bench.synthetic import write_corpus
from etl.core.datadir import DataDir
from etl.extract.page import ExtractionSettings
from etl.extract.unit import extract_unit
from etl.ingest.inputs import Page, Reject
from etl.load.dedup import signatures
from etl.load.store import store_run
from etl.load.stories import assign_stories
from etl.pipeline import run_pipeline
from tests.pages import BODY, article_page
from tests.warcs import Archived, write_article_warc

OTHER = [
    "Der Gemeinderat hat am Montag über die Zukunft des Hallenbads beraten. Eine Sanierung würde "
    "nach ersten Schätzungen rund acht Millionen Euro kosten, ein Neubau etwa das Doppelte.",
    "Die Fraktionen konnten sich noch nicht auf eine Lösung einigen. Eine Entscheidung soll nach "
    "der Sommerpause fallen, wenn ein zweites Gutachten zur Bausubstanz vorliegt.",
    "Bis dahin bleibt das Bad geöffnet. Die Schwimmvereine hatten zuletzt vor einer Schließung "
    "gewarnt, weil es im Umkreis keine andere Halle mit einem Sportbecken gibt.",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic pages: templates, syndicated copies, a re-fetch and broken responses."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.warc.gz"
    write_corpus(path, 40, seed=11)
    return path


def lake(data_dir: Path, dataset: str = "articles") -> pl.DataFrame:
    files = sorted((data_dir / "lake" / dataset).glob("*=*/*.parquet"))
    if not files:
        return pl.DataFrame()
    frame = pl.read_parquet(files, hive_partitioning=True)
    key = "article_id" if dataset == "articles" else "input_origin"
    return frame.drop("run_id").sort(key, "fetched_at", nulls_last=True)


def staged_run(
    corpus: Path, data_dir: Path, batch_size: int, executor: ProcessPoolExecutor | None
) -> dict[str, Any]:
    staging = DataDir.at(data_dir).staging("run")
    staged = extract_unit(
        str(corpus), staging, executor=executor, batch_size=batch_size, use_cache=False
    )
    return store_run([staged], data_dir, "run")


def test_batches_and_workers_do_not_change_what_the_lake_holds(
    corpus: Path, tmp_path: Path
) -> None:
    one = staged_run(corpus, tmp_path / "one", batch_size=1000, executor=None)
    with ProcessPoolExecutor(max_workers=2) as executor:
        many = staged_run(corpus, tmp_path / "many", batch_size=3, executor=executor)
    assert one.accounted and many.accounted
    assert one.articles == many.articles > 20
    assert one.rejects == many.rejects
    assert lake(tmp_path / "one").equals(lake(tmp_path / "many"))
    assert lake(tmp_path / "one", "rejects").equals(lake(tmp_path / "many", "rejects"))


def test_stories_from_staged_signatures_are_the_stories_of_the_texts(
    corpus: Path, tmp_path: Path
) -> None:
    run_pipeline([corpus], tmp_path, run_id="run")
    articles = lake(tmp_path)
    # The same articles stored at once into an empty lake, their signatures from the texts.
    from_texts = assign_stories(
        DataDir(tmp_path / "empty"), "run", articles, signatures(articles["text"].to_list())
    )
    assert articles["story_id"].to_list() == from_texts.story_ids
    # The corpus syndicates wire copy: some stories have several outlets.
    assert articles["story_id"].n_unique() < articles.height


def counting_extractions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs extracted from now on (in this process: the runs below use one worker)."""
    calls: list[str] = []
    real = unit_stage.extract_one

    def counted(page: Any, settings: ExtractionSettings) -> Any:
        calls.append(page.url)
        return real(page, settings)

    monkeypatch.setattr(unit_stage, "extract_one", counted)
    return calls


def test_an_unchanged_input_is_not_extracted_again_and_the_lake_is_left_alone(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_pipeline([corpus], tmp_path, run_id="run")
    files = {p: p.stat().st_mtime_ns for p in (tmp_path / "lake").rglob("*.parquet")}
    before = lake(tmp_path)
    calls = counting_extractions(monkeypatch)
    again = run_pipeline([corpus], tmp_path, run_id="run")
    assert calls == []
    assert again.cached_pages == again.pages == first.pages
    assert again.articles == first.articles and again.accounted
    assert lake(tmp_path).equals(before)
    # Identical files are not rewritten, so the warehouse has nothing to reload.
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "lake").rglob("*.parquet")} == files


def pages(changed: bool) -> list[Archived]:
    return [
        Archived("https://www.example.de/lokal/radwege.html", "2025-10-16T08:00:00Z", "Radwege"),
        Archived(
            "https://www.example.de/lokal/hallenbad.html",
            "2025-10-16T09:00:00Z",
            "Hallenbad",
            [*OTHER, "Nachtrag: Der Förderverein sammelt bereits Spenden."] if changed else OTHER,
        ),
        Archived(
            "https://www.example.de/lokal/radwege-2.html", "2025-10-16T10:00:00Z", "Radwege", BODY
        ),
    ]


def test_only_pages_that_changed_are_extracted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warc = write_article_warc(tmp_path / "in" / "day.warc.gz", pages(changed=False))
    run_pipeline([warc], tmp_path / "data", run_id="run")
    write_article_warc(warc, pages(changed=True))
    calls = counting_extractions(monkeypatch)
    summary = run_pipeline([warc], tmp_path / "data", run_id="run")
    assert calls == ["https://www.example.de/lokal/hallenbad.html"]
    assert summary.cached_pages == 2 and summary.accounted
    cold = run_pipeline([warc], tmp_path / "cold", run_id="run", use_cache=False)
    assert cold.articles == summary.articles == 3
    assert lake(tmp_path / "data").equals(lake(tmp_path / "cold"))
    assert "Förderverein" in lake(tmp_path / "data")["text"].str.join("\n").item()


def test_other_extraction_settings_do_not_reuse_earlier_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warc = write_article_warc(tmp_path / "day.warc.gz", pages(changed=False))
    run_pipeline([warc], tmp_path / "data", run_id="run")
    calls = counting_extractions(monkeypatch)
    run_pipeline([warc], tmp_path / "data", run_id="run", settings=ExtractionSettings(min_words=30))
    assert len(calls) == 3


def test_a_small_input_is_extracted_without_starting_workers(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    pool = pipeline.extraction_pool
    monkeypatch.setattr(pipeline, "extraction_pool", lambda n: started.append(n) or pool(n))
    small = tmp_path / "small.warc.gz"
    write_corpus(small, 3, seed=2)
    assert small.stat().st_size <= pipeline.IN_PROCESS_BYTES < corpus.stat().st_size
    assert run_pipeline([small], tmp_path / "small", workers=2).articles > 0
    assert started == []
    run_pipeline([corpus], tmp_path / "large", workers=2)
    assert started == [2]


def test_the_cleaning_warm_up_runs_only_beside_workers(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process extraction has nothing for the warm-up to run beside: it would compile the
    cleaning's regexes on a thread the cleaning does not use, at the extraction's expense."""
    warm_ups: list[str] = []
    monkeypatch.setattr(unit_stage._CleaningWarmUp, "start", lambda self: warm_ups.append("x"))
    small = tmp_path / "small.warc.gz"
    write_corpus(small, 3, seed=2)
    assert run_pipeline([small], tmp_path / "small", workers=2).articles > 0
    assert warm_ups == []
    with ProcessPoolExecutor(max_workers=2) as executor:
        extract_unit(str(corpus), DataDir.at(tmp_path).staging("run"), executor=executor)
    assert warm_ups


def test_the_serial_part_of_a_run_is_the_time_no_extraction_covers() -> None:
    # Two workers' tasks overlap, one starts before the run's clock and one ends after it.
    spans = [(9.0, 12.0), (11.0, 14.0), (16.0, 17.0), (19.0, 25.0)]
    assert pipeline.serial_seconds(spans, 10.0, 20.0) == pytest.approx(10.0 - 4.0 - 1.0 - 1.0)
    assert pipeline.serial_seconds([], 10.0, 20.0) == 10.0


def test_a_run_records_when_its_extraction_ran(corpus: Path, tmp_path: Path) -> None:
    spans: list[tuple[float, float]] = []
    with ProcessPoolExecutor(max_workers=2) as executor:
        extract_unit(
            str(corpus),
            DataDir.at(tmp_path).staging("run"),
            executor=executor,
            batch_size=8,
            use_cache=False,
            spans=spans,
        )
    assert len(spans) >= 5 and all(began <= ended for began, ended in spans)
    summary = run_pipeline([corpus], tmp_path / "lake", use_cache=False)
    assert set(summary.phase_seconds) == {"extract", "store", "serial"}


def test_extracted_batches_are_cleaned_together(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cleaning has a fixed cost per call: small extraction batches wait for each other.
    sizes: list[int] = []
    clean = unit_stage.clean_articles

    def counted(raw: pl.DataFrame) -> pl.DataFrame:
        sizes.append(raw.height)
        return clean(raw)

    monkeypatch.setattr(unit_stage, "clean_articles", counted)
    monkeypatch.setattr(unit_stage, "CLEAN_ROWS", 15)
    summary = staged_run(corpus, tmp_path / "small", batch_size=3, executor=None)
    assert 2 <= len(sizes) <= 40 // 15 + 1
    assert summary.accounted
    monkeypatch.setattr(unit_stage, "clean_articles", clean)
    staged_run(corpus, tmp_path / "whole", batch_size=1000, executor=None)
    assert lake(tmp_path / "small").equals(lake(tmp_path / "whole"))
    assert lake(tmp_path / "small", "rejects").equals(lake(tmp_path / "whole", "rejects"))


def test_a_page_that_takes_too_much_cpu_becomes_a_reject() -> None:
    # Thousands of short paragraphs: trafilatura's cost grows faster than the page.
    html = "<html><body><article><h1>T</h1>" + "<p>kurz und knapp</p>" * 20_000 + "</article>"
    page = Page("https://example.de/a.html", html.encode(), "test#0", content_type="text/html")
    outcome = unit_stage.extract_one(page, ExtractionSettings(page_cpu_seconds=0.05))
    assert isinstance(outcome, Reject)
    assert (outcome.reason, outcome.detail) == ("too_slow", "more than 0.05 s of CPU")
    # The timer is off afterwards, and the next page extracts as ever.
    assert signal.getitimer(signal.ITIMER_VIRTUAL) == (0.0, 0.0)
    small = Page("https://example.de/b", article_page().encode(), "t#1", content_type="text/html")
    assert not isinstance(unit_stage.extract_one(small, ExtractionSettings()), Reject)


def test_the_declared_stages_are_the_packages_in_flow_order_and_their_entry_points_exist() -> None:
    import importlib

    packages = [stage.package for stage in pipeline.STAGES]
    assert packages[:6] == ["collect", "ingest", "extract", "transform", "load", "warehouse"]
    for stage in pipeline.STAGES:
        module, function = stage.entry.split(":")
        assert module.startswith(f"etl.{stage.package}."), stage
        assert callable(getattr(importlib.import_module(module), function)), stage


def test_workers_forked_after_the_first_unit_was_cleaned_extract_every_page(
    tmp_path: Path,
) -> None:
    # A first unit of one page is extracted and cleaned in this process (polars runs); the
    # pool forks at the second unit. A forked child hangs at its first polars call once its
    # parent has made one, so extraction in the workers must not call polars: these pages
    # have their body split around a heading of teasers, which extraction asks the rule
    # table about. Run in a child process, so that a hang fails the test instead of the run.
    first = tmp_path / "a-first.html"
    first.write_text(article_page(), encoding="utf-8")
    split = tmp_path / "b-split"
    split.mkdir()
    body = "".join(f"<p>{p}</p>" for p in BODY)
    teasers = "".join(f"<p>{p}</p>" for p in OTHER)
    for i in range(4):
        (split / f"page-{i}.html").write_text(
            f"<html><head><title>Radwege {i}</title></head><body>"
            f'<div class="rich">{body}</div><aside>Anzeige</aside><div class="rich">{body}</div>'
            f'<h2>Recommended for you</h2><div class="rich">{teasers}</div></body></html>',
            encoding="utf-8",
        )
    script = (
        "import sys, etl.pipeline as p\n"
        "p.IN_PROCESS_BYTES = 0\n"
        "s = p.run_pipeline(sys.argv[1:3], sys.argv[3], workers=2)\n"
        "print(s.articles)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(first), str(split), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    assert int(done.stdout.split()[-1]) == 5
