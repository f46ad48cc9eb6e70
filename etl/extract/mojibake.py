"""Text a site encoded twice, put right: "Investorâ\x80\x99s" is "Investor’s".

Some content systems store UTF-8 text read as Latin-1 or cp1252 and serve it as UTF-8 again;
the page's own bytes then hold the garbled letters, so no choice of charset when decoding
(``etl.extract.encoding``) can undo them. ftfy recognises the sequences such a round trip
makes and reverses it, and leaves text alone where the letters are meant (Portuguese "NÃO",
French "pâte"). It runs only on strings that show a sign of it: ftfy reads every character
at a cost of milliseconds a page, and the sign is rare; it is imported at the first.
"""

from __future__ import annotations

import re
from typing import Any

# What UTF-8 read as Latin-1 or cp1252 begins with: "Ã" or "Â" before a Latin-1 symbol
# (é is "Ã©", a no-break space "Â\xa0"), or "â" before a C1 control or "€" (the quotes and
# dashes of U+2000 to U+20FF: ’ is "â\x80\x99" or "â€™"). C1 controls never stand in text.
_SIGN = re.compile("[ÂÃ][\x80-\xbf]|â[\x80-\x9f€]")


def without_mojibake(text: str) -> str:
    """``text``, with what a double encoding garbled decoded once more where there is any."""
    # Looking for the three letters first is a tenth of the regex's time on clean text.
    if not ("Ã" in text or "Â" in text or "â" in text) or _SIGN.search(text) is None:
        return text
    import ftfy  # 0.2 s to import (its width tables): only for the rare page that needs it

    return ftfy.fix_encoding(text)


# Where a page was found: kept as given, whatever it holds.
_ADDRESSES = frozenset({"url", "input_origin"})


def record_without_mojibake(record: dict[str, Any]) -> dict[str, Any]:
    """The record with every string, and every string of a list, put right (not its address)."""
    fixed: dict[str, Any] = {}
    for key, value in record.items():
        if key in _ADDRESSES:
            pass
        elif isinstance(value, str):
            value = without_mojibake(value)
        elif isinstance(value, list) and any(isinstance(v, str) for v in value):
            value = [without_mojibake(v) if isinstance(v, str) else v for v in value]
        fixed[key] = value
    return fixed
