"""The ``news-archive`` command: run the pipeline, rebuild the warehouse."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.bench.arguments import add_speed_arguments, add_story_arguments
from etl.core.datadir import DataDir, UnsafeName
from etl.core.errors import InputError, ObjectStoreError
from etl.core.lock import DataDirBusy, data_dir_lock
from etl.core.results import CollectSummary, RunSummary
from etl.core.settings import Settings, data_root, debug_requested

# Only what every command needs is imported here; each command imports its stage when it
# runs, so that `news-archive sql` or `--help` does not pay for trafilatura and polars.
if TYPE_CHECKING:
    from etl.collect.fetch import FetchSettings
    from etl.extract.page import ExtractionSettings


class UsageError(Exception):
    """A bad command line: reported in one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    # numpy's OpenBLAS starts a thread per core at its first product and keeps it spinning
    # for a while after each: the language scores' small products gain nothing from it, and
    # on two cores the spinning thread took CPU from the run (about 60 ms of a samples run).
    # Read when numpy loads, which no command has done yet; a value the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "writes_data_dir", False):
            with data_dir_lock(args.data_dir, timeout=args.wait):
                return int(args.handler(args))
        return int(args.handler(args))
    except (
        UsageError,
        InputError,
        UnsafeName,
        FileNotFoundError,
        DataDirBusy,
        ObjectStoreError,
    ) as exc:
        print(f"news-archive: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("news-archive: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # A bug, not bad input: one line for the user, the traceback for whoever reports it.
        if debug_requested():
            raise
        print(
            f"news-archive: internal error: {type(exc).__name__}: {exc}\n"
            "  run again with NEWS_ARCHIVE_DEBUG=1 for the traceback, and please report it",
            file=sys.stderr,
        )
        return 1


def _parser() -> argparse.ArgumentParser:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="news-archive",
        description="Collect news articles into a Parquet lake and a DuckDB warehouse.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run every stage on WARC files or HTML folders")
    run.add_argument(
        "--input",
        nargs="+",
        required=True,
        metavar="PATH",
        help="WARC(.gz) files, folders of .html(.gz) pages, single pages, or .txt lists of "
        "URLs (one a line; fetched into data/raw first)",
    )
    run.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    run.add_argument("--run-id", help="name of this run (default: derived from the inputs)")
    run.add_argument(
        "--workers",
        type=int,
        default=settings.workers,
        help="extraction processes (default: NEWS_ARCHIVE_WORKERS, else the cores)",
    )
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extraction setting, e.g. favor_precision=true (repeatable; wins over --config)",
    )
    run.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML file whose [extraction] table sets extraction settings",
    )
    run.add_argument("--no-warehouse", action="store_true", help="skip the DuckDB build")
    run.add_argument(
        "--allow-private-network",
        action="store_true",
        help="URL lists only: let the hosts they name be on a private network (local tests)",
    )
    _writes_data_dir(run)
    run.set_defaults(handler=_run)

    collect = commands.add_parser(
        "collect", help="fetch new articles from the sources' feeds and sitemaps, then store them"
    )
    collect.add_argument(
        "--sources",
        type=Path,
        default=settings.sources_file,
        metavar="FILE",
        help="sources TOML file (default: NEWS_ARCHIVE_SOURCES, else data/sources.toml)",
    )
    collect.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    collect.add_argument("--workers", type=int, default=settings.workers)
    collect.add_argument("--no-warehouse", action="store_true", help="skip the DuckDB build")
    _writes_data_dir(collect)
    collect.set_defaults(handler=_collect)

    reprocess = commands.add_parser(
        "reprocess", help="re-run extraction on the WARC archive in data/raw (no network)"
    )
    reprocess.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first fetch day")
    reprocess.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="last fetch day")
    reprocess.add_argument("--source", metavar="KEY", help="only this source (registered domain)")
    reprocess.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    reprocess.add_argument("--workers", type=int, default=settings.workers)
    reprocess.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="extraction setting"
    )
    reprocess.add_argument("--no-warehouse", action="store_true", help="skip the DuckDB build")
    _writes_data_dir(reprocess)
    reprocess.set_defaults(handler=_reprocess)

    warehouse = commands.add_parser(
        "warehouse", help="bring the DuckDB file up to date with the lake (merges what changed)"
    )
    warehouse.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    warehouse.add_argument(
        "--rebuild", action="store_true", help="build it anew from the whole lake"
    )
    _writes_data_dir(warehouse)
    warehouse.set_defaults(handler=_warehouse)

    search = commands.add_parser("search", help="full-text search of the warehouse (BM25)")
    search.add_argument("query", help="words to look for, in any language the archive holds")
    search.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    search.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first day")
    search.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="last day")
    search.add_argument("--source", help="only this outlet (its domain, e.g. example.de)")
    search.add_argument("--topic", help="only articles with this topic (case-insensitive)")
    search.add_argument("--language", help="only articles in this language (ISO 639-1)")
    search.add_argument("--all", action="store_true", help="every word must occur")
    search.add_argument("--limit", type=int, default=20, help="rows to show (default: 20)")
    search.set_defaults(handler=_search)

    sql = commands.add_parser("sql", help="run SQL on a read-only connection to the warehouse")
    sql.add_argument("statement", help='e.g. "SELECT * FROM source_daily LIMIT 10"')
    sql.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    sql.set_defaults(handler=_sql)

    stats = commands.add_parser("stats", help="headline figures of the warehouse")
    stats.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    stats.set_defaults(handler=_stats)

    schema_doc = commands.add_parser(
        "schema-doc", help="write docs/schema.md from the schema (--check: compare only)"
    )
    schema_doc.add_argument("--out", type=Path, default=None, metavar="FILE")
    schema_doc.add_argument(
        "--check", action="store_true", help="exit 1 if the file differs from the schema"
    )
    schema_doc.set_defaults(handler=_schema_doc)

    lake_diff = commands.add_parser(
        "lake-diff",
        help="compare two data directories' lakes row for row (exit 1 if they differ)",
    )
    lake_diff.add_argument("old", type=Path, metavar="OLD_DATA_DIR")
    lake_diff.add_argument("new", type=Path, metavar="NEW_DATA_DIR")
    lake_diff.set_defaults(handler=_lake_diff)

    explain = commands.add_parser(
        "explain",
        help="show how one page was extracted: each paragraph's rule, title, date, authors",
    )
    explain.add_argument("page", metavar="URL-OR-FILE", help="http(s) URL, .html(.gz) or WARC")
    explain.add_argument("--url", help="the record of a WARC file, or the address of a file")
    explain.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    explain.add_argument("--config", type=Path)
    explain.set_defaults(handler=_explain)

    quality = commands.add_parser(
        "quality", help="score a run's articles against labelled pages, field by field"
    )
    quality.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    quality.add_argument(
        "--expected",
        type=Path,
        metavar="JSONL",
        help="labelled pages, e.g. data/samples/expected.jsonl (without it: no scoring)",
    )
    quality.add_argument(
        "--unmapped-topics",
        type=int,
        default=0,
        metavar="N",
        help="also list the N most frequent topics the taxonomy maps to no category",
    )
    quality.add_argument(
        "--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON"
    )
    quality.set_defaults(handler=_quality)

    report = commands.add_parser("report", help="write the HTML report from the warehouse")
    report.add_argument("--data-dir", type=data_root, default=settings.data_dir)
    report.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first day shown")
    report.add_argument(
        "--until", type=_day, metavar="YYYY-MM-DD", help="last day shown (default: newest article)"
    )
    report.add_argument(
        "--out", type=Path, metavar="FILE", help="default: DATA_DIR/report/index.html"
    )
    report.set_defaults(handler=_report)
    _writes_data_dir(report)

    bench = commands.add_parser(
        "bench", help="measure speed on real pages, memory and query latency"
    )
    add_speed_arguments(bench)
    bench.set_defaults(handler=_bench)

    bench_stories = commands.add_parser(
        "bench-stories",
        help="time and peak memory of a store's story matching, against a generated archive",
    )
    add_story_arguments(bench_stories)
    bench_stories.set_defaults(handler=_bench_stories)
    return parser


def _writes_data_dir(command: argparse.ArgumentParser) -> None:
    """Mark a command that writes ``--data-dir``: it runs under the data directory's lock."""
    command.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="if another process is writing the data dir, wait this long (default: stop)",
    )
    command.set_defaults(writes_data_dir=True)


def parse_overrides(pairs: Sequence[str], config: Path | None = None) -> ExtractionSettings:
    """``--config`` file, then ``NAME=VALUE`` pairs, into checked extraction settings."""
    from etl.extract.page import SettingsError, extraction_settings

    try:
        return extraction_settings(pairs, config)
    except SettingsError as exc:
        raise UsageError(str(exc)) from exc


def _run(args: argparse.Namespace) -> int:
    from etl.ingest.inputs import is_small_input, is_url_list

    if not any(is_url_list(p) for p in args.input) and is_small_input(args.input):
        # On a few pages polars' thread pool only hands each of the cleaning's hundreds of
        # small operations over and back (0.1-0.2 s of a samples run). It is sized when
        # polars loads, just below; a value the user set is kept.
        os.environ.setdefault("POLARS_MAX_THREADS", "1")
    with _importing_stages():
        from etl.pipeline import run_pipeline
        from etl.warehouse.build import build_warehouse

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    extraction = parse_overrides(args.set, args.config)
    if any(is_url_list(p) for p in args.input):
        return _run_url_lists(args, extraction)
    with _page_counter() as on_page:
        summary = run_pipeline(
            args.input,
            args.data_dir,
            run_id=args.run_id,
            workers=args.workers,
            settings=extraction,
            on_page=on_page,
        )
    warehouse = None if args.no_warehouse else build_warehouse(args.data_dir)
    print(format_summary(summary, args.data_dir, warehouse))
    return 0


@contextmanager
def _importing_stages() -> Iterator[None]:
    """The imports of a command's stages, then ``freeze_imported_objects``, with no garbage
    collection meanwhile: what imports make lives as long as the process (a collection
    after them finds a few hundred unreachable objects), yet the 230 collections that ran
    while a run's modules loaded cost 60-70 ms of CPU."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        from etl.core.staging import freeze_imported_objects

        freeze_imported_objects()
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _page_counter() -> Iterator[Callable[[int], None] | None]:
    """A progress bar's ``update`` on a terminal; None elsewhere, where tqdm would draw
    nothing and importing it (and, through it, ``importlib.metadata``) is all it would cost."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(desc="pages", unit="page", leave=False) as bar:
        yield bar.update


def _run_url_lists(args: argparse.Namespace, extraction: ExtractionSettings) -> int:
    from etl.collect.runs import run_url_lists
    from etl.ingest.inputs import is_url_list
    from etl.warehouse.build import build_warehouse

    if not all(is_url_list(p) for p in args.input):
        raise UsageError("URL lists (.txt) cannot share a run with other inputs")
    if args.run_id:
        raise UsageError("--run-id does not apply to URL lists: the run is named after its archive")
    summary = run_url_lists(
        args.input,
        args.data_dir,
        settings=_fetch_settings(),
        extraction=extraction,
        workers=args.workers,
        allow_private_network=args.allow_private_network,
    )
    warehouse = None if args.no_warehouse else build_warehouse(args.data_dir)
    print(format_collect_summary(summary, args.data_dir, warehouse))
    return 0


def lake_location(data_dir: str | Path) -> str:
    """The lake as the user names it: its folder, or its ``s3://`` URL (not the working copy)."""
    data = DataDir.at(data_dir)
    return data.location(data.lake)


def _fetch_settings() -> FetchSettings:
    from etl.collect.fetch import FetchSettings

    try:
        settings = FetchSettings.from_env()
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if not settings.contact:
        print(
            "news-archive: note: set NEWS_ARCHIVE_CONTACT (an e-mail address or URL) so that "
            "site operators can reach you; it goes into the User-Agent",
            file=sys.stderr,
        )
    return settings


def _collect(args: argparse.Namespace) -> int:
    with _importing_stages():
        from etl.collect.runs import collect
        from etl.collect.sources import load_sources
        from etl.warehouse.build import build_warehouse

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    sources = load_sources(args.sources)
    summary = collect(sources, args.data_dir, settings=_fetch_settings(), workers=args.workers)
    warehouse = None if args.no_warehouse else build_warehouse(args.data_dir)
    print(format_collect_summary(summary, args.data_dir, warehouse))
    return 0 if summary.accounted else 1


def _reprocess(args: argparse.Namespace) -> int:
    with _importing_stages():
        from etl.collect.runs import reprocess
        from etl.warehouse.build import build_warehouse

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.since and args.until and args.since > args.until:
        raise UsageError("--since is after --until")
    summary = reprocess(
        args.data_dir,
        since=args.since,
        until=args.until,
        source=args.source,
        extraction=parse_overrides(args.set),
        workers=args.workers,
    )
    warehouse = None if args.no_warehouse else build_warehouse(args.data_dir)
    rejects = summary.rejects
    lines = [
        f"reprocessed {len(summary.archives)} archive files ({summary.records} records)",
        f"  articles        {summary.articles}",
        f"  rejects         {sum(rejects.values())}"
        + (f"  ({', '.join(f'{k}: {n}' for k, n in rejects.items())})" if rejects else ""),
        *_unread_line(summary.unread_bytes),
        f"  all accounted   {'yes' if summary.accounted else 'NO'}",
        f"lake:      {lake_location(args.data_dir)}",
    ]
    if warehouse:
        lines.append(f"warehouse: {warehouse}")
    print("\n".join(lines))
    return 0


def format_collect_summary(summary: CollectSummary, data_dir: Path, warehouse: Any) -> str:
    def counts(values: dict[str, int]) -> str:
        return ", ".join(f"{k} {n}" for k, n in sorted(values.items(), key=lambda kv: -kv[1]))

    lines = [
        f"collect {summary.run_id}: {len(summary.sources)} sources, "
        f"{summary.discovered} URLs discovered"
    ]
    for source in summary.sources:
        lines.append(
            f"  {source.source:<24} discovered {source.discovered}  "
            f"skipped {sum(source.skipped.values())}  fetched {source.fetched}  "
            f"failed {source.failed}  articles {source.articles}  "
            f"rejects {sum(source.rejects.values())}  requests {source.requests}  "
            f"retries {source.retries}  bytes {source.bytes}"
        )
        if source.rejects:
            lines.append(f"      rejects: {counts(source.rejects)}")
        if source.skipped:
            lines.append(f"      skipped: {counts(source.skipped)}")
        for error in source.discovery_errors:
            lines.append(f"      discovery error: {error}")
    lines += [
        f"  all accounted   {'yes' if summary.accounted else 'NO'}",
        f"lake:      {lake_location(data_dir)}",
    ]
    if warehouse:
        lines.append(f"warehouse: {warehouse}")
    return "\n".join(lines)


def _warehouse(args: argparse.Namespace) -> int:
    from etl.warehouse.build import update_warehouse

    print(update_warehouse(args.data_dir, rebuild=args.rebuild))
    return 0


def _search(args: argparse.Namespace) -> int:
    from etl.warehouse.query import QueryError, format_table, search

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    try:
        result = search(
            args.data_dir,
            args.query,
            since=args.since,
            until=args.until,
            source=args.source,
            topic=args.topic,
            language=args.language,
            all_terms=args.all,
            limit=args.limit,
        )
    except QueryError as exc:
        raise UsageError(str(exc)) from exc
    print(format_table(result))
    return 0


def _sql(args: argparse.Namespace) -> int:
    from etl.warehouse.query import QueryError, format_table, run_sql

    try:
        print(format_table(run_sql(args.data_dir, args.statement)))
    except QueryError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def _stats(args: argparse.Namespace) -> int:
    from etl.warehouse.query import format_record, stats

    print(format_record(stats(args.data_dir)))
    return 0


def _lake_diff(args: argparse.Namespace) -> int:
    from etl.load.lake_diff import compare_lakes

    for folder in (args.old, args.new):
        if not DataDir.at(folder).lake.is_dir():
            raise UsageError(f"{folder} has no lake/ folder")
    diff = compare_lakes(DataDir.at(args.old).lake, DataDir.at(args.new).lake)
    print("\n".join(diff.lines()))
    return 0 if diff.same else 1


def _explain(args: argparse.Namespace) -> int:
    from etl.explain import explain_page, format_explanation, load_page

    settings = parse_overrides(args.set, args.config)
    print(format_explanation(explain_page(load_page(args.page, args.url), settings)))
    return 0


def _schema_doc(args: argparse.Namespace) -> int:
    from etl.core.schema_doc import SCHEMA_DOC, render_schema_doc

    out = args.out or SCHEMA_DOC
    text = render_schema_doc()
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{out} differs from etl/core/schema.py: run `news-archive schema-doc`")
            return 1
        print(f"{out} matches etl/core/schema.py")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(out)
    return 0


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {value!r}") from None


def _quality(args: argparse.Namespace) -> int:
    from etl.transform.quality import LabelsError, quality_report

    try:
        print(quality_report(args.data_dir, args.expected, args.unmapped_topics, args.json))
    except LabelsError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def _bench(args: argparse.Namespace) -> int:
    from etl.bench.speed import BenchCorpusError, run_from_args

    if args.pages < 1 or (args.workers is not None and args.workers < 1):
        raise UsageError("--pages and --workers must be at least 1")
    try:
        return run_from_args(args)
    except BenchCorpusError as exc:
        raise UsageError(str(exc)) from exc


def _bench_stories(args: argparse.Namespace) -> int:
    from etl.bench.stories import run_from_args

    if min(args.new, args.days, args.repeat) < 1 or min(args.archive, args.window_days) < 0:
        raise UsageError(
            "--new, --days and --repeat must be at least 1, --archive and --window-days 0"
        )
    return run_from_args(args)


def _report(args: argparse.Namespace) -> int:
    from etl.warehouse.report import ReportError, write_report

    try:
        print(write_report(args.data_dir, out=args.out, since=args.since, until=args.until))
    except ReportError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def _stories_detail(summary: RunSummary) -> str:
    """How the run's stories met the archive's: continued, and merged by a bridging article."""
    parts = []
    if summary.stories_continued:
        parts.append(f"{summary.stories_continued} already in the archive")
    if summary.stories_merged:
        parts.append(f"{summary.stories_merged} merged into another")
    return f"  ({', '.join(parts)})" if parts else ""


def format_summary(summary: RunSummary, data_dir: Path, warehouse: str | None) -> str:
    def pairs(items: list[tuple[Any, int]]) -> str:
        return ", ".join(f"{k} ({n})" for k, n in items) or "-"

    rejects = summary.rejects
    lines = [
        f"run {summary.run_id}: {summary.records} input records in {summary.units} units",
        f"  pages read      {summary.pages}",
        f"  articles        {summary.articles} in {summary.stories} stories"
        + _stories_detail(summary),
        f"  rejects         {sum(rejects.values())}"
        + (f"  ({', '.join(f'{k}: {n}' for k, n in rejects.items())})" if rejects else ""),
        f"  skipped         {sum(summary.skipped.values())}"
        + (
            f"  ({', '.join(f'{k}: {n}' for k, n in summary.skipped.items())})"
            if summary.skipped
            else ""
        ),
        *_unread_line(summary.unread_bytes),
        f"  all accounted   {'yes' if summary.accounted else 'NO'}",
        f"  top sources     {pairs(summary.top_sources)}",
        f"  top topics      {pairs(summary.top_topics)}",
        f"  days            {pairs(summary.days)}",
        f"lake:      {lake_location(data_dir)}",
    ]
    if warehouse:
        lines.append(f"warehouse: {warehouse}")
    return "\n".join(lines)


def _unread_line(unread: int) -> list[str]:
    """The bytes of the inputs no reader got through, if any (the rejects say where)."""
    return [f"  not read        {unread} bytes (see the corrupt_input rejects)"] if unread else []


if __name__ == "__main__":
    sys.exit(main())
