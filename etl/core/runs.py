"""Run keys and run housekeeping for orchestrators (Airflow, cron): plain functions, no Airflow.

A run key names everything a run writes (``part-<key>.parquet`` in each lake partition,
``staging/<key>/``). Scheduled runs are keyed by their data interval, so that re-running a run,
or a backfill of the same hour, replaces exactly what the first attempt wrote; manual runs have
no interval and are keyed by their run id.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from etl.core.connections import object_store_from_airflow
from etl.core.datadir import MAX_RUN_KEY, UNSAFE_CHARS, DataDir, check_run_id, stamp
from etl.core.objectstore import is_object_url, remove_prefix
from etl.core.settings import Settings


def run_key(run_id: str) -> str:
    """An orchestrator's run id as the store accepts it (``[A-Za-z0-9_.-]``, at most 120).

    A run id that is safe already is kept as it is; any other gets a digest of the original,
    because two run ids that differ only in punctuation, or only after the cut, would
    otherwise share (and overwrite) each other's partitions.
    """
    if not run_id:
        raise ValueError("empty run id")
    key = UNSAFE_CHARS.sub("_", run_id).lstrip(".")
    if key != run_id or len(key) > MAX_RUN_KEY:
        digest = hashlib.blake2s(run_id.encode(), digest_size=4).hexdigest()
        key = f"{key[: MAX_RUN_KEY - 9]}-{digest}"
    return check_run_id(key)


def interval_key(prefix: str, start: datetime, end: datetime) -> str:
    """``<prefix>-<start>-<end>`` in UTC: the same data interval always makes the same key."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("data interval bounds must be timezone-aware")
    if end <= start:
        raise ValueError(f"empty data interval: {start.isoformat()} to {end.isoformat()}")
    return check_run_id(f"{prefix}-{stamp(start)}-{stamp(end)}")


def scheduled_run_key(
    prefix: str, run_id: str, start: datetime | None, end: datetime | None
) -> str:
    """The interval key when the run covers a data interval, else the run id's key.

    A run triggered without a logical date (Airflow 3 allows it) has no interval, and one
    triggered for a single instant has an empty one: neither names a period of data.
    """
    if start is not None and end is not None and end > start:
        return interval_key(prefix, start, end)
    return run_key(run_id)


def remove_staging(data_dir: str | Path, key: str) -> bool:
    """Delete a finished run's staging folder (here and, on a remote root, in the store);
    True if there was one here."""
    data = DataDir.at(data_dir)
    staging = data.staging(key)
    if data.remote is not None:
        remove_prefix(data.object_store(), data.object_key(staging))
    if not staging.exists():
        return False
    shutil.rmtree(staging)
    return True


def resolve_under(base: str | Path, path: str | Path) -> str | Path:
    """``path`` with ``~`` expanded; a relative one is taken relative to ``base``; an
    ``s3://`` URL as it is.

    A task's working directory is whatever the worker's is, so a DAG anchors relative paths
    to its own repository rather than leaving them to chance.
    """
    if is_object_url(path):
        return path
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else Path(base) / candidate


def data_dir_for(chosen: str | Path | None, base: str | Path) -> str | Path:
    """The data root a run works in: the one chosen for it, else ``NEWS_ARCHIVE_DATA_DIR``.

    For an ``s3://`` root the store's keys may come from an Airflow connection
    (``etl.core.connections``) when the task's environment has none.
    """
    root = resolve_under(base, chosen or Settings.from_env().data_dir)
    if is_object_url(root):
        object_store_from_airflow()
    return root


def sources_file_for(chosen: str | Path | None, base: str | Path) -> Path:
    """The sources file a collect reads: the one chosen, else ``NEWS_ARCHIVE_SOURCES``."""
    return Path(resolve_under(base, chosen or Settings.from_env().sources_file))


def data_dirs_to_update(
    chosen: str | Path | None, announced: Iterable[str | None], base: str | Path
) -> list[str | Path]:
    """The data roots a warehouse run updates: the one chosen, else those the triggering
    asset events announced (a deployment has one, tests and ad-hoc imports more), else the
    configured one."""
    if chosen:
        return [data_dir_for(chosen, base)]
    named = sorted({resolve_under(base, a) for a in announced if a}, key=str)
    return named or [data_dir_for(None, base)]
