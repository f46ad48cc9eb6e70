"""The benchmark behind ``news-archive bench-stories``: what the story index costs at scale.

Issue 14 promises that a store's story matching costs what its new articles and their
candidates cost, not what the archive costs: the index stays on disk and a store reads only the
partitions within the window of its articles. Measured here, for the same new articles:
(a) the story part of a store against an empty lake, (b) the same against a lake of a million
generated articles; each in a fresh child process, so that its peak memory is its own. And,
separately, (c) one merge at that scale: ``apply_merges`` scans the story ids of every
articles file in the lake; and, on request (``--stray-days``), (d): (b) with one of the new
articles published long before the others, as a re-fetched old page is: ``assign_stories``
reads every partition from the earliest article's window to the latest's.

The story part is what ``etl.load.store.store_run`` does for stories: ``match_stories``
(the index read through its day cache, the matching, any merges) and ``write_index``. The
archive comes with its day cache built, as the hourly stores that wrote it would leave it.
Signatures are an input of a store (computed while extracting), so they are not timed.

The archive is generated once per parameters and kept in the work dir: a file per hourly run
and day, each with its index file, as a store writes them; texts of 60-120 words from
``etl.bench.synthetic``'s grammar, 30% of them wire copies of an article published up to six hours
before (a sentence cut or rewritten), sharing its story. Short texts keep the million
signatures to a few minutes; what the matching reads per article (512 bytes) does not depend
on the text's length. The cases run on a hard-linked copy of it: a store and a merge only ever
rename new files into place, so the archive's own files are never changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import resource
import shutil
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from etl.core.datadir import DataDir, partition_day, partition_name

# The libraries are imported where they are used, so that ``news-archive --help`` (which
# lists this command's options) does not pay for them.

MiB = 1024 * 1024
# Bump when the generated archive or new articles change: a cached archive of another
# format is generated again.
ARCHIVE_FORMAT = 1
ARCHIVE_START = date(2025, 1, 1)
RUNS_PER_DAY = 24
WIRE_SHARE = 0.3
WIRE_SPAN = timedelta(hours=6)  # a wire copy is published up to this long after its original
SENTENCES = (5, 9)  # sentences of a text: 60 to 120 words
OUTLETS = 198  # outlet k writes in LANGUAGES[k % 3]
LANGUAGES = ("en", "de", "fr")
NEW_RUN_ID = "stories-new"
MERGE_RUN_ID = "stories-merge"
_SENTENCE_END = re.compile(r"(?<=\.) ")
_US = 1_000_000


@dataclass
class StoreCase:
    """The story part of one store, timed in a child process of its own."""

    wall: float  # assign_stories + index files + apply_merges
    cpu: float
    match_wall: float  # match_stories: the index read, the matching and any merges
    index_wall: float
    rss_before: int  # the child's RSS before the timed part (imports, the new articles)
    peak_rss: int  # ru_maxrss of the child: the high-water mark of the whole process
    archived: int  # archived articles read from the window (Assignment.archived)
    joined: int  # new articles given a story that existed before
    continued: int  # stories that existed before and gained new articles
    stories: int
    merges: int
    files_relabelled: int
    wire_copies: int  # new articles made as copies of archived ones
    wire_copies_found: int  # of those, given the story of the article they copy


@dataclass
class MergeCost:
    """``apply_merges`` of one absorbed story over the whole lake, in a child process."""

    wall: float
    cpu: float
    peak_rss: int
    articles_files: int  # files whose story ids it scans
    files_rewritten: int


@dataclass
class StoryBenchReport:
    archive_articles: int
    new_articles: int
    days: int
    window_days: int
    seed: int
    machine: dict[str, Any]
    archive: dict[str, Any] = field(default_factory=dict)
    new: dict[str, Any] = field(default_factory=dict)
    repeat: int = 1
    # Each case's runs (interleaved: a, b, a, b, ...), and the run of median wall time.
    empty_runs: list[StoreCase] = field(default_factory=list)
    full_runs: list[StoreCase] = field(default_factory=list)
    empty: StoreCase | None = None
    full: StoreCase | None = None
    merge: MergeCost | None = None
    stray_days: int = 0
    stray: StoreCase | None = None  # (b) with one new article published stray_days earlier
    # The one-minute load average after each part: how much else the machine was doing.
    load: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, default=str)


# --- the archive -----------------------------------------------------------------------------


def ensure_archive(
    work_dir: Path, articles: int, days: int, seed: int
) -> tuple[Path, dict[str, Any]]:
    """The data dir of the generated archive for these parameters, generated once."""
    data_dir = work_dir / f"archive-{articles}-{days}d-{seed}"
    marker = data_dir / "archive.json"
    wanted = {"format": ARCHIVE_FORMAT, "articles": articles, "days": days, "seed": seed}
    if marker.exists():
        meta: dict[str, Any] = json.loads(marker.read_text(encoding="utf-8"))
        if {k: meta.get(k) for k in wanted} == wanted:
            meta["cache_built_in"] = warm_index_cache(data_dir)
            return data_dir, {**meta, "reused": True}
    shutil.rmtree(data_dir, ignore_errors=True)
    started = time.perf_counter()
    counts = write_archive(DataDir(data_dir), articles, days, seed)
    meta = {**wanted, **counts, "generated_in": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(meta), encoding="utf-8")
    meta["cache_built_in"] = warm_index_cache(data_dir)
    return data_dir, {**meta, "reused": False}


def warm_index_cache(data_dir: Path) -> float:
    """Build the index's day cache (``DataDir.story_index_cache``) where it is missing, as the
    hourly stores that wrote the archive would have left it; returns the seconds it took.

    A day at a time, so the archive is never in memory.
    """
    from etl.load.stories import read_index

    data = DataDir(data_dir)
    cache = data.story_index_cache
    started = time.perf_counter()
    for folder in data.partitions("articles"):
        if not (cache / f"{folder.name}.parquet").exists():
            read_index(data, [partition_day(folder)], cache)
    return round(time.perf_counter() - started, 1)


def write_archive(data: DataDir, articles: int, days: int, seed: int) -> dict[str, int]:
    """``articles`` articles evenly over ``days`` days, a day at a time (never the archive in
    memory): per day ``RUNS_PER_DAY`` runs, each an articles file and its index file."""
    rng = random.Random(seed)
    # Originals of the last WIRE_SPAN: (microseconds, story_id, language, sentences).
    recent: deque[tuple[int, str, int, list[str]]] = deque()
    counts = {"wire_copies": 0, "articles_files": 0}
    per_day = [articles // days + (1 if i < articles % days else 0) for i in range(days)]
    number = 0
    for offset, count in enumerate(per_day):
        day = ARCHIVE_START + timedelta(days=offset)
        midnight = _microseconds(day)
        rows: dict[str, list[Any]] = {k: [] for k in ("when", "article_id", "story_id", "url")}
        rows.update(source=[], language=[], text=[])
        for second in sorted(rng.randrange(86_400) for _ in range(count)):
            when = midnight + second * _US
            while recent and recent[0][0] < when - _US * int(WIRE_SPAN.total_seconds()):
                recent.popleft()
            if recent and rng.random() < WIRE_SHARE:
                _, story_id, language, original = recent[rng.randrange(len(recent))]
                text = wire_copy(rng, original, LANGUAGES[language])
                counts["wire_copies"] += 1
                story = story_id
            else:
                language = rng.randrange(len(LANGUAGES))
                text = _new_text(rng, language)
                story = ""
            source = f"outlet{3 * rng.randrange(OUTLETS // 3) + language:03d}.example"
            url = f"https://{source}/{day.isoformat()}/{number}.html"
            article_id = hashlib.blake2b(url.encode(), digest_size=16).hexdigest()
            if not story:
                story = article_id
                recent.append((when, story, language, text))
            number += 1
            for key, value in (
                ("when", when),
                ("article_id", article_id),
                ("story_id", story),
                ("url", url),
                ("source", source),
                ("language", LANGUAGES[language]),
                ("text", " ".join(text)),
            ):
                rows[key].append(value)
        counts["articles_files"] += _write_day(data, day, rows)
    return counts


def wire_copy(rng: random.Random, original: list[str], language: str) -> list[str]:
    """Another outlet's copy of a wire story: its last sentence cut, or one sentence rewritten."""
    from etl.bench.synthetic import sentences

    copy = list(original)
    if rng.random() < 0.5:
        copy.pop()
    else:
        copy[rng.randrange(len(copy))] = sentences(rng, language, 1)[0]
    return copy


def _new_text(rng: random.Random, language: int) -> list[str]:
    from etl.bench.synthetic import sentences

    return sentences(rng, LANGUAGES[language], rng.randint(*SENTENCES))


def _write_day(data: DataDir, day: date, rows: dict[str, list[Any]]) -> int:
    """The day's articles as one file per hourly run, each with its index file."""
    import numpy as np
    import polars as pl

    from etl.core.schema import ARTICLE_PARTITION, STORY_INDEX_SCHEMA
    from etl.load.dedup import signatures
    from etl.load.parquet import write_parquet_atomic
    from etl.load.stories import index_table

    when = pl.Series("when", rows.pop("when"), dtype=pl.Int64)
    texts = rows.pop("text")
    published = pl.from_epoch(when, time_unit="us").dt.replace_time_zone("UTC")
    frame = pl.DataFrame({**rows, "title": [t[: t.find(".")] for t in texts], "text": texts})
    frame = frame.with_columns(
        published_at=published,
        fetched_at=published + pl.duration(minutes=20),
        word_count=pl.Series(texts).str.count_matches(r"\S+").cast(pl.Int32),
    )
    matrix = signatures(texts)
    folder = partition_name(ARTICLE_PARTITION, day)
    files = 0
    hours = (when - _microseconds(day)) // (3600 * _US) * RUNS_PER_DAY // 24
    for run in np.unique(hours.to_numpy()).tolist():
        chosen = (hours == run).to_numpy()
        run_id = f"archive-{day:%Y%m%d}-{run:02d}"
        run_rows = frame.filter(chosen).with_columns(run_id=pl.lit(run_id))
        name = f"part-{run_id}.parquet"
        write_parquet_atomic(_article_table(run_rows), data.articles / folder / name)
        index = index_table(run_rows, matrix[chosen], run_id).drop(ARTICLE_PARTITION)
        write_parquet_atomic(
            index.to_arrow().cast(STORY_INDEX_SCHEMA), data.story_index / folder / name
        )
        files += 1
    return files


def _article_table(frame: Any) -> Any:
    """``frame`` as an ARTICLE_SCHEMA table: the columns it lacks are null."""
    import pyarrow as pa

    from etl.core.schema import ARTICLE_SCHEMA

    given = frame.to_arrow()
    height = given.num_rows
    columns = [
        given.column(name) if name in given.column_names else pa.nulls(height)
        for name in ARTICLE_SCHEMA.names
    ]
    return pa.table(columns, names=ARTICLE_SCHEMA.names).cast(ARTICLE_SCHEMA)


def _microseconds(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * _US


# --- the new articles ------------------------------------------------------------------------


def new_day(days: int) -> date:
    """The day the new articles are published: the middle of the archive, so that the window
    around it is full of archived articles."""
    return ARCHIVE_START + timedelta(days=days // 2)


def ensure_new_articles(
    archive_dir: Path, count: int, days: int, seed: int
) -> tuple[Path, dict[str, Any]]:
    """The new articles (with signatures) for this archive, generated once."""
    path = archive_dir / f"new-{count}.parquet"
    marker = path.with_suffix(".json")
    if path.exists() and marker.exists():
        return path, {**json.loads(marker.read_text(encoding="utf-8")), "reused": True}
    started = time.perf_counter()
    meta = write_new_articles(DataDir(archive_dir), path, count, days, seed)
    meta["generated_in"] = round(time.perf_counter() - started, 1)
    marker.write_text(json.dumps(meta), encoding="utf-8")
    return path, {**meta, "reused": False}


def write_new_articles(
    data: DataDir, path: Path, count: int, days: int, seed: int
) -> dict[str, Any]:
    """``count`` articles published on ``new_day``; ``WIRE_SHARE`` of them copies of archived
    articles published up to ``WIRE_SPAN`` before them (``copy_of``: the story they belong to).
    """
    import polars as pl

    from etl.load.dedup import signature_bytes
    from etl.load.parquet import write_parquet_atomic

    rng = random.Random(seed + 1)
    day = new_day(days)
    files = [
        f
        for d in (day - timedelta(days=1), day)
        for f in sorted(data.partition("articles", d).glob("*.parquet"))
    ]
    columns = ["story_id", "published_at", "language", "text"]
    archived = pl.read_parquet(files, columns=columns).sort("published_at") if files else None
    archived_when = [] if archived is None else archived["published_at"].dt.epoch("us").to_list()
    midnight = _microseconds(day)
    rows: dict[str, list[Any]] = {k: [] for k in ("article_id", "when", "copy_of", "text")}
    for number, second in enumerate(sorted(rng.randrange(86_400) for _ in range(count))):
        when = midnight + second * _US
        first = _bisect(archived_when, when - _US * int(WIRE_SPAN.total_seconds()))
        last = _bisect(archived_when, when)
        copy_of = None
        if archived is not None and last > first and rng.random() < WIRE_SHARE:
            pick = archived.row(rng.randrange(first, last), named=True)
            text = wire_copy(rng, _SENTENCE_END.split(pick["text"]), pick["language"])
            copy_of = pick["story_id"]
        else:
            text = _new_text(rng, rng.randrange(len(LANGUAGES)))
        url = f"https://outlet{number % OUTLETS:03d}.example/new/{number}.html"
        rows["article_id"].append(hashlib.blake2b(url.encode(), digest_size=16).hexdigest())
        rows["when"].append(when)
        rows["copy_of"].append(copy_of)
        rows["text"].append(" ".join(text))
    published = pl.from_epoch(pl.Series(rows.pop("when"), dtype=pl.Int64), time_unit="us")
    frame = pl.DataFrame(rows, schema_overrides={"copy_of": pl.String}).with_columns(
        published_at=published.dt.replace_time_zone("UTC"),
        fetched_at=published.dt.replace_time_zone("UTC") + pl.duration(minutes=20),
        signature=pl.Series(signature_bytes(rows["text"]), dtype=pl.Binary),
    )
    write_parquet_atomic(frame.to_arrow(), path)
    return {
        "articles": count,
        "day": day.isoformat(),
        "wire_copies": int(frame["copy_of"].is_not_null().sum()),
    }


def _bisect(values: list[int], value: int) -> int:
    import bisect

    return bisect.bisect_left(values, value)


# --- the measured parts, each in a child process ---------------------------------------------


def in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """``function(*args)`` in a new process (spawned: nothing of this one's memory)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def store_stories(
    data_dir: str, new_articles: str, window_days: int, stray_days: int = 0
) -> dict[str, Any]:
    """The story part of a store of ``new_articles`` into ``data_dir``, as the pipeline does
    it, timed; with what it decided. ``stray_days``: the first article is published (and
    fetched) that many days before the others, as a re-fetched old page is.

    ``pyarrow.dataset`` (which ``pq.read_table`` imports on its first list of files: 0.07 s)
    is imported before the clock starts, so that (b) is not charged an import (a) skips.
    """
    import polars as pl
    import psutil
    import pyarrow.dataset  # noqa: F401
    import pyarrow.parquet as pq

    from etl.load.dedup import signature_matrix
    from etl.load.stories import match_stories, write_index

    table = pq.read_table(new_articles, columns=["article_id", "published_at", "fetched_at"])
    articles = pl.from_arrow(table)
    assert isinstance(articles, pl.DataFrame)
    first = pl.int_range(pl.len()) == 0
    articles = articles.with_columns(
        pl.when(first).then(pl.col(c) - pl.duration(days=stray_days)).otherwise(pl.col(c))
        for c in ("published_at", "fetched_at")
    )
    matrix = signature_matrix(pq.read_table(new_articles, columns=["signature"]).column(0))
    copy_of = pq.read_table(new_articles, columns=["copy_of"]).column(0).to_pylist()
    data = DataDir(Path(data_dir))
    rss_before = psutil.Process().memory_info().rss
    wall, cpu = time.perf_counter(), time.process_time()
    # What the pipeline's store does for stories, in its order: match (and merge), index.
    stories, relabelled = match_stories(
        data, NEW_RUN_ID, articles, matrix, timedelta(days=window_days)
    )
    matched = time.perf_counter()
    write_index(data, NEW_RUN_ID, articles, matrix)
    done, cpu = time.perf_counter(), time.process_time() - cpu
    new_ids = set(articles["article_id"].to_list())
    found = sum(
        1
        for story, copied in zip(stories.story_ids, copy_of, strict=True)
        if copied is not None and story == stories.merges.get(copied, copied)
    )
    return asdict(
        StoreCase(
            wall=done - wall,
            cpu=cpu,
            match_wall=matched - wall,
            index_wall=done - matched,
            rss_before=rss_before,
            peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            archived=stories.archived,
            joined=sum(1 for s in stories.story_ids if s not in new_ids),
            continued=stories.continued,
            stories=len(set(stories.story_ids)),
            merges=len(stories.merges),
            files_relabelled=len(relabelled),
            wire_copies=sum(1 for c in copy_of if c is not None),
            wire_copies_found=found,
        )
    )


def merge_one_story(data_dir: str, absorbed: str, survivor: str) -> dict[str, Any]:
    """``apply_merges`` of one story into another, over the whole lake of ``data_dir``, timed."""
    from etl.load.stories import apply_merges

    files = sum(1 for _ in DataDir(Path(data_dir)).table_files("articles"))
    wall, cpu = time.perf_counter(), time.process_time()
    rewritten = apply_merges(Path(data_dir), {absorbed: survivor}, MERGE_RUN_ID)
    return asdict(
        MergeCost(
            wall=time.perf_counter() - wall,
            cpu=time.process_time() - cpu,
            peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            articles_files=files,
            files_rewritten=len(rewritten),
        )
    )


def stories_to_merge(data: DataDir) -> tuple[str, str]:
    """Two archived stories of the archive's first two days (the biggest of each): a merge
    that rewrites files far from any window, as a late bridging article would."""
    import polars as pl

    picked = []
    for day in (ARCHIVE_START, ARCHIVE_START + timedelta(days=1)):
        files = sorted(data.partition("articles", day).glob("*.parquet"))
        if not files:
            raise ValueError(f"no archived articles on {day}: the archive is too small")
        stories = pl.read_parquet(files, columns=["story_id"])["story_id"].value_counts(sort=True)
        picked.append(str(stories["story_id"][0]))
    return picked[0], picked[1]


def scratch_copy(archive_dir: Path | None, scratch: Path) -> Path:
    """A data dir to run a case in: the archive's lake hard-linked (or an empty lake).

    Every write of a store or a merge goes to a new file renamed into place, which replaces
    the copy's link and leaves the archive's file as it was.
    """
    shutil.rmtree(scratch, ignore_errors=True)
    if archive_dir is None:
        DataDir(scratch).lake.mkdir(parents=True)
    else:
        archive, copy = DataDir(archive_dir), DataDir(scratch)
        shutil.copytree(archive.lake, copy.lake, copy_function=os.link)
        # The index's day cache too (a store rewrites a day's cache file by renaming a new one
        # in, like the lake's files): the state hourly stores leave behind.
        shutil.copytree(archive.state, copy.state, copy_function=os.link)
    return scratch


# --- the whole benchmark ---------------------------------------------------------------------


def run_story_bench(
    archive: int = 1_000_000,
    new: int = 10_000,
    days: int = 365,
    window_days: int = 3,
    seed: int = 7,
    work_dir: str | Path = "/tmp/news-archive-bench/stories",
    repeat: int = 5,
    stray_days: int = 0,
    echo: Callable[[str], None] = print,
) -> StoryBenchReport:
    """Everything the story benchmark measures, printed as it goes; returns the figures."""
    from etl.bench.speed import machine

    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    report = StoryBenchReport(archive, new, days, window_days, seed, machine())
    echo(
        f"news-archive bench-stories: {new:,} new articles against {archive:,} archived ones "
        f"over {days} days, window {window_days} days\n"
        f"machine: {report.machine['cpu']}, {report.machine['cores']} cores, "
        f"{report.machine['memory_gib']} GiB, load average {report.machine['load_before']}"
    )
    archive_dir, report.archive = ensure_archive(work, archive, days, seed)
    echo(_archive_line(report.archive))
    batch, report.new = ensure_new_articles(archive_dir, new, days, seed)
    echo(
        f"new articles: {new:,} published on {report.new['day']}, "
        f"{report.new['wire_copies']:,} of them wire copies of archived articles"
        f" ({_how(report.new)})"
    )
    report.repeat = repeat
    for _ in range(repeat):
        for runs, source in ((report.empty_runs, None), (report.full_runs, archive_dir)):
            data_dir = scratch_copy(source, work / f"scratch-{'archive' if source else 'empty'}")
            runs.append(
                StoreCase(**in_child(store_stories, str(data_dir), str(batch), window_days))
            )
    report.load["a and b"] = os.getloadavg()[0]
    report.empty, report.full = median_run(report.empty_runs), median_run(report.full_runs)
    echo(_case_table(report, archive))
    full_dir = work / "scratch-archive"
    absorbed, survivor = stories_to_merge(DataDir(full_dir))
    report.merge = MergeCost(**in_child(merge_one_story, str(full_dir), absorbed, survivor))
    report.load["c"] = os.getloadavg()[0]
    echo(_merge_line(report.merge, archive))
    if stray_days:
        data_dir = scratch_copy(archive_dir, work / "scratch-archive")
        stray = in_child(store_stories, str(data_dir), str(batch), window_days, stray_days)
        report.stray_days, report.stray = stray_days, StoreCase(**stray)
        report.load["d"] = os.getloadavg()[0]
        echo(_stray_line(report.stray, stray_days))
    loads = ", ".join(f"{part} {value:.1f}" for part, value in report.load.items())
    echo(f"one-minute load average after each part ({report.machine['cores']} cores): {loads}")
    return report


def _how(meta: dict[str, Any]) -> str:
    return "reused" if meta.get("reused") else f"generated in {meta['generated_in']} s"


def _archive_line(meta: dict[str, Any]) -> str:
    return (
        f"archive: {meta['articles']:,} articles over {meta['days']} days in "
        f"{meta['articles_files']:,} articles files, each with its index file "
        f"({RUNS_PER_DAY} runs a day); {meta['wire_copies']:,} wire copies ({_how(meta)}; "
        f"index day cache built in {meta.get('cache_built_in', 0)} s)"
    )


def median_run(runs: list[StoreCase]) -> StoreCase:
    """The run of median wall time (the later of two middle ones): a machine others use
    slows some runs down, never speeds one up."""
    return sorted(runs, key=lambda run: run.wall)[len(runs) // 2]


def _case_table(report: StoryBenchReport, archive: int) -> str:
    empty, full = report.empty, report.full
    assert empty is not None and full is not None

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.1f}x" if a else "-"

    header = (
        f"{'story part of one store':28s}{'wall s':>8s}{'CPU s':>7s}{'peak RSS':>10s}"
        f"{'(growth)':>10s}{'read':>8s}{'joined':>8s}{'merges':>7s}"
    )
    lines = [header]
    for label, case in (("(a) empty archive", empty), (f"(b) {archive:,} archived", full)):
        lines.append(
            f"{label:28s}{case.wall:8.2f}{case.cpu:7.2f}{case.peak_rss / MiB:6.0f} MiB"
            f"{(case.peak_rss - case.rss_before) / MiB:6.0f} MiB"
            f"{case.archived:8,}{case.joined:8,}{case.merges:7,}"
        )
    lines.append(
        f"{'ratio (b)/(a)':28s}{ratio(empty.wall, full.wall):>8s}{ratio(empty.cpu, full.cpu):>7s}"
        f"{ratio(empty.peak_rss, full.peak_rss):>10s}"
        f"{ratio(empty.peak_rss - empty.rss_before, full.peak_rss - full.rss_before):>10s}"
    )
    lines.append(
        "  peak RSS: ru_maxrss of the case's process; growth: over its RSS before the clock"
        f" started ({full.rss_before / MiB:.0f} MiB in (b): imports, the new articles)"
    )
    for label, case in (("(a)", empty), ("(b)", full)):
        lines.append(
            f"  {label} match_stories {case.match_wall:.2f} s, index files "
            f"{case.index_wall:.2f} s; {case.merges} merges ({case.files_relabelled} files "
            f"rewritten); {case.continued:,} stories continued; "
            f"{case.wire_copies_found:,} of {case.wire_copies:,} wire copies in the story "
            "they copy"
        )
    lines.append(f"  median of {report.repeat} runs each, a fresh process and copy per run:")
    for label, runs in (("(a)", report.empty_runs), ("(b)", report.full_runs)):
        walls = " ".join(f"{run.wall:.2f}" for run in runs)
        lines.append(f"  {label} wall s {walls}; CPU s {' '.join(f'{r.cpu:.2f}' for r in runs)}")
    return "\n".join(lines)


def _stray_line(case: StoreCase, days: int) -> str:
    return (
        f"(d) (b) with one of the new articles published {days} days before the others "
        f"(one run): {case.wall:.2f} s wall, {case.cpu:.2f} s CPU, peak RSS "
        f"{case.peak_rss / MiB:.0f} MiB (growth {(case.peak_rss - case.rss_before) / MiB:.0f} "
        f"MiB), {case.archived:,} archived articles read"
    )


def _merge_line(merge: MergeCost, archive: int) -> str:
    return (
        f"one merge at {archive:,} archived (apply_merges of one absorbed story): "
        f"{merge.wall:.2f} s wall, {merge.cpu:.2f} s CPU, peak RSS {merge.peak_rss / MiB:.0f} MiB;"
        f" scans {merge.articles_files:,} articles files, rewrote {merge.files_rewritten}"
    )


def run_from_args(args: Any) -> int:
    names = ("archive", "new", "days", "window_days", "seed", "work_dir", "repeat", "stray_days")
    report = run_story_bench(**{name: getattr(args, name) for name in names})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(report.to_json(), encoding="utf-8")
    return 0
