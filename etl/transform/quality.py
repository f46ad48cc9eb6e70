"""Extraction quality against labelled pages: field by field, and story clustering pairwise.

The labelled pages are the project's own samples (``data/samples/expected.jsonl``): one line per
article page with its title, publication time and offset, people, agencies, topics, a ``story``
key shared by copies of one story, sentences the text must contain and strings it must not;
and one line per input that must be rejected. ``score_articles`` compares an article table
with them and returns plain figures (each in 0..1, higher is better), which the regression gate
in the tests compares with a stored baseline and ``news-archive quality`` prints.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import polars as pl

from etl.core.datadir import DataDir
from etl.core.text import loose_words

# Figures where lower would be better do not exist: every figure is a rate or an F1.
FIGURES = (
    "matched",
    "title_exact",
    "published_exact",
    "authors_f1",
    "agencies_f1",
    "topics_f1",
    "must_contain",
    "must_not_contain",
    "rejects",
    "versions_collapsed",
    "story_precision",
    "story_recall",
)


class LabelsError(ValueError):
    """The expected-values file cannot be read."""


@dataclass(frozen=True)
class Labels:
    """The expected lines, split into article pages and inputs that must be rejected."""

    articles: list[dict[str, Any]]
    rejects: list[dict[str, Any]]


def read_labels(path: str | Path) -> Labels:
    articles: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LabelsError(f"cannot read {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelsError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        (rejects if entry.get("expect_reject") else articles).append(entry)
    return Labels(articles, rejects)


def url_key(url: str) -> str:
    """Scheme, host and path: how a labelled URL finds its row whatever the query string."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def set_f1(expected: Iterable[str], got: Iterable[str] | None) -> float:
    """Set F1 of loosely compared strings; two empty sets agree fully."""
    want = {loose_words(x) for x in expected if x and x.strip()}
    have = {loose_words(x) for x in got or [] if x and x.strip()}
    if not want and not have:
        return 1.0
    hits = len(want & have)
    if hits == 0:
        return 0.0
    precision, recall = hits / len(have), hits / len(want)
    return 2 * precision * recall / (precision + recall)


def same_instant_and_offset(expected: str | None, row: dict[str, Any]) -> bool:
    """The labelled time is an instant plus the page's own offset; both must be right."""
    got: datetime | None = row.get("published_at")
    if expected is None:
        return got is None
    if got is None:
        return False
    want = datetime.fromisoformat(expected.replace("Z", "+00:00"))
    offset = want.utcoffset()
    want_minutes = int(offset.total_seconds() // 60) if offset is not None else None
    return bool(
        abs((want - got).total_seconds()) < 60
        and row.get("published_offset_minutes") == want_minutes
    )


def _normal_space(text: str | None) -> str:
    return " ".join((text or "").split())


def score_articles(
    articles: pl.DataFrame, labels: Labels, rejects: pl.DataFrame | None = None
) -> dict[str, float]:
    """Figures for one run's article rows (and reject rows) against the labels."""
    rows = articles.to_dicts()
    by_url: dict[str, dict[str, Any]] = {}
    for row in rows:
        for key in (row["url"], url_key(row["url"]), url_key(row.get("canonical_url") or "")):
            by_url.setdefault(key, row)
    matched: list[tuple[dict[str, Any], dict[str, Any] | None]] = [
        (entry, by_url.get(entry["url"]) or by_url.get(url_key(entry["url"])))
        for entry in labels.articles
    ]
    found = [(entry, row) for entry, row in matched if row is not None]

    def mean(values: Sequence[float]) -> float:
        return statistics.fmean(values) if values else 1.0

    contain: list[float] = []
    avoid: list[float] = []
    for entry, row in found:
        text = _normal_space(row.get("text"))
        contain.extend(float(_normal_space(s) in text) for s in entry.get("text_must_contain", []))
        avoid.extend(float(s not in text) for s in entry.get("text_must_not_contain", []))
    figures = {
        "matched": len(found) / len(matched) if matched else 1.0,
        "title_exact": mean(
            [float(_normal_space(row.get("title")) == entry["title"]) for entry, row in found]
        ),
        "published_exact": mean(
            [float(same_instant_and_offset(entry.get("published"), row)) for entry, row in found]
        ),
        "authors_f1": mean([set_f1(entry["authors"], row.get("authors")) for entry, row in found]),
        "agencies_f1": mean(
            [set_f1(entry.get("agencies", []), row.get("agencies")) for entry, row in found]
        ),
        "topics_f1": mean([set_f1(entry["topics"], row.get("topics")) for entry, row in found]),
        "must_contain": mean(contain),
        "must_not_contain": mean(avoid),
        "rejects": _reject_rate(labels.rejects, rejects),
        "versions_collapsed": _versions_collapsed(labels.articles, by_url),
    }
    figures.update(story_pairs(found))
    return figures


def _reject_rate(expected: list[dict[str, Any]], rejects: pl.DataFrame | None) -> float:
    if not expected:
        return 1.0
    if rejects is None or rejects.is_empty():
        return 0.0
    reasons = {(r["url"], r["reason"]) for r in rejects.select("url", "reason").to_dicts()}
    return statistics.fmean(float((e["url"], e["expect_reject"]) in reasons) for e in expected)


def _versions_collapsed(entries: list[dict[str, Any]], by_url: dict[str, dict[str, Any]]) -> float:
    """Pages labelled ``same_article_as`` another must end in the same, single row."""
    checks: list[float] = []
    for entry in entries:
        earlier = entry.get("same_article_as")
        if not earlier:
            continue
        a = by_url.get(entry["url"]) or by_url.get(url_key(entry["url"]))
        b = by_url.get(earlier) or by_url.get(url_key(earlier))
        checks.append(float(a is not None and b is not None and a["article_id"] == b["article_id"]))
    return statistics.fmean(checks) if checks else 1.0


def story_pairs(found: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, float]:
    """Pairwise precision and recall of ``story_id`` against the labelled ``story`` keys.

    Each article row counts once (two labelled versions of one article are one row). A pair
    of rows is predicted together when their story_id is equal and truly together when their
    story keys are equal; precision is over predicted pairs, recall over true pairs.
    """
    rows: dict[str, tuple[str, str]] = {}
    for entry, row in found:
        rows.setdefault(row["article_id"], (entry.get("story") or entry["url"], row["story_id"]))
    predicted = true = both = 0
    for (story_a, cluster_a), (story_b, cluster_b) in combinations(rows.values(), 2):
        same_story, same_cluster = story_a == story_b, cluster_a == cluster_b
        predicted += same_cluster
        true += same_story
        both += same_story and same_cluster
    return {
        "story_precision": both / predicted if predicted else 1.0,
        "story_recall": both / true if true else 1.0,
    }


def read_lake(data_dir: str | Path, table: str) -> pl.DataFrame | None:
    files = sorted(DataDir.at(data_dir).table(table).rglob("*.parquet"))
    if not files:
        return None
    return pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")


def format_figures(figures: dict[str, float]) -> str:
    return "\n".join(f"  {name:<18} {figures[name]:.3f}" for name in FIGURES if name in figures)


def quality_report(
    data_dir: str | Path,
    expected: str | Path | None,
    unmapped: int = 0,
    json_out: str | Path | None = None,
) -> str:
    """A run's figures against labelled pages (if ``expected`` is given) and, on request, the
    topics the taxonomy maps to no category, as printed text."""
    articles = read_lake(data_dir, "articles")
    if articles is None:
        raise LabelsError(f"no article files under {Path(data_dir) / 'lake' / 'articles'}")
    lines = [f"{articles.height} article rows in {Path(data_dir) / 'lake' / 'articles'}"]
    if expected is not None:
        labels = read_labels(expected)
        figures = score_articles(articles, labels, read_lake(data_dir, "rejects"))
        if json_out is not None:
            rounded = {name: round(figures[name], 4) for name in FIGURES}
            Path(json_out).write_text(json.dumps(rounded, indent=2) + "\n", encoding="utf-8")
        lines.append(
            f"against {len(labels.articles)} labelled pages and {len(labels.rejects)} "
            f"labelled rejects in {expected}:"
        )
        lines.append(format_figures(figures))
    if unmapped:
        from etl.transform.topics import unmapped_topics

        rows = unmapped_topics(articles, unmapped).rows()
        lines.append(f"topics without a category ({len(rows)} most frequent):")
        lines.extend(f"  {count:>5}  {topic}" for topic, count in rows)
    return "\n".join(lines)
