"""Two lakes compared table by table, row for row: proof that a change kept the output.

A refactor, a library upgrade or a new release should leave the lake of the same inputs as it
was. ``news-archive lake-diff OLD NEW`` (two data directories) reads every Parquet table
under both ``lake/`` folders (articles, rejects, story index, fetch log, ...) and reports the
tables, partitions and columns that differ. Rows are compared in ``article_id`` (or
full-row) order, so the order of rows within a file does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl


@dataclass
class LakeDiff:
    """What differs between two lakes; empty lists mean the same rows in the same places."""

    only_old: list[str] = field(default_factory=list)
    only_new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0

    @property
    def same(self) -> bool:
        return not (self.only_old or self.only_new or self.changed)

    def lines(self) -> list[str]:
        """A short human report."""
        if self.same:
            return [f"same: {self.tables} tables, {self.rows} rows"]
        out = [f"only in old: {path}" for path in self.only_old]
        out += [f"only in new: {path}" for path in self.only_new]
        out += [f"differs: {what}" for what in self.changed]
        return out


def _files(lake: Path) -> dict[str, Path]:
    return {
        str(path.relative_to(lake)): path
        for path in sorted(lake.rglob("*.parquet"))
        if not any(part.startswith((".", "_")) for part in path.relative_to(lake).parts)
    }


def _table(path: Path) -> pl.DataFrame:
    frame = pl.read_parquet(path, hive_partitioning=False)
    order = ["article_id"] if "article_id" in frame.columns else []
    sortable = [c for c, t in frame.schema.items() if not isinstance(t, (pl.List, pl.Struct))]
    return frame.sort(order + [c for c in sortable if c not in order], nulls_last=True)


def compare_lakes(old_lake: str | Path, new_lake: str | Path) -> LakeDiff:
    """Compare two ``lake/`` folders file by file (the partitioned paths) and row by row."""
    old, new = _files(Path(old_lake)), _files(Path(new_lake))
    diff = LakeDiff(
        only_old=sorted(old.keys() - new.keys()), only_new=sorted(new.keys() - old.keys())
    )
    diff.tables = len({name.split("/", 1)[0] for name in old.keys() | new.keys()})
    for name in sorted(old.keys() & new.keys()):
        before, after = _table(old[name]), _table(new[name])
        diff.rows += after.height
        if before.columns != after.columns:
            diff.changed.append(f"{name}: columns {before.columns} -> {after.columns}")
        elif before.height != after.height:
            diff.changed.append(f"{name}: {before.height} rows -> {after.height}")
        else:
            columns = [c for c in before.columns if not before[c].equals(after[c])]
            if columns:
                diff.changed.append(f"{name}: column(s) {', '.join(columns)}")
    return diff
