"""One row per article per outlet, and one ``story_id`` per story across outlets.

Two different questions. The same article seen twice (re-fetched, or under URL variants that
canonicalise alike) is one row: the newest version wins, the others become ``duplicate``
rejects. The same story carried by several outlets (wire copy with other surroundings and small
edits) stays one row per outlet, because analysts count by source; its rows share a
``story_id`` found by MinHash LSH over word shingles.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 5
NUM_PERM = 128
# Wire copies with other leads or a cut last paragraph stay above this; distinct stories on
# the same topic share few five-word runs and fall far below it.
STORY_THRESHOLD = 0.5
_WORD = re.compile(r"\w+")


def collapse_versions(articles: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep the newest version of each article_id; return (kept, superseded)."""
    ranked = articles.with_columns(
        _rank=pl.int_range(pl.len()).over(
            "article_id",
            order_by=[pl.col("fetched_at"), pl.col("word_count")],
            descending=True,
            nulls_last=True,
        )
    )
    kept = ranked.filter(pl.col("_rank") == 0).drop("_rank")
    superseded = ranked.filter(pl.col("_rank") > 0).drop("_rank")
    return kept, superseded


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    words = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def minhash_of(text: str) -> MinHash:
    signature = MinHash(num_perm=NUM_PERM, seed=1)
    signature.update_batch(list(shingles(text)))
    return signature


def assign_stories(articles: pl.DataFrame, threshold: float = STORY_THRESHOLD) -> pl.DataFrame:
    """Set ``story_id``: the earliest-published member's article_id, for each story cluster.

    LSH proposes candidate pairs; each is confirmed by the estimated Jaccard similarity, and
    confirmed pairs are joined transitively (union-find).
    """
    if articles.is_empty():
        return articles
    texts: list[str] = articles["text"].fill_null("").to_list()
    when = articles.select(pl.col("published_at").fill_null(pl.col("fetched_at")))
    stories = story_ids(
        articles["article_id"].to_list(),
        when.to_series().to_list(),
        np.vstack([minhash_of(t).hashvalues for t in texts]),
        threshold,
    )
    return articles.with_columns(story_id=pl.Series(stories, dtype=pl.String))


def story_ids(
    ids: list[str],
    when: list[datetime | None],
    signatures: np.ndarray[Any, Any],
    threshold: float = STORY_THRESHOLD,
) -> list[str]:
    """The story of each article, from its MinHash signature (see ``assign_stories``).

    ``signatures`` holds one row of ``NUM_PERM`` hash values per article, so that a run's
    stories are found without holding its texts. The bands are those ``MinHashLSH`` chooses
    for the threshold: two articles are candidates when all values of one band agree, and
    joined when their estimated Jaccard similarity reaches the threshold; joins are
    transitive. Bands are compared as sorted arrays rather than kept in LSH hash tables,
    which hold several kilobytes per article.
    """
    count = len(ids)
    parent = list(range(count))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for start, end in MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges:
        band = np.ascontiguousarray(signatures[:, start:end])
        keys = band.view(np.dtype((np.void, band.dtype.itemsize * (end - start)))).ravel()
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        breaks = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        for bucket in np.split(order, breaks):
            if len(bucket) > 1:
                _join_similar(bucket, signatures, threshold, parent, find)

    # The first member of each cluster by (no time last, time, article_id): one sort, no loop
    # over clusters, so a run of a million articles does not take quadratic time.
    members = pl.DataFrame(
        {
            "root": [find(i) for i in range(count)],
            "when": pl.Series(when, dtype=pl.Datetime("us", "UTC")),
            "article_id": pl.Series(ids, dtype=pl.String),
        }
    )
    first = members.sort(["when", "article_id"], nulls_last=True).group_by("root").first()
    story_of_root = dict(zip(first["root"].to_list(), first["article_id"].to_list(), strict=True))
    return [story_of_root[root] for root in members["root"].to_list()]


def _join_similar(
    members: np.ndarray[Any, Any],
    signatures: np.ndarray[Any, Any],
    threshold: float,
    parent: list[int],
    find: Callable[[int], int],
) -> None:
    """Join the candidates of one band bucket whose signatures agree enough."""
    if len({find(int(m)) for m in members}) == 1:
        return  # joined already, through another band
    block = signatures[members]
    for a in range(len(members) - 1):
        similar = (block[a + 1 :] == block[a]).mean(axis=1) >= threshold
        for b in np.flatnonzero(similar) + a + 1:
            parent[find(int(members[b]))] = find(int(members[a]))


def signature_bytes(texts: Sequence[str]) -> list[bytes]:
    """The texts' MinHash signatures (those of ``minhash_of``) as bytes, to stage with rows.

    ``MinHash.bulk`` draws the permutations once for all the texts, not once per text.
    """
    signatures = MinHash.bulk([list(shingles(t)) for t in texts], num_perm=NUM_PERM, seed=1)
    return [bytes(s.hashvalues.tobytes()) for s in signatures]


def signature_matrix(staged: pa.ChunkedArray[Any] | Sequence[bytes]) -> np.ndarray[Any, Any]:
    """Staged signatures (``signature_bytes``) back as one row of hash values per article.

    An Arrow column is read from its buffers, without a Python object per signature.
    """
    dtype = _PROTOTYPE.hashvalues.dtype
    width = NUM_PERM * dtype.itemsize
    if not isinstance(staged, pa.ChunkedArray):
        staged = pa.chunked_array([pa.array(list(staged), pa.binary())], pa.binary())
    blocks = [np.empty((0, NUM_PERM), dtype=dtype)]
    for chunk in staged.chunks:
        fixed = chunk.cast(pa.binary(width))
        data = fixed.buffers()[1]
        if len(fixed) == 0 or data is None:
            continue
        values = np.frombuffer(
            memoryview(data), dtype=dtype, count=len(fixed) * NUM_PERM, offset=fixed.offset * width
        )
        blocks.append(values.reshape(len(fixed), NUM_PERM))
    return np.concatenate(blocks)


# The seed, scheme and value type that ``minhash_of`` uses, for reading staged signatures back.
_PROTOTYPE = MinHash(num_perm=NUM_PERM, seed=1)
