"""Loose text keys: how two strings that differ only in case, punctuation or spacing compare.

One Python pair (``loose_words``, ``compact_key``) for values handled one at a time, one polars
expression (``loose_words_expr``) for columns. Python's ``re`` and polars' regex engine do not
agree on every character class (Rust's ``\\w`` takes combining marks, Python's does not), so the
Python functions and the expression are kept apart rather than one standing in for the other.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

_NOT_WORD = re.compile(r"[\W_]+")
# One character, not a run: what is left once the spaces are out holds few runs, and a
# single-character class is tried faster at each position.
_NOT_WORD_CHAR = re.compile(r"[\W_]")
# For polars' ``str.replace_all(PATTERN, " ")``: the same result as ``\s+`` and ``[\W_]+``,
# but a lone space (most runs are one) is no match. Replacing every space by itself was most
# of the cost of these replacements, run on every line of every article.
WHITESPACE_RUN = r"\s{2,}|[^\S ]"
NON_WORD_RUN = r"[\W_]{2,}|[^\w ]|_"


def loose_words(text: str) -> str:
    """NFKC, casefolded, every run of non-word characters one space: "Rot-Grün!" -> "rot grün"."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def compact_key(text: str) -> str:
    """``loose_words`` without the spaces: "Der Spiegel" and "DER-SPIEGEL" -> "derspiegel".

    Used where names are written together or apart ("Spiegel Online", "SpiegelOnline"): bylines
    against outlet names, headings against the title.
    """
    # Whitespace goes first by ``str.split`` (C, no class lookup per character): no
    # whitespace character is a word character, so the key is the same, and the regex,
    # 30 ns a character, then has a fifth fewer characters and most of its matches gone
    # (0.29 ms against 0.38 on a 9,400-character article; ``visible_lead`` keys whole pages).
    return _NOT_WORD_CHAR.sub("", "".join(unicodedata.normalize("NFKC", text).casefold().split()))


def loose_words_expr(column: pl.Expr, *, compatibility_forms: bool = True) -> pl.Expr:
    """Lowercased words joined by single spaces, as a polars expression.

    ``compatibility_forms`` (the default) first folds NFKC compatibility characters (full-width
    letters, ligatures) and removes soft hyphens, as paragraphs need: they are compared with the
    page's headline and bylines, which pages type with other characters than the body.
    Topics are keyed without it (``compatibility_forms=False``): their keys are compared with
    the terms of the topic table and shown to analysts (``quality --unmapped-topics``), and
    folding them would change which topics count as one, so the topic keys stay as they were.
    Note ``str.to_lowercase`` is not casefolding: "ß" stays "ß".
    """
    if compatibility_forms:
        # ASCII has nothing to fold, and polars runs an expression on every row (a when/then
        # too): the other rows alone go through NFKC, which cost as much as the rest of the key.
        ascii_only = column.str.len_bytes() == column.str.len_chars()
        others = pl.when(ascii_only).then(pl.lit("")).otherwise(column)
        folded = others.str.normalize("NFKC").str.replace_all("\u00ad", "")
        column = pl.when(ascii_only).then(column).otherwise(folded)
    return column.str.to_lowercase().str.replace_all(NON_WORD_RUN, " ").str.strip_chars()
