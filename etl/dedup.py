"""One row per article per outlet, and one ``story_id`` per story across outlets.

Two different questions. The same article seen twice (re-fetched, or under URL variants that
canonicalise alike) is one row: the newest version wins, the others become ``duplicate``
rejects. The same story carried by several outlets (wire copy with other surroundings and small
edits) stays one row per outlet, because analysts count by source; its rows share a
``story_id`` found by MinHash LSH over word shingles.
"""

from __future__ import annotations

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


def signatures(texts: Sequence[str | None]) -> np.ndarray[Any, Any]:
    """One MinHash signature (``NUM_PERM`` values) per text, over its five-word shingles.

    The words of all texts are hashed in one vectorised pass (polars), a shingle's hash is a
    polynomial of its words' hashes, and the ``NUM_PERM`` hash functions are multiply-add-shift
    hashes (64 to 32 bits, a universal family), applied per text as one small matrix. Hashing
    each shingle as a Python object (SHA-1, as datasketch does) and permuting modulo a prime
    cost three to four times as much.
    An empty text gets the empty signature (every value at its maximum), as in datasketch.
    """
    result = np.full((len(texts), NUM_PERM), _MAX_HASH, dtype=np.uint64)
    if not texts:
        return result
    words = (
        pl.Series(texts, dtype=pl.String)
        .fill_null("")
        .str.normalize("NFC")
        .str.to_lowercase()
        .str.replace_all("ß", "ss", literal=True)
        .str.extract_all(r"\w+")
    )
    lengths = words.list.len().fill_null(0).to_numpy().astype(np.int64)
    hashes = words.explode().drop_nulls().hash(seed=_WORD_SEED).to_numpy()
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    windows = _fmix64(_rolling(hashes, SHINGLE_WORDS))
    a, b = _PERMUTATIONS
    for i, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        if length >= SHINGLE_WORDS:
            values = windows[start : start + length - SHINGLE_WORDS + 1]
        elif length:
            values = _fmix64(_rolling(hashes[start : start + length], length))
        else:
            continue
        result[i] = ((values[:, np.newaxis] * a + b) >> _SHIFT).min(axis=0)
    return result


def _rolling(hashes: np.ndarray[Any, Any], size: int) -> np.ndarray[Any, Any]:
    """The hash of every run of ``size`` consecutive word hashes (a polynomial, mod 2**64)."""
    count = len(hashes) - size + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    out = hashes[:count].copy()
    for offset in range(1, size):
        out *= _BASE
        out += hashes[offset : offset + count]
    return out


def _fmix64(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """MurmurHash3's finaliser: every input bit reaches every output bit."""
    values = values ^ (values >> np.uint64(33))
    values *= np.uint64(0xFF51AFD7ED558CCD)
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xC4CEB9FE1A85EC53)
    mixed: np.ndarray[Any, Any] = values ^ (values >> np.uint64(33))
    return mixed


def minhash_of(text: str) -> MinHash:
    """The signature of one text as a datasketch ``MinHash`` (for its LSH index and tests)."""
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=signatures([text])[0], scheme="legacy")


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
        signatures(texts),
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


def signature_bytes(texts: Sequence[str | None]) -> list[bytes]:
    """The texts' MinHash signatures (``signatures``) as bytes, to stage with rows."""
    return [row.tobytes() for row in signatures(texts)]


def signature_matrix(staged: pa.ChunkedArray[Any] | Sequence[bytes]) -> np.ndarray[Any, Any]:
    """Staged signatures (``signature_bytes``) back as one row of hash values per article.

    An Arrow column is read from its buffers, without a Python object per signature.
    """
    dtype = np.dtype(np.uint64)
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


_MAX_HASH = np.uint64((1 << 32) - 1)
_SHIFT = np.uint64(32)
_BASE = np.uint64(0x100000001B3)  # the FNV prime: odd, with bits spread over the word
_WORD_SEED = 20251017


def _draw_hash_functions() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(a, b) of ``NUM_PERM`` hashes ``(a * x + b) mod 2**64 >> 32``, ``a`` odd, by a fixed seed."""
    generator = np.random.default_rng(1)
    a = generator.integers(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = generator.integers(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2)
    return a, b


_PERMUTATIONS = _draw_hash_functions()
