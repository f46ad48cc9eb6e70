"""One writer per data directory at a time.

Runs write only their own lake files, but two processes rebuilding the one DuckDB file, or two
attempts of the same run sharing a staging folder, would trample each other. Every command
that writes takes this lock first; a second one waits for it or stops with a clear message.

On an ``s3://`` data root the holder also works on a local copy of the prefixes it names
(``sync``): pulled from the store once the lock is held, published back when the work ended
well. Writers on several machines then need one lock for all: a PostgreSQL advisory lock
(``NEWS_ARCHIVE_LOCK_URL``), which the server releases when its holder's connection drops,
so a killed worker never leaves the root locked either.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from etl.core.datadir import DataDir
from etl.core.settings import Settings

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

# How long a writer that runs unattended (a store, a warehouse build) waits for another.
WRITER_WAIT_SECONDS = 3600.0


class DataDirBusy(RuntimeError):
    """Another process holds the data directory's lock."""


@contextmanager
def data_dir_lock(
    data_dir: str | Path | DataDir, timeout: float = 0, sync: Sequence[str] = ()
) -> Iterator[None]:
    """Hold the data directory's lock; wait at most ``timeout`` seconds for it.

    The lock is an OS-level file lock, so it is released when its process dies, even by
    ``kill -9``: a crashed run never leaves the directory locked. Nested use in one process
    is fine (the lock object is shared and counts its holders).
    ``sync`` names the top-level folders (``lake``, ``state``, ``warehouse``, ...) the holder
    works on, for a remote root.
    """
    data = DataDir.at(data_dir)
    folder = data.root
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(data.lock_file, is_singleton=True)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise DataDirBusy(
            f"{folder} is in use by another news-archive process"
            f"{_holder(data)}; wait for it to finish or retry with --wait SECONDS"
        ) from None
    try:
        # Only the outermost holder in this process writes (and removes) the pid marker.
        outermost = lock.lock_counter == 1
        with _record_holder(data) if outermost else nullcontext():
            if data.remote is None:
                yield
                return
            with _shared_lock(data, timeout) if outermost else nullcontext(), _synced(data, sync):
                yield
    finally:
        lock.release()


@contextmanager
def _record_holder(data: DataDir) -> Iterator[None]:
    """Leave the holder's pid beside the lock, for the message another process prints."""
    marker = data.lock_holder
    marker.write_text(str(os.getpid()), encoding="ascii")
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


def _holder(data: DataDir) -> str:
    try:
        pid = data.lock_holder.read_text(encoding="ascii").strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


@contextmanager
def _synced(data: DataDir, folders: Sequence[str]) -> Iterator[None]:
    """The working copy of ``folders`` pulled from the store, and published if all went well."""
    mirror = data.mirror()
    mirror.check()
    for folder in folders:
        mirror.pull(folder)
    yield
    for folder in folders:
        mirror.push(folder)
    mirror.settle()


@contextmanager
def _shared_lock(data: DataDir, timeout: float) -> Iterator[None]:
    """The lock of a remote root for every machine: PostgreSQL's, if there is one."""
    url = Settings.from_env().lock_url
    if not url:
        log.warning(
            "%s: no NEWS_ARCHIVE_LOCK_URL, so writers on other machines are not kept out", data
        )
        yield
        return
    import psycopg

    # The lock's 64-bit key, from the root's URL: every root has a lock of its own.
    digest = hashlib.blake2b(str(data).encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    deadline = time.monotonic() + timeout
    # Keepalives: a machine that vanishes without closing the connection loses the lock too.
    with psycopg.connect(
        url, autocommit=True, connect_timeout=10, keepalives=1, keepalives_idle=30
    ) as connection:
        while not _advisory_lock(connection, key):
            if time.monotonic() > deadline:
                raise DataDirBusy(
                    f"{data} is in use by another news-archive process (PostgreSQL advisory "
                    f"lock {key}); wait for it to finish or retry with --wait SECONDS"
                )
            time.sleep(0.5)
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", [key])


def _advisory_lock(connection: psycopg.Connection[Any], key: int) -> bool:
    row = connection.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()
    return bool(row and row[0])
