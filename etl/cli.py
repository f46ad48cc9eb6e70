"""The ``news-archive`` command: run the pipeline, rebuild the warehouse."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from etl.config import Settings
from etl.extract import ExtractionSettings
from etl.ingest import InputError
from etl.lock import DataDirBusy, data_dir_lock
from etl.store import StoreError


class UsageError(Exception):
    """A bad command line: reported in one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "writes_data_dir", False):
            with data_dir_lock(args.data_dir, timeout=args.wait):
                return int(args.handler(args))
        return int(args.handler(args))
    except (UsageError, InputError, StoreError, FileNotFoundError, DataDirBusy) as exc:
        print(f"news-archive: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("news-archive: interrupted", file=sys.stderr)
        return 130


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
        help="WARC(.gz) files, folders of .html(.gz) pages, single pages",
    )
    run.add_argument("--data-dir", type=Path, default=settings.data_dir)
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
        help="extraction setting, e.g. favor_precision=true (repeatable)",
    )
    run.add_argument("--no-warehouse", action="store_true", help="skip the DuckDB build")
    _writes_data_dir(run)
    run.set_defaults(handler=_run)

    warehouse = commands.add_parser("warehouse", help="rebuild the DuckDB file from the lake")
    warehouse.add_argument("--data-dir", type=Path, default=settings.data_dir)
    _writes_data_dir(warehouse)
    warehouse.set_defaults(handler=_warehouse)

    report = commands.add_parser("report", help="write the HTML report from the warehouse")
    report.add_argument("--data-dir", type=Path, default=settings.data_dir)
    report.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="first day shown")
    report.add_argument(
        "--until", type=_day, metavar="YYYY-MM-DD", help="last day shown (default: newest article)"
    )
    report.add_argument(
        "--out", type=Path, metavar="FILE", help="default: DATA_DIR/report/index.html"
    )
    report.set_defaults(handler=_report)
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


def parse_overrides(pairs: Sequence[str]) -> ExtractionSettings:
    """``NAME=VALUE`` pairs into extraction settings, checked against the known names."""
    fields = {f.name: f for f in dataclasses.fields(ExtractionSettings)}
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in fields:
            raise UsageError(
                f"--set {pair!r}: expected NAME=VALUE with NAME one of {sorted(fields)}"
            )
        default = getattr(ExtractionSettings(), name)
        if isinstance(default, bool):
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise UsageError(f"--set {name}: expected true or false, got {raw!r}")
            values[name] = raw.lower() in ("true", "1", "yes")
        else:
            try:
                values[name] = type(default)(raw)
            except ValueError as exc:
                raise UsageError(f"--set {name}: {exc}") from exc
    return ExtractionSettings(**values)


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from etl.pipeline import run_pipeline
    from etl.warehouse import build_warehouse

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    extraction = parse_overrides(args.set)
    with tqdm(desc="pages", unit="page", disable=None, leave=False) as bar:
        summary = run_pipeline(
            args.input,
            args.data_dir,
            run_id=args.run_id,
            workers=args.workers,
            settings=extraction,
            on_page=bar.update,
        )
    warehouse = None if args.no_warehouse else build_warehouse(args.data_dir)
    print(format_summary(summary, args.data_dir, warehouse))
    return 0


def _warehouse(args: argparse.Namespace) -> int:
    from etl.warehouse import build_warehouse

    print(build_warehouse(args.data_dir))
    return 0


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {value!r}") from None


def _report(args: argparse.Namespace) -> int:
    from etl.report import ReportError, write_report

    try:
        print(write_report(args.data_dir, out=args.out, since=args.since, until=args.until))
    except ReportError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def format_summary(summary: dict[str, Any], data_dir: Path, warehouse: str | None) -> str:
    def pairs(items: list[tuple[Any, int]]) -> str:
        return ", ".join(f"{k} ({n})" for k, n in items) or "-"

    rejects = summary["rejects"]
    lines = [
        f"run {summary['run_id']}: {summary['records']} input records in {summary['units']} units",
        f"  pages read      {summary['pages']}",
        f"  articles        {summary['articles']} in {summary['stories']} stories",
        f"  rejects         {sum(rejects.values())}"
        + (f"  ({', '.join(f'{k}: {n}' for k, n in rejects.items())})" if rejects else ""),
        f"  skipped         {sum(summary['skipped'].values())}"
        + (
            f"  ({', '.join(f'{k}: {n}' for k, n in summary['skipped'].items())})"
            if summary["skipped"]
            else ""
        ),
        f"  all accounted   {'yes' if summary['accounted'] else 'NO'}",
        f"  top sources     {pairs(summary['top_sources'])}",
        f"  top topics      {pairs(summary['top_topics'])}",
        f"  days            {pairs(summary['days'])}",
        f"lake:      {Path(data_dir) / 'lake'}",
    ]
    if warehouse:
        lines.append(f"warehouse: {warehouse}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
