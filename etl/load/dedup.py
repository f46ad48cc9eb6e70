"""One row per article per outlet, and one ``story_id`` per story across outlets.

Two different questions. The same article seen twice (re-fetched, or under URL variants that
canonicalise alike) is one row: the newest version wins, the others become ``duplicate``
rejects. The same story carried by several outlets (wire copy with other surroundings and small
edits) stays one row per outlet, because analysts count by source; its rows share a
``story_id`` found by MinHash LSH over word shingles (the signatures and the joining here; which
archived articles take part and how stories are named, in ``etl.load.stories``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import pyarrow as pa

if TYPE_CHECKING:
    from datasketch import MinHash

SHINGLE_WORDS = 5
NUM_PERM = 128
# Wire copies with other leads or a cut last paragraph stay above this; distinct stories on
# the same topic share few five-word runs and fall far below it.
STORY_THRESHOLD = 0.5


def collapse_versions(articles: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep the newest version of each article_id; return (kept, superseded).

    Within one run: newest fetch first, then the longer text (two records of one fetch time,
    as a WARC holding a page twice, or URL variants, keep the fuller extraction), then input
    order. The warehouse asks a different question, the newest version across runs' lake
    files (``etl/sql/020_article_versions.sql``): newest fetch first there too, then the
    greater run_id and lake_file, a fixed order. It needs no word-count tie-break: this one
    already left a single row per article_id in each run. The two agree wherever both apply.
    """
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
    b_column = b[:, np.newaxis]
    for i, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        if length >= SHINGLE_WORDS:
            values = windows[start : start + length - SHINGLE_WORDS + 1]
        elif length:
            values = _fmix64(_rolling(hashes[start : start + length], length))
        else:
            continue
        # A row per hash function, in place: the minimum runs along contiguous memory and no
        # temporary is made (0.22 ms an article against 0.33 for a shingle per row).
        hashed = np.multiply.outer(a, values)
        hashed += b_column
        hashed >>= _SHIFT
        result[i] = hashed.min(axis=1)
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
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=signatures([text])[0], scheme="legacy")


def find(parent: np.ndarray[Any, Any], node: int) -> int:
    """The root of ``node`` in the union-find forest ``parent`` (halving the path)."""
    while parent[node] != node:
        parent[node] = parent[parent[node]]
        node = int(parent[node])
    return node


def join_similar(
    matrix: np.ndarray[Any, Any],
    when: np.ndarray[Any, Any],
    new: int,
    window: int,
    threshold: float,
    parent: np.ndarray[Any, Any],
) -> None:
    """Join (in the union-find ``parent``) each of the first ``new`` rows of ``matrix`` with
    every row similar to it.

    Similar: LSH candidates (all values of one band agree; the bands are those
    ``band_ranges`` gives for the threshold) whose signatures agree in at least
    ``threshold`` of their values, and whose ``when`` (microseconds) lie at most ``window``
    apart (a negative ``window``: any distance). Bands are compared as sorted arrays rather
    than kept in LSH hash tables, which hold several kilobytes per article. Pairs of two rows
    past ``new`` are not compared: the caller knows their outcome already.
    """
    if len(matrix) == 0:
        return
    is_new = np.arange(len(matrix)) < new
    for start, end in band_ranges(threshold):
        # A band's values as one 64-bit key: sorting numbers is twice as fast as sorting the
        # bands' bytes, and two bands that collide only add a pair the exact check turns down.
        keys = matrix[:, start].copy()
        for column in range(start + 1, end):
            keys *= _BASE
            keys += matrix[:, column]
        keys = _fmix64(keys)
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        breaks = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        starts = np.concatenate(([0], breaks)).astype(np.int64)
        ends = np.concatenate((breaks, [len(order)])).astype(np.int64)
        with_new = np.add.reduceat(is_new[order].astype(np.int64), starts) > 0
        shared = with_new & (ends - starts > 1)
        for s, e in zip(starts[shared].tolist(), ends[shared].tolist(), strict=True):
            members = order[s:e]
            if len({find(parent, int(m)) for m in members}) == 1:
                continue  # joined already, through another band
            block = matrix[members]
            for a in np.flatnonzero(members < new).tolist():
                similar = (block == block[a]).mean(axis=1) >= threshold
                if window >= 0:
                    similar &= np.abs(when[members] - when[members[a]]) <= window
                root = find(parent, int(members[a]))
                for b in members[similar].tolist():
                    other = find(parent, b)
                    if other != root:
                        parent[other] = root


@cache
def band_ranges(threshold: float = STORY_THRESHOLD) -> list[tuple[int, int]]:
    """The LSH bands (first and last value of each) that ``MinHashLSH`` picks for the
    threshold: 25 bands of 5 values at 0.5 with 128 values.

    Written out for the story threshold, because importing datasketch (it brings scipy) costs
    a process more than a second and 60 MB; tests check that the two agree.
    """
    if threshold == STORY_THRESHOLD and NUM_PERM == 128:
        return [(start, start + 5) for start in range(0, 125, 5)]
    from datasketch import MinHashLSH

    return list(MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges)


def signature_bytes(texts: Sequence[str | None]) -> list[bytes]:
    """The texts' MinHash signatures (``signatures``) as bytes, to stage with rows."""
    return [row.tobytes() for row in signatures(texts)]


def signature_matrix(
    staged: pa.ChunkedArray[Any] | Sequence[bytes], stored: np.dtype[Any] | None = None
) -> np.ndarray[Any, Any]:
    """Stored signatures back as one row of ``NUM_PERM`` hash values (uint64) per article.

    ``stored`` is the type of each value as stored: uint64 as staged (``signature_bytes``),
    or the story index's little-endian uint32. An Arrow column is read from its buffers,
    without a Python object per signature.
    """
    dtype = np.dtype(np.uint64) if stored is None else stored
    width = NUM_PERM * dtype.itemsize
    if not isinstance(staged, pa.ChunkedArray):
        staged = pa.chunked_array([pa.array(list(staged), pa.binary())], pa.binary())
    blocks = [np.empty((0, NUM_PERM), dtype=np.uint64)]
    for chunk in staged.chunks:
        fixed = chunk.cast(pa.binary(width))
        data = fixed.buffers()[1]
        if len(fixed) == 0 or data is None:
            continue
        values = np.frombuffer(
            memoryview(data), dtype=dtype, count=len(fixed) * NUM_PERM, offset=fixed.offset * width
        )
        blocks.append(values.reshape(len(fixed), NUM_PERM).astype(np.uint64, copy=False))
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
