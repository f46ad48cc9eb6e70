"""The data directory: the one piece of code that knows its layout.

::

    <root>/
      raw/YYYY/MM/DD/<source>_<YYYYMMDDTHHMMSSZ>_<random>.warc.gz   every fetch (collect)
      staging/<run>/                   a run's staged units, from extract to load; then removed
      cache/extract/<fingerprint>/     staged units kept, so a reprocess skips unchanged pages
      lake/<table>/<partition>=<day>/part-<run>.parquet    the source of truth
      state/<source>/                  a source's seen URLs and feed validators
      state/story-index-cache/         the story index, one file per day (derived)
      state/story-merges.pending.json  story merges not yet applied to every file
      warehouse/news.duckdb            derived from the lake
      report/index.html                derived from the warehouse
      .news-archive.lock               one writer at a time

Every path and name of it is built and parsed here: a run key, an archive name, a lake
partition. Code elsewhere asks a ``DataDir`` and never joins ``"lake"`` or ``"raw"`` itself.

The root may also be ``s3://bucket/prefix`` (``etl.core.objectstore``): the paths are then
those of a local working copy (``NEWS_ARCHIVE_CACHE_DIR``), which the writers' lock
(``etl.core.lock``) pulls from the store and publishes back, and ``remote`` names the store.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING

from etl.core.objectstore import ObjectRoot, is_object_url

if TYPE_CHECKING:
    from pyarrow import fs as pafs

    from etl.core.objectstore import Mirror

# Times in names: UTC, to the second, sortable as text.
STAMP = "%Y%m%dT%H%M%SZ"
# A run key (the ``<run>`` of ``part-<run>.parquet`` and ``staging/<run>``).
RUN_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")
MAX_RUN_KEY = 120
UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")
ARCHIVE_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")
LOCK_NAME = ".news-archive.lock"
# The columns that name the lake tables' day partitions (``lake/<table>/<column>=<day>/``);
# ``etl.core.schema`` gives each table's rows.
ARTICLE_PARTITION = "published_date"
REJECT_PARTITION = "fetched_date"
FETCH_LOG_PARTITION = "fetched_date"
DISCOVERED_PARTITION = "fetched_date"
STORY_MERGE_PARTITION = "merged_date"
# The lake's tables (``lake/<table>/<column>=<day>/``), one Parquet dataset each, and the
# column of each that names its day partitions.
LAKE_TABLES = {
    "articles": ARTICLE_PARTITION,
    "rejects": REJECT_PARTITION,
    "fetch_log": FETCH_LOG_PARTITION,
    "discovered": DISCOVERED_PARTITION,
    "story_index": ARTICLE_PARTITION,
    "story_merges": STORY_MERGE_PARTITION,
}


class UnsafeName(ValueError):
    """A value that would make an unsafe path (a run key with ``/``, ``..``, ...)."""


def check_run_id(run_id: str) -> str:
    """``run_id`` unchanged if it can name files (``[A-Za-z0-9_.-]``, 1 to 120, no leading dot)."""
    if not RUN_KEY.match(run_id) or run_id.startswith("."):
        raise UnsafeName(f"run id must match {RUN_KEY.pattern}: {run_id!r}")
    return run_id


def safe_key(text: str, fallback: str = "run") -> str:
    """``text`` with every character a file name should not hold replaced by ``_``, cut to fit."""
    return UNSAFE_CHARS.sub("_", text).lstrip(".")[:MAX_RUN_KEY] or fallback


def stamp(moment: datetime) -> str:
    """``moment`` in UTC as it appears in names: ``20251016T080000Z``."""
    if moment.tzinfo is None:
        raise ValueError("times in names must be timezone-aware")
    return f"{moment.astimezone(UTC):{STAMP}}"


def partition_name(column: str, day: date | str) -> str:
    """A day partition's folder name: ``published_date=2025-10-16``."""
    return f"{column}={day.isoformat() if isinstance(day, date) else day}"


def partition_files(table_dir: Path, column: str, name: str = "*.parquet") -> list[Path]:
    """The files called ``name`` (a glob) in every day partition of a table folder."""
    return sorted(table_dir.glob(f"{column}=*/{name}"))


def partition_day(folder: Path) -> date:
    """The day a partition folder (``<column>=<day>``) holds."""
    return date.fromisoformat(folder.name.split("=", 1)[1])


def archive_run_id(path: str | Path) -> str:
    """The run that owns an archive file's lake rows: its name, without ``.warc.gz``."""
    name = Path(path).name
    for suffix in ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return check_run_id(safe_key(name, "archive"))


def archive_source(path: str | Path) -> str:
    """The source key a raw archive was fetched for (its name up to the first ``_``)."""
    return Path(path).name.split("_", 1)[0]


@dataclass(frozen=True)
class DataDir:
    """Where everything of one data root lives (``remote``: the object store it copies)."""

    root: Path
    remote: ObjectRoot | None = None

    @classmethod
    def at(cls, root: str | Path | DataDir) -> DataDir:
        if isinstance(root, DataDir):
            return root
        if is_object_url(root):
            from etl.core.settings import Settings

            remote = ObjectRoot.parse(str(root))
            work = Settings.from_env().cache_dir.expanduser() / "s3" / remote.bucket / remote.prefix
            return cls(work, remote)
        return cls(Path(root))

    def __str__(self) -> str:
        """The root as a user names it: the folder, or the ``s3://`` URL."""
        return self.remote.url() if self.remote else str(self.root)

    # --- object storage --------------------------------------------------------------------

    def object_store(self) -> pafs.FileSystem:
        """The S3 filesystem of a remote root."""
        from etl.core.objectstore import store_from_env

        if self.remote is None:
            raise ValueError(f"{self} is not on object storage")
        return store_from_env()

    def mirror(self) -> Mirror:
        from etl.core.objectstore import Mirror

        if self.remote is None:
            raise ValueError(f"{self} is not on object storage")
        # The caches are this machine's: their files are keyed by its inodes and times.
        caches = (self.story_index_cache, self.extraction_cache())
        local_only = tuple(path.relative_to(self.root).as_posix() for path in caches)
        return Mirror(self.remote, self.root, self.object_store(), local_only)

    def location(self, path: Path) -> str:
        """Where a file of the data root is for other machines: its URL on a remote root."""
        if self.remote is None:
            return str(path)
        return self.remote.url(path.relative_to(self.root).as_posix())

    def object_key(self, path: Path) -> str:
        """The object a file of a remote root's working copy is published as."""
        if self.remote is None:
            raise ValueError(f"{self} is not on object storage")
        return self.remote.key(path.relative_to(self.root).as_posix())

    def local(self, location: str) -> Path:
        """The working-copy path of a ``location`` (a URL of a remote root, or a path)."""
        if self.remote is not None and is_object_url(location):
            return self.root / self.remote.relative(location)
        return Path(location)

    # --- top-level folders ---------------------------------------------------------------

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "news.duckdb"

    @property
    def report(self) -> Path:
        return self.root / "report" / "index.html"

    @property
    def lock_file(self) -> Path:
        return self.root / LOCK_NAME

    @property
    def lock_holder(self) -> Path:
        """The pid of the process holding the lock, for the message of one that waits."""
        return self.root / f"{LOCK_NAME}.pid"

    # --- lake ----------------------------------------------------------------------------

    def table(self, name: str) -> Path:
        """``lake/<name>``, one of ``LAKE_TABLES``."""
        if name not in LAKE_TABLES:
            raise ValueError(f"no lake table {name!r}")
        return self.lake / name

    @property
    def articles(self) -> Path:
        return self.table("articles")

    @property
    def rejects(self) -> Path:
        return self.table("rejects")

    @property
    def fetch_log(self) -> Path:
        return self.table("fetch_log")

    @property
    def discovered(self) -> Path:
        return self.table("discovered")

    @property
    def story_index(self) -> Path:
        return self.table("story_index")

    @property
    def story_merges(self) -> Path:
        return self.table("story_merges")

    def partition(self, table: str, day: date | str) -> Path:
        """``lake/<table>/<column>=<day>``."""
        return self.table(table) / partition_name(LAKE_TABLES[table], day)

    def table_files(self, table: str) -> list[Path]:
        """Every Parquet file of a lake table (hidden temporary files are not ``*.parquet``)."""
        return partition_files(self.table(table), LAKE_TABLES[table])

    def partitions(self, table: str) -> list[Path]:
        """The day folders of a lake table, oldest first."""
        return sorted(self.table(table).glob(f"{LAKE_TABLES[table]}=*"))

    @staticmethod
    def part_name(run_id: str) -> str:
        """The file a run writes in each partition it touches."""
        return f"part-{check_run_id(run_id)}.parquet"

    def merge_record(self, day: date, run_id: str, digest: str) -> Path:
        """One file per story merge event, so a re-run of the run never replaces the record."""
        return self.partition("story_merges", day) / f"part-{check_run_id(run_id)}-{digest}.parquet"

    # --- staging and cache -----------------------------------------------------------------

    def staging(self, run_id: str) -> Path:
        """``staging/<run>``: a run's staged units, removed once the run is stored."""
        return self.root / "staging" / check_run_id(run_id)

    def extraction_cache(self) -> Path:
        return self.root / "cache" / "extract"

    @staticmethod
    def of_staging(staging: Path) -> DataDir | None:
        """The data directory a staging folder belongs to (None for one made elsewhere)."""
        if staging.parent.name != "staging":
            return None
        return DataDir(staging.parent.parent)

    # --- state ---------------------------------------------------------------------------

    def source_state(self, key: str) -> Path:
        """``state/<key>``: the key is checked by the caller (``SourceState``)."""
        return self.state / key

    @property
    def story_index_cache(self) -> Path:
        return self.state / "story-index-cache"

    @property
    def pending_merges(self) -> Path:
        return self.state / "story-merges.pending.json"

    # --- raw archives ----------------------------------------------------------------------

    def raw_archive(self, source: str, started: datetime) -> Path:
        """A new archive for ``source``'s fetch that started at ``started``.

        ``raw/YYYY/MM/DD/<source>_<time>_<random>.warc.gz``: the source first, so archives
        select by source; the random part keeps two attempts of the same fetch apart.
        """
        started = started.astimezone(UTC)
        name = f"{source}_{stamp(started)}_{uuid.uuid4().hex[:6]}.warc.gz"
        return self.raw / f"{started:%Y/%m/%d}" / name

    def fetch_archives(
        self, source: str, started: datetime, suffix: str = ".warc.gz"
    ) -> list[Path]:
        """This copy's archives (``suffix`` ``.warc.gz.open``: the unclosed fragments) of
        ``source``'s fetch that started at ``started``."""
        started = started.astimezone(UTC)
        folder = self.raw / f"{started:%Y/%m/%d}"
        return sorted(folder.glob(_fetch_pattern(source, started, suffix)))

    def published_fetch_archives(self, source: str, started: datetime) -> list[str]:
        """Where the closed archives of ``source``'s fetch at ``started`` are for every machine:
        their paths, or on a remote root their URLs (the store's listing, not this copy's)."""
        if self.remote is None:
            return [str(path) for path in self.fetch_archives(source, started)]
        started = started.astimezone(UTC)
        pattern = _fetch_pattern(source, started, ".warc.gz")
        folder = self.raw / f"{started:%Y/%m/%d}"
        return [url for url in self._objects_below(folder) if fnmatchcase(_name(url), pattern)]

    def raw_archives(
        self, since: date | None = None, until: date | None = None, source: str | None = None
    ) -> list[str]:
        """The closed archive files of the fetch days ``since``..``until``, of one source or
        all: their paths, or on a remote root their URLs."""
        if self.remote is None:
            found = [path.relative_to(self.raw).as_posix() for path in self.raw.glob(RAW_GLOB)]
            locations = {relative: str(self.raw / relative) for relative in found}
        else:
            prefix = self.location(self.raw) + "/"
            urls = self._objects_below(self.raw)
            locations = {url.removeprefix(prefix): url for url in urls}
        return sorted(
            location
            for relative, location in locations.items()
            if _archive_wanted(relative, since, until, source)
        )

    def _objects_below(self, folder: Path) -> list[str]:
        from etl.core.objectstore import list_objects

        return list_objects(self.object_store(), self.location(folder) + "/")


# Closed archives below ``raw/`` (``YYYY/MM/DD/<name>.warc.gz``).
RAW_GLOB = "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*.warc.gz"


def _fetch_pattern(source: str, started: datetime, suffix: str) -> str:
    return f"{source}_{stamp(started)}_*{suffix}"


def _name(location: str) -> str:
    return location.rsplit("/", 1)[-1]


def _archive_wanted(
    relative: str, since: date | None, until: date | None, source: str | None
) -> bool:
    """``relative`` (below ``raw/``) is a closed archive of the days and source asked for."""
    parts = relative.split("/")
    if len(parts) != 4 or not parts[3].endswith(".warc.gz"):
        return False
    try:
        fetched = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return False
    if (since and fetched < since) or (until and fetched > until):
        return False
    return not source or archive_source(parts[3]) == source
