"""The ``news-archive`` command end to end on the bundled samples."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from etl import cli
from etl.cli import main

REPO_DIR = Path(__file__).resolve().parents[1]
SAMPLES = REPO_DIR / "data" / "samples"
SEED_TITLE = "Trump kündigt Treffen mit Putin in Budapest an"


def read_articles(data_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(
        data_dir / "lake" / "articles" / "**" / "*.parquet", hive_partitioning=True
    )


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("samples-run")
    assert (
        main(["run", "--input", str(SAMPLES), "--data-dir", str(data_dir), "--workers", "1"]) == 0
    )
    return data_dir


@pytest.mark.e2e
def test_seed_article_has_its_metadata_as_columns_and_nothing_around_it(sample_run: Path) -> None:
    seed = read_articles(sample_run).filter(
        pl.col("source") == "nachrichten-portal.de", pl.col("title") == SEED_TITLE
    )
    assert seed.height == 1
    row = seed.row(0, named=True)
    # 22:41 in Berlin (summer time) is 20:41 UTC; the page's offset is kept beside it.
    assert row["published_at"] == datetime(2025, 10, 16, 20, 41, tzinfo=UTC)
    assert row["published_offset_minutes"] == 120
    assert {"Diplomatie", "USA", "Ukraine"} <= set(row["topics"])
    assert row["agencies"] == ["dpa"]
    assert row["language"] == "de"
    for furniture in ("Rabatt", "Kommentare", "Suchbegriff", "vor 14 Minuten"):
        assert furniture not in row["text"]
    # The lead, then the body from its dateline on; the photo credit and caption are gone.
    paragraphs = row["text"].split("\n\n")
    assert paragraphs[0].startswith("US-Präsident Trump verkündet ein bevorstehendes")
    assert paragraphs[1].startswith("Washington (dpa) - US-Präsident Donald Trump will sich")
    assert "Foto:" not in row["text"] and "(Archivbild)" not in row["text"]


@pytest.mark.e2e
def test_every_input_is_an_article_a_reject_or_a_skip(
    sample_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = read_articles(sample_run)
    rejects = pl.read_parquet(sample_run / "lake" / "rejects" / "**" / "*.parquet")
    assert articles["article_id"].is_unique().all()
    assert set(rejects["reason"]) >= {"http_status", "not_html", "duplicate"}
    # html/ pages + WARC records (responses, the request and the warcinfo record).
    html_pages = len(list((SAMPLES / "html").glob("*.htm*")))
    warc_records = 1 + 1 + 17
    assert articles.height + rejects.height + 2 == html_pages + warc_records


@pytest.mark.e2e
def test_rerunning_gives_the_same_rows_without_duplicates(sample_run: Path) -> None:
    before = read_articles(sample_run).sort("article_id")
    files_before = sorted(p.name for p in (sample_run / "lake").rglob("*.parquet"))
    assert main(["run", "--input", str(SAMPLES), "--data-dir", str(sample_run)]) == 0
    after = read_articles(sample_run).sort("article_id")
    assert sorted(p.name for p in (sample_run / "lake").rglob("*.parquet")) == files_before
    assert after.drop("run_id").equals(before.drop("run_id"))


@pytest.mark.e2e
def test_same_wire_story_on_several_outlets_shares_a_story_id(sample_run: Path) -> None:
    copies = read_articles(sample_run).filter(
        pl.col("text").str.contains("Budapest")
        & pl.col("text").str.contains("Truth Social")
        & pl.col("agencies").list.contains("dpa")
    )
    assert copies["source"].n_unique() >= 3
    assert copies["story_id"].n_unique() == 1


def test_bad_command_lines_get_one_line_errors(tmp_path: Path) -> None:
    for args, message in [
        (["run", "--input", str(tmp_path / "missing")], "input not found"),
        (["run", "--input", str(SAMPLES), "--set", "nonsense=1"], "expected NAME=VALUE"),
        (["run", "--input", str(SAMPLES), "--run-id", "../../etc"], "run id must match"),
    ]:
        done = subprocess.run(
            [sys.executable, "-m", "etl.cli", *args, "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO_DIR,
        )
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_an_internal_error_is_one_line_unless_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something broke")

    monkeypatch.setattr(cli, "_run", broken)
    monkeypatch.delenv("NEWS_ARCHIVE_DEBUG", raising=False)
    args = ["run", "--input", str(SAMPLES), "--data-dir", str(tmp_path)]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: something broke" in err
    assert "Traceback" not in err
    monkeypatch.setenv("NEWS_ARCHIVE_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.main(args)


def test_a_run_leaves_its_imported_modules_out_of_garbage_collection(tmp_path: Path) -> None:
    """Full collections no longer walk every object of polars, pyarrow and trafilatura."""
    script = (
        "import gc, sys; from etl.cli import main; "
        "code = main(['run', '--input', sys.argv[1], '--data-dir', sys.argv[2], "
        "'--no-warehouse']); "
        "print(code, gc.get_freeze_count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(SAMPLES), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    code, frozen = result.stdout.split()[-2:]
    assert code == "0" and int(frozen) > 10_000


def test_parser_leaves_the_benchmarks_and_tqdm_unimported() -> None:
    """Every command builds the whole parser: the bench modules (and tqdm, which a run off a
    terminal draws nothing with) would be imported by each of them."""
    code = (
        "import sys; from etl import cli; p = cli._parser(); "
        "p.parse_args(['bench', '--pages', '3']); p.parse_args(['bench-stories', '--new', '5']); "
        "print(sorted(m for m in ('etl.bench.speed', 'etl.bench.stories', 'tqdm') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_page_counter_is_a_progress_bar_on_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with cli._page_counter() as on_page:
        assert on_page is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with cli._page_counter() as on_page:
        assert on_page is not None
        on_page(3)


def test_stage_imports_run_without_garbage_collection_and_end_frozen() -> None:
    import gc

    assert gc.isenabled()
    try:
        with cli._importing_stages():
            assert not gc.isenabled()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        with pytest.raises(ImportError), cli._importing_stages():
            import etl.no_such_stage  # noqa: F401
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_command_keeps_numpy_to_one_blas_thread() -> None:
    """OpenBLAS's threads spin after each product, taking CPU from the run on two cores."""
    code = (
        "import contextlib, io, os, sys\n"
        "from etl import cli\n"
        "assert 'numpy' not in sys.modules\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stderr(io.StringIO()):\n"
        "    cli.main(['no-such-command'])\n"
        "import numpy as np\n"
        "before = len(os.listdir('/proc/self/task'))\n"
        "a = np.ones((300, 300), np.float32); a @ a\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')) - before)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.split() == ["1", "0"], out.stderr


def test_a_small_run_gives_polars_one_thread(tmp_path: Path) -> None:
    """On a few pages polars' pool only hands the cleaning's small operations over and back."""
    code = (
        "import sys\n"
        "from etl import cli\n"
        "assert cli.main(['run', '--input', sys.argv[1], '--data-dir', sys.argv[2],"
        " '--no-warehouse']) == 0\n"
        "import polars\n"
        "print(polars.thread_pool_size())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "POLARS_MAX_THREADS"}
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_bytes((SAMPLES / "html" / "ab-trump-putin.html").read_bytes())
    out = subprocess.run(
        [sys.executable, "-c", code, str(pages), str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.stdout.split()[-1:] == ["1"], out.stderr


def test_a_small_input_is_one_of_at_most_a_mebibyte(tmp_path: Path) -> None:
    from etl.ingest.inputs import SMALL_INPUT_BYTES, is_small_input

    assert is_small_input([SAMPLES])
    big = tmp_path / "big"
    big.mkdir()
    (big / "a.html").write_bytes(b"<p>x</p>" * (SMALL_INPUT_BYTES // 8 + 1))
    assert not is_small_input([big])
    assert not is_small_input(["s3://bucket/pages.warc.gz"])
