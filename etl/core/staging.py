"""A staged unit: the files and summary extraction leaves for the store, and its clocks.

Extraction (``etl.extract.unit``) writes them, one set per input unit; the store
(``etl.load.store``) reads them. Tasks pass their paths, never the data.
"""

from __future__ import annotations

import ctypes
import gc
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.core.datadir import DataDir
from etl.core.objectstore import download, is_object_url, upload
from etl.core.schema import (
    ARTICLE_SCHEMA,
    REJECT_SCHEMA,
)

# When a piece of work ran: (start, end) in ``time.monotonic`` seconds.
Span = tuple[float, float]


@dataclass
class UnitResult:
    """What one unit held, as written next to its staged records."""

    unit: str
    records: int = 0
    extracted: int = 0
    rejected: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    articles_path: str = ""
    rejects_path: str = ""
    implausible_dates: int = 0
    cached_pages: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # Records the reader found (None in summaries from before it counted), and bytes it could
    # not read at all: either makes a run not "all accounted".
    input_records: int | None = None
    unread_bytes: int = 0


# The steps whose CPU seconds a run reports (``RunSummary.stage_seconds``).
TIMED_STEPS = ("ingest", "extract", "clean", "dedup", "store")
# Staged rows carry the key of their page (for the cache) and their MinHash signature.
STAGED_REJECT_SCHEMA = REJECT_SCHEMA.append(pa.field("page_key", pa.binary()))
STAGED_KEY_COLUMNS = [
    "article_id",
    "fetched_at",
    "published_at",
    "word_count",
    "input_origin",
    "url",
]


def staged_article_schema() -> pa.Schema:
    return ARTICLE_SCHEMA.append(pa.field("page_key", pa.binary())).append(
        pa.field("signature", pa.binary())
    )


class StageClock:
    """CPU seconds per stage (this process's own, plus what its workers report), and when
    extraction ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(TIMED_STEPS, 0.0)
        self.spans: list[Span] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.process_time()
        try:
            yield
        finally:
            self.seconds[name] += time.process_time() - start

    def add(self, seconds: dict[str, float]) -> None:
        """Seconds a worker reports; ``trafilatura`` is the part of ``extract`` spent in it."""
        for name, value in seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + value


def read_parquet_file(path: str | Path, columns: Sequence[str] | None = None) -> pa.Table:
    """One Parquet file, as ``pq.read_table`` reads it, without ``pyarrow.dataset``.

    ``read_table`` goes through the dataset layer even for one file: importing it costs
    70 ms on a run's first read, and finding the file a millisecond on every read. A column
    the file lacks is an error here too (``KeyError``).
    """
    parquet = pq.ParquetFile(path)
    if columns is not None:
        missing = [name for name in columns if name not in parquet.schema_arrow.names]
        if missing:
            raise KeyError(f"{path}: no column {', '.join(missing)}")
    return parquet.read(columns=list(columns) if columns is not None else None)


def freeze_imported_objects() -> None:
    """Leave the objects of the modules imported so far out of every later garbage collection.

    A command calls it once its stages are imported. Those objects live as long as the
    process, yet each full collection walked them all again: 40 ms for the one after a
    store, and a share of every collection while pages are extracted (forked workers
    inherit the setting). The public-suffix list, which every worker reads at its first
    page, is read here first, so that forked workers share it.
    """
    from etl.core.urls import load_public_suffixes  # the commands that extract import it anyway

    load_public_suffixes()
    gc.freeze()


def release_memory() -> None:
    """Give the memory freed by a run's batches back to the system.

    Allocators keep freed memory for reuse: after thousands of batches the process holds far
    more than it uses, and the warehouse build that usually follows in the same process would
    start from there. Arrow's pool and glibc's heap can be asked to return it.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            # Not glibc (musl, for one): nothing to trim, and nothing lost.
            return


@dataclass(frozen=True)
class StagedFiles:
    """The files of one staged unit in a run's staging folder, named after the unit's key."""

    articles: Path
    rejects: Path
    summary: Path

    @classmethod
    def of(cls, staging: Path, key: str) -> StagedFiles:
        return cls(
            articles=staging / f"{key}.articles.parquet",
            rejects=staging / f"{key}.rejects.parquet",
            summary=staging / f"{key}.json",
        )


def write_unit_summary(result: UnitResult, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(result), indent=1), encoding="utf-8")
    temporary.replace(path)
    return str(path)


def read_unit_summary(path: Path) -> UnitResult:
    """A staged unit's summary; its files are the summary's siblings wherever the folder is now
    (another machine's working copy of a remote root's staging)."""
    result = UnitResult(**json.loads(path.read_text(encoding="utf-8")))
    for name in ("articles_path", "rejects_path"):
        if recorded := getattr(result, name):
            setattr(result, name, str(path.with_name(Path(recorded).name)))
    return result


def publish_file(data: DataDir, path: Path) -> str:
    """Where other machines find a file of the data root: on a remote root it is uploaded to
    the same place in the store first (one PUT: it appears whole or not at all)."""
    if data.remote is not None:
        upload(data.object_store(), path, data.object_key(path))
    return data.location(path)


def fetch_file(data: DataDir, location: str) -> Path:
    """A file of the data root on this machine: downloaded into the working copy first when
    ``location`` is an object of a remote root."""
    if data.remote is None or not is_object_url(location):
        return Path(location)
    path = data.local(location)
    download(data.object_store(), data.object_key(path), path)
    return path


def publish_unit(data: DataDir, summary: str) -> str:
    """Where the store finds a staged unit: on a remote root, its files uploaded to the store's
    ``staging/`` (the summary last, so a summary there always names complete files)."""
    if data.remote is None:
        return summary
    result = read_unit_summary(Path(summary))
    for staged in (result.articles_path, result.rejects_path, summary):
        if staged:
            publish_file(data, Path(staged))
    return data.location(Path(summary))


def fetch_unit(data: DataDir, location: str) -> str:
    """A staged unit as a local summary path: downloaded first when it is on a remote root."""
    if data.remote is None or not is_object_url(location):
        return location
    summary = fetch_file(data, location)
    result = read_unit_summary(summary)
    for staged in (result.articles_path, result.rejects_path):
        if staged:
            fetch_file(data, data.location(Path(staged)))
    return str(summary)
