from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
from datasketch import MinHashLSH

from etl.core.datadir import DataDir
from etl.load.dedup import (
    NUM_PERM,
    SHINGLE_WORDS,
    STORY_THRESHOLD,
    collapse_versions,
    minhash_of,
    signatures,
)
from etl.load.stories import assign_stories

WIRE = (
    "US-Präsident Donald Trump will sich erneut mit Kremlchef Wladimir Putin treffen. Das Treffen "
    "soll in der ungarischen Hauptstadt Budapest stattfinden, wie Trump nach einem langen "
    "Telefonat mit Putin mitteilte. Zuvor sollen sich hochrangige Berater beider Seiten in der "
    "kommenden Woche treffen. Der ukrainische Präsident Wolodymyr Selenskyj wird am Freitag im "
    "Weißen Haus erwartet, wo es um die Lieferung von Marschflugkörpern gehen soll. Trump sagte, "
    "das Gespräch mit Putin sei sehr produktiv gewesen und man habe große Fortschritte gemacht."
)
OTHER = (
    "Die ukrainische Armee meldet schwere Kämpfe im Osten des Landes. Russische Truppen hätten in "
    "der Nacht mehrere Dörfer mit Drohnen und Artillerie angegriffen, teilte der Generalstab in "
    "Kiew mit. Die Stromversorgung sei in mehreren Regionen ausgefallen, Reparaturtrupps seien "
    "im Einsatz. Präsident Selenskyj forderte erneut mehr Flugabwehrsysteme von den Verbündeten."
)


def frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    defaults = {"word_count": 1, "published_at": at(16)}
    return pl.DataFrame(
        [{**defaults, **row} for row in rows],
        schema={
            "article_id": pl.String,
            "text": pl.String,
            "word_count": pl.Int32,
            "published_at": pl.Datetime("us", "UTC"),
            "fetched_at": pl.Datetime("us", "UTC"),
        },
    )


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2025, 10, day, hour, tzinfo=UTC)


def test_newest_version_of_an_article_wins() -> None:
    kept, superseded = collapse_versions(
        frame(
            [
                {"article_id": "a", "text": "old", "fetched_at": at(17)},
                {"article_id": "a", "text": "new", "fetched_at": at(18)},
                {"article_id": "b", "text": "b", "fetched_at": None},
            ]
        )
    )
    assert sorted(kept["text"].to_list()) == ["b", "new"]
    assert superseded["text"].to_list() == ["old"]


def stories_among(
    articles: pl.DataFrame, lake: Path, matrix: np.ndarray | None = None
) -> list[str]:
    """The stories ``etl.load.stories`` gives these articles stored into an empty lake."""
    if matrix is None:
        matrix = signatures(articles["text"].to_list())
    return assign_stories(DataDir(lake), "run", articles, matrix).story_ids


def test_wire_copies_share_a_story_and_other_stories_do_not(tmp_path: Path) -> None:
    edited = WIRE.replace("große Fortschritte", "erhebliche Fortschritte") + " Mehr folgt."
    shortened = WIRE.rsplit(". ", 1)[0] + "."
    rows = [
        {
            "article_id": "p1",
            "text": "Budapest-Gipfel geplant. " + WIRE,
            "published_at": at(16, 20),
        },
        {"article_id": "p2", "text": edited, "published_at": at(16, 21)},
        {"article_id": "p3", "text": shortened, "published_at": at(16, 22)},
        {"article_id": "p4", "text": OTHER, "published_at": at(16, 22)},
        {"article_id": "p5", "text": OTHER.upper(), "published_at": at(17, 1)},
    ]
    articles = frame([{**r, "word_count": 1, "fetched_at": at(17)} for r in rows])
    story = dict(zip(articles["article_id"], stories_among(articles, tmp_path), strict=True))
    assert story["p1"] == story["p2"] == story["p3"] == "p1"  # earliest member names the story
    assert story["p4"] == story["p5"] == "p4"  # case does not hide a copy
    assert story["p4"] != story["p1"]


def test_stories_from_band_buckets_are_those_of_minhash_lsh(tmp_path: Path) -> None:
    """Stories compare sorted band keys; datasketch's LSH index must find the same clusters."""
    rng = random.Random(3)
    words = [f"w{i}" for i in range(400)]
    texts = []
    for _ in range(60):
        base = [rng.choice(words) for _ in range(80)]
        texts.append(" ".join(base))
        for _ in range(rng.randint(0, 3)):  # copies with some words changed
            copy = list(base)
            for _ in range(rng.randint(1, 12)):
                copy[rng.randrange(len(copy))] = rng.choice(words)
            texts.append(" ".join(copy))
    signatures = [minhash_of(t) for t in texts]
    lsh = MinHashLSH(threshold=STORY_THRESHOLD, num_perm=NUM_PERM)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, signature in enumerate(signatures):
        for j in lsh.query(signature):
            if signature.jaccard(signatures[j]) >= STORY_THRESHOLD:
                parent[find(i)] = find(j)
        lsh.insert(i, signature)
    ids = [f"a{i:03d}" for i in range(len(texts))]
    articles = pl.DataFrame(
        {"article_id": ids, "published_at": [at(16)] * len(ids), "fetched_at": [at(17)] * len(ids)}
    )
    matrix = np.vstack([s.hashvalues for s in signatures])
    stories = stories_among(articles, tmp_path, matrix)
    expected: dict[int, list[int]] = {}
    for i in range(len(texts)):
        expected.setdefault(find(i), []).append(i)
    assert sorted(sorted(ids[i] for i in group) for group in expected.values()) == sorted(
        sorted(ids[i] for i in range(len(ids)) if stories[i] == story) for story in set(stories)
    )
    assert len(set(stories)) < len(texts)


def test_signature_agreement_estimates_the_jaccard_similarity_of_the_shingles() -> None:
    rng = random.Random(11)
    vocabulary = [f"wort{i}" for i in range(5000)]
    base = [rng.choice(vocabulary) for _ in range(600)]
    for kept in (600, 450, 300, 150, 0):
        other = base[:kept] + [rng.choice(vocabulary) for _ in range(600 - kept)]
        one, two = (
            {tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
            for words in (base, other)
        )
        exact = len(one & two) / len(one | two)
        first, second = signatures([" ".join(base), " ".join(other)])
        estimate = float(np.mean(first == second))
        assert abs(estimate - exact) < 0.12, (kept, exact, estimate)


def test_signatures_ignore_case_and_spacing_and_leave_empty_texts_empty() -> None:
    plain, shouted, empty, short = signatures(
        [WIRE, "  " + WIRE.upper().replace(" ", "\n"), "", "Kurz"]
    )
    assert np.array_equal(plain, shouted)
    assert (empty == np.iinfo(np.uint32).max).all()
    assert not (short == np.iinfo(np.uint32).max).all()


def test_the_written_out_bands_are_those_minhash_lsh_picks() -> None:
    from etl.load.dedup import band_ranges

    assert band_ranges() == list(
        MinHashLSH(threshold=STORY_THRESHOLD, num_perm=NUM_PERM).hashranges
    )
    assert band_ranges(0.8) == list(MinHashLSH(threshold=0.8, num_perm=NUM_PERM).hashranges)


def test_dedup_does_not_import_datasketch_and_scipy() -> None:
    """Every store imports dedup; datasketch brings scipy (over a second and 60 MB)."""
    import subprocess
    import sys

    code = "import sys, etl.load.dedup; print('datasketch' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
