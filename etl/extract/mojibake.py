"""Text a site encoded twice, put right: "Investorâ\x80\x99s" is "Investor’s".

Some content systems store UTF-8 text read as Latin-1 or cp1252 and serve it as UTF-8 again;
the page's own bytes then hold the garbled letters, so no choice of charset when decoding
(``etl.extract.encoding``) can undo them. ftfy recognises the sequences such a round trip
makes and reverses it, and leaves text alone where the letters are meant (Portuguese "NÃO",
French "pâte"). The page is repaired as a tree, before anything reads it, so that the title,
the bylines and the text agree. ftfy reads every character, at milliseconds a page, and the
garbling is rare (about one page in a hundred): only pages whose bytes show it are walked,
and ftfy is imported at the first of them.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

# What UTF-8 read as Latin-1 or cp1252 begins with: "Ã" or "Â" before a Latin-1 symbol
# (é is "Ã©", a no-break space "Â\xa0"), or "â" before a C1 control or "€" (the quotes and
# dashes of U+2000 to U+20FF: ’ is "â\x80\x99" or "â€™"). C1 controls never stand in text.
_SIGN = re.compile("[ÂÃ][\x80-\xbf]|â[\x80-\x9f€]")
# The same in a UTF-8 page's bytes: "Ã", "Â" or "â" before U+0080 to U+00BF, or "â€".
_SIGN_BYTES = (b"\xc3\x83\xc2", b"\xc3\x82\xc2", b"\xc3\xa2\xc2", b"\xc3\xa2\xe2\x82\xac")


def shows_mojibake(body: bytes) -> bool:
    """Whether a page's bytes hold garbled letters (bytes.find: microseconds a page)."""
    return any(sign in body for sign in _SIGN_BYTES)


def without_mojibake(text: str) -> str:
    """``text``, with what a double encoding garbled decoded once more where there is any."""
    # Looking for the three letters first is a tenth of the regex's time on clean text.
    if not ("Ã" in text or "Â" in text or "â" in text) or _SIGN.search(text) is None:
        return text
    import ftfy  # 0.2 s to import (its width tables): only for the rare page that needs it

    return ftfy.fix_encoding(text)


def repair_mojibake(tree: HtmlElement) -> None:
    """Put right every text and attribute value of the page (meta tags, JSON-LD, the body)."""
    for element in tree.iter():
        if element.text:
            element.text = without_mojibake(element.text)
        if element.tail:
            element.tail = without_mojibake(element.tail)
        for name, value in element.attrib.items():
            fixed = without_mojibake(value)
            if fixed != value:
                element.set(name, fixed)
