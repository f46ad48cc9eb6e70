"""Loose text keys (``etl.core.text``)."""

from __future__ import annotations

import re
import sys
import unicodedata

from etl.core.text import compact_key


def _compact_by_one_regex(text: str) -> str:
    """The key as first written: every run of non-word characters removed by one regex."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def test_compact_key_drops_spaces_punctuation_and_case() -> None:
    assert compact_key("Der Spiegel") == compact_key("DER-SPIEGEL") == "derspiegel"
    assert compact_key("Straße_1\u00a0a\u2003b\u3000c") == "strasse1abc"
    assert compact_key(" \n\t ") == ""


def test_compact_key_is_the_one_regex_key_for_every_whitespace_character() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    text = "a" + "b".join(spaces) + " Ａｂｃ ﬁ 1/2 ½ x_y é e\u0301 \u200b ١٢٣ –— "
    assert compact_key(text) == _compact_by_one_regex(text)
