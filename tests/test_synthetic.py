"""The benchmark's generated inputs: deterministic, realistic in size, readable by the pipeline."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq

from etl.bench.synthetic import MAX_PAGE_BYTES, MIN_PAGE_BYTES, write_article_lake, write_corpus
from etl.core.datadir import DataDir
from etl.core.schema import ARTICLE_SCHEMA
from etl.ingest.inputs import IngestCounts, Page, Reject, read_warc


def test_the_same_seed_writes_the_same_corpus(tmp_path: Path) -> None:
    one = write_corpus(tmp_path / "one" / "c.warc.gz", 30, seed=5)
    two = write_corpus(tmp_path / "two" / "c.warc.gz", 30, seed=5)
    other = write_corpus(tmp_path / "other" / "c.warc.gz", 30, seed=6)
    assert one == two
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("*/c.warc.gz")]
    assert len(set(digest)) == 2
    assert other.pages == 30


def test_article_pages_are_news_sized_and_some_are_copies_or_broken(tmp_path: Path) -> None:
    path = tmp_path / "corpus.warc.gz"
    counts = write_corpus(path, 120, seed=1)
    records = list(read_warc(path, IngestCounts()))
    assert len(records) == counts.pages == 120
    sizes = [len(r.body) for r in records if isinstance(r, Page)]
    assert sum(MIN_PAGE_BYTES <= s <= MAX_PAGE_BYTES for s in sizes) >= 0.9 * len(sizes)
    assert 0.15 * 120 < counts.syndicated < 0.4 * 120
    assert counts.refetched > 0
    assert counts.broken > 0
    assert any(isinstance(r, Reject) for r in records)


def test_the_article_lake_has_the_article_schema_and_every_row(tmp_path: Path) -> None:
    assert write_article_lake(DataDir(tmp_path), 1000, days=7) == 1000
    files = sorted((tmp_path / "lake" / "articles").glob("published_date=*/*.parquet"))
    assert len(files) == 7
    assert pq.read_schema(files[0]).names == ARTICLE_SCHEMA.names
    assert sum(pq.read_metadata(f).num_rows for f in files) == 1000
