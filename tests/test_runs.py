from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from etl.core.datadir import DataDir, check_run_id
from etl.core.runs import (
    data_dir_for,
    data_dirs_to_update,
    interval_key,
    remove_staging,
    resolve_under,
    run_key,
    scheduled_run_key,
    sources_file_for,
)

HOUR = datetime(2025, 10, 16, 10, tzinfo=UTC)


def test_a_safe_run_id_is_its_own_key() -> None:
    assert run_key("cli-3f9c1a0e5b7d") == "cli-3f9c1a0e5b7d"


def test_airflow_run_ids_become_safe_stable_keys() -> None:
    run_id = "manual__2025-10-16T10:00:00+00:00"
    key = run_key(run_id)
    assert check_run_id(key) == key
    assert key.startswith("manual__2025-10-16T10_00_00_00_00-")
    assert run_key(run_id) == key  # stable across retries and processes


def test_run_ids_differing_only_in_punctuation_get_different_keys() -> None:
    assert run_key("a:b") != run_key("a+b")
    assert run_key("a:b") != "a_b"


def test_long_run_ids_are_cut_but_stay_distinct() -> None:
    first, second = "x" * 200 + "1", "x" * 200 + "2"
    assert len(run_key(first)) <= 120
    assert run_key(first) != run_key(second)


def test_a_key_never_starts_with_a_dot() -> None:
    assert not run_key("..hidden").startswith(".")


def test_empty_run_id_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        run_key("")


def test_interval_key_names_the_interval_in_utc() -> None:
    berlin = timezone(timedelta(hours=2))
    start = datetime(2025, 10, 16, 12, tzinfo=berlin)
    assert interval_key("collect", start, start + timedelta(hours=1)) == (
        "collect-20251016T100000Z-20251016T110000Z"
    )


def test_interval_key_refuses_naive_and_empty_intervals() -> None:
    with pytest.raises(ValueError, match="timezone"):
        interval_key("collect", datetime(2025, 10, 16), datetime(2025, 10, 17))
    with pytest.raises(ValueError, match="empty"):
        interval_key("collect", HOUR, HOUR)


def test_scheduled_runs_are_keyed_by_interval_whatever_their_run_id() -> None:
    end = HOUR + timedelta(hours=1)
    scheduled = scheduled_run_key("collect", "scheduled__2025-10-16T10:00:00+00:00", HOUR, end)
    # A backfill or a clear-and-rerun of the same hour has another run id, the same key.
    backfill = scheduled_run_key("collect", "backfill__2025-10-16T10:00:00+00:00", HOUR, end)
    assert scheduled == backfill == "collect-20251016T100000Z-20251016T110000Z"


def test_runs_without_an_interval_are_keyed_by_run_id() -> None:
    run_id = "manual__2025-10-16T10:00:00+00:00"
    assert scheduled_run_key("import", run_id, None, None) == run_key(run_id)
    assert scheduled_run_key("import", run_id, HOUR, HOUR) == run_key(run_id)


def test_remove_staging_deletes_only_that_run(tmp_path: Path) -> None:
    mine, other = DataDir.at(tmp_path).staging("run-1"), DataDir.at(tmp_path).staging("run-2")
    for folder in (mine, other):
        folder.mkdir(parents=True)
        (folder / "unit.json").write_text("{}")
    assert remove_staging(tmp_path, "run-1") is True
    assert not mine.exists()
    assert (other / "unit.json").exists()
    assert remove_staging(tmp_path, "run-1") is False


def test_relative_paths_are_anchored_to_the_base(tmp_path: Path) -> None:
    assert resolve_under(tmp_path, "data") == tmp_path / "data"
    assert resolve_under(tmp_path, "/srv/news") == Path("/srv/news")


def test_data_dir_falls_back_to_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_ARCHIVE_DATA_DIR", "/srv/news")
    assert data_dir_for(None, tmp_path) == Path("/srv/news")
    assert data_dir_for("mine", tmp_path) == tmp_path / "mine"
    monkeypatch.delenv("NEWS_ARCHIVE_DATA_DIR")
    assert data_dir_for(None, tmp_path) == tmp_path / "data"


def test_sources_file_falls_back_to_the_environment_then_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_ARCHIVE_SOURCES", "/etc/news/sources.toml")
    assert sources_file_for(None, tmp_path) == Path("/etc/news/sources.toml")
    assert sources_file_for("mine.toml", tmp_path) == tmp_path / "mine.toml"
    monkeypatch.delenv("NEWS_ARCHIVE_SOURCES")
    assert sources_file_for(None, tmp_path) == tmp_path / "data" / "sources.toml"


def test_warehouse_updates_the_chosen_else_the_announced_else_the_configured_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_ARCHIVE_DATA_DIR", "/srv/news")
    announced = ["/a", None, "/b", "/a"]
    assert data_dirs_to_update("mine", announced, tmp_path) == [tmp_path / "mine"]
    assert data_dirs_to_update(None, announced, tmp_path) == [Path("/a"), Path("/b")]
    assert data_dirs_to_update(None, [None], tmp_path) == [Path("/srv/news")]
