"""
### news_import

Import saved news pages (WARC files, folders of HTML pages, single HTML files) into the
Parquet lake, then rebuild the DuckDB warehouse from it.

`list_inputs` expands the inputs into units of work, `extract` runs once per unit (dynamic
task mapping) and writes a staging Parquet file, `store` cleans, deduplicates and writes the
run's lake partitions (and emits the `news_archive_articles` asset), `warehouse` rebuilds
`<data_dir>/warehouse/news.duckdb`. Tasks hand each other paths, never data.

**Trigger it** (the DAG has no schedule):

- UI: *Trigger* on `news_import`, edit the form.
- CLI: `airflow dags trigger news_import --conf '{"inputs": ["data/samples"]}'`
- One-off run without a scheduler: `airflow dags test news_import --conf '{...}'`

**Params**

- `inputs`: paths to WARC files, folders of HTML pages or HTML files. Relative paths are
  resolved against the repository root. Default: `data/samples`.
- `data_dir`: where the lake and the warehouse live. Empty: `NEWS_ARCHIVE_DATA_DIR`, else
  `data`; a relative path is resolved against the repository root.

Outputs are keyed by the Airflow run id: re-running (clearing) a run replaces exactly the
partitions that run wrote, and a new run adds its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, Param, dag, task

# The task process's working directory is whatever the worker's is, so relative paths are
# anchored here rather than left to chance. Path arithmetic only: no I/O at parse time.
REPO_DIR = Path(__file__).absolute().parent.parent

ARTICLES = Asset(name="news_archive_articles")


def _from_repo(path: str | Path) -> Path:
    path = Path(path).expanduser()
    return path if path.is_absolute() else REPO_DIR / path


def _data_dir(params: dict[str, Any]) -> Path:
    # Resolved when the task runs, not at parse time, so the worker's environment decides and
    # parsing never imports the etl package.
    from etl.config import Settings

    return _from_repo(params.get("data_dir") or Settings.from_env().data_dir)


def _run_key(run_id: str) -> str:
    """The run id as etl accepts it (``[A-Za-z0-9_.-]``, at most 120), stable across retries."""
    key = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).lstrip(".")
    if key != run_id or len(key) > 120:
        # Two run ids that differ only in punctuation, or only after the cut, would otherwise
        # share (and overwrite) each other's partitions.
        digest = hashlib.blake2s(run_id.encode(), digest_size=4).hexdigest()
        key = f"{key[:111]}-{digest}"
    return key


@dag(
    dag_id="news_import",
    schedule=None,
    start_date=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    catchup=False,
    # Every run rewrites the one DuckDB file.
    max_active_runs=1,
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=1),
        # A multiplier since Airflow 3.1 (True still deserialises as 2.0).
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=10),
    },
    tags=["news-archive", "import"],
    doc_md=__doc__,
    params={
        "inputs": Param(
            ["data/samples"],
            type="array",
            items={"type": "string", "minLength": 1},
            minItems=1,
            title="Inputs",
            description="WARC files, folders of HTML pages or HTML files, one per line. "
            "Relative paths are resolved against the repository root.",
        ),
        "data_dir": Param(
            None,
            type=["null", "string"],
            title="Data directory",
            description="Where the lake and the warehouse live. Empty: NEWS_ARCHIVE_DATA_DIR, "
            "else 'data' in the repository.",
        ),
    },
)
def news_import() -> None:
    @task
    def list_inputs(params: dict[str, Any]) -> list[str]:
        from etl.pipeline import list_input_units

        return list_input_units([_from_repo(p) for p in params["inputs"]])

    # The UI then lists mapped instances by input rather than by number.
    @task(map_index_template="{{ task.op_kwargs['unit'] }}")
    def extract(unit: str, params: dict[str, Any], run_id: str) -> str:
        from etl.pipeline import extract_unit, staging_dir_for

        return extract_unit(unit, staging_dir_for(_data_dir(params), _run_key(run_id)))

    @task(outlets=[ARTICLES])
    def store(
        staged: list[str], params: dict[str, Any], run_id: str, outlet_events: Any
    ) -> dict[str, object]:
        from etl.pipeline import store_run

        # A slice fetches all mapped results in one request; iterating would fetch them one
        # at a time and end on a 404 that Airflow logs as an error.
        summary = store_run(staged[:], _data_dir(params), _run_key(run_id))
        outlet_events[ARTICLES].extra = {
            "run_id": summary["run_id"],
            "articles": summary["articles"],
            "data_dir": str(_data_dir(params)),
        }
        return summary

    @task
    def warehouse(params: dict[str, Any]) -> str:
        from etl.warehouse import build_warehouse

        return build_warehouse(_data_dir(params))

    store(extract.expand(unit=list_inputs())) >> warehouse()


news_import()
