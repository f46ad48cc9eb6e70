"""A smoke run of the benchmark's code path on twenty pages (the figures are not checked)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.bench import run_bench, stage_shares


@pytest.mark.e2e
def test_the_benchmark_runs_end_to_end_on_a_tiny_corpus(tmp_path: Path) -> None:
    lines: list[str] = []
    report = run_bench(
        pages=20, workers=2, work_dir=tmp_path, warehouse_rows=500, echo=lines.append
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
