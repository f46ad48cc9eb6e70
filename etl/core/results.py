"""What a stage hands back to whoever called it: typed, so a reader sees every field."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RunSummary:
    """A stored run (``etl.load.store.store_run``): what went in, and where each input went.

    Every input record is an article, a reject or a skip; ``accounted`` says they add up and
    every byte was read. The CLI prints it, DAG tasks return it (``as_dict``) as their XCom.
    """

    run_id: str
    units: int
    records: int
    pages: int
    articles: int
    rejects: dict[str, int]
    skipped: dict[str, int]
    unread_bytes: int
    accounted: bool
    implausible_dates_dropped: int
    top_sources: list[tuple[str, int]]
    top_topics: list[tuple[str, int]]
    days: list[tuple[str, int]]
    stories: int
    stories_continued: int
    stories_merged: int
    lake_files_relabelled: int
    cached_pages: int
    stage_seconds: dict[str, float]
    article_files: list[str]
    reject_files: list[str]
    # Set by a whole CLI run (``etl.pipeline.run_pipeline``), for the benchmark.
    trafilatura_seconds: float = 0.0
    phase_seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (an Airflow XCom, a benchmark's report)."""
        return asdict(self)


@dataclass
class ArchivesSummary:
    """Archive files stored each as its own run (a reprocess): the runs' summaries added up."""

    archives: list[str]
    runs: list[str]
    records: int
    articles: int
    rejects: dict[str, int]
    skipped: dict[str, int]
    unread_bytes: int
    accounted: bool

    @classmethod
    def of(cls, archives: list[str], summaries: list[RunSummary]) -> ArchivesSummary:
        rejects: Counter[str] = Counter()
        skipped: Counter[str] = Counter()
        for summary in summaries:
            rejects.update(summary.rejects)
            skipped.update(summary.skipped)
        return cls(
            archives=archives,
            runs=[s.run_id for s in summaries],
            records=sum(s.records for s in summaries),
            articles=sum(s.articles for s in summaries),
            rejects=dict(rejects.most_common()),
            skipped=dict(skipped.most_common()),
            unread_bytes=sum(s.unread_bytes for s in summaries),
            accounted=all(s.accounted for s in summaries),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SourceSummary:
    """One source of a collect: every URL it discovered, and what became of each."""

    source: str
    name: str
    discovered: int
    skipped: dict[str, int]
    fetched: int
    failed: int
    articles: int
    rejects: dict[str, int]
    requests: int
    retries: int
    bytes: int
    discovery_errors: list[str]
    archive: str
    lake_run_id: str
    accounted: bool


@dataclass
class CollectSummary:
    """A collect (``etl.collect.runs``): its sources, and the totals the CLI prints."""

    run_id: str
    sources: list[SourceSummary]

    @property
    def discovered(self) -> int:
        return sum(s.discovered for s in self.sources)

    @property
    def articles(self) -> int:
        return sum(s.articles for s in self.sources)

    @property
    def rejected(self) -> int:
        return sum(sum(s.rejects.values()) for s in self.sources)

    @property
    def skipped(self) -> int:
        return sum(sum(s.skipped.values()) for s in self.sources)

    @property
    def accounted(self) -> bool:
        return all(s.accounted for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        totals = {
            "discovered": self.discovered,
            "articles": self.articles,
            "rejects": self.rejected,
            "skipped": self.skipped,
            "accounted": self.accounted,
        }
        return asdict(self) | totals


@dataclass
class StoredSource:
    """A DAG's store of one source's fetch: its collect, or a replay of an archive whose
    plan is gone (its rows stored again; the fetch log and seen-state were written before)."""

    source: str
    replayed: bool
    articles: int
    accounted: bool
    collect: CollectSummary | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | ({"collect": self.collect.as_dict()} if self.collect else {})
