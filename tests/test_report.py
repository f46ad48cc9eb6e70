from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.dataset as ds
import pytest

from etl.cli import main
from etl.pipeline import run_pipeline
from etl.warehouse.build import build_warehouse
from etl.warehouse.connect import warehouse_path
from etl.warehouse.report import ReportError, report_path, write_report
from tests import browser
from tests.pages import article_page

FIRST_DAY = date(2025, 10, 1)
DAYS = 14
VOCABULARY = (
    "Rathaus Hafen Brücke Schule Bahnhof Markt Kirche Stadion Museum Flughafen Klinik Park",
    "Gericht Polizei Feuerwehr Landtag Bürger Senat Gemeinde Kreis Verband Firma Werk Fabrik",
    "Strom Wasser Wind Sonne Regen Schnee Sturm Ernte Wald Fluss Küste Insel Berg Tal Straße",
    "Autobahn Tunnel Zug Fähre Schiff Hafenkran Lager Halle Turm Mauer Platz Garten Brunnen",
)
WORDS = [word for line in VOCABULARY for word in line.split()]
HOSTILE_TOPIC = "</script><script>alert(1)</script>"


def _paragraphs(seed: int, dateline: str = "") -> list[str]:
    """Text of one story: other seeds give other word runs, so stories do not cluster."""
    rng = random.Random(seed)
    sentences = [" ".join(rng.sample(WORDS, 12)) + "." for _ in range(10)]
    return [dateline + " ".join(sentences[:5]), " ".join(sentences[5:])]


def _plan() -> list[dict[str, Any]]:
    """Three outlets over two weeks; one goes silent, one story runs on two outlets via dpa."""
    plan: list[dict[str, Any]] = []
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        plan.append(
            {"domain": "rheinland-kurier.de", "day": day, "story": offset,
             "keywords": "Verkehr" if offset % 2 else "Politik, Verkehr"}
        )  # fmt: skip
        if offset >= 3:
            # "Energie" only in the second week: the rising topic.
            plan.append(
                {"domain": "nordsee-bote.de", "day": day, "story": 100 + offset,
                 "keywords": "Energie, Hafen" if offset >= 7 else "Hafen"}
            )  # fmt: skip
        if offset <= 8:
            plan.append(
                {"domain": "harbour-herald.co.uk", "day": day, "story": 200 + offset,
                 "keywords": "Weather" if offset != 4 else "",
                 "dateline": "London (Reuters) - " if offset % 3 == 0 else ""}
            )  # fmt: skip
    wire_day = FIRST_DAY + timedelta(days=DAYS - 2)
    for domain in ("rheinland-kurier.de", "nordsee-bote.de"):
        plan.append(
            {"domain": domain, "day": wire_day, "story": 999, "keywords": HOSTILE_TOPIC,
             "dateline": "Berlin (dpa) - "}
        )  # fmt: skip
    return plan


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    pages = root / "pages"
    pages.mkdir()
    manifest = []
    for i, item in enumerate(_plan()):
        name = f"{i:03d}.html"
        html = article_page(
            title=f"Meldung {item['story']} im {item['domain']}",
            site=item["domain"],
            paragraphs=_paragraphs(item["story"], item.get("dateline", "")),
            meta={
                "article:published_time": f"{item['day']}T09:00:00+02:00",
                "article:tag": item["keywords"],
            },
        )
        (pages / name).write_text(html, encoding="utf-8")
        manifest.append({"file": name, "url": f"https://www.{item['domain']}/a/{i}.html"})
    # Two inputs that are not articles, for the rejects chart.
    (pages / "broken.html").write_bytes(b"%PDF-1.4 not a page")
    (pages / "empty.html").write_text("<html><body><p>Kurz.</p></body></html>")
    for i, name in enumerate(("broken.html", "empty.html")):
        manifest.append({"file": name, "url": f"https://www.nordsee-bote.de/x/{i}.html"})
    for entry in manifest:
        entry["fetched_at"] = "2025-10-15T06:00:00+00:00"
    (pages / "manifest.jsonl").write_text("\n".join(json.dumps(m) for m in manifest))
    run_pipeline([pages], root, run_id="report-test")
    build_warehouse(root)
    return root


@pytest.fixture(scope="module")
def with_fetch_log(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the warehouse with a fetch_log in the shape the collection stage writes."""
    root = tmp_path_factory.mktemp("report-fetch-log")
    target = warehouse_path(root)
    target.parent.mkdir(parents=True)
    shutil.copy(warehouse_path(data_dir), target)
    with duckdb.connect(str(target)) as con:
        con.execute(
            "CREATE OR REPLACE TABLE fetch_log AS SELECT * FROM (VALUES "
            "('rheinland-kurier.de', DATE '2025-10-13', 5, 5, 0, 1, 1000), "
            "('rheinland-kurier.de', DATE '2025-10-14', 4, 3, 1, 1, 900), "
            "('harbour-herald.co.uk', DATE '2025-10-14', 3, 0, 3, 0, 0)) "
            "AS t(source, day, discovered, fetched, failed, articles, bytes)"
        )
    return root


def lake(data_dir: Path, name: str) -> list[dict[str, Any]]:
    dataset = ds.dataset(data_dir / "lake" / name, format="parquet", partitioning="hive")
    rows = dataset.to_table().to_pylist()
    for row in rows:  # the hive partition key comes back as text
        for key in ("published_date", "fetched_date"):
            if isinstance(row.get(key), str):
                row[key] = date.fromisoformat(row[key])
    return rows


def expected_marks(data_dir: Path) -> dict[str, int]:
    """The marks each chart should draw, counted from the Parquet files, not the warehouse."""
    articles = lake(data_dir, "articles")
    rejected = lake(data_dir, "rejects")
    days = {a["published_date"] for a in articles}
    # The window ends on the last day with an article or a reject (by fetch day).
    until = max(days | {r["fetched_date"] for r in rejected})
    window_days = (until - min(days)).days + 1
    # The topic chart counts categories where the articles carry them, else the topics.
    tags = "topic_categories" if "topic_categories" in articles[0] else "topics"
    series = {t for a in articles for t in a[tags]}
    untagged = any(not a[tags] for a in articles)
    agencies = {g for a in articles for g in a["agencies"]}
    this_week: Counter[str] = Counter()
    last_week: Counter[str] = Counter()
    for a in articles:
        age = (until - a["published_date"]).days
        for topic in a["topics"]:
            if age < 7:
                this_week[topic] += 1
            elif age < 14:
                last_week[topic] += 1
    rising = [t for t in this_week if this_week[t] > last_week[t]]
    rejects = {(r["stage"], r["reason"]) for r in rejected}
    assert len(series) < 10, "the test data should name every topic (no 'other' series)"
    return {
        "topics_daily": len(series) + untagged,  # one area per topic or category
        "topics_rising": min(len(rising), 10),
        "sources_daily": len({(a["source"], a["published_date"]) for a in articles}),
        "sources_wire": len({a["source"] for a in articles}),
        "agencies_daily": len(agencies) + len(agencies) * window_days,  # lines, and a point a day
        "rejects_reason": len(rejects),
    }


def values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """A chart's data rows (altair moves inline data to the spec's named datasets)."""
    data = spec["data"]
    rows: list[dict[str, Any]] = (
        data["values"] if "values" in data else spec["datasets"][data["name"]]
    )
    return rows


def specs_of(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="report-specs">(.*?)</script>', page)
    assert match
    specs: dict[str, Any] = json.loads(match.group(1))
    return specs


def test_the_test_data_has_what_every_chart_needs(data_dir: Path) -> None:
    marks = expected_marks(data_dir)
    assert all(n > 0 for n in marks.values()), marks
    assert {r["reason"] for r in lake(data_dir, "rejects")} >= {"not_html"}


def test_report_is_one_self_contained_file(data_dir: Path) -> None:
    path = write_report(data_dir)
    assert path == str(report_path(data_dir))
    page = Path(path).read_text(encoding="utf-8")
    # Nothing to fetch: no external scripts, styles or images; the charts' JavaScript is inline.
    markup = re.sub(r"(<script[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", markup)
    assert "window.vegaEmbed" in page
    assert set(specs_of(page)) == set(expected_marks(data_dir))
    for heading in ("Topics", "Sources", "Agencies over time", "Top stories of the day"):
        assert f"<h2>{heading}</h2>" in page
    assert [p.name for p in Path(path).parent.iterdir()] == ["index.html"]  # no temporary left


def test_text_from_pages_cannot_break_out_of_the_page(data_dir: Path) -> None:
    page = Path(write_report(data_dir)).read_text(encoding="utf-8")
    assert "<script>alert" not in page
    # Kept as text in the charts' data (the rising topics), escaped for the <script> element.
    shown = json.dumps([values(spec) for spec in specs_of(page).values()], ensure_ascii=False)
    assert "<script>alert" in shown


def test_top_stories_list_the_wire_story_with_each_outlets_link(data_dir: Path) -> None:
    articles = lake(data_dir, "articles")
    wire = [a for a in articles if "dpa" in a["agencies"]]
    assert len({a["story_id"] for a in wire}) == 1 and len(wire) == 2
    page = Path(write_report(data_dir)).read_text(encoding="utf-8")
    day = wire[0]["published_date"].isoformat()
    section = page.split(f"<summary>{day}</summary>")[1].split("</details>")[0]
    first = section.split("</tr>")[1]  # the header row, then the top story
    for article in wire:
        assert f'href="{article["canonical_url"] or article["url"]}"' in first


def test_sources_that_went_silent_are_listed(data_dir: Path) -> None:
    page = Path(write_report(data_dir)).read_text(encoding="utf-8")
    silent = page.split("Sources that went silent")[1].split("</section>")[0]
    assert "<td>harbour-herald.co.uk</td>" in silent
    assert "rheinland-kurier.de" not in silent


def test_without_a_fetch_log_the_health_section_says_so(data_dir: Path) -> None:
    page = Path(write_report(data_dir)).read_text(encoding="utf-8")
    assert "No collection log yet" in page
    assert "health_daily" not in specs_of(page)


def test_fetch_log_draws_one_cell_per_source_and_day(with_fetch_log: Path) -> None:
    page = Path(write_report(with_fetch_log)).read_text(encoding="utf-8")
    rows = values(specs_of(page)["health_daily"])
    assert len(rows) == 3
    assert {(r["source"], r["failed"]) for r in rows if r["day"] == "2025-10-14"} == {
        ("rheinland-kurier.de", 1),
        ("harbour-herald.co.uk", 3),
    }
    assert "No collection log yet" not in page


def test_window_limits_every_chart(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "week.html"
    write_report(data_dir, out=out, since=date(2025, 10, 8), until=date(2025, 10, 10))
    specs = specs_of(out.read_text(encoding="utf-8"))
    days = {v["day"] for v in values(specs["topics_daily"])}
    assert days == {"2025-10-08", "2025-10-09", "2025-10-10"}
    daily = values(specs["sources_daily"])
    assert {v["day"] for v in daily} <= days


def test_an_empty_warehouse_gives_a_report_of_notes(tmp_path: Path) -> None:
    build_warehouse(tmp_path)
    page = Path(write_report(tmp_path)).read_text(encoding="utf-8")
    assert specs_of(page) == {}
    assert page.count("Nothing in this window.") == 8  # every chart and table says so


def test_since_after_until_is_refused(data_dir: Path) -> None:
    with pytest.raises(ReportError, match="after"):
        write_report(data_dir, since=date(2025, 10, 9), until=date(2025, 10, 1))


def test_cli_writes_the_report_and_reports_errors_in_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    assert main(["report", "--data-dir", str(data_dir), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert main(["report", "--data-dir", str(data_dir), "--since", "2030-01-01"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("news-archive: error: --since 2030-01-01 is after") and "\n" not in err
    assert main(["report", "--data-dir", str(tmp_path / "nothing")]) == 2
    assert "news-archive warehouse" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--data-dir", str(data_dir), "--until", "last week"])


# In a real browser.


@pytest.fixture(scope="module")
def chromium() -> Any:
    reason = browser.missing()
    if reason:
        pytest.skip(reason)
    with browser.chromium() as driver:
        yield driver


MARK_COUNT = """
return Object.fromEntries(Array.from(document.querySelectorAll("div.chart")).map((div) => [
    div.id,
    Array.from(div.querySelectorAll("svg g.role-mark")).reduce(
        (n, g) => n + g.querySelectorAll(":scope > path").length, 0),
]));
"""


@pytest.mark.e2e
def test_every_chart_renders_its_marks_in_chromium(
    chromium: Any, with_fetch_log: Path, data_dir: Path, tmp_path: Path
) -> None:
    page = Path(write_report(with_fetch_log))
    chromium.get(page.as_uri())
    assert browser.wait_for_charts(chromium) == "rendered"
    browser.full_page_screenshot(chromium, tmp_path / "report.png")
    assert (tmp_path / "report.png").stat().st_size > 10_000
    expected = {**expected_marks(data_dir), "health_daily": 3}
    assert chromium.execute_script(MARK_COUNT) == expected
    errors = [e for e in chromium.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    # Opened from disk, the page loaded nothing else.
    assert chromium.execute_script("return performance.getEntriesByType('resource').length") == 0


@pytest.mark.e2e
def test_charts_filter_by_source_and_show_tooltips(chromium: Any, data_dir: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page = Path(write_report(data_dir))
    chromium.get(page.as_uri())
    assert browser.wait_for_charts(chromium) == "rendered"
    days = {
        a["published_date"] for a in lake(data_dir, "articles") if a["source"] == "nordsee-bote.de"
    }
    chart = chromium.find_element(By.ID, "sources_daily")
    Select(chart.find_element(By.TAG_NAME, "select")).select_by_visible_text("nordsee-bote.de")
    assert chromium.execute_script(MARK_COUNT)["sources_daily"] == len(days)

    bar = chromium.find_element(By.CSS_SELECTOR, "#sources_wire g.role-mark > path")
    ActionChains(chromium).move_to_element(bar).perform()
    tooltip = chromium.find_element(By.ID, "vg-tooltip-element")
    assert "wire share" in tooltip.text


def test_a_report_waits_for_the_writer_of_its_data_dir(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report reads the warehouse file a build replaces: it takes the data dir's lock."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from etl.core.lock import data_dir_lock\n"
            f"with data_dir_lock({str(data_dir)!r}):\n"
            "    print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    out = tmp_path / "report.html"
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert main(["report", "--data-dir", str(data_dir), "--out", str(out)]) == 2
        assert "in use by another news-archive process" in capsys.readouterr().err
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert main(["report", "--data-dir", str(data_dir), "--out", str(out), "--wait", "30"]) == 0
    assert out.exists()
