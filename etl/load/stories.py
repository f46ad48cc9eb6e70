"""Stories across the whole archive: every store matches its articles against the story index.

A story is a group of articles, over every run, joined (``etl.load.dedup.join_similar``)
when MinHash LSH makes them candidates, their estimated Jaccard similarity reaches the
threshold, and their times (publication, else fetch) lie within ``window`` of each other;
joins are transitive. Every relation here is symmetric, so the partition is the same whatever
order the runs arrive in.

- **The index is in the lake.** Each articles file has a ``story_index`` file of the same
  name in the same partition, with every row's signature (512 bytes, no text). A store reads
  only the partitions within ``window`` of its own articles' times: its cost grows with the
  new articles and the archived ones published around them, never with the archive.
- **One writer.** A store holds the data directory's lock (``etl.core.lock``) from reading the
  index to writing its files, so two runs storing at once (two mapped Airflow tasks, two CLI
  processes) are serialised and the second sees the first's articles.
- **Stable ids.** A new story is named after its earliest article (``article_id``); an
  article keeps its story for good, so re-runs and reprocessing keep their ids, whatever its
  text became. When a new article bridges stories stored apart, they merge into the one first
  seen (earliest article; the smaller id on a tie): its id stays, the others' rows in the
  lake are rewritten to it and the merge is recorded in ``story_merges``, so an old id can
  still be looked up. Stories never split.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etl.core.datadir import DataDir, partition_name
from etl.core.schema import (
    ARTICLE_PARTITION,
    STORY_INDEX_SCHEMA,
    STORY_MERGE_SCHEMA,
)
from etl.core.settings import Settings
from etl.core.staging import read_parquet_file
from etl.load.dedup import (
    NUM_PERM,
    STORY_THRESHOLD,
    find,
    join_similar,
    signature_matrix,
    signatures,
)
from etl.load.parquet import PartitionedWriter, write_parquet_atomic

STORY_WINDOW = Settings().story_window
_SIGNATURE_BYTES = NUM_PERM * 4
# A day of the index as ``read_index`` reads it (and its cache keeps it): the index rows with
# each row's story from its articles file, and the file pair (name, size and mtime) they
# came from.
_EMPTY_DAY = pa.schema(
    [
        ("file", pa.string()),
        ("stamp", pa.string()),
        ("article_id", pa.string()),
        ("story_id", pa.string()),
        ("run_id", pa.string()),
        ("published_at", STORY_INDEX_SCHEMA.field("published_at").type),
        ("fetched_at", STORY_INDEX_SCHEMA.field("fetched_at").type),
        ("signature", STORY_INDEX_SCHEMA.field("signature").type),
    ]
).empty_table()


@dataclass(frozen=True)
class Assignment:
    """The stories of a run's articles, and the stories their arrival merged."""

    story_ids: list[str]
    merges: dict[str, str]  # absorbed story id -> the story id it became
    archived: int  # archived articles matched against (those within the window)
    continued: int  # stories of the run that existed before it


def assign_stories(
    data: DataDir,
    run_id: str,
    articles: pl.DataFrame,
    article_signatures: np.ndarray[Any, Any],
    window: timedelta = STORY_WINDOW,
    threshold: float = STORY_THRESHOLD,
    cache: Path | None = None,
) -> Assignment:
    """The story of each of ``articles`` (article_id, published_at, fetched_at), against the
    archive in ``data``'s lake and each other.

    ``article_signatures`` holds one MinHash row per article. Rows the run ``run_id`` stored
    before are not matched against (a re-run replaces them), but give their articles' ids.
    ``cache`` is a folder for ``read_index``'s day files. The caller holds the data
    directory's lock.
    """
    count = articles.height
    if count == 0:
        return Assignment([], {}, 0, 0)
    new_when = _when_us(articles)
    archived, archived_signatures = read_index(data, days_within(new_when, window), cache)
    new_ids = articles["article_id"].to_list()
    known = archived.filter(pl.col("article_id").is_in(new_ids))
    prior = dict(_newest(known).select("article_id", "story_id").iter_rows())
    # Numbered before filtering: ``_row`` is the row of ``archived_signatures``.
    others = _newest(
        archived.with_row_index("_row").filter(
            (pl.col("run_id") != run_id) & ~pl.col("article_id").is_in(new_ids)
        )
    )
    rows = others["_row"].to_numpy()
    nodes = pl.concat(
        [
            pl.DataFrame(
                {
                    "article_id": new_ids,
                    "story_id": [prior.get(a) for a in new_ids],
                    "when": new_when,
                },
                schema={"article_id": pl.String, "story_id": pl.String, "when": pl.Int64},
            ),
            others.select("article_id", "story_id", "when"),
        ]
    )
    matrix = np.concatenate([article_signatures, archived_signatures[rows]])
    parent = _stories_as_trees(nodes["story_id"], count)
    join_similar(matrix, nodes["when"].to_numpy(), count, _us(window), threshold, parent)
    roots = np.array([find(parent, i) for i in range(len(parent))], dtype=np.int64)
    first_seen = dict(archived.group_by("story_id").agg(pl.col("when").min()).iter_rows())
    return _name(nodes.with_columns(root=roots), count, first_seen, len(rows))


def match_stories(
    data_dir: Path | DataDir,
    run_id: str,
    articles: pl.DataFrame,
    article_signatures: np.ndarray[Any, Any],
    window: timedelta = STORY_WINDOW,
) -> tuple[Assignment, list[Path]]:
    """A store's story step: ``assign_stories`` through the index cache, then the merges its
    articles caused written into the lake; returns the assignment and the rewritten files."""
    data = DataDir.at(data_dir)
    assignment = assign_stories(
        data, run_id, articles, article_signatures, window, cache=data.story_index_cache
    )
    # Other runs' rows of the stories these articles bridged take the surviving id.
    return assignment, apply_merges(data, assignment.merges, run_id)


def write_index(
    data: DataDir, run_id: str, articles: pl.DataFrame, article_signatures: np.ndarray[Any, Any]
) -> list[Path]:
    """The run's index files, beside its articles files (the same partitions and names)."""
    with PartitionedWriter(
        data.story_index, ARTICLE_PARTITION, STORY_INDEX_SCHEMA, run_id
    ) as index_out:
        index_out.write(index_table(articles, article_signatures, run_id))
    return index_out.written


def days_within(when: np.ndarray[Any, Any], window: timedelta) -> list[date]:
    """The partition days that hold every time within ``window`` of one of ``when`` (us).

    A day at a time around each article's own day, not the span from the first to the last:
    a WARC with a few old pages among this week's must not read the years between.
    """
    reach = -(-_us(window) // _us(timedelta(days=1)))  # whole days, rounded up
    days = {_day(int(us)) for us in np.unique(when)}
    return sorted({d + timedelta(days=k) for d in days for k in range(-reach, reach + 1)})


def read_index(
    data: DataDir, days: list[date], cache: Path | None = None
) -> tuple[pl.DataFrame, np.ndarray[Any, Any]]:
    """The index rows of the partitions of ``days`` with each row's current story:
    (article_id, story_id, when, fetched_at, run_id) and the signatures as one matrix.

    With ``cache``, each day is read from one file there that holds the rows of every file
    pair of the day, kept up to date by their size and modification time: a day of hourly
    runs of a hundred sources is thousands of small files, and opening them would cost more
    than matching. An articles file without its index file (a lake written before the index
    existed) gets one now, from its texts.
    """
    tables = [_read_day(data, day, cache) for day in days]
    index = pa.concat_tables([_EMPTY_DAY, *tables])
    frame = pl.from_arrow(index.select(["article_id", "story_id", "fetched_at", "run_id"]))
    assert isinstance(frame, pl.DataFrame)
    when = pl.from_arrow(index.select(["published_at", "fetched_at"]))
    assert isinstance(when, pl.DataFrame)
    matrix = signature_matrix(index.column("signature"), np.dtype("<u4"))
    return frame.with_columns(when=when.select(_when_expr()).to_series()), matrix


def _read_day(data: DataDir, day: date, cache: Path | None) -> pa.Table:
    """One day's index rows with their stories (``_EMPTY_DAY``'s columns)."""
    folder = partition_name(ARTICLE_PARTITION, day)
    stamps: dict[str, str] = {}
    for articles_file in sorted((data.articles / folder).glob("*.parquet")):
        index_file = data.story_index / folder / articles_file.name
        if not index_file.exists():
            write_index_from_articles(articles_file, index_file)
        stamps[articles_file.name] = f"{_stamp(articles_file)} {_stamp(index_file)}"
    if cache is None:
        return _read_pairs(data, folder, stamps)
    cache_file = cache / f"{folder}.parquet"
    if not stamps and not cache_file.exists():
        # Most days of a window hold nothing yet (a WARC of pages from many years reaches
        # hundreds): the polars work below cost 0.5 ms for each of them.
        return _EMPTY_DAY
    cached = read_parquet_file(cache_file) if cache_file.exists() else _EMPTY_DAY
    pairs = pl.from_arrow(cached.select(["file", "stamp"]))
    assert isinstance(pairs, pl.DataFrame)
    wanted = [f"{name} {stamp}" for name, stamp in stamps.items()]
    current = pairs.select(pl.concat_str("file", "stamp", separator=" ").is_in(wanted))
    kept = cached.filter(current.to_series().to_arrow())
    have = set(kept["file"].to_pylist())
    missing = {name: stamp for name, stamp in stamps.items() if name not in have}
    if not missing and kept.num_rows == cached.num_rows:
        return cached
    day_rows = pa.concat_tables([kept, _read_pairs(data, folder, missing)])
    if day_rows.num_rows:
        write_parquet_atomic(day_rows, cache_file)
    else:
        cache_file.unlink(missing_ok=True)
    return day_rows


def _read_pairs(data: DataDir, folder: str, stamps: dict[str, str]) -> pa.Table:
    """The index rows of these articles files of one day, each with its story and file."""
    if not stamps:
        return _EMPTY_DAY
    names = list(stamps)
    index = pq.read_table([data.story_index / folder / name for name in names], partitioning=None)
    stories = (
        pl.scan_parquet(
            [data.articles / folder / name for name in names],
            hive_partitioning=False,
            include_file_paths="file",
        )
        .select("article_id", "story_id", "run_id", pl.col("file").str.extract(r"([^/]+)$"))
        .collect()
    )
    keys = pl.from_arrow(index.select(["run_id", "article_id"]))
    assert isinstance(keys, pl.DataFrame)
    joined = keys.with_row_index("_row").join(
        stories, on=["run_id", "article_id"], how="inner", maintain_order="left"
    )
    rows = index.take(pa.array(joined["_row"].to_numpy()))
    return pa.table(
        {
            "file": joined["file"].to_arrow(),
            "stamp": pa.array([stamps[f] for f in joined["file"].to_list()], pa.string()),
            "article_id": rows["article_id"],
            "story_id": joined["story_id"].to_arrow(),
            "run_id": rows["run_id"],
            "published_at": rows["published_at"],
            "fetched_at": rows["fetched_at"],
            "signature": rows["signature"],
        },
        schema=_EMPTY_DAY.schema,
    )


def _stamp(path: Path) -> str:
    """Changes whenever the file is written again (every write renames a new file in)."""
    stat = path.stat()
    return f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


def index_table(
    articles: pl.DataFrame, article_signatures: np.ndarray[Any, Any], run_id: str | None
) -> pl.DataFrame:
    """The index rows of stored articles (with the partition column, for the lake writer);
    ``run_id`` None keeps the run each row names (``articles.run_id``)."""
    packed = np.ascontiguousarray(article_signatures.astype("<u4"))
    column = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(_SIGNATURE_BYTES), len(packed), [None, pa.py_buffer(packed.tobytes())]
    )
    frame = articles.select(
        "article_id",
        "published_at",
        "fetched_at",
        run_id=pl.col("run_id") if run_id is None else pl.lit(run_id, pl.String),
    ).with_columns(signature=pl.Series(column.cast(pa.binary())))
    partition = pl.coalesce("published_at", "fetched_at").dt.date().alias(ARTICLE_PARTITION)
    return frame.with_columns(partition)


def write_index_from_articles(articles_file: Path, index_file: Path) -> None:
    """The index file of an articles file, from its texts."""
    columns = ["article_id", "published_at", "fetched_at", "run_id", "text"]
    rows = pl.read_parquet(articles_file, columns=columns, hive_partitioning=False)
    table = index_table(rows, signatures(rows["text"].to_list()), None)
    write_parquet_atomic(
        table.drop(ARTICLE_PARTITION).to_arrow().cast(STORY_INDEX_SCHEMA), index_file
    )


# --- merges ----------------------------------------------------------------------------------


def apply_merges(data_dir: Path | DataDir, merges: dict[str, str], run_id: str) -> list[Path]:
    """Give the rows of absorbed stories their new id, in every articles file of the lake.

    The merges are written down first (``DataDir.pending_merges``) and struck off when every file is
    rewritten, so a store killed half way is finished by the next one (``finish_merges``).
    Each file is rewritten atomically. Finding the files reads the lake's story ids: a cost
    paid only when an article bridges stories, which is rare.
    """
    if not merges:
        return []
    data = DataDir.at(data_dir)
    pending = data.pending_merges
    pending.parent.mkdir(parents=True, exist_ok=True)
    temporary = pending.with_suffix(".tmp")
    temporary.write_text(json.dumps({"run_id": run_id, "merges": merges}), encoding="utf-8")
    temporary.replace(pending)
    if data.remote is not None:
        # In the store before any rewritten file: a push killed half way leaves the marker
        # there, and the next store's pull brings it back to finish the merges. The push
        # deletes it after the lake's files (``STORE_SYNC`` order), once it is gone here.
        data.mirror().publish(pending.relative_to(data.root).as_posix())
    rewritten = _rewrite_story_ids(data, merges)
    _record_merges(data, merges, run_id)
    pending.unlink()
    return rewritten


def finish_merges(data_dir: Path | DataDir) -> list[Path]:
    """Finish the merges of a store that was killed before it had rewritten every file."""
    pending = DataDir.at(data_dir).pending_merges
    if not pending.exists():
        return []
    stored = json.loads(pending.read_text(encoding="utf-8"))
    return apply_merges(data_dir, dict(stored["merges"]), str(stored["run_id"]))


def _rewrite_story_ids(data: DataDir, merges: dict[str, str]) -> list[Path]:
    files = data.table_files("articles")
    if not files:
        return []
    hits = (
        pl.scan_parquet(files, include_file_paths="_file", hive_partitioning=False)
        .select("story_id", "_file")
        .filter(pl.col("story_id").is_in(list(merges)))
        .select(pl.col("_file").unique().sort())
        .collect()
    )
    rewritten = []
    for name in hits["_file"].to_list():
        path = Path(name)
        table = read_parquet_file(path)
        index = table.schema.get_field_index("story_id")
        field = table.schema.field(index)
        relabelled = pl.Series(table.column("story_id")).replace(merges).to_arrow()
        write_parquet_atomic(table.set_column(index, field, relabelled.cast(field.type)), path)
        rewritten.append(path)
    return rewritten


def _record_merges(data: DataDir, merges: dict[str, str], run_id: str) -> None:
    """The merges, as the record of one merge event (``DataDir.merge_record``)."""
    now = datetime.now(UTC)
    digest = hashlib.blake2b(json.dumps(sorted(merges.items())).encode(), digest_size=6)
    table = pa.Table.from_pylist(
        [
            {"absorbed_story_id": a, "story_id": s, "merged_at": now, "run_id": run_id}
            for a, s in sorted(merges.items())
        ],
        STORY_MERGE_SCHEMA,
    )
    write_parquet_atomic(table, data.merge_record(now.date(), run_id, digest.hexdigest()))


# --- the matching ----------------------------------------------------------------------------


def _stories_as_trees(stories: pl.Series, new: int) -> np.ndarray[Any, Any]:
    """Union-find parents with every archived article joined to the first of its story."""
    index = pl.DataFrame({"story": stories}).with_row_index("node")
    first = index.with_columns(
        root=pl.when(pl.col("node") >= new)
        .then(pl.col("node").first().over("story"))
        .otherwise(pl.col("node"))
    )
    # A new article stays its own root here: its earlier story (if it had one) counts when the
    # components are named, and its archived story mates may hang below it.
    return first["root"].to_numpy().astype(np.int64)


def _name(nodes: pl.DataFrame, new: int, first_seen: dict[str, int], archived: int) -> Assignment:
    """Each component with a new article keeps its story, founds one, or merges several."""
    components = (
        nodes.with_row_index("node")
        .with_columns(is_new=pl.col("node") < new)
        .filter(pl.col("root").is_in(pl.col("root").filter(pl.col("is_new")).implode()))
        # The founder of a new story is its earliest new article (a group keeps this order).
        .sort("when", "article_id")
        .group_by("root")
        .agg(
            stories=pl.col("story_id").drop_nulls().unique(),
            founder=pl.col("article_id").filter(pl.col("is_new")).first(),
        )
    )
    story_of_root: dict[int, str] = {}
    merges: dict[str, str] = {}
    for root, stories, founder in components.iter_rows():
        if not stories:
            story_of_root[root] = founder
            continue
        ranked = sorted(stories, key=lambda s: (first_seen.get(s, 1 << 62), s))
        story_of_root[root] = ranked[0]
        merges.update({absorbed: ranked[0] for absorbed in ranked[1:]})
    roots = nodes["root"].head(new).to_list()
    continued = sum(1 for stories in components["stories"].to_list() if stories)
    return Assignment([story_of_root[r] for r in roots], merges, archived, continued)


# --- small helpers ---------------------------------------------------------------------------


def _when_expr() -> pl.Expr:
    return pl.coalesce("published_at", "fetched_at").dt.epoch("us").alias("when")


def _when_us(articles: pl.DataFrame) -> np.ndarray[Any, Any]:
    return articles.select(_when_expr()).to_series().fill_null(0).to_numpy()


def _us(span: timedelta) -> int:
    return int(span.total_seconds() * 1_000_000)


def _day(microseconds: int) -> date:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=microseconds)).date()


def _newest(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per article: its newest version (latest fetch, then the later run)."""
    return rows.sort(["fetched_at", "run_id"], descending=True, nulls_last=True).unique(
        "article_id", keep="first", maintain_order=True
    )
