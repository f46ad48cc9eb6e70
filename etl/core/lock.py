"""One writer per data directory at a time.

Runs write only their own lake files, but two processes rebuilding the one DuckDB file, or two
attempts of the same run sharing a staging folder, would trample each other. Every command
that writes takes this lock first; a second one waits for it or stops with a clear message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from filelock import FileLock, Timeout

from etl.core.datadir import DataDir

# How long a writer that runs unattended (a store, a warehouse build) waits for another.
WRITER_WAIT_SECONDS = 3600.0


class DataDirBusy(RuntimeError):
    """Another process holds the data directory's lock."""


@contextmanager
def data_dir_lock(data_dir: str | Path, timeout: float = 0) -> Iterator[None]:
    """Hold the data directory's lock; wait at most ``timeout`` seconds for it.

    The lock is an OS-level file lock, so it is released when its process dies, even by
    ``kill -9``: a crashed run never leaves the directory locked. Nested use in one process
    is fine (the lock object is shared and counts its holders).
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
        with _record_holder(data) if lock.lock_counter == 1 else nullcontext():
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
