"""The collect stage in steps an orchestrator maps, retries and re-runs: fetch, then store.

``etl.collect.runs.collect`` does a whole collect in one process. A scheduler wants the network
part (bounded by a pool, per source) apart from the CPU part (extraction), and wants a run
for a data interval to be repeatable. So, per source and interval:

- ``fetch_source`` discovers and fetches into the source's archive file for the interval and
  leaves what it planned in the run's staging folder. If the interval's archive exists
  already (an earlier attempt got that far), it fetches nothing: the archive *is* that
  interval's fetch, and re-running the run replays it.
- ``store_source`` runs the pipeline on the archive (its lake rows belong to the run named
  after the archive file, see ``etl.collect.runs.archive_run_id``), then records what was fetched
  in the source's seen-state and writes the source's ``fetch_log`` and ``discovered`` rows,
  keyed by the same name. On a replay without the plan (the first run succeeded and its
  staging is gone) only the lake rows are rebuilt, as ``reprocess`` does.

Between the two steps only paths travel: the plan is pickled into the run's own staging
folder, which nothing but these steps reads.
"""

from __future__ import annotations

import asyncio
import pickle
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from etl.collect.fetch import FetchSettings
from etl.collect.runs import (
    SourceRun,
    fetch_sources,
    finish_runs,
    process_archive,
    store_source_run,
    update_state,
)
from etl.collect.sources import Source, SourcesError, SourceState, load_sources
from etl.core.datadir import DataDir, archive_run_id
from etl.core.errors import InputError
from etl.core.lock import data_dir_lock
from etl.core.objectstore import list_objects
from etl.core.results import ArchivesSummary, StoredSource
from etl.core.staging import fetch_file, fetch_unit, publish_file, read_unit_summary
from etl.extract.page import ExtractionSettings
from etl.load.store import STORE_SYNC, store_run


@dataclass(frozen=True)
class FetchedSource:
    """What ``fetch_source`` hands on: paths only (it travels through the orchestrator)."""

    source: str
    archive: str
    plan: str | None  # None: a replay of an archive whose plan is gone

    def as_dict(self) -> dict[str, str | None]:
        return {"source": self.source, "archive": self.archive, "plan": self.plan}

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> FetchedSource:
        return cls(str(value["source"]), str(value["archive"]), value.get("plan"))


# Long enough for another store or a whole hand-run collect to finish; a task that still waits
# fails and is retried by Airflow.
STORE_LOCK_TIMEOUT = 3600.0


def source_keys(sources_file: str | Path) -> list[str]:
    """The keys of the sources file's outlets, in file order (the units a collect maps over)."""
    return [source.key for source in load_sources(sources_file)]


def find_source(sources_file: str | Path, key: str) -> Source:
    for source in load_sources(sources_file):
        if source.key == key:
            return source
    raise SourcesError(f"{sources_file}: no source with key {key!r} (was it removed?)")


def fetch_source(
    sources_file: str | Path,
    key: str,
    data_dir: str | Path,
    started: datetime,
    staging: str | Path,
    settings: FetchSettings | None = None,
) -> FetchedSource:
    """Discover and fetch one source into its archive for ``started``, or find it there.

    On a remote root the archive and the plan are published to the store, for the store task
    on whichever machine; what is returned names them there.
    """
    data, staging = DataDir.at(data_dir), Path(staging)
    plan_path = staging / f"{key}.plan.pickle"
    existing = data.published_fetch_archives(key, started)
    if existing:
        archive = existing[-1]
        plan = _published_plan(data, plan_path)
        if plan is not None and _read_plan(plan).archive_location != archive:
            plan = None
        return FetchedSource(key, archive, data.location(plan) if plan else None)
    source = find_source(sources_file, key)
    # A crashed attempt left an unclosed archive (``.open``) and marked nothing as seen: its
    # URLs are fetched again below, so the fragment would only ever be a duplicate.
    for fragment in data.fetch_archives(key, started, suffix=".warc.gz.open"):
        fragment.unlink(missing_ok=True)
    state = SourceState.published(data, key)
    settings = settings or FetchSettings.from_env()
    [run] = asyncio.run(fetch_sources([source], {key: state}, data, settings, started))
    _write_plan(run, plan_path)
    return FetchedSource(key, run.archive_location, publish_file(data, plan_path))


def store_source(
    fetched: FetchedSource,
    data_dir: str | Path,
    extraction: ExtractionSettings | None = None,
) -> StoredSource:
    """Extract, clean and store one source's archive; then its seen-state and fetch log."""
    data = DataDir.at(data_dir)
    # Mapped store tasks, and a `news-archive collect` by hand, may run at the same time; the
    # seen-state and the lake take one writer at a time. Fetching needs no lock.
    with data_dir_lock(data, timeout=STORE_LOCK_TIMEOUT, sync=STORE_SYNC):
        if fetched.plan is None:
            replayed = process_archive(fetched.archive, data, extraction)
            return StoredSource(fetched.source, True, replayed.articles, replayed.accounted)
        run = _read_plan(fetch_file(data, fetched.plan))
        store_source_run(run, data, extraction, None)
        update_state(run, SourceState(data, run.key), run.started)
        summary = finish_runs([run], data, archive_run_id(run.archive), run.started)
    return StoredSource(fetched.source, False, summary.articles, summary.accounted, summary)


def select_archives(
    data_dir: str | Path,
    since: date | None = None,
    until: date | None = None,
    sources: Sequence[str] = (),
) -> list[str]:
    """The raw archive files of the fetch days ``since``..``until`` of the given sources (all
    when none are given): what a reprocess re-extracts. None is an error, not a no-op."""
    data = DataDir.at(data_dir)
    found: set[str] = set()
    wanted: Sequence[str | None] = list(sources) or [None]
    for source in wanted:
        found.update(data.raw_archives(since, until, source))
    if not found:
        which = ", ".join(sources) or "any source"
        raise InputError(
            f"no archive files in {data.location(data.raw)} for {which} between "
            f"{since or 'the start'} and {until or 'today'}"
        )
    return sorted(found)


def store_staged_archives(staged: Sequence[str], data_dir: str | Path) -> ArchivesSummary:
    """Store archive files extracted one by one (``extract_unit``), each as its own run.

    The run of an archive file is named after it, so this replaces exactly the lake files an
    earlier collect or reprocess of the same file wrote.
    """
    data = DataDir.at(data_dir)
    archives, summaries = [], []
    for location in staged:
        summary = fetch_unit(data, location)
        archive = read_unit_summary(Path(summary)).unit
        archives.append(archive)
        summaries.append(store_run([summary], data, archive_run_id(archive)))
    return ArchivesSummary.of(archives, summaries)


def _write_plan(run: SourceRun, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_bytes(pickle.dumps(run))
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _read_plan(path: Path) -> SourceRun:
    # Written by ``fetch_source`` into the run's own staging folder, never taken from input.
    run = pickle.loads(path.read_bytes())
    if not isinstance(run, SourceRun):
        raise TypeError(f"{path} holds no collect plan")
    return run


def _published_plan(data: DataDir, path: Path) -> Path | None:
    """The plan an earlier attempt left (in the store, on a remote root), here; or None."""
    if data.remote is None:
        return path if path.exists() else None
    if not list_objects(data.object_store(), data.location(path)):
        return None
    return fetch_file(data, data.location(path))
