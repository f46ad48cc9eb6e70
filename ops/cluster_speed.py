"""Pages per second of ``news_import_warc`` on the local cluster: two Celery workers against one.

    make cluster
    .venv-cluster/bin/python ops/cluster_speed.py [--corpus PAGES.warc.gz] [--files 4]

The corpus (default ``../shared/bench/pages.warc.gz``: 110 real pages) has its responses
dealt round-robin into ``--files`` WARC files, uploaded to a fresh prefix of the cluster's
bucket, and imported twice into fresh data roots: with both workers, then with worker2
stopped (it is started again at the end). Prints wall time from trigger to end, pages per
second, and each task's duration and worker.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR))

from tests.cluster.test_cluster import (  # noqa: E402
    CLUSTER_HOME,
    DAG_ID,
    finished_run,
    read_env_file,
    s3_store,
    task_instances,
    trigger,
)


def split_corpus(corpus: Path, files: int, folder: Path) -> tuple[list[Path], int]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    outs = [(folder / f"part-{i}.warc.gz").open("wb") for i in range(files)]
    writers = [WARCWriter(out, gzip=True) for out in outs]
    pages = 0
    with corpus.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            copy = writers[pages % files].create_warc_record(
                record.rec_headers.get_header("WARC-Target-URI"),
                "response",
                payload=io.BytesIO(record.content_stream().read()),
                http_headers=record.http_headers,
                warc_headers_dict={"WARC-Date": record.rec_headers.get_header("WARC-Date")},
            )
            writers[pages % files].write_record(copy)
            pages += 1
    for out in outs:
        out.close()
    return [Path(out.name) for out in outs], pages


def import_once(api: Any, inputs: str, root: str, pages: int, label: str) -> None:
    started = time.monotonic()
    run_id = trigger(api, DAG_ID, {"paths": [inputs], "data_dir": root})
    run = finished_run(api, DAG_ID, run_id)
    elapsed = time.monotonic() - started
    print(
        f"\n{label}: {run['state']}, {pages} pages in {elapsed:.1f}s: {pages / elapsed:.2f} pages/s"
    )
    for ti in sorted(task_instances(api, DAG_ID, run_id), key=lambda ti: ti["start_date"]):
        print(f"  {ti['task_id']}[{ti['map_index']}] {ti['duration']:.1f}s on {ti['hostname']}")


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--corpus", type=Path, default=REPO_DIR.parent / "shared/bench/pages.warc.gz"
    )
    parser.add_argument("--files", type=int, default=4)
    args = parser.parse_args()
    settings = read_env_file(CLUSTER_HOME / "cluster.env")
    base = f"s3://{settings['NEWS_ARCHIVE_S3_BUCKET']}/speed-{uuid.uuid4().hex[:8]}"
    folder = CLUSTER_HOME / "speed"
    folder.mkdir(exist_ok=True)
    files, pages = split_corpus(args.corpus, args.files, folder)
    store = s3_store(settings)
    for path in files:
        with store.open_output_stream(f"{base.removeprefix('s3://')}/inputs/{path.name}") as out:
            out.write(path.read_bytes())
    inputs = f"{base}/inputs/*.warc.gz"

    password_file = Path(settings["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    password = json.loads(password_file.read_text())["admin"]
    api_base = settings["AIRFLOW__API__BASE_URL"]
    token = httpx.post(f"{api_base}/auth/token", json={"username": "admin", "password": password})
    headers = {"Authorization": f"Bearer {token.raise_for_status().json()['access_token']}"}
    with httpx.Client(base_url=f"{api_base}/api/v2", headers=headers, timeout=30) as api:
        import_once(api, inputs, f"{base}/two-workers", pages, "two workers")
        pid = int((CLUSTER_HOME / "run" / "worker2.pid").read_text())
        subprocess.run(["kill", "-TERM", str(pid)], check=True)
        while Path(f"/proc/{pid}").exists():
            time.sleep(0.5)
        try:
            import_once(api, inputs, f"{base}/one-worker", pages, "one worker (worker2 stopped)")
        finally:
            subprocess.run([str(REPO_DIR / "ops" / "cluster.sh"), "worker", "worker2"], check=True)


if __name__ == "__main__":
    main()
