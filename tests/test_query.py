from __future__ import annotations

from pathlib import Path

import pytest

from etl.cli import main
from etl.warehouse.build import build_warehouse
from etl.warehouse.query import format_table, run_sql, search
from tests.lake import article, write_run


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("query")
    write_run(
        root,
        "run-a",
        [
            article("a", title="Treffen in Budapest", text="Trump trifft Putin in Budapest."),
            article(
                "b",
                source="nordsee-bote.de",
                title="Hafen wächst",
                text="Der Hafen in Budapest? Nein, in Emden.",
                published="2025-10-18T08:00:00",
                topics=["Hafen"],
            ),
            article("c", title="Radwege", text="Neue Radwege für die Stadt."),
        ],
    )
    build_warehouse(root)
    return root


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_search_prints_the_matches_best_first(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["search", "Budapest", "--data-dir", str(data_dir)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["score", "day", "source", "title", "url"]
    assert "Treffen in Budapest" in lines[2] and "Hafen wächst" in lines[3]
    assert lines[-1] == "(2 rows)"


@pytest.mark.parametrize(
    ("options", "titles"),
    [
        (["--source", "nordsee-bote.de"], ["Hafen wächst"]),
        (["--topic", "hafen"], ["Hafen wächst"]),
        (["--since", "2025-10-17"], ["Hafen wächst"]),
        (["--until", "2025-10-17"], ["Treffen in Budapest"]),
        (["--limit", "1"], ["Treffen in Budapest"]),
    ],
)
def test_search_filters(
    data_dir: Path, capsys: pytest.CaptureFixture[str], options: list[str], titles: list[str]
) -> None:
    code, out, _ = run(["search", "Budapest", "--data-dir", str(data_dir), *options], capsys)
    assert code == 0
    assert [t for t in ["Treffen in Budapest", "Hafen wächst"] if t in out] == titles


def test_search_values_are_never_sql(data_dir: Path) -> None:
    hostile = "x' OR 1=1; DROP TABLE articles; --"
    assert search(data_dir, hostile, source=hostile, topic=hostile).rows == []
    assert run_sql(data_dir, "SELECT count(*) FROM articles").rows == [(3,)]


def test_sql_runs_queries(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    statement = "SELECT source, articles FROM sources ORDER BY source"
    code, out, _ = run(["sql", statement, "--data-dir", str(data_dir)], capsys)
    assert code == 0
    assert out.splitlines()[2:4] == ["nordsee-bote.de      1", "rheinland-kurier.de  2"]


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("DROP TABLE articles", "read-only"),
        ("INSERT INTO articles (article_id) VALUES ('x')", "read-only"),
        ("SELEC 1", "syntax error"),
        ("COPY articles TO 'stolen.csv'", "disabled"),
        ("SELECT * FROM read_csv('/etc/passwd')", "disabled"),
        ("SET enable_external_access = true", "configuration"),
        ("SELECT nothing FROM articles", "nothing"),
    ],
)
def test_sql_refusals_are_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str], statement: str, reason: str
) -> None:
    code, out, err = run(["sql", statement, "--data-dir", str(data_dir)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("news-archive: error: ") and reason in err
    assert len(err.strip().splitlines()) == 1
    assert run_sql(data_dir, "SELECT count(*) FROM articles").rows == [(3,)]


def test_stats(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["stats", "--data-dir", str(data_dir)], capsys)
    pairs = [line.split("  ", 1) for line in out.splitlines()]
    figures = {name.strip(): value.strip() for name, value in (p for p in pairs if len(p) == 2)}
    assert code == 0
    assert figures["articles"] == "3"
    assert figures["sources"] == "2"
    assert "2025-10-16 .. 2025-10-18" in out


def test_commands_on_a_missing_warehouse_say_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["search", "x"], ["sql", "SELECT 1"], ["stats"]):
        code, _, err = run([*command, "--data-dir", str(tmp_path)], capsys)
        assert code == 2 and "news-archive warehouse" in err


def test_warehouse_command_updates_or_rebuilds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_run(tmp_path, "run-a", [article("a")])
    assert run(["warehouse", "--data-dir", str(tmp_path)], capsys)[1].endswith(
        "articles changed)\n"
    )
    assert "up to date" in run(["warehouse", "--data-dir", str(tmp_path)], capsys)[1]
    out = run(["warehouse", "--rebuild", "--data-dir", str(tmp_path)], capsys)[1]
    assert "(full:" in out


def test_format_table_cuts_long_values() -> None:
    from etl.warehouse.query import Result

    table = format_table(Result(["a"], [("x" * 100,), (None,)]), max_width=10)
    assert table.splitlines()[2] == "xxxxxxxxx…"
    assert table.splitlines()[-1] == "(2 rows)"
