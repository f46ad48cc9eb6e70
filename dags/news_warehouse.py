"""
### news_warehouse

Keep the DuckDB warehouse (`<data_dir>/warehouse/news.duckdb`) and the HTML report
(`<data_dir>/report/index.html`) up to date with the Parquet lake.

Scheduled on the `news_archive_articles` asset: it runs after every `news_collect`,
`news_reprocess` and `news_import_warc` run that wrote articles (several events that arrive
while it runs are served by one run). `update_warehouse` merges only the lake files that are
new, rewritten or gone since the last load, by `article_id`, and re-indexes those articles for
full-text search; it rebuilds the file whole when there is none yet or the SQL changed.
`write_report` then renders the report from the new warehouse.

The warehouse is derived data: `make warehouse` (or a run of this DAG with `rebuild` on)
rebuilds it from the lake at any time.

**Params** (for a manual run)

- `data_dir`: the data root to update. Empty: the one each triggering event names, else
  `NEWS_ARCHIVE_DATA_DIR`, else `data`.
- `rebuild`: build the warehouse from the whole lake instead of merging what changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, Param, dag, task

# Path arithmetic only: no I/O at parse time.
REPO_DIR = Path(__file__).absolute().parent.parent
ARTICLES = Asset(name="news_archive_articles")


@dag(
    dag_id="news_warehouse",
    schedule=[ARTICLES],
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    # One writer of the DuckDB file; events that arrive meanwhile queue up for the next run.
    max_active_runs=1,
    default_args={
        "retries": 3,
        "retry_delay": dt.timedelta(seconds=30),
        # A multiplier since Airflow 3.1.
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
    tags=["news-archive", "warehouse"],
    doc_md=__doc__,
    params={
        "data_dir": Param(
            None,
            type=["null", "string"],
            title="Data directory",
            description="The data root to update. Empty: the triggering events' data roots, "
            "else NEWS_ARCHIVE_DATA_DIR, else 'data'.",
        ),
        "rebuild": Param(
            False,
            type="boolean",
            title="Full rebuild",
            description="Rebuild from the whole lake instead of merging what changed.",
        ),
    },
)
def news_warehouse() -> None:
    @task
    def data_dirs(params: dict[str, Any], triggering_asset_events: Any) -> list[str]:
        from etl.core.runs import data_dirs_to_update

        # Each writer names the data root it wrote to in its event's extra.
        announced = [
            (event.extra or {}).get("data_dir")
            for events in triggering_asset_events.values()
            for event in events
        ]
        return [str(d) for d in data_dirs_to_update(params["data_dir"], announced, REPO_DIR)]

    @task(map_index_template="{{ task.op_kwargs['data_dir'] }}")
    def update_warehouse(data_dir: str, params: dict[str, Any]) -> str:
        from etl.warehouse.build import update_warehouse

        summary = update_warehouse(data_dir, rebuild=bool(params["rebuild"]))
        print(f"warehouse: {summary}")
        return data_dir

    @task(map_index_template="{{ task.op_kwargs['data_dir'] }}")
    def write_report(data_dir: str) -> str:
        from etl.warehouse.report import write_report

        return write_report(data_dir)

    write_report.expand(data_dir=update_warehouse.expand(data_dir=data_dirs()))


news_warehouse()
