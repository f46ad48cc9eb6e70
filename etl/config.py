"""Settings from ``NEWS_ARCHIVE_*`` environment variables, with defaults that just work."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Where the data lives and how hard to work; built once per process."""

    data_dir: Path = Path("data")
    workers: int = 1
    batch_size: int = 256

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            data_dir=Path(os.environ.get("NEWS_ARCHIVE_DATA_DIR") or "data"),
            workers=max(1, _env_int("NEWS_ARCHIVE_WORKERS", os.cpu_count() or 1)),
            batch_size=max(1, _env_int("NEWS_ARCHIVE_BATCH_SIZE", 256)),
        )

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "news.duckdb"
