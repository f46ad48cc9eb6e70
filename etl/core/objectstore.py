"""An ``s3://bucket/prefix`` data root: the object store holds the data, a local folder works on it.

The pipeline's writers (the store, the warehouse build) rewrite files in place, append to
partitions and rename temporary files in: operations a local filesystem has and S3 has not.
So a writer works on a local copy of the prefixes it touches (``Mirror``), under the data
root's lock, and publishes what it changed when it is done:

- **pull** lists the objects under a prefix and downloads only those whose size or time
  changed since this copy last saw them (a manifest beside the copy remembers), and removes
  local files the store no longer has: the copy then equals the store;
- **push** uploads every local file that changed since it was pulled or pushed, one PUT each
  (an object appears whole or not at all: a reader never sees half a file), and deletes the
  objects whose local file was removed (a re-run's stale parts).

Readers need no copy: DuckDB (httpfs), polars and pyarrow read the objects in place.
The connection comes from the standard ``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY`` and ``AWS_REGION`` variables (``etl.core.settings``).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from etl.core.errors import ObjectStoreError

if TYPE_CHECKING:
    from pyarrow import fs as pafs

    from etl.core.settings import ObjectStoreSettings

SCHEME = "s3://"
MANIFEST = ".mirror-manifest.json"
COPY_CHUNK = 8 << 20


def is_object_url(root: object) -> bool:
    """``root`` names a data root on object storage (``s3://bucket/prefix``)."""
    return isinstance(root, str) and root.startswith(SCHEME)


@dataclass(frozen=True)
class ObjectRoot:
    """A data root on object storage: a bucket and a key prefix (without slashes at its ends)."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> ObjectRoot:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"not an s3://bucket/prefix data root: {url!r}")
        prefix = parts.path.strip("/")
        if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
            raise ValueError(f"a data root's prefix may not hold '//', '.' or '..': {url!r}")
        return cls(parts.netloc, prefix)

    def key(self, relative: str = "") -> str:
        """The object path (``bucket/prefix/relative``) as pyarrow's S3 filesystem names it."""
        return "/".join(part for part in (self.bucket, self.prefix, relative.strip("/")) if part)

    def url(self, relative: str = "") -> str:
        return f"{SCHEME}{self.key(relative)}"

    def relative(self, url_or_key: str) -> str:
        """The part of an object URL or path below this root."""
        base = self.key() + "/"
        key = url_or_key.removeprefix(SCHEME)
        if not key.startswith(base):
            raise ValueError(f"{url_or_key} is not under {self.url()}")
        return key[len(base) :]

    def __str__(self) -> str:
        return self.url()


@contextmanager
def refused(what: str) -> Iterator[None]:
    """An ``OSError`` of the store (pyarrow raises nothing else) as an ``ObjectStoreError``
    that says what was asked: one line for the user, not a traceback."""
    try:
        yield
    except ObjectStoreError:
        raise
    except OSError as exc:
        detail = str(exc).split(". Detail:")[0].split(" (Request ID")[0]
        raise ObjectStoreError(f"{what}: {detail}") from exc


def s3_filesystem(settings: ObjectStoreSettings) -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem for the configured store (any S3-compatible one)."""
    from pyarrow import fs as pafs

    options: dict[str, object] = {"region": settings.region, "allow_bucket_creation": False}
    if settings.endpoint:
        endpoint = urlsplit(settings.endpoint)
        options["endpoint_override"] = endpoint.netloc or endpoint.path
        options["scheme"] = endpoint.scheme or "https"
    if settings.access_key:
        options["access_key"] = settings.access_key
        options["secret_key"] = settings.secret_key
    return pafs.S3FileSystem(**options)  # type: ignore[arg-type]


def store_from_env() -> pafs.S3FileSystem:
    """The S3 filesystem the ``AWS_*`` variables name (data roots and inputs alike)."""
    from etl.core.settings import ObjectStoreSettings

    return s3_filesystem(ObjectStoreSettings.from_env())


def upload(store: pafs.FileSystem, local: Path, key: str) -> None:
    """One file to one object, written whole: S3 shows it only once the upload completed."""
    with (
        refused(f"uploading s3://{key}"),
        local.open("rb") as source,
        store.open_output_stream(key, metadata={}) as target,
    ):
        while chunk := source.read(COPY_CHUNK):
            target.write(chunk)


def download(store: pafs.FileSystem, key: str, local: Path) -> None:
    """One object to one file, renamed into place once complete."""
    local.parent.mkdir(parents=True, exist_ok=True)
    temporary = local.with_name(f".{local.name}.{uuid.uuid4().hex[:8]}.download")
    try:
        with (
            refused(f"downloading s3://{key}"),
            store.open_input_stream(key) as source,
            temporary.open("wb") as target,
        ):
            while chunk := source.read(COPY_CHUNK):
                target.write(chunk)
        temporary.replace(local)
    finally:
        temporary.unlink(missing_ok=True)


def list_objects(store: pafs.FileSystem, url: str) -> list[str]:
    """The object URLs ``url`` names: the object itself, the objects below it (a folder), or
    those matching it as a glob pattern (``*``, ``?``, ``[...]``; ``*`` also crosses ``/``)."""
    with refused(f"listing {url}"):
        return _list_objects(store, url)


def _list_objects(store: pafs.FileSystem, url: str) -> list[str]:
    from fnmatch import fnmatchcase

    from pyarrow import fs as pafs

    key = url.removeprefix(SCHEME).rstrip("/")
    wildcard = next((i for i, c in enumerate(key) if c in "*?["), None)
    if wildcard is None:
        if store.get_file_info(key).type == pafs.FileType.File:
            return [url]
        base = key
    else:
        base = key[: key.rfind("/", 0, wildcard)]
    selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
    found = [i.path for i in store.get_file_info(selector) if i.type == pafs.FileType.File]
    if wildcard is not None:
        found = [path for path in found if fnmatchcase(path, key)]
    return sorted(f"{SCHEME}{path}" for path in found)


def remove_prefix(store: pafs.FileSystem, key: str) -> None:
    """Delete every object below ``key`` (a folder of the root)."""
    with refused(f"deleting s3://{key}/"):
        store.delete_dir_contents(key, missing_dir_ok=True)


# (remote size, remote mtime_ns, local size, local mtime_ns) of a file the copy shares
Stamp = tuple[int, int, int, int]


class Mirror:
    """A local working copy of some prefixes of an object root (see the module docstring).

    Not safe for two processes at once: its users hold the data root's lock.
    """

    def __init__(
        self,
        root: ObjectRoot,
        local: Path,
        store: pafs.FileSystem,
        local_only: tuple[str, ...] = (),
    ) -> None:
        """``local_only``: folders of the copy that are never published (a machine's caches)."""
        self.root, self.local, self.store = root, local, store
        self.local_only = tuple(f"{folder.strip('/')}/" for folder in local_only)
        self._manifest_path = local / MANIFEST
        self._manifest: dict[str, Stamp] = self._read_manifest()
        self._last_upload: float | None = None

    def check(self) -> None:
        """Fail at once, in one line, if the bucket is not there (or the keys are wrong)."""
        from pyarrow import fs as pafs

        with refused(f"reading {self.root.url()}"):
            found = self.store.get_file_info(self.root.bucket).type
        if found == pafs.FileType.NotFound:
            raise ObjectStoreError(f"{self.root.url()}: there is no bucket {self.root.bucket!r}")

    def pull(self, prefix: str) -> int:
        """Make the local ``prefix`` equal the store's; return the number of files downloaded."""
        self._manifest = self._read_manifest()
        with refused(f"listing {self.root.url(prefix)}/"):
            remote = dict(self._list_remote(prefix))
        downloaded = 0
        for relative, (size, mtime_ns) in remote.items():
            path = self.local / relative
            known = self._manifest.get(relative)
            if known and known[:2] == (size, mtime_ns) and _local_stamp(path) == known[2:]:
                continue
            download(self.store, self.root.key(relative), path)
            self._manifest[relative] = (size, mtime_ns, *_local_stamp_of(path))
            downloaded += 1
        for relative in self._local_files(prefix):
            if relative not in remote:
                (self.local / relative).unlink(missing_ok=True)
                self._manifest.pop(relative, None)
        for relative in [r for r in self._manifest if _under(r, prefix) and r not in remote]:
            del self._manifest[relative]
        self._write_manifest()
        return downloaded

    def push(self, prefix: str) -> int:
        """Publish the local ``prefix``'s changes; return the number of files uploaded."""
        # Re-read: a file published on its own meanwhile (``publish``) is in the file's copy.
        self._manifest = self._read_manifest()
        uploaded = 0
        present = set()
        for relative in self._local_files(prefix):
            present.add(relative)
            known = self._manifest.get(relative)
            if known and known[2:] == _local_stamp_of(self.local / relative):
                continue
            self._upload(relative)
            uploaded += 1
        for relative in [r for r in self._manifest if _under(r, prefix) and r not in present]:
            with refused(f"deleting {self.root.url(relative)}"):
                self.store.delete_file(self.root.key(relative))
            del self._manifest[relative]
        self._write_manifest()
        return uploaded

    def publish(self, relative: str) -> None:
        """Publish one file now, ahead of the holder's push (a marker that must be in the store
        before the files it is about); a later ``push`` deletes it if it is gone here by then."""
        self._manifest = self._read_manifest()
        self._upload(relative)
        self._write_manifest()

    def settle(self) -> None:
        """Wait until a later write of any object this copy wrote gets a later time in the store.

        S3 gives objects their time to the second; a pull tells a changed object by its size and
        time, so a rewrite of the same size in the same second would look unchanged to another
        copy. The next writer takes the lock only after its holder settled.
        """
        if self._last_upload is not None:
            time.sleep(max(0.0, self._last_upload + 1.0 - time.monotonic()))

    def _upload(self, relative: str) -> None:
        path, key = self.local / relative, self.root.key(relative)
        local = _local_stamp_of(path)
        upload(self.store, path, key)
        self._last_upload = time.monotonic()
        with refused(f"reading s3://{key}"):
            info = self.store.get_file_info(key)
        self._manifest[relative] = (int(info.size or 0), int(info.mtime_ns or 0), *local)

    def _list_remote(self, prefix: str) -> Iterator[tuple[str, tuple[int, int]]]:
        from pyarrow import fs as pafs

        selector = pafs.FileSelector(self.root.key(prefix), recursive=True, allow_not_found=True)
        for info in self.store.get_file_info(selector):
            if info.type == pafs.FileType.File:
                relative = self.root.relative(info.path)
                if not self._ignored(relative):
                    yield relative, (int(info.size or 0), int(info.mtime_ns or 0))

    def _local_files(self, prefix: str) -> list[str]:
        folder = self.local / prefix
        if not folder.is_dir():
            return []
        files = []
        for directory, _, names in os.walk(folder):
            for name in names:
                relative = (Path(directory) / name).relative_to(self.local).as_posix()
                if not self._ignored(relative):
                    files.append(relative)
        return sorted(files)

    def _ignored(self, relative: str) -> bool:
        return _hidden(relative) or relative.startswith(self.local_only)

    def _read_manifest(self) -> dict[str, Stamp]:
        try:
            stored = json.loads(self._manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if stored.get("root") != self.root.url():
            return {}
        return {name: tuple(stamp) for name, stamp in stored["files"].items()}

    def _write_manifest(self) -> None:
        self.local.mkdir(parents=True, exist_ok=True)
        temporary = self._manifest_path.with_suffix(".tmp")
        payload = {"root": self.root.url(), "files": self._manifest}
        temporary.write_text(json.dumps(payload), encoding="utf-8")
        temporary.replace(self._manifest_path)


def _under(relative: str, prefix: str) -> bool:
    return relative.startswith(prefix.rstrip("/") + "/")


def _hidden(relative: str) -> bool:
    """Temporary files (``.name.tmp``) are never part of the data."""
    return any(part.startswith(".") for part in relative.split("/"))


def _local_stamp(path: Path) -> tuple[int, int] | None:
    try:
        return _local_stamp_of(path)
    except OSError:
        return None


def _local_stamp_of(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns
