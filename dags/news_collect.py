"""
### news_collect

Collect the outlets of the sources file every hour: discover article URLs in their feeds and
sitemaps, fetch the new ones politely into the raw WARC archive, and store the articles in
the Parquet lake.

- `list_sources` reads and checks the sources file (`NEWS_ARCHIVE_SOURCES`, else
  `data/sources.toml`) and returns the source keys.
- `fetch` runs once per source (dynamic task mapping) in the pool **`news_fetch`**, whose
  slots bound how many outlets are fetched at once; each source's own robots.txt crawl-delay
  and per-host limits apply inside. It writes `raw/YYYY/MM/DD/<source>_<interval>_*.warc.gz`.
- `store` runs once per source: extracts, cleans and writes the source's lake partitions,
  marks the fetched URLs as seen, writes its `fetch_log` and `discovered` rows, and emits the
  `news_archive_articles` asset (which schedules `news_warehouse`).
- `clean_up` deletes the run's staging folder once everything is stored.

**Re-running is safe.** A run is keyed by its data interval: each source's archive for the
hour is fetched once, and clearing a run (or a task) replays that archive instead of fetching
again, replacing exactly the lake files it wrote. `catchup=False`: a collect fetches what the
outlets list *now*, so missed hours are not fetched after the fact (backfill extraction
changes with `news_reprocess` instead).

**Params** (for manual runs; scheduled runs use the defaults)

- `sources_file`: empty: `NEWS_ARCHIVE_SOURCES`, else `data/sources.toml`.
- `data_dir`: empty: `NEWS_ARCHIVE_DATA_DIR`, else `data`.

Relative paths are resolved against the repository root.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, dag, task

# Path arithmetic only: no I/O at parse time.
REPO_DIR = Path(__file__).absolute().parent.parent
ARTICLES = Asset(name="news_archive_articles")
FETCH_POOL = "news_fetch"


def _sources_file(params: dict[str, Any]) -> Path:
    from etl.core.runs import sources_file_for

    return sources_file_for(params["sources_file"], REPO_DIR)


def _run(params: dict[str, Any], run_id: str, dag_run: Any) -> tuple[str | Path, str, dt.datetime]:
    """The run's data root, key and start: the same for every attempt of the same interval."""
    from etl.core.runs import data_dir_for, scheduled_run_key

    start, end = dag_run.data_interval_start, dag_run.data_interval_end
    key = scheduled_run_key("collect", run_id, start, end)
    # A run triggered without a logical date has no interval; its run_after is as stable.
    started = start if start is not None and end is not None and end > start else dag_run.run_after
    return data_dir_for(params["data_dir"], REPO_DIR), key, started


@dag(
    dag_id="news_collect",
    # Runs after each hour, for that hour: the data interval [h, h+1) keys what the run writes.
    # A bare "@hourly" would be a CronTriggerTimetable, whose runs have no interval.
    schedule=CronDataIntervalTimetable("@hourly", timezone="UTC"),
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    # Collects of one source must not overlap: the second would fetch what the first is
    # fetching, and both would write the source's seen-state.
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        # A multiplier since Airflow 3.1.
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=15),
    },
    tags=["news-archive", "collect"],
    doc_md=__doc__,
    params={
        "sources_file": Param(
            None,
            type=["null", "string"],
            title="Sources file",
            description="Empty: NEWS_ARCHIVE_SOURCES, else data/sources.toml.",
        ),
        "data_dir": Param(
            None,
            type=["null", "string"],
            title="Data directory",
            description="Empty: NEWS_ARCHIVE_DATA_DIR, else 'data'.",
        ),
    },
)
def news_collect() -> None:
    @task
    def list_sources(params: dict[str, Any]) -> list[str]:
        from airflow.sdk.exceptions import AirflowFailException

        from etl.collect.sources import SourcesError
        from etl.collect.steps import source_keys

        try:
            return source_keys(_sources_file(params))
        except SourcesError as exc:
            # A missing or broken sources file needs a person, not a retry.
            raise AirflowFailException(str(exc)) from None

    @task(
        pool=FETCH_POOL,
        map_index_template="{{ task.op_kwargs['source'] }}",
        # An hourly run that fetches for most of an hour has a stuck host, not a big feed.
        execution_timeout=dt.timedelta(minutes=45),
    )
    def fetch(source: str, params: dict[str, Any], run_id: str, dag_run: Any) -> dict[str, Any]:
        from etl.collect.steps import fetch_source
        from etl.core.datadir import DataDir

        data_dir, key, started = _run(params, run_id, dag_run)
        fetched = fetch_source(
            _sources_file(params), source, data_dir, started, DataDir.at(data_dir).staging(key)
        )
        return fetched.as_dict()

    @task(outlets=[ARTICLES], map_index_template="{{ task.op_kwargs['fetched']['source'] }}")
    def store(
        fetched: dict[str, Any],
        params: dict[str, Any],
        run_id: str,
        dag_run: Any,
        outlet_events: Any,
    ) -> dict[str, Any]:
        from etl.collect.steps import FetchedSource, store_source

        data_dir, _, _ = _run(params, run_id, dag_run)
        summary = store_source(FetchedSource.from_dict(fetched), data_dir)
        outlet_events[ARTICLES].extra = {
            "source": fetched["source"],
            "articles": summary.articles,
            "data_dir": str(data_dir),
        }
        return summary.as_dict()

    @task
    def clean_up(params: dict[str, Any], run_id: str, dag_run: Any) -> bool:
        from etl.core.runs import remove_staging

        data_dir, key, _ = _run(params, run_id, dag_run)
        return remove_staging(data_dir, key)

    store.expand(fetched=fetch.expand(source=list_sources())) >> clean_up()


news_collect()
