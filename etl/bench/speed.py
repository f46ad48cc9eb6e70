"""The benchmark behind ``news-archive bench`` and ``make bench``: speed, memory, query latency.

On real pages by default (``DEFAULT_REAL_CORPORA``, or WARCs given as ``corpus``), repeated
with varied URLs up to ``pages``: a page of the web, with its markup, scripts and menus, is
where extraction and the work around it cost; pages from a grammar are cheap for both sides.
The generated corpus (``etl.bench.synthetic``, ``corpus="generated"``) stays for the memory and
scale runs. In one invocation, on the same pages:
(a) the plain loop a user would write: read the WARC, ``trafilatura.bare_extraction`` with
    metadata, one process;
(b) lxml parsing alone, one process: the floor for any lxml-based extractor;
(c) the whole news-archive pipeline to Parquet and DuckDB, in a child process so that its peak
    memory (with its extraction workers) is measured alone; then the same run again, unchanged,
    which the extraction cache should make cheap;
(d) a warehouse of generated article rows (a million by default) and the latency of the
    queries analysts run most: topic x day counts, one source's daily series, a search.

Absolute figures depend on the machine and on what else runs on it; the ratios come from the
same process and the same pages, minutes apart.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import platform
import resource
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.bench.arguments import add_speed_arguments as add_arguments

if TYPE_CHECKING:
    import duckdb

# The libraries are imported where they are used, so that ``news-archive --help`` (which
# lists this command's options) does not pay for them.

MiB = 1024 * 1024
BENCH_RUN_ID = "bench"
QUERY_REPEATS = 5
SEARCH_TERM = "zeppelin"
_BENCH_SQL = "bench"
GENERATED = "generated"
# Real pages kept beside the project (110 unlabelled pages and the 127 labelled dev pages),
# looked for next to the current directory and next to the checkout.
_SHARED_PAGES = ("shared/bench/pages.warc.gz", "shared/eval/dev/pages.warc.gz")


def default_real_corpora() -> list[Path]:
    """The real-page WARCs found in ``../shared`` of the current directory or the checkout."""
    bases = dict.fromkeys([Path.cwd().resolve().parent, Path(__file__).resolve().parents[2]])
    for base in bases:
        found = [base / name for name in _SHARED_PAGES if (base / name).is_file()]
        if found:
            return found
    return []


class BenchCorpusError(ValueError):
    """No pages to measure on: the real-page WARCs are missing or hold no response."""


@dataclass
class Loop:
    """One single-process loop over the corpus."""

    pages: int
    wall: float
    cpu: float
    ok: int

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.wall if self.wall else 0.0


@dataclass
class PipelineRun:
    """One run of the pipeline in a child process, with its peak memory."""

    pages: int
    wall: float
    cpu: float
    summary: dict[str, Any]
    warehouse_wall: float
    warehouse_cpu: float
    import_cpu: float = 0.0
    import_wall: float = 0.0
    pipeline_max_rss: int = 0
    peak_rss: int = 0
    peak_pss: int = 0
    max_single_rss: int = 0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.wall if self.wall else 0.0


@dataclass
class BenchReport:
    pages: int
    seed: int
    workers: int
    machine: dict[str, Any]
    corpus: dict[str, Any]
    trafilatura: Loop | None = None
    lxml: Loop | None = None
    pipeline: PipelineRun | None = None
    reprocess: PipelineRun | None = None
    warehouse: dict[str, Any] = field(default_factory=dict)
    # The one-minute load average after each part: how much else the machine was doing.
    load: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, default=str)


def machine() -> dict[str, Any]:
    import psutil

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }


def corpus_path(work_dir: Path, pages: int, seed: int) -> Path:
    return work_dir / f"corpus-{pages}-{seed}.warc.gz"


def ensure_corpus(work_dir: Path, pages: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The corpus of this size and seed, generated once and reused by later runs."""
    from etl.bench.synthetic import write_corpus

    path = corpus_path(work_dir, pages, seed)
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    counts = write_corpus(path, pages, seed)
    meta = {
        **asdict(counts),
        "file_bytes": path.stat().st_size,
        "generated_in": round(time.perf_counter() - started, 1),
    }
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return path, meta


def real_corpus(sources: Sequence[Path], work_dir: Path, pages: int) -> tuple[Path, dict[str, Any]]:
    """``pages`` responses from the ``sources`` WARCs, repeated in order with varied URLs.

    The first copy of a page keeps its URL; the k-th repetition gets ``bench=k`` in its query,
    so that no page of the run is a re-fetch of another (the extraction cache and the
    deduplication by URL treat them as different pages, as they would different articles).
    Built once per sources and size, and reused.
    """
    import io

    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    stamp = "-".join(f"{p.stem.split('.')[0]}{p.stat().st_size}" for p in sources)
    path = work_dir / f"real-{pages}-{_short_hash(stamp + str([str(p) for p in sources]))}.warc.gz"
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        return path, json.loads(meta_path.read_text(encoding="utf-8"))
    records: list[tuple[str, Any, bytes, str | None]] = []
    for source in sources:
        with source.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                date_ = record.rec_headers.get_header("WARC-Date")
                records.append((url, record.http_headers, record.content_stream().read(), date_))
    if not records:
        raise BenchCorpusError(f"no response records in {', '.join(map(str, sources))}")
    html_bytes = 0
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for index in range(pages):
            url, http_headers, body, date_ = records[index % len(records)]
            repetition = index // len(records)
            html_bytes += len(body)
            warc_headers = {"WARC-Date": date_} if date_ else {}
            writer.write_record(
                writer.create_warc_record(
                    varied_url(url, repetition),
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=http_headers,
                    warc_headers_dict=warc_headers,
                )
            )
    partial.replace(path)
    meta = {
        "kind": "real",
        "sources": [str(p) for p in sources],
        "distinct": len(records),
        "pages": pages,
        "bytes": html_bytes,
        "file_bytes": path.stat().st_size,
    }
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    return path, meta


def varied_url(url: str, repetition: int) -> str:
    """The URL of a page's ``repetition``-th copy: the first one unchanged."""
    from urllib.parse import urlsplit, urlunsplit

    if repetition == 0:
        return url
    parts = urlsplit(url)
    query = f"{parts.query}&bench={repetition}" if parts.query else f"bench={repetition}"
    return urlunsplit(parts._replace(query=query))


def _short_hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _responses(path: Path) -> Any:
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                url = record.rec_headers.get_header("WARC-Target-URI")
                yield url, record.content_stream().read()


def trafilatura_loop(path: Path) -> Loop:
    """(a) What a user writes: every response through ``bare_extraction`` with metadata.

    Its import is counted, as (c) counts its own: a run's fixed costs are part of its speed.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    from trafilatura import bare_extraction

    # The loop a user writes does not print a warning per page without an article.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    loop = _timed_loop(
        path, lambda url, body: bare_extraction(body, url=url, with_metadata=True) is not None
    )
    loop.wall, loop.cpu = time.perf_counter() - wall, time.process_time() - cpu
    return loop


def lxml_loop(path: Path) -> Loop:
    """(b) Parsing only: the least any extractor built on lxml has to spend."""
    import lxml.etree
    import lxml.html

    def parse(_url: str, body: bytes) -> bool:
        try:
            lxml.html.fromstring(body)
        except (ValueError, lxml.etree.ParserError):
            return False
        return True

    return _timed_loop(path, parse)


def _timed_loop(path: Path, handle: Callable[[str, bytes], bool]) -> Loop:
    pages = ok = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for url, body in _responses(path):
        pages += 1
        try:
            ok += handle(url, body)
        except Exception:  # a user's loop would skip a page that raises, and so do we
            continue
    return Loop(pages, time.perf_counter() - wall, time.process_time() - cpu, ok)


def pipeline_run(corpus: Path, data_dir: Path, workers: int) -> PipelineRun:
    """(c) ``run_pipeline`` and the warehouse build in a child process, memory sampled."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_pipeline_child, args=(str(corpus), str(data_dir), workers, sender)
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    child.start()
    sender.close()
    sampler = _MemorySampler(child.pid or 0)
    sampler.start()
    try:
        result: dict[str, Any] = receiver.recv()
    except EOFError as exc:
        raise RuntimeError("the pipeline child process ended without a result") from exc
    finally:
        child.join()
        sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if "error" in result:
        raise RuntimeError(f"pipeline child failed: {result['error']}")
    run = PipelineRun(**result)
    # Everything the child and its workers spent, imports and worker start included.
    run.cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    run.peak_rss, run.peak_pss = sampler.peak_rss, sampler.peak_pss
    # ru_maxrss: the largest of the child and its workers (in KiB on Linux).
    run.max_single_rss = after.ru_maxrss * 1024
    return run


def _pipeline_child(corpus: str, data_dir: str, workers: int, sender: Connection) -> None:
    try:
        # A spawned process would spawn its extraction pool as well, and every worker would
        # import the whole package again; the CLI's pool forks (the default on Linux), so the
        # measured run must too.
        if "fork" in multiprocessing.get_all_start_methods():
            multiprocessing.set_start_method("fork", force=True)
        started, importing = time.perf_counter(), time.process_time()
        from etl.core.staging import freeze_imported_objects
        from etl.pipeline import run_pipeline
        from etl.warehouse.build import build_warehouse

        freeze_imported_objects()  # as the CLI's run does
        import_cpu = time.process_time() - importing
        import_wall = time.perf_counter() - started

        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
        summary = run_pipeline([corpus], data_dir, run_id=BENCH_RUN_ID, workers=workers).as_dict()
        # The largest process before the warehouse build (the workers have ended by now).
        pipeline_max_rss = 1024 * max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        built, built_cpu = time.perf_counter(), time.process_time()
        build_warehouse(data_dir)
        done = time.perf_counter()
        sender.send(
            {
                "pages": summary["pages"],
                "wall": done - started,
                "cpu": 0.0,
                "summary": summary,
                "warehouse_wall": done - built,
                "warehouse_cpu": time.process_time() - built_cpu,
                "import_cpu": import_cpu,
                "import_wall": import_wall,
                "pipeline_max_rss": pipeline_max_rss,
            }
        )
    except Exception as exc:  # the parent reports it; a traceback in a child helps no one
        sender.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        sender.close()


class _MemorySampler(threading.Thread):
    """Peak of the summed RSS and PSS of a process and all its descendants.

    RSS counts pages shared by forked workers once per process (an upper bound); PSS splits
    shared pages between the processes that share them (what the tree really costs). RSS is
    cheap to read and sampled every 0.1 s; PSS walks every mapping of a process and holds its
    memory lock meanwhile, so it is read every 0.5 s only, not to slow down what is measured.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = 0
        self.peak_pss = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        tick = 0
        while not self._stop_event.is_set():
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            with_pss = tick % 5 == 0
            rss = pss = 0
            for process in processes:
                try:
                    if with_pss:
                        full = process.memory_full_info()
                        rss += full.rss
                        pss += getattr(full, "pss", full.rss)
                    else:
                        rss += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_rss = max(self.peak_rss, rss)
            if with_pss:
                self.peak_pss = max(self.peak_pss, pss)
            tick += 1
            self._stop_event.wait(0.1)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def warehouse_latency(work_dir: Path, rows: int, seed: int) -> dict[str, Any]:
    """(d) A warehouse of ``rows`` generated articles, and the latency of three queries."""
    from etl.bench.synthetic import write_article_lake
    from etl.core.datadir import DataDir
    from etl.core.resources import sql_file
    from etl.warehouse.build import build_fingerprint, update_warehouse
    from etl.warehouse.connect import connect_read_only

    data_dir = work_dir / f"warehouse-{rows}-{seed}"
    marker = data_dir / "built.json"
    result: dict[str, Any] = {"rows": rows}
    built = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    if built.get("fingerprint") == build_fingerprint():
        result.update(built)
        result["reused"] = True
    else:
        # The generated lake is kept; a warehouse built by other SQL is built again.
        started = time.perf_counter()
        if "generated_in" not in built:
            write_article_lake(DataDir(data_dir), rows, seed)
            built["generated_in"] = round(time.perf_counter() - started, 1)
        generated = time.perf_counter()
        update_warehouse(data_dir, rebuild=True)
        built.update(
            built_in=round(time.perf_counter() - generated, 1), fingerprint=build_fingerprint()
        )
        marker.write_text(json.dumps(built), encoding="utf-8")
        result.update(built)
    first_day = date(2025, 9, 1)
    queries: dict[str, tuple[str, dict[str, Any]]] = {
        "topic_day_counts": (
            "topic_day_counts.sql",
            {"since": first_day, "until": first_day + timedelta(days=29)},
        ),
        "source_daily_series": ("source_daily_series.sql", {"source": "outlet000.example"}),
        "full_text_search": ("full_text_search.sql", {"query": SEARCH_TERM}),
    }
    con = connect_read_only(data_dir)
    try:
        for name, (file_name, params) in queries.items():
            sql = sql_file(_BENCH_SQL, file_name)
            result[name] = _latency(con, sql, params)
    finally:
        con.close()
    return result


def _latency(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]
) -> dict[str, float | int]:
    rows = len(con.execute(sql, params).fetchall())  # warm: the first run reads from disk
    timings = []
    for _ in range(QUERY_REPEATS):
        started = time.perf_counter()
        con.execute(sql, params).fetchall()
        timings.append(time.perf_counter() - started)
    return {
        "rows": rows,
        "median_ms": round(statistics.median(timings) * 1000, 1),
        "min_ms": round(min(timings) * 1000, 1),
    }


def run_bench(
    pages: int = 2000,
    seed: int = 7,
    workers: int | None = None,
    work_dir: str | Path = "/tmp/news-archive-bench",
    warehouse_rows: int = 1_000_000,
    baselines: bool = True,
    corpus: Sequence[str | Path] | None = None,
    echo: Callable[[str], None] = print,
) -> BenchReport:
    """Everything the benchmark measures, printed as it goes; returns the figures.

    ``corpus``: WARCs of real pages (default ``default_real_corpora()``), or ``["generated"]``
    for the synthetic corpus of ``pages`` pages from ``seed``.
    """
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    sources = [Path(c) for c in corpus] if corpus else default_real_corpora()
    if not sources:
        raise BenchCorpusError(
            "no real pages found (../shared/bench/pages.warc.gz, ../shared/eval/dev/"
            "pages.warc.gz): give --corpus FILE.warc.gz, or --corpus generated"
        )
    generated = [str(c) for c in sources] == [GENERATED]
    missing = [str(p) for p in sources if not generated and not p.is_file()]
    if missing:
        raise BenchCorpusError(f"--corpus: no such file: {', '.join(missing)}")
    report = BenchReport(pages, seed, workers, machine(), {})
    echo(_machine_line(report))
    if generated:
        corpus_file, report.corpus = ensure_corpus(work, pages, seed)
    else:
        corpus_file, report.corpus = real_corpus(sources, work, pages)
    echo(_corpus_line(corpus_file, report.corpus))
    if baselines:
        report.trafilatura = trafilatura_loop(corpus_file)
        report.load["a"] = os.getloadavg()[0]
        echo(_loop_line("(a) trafilatura loop, 1 process", report.trafilatura))
        report.lxml = lxml_loop(corpus_file)
        report.load["b"] = os.getloadavg()[0]
        echo(_loop_line("(b) lxml parse only, 1 process", report.lxml))
    data_dir = work / f"run-{corpus_file.name.split('.')[0]}"
    _remove_tree(data_dir)
    report.pipeline = pipeline_run(corpus_file, data_dir, workers)
    report.load["c"] = os.getloadavg()[0]
    echo(_loop_line(f"(c) news-archive run, {workers} workers", report.pipeline))
    if report.trafilatura:
        echo(_ratio_lines(report.trafilatura, report.pipeline, workers))
    echo(_stage_lines(report.pipeline))
    echo(_own_work_line(report.pipeline))
    echo(_memory_line(report.pipeline))
    report.reprocess = pipeline_run(corpus_file, data_dir, workers)
    report.load["c again"] = os.getloadavg()[0]
    echo(_reprocess_line(report.pipeline, report.reprocess))
    if warehouse_rows:
        report.warehouse = warehouse_latency(work, warehouse_rows, seed)
        echo(_warehouse_lines(report.warehouse))
    loads = ", ".join(f"{part} {value:.1f}" for part, value in report.load.items())
    echo(f"one-minute load average after each part ({report.machine['cores']} cores): {loads}")
    return report


def capacity_ratio(loop: Loop, run: PipelineRun, workers: int) -> float:
    """(c)/(a) from CPU seconds per page: what the wall ratio is on otherwise idle cores.

    On a machine others use at the same time, the wall ratio mostly says how busy they were
    during (a) and during (c); CPU time per page does not depend on that.
    """
    cores = min(workers, os.cpu_count() or 1)
    per_page_loop = loop.cpu / max(loop.pages, 1)
    per_page_run = run.cpu / max(run.pages, 1)
    return per_page_loop * cores / per_page_run if per_page_run else 0.0


def _ratio_lines(loop: Loop, run: PipelineRun, workers: int) -> str:
    ratio = run.pages_per_second / loop.pages_per_second if loop.pages_per_second else 0.0
    return (
        f"    ratio (c)/(a), wall                    {ratio:8.2f}\n"
        f"    ratio (c)/(a), CPU per page x cores    {capacity_ratio(loop, run, workers):8.2f}"
        f"  ({loop.cpu / max(loop.pages, 1) * 1000:.1f} vs "
        f"{run.cpu / max(run.pages, 1) * 1000:.1f} ms per page)"
    )


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _machine_line(report: BenchReport) -> str:
    m = report.machine
    return (
        f"news-archive bench: {report.pages} pages (seed {report.seed}), {report.workers} workers\n"
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Python {m['python']}, "
        f"{m['system']}, load average {m['load_before']}"
    )


def _corpus_line(path: Path, meta: dict[str, Any]) -> str:
    average = meta["bytes"] / max(meta["pages"], 1) / 1000
    if meta.get("kind") == "real":
        what = (
            f"real pages: {meta['distinct']} distinct from {', '.join(meta['sources'])}, "
            f"repeated with varied URLs"
        )
    else:
        what = (
            f"generated pages: {meta['syndicated']} syndicated copies, "
            f"{meta['refetched']} re-fetches, {meta['broken']} broken"
        )
    return (
        f"corpus: {path} ({meta['file_bytes'] / MiB:.0f} MiB gzipped): {meta['pages']} pages, "
        f"{meta['bytes'] / MiB:.0f} MiB of HTML (average {average:.0f} KB)\n  {what}\n"
        f"{'':43s}{'pages/s':>8s} {'wall s':>8s} {'CPU s':>8s}"
    )


def _loop_line(label: str, run: Loop | PipelineRun) -> str:
    return f"{label:43s}{run.pages_per_second:8.1f} {run.wall:8.1f} {run.cpu:8.1f}"


def stage_shares(run: PipelineRun) -> dict[str, float]:
    """Each stage's share of the run's CPU time: the wall time of a parallel run, apportioned."""
    seconds = dict(run.summary.get("stage_seconds", {}))
    seconds["warehouse"] = run.warehouse_cpu
    total = sum(seconds.values()) or 1.0
    return {name: value / total for name, value in seconds.items()}


def _stage_lines(run: PipelineRun) -> str:
    seconds = dict(run.summary.get("stage_seconds", {}))
    seconds["warehouse"] = run.warehouse_cpu
    shares = stage_shares(run)
    lines = ["    stages of (c): CPU seconds (main process and workers) and share"]
    for name, share in shares.items():
        lines.append(f"      {name:10s} {seconds[name]:8.1f} s {share:7.1%}")
    lines.append(f"      {'not extract':10s} {'':10s} {1 - shares.get('extract', 0):7.1%}")
    phases = run.summary.get("phase_seconds", {})
    lines.append(
        f"    phases of (c), wall: extract+clean {phases.get('extract', 0):.1f} s, "
        f"dedup+store {phases.get('store', 0):.1f} s, warehouse {run.warehouse_wall:.1f} s"
    )
    lines.append(
        f"    serial part of (c), wall (no extraction running, and the warehouse build): "
        f"{serial_wall(run):.1f} s, {serial_share(run):.1%} of {run.wall:.1f} s"
    )
    return "\n".join(lines)


def own_seconds(run: PipelineRun) -> float:
    """CPU seconds of (c)'s per-page work outside trafilatura: the stages but the warehouse,
    less what extraction spent inside trafilatura."""
    stages = run.summary.get("stage_seconds", {})
    return float(sum(stages.values())) - float(run.summary.get("trafilatura_seconds", 0.0))


def own_share(run: PipelineRun) -> float:
    """The project's own per-page CPU in (c) as a share of trafilatura's own."""
    in_trafilatura = float(run.summary.get("trafilatura_seconds", 0.0))
    return own_seconds(run) / in_trafilatura if in_trafilatura else 0.0


def _own_work_line(run: PipelineRun) -> str:
    in_trafilatura = float(run.summary.get("trafilatura_seconds", 0.0))
    pages = max(run.pages, 1)
    staged = float(sum(run.summary.get("stage_seconds", {}).values()))
    rest = run.cpu - staged - run.warehouse_cpu - run.import_cpu
    return (
        f"    CPU of (c) inside trafilatura (parse, extraction, its readers, htmldate): "
        f"{in_trafilatura:.1f} s, {in_trafilatura / pages * 1000:.1f} ms a page\n"
        f"    the project's own per-page CPU around it (ingest, extraction outside trafilatura, "
        f"clean, dedup, store): {own_seconds(run):.1f} s, "
        f"{own_seconds(run) / pages * 1000:.1f} ms a page: {own_share(run):.0%} of trafilatura's\n"
        f"    fixed and unattributed CPU of (c): imports {run.import_cpu:.1f} s "
        f"({run.import_wall:.1f} s wall), warehouse {run.warehouse_cpu:.1f} s, the rest "
        f"(worker start, passing pages and records between processes) {rest:.1f} s"
    )


def serial_wall(run: PipelineRun) -> float:
    """Wall seconds of (c) during which no extraction ran: the part more cores cannot shorten.

    Cleaning, signing and staging overlap with extraction; what does not is reading the first
    pages, cleaning the last batches, dedup and the lake writes, and the warehouse build.
    """
    return float(run.summary.get("phase_seconds", {}).get("serial", 0.0)) + run.warehouse_wall


def serial_share(run: PipelineRun) -> float:
    return serial_wall(run) / run.wall if run.wall else 0.0


def _memory_line(run: PipelineRun) -> str:
    return (
        f"    peak memory of (c) with its workers: {run.peak_pss / MiB:.0f} MiB PSS, "
        f"{run.peak_rss / MiB:.0f} MiB RSS (summed over the process tree, psutil); "
        f"largest single process {run.max_single_rss / MiB:.0f} MiB (ru_maxrss; "
        f"{run.pipeline_max_rss / MiB:.0f} MiB before the warehouse build)"
    )


def _reprocess_line(first: PipelineRun, again: PipelineRun) -> str:
    speedup = first.wall / again.wall if again.wall else 0.0
    cached = again.summary.get("cached_pages", 0)
    return (
        f"(c) again, unchanged input: {again.wall:.2f} s wall, {speedup:.1f}x faster than the "
        f"first run ({cached} of {again.pages} pages from the extraction cache)"
    )


def _warehouse_lines(result: dict[str, Any]) -> str:
    how = "reused" if result.get("reused") else f"built in {result.get('built_in')} s"
    lines = [
        f"warehouse of {result['rows']:,} generated articles ({how}): median of {QUERY_REPEATS}"
    ]
    labels = {
        "topic_day_counts": "topic x day counts over a month",
        "source_daily_series": "one source's daily series",
        "full_text_search": f"full-text search {SEARCH_TERM!r}",
    }
    for key, label in labels.items():
        timing = result[key]
        lines.append(
            f"  {label:40s} {timing['median_ms']:8.1f} ms  (min {timing['min_ms']} ms, "
            f"{timing['rows']} rows)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m etl.bench.speed``: the same as ``news-archive bench``."""
    import argparse

    parser = argparse.ArgumentParser(prog="news-archive bench", description=__doc__)
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


def run_from_args(args: Any) -> int:
    if args.pages < 1 or (args.workers is not None and args.workers < 1):
        raise ValueError("--pages and --workers must be at least 1")
    report = run_bench(
        pages=args.pages,
        seed=args.seed,
        workers=args.workers,
        work_dir=args.work_dir,
        warehouse_rows=args.warehouse_rows,
        baselines=not args.no_baselines,
        corpus=args.corpus,
    )
    if args.json:
        args.json.write_text(report.to_json(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
