"""An ``s3://`` data root, against a real S3 server (SeaweedFS on 127.0.0.1, ``tests/s3.py``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.core.objectstore import Mirror, ObjectRoot, list_objects, s3_filesystem
from etl.core.settings import ObjectStoreSettings
from tests.s3 import S3Server, s3_environment, start_seaweedfs

REPO_DIR = Path(__file__).resolve().parents[1]
SAMPLES = REPO_DIR / "data" / "samples"
CLI = Path(sys.executable).parent / "news-archive"


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    yield from start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))


@pytest.fixture
def s3_env(s3: S3Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Server:
    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(tmp_path / "work"))
    return s3


def test_object_root_parses_bucket_and_prefix() -> None:
    root = ObjectRoot.parse("s3://bucket/some/prefix/")
    assert (root.bucket, root.prefix) == ("bucket", "some/prefix")
    assert root.url("lake/x.parquet") == "s3://bucket/some/prefix/lake/x.parquet"
    assert root.relative("s3://bucket/some/prefix/lake/x.parquet") == "lake/x.parquet"
    for bad in ("s3:///prefix", "s3://bucket/a/../b", "s3://bucket/a//b", "http://bucket/a"):
        with pytest.raises(ValueError):
            ObjectRoot.parse(bad)


def test_a_mirror_publishes_changes_and_a_second_copy_sees_them(
    s3_env: S3Server, tmp_path: Path
) -> None:
    root = ObjectRoot.parse(s3_env.root())
    store = s3_filesystem(ObjectStoreSettings.from_env())
    first = Mirror(root, tmp_path / "one", store, local_only=("lake/cache",))
    (tmp_path / "one" / "lake" / "a").mkdir(parents=True)
    (tmp_path / "one" / "lake" / "a" / "x.parquet").write_bytes(b"x" * 10)
    (tmp_path / "one" / "lake" / "a" / "y.parquet").write_bytes(b"y" * 20)
    (tmp_path / "one" / "lake" / "a" / ".y.parquet.tmp").write_bytes(b"half")
    (tmp_path / "one" / "lake" / "cache").mkdir()
    (tmp_path / "one" / "lake" / "cache" / "c").write_bytes(b"machine's own")
    assert first.push("lake") == 2
    assert first.push("lake") == 0  # nothing changed since

    second = Mirror(root, tmp_path / "two", store)
    assert second.pull("lake") == 2
    copied = sorted(p.relative_to(tmp_path / "two").as_posix() for p in second.local.rglob("*"))
    assert [p for p in copied if p.endswith(".parquet")] == ["lake/a/x.parquet", "lake/a/y.parquet"]
    assert second.pull("lake") == 0

    # A rewrite and a removal on one side reach the other; a stray local file is dropped.
    (tmp_path / "one" / "lake" / "a" / "x.parquet").write_bytes(b"X" * 11)
    (tmp_path / "one" / "lake" / "a" / "y.parquet").unlink()
    assert first.push("lake") == 1
    (tmp_path / "two" / "lake" / "a" / "stray.parquet").write_bytes(b"never published")
    assert second.pull("lake") == 1
    assert (tmp_path / "two" / "lake" / "a" / "x.parquet").read_bytes() == b"X" * 11
    assert not (tmp_path / "two" / "lake" / "a" / "y.parquet").exists()
    assert not (tmp_path / "two" / "lake" / "a" / "stray.parquet").exists()

    # A local edit that was never published is replaced by the store's copy on the next pull.
    (tmp_path / "two" / "lake" / "a" / "x.parquet").write_bytes(b"unpublished")
    assert second.pull("lake") == 1
    assert (tmp_path / "two" / "lake" / "a" / "x.parquet").read_bytes() == b"X" * 11


def cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(CLI), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.e2e
def test_a_run_into_s3_equals_a_local_run_and_reads_in_place(s3: S3Server, tmp_path: Path) -> None:
    url = s3.root()
    env = s3_environment(s3, tmp_path / "work-a")
    env.pop("NEWS_ARCHIVE_LOCK_URL", None)
    cli("run", "--input", str(SAMPLES), "--data-dir", url, "--run-id", "base", env=env)
    local = tmp_path / "local"
    cli("run", "--input", str(SAMPLES), "--data-dir", str(local), "--run-id", "base", env=env)

    # Another machine (its own working copy) sees the same lake, row for row.
    other = s3_environment(s3, tmp_path / "work-b")
    copy = tmp_path / "copy"
    mirror = Mirror(ObjectRoot.parse(url), copy, s3_filesystem(_settings(other)))
    assert mirror.pull("lake") > 0
    assert "same" in cli("lake-diff", str(local), str(copy), env=env)
    # No temporary object, no staging left behind.
    store = s3_filesystem(_settings(other))
    from pyarrow import fs

    keys = [
        info.path
        for info in store.get_file_info(
            fs.FileSelector(ObjectRoot.parse(url).key(), recursive=True)
        )
        if info.type == fs.FileType.File
    ]
    assert keys and not [k for k in keys if "/." in k or "/staging/" in k]

    # The warehouse was built from the objects in place and published; read from elsewhere.
    query = "SELECT count(*), count(DISTINCT story_id), sum(word_count) FROM articles"
    assert cli("sql", "--data-dir", url, query, env=other) == cli(
        "sql", "--data-dir", str(local), query, env=env
    )

    # A re-run replaces exactly its own objects: the same lake, no duplicates.
    cli("run", "--input", str(SAMPLES), "--data-dir", url, "--run-id", "base", env=env)
    mirror.pull("lake")
    assert "same" in cli("lake-diff", str(local), str(copy), env=env)


def _settings(env: dict[str, str]) -> ObjectStoreSettings:
    return ObjectStoreSettings(
        endpoint=env["AWS_ENDPOINT_URL"],
        access_key=env["AWS_ACCESS_KEY_ID"],
        secret_key=env["AWS_SECRET_ACCESS_KEY"],
        region=env["AWS_REGION"],
    )


@pytest.mark.e2e
def test_a_unit_extracted_on_one_machine_is_stored_on_another(
    s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As news_import_warc runs on Celery: extract publishes the staged unit, a store with a
    working copy of its own (another worker) fetches it; the lake equals a local run's."""
    from etl.core.datadir import DataDir
    from etl.core.runs import remove_staging
    from etl.core.staging import publish_unit
    from etl.extract.unit import extract_unit
    from etl.load.store import store_run

    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    url, warc = s3.root(), str(SAMPLES / "warc" / "samples.warc.gz")
    monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(tmp_path / "extract-worker"))
    data = DataDir.at(url)
    staged = publish_unit(data, extract_unit(warc, data.staging("base")))
    assert staged.startswith(f"{url}/staging/base/")

    monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(tmp_path / "store-worker"))
    summary = store_run([staged], url, "base")
    assert summary.accounted and summary.articles > 0
    assert all(f.startswith(f"{url}/lake/articles/") for f in summary.article_files)
    remove_staging(url, "base")

    local = tmp_path / "local"
    store_run([extract_unit(warc, DataDir.at(local).staging("base"))], local, "base")
    copy = tmp_path / "copy"
    Mirror(ObjectRoot.parse(url), copy, s3_filesystem(ObjectStoreSettings.from_env())).pull("lake")
    env = s3_environment(s3, tmp_path / "work")
    assert "same" in cli("lake-diff", str(local), str(copy), env=env)
    store = s3_filesystem(ObjectStoreSettings.from_env())
    from pyarrow import fs

    leftover = store.get_file_info(
        fs.FileSelector(ObjectRoot.parse(url).key("staging"), recursive=True, allow_not_found=True)
    )
    assert not [i for i in leftover if i.type == fs.FileType.File]


def test_a_refused_store_is_one_clear_line_before_any_work(s3: S3Server, tmp_path: Path) -> None:
    env = s3_environment(s3, tmp_path / "work") | {"AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    done = subprocess.run(
        [str(CLI), "run", "--input", str(SAMPLES), "--data-dir", s3.root()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "news-archive: error: reading s3://" in done.stderr
    assert "ACCESS_DENIED" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    # Nothing was extracted into the working copy's staging first.
    assert not list((tmp_path / "work").rglob("*.parquet"))


def _on_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> None:
    monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(tmp_path / name))


def test_a_same_size_rewrite_right_after_another_writer_is_seen(
    s3_env: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """S3 times objects to the second: writers hand the lock on only once a rewrite of the
    same size would get a later time, or the next pull would take it for unchanged."""
    from etl.core.datadir import DataDir
    from etl.core.lock import data_dir_lock

    url = s3_env.root()
    for content in (b"first", b"again"):  # the same size
        _on_machine(monkeypatch, tmp_path, "writer")
        with data_dir_lock(url, sync=("lake",)):
            target = DataDir.at(url).lake / "a" / "x.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        _on_machine(monkeypatch, tmp_path, "reader")
        with data_dir_lock(url, sync=("lake",)):
            assert (DataDir.at(url).lake / "a" / "x.parquet").read_bytes() == content


def test_a_story_merge_cut_off_mid_publish_is_finished_on_another_machine(
    s3_env: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge marker reaches the store before the rewritten files, and leaves it after."""
    import polars as pl

    import etl.core.objectstore as objectstore
    from etl.core.datadir import DataDir
    from etl.core.lock import data_dir_lock
    from etl.load.store import STORE_SYNC
    from etl.load.stories import apply_merges, finish_merges

    url = s3_env.root()
    _on_machine(monkeypatch, tmp_path, "first")
    with data_dir_lock(url, sync=STORE_SYNC):
        data = DataDir.at(url)
        for day in ("2025-10-16", "2025-10-17"):
            part = data.partition("articles", day) / "part-old.parquet"
            part.parent.mkdir(parents=True, exist_ok=True)
            pl.DataFrame({"article_id": [day], "story_id": ["absorbed"]}).write_parquet(part)

    uploads = 0
    real_upload = objectstore.upload

    def dies_after_one_lake_file(store: object, local: Path, key: str) -> None:
        nonlocal uploads
        if "/lake/articles/" in key:
            uploads += 1
            if uploads > 1:
                raise KeyboardInterrupt  # the worker killed mid-push
        real_upload(store, local, key)  # type: ignore[arg-type]

    monkeypatch.setattr(objectstore, "upload", dies_after_one_lake_file)
    with pytest.raises(KeyboardInterrupt), data_dir_lock(url, sync=STORE_SYNC):
        apply_merges(DataDir.at(url), {"absorbed": "survivor"}, "merging-run")
    monkeypatch.setattr(objectstore, "upload", real_upload)

    def story_ids(machine: str) -> list[str]:
        copy = tmp_path / machine
        Mirror(ObjectRoot.parse(url), copy, s3_filesystem(ObjectStoreSettings.from_env())).pull(
            "lake"
        )
        return sorted(
            pl.read_parquet(copy / "lake" / "articles", hive_partitioning=False)["story_id"]
        )

    assert story_ids("look-1") == ["absorbed", "survivor"]  # half published: a split story
    _on_machine(monkeypatch, tmp_path, "second")
    with data_dir_lock(url, sync=STORE_SYNC):
        finish_merges(DataDir.at(url))
    assert story_ids("look-2") == ["survivor", "survivor"]
    store = s3_filesystem(ObjectStoreSettings.from_env())
    assert not list_objects(store, f"{url}/state/story-merges.pending.json")
