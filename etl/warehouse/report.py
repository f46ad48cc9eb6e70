"""The HTML report: topics, sources, agencies, stories and collection health over time, as charts.

One self-contained file that opens with no network: the charts are Vega-Lite specs built with
altair, rendered in the browser by vega-embed, whose JavaScript (with Vega-Lite and Vega) comes
bundled in ``vl-convert-python`` and is inlined into the page. The numbers come from the read-only
warehouse through the queries in ``sql/report/``, each bound to the report window.

The report adapts to what the warehouse holds: topic categories where the article schema has
them (else the topics), and the collection health charts only once there is a ``fetch_log``.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import jinja2

from etl.core.datadir import DataDir
from etl.core.lock import WRITER_WAIT_SECONDS, data_dir_lock
from etl.core.resources import sql_file, template
from etl.warehouse.connect import connect_read_only, warehouse_path

DEFAULT_DAYS = 28
TOP_N = 10
TOP_STORY_DAYS = 7
TOP_STORIES = 5
SILENT_DAYS = 3
# Charts over days fill their column ("container" width) at this height.
CHART_HEIGHT = 260


class ReportError(ValueError):
    """A report window that cannot be drawn (since after until)."""


@dataclass(frozen=True)
class Window:
    """The days the report covers, both ends included."""

    since: date
    until: date
    default: bool = False

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def params(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until}


@dataclass
class Block:
    """One chart or table of a section; ``rows`` is what it shows (empty: a note instead)."""

    key: str
    title: str
    kind: str = "chart"
    rows: list[dict[str, Any]] = field(default_factory=list)
    spec: dict[str, Any] | None = None
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block]
    note: str = ""


def report_path(data_dir: str | Path) -> Path:
    return DataDir.at(data_dir).report


def write_report(
    data_dir: str | Path,
    out: str | Path | None = None,
    since: date | None = None,
    until: date | None = None,
) -> str:
    """Write the report for the warehouse under ``data_dir``; return the file's path.

    ``out`` defaults to ``data_dir/report/index.html``. The window defaults to the
    ``DEFAULT_DAYS`` days up to the newest article.
    """
    target = Path(out) if out is not None else report_path(data_dir)
    # A writer of the data dir: it waits for a warehouse update to end rather than read
    # (or fail on) a warehouse file in the middle of being replaced.
    with (
        data_dir_lock(data_dir, timeout=WRITER_WAIT_SECONDS, sync=("report",)),
        connect_read_only(data_dir) as con,
    ):
        try:
            page = render_report(con, since=since, until=until, source=warehouse_path(data_dir))
        except duckdb.CatalogException as exc:
            # A warehouse from an older build lacks a table or view the report reads.
            raise ReportError(
                f"the warehouse lacks what the report reads, rebuild it with "
                f"`news-archive warehouse`: {exc}"
            ) from exc
        # Written beside the target and renamed, so a browser or web server never serves half
        # a file; and before the lock is let go, which on a remote root publishes it.
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
        try:
            temporary.write_text(page, encoding="utf-8")
            temporary.replace(target)
        finally:
            temporary.unlink(missing_ok=True)
    return DataDir.at(data_dir).location(target) if out is None else str(target)


def render_report(
    con: duckdb.DuckDBPyConnection,
    since: date | None = None,
    until: date | None = None,
    source: Path | str = "the warehouse",
) -> str:
    """The report page as HTML, from an open warehouse connection."""
    catalog = read_catalog(con)
    first_day, last_day = _query(con, "bounds", plain=False)[0].values()
    window = report_window(last_day, since, until)
    if window.default:
        # Four weeks back, but not onto the empty days before the archive's first article.
        start = _query(con, "window_start", window.params(), plain=False)[0]["first_day"]
        window = Window(start or window.since, window.until, default=True)
    params = window.params()
    summary = _query(con, "summary", params)[0]
    sections = [
        _topic_section(con, catalog, window),
        _source_section(con, params),
        _agency_section(con, params),
        _story_section(con, params),
        _health_section(con, catalog, params),
        _reject_section(con, params),
    ]
    specs = {}
    for block in (block for section in sections for block in section.blocks):
        if not block.rows:
            block.note = block.note or "Nothing in this window."
        elif block.spec is not None:
            specs[block.key] = block.spec
    figures = [
        ("articles", summary["articles"]),
        ("sources", summary["sources"]),
        ("stories", summary["stories"]),
        ("with wire copy", summary["wire_articles"]),
        ("rejects", summary["rejects"]),
    ]
    return _template().render(
        window=window,
        figures=figures,
        sections=sections,
        specs=_script_json(specs),
        bundle=_javascript_bundle(),
        vegalite_version=alt.SCHEMA_VERSION,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        warehouse=source,
        archive_days=f"{first_day} to {last_day}",
    )


def report_window(last_day: date | None, since: date | None, until: date | None) -> Window:
    """The window asked for; what is not given ends at the newest article and spans four weeks."""
    default = since is None and until is None
    until = until or last_day or datetime.now(UTC).date()
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise ReportError(
            f"--since {since} is after --until {until}"
            + (" (the newest article's day)" if last_day == until else "")
        )
    return Window(since, until, default)


def read_catalog(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Table name to column names, for the tables and views the warehouse holds."""
    catalog: dict[str, set[str]] = {}
    for row in _query(con, "catalog"):
        catalog.setdefault(row["table_name"], set()).add(row["column_name"])
    return catalog


def _topic_section(
    con: duckdb.DuckDBPyConnection, catalog: Mapping[str, set[str]], window: Window
) -> Section:
    by_category = "topic_categories" in catalog.get("articles", set())
    _query(con, "tags_from_categories" if by_category else "tags_from_topics")
    label = "category" if by_category else "topic"
    daily = _query(con, "tag_daily", {**window.params(), "top_n": TOP_N})
    rising = _query(con, "rising_topics", {"until": window.until, "top_n": TOP_N})
    return Section(
        "topics",
        "Topics",
        [
            Block(
                "topics_daily",
                f"Articles per day by {label}",
                rows=daily,
                spec=_stacked_area(daily, label) if daily else None,
            ),
            Block(
                "topics_rising",
                f"Rising: the 7 days to {window.until} against the 7 before",
                rows=rising,
                spec=_rising_bars(rising) if rising else None,
            ),
        ],
        note=(
            ""
            if by_category
            else "Counted by topic: the articles have no topic categories yet. "
            f"The {TOP_N} biggest topics are named, the others are grouped as other."
        ),
    )


def _source_section(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> Section:
    daily = _query(con, "source_daily", params)
    wire = _query(con, "wire_share", params)
    return Section(
        "sources",
        "Sources",
        [
            Block(
                "sources_daily",
                "Articles per day by source",
                rows=daily,
                spec=_source_bars(daily) if daily else None,
            ),
            Block(
                "sources_wire",
                "Share of wire copy (articles crediting an agency)",
                rows=wire,
                spec=_wire_bars(wire) if wire else None,
            ),
        ],
    )


def _agency_section(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> Section:
    daily = _query(con, "agency_daily", params)
    return Section(
        "agencies",
        "Agencies over time",
        [
            Block(
                "agencies_daily",
                "",
                rows=daily,
                spec=_agency_lines(daily) if daily else None,
            )
        ],
    )


def _story_section(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> Section:
    stories = _query(con, "top_stories", {**params, "days": TOP_STORY_DAYS, "top_n": TOP_STORIES})
    return Section(
        "stories",
        "Top stories of the day",
        [Block("stories_top", "", kind="stories", rows=stories)],
        note="The stories carried by the most outlets, for each of the window's last "
        f"{TOP_STORY_DAYS} days; each outlet's copy is linked.",
    )


def _health_section(
    con: duckdb.DuckDBPyConnection, catalog: Mapping[str, set[str]], params: dict[str, Any]
) -> Section:
    silent = _query(con, "silent_sources", {**params, "silent_days": SILENT_DAYS})
    blocks = []
    note = ""
    if "fetch_log" not in catalog or not _query(con, "fetch_log_rows")[0]["log_rows"]:
        note = (
            "No collection log yet: the warehouse's fetch_log is missing or empty. It is "
            "written when collecting from the web (news-archive collect); imported WARC "
            "files and saved pages have none."
        )
    else:
        try:
            health = _query(con, "fetch_health", params)
        except duckdb.BinderException as exc:
            # A fetch_log of another shape than this report reads: say so, draw the rest.
            note = f"The fetch_log table is not in the shape the report reads: {exc}"
        else:
            blocks.append(
                Block(
                    "health_daily",
                    "Fetches per source and day (colour: share failed)",
                    rows=health,
                    spec=_health_heatmap(health) if health else None,
                )
            )
    blocks.append(
        Block(
            "health_silent",
            f"Sources that went silent (no article in the last {SILENT_DAYS} days)",
            kind="silent",
            rows=silent,
        )
    )
    return Section("health", "Collection health", blocks, note=note)


def _reject_section(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> Section:
    rejects = _query(con, "rejects_by_reason", params)
    return Section(
        "rejects",
        "Rejects by reason",
        [
            Block(
                "rejects_reason",
                "",
                rows=rejects,
                spec=_reject_bars(rejects) if rejects else None,
            )
        ],
    )


# Charts. Every chart is named: its marks are drawn as SVG groups with that name in their class,
# which is how the browser test finds and counts them.

DAY = alt.X("utcyearmonthdate(day):T", title=None, axis=alt.Axis(format="%d %b"))
DAY_TIP = alt.Tooltip("utcyearmonthdate(day):T", title="day", format="%a %d %b %Y")


def _count_axis(rows: Sequence[Mapping[str, Any]], value: str, by: str | None = None) -> alt.Axis:
    """An axis of whole numbers: Vega would tick 0, 0.5, 1 for a top of 1 article.

    ``by`` names the field whose rows stack into one bar or day, for the top of the stack.
    """
    totals: dict[Any, int] = {}
    for i, row in enumerate(rows):
        key = row[by] if by else i
        totals[key] = totals.get(key, 0) + int(row[value])
    top = max(totals.values(), default=1)
    return alt.Axis(format="d", tickCount=max(1, min(top, 8)))


def _chart(rows: Sequence[Mapping[str, Any]], name: str, *, bars: bool = False) -> alt.Chart:
    # Horizontal bar charts grow with their number of bars instead of stretching a few.
    height: int | alt.Step = alt.Step(22) if bars else CHART_HEIGHT
    return alt.Chart(alt.InlineData(values=list(rows))).properties(
        name=name, width="container", height=height
    )


def _source_picker(rows: Sequence[Mapping[str, Any]]) -> alt.Parameter:
    """A drop-down under the chart that shows one source alone ("all" by default)."""
    sources = sorted({str(row["source"]) for row in rows})
    return alt.selection_point(
        fields=["source"],
        bind=alt.binding_select(options=[None, *sources], labels=["all", *sources], name="source "),
    )


def _stacked_area(rows: Sequence[Mapping[str, Any]], label: str) -> dict[str, Any]:
    # Clicking a legend entry brings its series forward and fades the others.
    pick = alt.selection_point(fields=["tag"], bind="legend")
    chart = (
        _chart(rows, "topics_daily")
        .mark_area()
        .encode(
            x=DAY,
            y=alt.Y(
                "articles:Q",
                stack="zero",
                title="articles",
                axis=_count_axis(rows, "articles", "day"),
            ),
            color=alt.Color("tag:N", title=label, scale=alt.Scale(scheme="tableau20")),
            opacity=alt.when(pick).then(alt.value(0.9)).otherwise(alt.value(0.15)),
            tooltip=[alt.Tooltip("tag:N", title=label), DAY_TIP, "articles:Q"],
        )
        .add_params(pick)
    )
    return _spec(chart)


def _rising_bars(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    chart = (
        _chart(rows, "topics_rising", bars=True)
        .mark_bar()
        .encode(
            y=alt.Y("topic:N", sort="-x", title=None),
            x=alt.X(
                "change:Q",
                title="more articles than the week before",
                axis=_count_axis(rows, "change"),
            ),
            tooltip=["topic:N", "this_week:Q", "last_week:Q", "change:Q"],
        )
    )
    return _spec(chart)


def _source_bars(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    only = _source_picker(rows)
    chart = (
        _chart(rows, "sources_daily")
        .mark_bar()
        .encode(
            x=DAY,
            y=alt.Y(
                "articles:Q",
                stack="zero",
                title="articles",
                axis=_count_axis(rows, "articles", "day"),
            ),
            color=alt.Color("source:N", scale=alt.Scale(scheme="tableau20")),
            tooltip=["source:N", DAY_TIP, "articles:Q"],
        )
        .add_params(only)
        .transform_filter(only)
    )
    return _spec(chart)


def _wire_bars(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    chart = (
        _chart(rows, "sources_wire", bars=True)
        .mark_bar()
        .encode(
            y=alt.Y("source:N", sort="-x", title=None),
            x=alt.X(
                "wire_share:Q",
                title="share of articles",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                "source:N",
                alt.Tooltip("wire_share:Q", title="wire share", format=".0%"),
                "wire_articles:Q",
                "articles:Q",
            ],
        )
    )
    return _spec(chart)


def _agency_lines(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    pick = alt.selection_point(fields=["agency"], bind="legend")
    chart = (
        _chart(rows, "agencies_daily")
        .mark_line(point=True)
        .encode(
            x=DAY,
            y=alt.Y("articles:Q", title="articles", axis=_count_axis(rows, "articles")),
            color=alt.Color("agency:N"),
            opacity=alt.when(pick).then(alt.value(1.0)).otherwise(alt.value(0.15)),
            tooltip=["agency:N", DAY_TIP, "articles:Q"],
        )
        .add_params(pick)
    )
    return _spec(chart)


def _health_heatmap(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    only = _source_picker(rows)
    chart = (
        _chart(rows, "health_daily")
        .transform_calculate(
            failed_share="datum.fetched + datum.failed > 0 ? "
            "datum.failed / (datum.fetched + datum.failed) : 0"
        )
        .mark_rect()
        .encode(
            x=alt.X("utcyearmonthdate(day):O", title=None, axis=alt.Axis(format="%d %b")),
            y=alt.Y("source:N", title=None),
            color=alt.Color(
                "failed_share:Q",
                title="failed",
                scale=alt.Scale(scheme="redyellowgreen", reverse=True, domain=[0, 1]),
                legend=alt.Legend(format="%"),
            ),
            tooltip=[
                "source:N",
                DAY_TIP,
                "discovered:Q",
                "fetched:Q",
                "failed:Q",
                "articles:Q",
            ],
        )
        .add_params(only)
        .transform_filter(only)
    )
    return _spec(chart)


def _reject_bars(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    chart = (
        _chart(rows, "rejects_reason", bars=True)
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", sort="-x", title=None),
            x=alt.X("sum(rejects):Q", title="rejects", axis=_count_axis(rows, "rejects", "reason")),
            color=alt.Color("stage:N"),
            tooltip=["reason:N", "stage:N", "rejects:Q"],
        )
    )
    return _spec(chart)


# Plumbing.


def _spec(chart: alt.Chart) -> dict[str, Any]:
    """The chart's Vega-Lite spec (altair validates it against the schema on the way)."""
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    plain: bool = True,
) -> list[dict[str, Any]]:
    """Run ``sql/report/<name>.sql`` with bound parameters; rows as dicts (``plain``: of
    JSON-ready values, as the chart specs embed them)."""
    sql = sql_file("report", f"{name}.sql")
    cursor = con.execute(sql, dict(params or {}))
    if cursor.description is None:
        return []
    columns = [column[0] for column in cursor.description]
    convert = _plain if plain else _same
    return [dict(zip(columns, map(convert, row), strict=True)) for row in cursor.fetchall()]


def _same(value: Any) -> Any:
    return value


def _plain(value: Any) -> Any:
    """Dates as ISO strings (Vega reads them as UTC days), structs and lists recursively."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element: headlines and topics come from scraped pages."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@functools.cache
def _javascript_bundle() -> str:
    """Bundled once per process: vl-convert takes a couple of seconds to build it."""
    import vl_convert

    # vegaEmbed as a global, for the page's own script that embeds every chart.
    snippet = "window.vegaEmbed = vegaEmbed;"
    bundle = vl_convert.javascript_bundle(snippet, vl_version=_vl_convert_version())
    # The bundle goes into a <script> element, which the first "</script" would end.
    return bundle.replace("</script", "<\\/script")


def _vl_convert_version() -> str:
    """The Vega-Lite release altair writes specs for, as vl-convert names it (``v6.4.1``: 6.4)."""
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


def _is_web_link(url: object) -> bool:
    # Links come from scraped pages: only http(s) ones become clickable (no javascript: URLs).
    return isinstance(url, str) and url.lower().startswith(("http://", "https://"))


def _template() -> jinja2.Template:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["is_web_link"] = _is_web_link
    text = template("report.html.j2")
    return environment.from_string(text)
