"""
### news_reprocess

Re-extract articles from the raw WARC archive (`<data_dir>/raw/YYYY/MM/DD/`), without the
network: the backfill path when extraction rules improve (a trafilatura upgrade, a setting,
a fix in `etl/`).

`list_archives` selects the archive files of the fetch days and sources asked for, `extract`
runs once per file (dynamic task mapping), `store` cleans, deduplicates and writes each file's
lake rows and emits the `news_archive_articles` asset (so `news_warehouse` merges the changes),
`clean_up` deletes the staging files.

**Exactly the affected partitions are replaced.** The lake rows of an archive file belong to
the run named after the file, whichever collect or reprocess wrote them: storing the file
again replaces that run's file in each `published_date` partition and removes the run's files
from partitions it no longer reaches. Nothing else in the lake is touched, and running the
same reprocess twice gives the same lake.

**Trigger it** (no schedule):

```
airflow dags trigger news_reprocess --conf '{"since": "2025-10-01", "until": "2025-10-16",
    "sources": ["tagesschau.de"], "settings": ["favor_precision=true"]}'
```

**Params**

- `since`, `until`: fetch days (UTC, inclusive; the archive's folders). Empty: unbounded.
- `sources`: source keys (registered domains). Empty: every source in the archive.
- `settings`: extraction settings as `NAME=VALUE`, as `news-archive run --set` takes them.
- `data_dir`: empty: `NEWS_ARCHIVE_DATA_DIR`, else `data`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, Param, dag, task

# Path arithmetic only: no I/O at parse time.
REPO_DIR = Path(__file__).absolute().parent.parent
ARTICLES = Asset(name="news_archive_articles")


def _data_dir(params: dict[str, Any]) -> str | Path:
    from etl.core.runs import data_dir_for

    return data_dir_for(params["data_dir"], REPO_DIR)


def _staging_key(run_id: str) -> str:
    """This DAG run's own staging folder (``staging/<key>``): never one that a collect or a
    CLI run uses too, as those delete theirs when done."""
    from etl.core.runs import run_key

    return run_key(f"reprocess-{run_id}")


@dag(
    dag_id="news_reprocess",
    schedule=None,
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    # Two reprocesses of overlapping days would write the same runs' files.
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=1),
        # A multiplier since Airflow 3.1.
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
    tags=["news-archive", "backfill"],
    doc_md=__doc__,
    params={
        "since": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Since",
            description="First fetch day (UTC) to reprocess; empty: the archive's first.",
        ),
        "until": Param(
            None,
            type=["null", "string"],
            format="date",
            title="Until",
            description="Last fetch day (UTC) to reprocess; empty: the archive's last.",
        ),
        "sources": Param(
            [],
            type="array",
            items={"type": "string", "minLength": 1},
            title="Sources",
            description="Source keys (registered domains); empty: all.",
        ),
        "settings": Param(
            [],
            type="array",
            items={"type": "string", "pattern": "^[A-Za-z_-]+=.*$"},
            title="Extraction settings",
            description="NAME=VALUE, e.g. favor_precision=true or min_words=40.",
        ),
        "data_dir": Param(
            None,
            type=["null", "string"],
            title="Data directory",
            description="Empty: NEWS_ARCHIVE_DATA_DIR, else 'data'.",
        ),
    },
)
def news_reprocess() -> None:
    @task
    def list_archives(params: dict[str, Any]) -> list[str]:
        from airflow.sdk.exceptions import AirflowFailException

        from etl.collect.steps import select_archives
        from etl.core.errors import InputError
        from etl.extract.page import SettingsError, extraction_settings
        from etl.ingest.selection import RecordFilter

        # Bad values fail here, once, rather than in every mapped extract; and at once:
        # retrying cannot fix a Param.
        try:
            extraction_settings(params["settings"])
            days = RecordFilter.build(params["since"], params["until"])
            return select_archives(_data_dir(params), days.since, days.until, params["sources"])
        except (InputError, SettingsError) as exc:
            raise AirflowFailException(str(exc)) from None

    @task(map_index_template="{{ task.op_kwargs['archive'].rsplit('/', 1)[-1] }}")
    def extract(archive: str, params: dict[str, Any], run_id: str) -> str:
        from etl.core.datadir import DataDir
        from etl.core.staging import publish_unit
        from etl.extract.page import extraction_settings
        from etl.extract.unit import extract_unit

        data = DataDir.at(_data_dir(params))
        staged = extract_unit(
            archive, data.staging(_staging_key(run_id)), extraction_settings(params["settings"])
        )
        # On an s3:// root the staged unit is uploaded, for the store on whichever worker.
        return publish_unit(data, staged)

    @task(outlets=[ARTICLES])
    def store(staged: list[str], params: dict[str, Any], outlet_events: Any) -> dict[str, Any]:
        from etl.collect.steps import store_staged_archives

        data_dir = _data_dir(params)
        # A slice fetches all mapped results in one request.
        summary = store_staged_archives(staged[:], data_dir)
        outlet_events[ARTICLES].extra = {
            "runs": len(summary.runs),
            "articles": summary.articles,
            "data_dir": str(data_dir),
        }
        return summary.as_dict()

    @task
    def clean_up(params: dict[str, Any], run_id: str) -> bool:
        from etl.core.runs import remove_staging

        return remove_staging(_data_dir(params), _staging_key(run_id))

    store(extract.expand(archive=list_archives())) >> clean_up()


news_reprocess()
