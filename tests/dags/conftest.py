"""Airflow for the DAG tests: a throwaway home with SQLite, the repository's ``dags/``.

Airflow reads its configuration once, when ``airflow`` is first imported, so the environment
is set here at conftest import time (before any test module imports Airflow) rather than in a
fixture. The real ``AIRFLOW_HOME`` of whoever runs the tests is never touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from airflow.dag_processing.dagbag import DagBag

REPO_DIR = Path(__file__).resolve().parents[2]
DAGS_DIR = REPO_DIR / "dags"

if "airflow" in sys.modules:
    raise RuntimeError(
        "airflow was imported before tests/dags/conftest.py could point it at a test home; "
        "something imported it too early (a top-level conftest or plugin?)"
    )

AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="news-archive-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(AIRFLOW_HOME),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{AIRFLOW_HOME / 'airflow.db'}",
        # dag.test() syncs the DAG's bundle to the metadata DB before it runs, and the default
        # bundle is the dags folder: the DAG under test has to be in it.
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
)


@pytest.fixture(scope="session", autouse=True)
def _remove_airflow_home() -> Iterator[None]:
    yield
    shutil.rmtree(AIRFLOW_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Create the metadata DB once per session (tables from the ORM, about 2 s on SQLite),
    with the pool the collect DAG fetches in, as ``make airflow`` creates it."""
    from airflow.models.pool import Pool
    from airflow.utils import db

    db.initdb()
    Pool.create_or_update_pool(
        "news_fetch",
        slots=4,
        description="news-archive: outlets fetched at once",
        include_deferred=False,
    )


def load_dag(dag_id: str):
    """A fresh copy of one DAG with retries off: dag.test() would wait out retry delays, and a
    broken task should fail the test now."""
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=DAGS_DIR).dags[dag_id]
    for task in dag.tasks:
        task.retries = 0
    return dag


def run_dag(dag, run_at, conf, expect_success: bool = True):
    """``dag.test()`` for ``run_at``: the same ``run_at`` is the same run, so calling this again
    re-runs that run (every task cleared and run again)."""
    from airflow.utils.state import DagRunState

    run = dag.test(logical_date=run_at, run_after=run_at, run_conf=conf)
    if expect_success:
        states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
        assert run.state == DagRunState.SUCCESS, states
    return run


def task_result(run, task_id: str):
    """The return value of an unmapped task of ``run`` (its XCom)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        row = session.scalars(
            select(XComModel).where(
                XComModel.dag_id == run.dag_id,
                XComModel.run_id == run.run_id,
                XComModel.task_id == task_id,
                XComModel.map_index == -1,
                XComModel.key == "return_value",
            )
        ).first()
        return None if row is None else XComModel.deserialize_value(row)


@pytest.fixture(scope="session")
def dagbag() -> DagBag:
    """``dags/`` parsed as the DAG processor would (no metadata DB needed). Read-only: tests
    that change a DAG parse their own."""
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=DAGS_DIR)
