"""A smoke run of the benchmark's code path on twenty pages (the figures are not checked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.bench.speed import BenchCorpusError, real_corpus, run_bench, stage_shares, varied_url
from etl.bench.synthetic import write_corpus


@pytest.mark.e2e
def test_the_benchmark_runs_end_to_end_on_a_tiny_corpus(tmp_path: Path) -> None:
    lines: list[str] = []
    report = run_bench(
        pages=20,
        workers=2,
        work_dir=tmp_path,
        warehouse_rows=500,
        corpus=["generated"],
        echo=lines.append,
    )
    assert report.trafilatura is not None and report.trafilatura.pages == 20
    assert report.lxml is not None and report.lxml.ok > 0
    assert report.pipeline is not None and report.pipeline.summary["accounted"]
    assert report.pipeline.peak_rss > 0 and report.pipeline.max_single_rss > 0
    assert abs(sum(stage_shares(report.pipeline).values()) - 1) < 1e-6
    assert report.reprocess is not None
    assert report.reprocess.summary["cached_pages"] == report.reprocess.pages
    for query in ("topic_day_counts", "source_daily_series", "full_text_search"):
        assert report.warehouse[query]["median_ms"] >= 0
    text = "\n".join(lines)
    assert "ratio (c)/(a), wall" in text and "peak memory" in text and "faster" in text
    assert "serial part of (c)" in text
    assert json.loads(report.to_json())["pages"] == 20


def _responses(path: Path) -> list[str]:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as stream:
        return [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(stream)
            if r.rec_type == "response"
        ]


def test_a_real_corpus_repeats_its_pages_with_varied_urls(tmp_path: Path) -> None:
    source = tmp_path / "source.warc.gz"
    write_corpus(source, 6, seed=3)
    distinct = _responses(source)
    path, meta = real_corpus([source], tmp_path, 2 * len(distinct) + 3)
    urls = _responses(path)
    assert len(urls) == meta["pages"] == 2 * len(distinct) + 3
    assert len(set(urls)) == len(urls), "every page of the corpus has its own URL"
    assert urls[: len(distinct)] == distinct, "the first copy keeps its URL"
    assert urls[len(distinct)] == varied_url(distinct[0], 1)
    # Built once, then reused.
    assert real_corpus([source], tmp_path, len(urls))[0] == path


def test_varied_url_keeps_the_query_and_the_fragment() -> None:
    assert varied_url("https://a.example/x?id=4#top", 2) == "https://a.example/x?id=4&bench=2#top"
    assert varied_url("https://a.example/x", 0) == "https://a.example/x"


def test_the_benchmark_says_which_corpus_it_lacks(tmp_path: Path) -> None:
    with pytest.raises(BenchCorpusError, match="no such file"):
        run_bench(pages=5, work_dir=tmp_path, corpus=[tmp_path / "none.warc.gz"], echo=print)


@pytest.mark.e2e
def test_the_benchmark_runs_on_real_page_warcs(tmp_path: Path) -> None:
    source = tmp_path / "pages.warc.gz"
    write_corpus(source, 8, seed=5)
    lines: list[str] = []
    report = run_bench(
        pages=20, workers=2, work_dir=tmp_path, warehouse_rows=0, corpus=[source], echo=lines.append
    )
    assert report.corpus["kind"] == "real" and report.corpus["pages"] == 20
    assert report.pipeline is not None and report.pipeline.summary["accounted"]
    assert report.pipeline.summary["trafilatura_seconds"] > 0
    text = "\n".join(lines)
    assert "inside trafilatura" in text and "of trafilatura's" in text
