"""Settings from ``NEWS_ARCHIVE_*`` environment variables, with defaults that just work."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

DEFAULT_SOURCES = "data/sources.toml"
Number = TypeVar("Number", int, float)


def _env_number(name: str, default: Number, kind: type[Number]) -> Number:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError as exc:
        what = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name} must be {what}, got {value!r}") from exc


@dataclass(frozen=True)
class ObjectStoreSettings:
    """The S3-compatible store of an ``s3://`` data root, from the standard AWS variables.

    ``AWS_ENDPOINT_URL`` (e.g. ``http://127.0.0.1:8333``; empty: AWS itself),
    ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION`` (or ``AWS_DEFAULT_REGION``).
    """

    endpoint: str = ""
    access_key: str = ""
    secret_key: str = ""
    region: str = "us-east-1"

    @classmethod
    def from_env(cls) -> ObjectStoreSettings:
        env = os.environ
        return cls(
            endpoint=env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or "",
            access_key=env.get("AWS_ACCESS_KEY_ID", ""),
            secret_key=env.get("AWS_SECRET_ACCESS_KEY", ""),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        )


@dataclass(frozen=True)
class Settings:
    """Every ``NEWS_ARCHIVE_*`` variable, read here and nowhere else; built once per process.

    ``NEWS_ARCHIVE_DATA_DIR``           the data root (default ``data``)
    ``NEWS_ARCHIVE_WORKERS``            extraction processes (default: the cores)
    ``NEWS_ARCHIVE_STORY_WINDOW_DAYS``  how far apart a story's articles may be (default 3)
    ``NEWS_ARCHIVE_SOURCES``            the sources file a collect reads (``data/sources.toml``)
    ``NEWS_ARCHIVE_CONTACT``            a URL or address for the fetcher's User-Agent
    ``NEWS_ARCHIVE_REFETCH_AFTER_DAYS`` fetch an article URL again after this many days
    ``NEWS_ARCHIVE_DEBUG``              any value: internal errors show their traceback
    ``NEWS_ARCHIVE_CACHE_DIR``          files kept between runs: derived from installed packages,
                                        and the working copies of ``s3://`` data roots
                                        (default ``$XDG_CACHE_HOME/news-archive``, else
                                        ``~/.cache/news-archive``)
    ``NEWS_ARCHIVE_LOCK_URL``           ``postgresql://...``: the writers' lock of an ``s3://``
                                        data root shared by several machines

    The data root may be a folder or an ``s3://bucket/prefix`` URL (``etl.core.objectstore``).
    """

    data_dir: str | Path = Path("data")
    workers: int = 1
    # Two articles can be one story only when published (else fetched) this close together.
    story_window: timedelta = timedelta(days=3)
    sources_file: Path = Path(DEFAULT_SOURCES)
    contact: str = ""
    refetch_after_days: float | None = None
    cache_dir: Path = Path(".cache/news-archive")
    lock_url: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        refetch = os.environ.get("NEWS_ARCHIVE_REFETCH_AFTER_DAYS", "").strip()
        return cls(
            data_dir=data_root(os.environ.get("NEWS_ARCHIVE_DATA_DIR") or "data"),
            workers=max(1, _env_number("NEWS_ARCHIVE_WORKERS", os.cpu_count() or 1, int)),
            story_window=timedelta(
                days=max(0.0, _env_number("NEWS_ARCHIVE_STORY_WINDOW_DAYS", 3.0, float))
            ),
            sources_file=Path(os.environ.get("NEWS_ARCHIVE_SOURCES") or DEFAULT_SOURCES),
            contact=os.environ.get("NEWS_ARCHIVE_CONTACT", "").strip(),
            refetch_after_days=(
                _env_number("NEWS_ARCHIVE_REFETCH_AFTER_DAYS", 0.0, float) if refetch else None
            ),
            cache_dir=_cache_dir(),
            lock_url=os.environ.get("NEWS_ARCHIVE_LOCK_URL", "").strip(),
        )


def _cache_dir() -> Path:
    if os.environ.get("NEWS_ARCHIVE_CACHE_DIR"):
        return Path(os.environ["NEWS_ARCHIVE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "news-archive"


def data_root(value: str | Path) -> str | Path:
    """A data root as given: an ``s3://`` URL stays text (a ``Path`` would fold its ``//``)."""
    return value if isinstance(value, str) and value.startswith("s3://") else Path(value)


def debug_requested() -> bool:
    """``NEWS_ARCHIVE_DEBUG`` is set: read on its own, as it is asked while handling an error."""
    return bool(os.environ.get("NEWS_ARCHIVE_DEBUG"))
