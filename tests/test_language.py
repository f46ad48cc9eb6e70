"""The language model read from its unpacked copy is py3langid's own model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import py3langid
import pytest

from etl.transform import language

TEXTS = [
    "The council met on Tuesday to discuss the new budget for the schools.",
    "Der Rat tagte am Dienstag über den neuen Haushalt der Schulen.",
    "Le conseil s'est réuni mardi pour discuter du nouveau budget.",
    "Ngomhla wesithathu kuMandulo umkhandlu wahlangana ukuxoxa ngesabelomali.",
    "評議会は火曜日に新しい予算について話し合った。",
]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(tmp_path / "cache"))
    language.language_identifier.cache_clear()
    yield tmp_path / "cache"
    language.language_identifier.cache_clear()


def test_unpacked_model_ranks_as_the_packed_one(cache_dir: Path) -> None:
    packed = py3langid.langid.LanguageIdentifier.from_model_file(
        py3langid.langid.MODEL_FILE, norm_probs=True
    )
    unpacked = language.language_identifier()
    assert [p.name for p in cache_dir.iterdir()] == [language.unpacked_model(cache_dir).name]
    # The texts without a feature take py3langid's own walk over the mapped table.
    for text in [*TEXTS, "", "   ", "12345"]:
        assert unpacked.rank(text) == packed.rank(text)
    language.language_identifier.cache_clear()
    again = language.language_identifier()  # now read from the copy written above
    assert [again.rank(t) for t in TEXTS] == [packed.rank(t) for t in TEXTS]


def test_a_damaged_copy_falls_back_to_the_packed_model(cache_dir: Path) -> None:
    copy = language.unpacked_model(cache_dir)
    (copy / "nextmove.npy").write_bytes(b"not an array")
    assert language.language_identifier().classify(TEXTS[1])[0] == "de"


def test_the_copy_is_mapped_not_read(cache_dir: Path) -> None:
    """The tables stay in the page cache, shared, and only what a sample touches is read."""
    identifier = language.language_identifier()
    assert isinstance(identifier.tk_nextmove, np.memmap)
    assert isinstance(identifier.nb_ptc, np.memmap)
    assert sorted(p.name for p in language.unpacked_model(cache_dir).iterdir()) == [
        f"{name}.npy" for name in ("classes", "nextmove", "nextmove_row", "out_feat", "pc", "ptc")
    ]


def test_an_unwritable_cache_falls_back_to_the_packed_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("NEWS_ARCHIVE_CACHE_DIR", str(blocker / "cache"))
    language.language_identifier.cache_clear()
    try:
        assert language.language_identifier().classify(TEXTS[0])[0] == "en"
    finally:
        language.language_identifier.cache_clear()


def test_the_model_forgets_after_model_memory_bytes(cache_dir: Path) -> None:
    """The windowed walk's premise: from every state, each string of ``MODEL_MEMORY`` bytes
    ends in one state. Followed as sets of states, every string at once; a string is
    dropped once its set is one state (it stays one state whatever follows)."""
    identifier = language.language_identifier()
    rows = np.asarray(identifier.tk_row, dtype=np.int64)
    moves = np.asarray(identifier.tk_nextmove).reshape(-1, 256)[rows]  # state x byte -> state
    sets = [np.arange(len(rows))]
    for _ in range(language.MODEL_MEMORY):
        following: dict[bytes, np.ndarray] = {}
        for states in sets:
            reached = np.sort(moves[states], axis=0)  # a column per byte
            for byte in np.flatnonzero(reached[0] != reached[-1]):
                distinct = np.unique(reached[:, byte])
                following.setdefault(distinct.tobytes(), distinct)
        sets = list(following.values())
    assert sets == []


def test_the_windowed_walk_ranks_as_py3langid(cache_dir: Path) -> None:
    windowed = language.language_identifier()
    plain = py3langid.langid.LanguageIdentifier(
        windowed.nb_ptc,
        windowed.nb_pc,
        windowed.nb_classes,
        windowed.tk_nextmove,
        windowed.tk_output,
        norm_probs=True,
        tk_row=windowed.tk_row,
    )
    texts = [*TEXTS, "", "a", "ab", "12345", "   ", "ÄÖÜ", "日本", " ".join(TEXTS) * 3]
    for text in texts:
        assert windowed.rank(text) == plain.rank(text)
        assert windowed.classify(text) == plain.classify(text)
