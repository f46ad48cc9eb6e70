"""Crash safety: a run killed at any point, then run again, ends as if nothing had happened."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import polars as pl
import psutil
import pyarrow.parquet as pq
import pytest

from etl.bench.synthetic import write_corpus
from etl.core.lock import data_dir_lock
from etl.pipeline import IN_PROCESS_BYTES

REPO_DIR = Path(__file__).resolve().parents[1]
SAMPLES = REPO_DIR / "data" / "samples"


def cli(data_dir: Path, *extra: str, source: Path = SAMPLES) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "etl.cli",
            "run",
            "--input",
            str(source),
            "--data-dir",
            str(data_dir),
            "--workers",
            "2",
            *extra,
        ],
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def articles(data_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(data_dir / "lake/articles/**/*.parquet").sort("article_id")


def assert_readers_see_only_whole_files(data_dir: Path) -> None:
    for path in (data_dir / "lake").rglob("*.parquet"):
        pq.read_metadata(path)  # raises on a half-written file
    warehouse = data_dir / "warehouse" / "news.duckdb"
    if warehouse.exists():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            con.execute("SELECT count(*) FROM articles").fetchone()


@pytest.mark.e2e
def test_kill_9_at_random_points_then_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    done = cli(reference)
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""

    crashed = tmp_path / "crashed"
    rng = random.Random(20251016)
    for _ in range(4):
        process = cli(crashed)
        time.sleep(rng.uniform(1.5, 6.0))  # imports take ~2 s; the run about 5 s more
        workers = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        # Its extraction workers die with it rather than wait forever as orphans.
        _gone, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == []
        assert_readers_see_only_whole_files(crashed)

    rerun = cli(crashed)
    assert rerun.wait(timeout=300) == 0, rerun.stderr.read() if rerun.stderr else ""
    assert_readers_see_only_whole_files(crashed)
    expected, got = articles(reference), articles(crashed)
    assert got["article_id"].is_unique().all()
    assert got.equals(expected)
    assert not list((crashed / "lake").rglob("*.tmp")), "killed attempts' temporary files remain"
    visible = sorted(
        p.relative_to(crashed).as_posix() for p in (crashed / "lake").rglob("*.parquet")
    )
    assert visible == sorted(
        p.relative_to(reference).as_posix() for p in (reference / "lake").rglob("*.parquet")
    )


def test_second_writer_stops_with_a_clear_message_or_waits(tmp_path: Path) -> None:
    with data_dir_lock(tmp_path):
        busy = cli(tmp_path, "--no-warehouse")
        assert busy.wait(timeout=120) == 2
        stderr = busy.stderr.read() if busy.stderr else ""
        assert f"(pid {os.getpid()})" in stderr and "--wait" in stderr
        assert "Traceback" not in stderr

    held = threading.Event()
    release = threading.Event()

    def hold_briefly() -> None:
        with data_dir_lock(tmp_path):
            held.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    held.wait(timeout=10)
    waiting = cli(tmp_path, "--no-warehouse", "--wait", "120")
    time.sleep(1)
    release.set()
    holder.join()
    assert waiting.wait(timeout=300) == 0


def test_a_killed_lock_holder_leaves_the_directory_usable(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from etl.core.lock import data_dir_lock\n"
            f"with data_dir_lock({str(tmp_path)!r}):\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    with data_dir_lock(tmp_path, timeout=5):
        pass


def test_nested_holders_in_one_process_share_the_lock(tmp_path: Path) -> None:
    marker = tmp_path / ".news-archive.lock.pid"
    with data_dir_lock(tmp_path):
        with data_dir_lock(tmp_path, timeout=3600):
            assert marker.read_text() == str(os.getpid())
        # Leaving the inner block keeps the lock and the marker for the outer holder.
        assert marker.read_text() == str(os.getpid())
    assert not marker.exists()


@pytest.mark.e2e
def test_a_killed_run_leaves_no_extraction_worker_behind(tmp_path: Path) -> None:
    # The samples are few enough to be extracted without workers (IN_PROCESS_BYTES).
    corpus = tmp_path / "corpus.warc.gz"
    write_corpus(corpus, 40, seed=11)
    assert corpus.stat().st_size > IN_PROCESS_BYTES
    process = cli(tmp_path / "data", "--no-warehouse", source=corpus)
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 60
    while len(workers := parent.children(recursive=True)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) == 2, "the run finished before its workers could be seen"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    _gone, alive = psutil.wait_procs(workers, timeout=10)
    for orphan in alive:
        orphan.kill()
    assert alive == []
