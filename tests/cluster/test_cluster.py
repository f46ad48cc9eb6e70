"""Smoke test of the local cluster (docs/cluster.md): every service answers on 127.0.0.1, and a
``news_import_warc`` run goes end to end through the scheduler, Redis and the Celery workers.

It needs the cluster running, so it skips unless NEWS_ARCHIVE_CLUSTER=1: ``make test-cluster``
starts the cluster, runs this file and stops the cluster again. The settings (ports, generated
passwords and keys) come from cluster_home/cluster.env, which ``ops/cluster.sh`` writes.
"""

from __future__ import annotations

import io
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


# --- the data root on S3: the distributed path against a local single-process run -------------

S3_FILES = 4  # WARC files the import maps over
S3_COPIES = 3  # each sample page this many times in each file (with its own URL)


def write_inputs(folder: Path) -> tuple[list[Path], int]:
    """``S3_FILES`` WARC files of the sample pages, each page repeated with URLs of its own, so
    that an extract task runs long enough to be killed midway."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    with SAMPLE_WARC.open("rb") as stream:
        records = [
            (r.rec_headers.get_header("WARC-Target-URI"), r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(stream)
            if r.rec_type == "response"
        ]
    files = []
    for number in range(S3_FILES):
        path = folder / f"part-{number}.warc.gz"
        with path.open("wb") as out:
            writer = WARCWriter(out, gzip=True)
            for copy in range(S3_COPIES):
                for uri, http_headers, body in records:
                    joiner = "&" if "?" in uri else "?"
                    record = writer.create_warc_record(
                        f"{uri}{joiner}part={number}&copy={copy}",
                        "response",
                        payload=io.BytesIO(body),
                        http_headers=http_headers,
                        warc_headers_dict={"WARC-Date": "2025-10-20T08:00:00Z"},
                    )
                    writer.write_record(record)
        files.append(path)
    return files, S3_FILES * S3_COPIES * len(records)


def s3_store(settings: dict[str, str]) -> Any:
    from etl.core.objectstore import s3_filesystem
    from etl.core.settings import ObjectStoreSettings

    return s3_filesystem(
        ObjectStoreSettings(
            endpoint=settings["AWS_ENDPOINT_URL"],
            access_key=settings["AWS_ACCESS_KEY_ID"],
            secret_key=settings["AWS_SECRET_ACCESS_KEY"],
            region=settings["AWS_REGION"],
        )
    )


def cli(settings: dict[str, str], work: Path, *args: str) -> str:
    command = Path(sys.executable).parent / "news-archive"
    env = os.environ | settings | {"NEWS_ARCHIVE_CACHE_DIR": str(work)}
    done = subprocess.run(
        [str(command), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def trigger(api: httpx.Client, dag_id: str, conf: dict[str, Any]) -> str:
    api.patch(f"/dags/{dag_id}", json={"is_paused": False}).raise_for_status()
    triggered = api.post(f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
    triggered.raise_for_status()
    return str(triggered.json()["dag_run_id"])


def finished_run(api: httpx.Client, dag_id: str, run_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        run: dict[str, Any] = api.get(f"/dags/{dag_id}/dagRuns/{run_id}").raise_for_status().json()
        return run if run["state"] in ("success", "failed") else None

    return dict(wait_for(done, RUN_TIMEOUT, f"{dag_id} run {run_id} to finish"))


def task_instances(api: httpx.Client, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    url = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
    return list(api.get(url).raise_for_status().json()["task_instances"])


def same_lake(settings: dict[str, str], root: str, local: Path, copy: Path) -> str:
    """The data root's lake pulled into ``copy`` (a machine of its own), diffed with ``local``."""
    from etl.core.objectstore import Mirror, ObjectRoot

    Mirror(ObjectRoot.parse(root), copy, s3_store(settings)).pull("lake")
    return cli(settings, copy.parent / "work-diff", "lake-diff", str(local), str(copy))


def test_news_import_warc_on_s3_survives_a_killed_worker_and_equals_a_local_run(
    api: httpx.Client, settings: dict[str, str], tmp_path: Path
) -> None:
    from etl.core.runs import run_key

    wait_for(lambda: api.get(f"/dags/{DAG_ID}").status_code == 200, 180, f"{DAG_ID} to be parsed")
    base = f"s3://{settings['NEWS_ARCHIVE_S3_BUCKET']}/test-{uuid.uuid4().hex[:8]}"
    store = s3_store(settings)
    files, pages = write_inputs(tmp_path)
    for path in files:
        with (
            path.open("rb") as source,
            store.open_output_stream(f"{base.removeprefix('s3://')}/inputs/{path.name}") as target,
        ):
            target.write(source.read())
    inputs, root = f"{base}/inputs/*.warc.gz", f"{base}/data"

    api.patch("/dags/news_warehouse", json={"is_paused": False}).raise_for_status()
    started = time.monotonic()
    run_id = trigger(api, DAG_ID, {"paths": [inputs], "data_dir": root})

    # Kill the worker that runs an extract, midway: the task's retry must give the same lake.
    # Only once every extract has started: a task a worker had taken but not yet started when
    # it died stays "queued" until [scheduler] task_queued_timeout (10 minutes) requeues it.
    def running_extract() -> dict[str, Any] | None:
        extracts = [ti for ti in task_instances(api, DAG_ID, run_id) if ti["task_id"] == "extract"]
        started = [ti for ti in extracts if ti["state"] in ("running", "success")]
        if len(extracts) < S3_FILES or len(started) < len(extracts):
            return None
        running = [ti for ti in started if ti["state"] == "running" and ti["hostname"]]
        return running[0] if running else None

    victim = wait_for(running_extract, RUN_TIMEOUT, "an extract task to run")
    worker = victim["hostname"].split(".")[0]
    killed_at = time.monotonic()
    session = int((CLUSTER_HOME / "run" / f"{worker}.pid").read_text())
    subprocess.run(["pkill", "-KILL", "-s", str(session)], check=False)
    try:
        run = finished_run(api, DAG_ID, run_id)
        elapsed, recovered = time.monotonic() - started, time.monotonic() - killed_at
    finally:
        subprocess.run([str(REPO_DIR / "ops" / "cluster.sh"), "worker", worker], check=True)
    instances = task_instances(api, DAG_ID, run_id)
    assert run["state"] == "success", instances
    extracts = [ti for ti in instances if ti["task_id"] == "extract"]
    assert len(extracts) == S3_FILES

    # Every try of the mapped extracts, with the worker it ran on (its host name): both
    # workers ran them, and the killed one's task was tried again.
    tries = {
        ti["map_index"]: api.get(
            f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/extract/{ti['map_index']}/tries"
        )
        .raise_for_status()
        .json()["task_instances"]
        for ti in extracts
    }
    hosts = {t["hostname"].split(".")[0] for ts in tries.values() for t in ts if t["hostname"]}
    assert hosts == set(WORKERS), tries
    retried = max(tries[victim["map_index"]], key=lambda t: t["try_number"])
    assert retried["try_number"] > victim["try_number"] and retried["state"] == "success"

    # The import's asset event triggered the warehouse DAG (unpaused before the import).
    def warehouse_run() -> dict[str, Any] | None:
        runs = api.get(
            "/dags/news_warehouse/dagRuns", params={"order_by": "-run_after", "limit": 5}
        ).raise_for_status()
        for candidate in runs.json()["dag_runs"]:
            after_import = candidate["run_after"] >= run["start_date"]
            if candidate["run_type"] == "asset_triggered" and after_import:
                return candidate if candidate["state"] in ("success", "failed") else None
        return None

    warehouse = wait_for(warehouse_run, RUN_TIMEOUT, "news_warehouse after the import")
    assert warehouse["state"] == "success", warehouse

    # A local, single-process run of the same files gives the same lake, row for row, and
    # the same warehouse (read from the object store's copy).
    local = tmp_path / "local"
    key = run_key(run_id)
    cli(
        settings,
        tmp_path / "work-local",
        "run",
        "--input",
        inputs,
        "--data-dir",
        str(local),
        "--run-id",
        key,
        "--workers",
        "1",
    )
    assert "same" in same_lake(settings, root, local, tmp_path / "copy")
    query = (
        "SELECT count(*), count(DISTINCT story_id), sum(word_count), min(published_at) "
        "FROM articles"
    )
    assert cli(settings, tmp_path / "work-sql", "sql", "--data-dir", root, query) == cli(
        settings, tmp_path / "work-local", "sql", "--data-dir", str(local), query
    )

    print(
        f"\nS3 import: {S3_FILES} WARC files, {pages} pages, {elapsed:.1f}s from trigger to end"
        f" with a worker killed (ops/cluster_speed.py measures speed); extracts on {sorted(hosts)}"
        f"\n  killed {worker} during extract[{victim['map_index']}]; the run ended"
        f" {recovered:.0f}s later (try {retried['try_number']} on {retried['hostname']})"
    )
    for ti in sorted(instances, key=lambda ti: ti["start_date"]):
        print(f"  {ti['task_id']}[{ti['map_index']}] {ti['duration']:.1f}s on {ti['hostname']}")


def test_news_collect_on_s3_fetches_and_stores_across_the_workers(
    api: httpx.Client, settings: dict[str, str], tmp_path: Path
) -> None:
    """Two outlets of the fixture site (on 127.0.0.1) carrying one wire story, collected into
    an ``s3://`` root: each fetch publishes its archive and plan, each store (on whichever
    worker) reads them from the bucket, and the wire story is one story; the next run plans
    from the published seen-state and fetches no article again."""
    import polars as pl

    from etl.core.objectstore import Mirror, ObjectRoot, list_objects
    from tests.fixture_site import serve_site, sources_file

    wait_for(lambda: api.get("/dags/news_collect").status_code == 200, 180, "news_collect parsed")
    root = f"s3://{settings['NEWS_ARCHIVE_S3_BUCKET']}/collect-{uuid.uuid4().hex[:8]}"
    with serve_site() as site:
        sources = sources_file(site, tmp_path / "sources.toml", "sources-wire.toml")
        conf = {"sources_file": str(sources), "data_dir": root}
        first = trigger(api, "news_collect", conf)
        run = finished_manual_run(api, "news_collect", first)
        instances = task_instances(api, "news_collect", first)
        assert run["state"] == "success", instances
        articles_fetched = sum(n for path, n in site.hits.items() if path.endswith(".html"))

        second = trigger(api, "news_collect", conf)
        assert finished_manual_run(api, "news_collect", second)["state"] == "success"
        again = sum(n for path, n in site.hits.items() if path.endswith(".html"))
    assert articles_fetched > 0 and again == articles_fetched

    assert sorted(ti["task_id"] for ti in instances if ti["task_id"] in ("fetch", "store")) == [
        "fetch",
        "fetch",
        "store",
        "store",
    ]
    store = s3_store(settings)
    assert len(list_objects(store, f"{root}/raw/")) == 4  # two sources, two runs
    assert not list_objects(store, f"{root}/staging/")
    copy = tmp_path / "copy"
    Mirror(ObjectRoot.parse(root), copy, store).pull("lake")
    articles = pl.read_parquet(copy / "lake" / "articles", hive_partitioning=True)
    assert set(articles["source"]) == {"127.0.0.1", "localhost"}
    assert articles["story_id"].n_unique() == 1
    assert articles["input_origin"].str.starts_with(f"{root}/raw/").all()
    fetch_log = pl.read_parquet(copy / "lake" / "fetch_log", hive_partitioning=True)
    assert fetch_log.height == 4 and fetch_log["articles"].sum() == articles.height
    print(
        f"\nnews_collect on S3: {articles.height} articles of 2 sources, one story; tasks on "
        f"{sorted({ti['hostname'] for ti in instances if ti['hostname']})}"
    )


def finished_manual_run(api: httpx.Client, dag_id: str, run_id: str) -> dict[str, Any]:
    """``run_id`` once finished, failing the scheduled runs unpausing a scheduled DAG makes
    meanwhile (the cluster's default sources are real outlets, out of this machine's reach),
    which would otherwise go first (``max_active_runs=1``)."""
    runs = f"/dags/{dag_id}/dagRuns"

    def done() -> dict[str, Any] | None:
        waiting = api.get(runs, params={"state": ["queued", "running"]}).raise_for_status()
        for other in waiting.json()["dag_runs"]:
            if other["run_type"] == "scheduled":
                api.patch(f"{runs}/{other['dag_run_id']}", json={"state": "failed"})
        run: dict[str, Any] = api.get(f"{runs}/{run_id}").raise_for_status().json()
        return run if run["state"] in ("success", "failed") else None

    return dict(wait_for(done, RUN_TIMEOUT, f"{dag_id} run {run_id} to finish"))
