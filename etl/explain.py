"""One page's extraction explained: the tool a user needs to report a bad extraction.

``news-archive explain PAGE`` runs the pipeline's own code on one page (``extract_page`` with
an ``ExtractionTrace``, then ``clean_articles``) and shows what each step decided: whether the
page was taken for an index, each paragraph trafilatura gave and the rule that kept or dropped
it (``line_verdicts``, the verdicts cleaning applies), and the candidates for the title, the
date and the authors with the winner. Nothing is re-implemented here, so the explanation
cannot drift from what a run stores.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import polars as pl
import pyarrow as pa

from etl.core.errors import InputError
from etl.extract.page import (
    RAW_ARTICLE_SCHEMA,
    ExtractionRejected,
    ExtractionSettings,
    ExtractionTrace,
    extract_page,
)
from etl.ingest.inputs import IngestCounts, Page, Reject, is_warc, read_html_files, read_warc
from etl.transform.boilerplate import line_verdicts, matching_rules
from etl.transform.clean import boilerplate_input, clean_articles

if TYPE_CHECKING:
    from etl.collect.fetch import Fetched, NetworkPolicy

# The reasons ``line_verdicts`` keeps as columns, in the words ``explain`` prints.
_REASONS = {
    "_is_title": "repeats the headline",
    "_is_person": "names only a credited person",
    "_author_bio": "a credited person's biography at the end",
    "_is_caption": "a picture's caption",
    "_kicker": "kicker or headline above the text",
    "_link_list": "link list or teaser (mostly link text)",
    "_repeat": "repeats an earlier line",
    "_in_block": "in a block a drop_block rule starts",
    "_dangling_lead": "announces what follows, and nothing follows",
}


@dataclass
class LineVerdict:
    text: str
    kept: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    """What ``explain_page`` found; ``rejected`` is set when the page gave no article."""

    url: str
    trace: ExtractionTrace
    rejected: ExtractionRejected | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    lines: list[LineVerdict] = field(default_factory=list)
    article: dict[str, Any] = field(default_factory=dict)


def load_page(source: str, url: str | None = None) -> Page:
    """The page to explain: an http(s) URL, a WARC file (``url`` picks the record) or an
    ``.html``/``.html.gz`` file (``url`` gives its address)."""
    if urlsplit(source).scheme in ("http", "https"):
        return fetch_page(source)
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{source}: no such file (give a .html, .html.gz or WARC file, or a URL)")
    counts = IngestCounts()
    if is_warc(path):
        pages = [p for p in read_warc(path, counts) if isinstance(p, Page)]
        if url is not None:
            pages = [p for p in pages if p.url == url or p.url.rstrip("/") == url.rstrip("/")]
        if len(pages) != 1:
            found = "no record" if not pages else f"{len(pages)} records"
            raise InputError(f"{source}: {found} to explain; pick one with --url")
        return pages[0]
    for item in read_html_files([path], {}):
        if isinstance(item, Reject):
            raise InputError(f"{source}: {item.reason}: {item.detail}")
        return Page(url or item.url, item.body, item.origin, item.fetched_at, None, None)
    raise InputError(f"{source}: not read")


def fetch_page(url: str, policy: NetworkPolicy | None = None) -> Page:
    """One URL fetched as a collect fetches it (robots.txt, redirects checked hop by hop,
    retries, the body limit while it streams), into a WARC read back as the run would read it.

    ``policy`` names private hosts that may be reached (tests); by default only public ones.
    """
    from etl.collect.fetch import Fetcher, FetchSettings, NetworkPolicy, WarcArchive

    settings, policy = FetchSettings.from_env(), policy or NetworkPolicy()
    with tempfile.TemporaryDirectory(prefix="news-archive-explain-") as scratch:
        archive = WarcArchive(Path(scratch) / "explain.warc.gz", {"operator": "explain"})

        async def get() -> Fetched:
            session = Fetcher(settings).session(archive, policy)
            try:
                return await session.fetch_page(url)
            finally:
                await session.aclose()

        try:
            fetched = asyncio.run(get())
        finally:
            path = archive.close()
        if not fetched.ok:
            reason = fetched.failure or f"HTTP status {fetched.status}"
            raise InputError(f"{url}: {reason} {fetched.detail}".rstrip())
        pages = [p for p in read_warc(path, IngestCounts()) if isinstance(p, Page)]
    if not pages:
        raise InputError(f"{url}: the fetch kept no page")
    return pages[-1]


def explain_page(page: Page, settings: ExtractionSettings | None = None) -> Explanation:
    """Run extraction and cleaning on ``page`` and keep every decision they took."""
    trace = ExtractionTrace()
    explanation = Explanation(page.url, trace)
    try:
        explanation.raw = extract_page(page, settings, trace)
    except ExtractionRejected as exc:
        explanation.rejected = exc
        return explanation
    raw = pl.from_arrow(pa.Table.from_pylist([explanation.raw], RAW_ARTICLE_SCHEMA))
    assert isinstance(raw, pl.DataFrame)
    verdicts = line_verdicts(boilerplate_input(raw))
    rules = matching_rules(verdicts["_plain"].to_list())
    for row, by_rule in zip(verdicts.iter_rows(named=True), rules, strict=True):
        reasons = [*(by_rule if row["_rule"] or row["_in_block"] else [])]
        reasons += [words for column, words in _REASONS.items() if row[column]]
        explanation.lines.append(LineVerdict(row["_plain"], not row["_drop"], reasons))
    explanation.article = clean_articles(raw).row(0, named=True)
    return explanation


def format_explanation(explanation: Explanation) -> str:
    """The explanation as text for a terminal or a bug report."""
    trace = explanation.trace
    out = [f"page: {explanation.url}"]
    if trace.index is not None:
        index = trace.index
        out.append(
            f"index page? og:type {trace.og_type or '-'}; index-like URL {index.index_url}, "
            f"teasers {index.teasers}, most prose in one container {index.prose_chars} chars"
            f" -> {'index' if index.is_index else 'not an index'} by the page's evidence"
        )
    if explanation.rejected is not None:
        rejected = explanation.rejected
        out.append(f"REJECTED: {rejected.reason}: {rejected.detail}")
        return "\n".join(out)
    article = explanation.article
    out += ["", "title candidates (source: statement, site names removed):"]
    out += [f"  {source}: {text}" for source, text in trace.title_candidates] or ["  none"]
    out.append(f"  chosen: {explanation.raw.get('title')!r} ({trace.title_rule or '-'})")
    out.append(f"  stored: {article.get('title')!r}")
    out += ["", "date candidates (source: value):"]
    out += [f"  {source}: {value}" for source, value in trace.date_candidates] or ["  none"]
    out.append(
        f"  chosen: {explanation.raw.get('published_raw')} "
        f"(from {explanation.raw.get('published_from')}); stored: {article.get('published_at')}"
    )
    out += ["", "author candidates:"]
    for column in ("authors_raw", "bylines_raw", "credits_raw", "author_orgs_raw"):
        values = explanation.raw.get(column) or []
        out.append(f"  {column.removesuffix('_raw')}: {'; '.join(values) or '-'}")
    out.append(
        f"  chosen: authors {article.get('authors')} ({article.get('author_kind') or '-'}), "
        f"agencies {article.get('agencies')}"
    )
    out += ["", "body:"]
    if trace.payload_body:
        out.append("  (trafilatura found too little: the body is the page's script payload)")
    if trace.recall_pass:
        out.append("  (the default pass left out prose list items: the text is the recall pass's)")
    if trace.lead:
        out.append(f"  lead put back from outside the article container: {trace.lead[:80]!r}")
    kept = sum(line.kept for line in explanation.lines)
    out.append(f"  {len(explanation.lines)} lines from extraction, {kept} kept:")
    for line in explanation.lines:
        verdict = "keep" if line.kept else "DROP"
        why = f"  [{'; '.join(line.reasons)}]" if line.reasons else ""
        out.append(f"  {verdict} {_short(line.text)}{why}")
    out.append(f"  stored: {article.get('word_count')} words")
    return "\n".join(out)


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
