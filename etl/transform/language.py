"""py3langid's model, read from an uncompressed copy kept between runs.

py3langid ships its model LZMA-compressed (4.6 MB for 68 MB of arrays), and unpacking it
costs 0.4-0.5 s of CPU in every process that cleans articles: a third of a small run's own
work. The unpacked ``.npz`` is written once to the cache directory (``Settings.cache_dir``)
and read from there in about a tenth of the time; where it cannot be written, the model is
read as py3langid reads it.
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
from zipfile import BadZipFile

import numpy as np
import py3langid
from py3langid.langid import LanguageIdentifier

from etl.core.settings import Settings

_MODEL = Path(py3langid.langid.MODEL_DIR) / py3langid.langid.MODEL_FILE
# The typecodes py3langid's DFA walk expects, by item size.
_TYPECODE = {2: "H", 4: "I", 8: "L"}


@lru_cache(maxsize=1)
def language_identifier() -> LanguageIdentifier:
    """py3langid's identifier with normalised probabilities, built once per process."""
    try:
        with np.load(unpacked_model(Settings.from_env().cache_dir), allow_pickle=False) as data:
            return LanguageIdentifier(
                np.asarray(data["ptc"]),
                np.asarray(data["pc"]),
                data["classes"].tolist(),
                _as_array(data["nextmove"]),
                data["out_feat"].tolist(),
                norm_probs=True,
                tk_row=_as_array(data["nextmove_row"]),
            )
    except (OSError, ValueError, KeyError, BadZipFile):
        # An unwritable cache, or a copy that is not the model's arrays: read the original.
        return LanguageIdentifier.from_model_file(py3langid.langid.MODEL_FILE, norm_probs=True)


def unpacked_model(cache_dir: Path) -> Path:
    """The model's ``.npz``, unpacked into ``cache_dir`` on first use (atomically: a reader
    never meets half a file). Named by py3langid's version and the packed model's size."""
    stat = _MODEL.stat()
    target = cache_dir / f"py3langid-{version('py3langid')}-{stat.st_size}.npz"
    if not target.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = cache_dir / f".{target.name}.{uuid.uuid4().hex}.tmp"
        try:
            with lzma.open(_MODEL) as packed, temporary.open("wb") as out:
                shutil.copyfileobj(packed, out, length=1 << 20)
                out.flush()
                os.fsync(out.fileno())
            temporary.replace(target)
        finally:
            temporary.unlink(missing_ok=True)
    return target


def _as_array(values: np.ndarray) -> array[int]:
    """A numpy array of unsigned integers as the stdlib array py3langid's DFA walk indexes."""
    out: array[int] = array(_TYPECODE[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out
