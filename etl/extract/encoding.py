"""A page's bytes into text, whatever its headers claim.

The web's encoding labels are often wrong: servers add ``charset=iso-8859-1`` to UTF-8 pages,
templates copy a meta charset from an older site, an ad snippet or a cut record leaves one
stray byte in a UTF-8 page. A declared legacy charset decodes any bytes without an error
(latin-1 maps every byte), so trusting it turns "München" into "MÃ¼nchen"; giving up on
UTF-8 at its first bad byte hands the page to detection, which guesses a legacy charset from
the accents and garbles the whole page.

The evidence for UTF-8 is strong where there is any: text in a legacy charset with more
than a few accented letters is practically never valid UTF-8. So the order is: a byte-order
mark, then UTF-8 where the bytes are (mostly) UTF-8, then the declared charsets, checked by
decoding strictly, then detection (charset_normalizer).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from etl.ingest.inputs import charset_of

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16's: it begins with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Every fifth non-ASCII character may be a bad byte and the page still counts as UTF-8: a
# legacy-charset text decodes to almost nothing but bad bytes, a UTF-8 page with a stray
# byte to almost none.
_MOSTLY_UTF8_BAD_SHARE = 0.2
_NOT_TOLD_BY_BYTES = ("utf-16", "utf-32", "iso2022", "utf-7", "hz")
_DETECTION_BYTES = 200_000
_REPLACEMENT = "\ufffd"


def decode_html(body: bytes, content_type: str | None) -> str:
    """The page's text: by its byte-order mark, as UTF-8 where its bytes are UTF-8, else by
    the first declared charset that decodes it (HTTP header, then meta tag), else detected."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    declared = declared_charsets(body, content_type)
    # Charsets whose bytes may pass for UTF-8 but read otherwise: UTF-16 and UTF-32 without a
    # mark (their ASCII is UTF-8 with NULs), and the 7-bit ones (ISO-2022, UTF-7, HZ).
    text = (
        first_that_decodes(body, [n for n in declared if n.startswith(_NOT_TOLD_BY_BYTES)])
        or mostly_utf8(body)
        or first_that_decodes(body, declared)
    )
    if text is not None:
        return text
    best = charset_normalizer.from_bytes(body[:_DETECTION_BYTES]).best()
    if best is not None and best.encoding:
        return body.decode(best.encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def first_that_decodes(body: bytes, charsets: list[str]) -> str | None:
    """The body in the first of ``charsets`` that decodes it strictly, or None."""
    for name in charsets:
        try:
            return body.decode(name)
        except UnicodeDecodeError:
            continue
    return None


def declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """The charsets the HTTP header and the page's meta tag name, as Python codec names,
    in that order; unknown names are left out."""
    names = [charset_of(content_type)]
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        names.append(meta.group(1).decode("ascii", "ignore"))
    known: list[str] = []
    for name in names:
        if not name:
            continue
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        if codec not in known:
            known.append(codec)
    return known


def mostly_utf8(body: bytes) -> str | None:
    """The body decoded as UTF-8 when its bytes are UTF-8 but for a few stray ones (which
    become U+FFFD), else None. Pure ASCII counts: every ASCII-based charset reads it alike."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors="replace")
    bad = text.count(_REPLACEMENT) - body.count(_REPLACEMENT.encode())
    non_ascii = len(text) - len(body.decode("ascii", errors="ignore"))
    if non_ascii and bad <= non_ascii * _MOSTLY_UTF8_BAD_SHARE:
        return text
    return None
