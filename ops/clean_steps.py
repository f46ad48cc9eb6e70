"""CPU of cleaning and signing real articles, in one process (docs/benchmarks.md).

    .venv/bin/python ops/clean_steps.py [--rounds 3] [WARC ...]

The pages are extracted first (not timed); then ``clean_articles`` runs on all their records
at once, as a run cleans a batch, and the best of ``--rounds`` is kept. The steps that call
into Python for each article are timed inside it with ``time.thread_time`` (polars runs the
rest on its own threads, which that clock leaves out); the MinHash signatures that dedup
stages with each row are timed after it. Run it from a copy of another commit
(``PYTHONPATH=<copy>``, from inside the copy) to set two versions side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections import defaultdict
from typing import Any

import polars as pl
import pyarrow as pa
from extract_steps import timed  # this folder, first on the path of a script run from it

import etl.transform.clean as clean_module
from etl.extract.page import RAW_ARTICLE_SCHEMA, ExtractionRejected, extract_page
from etl.ingest.inputs import Page, read_unit
from etl.load.dedup import signature_bytes

CORPORA = ["../shared/bench/pages.warc.gz", "../shared/eval/dev/pages.warc.gz"]
# What ``clean_articles`` calls per article from polars' ``map_elements``.
PER_ARTICLE = ("detect_language", "content_hash", "detect_agencies", "_credit_columns")


def records(warcs: list[str]) -> list[dict[str, Any]]:
    out = []
    for warc in warcs:
        for page in read_unit(warc):
            if isinstance(page, Page):
                with contextlib.suppress(ExtractionRejected):
                    out.append(extract_page(page))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warcs", nargs="*", default=CORPORA)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    raw = pl.from_arrow(pa.Table.from_pylist(records(args.warcs), RAW_ARTICLE_SCHEMA))
    assert isinstance(raw, pl.DataFrame)
    spent: defaultdict[str, float] = defaultdict(float)
    for name in PER_ARTICLE:
        step = timed(spent, name, getattr(clean_module, name), clock=time.thread_time)
        setattr(clean_module, name, step)
    cleaned = clean_module.clean_articles(raw)  # the first call of a process costs more
    best, best_steps = float("inf"), dict(spent)
    for _ in range(args.rounds):
        spent.clear()
        started = time.process_time()
        cleaned = clean_module.clean_articles(raw)
        seconds = time.process_time() - started
        if seconds < best:
            best, best_steps = seconds, dict(spent)
    texts = cleaned["text"].to_list()
    signing = float("inf")
    for _ in range(args.rounds):
        started = time.process_time()
        signature_bytes(texts)
        signing = min(signing, time.process_time() - started)
    count = raw.height
    print(f"{count} articles, best of {args.rounds}, ms an article ({clean_module.__file__})")
    print(f"  {'clean_articles':22s} {best / count * 1000:6.3f}")
    for name, value in sorted(best_steps.items(), key=lambda item: -item[1]):
        print(f"    {name:20s} {value / count * 1000:6.3f}")
    print(f"  {'signature_bytes':22s} {signing / count * 1000:6.3f}")


if __name__ == "__main__":
    main()
