"""py3langid's model, mapped from an uncompressed copy kept between runs, walked in numpy.

py3langid ships its model LZMA-compressed (4.6 MB for 68 MB of arrays), and unpacking it
costs 0.4-0.5 s of CPU in every process that cleans articles: a third of a small run's own
work. The unpacked arrays are written once to the cache directory (``Settings.cache_dir``),
one ``.npy`` file each, and memory-mapped from there: reading a single ``.npz`` of them
(checksums, copies) still cost 0.15 s a process, and a run of a few articles touches a
small part of the tables. Where the copy cannot be written, the model is read as py3langid
reads it. ``WindowedIdentifier`` gives py3langid's answers at about half the cost of its
Python loop over the sample's bytes.
"""

from __future__ import annotations

import lzma
import os
import shutil
import uuid
from array import array
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import py3langid
from py3langid.langid import LanguageIdentifier

from etl.core.settings import Settings

_MODEL = Path(py3langid.langid.MODEL_DIR) / py3langid.langid.MODEL_FILE
# The typecodes py3langid's DFA walk expects, by item size.
_TYPECODE = {2: "H", 4: "I", 8: "L"}
# py3langid's automaton forgets: from any state, the same 6 bytes lead to the same state
# (tests/test_language.py checks the model), so the state after a byte is set by the 6 bytes
# ending there.
MODEL_MEMORY = 6


class WindowedIdentifier(LanguageIdentifier):  # type: ignore[misc]
    """py3langid's identifier, its walk over the sample's bytes done in a few numpy passes.

    py3langid runs its feature automaton one byte at a time in Python (0.25 ms for a
    1,000-character sample, a third of identifying its language). As the automaton forgets
    (``MODEL_MEMORY``), the state after every byte is found at once: ``MODEL_MEMORY`` steps,
    each moving every position's state by the byte that many places before it. The features
    are counted in the order they first appear, as py3langid's walk counts them, and scored by
    py3langid itself: the same probabilities to the last bit.
    """

    __slots__ = ("_moves", "_outputs", "_row_starts")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._moves = np.asarray(self.tk_nextmove)
        self._row_starts = np.asarray(self._rowbase, dtype=np.int64)
        self._outputs = np.asarray(self.tk_output, dtype=np.int64)

    def _raw_score(self, text: bytes) -> np.ndarray:
        data = np.frombuffer(text, dtype=np.uint8)
        states = np.zeros(len(data), dtype=np.int64)
        for back in range(min(MODEL_MEMORY, len(data)) - 1, -1, -1):
            # Every position from ``back`` on takes the byte ``back`` places before it.
            ahead = states[back:]
            states[back:] = self._moves[self._row_starts[ahead] + data[: len(data) - back]]
        features = self._outputs[states]
        features = features[features >= 0]
        if not len(features):
            # No feature: py3langid's own fill.
            return super()._raw_score(text)  # type: ignore[no-any-return]
        found, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        visits = dict(zip(found[order].tolist(), counts[order].tolist(), strict=True))
        return self._sparse_score(visits, self.nb_ptc)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def language_identifier() -> WindowedIdentifier:
    """py3langid's identifier with normalised probabilities, built once per process."""
    try:
        folder = unpacked_model(Settings.from_env().cache_dir)

        def read(name: str) -> np.ndarray:
            mapped: np.ndarray = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            return mapped

        return WindowedIdentifier(
            read("ptc"),
            np.array(read("pc")),
            read("classes").tolist(),
            # The large transition table stays mapped: py3langid's own walk (the fallback,
            # and the tests) indexes it as it indexes its array, one state at a time.
            read("nextmove"),
            read("out_feat").tolist(),
            norm_probs=True,
            tk_row=_as_array(read("nextmove_row")),
        )
    except (OSError, ValueError, KeyError):
        # An unwritable cache, or a copy that is not the model's arrays: read the original.
        identifier = WindowedIdentifier.from_model_file(
            py3langid.langid.MODEL_FILE, norm_probs=True
        )
        assert isinstance(identifier, WindowedIdentifier)
        return identifier


def unpacked_model(cache_dir: Path) -> Path:
    """The model's arrays, a ``.npy`` file each in a folder of ``cache_dir``, unpacked on
    first use (atomically: a reader never meets half a folder). Named by py3langid's version
    and the packed model's size."""
    stat = _MODEL.stat()
    target = cache_dir / f"py3langid-{version('py3langid')}-{stat.st_size}"
    if not target.is_dir():
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache_dir / f".{target.name}.{uuid.uuid4().hex}.tmp"
        try:
            temporary.mkdir()
            whole = temporary / "model.npz"
            with lzma.open(_MODEL) as packed, whole.open("wb") as out:
                shutil.copyfileobj(packed, out, length=1 << 20)
            with np.load(whole, allow_pickle=False) as arrays:
                for name in arrays.files:
                    with (temporary / f"{name}.npy").open("wb") as out:
                        np.save(out, arrays[name], allow_pickle=False)
                        out.flush()
                        os.fsync(out.fileno())
            whole.unlink()
            try:
                temporary.rename(target)
            except OSError:
                if not target.is_dir():  # else another process published it first
                    raise
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
    return target


def _as_array(values: np.ndarray) -> array[int]:
    """A numpy array of unsigned integers as the stdlib array py3langid's DFA walk indexes."""
    out: array[int] = array(_TYPECODE[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out
