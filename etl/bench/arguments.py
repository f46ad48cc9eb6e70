"""The command-line arguments of ``news-archive bench`` and ``bench-stories``.

Apart from the benchmarks themselves, so that the CLI builds its parser without importing
them (every command, ``run`` included, builds the whole parser).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_speed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus",
        nargs="+",
        metavar="WARC",
        help="WARC files of real pages, repeated with varied URLs up to --pages (default: "
        "../shared/bench/pages.warc.gz and ../shared/eval/dev/pages.warc.gz); "
        "'generated' for the synthetic corpus (memory and scale runs)",
    )
    parser.add_argument("--pages", type=int, default=2000, help="pages in the corpus")
    parser.add_argument(
        "--seed", type=int, default=7, help="generated corpus's seed (same seed, same pages)"
    )
    parser.add_argument("--workers", type=int, default=None, help="default: the cores")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path("/tmp/news-archive-bench"),
        help="corpus, runs and warehouse (kept between runs, reused when present)",
    )
    parser.add_argument(
        "--warehouse-rows",
        type=int,
        default=1_000_000,
        help="articles in the query-latency warehouse (0: skip)",
    )
    parser.add_argument(
        "--no-baselines", action="store_true", help="skip (a) and (b): memory runs at scale"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")


def add_story_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive", type=int, default=1_000_000, help="archived articles")
    parser.add_argument("--new", type=int, default=10_000, help="new articles to store")
    parser.add_argument("--days", type=int, default=365, help="days the archive spans")
    parser.add_argument("--window-days", type=int, default=3, help="the story window")
    parser.add_argument("--seed", type=int, default=7, help="same seed, same articles")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path("/tmp/news-archive-bench/stories"),
        help="the generated archive (kept, reused when the parameters match) and scratch copies",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each case (the median is reported)"
    )
    parser.add_argument(
        "--stray-days",
        type=int,
        default=0,
        help="also (d): (b) with one new article published this many days earlier (0: skip)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
