"""Reading the warehouse from the command line: search, read-only SQL, headline figures.

Every query runs on a read-only connection, so nothing typed here can change the warehouse;
user values reach DuckDB as bound parameters only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from etl.core.resources import sql_file
from etl.warehouse.connect import connect_read_only


class QueryError(ValueError):
    """A query DuckDB refused: reported in one line."""


@dataclass(frozen=True)
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def search(
    data_dir: str | Path,
    query: str,
    *,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    topic: str | None = None,
    language: str | None = None,
    all_terms: bool = False,
    limit: int = 20,
) -> Result:
    """Articles matching ``query``, best first (BM25, stemmed in each article's language)."""
    params = {
        "query": query,
        "since": since,
        "until": until,
        "source": source,
        "topic": topic,
        "language": language,
        "all_terms": all_terms,
        "max_rows": limit,
    }
    return _run(data_dir, _sql("search.sql"), params)


def run_sql(data_dir: str | Path, sql: str) -> Result:
    """Any statement on a read-only connection: a write fails with DuckDB's reason."""
    return _run(data_dir, sql, None)


def stats(data_dir: str | Path) -> Result:
    return _run(data_dir, _sql("stats.sql"), None)


def format_table(result: Result, max_width: int = 60) -> str:
    """A plain text table; long values are cut to ``max_width`` characters."""
    if not result.columns:
        return "ok"
    cells = [[_cell(v, max_width) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(result.columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.append(f"({len(result.rows)} row{'' if len(result.rows) == 1 else 's'})")
    return "\n".join(lines)


def format_record(result: Result) -> str:
    """One row as ``name  value`` lines (for ``stats``)."""
    if not result.rows:
        return ""
    width = max(len(c) for c in result.columns)
    return "\n".join(
        f"{c.replace('_', ' ').ljust(width)}  {_cell(v, 200)}"
        for c, v in zip(result.columns, result.rows[0], strict=True)
    )


def _run(data_dir: str | Path, sql: str, params: dict[str, Any] | None) -> Result:
    with connect_read_only(data_dir) as con:
        try:
            cursor = con.execute(sql, params) if params is not None else con.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall() if columns else []
        except duckdb.Error as exc:
            # DuckDB's messages run over several lines (the query, a caret): keep the reason.
            raise QueryError(str(exc).strip().splitlines()[0]) from None
    return Result(columns, rows)


def _sql(name: str) -> str:
    return sql_file("cli", name)


def _cell(value: Any, max_width: int) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= max_width else text[: max_width - 1] + "…"
