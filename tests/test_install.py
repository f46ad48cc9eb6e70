"""The project installed from its wheel, not run from the checkout, does a whole run.

The wheel goes into a fresh venv outside the checkout, with the dependencies at the versions in
uv.lock (taken from uv's cache when it has them). The commands then run from a folder outside
the checkout with no PYTHONPATH, so only what the wheel ships (code, SQL, rules, templates) and
what pyproject.toml declares can make them work.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[1]
SAMPLES_HTML = REPO_DIR / "data" / "samples" / "html"
# Two plain pages and a gzipped windows-1252 one.
PAGES = ["ab-trump-putin.html", "hh-council-tax.html", "nb-sturmflut-husum.html.gz"]
TIMEOUT = 300


def _uv() -> str | None:
    found = shutil.which("uv")
    if found:
        return found
    private = REPO_DIR / ".tools" / "bin" / "uv"
    return str(private) if private.exists() else None


def _clean_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def _run(args: Sequence[object], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def _copy_pages(folder: Path) -> None:
    folder.mkdir()
    for name in PAGES:
        shutil.copy(SAMPLES_HTML / name, folder / name)
    manifest = (SAMPLES_HTML / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    kept = [line for line in manifest if line.strip() and json.loads(line)["file"] in PAGES]
    assert len(kept) == len(PAGES)
    (folder / "manifest.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")


@pytest.mark.e2e
def test_installed_wheel_runs_the_pipeline_outside_the_checkout(tmp_path: Path) -> None:
    uv = _uv()
    if uv is None:
        pytest.skip("uv is not installed (neither on PATH nor in .tools/bin)")

    # The wheel ships the package's data files next to its code.
    _run([uv, "build", "--wheel", "--out-dir", tmp_path / "dist", REPO_DIR], cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("news_archive-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, suffix in [("etl/sql/", ".sql"), ("etl/sql/report/", ".sql"), ("etl/rules/", "")]:
        shipped = {n for n in names if n.startswith(folder) and n.endswith(suffix)}
        on_disk = {
            f"{folder}{p.name}"
            for p in (REPO_DIR / folder).iterdir()
            if p.is_file() and p.name.endswith(suffix)
        }
        assert on_disk, folder
        assert on_disk <= shipped, f"missing from the wheel: {sorted(on_disk - shipped)}"
    assert "etl/templates/report.html.j2" in names

    # A venv that knows nothing of the checkout; dependencies constrained to uv.lock's versions.
    venv = tmp_path / "venv"
    bin_dir = venv / "bin"
    reqs = tmp_path / "lock-constraints.txt"
    export = [uv, "export", "--project", REPO_DIR, "--frozen", "--no-dev", "--no-hashes"]
    _run([*export, "--no-emit-project", "--quiet", "-o", reqs], cwd=tmp_path)
    _run([uv, "venv", "--quiet", "--python", sys.executable, venv], cwd=tmp_path)
    install = [uv, "pip", "install", "--quiet", "--python", bin_dir / "python", "-c", reqs, wheel]
    try:  # uv's cache usually has every wheel; only go to the registry if it does not
        _run([*install, "--offline"], cwd=tmp_path)
    except AssertionError:
        _run(install, cwd=tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    where = _run([bin_dir / "python", "-c", "import etl; print(etl.__file__)"], cwd=work)
    etl_file = Path(where.stdout.strip()).resolve()
    assert etl_file.is_relative_to(venv.resolve()), etl_file
    assert not etl_file.is_relative_to(REPO_DIR), etl_file

    pages = work / "pages"
    _copy_pages(pages)
    data = work / "data"
    cli = bin_dir / "news-archive"
    _run([cli, "run", "--input", pages, "--data-dir", data, "--workers", "1"], cwd=work)
    assert list((data / "lake" / "articles").rglob("*.parquet"))
    assert (data / "warehouse" / "news.duckdb").is_file()

    counted = _run([cli, "sql", "SELECT count(*) FROM articles", "--data-dir", data], cwd=work)
    numbers = [int(tok) for tok in counted.stdout.replace("│", " ").split() if tok.isdigit()]
    assert numbers, counted.stdout
    assert numbers[-1] > 0, counted.stdout

    _run([cli, "report", "--data-dir", data], cwd=work)
    report = data / "report" / "index.html"
    assert report.is_file()
    assert "<html" in report.read_text(encoding="utf-8").lower()


def test_setup_compiles_the_checkouts_own_bytecode() -> None:
    """The editable install is left out of uv's bytecode: `make setup` compiles etl/ itself,
    or every process started under PYTHONDONTWRITEBYTECODE compiles it from source."""
    makefile = (REPO_DIR / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split(".venv/.synced:", 1)[1].split("\n\n", 1)[0]
    assert "-m compileall" in recipe and recipe.rstrip().endswith("@touch $@")
    assert any(line.split()[-1] == "etl" for line in recipe.splitlines() if "compileall" in line)
