"""The stages, declared in order and wired together for the CLI.

``STAGES`` is the data flow, one stage per package of ``etl``, each with the function that
the CLI and the DAGs call. ``extract_unit`` turns one input unit into staged, cleaned article
rows (in a mapped task, or with a process pool of extraction workers); ``store_run``
deduplicates them and writes the run's share of the lake; ``run_pipeline`` does both for the
CLI. Tasks pass paths, never data. Both stream in bounded batches, so memory does not grow
with the size of a unit or a run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from etl.core.datadir import DataDir, check_run_id
from etl.core.results import RunSummary
from etl.core.staging import Span
from etl.extract.page import ExtractionSettings
from etl.extract.unit import extract_unit, extraction_pool
from etl.ingest.inputs import SMALL_INPUT_BYTES, list_input_units, unit_size
from etl.load.store import store_run

__all__ = ["STAGES", "extract_unit", "list_input_units", "run_pipeline", "store_run"]


@dataclass(frozen=True)
class Stage:
    """A step of the data flow: its package (``etl.<package>``), its entry point, its job."""

    name: str
    package: str
    entry: str  # "module:function", the call that the CLI and the DAG tasks make
    does: str


STAGES = (
    Stage("collect", "collect", "etl.collect.runs:collect", "feeds, sitemaps -> raw WARC archives"),
    Stage("ingest", "ingest", "etl.ingest.inputs:read_unit", "WARCs, page folders -> pages"),
    Stage("extract", "extract", "etl.extract.unit:extract_unit", "pages -> staged articles"),
    Stage("transform", "transform", "etl.transform.clean:clean_articles", "records -> clean rows"),
    Stage("load", "load", "etl.load.store:store_run", "staged rows -> lake, stories"),
    Stage("warehouse", "warehouse", "etl.warehouse.build:update_warehouse", "lake -> DuckDB"),
    Stage("report", "warehouse", "etl.warehouse.report:write_report", "DuckDB -> HTML report"),
)


# A small input (``SMALL_INPUT_BYTES``: a WARC file of about 20 real pages, or the 50 sample
# pages) is extracted in this process: starting the worker pool, and a cleaning warm-up that
# then has no extraction to hide behind, cost more than two workers save on so few pages
# (measured again in session 26, with the pool forked before the heavy imports too: on two
# cores shared with other work the extra processes cost more than they overlapped).
IN_PROCESS_BYTES = SMALL_INPUT_BYTES


def default_run_id(inputs: Sequence[str | Path]) -> str:
    """The same inputs make the same run, so running a command twice replaces its output."""
    resolved = sorted(str(Path(p).expanduser().resolve()) for p in inputs)
    digest = hashlib.blake2b("\n".join(resolved).encode(), digest_size=6).hexdigest()
    return f"cli-{digest}"


def run_pipeline(
    inputs: Sequence[str | Path],
    data_dir: str | Path,
    run_id: str | None = None,
    workers: int = 1,
    settings: ExtractionSettings | None = None,
    on_page: Callable[[int], None] | None = None,
    use_cache: bool = True,
) -> RunSummary:
    """All stages for the CLI: inputs to the lake (the warehouse is built by the caller)."""
    run_id = check_run_id(run_id or default_run_id(inputs))
    units = list_input_units(list(inputs))
    data = DataDir.at(data_dir)
    if data.remote is not None:
        data.mirror().check()  # before the extraction, not after it
    staging = data.staging(run_id)
    shutil.rmtree(staging, ignore_errors=True)
    started = time.monotonic()
    spans: list[Span] = []
    pool = workers > 1 and sum(unit_size(u) for u in units) > IN_PROCESS_BYTES
    executor = extraction_pool(workers) if pool else None
    try:
        staged = [
            extract_unit(
                unit, staging, settings, executor, on_page=on_page, use_cache=use_cache, spans=spans
            )
            for unit in units
        ]
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    extracted = time.monotonic()
    # The part of extraction spent inside trafilatura, for the benchmark: a part of a stage,
    # so not among the stages that store_run sums.
    in_trafilatura = sum(
        json.loads(Path(p).read_text(encoding="utf-8"))["stage_seconds"].get("trafilatura", 0.0)
        for p in staged
    )
    summary = store_run(staged, data_dir, run_id)
    shutil.rmtree(staging, ignore_errors=True)
    ended = time.monotonic()
    summary.trafilatura_seconds = round(in_trafilatura, 3)
    summary.phase_seconds = {
        "extract": round(extracted - started, 3),
        "store": round(ended - extracted, 3),
        "serial": round(serial_seconds(spans, started, ended), 3),
    }
    return summary


def serial_seconds(spans: Iterable[Span], start: float, end: float) -> float:
    """Wall seconds between ``start`` and ``end`` during which no extraction ran.

    That is the serial part of a run: reading the first pages, cleaning the last batches,
    deduplication and the lake writes. Work done while extraction runs elsewhere overlaps
    with it, and costs wall time only where the cores are all busy (its CPU share says how
    much then).
    """
    covered = 0.0
    reach = start
    for began, ended in sorted(spans):
        began, ended = max(began, reach), min(ended, end)
        if ended > began:
            covered += ended - began
            reach = ended
    return max(0.0, end - start - covered)
