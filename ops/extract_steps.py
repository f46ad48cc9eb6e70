"""CPU of each step of ``extract_page`` on real pages, in one process (docs/benchmarks.md).

    .venv/bin/python ops/extract_steps.py [--rounds 2] [WARC ...]

Each step ``extract_page`` calls is timed around its call with ``time.process_time``, after
one round that warms every cache; trafilatura's part is ``TRAFILATURA_CPU``, the rest is
the project's own. Run it from a copy of another commit (``PYTHONPATH=<copy>``, from inside
the copy) to set two versions side by side on the same pages.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import etl.extract.page as page_module
from etl.ingest.inputs import Page, read_unit

CORPORA = ["../shared/bench/pages.warc.gz", "../shared/eval/dev/pages.warc.gz"]
STEPS = (
    "decode_html", "parse_html", "read_page_metadata", "is_index_page", "choose_title",
    "drop_boxes", "drop_teaser_cards", "drop_other_articles", "join_split_bodies",
    "uses_marks", "mark_links", "bare_extraction", "_unmarked", "read_missing",
    "visible_lead", "choose_published", "missing_metadata", "lead_bylines", "trail_sections",
)  # fmt: skip


def timed(
    spent: defaultdict[str, float],
    name: str,
    function: Callable[..., Any],
    clock: Callable[[], float] = time.process_time,
) -> Callable[..., Any]:
    """``function``, adding the ``clock`` seconds each call takes to ``spent[name]``."""

    @functools.wraps(function)
    def step(*args: Any, **kwargs: Any) -> Any:
        started = clock()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += clock() - started

    return step


def extract_all(pages: list[Page]) -> None:
    for page in pages:
        with contextlib.suppress(page_module.ExtractionRejected):
            page_module.extract_page(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("warcs", nargs="*", default=CORPORA)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    pages = [p for warc in args.warcs for p in read_unit(warc) if isinstance(p, Page)]
    spent: defaultdict[str, float] = defaultdict(float)
    for name in STEPS:
        setattr(page_module, name, timed(spent, name, getattr(page_module, name)))
    extract_all(pages)
    spent.clear()
    in_trafilatura = page_module.TRAFILATURA_CPU.seconds
    started = time.process_time()
    for _ in range(args.rounds):
        extract_all(pages)
    count = len(pages) * args.rounds
    total = (time.process_time() - started) / count * 1000
    trafilatura = (page_module.TRAFILATURA_CPU.seconds - in_trafilatura) / count * 1000
    print(f"{len(pages)} pages x {args.rounds}, ms a page ({page_module.__file__})")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {name:22s} {seconds / count * 1000:6.2f}")
    print(f"  {'total':22s} {total:6.2f}")
    print(f"  {'inside trafilatura':22s} {trafilatura:6.2f}")
    own = "the project's own"
    print(f"  {own:22s} {total - trafilatura:6.2f}")


if __name__ == "__main__":
    main()
