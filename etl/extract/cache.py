"""Skip unchanged pages on reprocess: the staged results of each unit, kept by page content.

Extracting a page costs tens of milliseconds; hashing it a fraction of one. So the staged
(cleaned) rows of every unit are kept under ``<data_dir>/cache/extract/<fingerprint>/``, each
row with the key of the page it came from (URL, content type and body). Processing the unit
again then
- takes the whole staged output as it is when the unit (file, or folder of pages) has the same
  size and modification time as before, without reading a page;
- otherwise extracts only the pages whose key it has not seen, and copies the rows of the
  others (with this record's origin and fetch time).

The fingerprint covers what the rows depend on: the extraction settings, the versions of the
libraries that extract and clean, and the source of the modules that make the rows and of the
rule tables.
Any change makes a new, empty cache, and the entries of older fingerprints are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from etl.core.datadir import DataDir
from etl.core.staging import StagedFiles, read_parquet_file
from etl.extract.page import ExtractionSettings
from etl.ingest.inputs import Page

# Libraries whose output lands in the staged rows; a new version may extract differently.
_LIBRARIES = (
    "trafilatura", "htmldate", "justext", "courlan", "lxml", "charset-normalizer", "dateparser",
    "py3langid", "tldextract", "datasketch", "polars",
)  # fmt: skip
# What no staged row depends on, left out so that editing it keeps the cache warm.
_NOT_SEEN = frozenset(
    {"__pycache__", "collect", "warehouse", "bench", "sql", "templates", "cli.py"}
)


def page_key(page: Page) -> bytes:
    """What an extraction result depends on, besides settings and code: URL, type and body.

    SHA-256 because CPUs hash it in hardware (twice as fast as BLAKE2 here): every page of
    every run is hashed, most of them to find they are unchanged.
    """
    digest = hashlib.sha256()
    digest.update(page.url.encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update((page.content_type or "").encode("utf-8", "surrogatepass"))
    digest.update(b"\0")
    digest.update(page.body)
    return digest.digest()[:16]


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """The code that makes staged rows, and its rule tables: an edited rule is a new extractor.

    That is every file of the installed ``etl`` package (read through ``importlib.resources``,
    so a wheel is fingerprinted as a checkout is) except the parts that never touch a staged
    row: collecting, the warehouse, the benchmarks, the SQL and the CLI. A module moved or added
    anywhere else changes the fingerprint.
    """
    digest = hashlib.blake2b(digest_size=12)
    for name, data in code_files():
        digest.update(name.encode())
        digest.update(data)
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"{name}=-".encode())
    return digest.hexdigest()


def code_files() -> list[tuple[str, bytes]]:
    """``(path in the package, content)`` of the files the fingerprint covers, in path order."""
    found: list[tuple[str, bytes]] = []
    pending: list[tuple[str, Traversable]] = [("", files("etl"))]
    while pending:
        prefix, folder = pending.pop()
        for entry in folder.iterdir():
            name = f"{prefix}{entry.name}"
            if entry.name in _NOT_SEEN or name in _NOT_SEEN:
                continue
            if entry.is_dir():
                pending.append((f"{name}/", entry))
            elif entry.name.endswith((".py", ".toml", ".csv", ".json", ".txt")):
                found.append((name, entry.read_bytes()))
    return sorted(found)


def fingerprint(settings: ExtractionSettings) -> str:
    digest = hashlib.blake2b(digest_size=8)
    digest.update(_code_digest().encode())
    digest.update(json.dumps(asdict(settings), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def unit_identity(unit: str) -> dict[str, Any]:
    """Size and modification time of a unit: of the file, or of every file in the folder."""
    path = Path(unit)
    if path.is_dir():
        stats = sorted(
            (child.name, child.stat().st_size, child.stat().st_mtime_ns)
            for child in path.iterdir()
            if child.is_file()
        )
        digest = hashlib.blake2b(json.dumps(stats).encode(), digest_size=16).hexdigest()
        return {"unit": str(path), "folder": digest}
    stat = path.stat()
    return {"unit": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


# A unit's staged files kept in the cache (the same names as in a staging folder).
CachedUnit = StagedFiles


class ExtractionCache:
    """The cache of one fingerprint; every method tolerates a missing or damaged entry."""

    def __init__(self, root: Path, settings: ExtractionSettings) -> None:
        self.root = root
        self.fingerprint = fingerprint(settings)
        self.dir = root / self.fingerprint

    @classmethod
    def for_staging(cls, staging: Path, settings: ExtractionSettings) -> ExtractionCache | None:
        """The cache of the data directory a staging folder belongs to, where it has one.

        Staging folders are ``DataDir.staging``; a unit staged anywhere else (a test's
        temporary folder) is not cached.
        """
        data = DataDir.of_staging(staging)
        return None if data is None else cls(data.extraction_cache(), settings)

    def entry(self, key: str) -> CachedUnit:
        return StagedFiles.of(self.dir, key)

    def unchanged(self, key: str, identity: dict[str, Any]) -> CachedUnit | None:
        """The entry of a unit that has not changed since it was cached, else None."""
        entry = self.entry(key)
        try:
            stored = json.loads(entry.summary.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if stored.get("identity") != identity or stored.get("filtered"):
            return None
        if not (entry.articles.exists() and entry.rejects.exists()):
            return None
        return entry

    def known_pages(self, key: str) -> dict[bytes, tuple[str, int]]:
        """Page key to (``articles`` or ``rejects``, row number) in the unit's last entry."""
        entry = self.entry(key)
        known: dict[bytes, tuple[str, int]] = {}
        for kind, path in (("articles", entry.articles), ("rejects", entry.rejects)):
            try:
                keys = read_parquet_file(path, ["page_key"]).column("page_key").to_pylist()
            except (OSError, KeyError, ValueError):
                continue
            for row, value in enumerate(keys):
                if value is not None:
                    known[value] = (kind, row)
        return known

    def keep(self, key: str, summary: dict[str, Any], articles: Path, rejects: Path) -> None:
        """Remember a unit's staged files (hard links: no copy, and no harm to the staging)."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            entry = self.entry(key)
            _link_atomic(articles, entry.articles)
            _link_atomic(rejects, entry.rejects)
            temporary = entry.summary.with_name(f".{entry.summary.name}.tmp")
            temporary.write_text(json.dumps(summary, indent=1), encoding="utf-8")
            temporary.replace(entry.summary)
            self._drop_other_fingerprints()
        except OSError:
            # A cache that cannot be written costs speed next time, never this run's output.
            return

    def _drop_other_fingerprints(self) -> None:
        for other in self.root.iterdir():
            if other.is_dir() and other.name != self.fingerprint:
                shutil.rmtree(other, ignore_errors=True)


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` becomes the same file as ``source`` (a copy where links are impossible)."""
    _link_atomic(source, target)


def _link_atomic(source: Path, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    temporary.replace(target)
