"""Smoke test of the local cluster (docs/cluster.md): every service answers on 127.0.0.1, and a
``news_import_warc`` run goes end to end through the scheduler, Redis and the Celery workers.

It needs the cluster running, so it skips unless NEWS_ARCHIVE_CLUSTER=1: ``make test-cluster``
starts the cluster, runs this file and stops the cluster again. The settings (ports, generated
passwords and keys) come from cluster_home/cluster.env, which ``ops/cluster.sh`` writes.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
CLUSTER_HOME = Path(os.environ.get("NEWS_ARCHIVE_CLUSTER_HOME", REPO_DIR / "cluster_home"))
SAMPLE_WARC = REPO_DIR / "data" / "samples" / "warc" / "samples.warc.gz"
WORKERS = ("worker1", "worker2")
DAG_ID = "news_import_warc"
RUN_TIMEOUT = 300.0

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        os.environ.get("NEWS_ARCHIVE_CLUSTER") != "1",
        reason="needs the local cluster: run `make test-cluster` (NEWS_ARCHIVE_CLUSTER=1)",
    ),
]


def read_env_file(path: Path) -> dict[str, str]:
    settings = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            settings[name.strip()] = value.strip()
    return settings


@pytest.fixture(scope="module")
def settings() -> dict[str, str]:
    path = CLUSTER_HOME / "cluster.env"
    if not path.exists():
        pytest.fail(f"{path} is missing: is the cluster up (make cluster)?")
    return read_env_file(path)


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(1)


def celery_inspect(settings: dict[str, str], command: str) -> dict[str, Any]:
    """``celery inspect COMMAND`` against Airflow's Celery app: the workers' answers by name."""
    celery = Path(sys.executable).parent / "celery"
    app = "airflow.providers.celery.executors.celery_executor.app"
    done = subprocess.run(
        [str(celery), "--app", app, "inspect", command, "--json", "--timeout", "5"],
        env=os.environ | settings,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # Airflow's import-time warnings share stdout with the answer, which is the JSON line.
    answer = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert answer, f"no answer from celery inspect {command}: {done.stdout}{done.stderr}"
    result: dict[str, Any] = json.loads(answer[-1])
    return result


def test_s3_put_and_get(settings: dict[str, str]) -> None:
    from pyarrow import fs

    def s3(secret_key: str) -> fs.S3FileSystem:
        return fs.S3FileSystem(
            endpoint_override=settings["NEWS_ARCHIVE_S3_ENDPOINT"].removeprefix("http://"),
            scheme="http",
            access_key=settings["AWS_ACCESS_KEY_ID"],
            secret_key=secret_key,
            region=settings["AWS_DEFAULT_REGION"],
        )

    store = s3(settings["AWS_SECRET_ACCESS_KEY"])
    key = f"{settings['NEWS_ARCHIVE_S3_BUCKET']}/smoke/{uuid.uuid4().hex}.txt"
    payload = b"news-archive smoke test\n" * 1000
    with store.open_output_stream(key) as out:
        out.write(payload)
    try:
        with store.open_input_stream(key) as stored:
            assert stored.read() == payload
        assert store.get_file_info(key).size == len(payload)
        # The key is checked: the same request with a wrong secret is refused.
        with pytest.raises(OSError), s3("not-the-secret").open_input_stream(key) as stored:
            stored.read()
    finally:
        store.delete_file(key)
    assert store.get_file_info(key).type == fs.FileType.NotFound


def test_postgres_holds_airflow_metadata(settings: dict[str, str]) -> None:
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1",
        port=int(settings["NEWS_ARCHIVE_PG_PORT"]),
        user="airflow",
        password=settings["NEWS_ARCHIVE_PG_PASSWORD"],
        dbname="airflow",
        connect_timeout=5,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_setting('port')")
            assert cursor.fetchone() == ("airflow", settings["NEWS_ARCHIVE_PG_PORT"])
            # `airflow db migrate` ran against this database.
            cursor.execute("SELECT count(*) FROM alembic_version")
            assert cursor.fetchone() == (1,)
            cursor.execute("SELECT slots FROM slot_pool WHERE pool = 'news_fetch'")
            assert cursor.fetchone() is not None, "no news_fetch pool"
    finally:
        connection.close()


def test_redis_answers_ping(settings: dict[str, str]) -> None:
    with socket.create_connection(("127.0.0.1", int(settings["NEWS_ARCHIVE_REDIS_PORT"])), 5) as s:
        s.sendall(b"PING\r\n")
        assert s.recv(64) == b"+PONG\r\n"


def test_both_celery_workers_answer(settings: dict[str, str]) -> None:
    answers = celery_inspect(settings, "ping")
    assert sorted(name.split("@")[0] for name in answers) == list(WORKERS)
    assert all(answer == {"ok": "pong"} for answer in answers.values())


@pytest.fixture(scope="module")
def api(settings: dict[str, str]) -> Iterator[httpx.Client]:
    """The REST API, logged in as the simple auth manager's admin."""
    base = settings["AIRFLOW__API__BASE_URL"]
    passwords = Path(settings["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    password = json.loads(passwords.read_text())["admin"]
    login = httpx.post(f"{base}/auth/token", json={"username": "admin", "password": password})
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    with httpx.Client(base_url=f"{base}/api/v2", headers=headers, timeout=30) as client:
        yield client


def tasks_done(stats: dict[str, Any]) -> dict[str, int]:
    return {name.split("@")[0]: sum(s["total"].values()) for name, s in stats.items()}


def test_news_import_warc_runs_on_the_celery_workers(
    api: httpx.Client, settings: dict[str, str], tmp_path: Path
) -> None:
    # The dag-processor has to have parsed dags/ before the DAG can be triggered.
    wait_for(lambda: api.get(f"/dags/{DAG_ID}").status_code == 200, 180, f"{DAG_ID} to be parsed")
    api.patch(f"/dags/{DAG_ID}", json={"is_paused": False}).raise_for_status()
    # A run left unfinished by a cluster stopped mid-run would hold ours back for minutes
    # (max_active_runs=1) until Airflow gives its tasks up: end it first.
    unfinished = api.get(
        f"/dags/{DAG_ID}/dagRuns", params={"state": ["queued", "running"]}
    ).raise_for_status()
    for stale in unfinished.json()["dag_runs"]:
        print(f"\nmarking the unfinished run {stale['dag_run_id']} failed")
        api.patch(
            f"/dags/{DAG_ID}/dagRuns/{stale['dag_run_id']}", json={"state": "failed"}
        ).raise_for_status()
    before = tasks_done(celery_inspect(settings, "stats"))

    data_dir = tmp_path / "data"
    conf = {"paths": [str(SAMPLE_WARC)], "data_dir": str(data_dir)}
    started = time.monotonic()
    triggered = api.post(f"/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": conf})
    triggered.raise_for_status()
    run_id = triggered.json()["dag_run_id"]
    run_url = f"/dags/{DAG_ID}/dagRuns/{run_id}"

    def finished() -> dict[str, Any] | None:
        run: dict[str, Any] = api.get(run_url).raise_for_status().json()
        return run if run["state"] in ("success", "failed") else None

    run = wait_for(finished, RUN_TIMEOUT, f"run {run_id} to finish")
    elapsed = time.monotonic() - started
    instances = api.get(f"{run_url}/taskInstances").raise_for_status().json()["task_instances"]
    states = {(ti["task_id"], ti["map_index"]): ti["state"] for ti in instances}
    assert run["state"] == "success", f"run {run_id} {run['state']}: {states}"

    assert {ti["task_id"] for ti in instances} == {"list_inputs", "extract", "store", "clean_up"}
    assert set(states.values()) == {"success"}
    # Each task ran in a worker's process, which recorded its machine.
    assert all(ti["hostname"] for ti in instances), instances

    # The lake holds what the store task says it wrote.
    summary = (
        api.get(
            f"{run_url}/taskInstances/store/xcomEntries/return_value",
            params={"deserialize": True, "stringify": False},
        )
        .raise_for_status()
        .json()["value"]
    )
    import pyarrow.dataset as ds

    articles = data_dir / "lake" / "articles"
    files = sorted(articles.rglob("*.parquet"))
    assert files, f"no article files under {articles}"
    rows = ds.dataset(articles, format="parquet", partitioning="hive").count_rows()
    assert rows == summary["articles"] > 0

    after = tasks_done(celery_inspect(settings, "stats"))
    ran_on = {w: after.get(w, 0) - before.get(w, 0) for w in sorted(after)}
    assert sum(ran_on.values()) >= len(instances)
    print(
        f"\n{DAG_ID} run {run_id}: {run['state']} {elapsed:.1f}s after the trigger "
        f"(queued {run['queued_at']}, start {run['start_date']}, end {run['end_date']})"
        f"\n  tasks per worker: {ran_on}; hostnames: {sorted({ti['hostname'] for ti in instances})}"
        f"\n  lake: {rows} articles in {len(files)} files"
    )
    for ti in sorted(instances, key=lambda ti: ti["start_date"]):
        print(f"  {ti['task_id']}[{ti['map_index']}] {ti['duration']:.1f}s on {ti['hostname']}")
