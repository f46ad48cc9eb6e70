"""One row per article per outlet, and one ``story_id`` per story across outlets.

Two different questions. The same article seen twice (re-fetched, or under URL variants that
canonicalise alike) is one row: the newest version wins, the others become ``duplicate``
rejects. The same story carried by several outlets (wire copy with other surroundings and small
edits) stays one row per outlet, because analysts count by source; its rows share a
``story_id`` found by MinHash LSH over word shingles.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl
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
    words = _WORD.findall(text.casefold())
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
    ids: list[str] = articles["article_id"].to_list()
    texts: list[str] = articles["text"].fill_null("").to_list()
    signatures = [minhash_of(t) for t in texts]
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, signature in enumerate(signatures):
        for j in lsh.query(signature):
            if signature.jaccard(signatures[j]) >= threshold:
                parent[find(i)] = find(j)
        lsh.insert(i, signature)

    order = articles.select(
        pl.col("published_at").fill_null(pl.col("fetched_at")).alias("when"), "article_id"
    )
    when = order["when"].to_list()
    roots = np.array([find(i) for i in range(len(ids))])
    story_of_root: dict[int, str] = {}
    for root in set(roots.tolist()):
        members = np.flatnonzero(roots == root).tolist()
        first = min(members, key=lambda m: (when[m] is None, when[m], ids[m]))
        story_of_root[root] = ids[first]
    return articles.with_columns(
        story_id=pl.Series([story_of_root[int(r)] for r in roots], dtype=pl.String)
    )
