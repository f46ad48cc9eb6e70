"""Settings from ``NEWS_ARCHIVE_*`` environment variables, with defaults that just work."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

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
class Settings:
    """Where the data lives and how hard to work; built once per process."""

    data_dir: Path = Path("data")
    workers: int = 1
    batch_size: int = 256
    # Two articles can be one story only when published (else fetched) this close together.
    story_window: timedelta = timedelta(days=3)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            data_dir=Path(os.environ.get("NEWS_ARCHIVE_DATA_DIR") or "data"),
            workers=max(1, _env_number("NEWS_ARCHIVE_WORKERS", os.cpu_count() or 1, int)),
            batch_size=max(1, _env_number("NEWS_ARCHIVE_BATCH_SIZE", 256, int)),
            story_window=timedelta(
                days=max(0.0, _env_number("NEWS_ARCHIVE_STORY_WINDOW_DAYS", 3.0, float))
            ),
        )

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "news.duckdb"
