"""
### news_import_warc

Import WARC files someone else crawled (Common Crawl's CC-NEWS, `wget --warc-file`,
browsertrix, ...) or folders of saved HTML pages into the Parquet lake.

`list_inputs` expands the paths and glob patterns into files, `extract` runs once per file
(dynamic task mapping) and drops records outside the date and domain filters *before*
extraction, `store` cleans, deduplicates and writes the run's lake partitions and emits the
`news_archive_articles` asset (which schedules `news_warehouse`), `clean_up` deletes the run's
staging files. Tasks hand each other paths, never data.

**Trigger it** (no schedule): *Trigger* in the UI and edit the form, or

```
airflow dags trigger news_import_warc --conf '{"paths": ["/data/cc-news/2025/10/*.warc.gz"],
    "since": "2025-10-16", "until": "2025-10-17", "domains": ["tagesschau.de", "bbc.co.uk"]}'
```

**Params**

- `paths`: WARC files, glob patterns (`**` allowed) or folders. Relative paths are resolved
  against the repository root. Default: the bundled sample WARC.
- `since`, `until`: keep records fetched on these UTC days (the WARC-Date; inclusive).
- `domains`: keep records of these outlets (registered domains; `www.` and URLs are fine).
- `data_dir`: where the lake lives. Empty: `NEWS_ARCHIVE_DATA_DIR`, else `data`.

Records the filters drop are counted as skipped (`outside_dates`, `other_domain`), so the
run's accounting still adds up. Outputs are keyed by the run: re-running (clearing) a run
replaces exactly the files that run wrote.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, Param, dag, task

# Path arithmetic only: no I/O at parse time.
REPO_DIR = Path(__file__).absolute().parent.parent
ARTICLES = Asset(name="news_archive_articles")


def _run_paths(params: dict[str, Any], run_id: str, dag_run: Any) -> tuple[str | Path, str]:
    """The run's data root and key, worked out in the task (the worker's environment decides)."""
    from etl.core.runs import data_dir_for, scheduled_run_key

    key = scheduled_run_key(
        "import", run_id, dag_run.data_interval_start, dag_run.data_interval_end
    )
    return data_dir_for(params["data_dir"], REPO_DIR), key


@dag(
    dag_id="news_import_warc",
    schedule=None,
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    # One import at a time: a CC-NEWS day is gigabytes, and runs share the workers' disks.
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=1),
        # A multiplier since Airflow 3.1.
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
    tags=["news-archive", "import"],
    doc_md=__doc__,
    params={
        "paths": Param(
            ["data/samples/warc/*.warc.gz"],
            type="array",
            items={"type": "string", "minLength": 1},
            minItems=1,
            title="WARC files",
            description="WARC files, glob patterns or folders, one per line. Relative paths are "
            "resolved against the repository root.",
        ),
        "since": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Since",
            description="Keep records fetched on or after this UTC day (WARC-Date).",
        ),
        "until": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Until",
            description="Keep records fetched on or before this UTC day (WARC-Date).",
        ),
        "domains": Param(
            [],
            type="array",
            items={"type": "string", "minLength": 1},
            title="Domains",
            description="Keep records of these outlets only; empty: all.",
        ),
        "data_dir": Param(
            None,
            type=["null", "string"],
            title="Data directory",
            description="Where the lake lives. Empty: NEWS_ARCHIVE_DATA_DIR, else 'data'.",
        ),
    },
)
def news_import_warc() -> None:
    @task
    def list_inputs(params: dict[str, Any]) -> list[str]:
        from airflow.sdk.exceptions import AirflowFailException

        from etl.core.connections import object_store_from_airflow
        from etl.core.errors import InputError
        from etl.core.objectstore import is_object_url
        from etl.ingest.selection import RecordFilter, expand_inputs

        if any(is_object_url(path) for path in params["paths"]):
            object_store_from_airflow()
        # Bad filter values fail here, once, rather than in every mapped extract; and at
        # once: retrying cannot fix a Param or a missing file.
        try:
            RecordFilter.build(params["since"], params["until"], params["domains"])
            return expand_inputs(params["paths"], base=REPO_DIR)
        except InputError as exc:
            raise AirflowFailException(str(exc)) from None

    @task(map_index_template="{{ task.op_kwargs['unit'] }}")
    def extract(unit: str, params: dict[str, Any], run_id: str, dag_run: Any) -> str:
        from etl.core.connections import object_store_from_airflow
        from etl.core.datadir import DataDir
        from etl.core.objectstore import is_object_url
        from etl.core.staging import publish_unit
        from etl.extract.unit import extract_unit
        from etl.ingest.selection import RecordFilter

        if is_object_url(unit):
            object_store_from_airflow()
        record_filter = RecordFilter.build(params["since"], params["until"], params["domains"])
        data_dir, key = _run_paths(params, run_id, dag_run)
        data = DataDir.at(data_dir)
        skip = record_filter.skip_reason if record_filter.active else None
        # On an s3:// root the staged unit is uploaded, for the store on whichever worker.
        return publish_unit(data, extract_unit(unit, data.staging(key), skip=skip))

    @task(outlets=[ARTICLES])
    def store(
        staged: list[str], params: dict[str, Any], run_id: str, dag_run: Any, outlet_events: Any
    ) -> dict[str, object]:
        from etl.load.store import store_run

        data_dir, key = _run_paths(params, run_id, dag_run)
        # A slice fetches all mapped results in one request.
        summary = store_run(staged[:], data_dir, key)
        outlet_events[ARTICLES].extra = {
            "run_id": key,
            "articles": summary.articles,
            "data_dir": str(data_dir),
        }
        return summary.as_dict()

    @task
    def clean_up(params: dict[str, Any], run_id: str, dag_run: Any) -> bool:
        from etl.core.runs import remove_staging

        return remove_staging(*_run_paths(params, run_id, dag_run))

    store(extract.expand(unit=list_inputs())) >> clean_up()


news_import_warc()
