"""Paragraph-level boilerplate removal: one polars pass over every paragraph of a batch.

trafilatura finds the article container well, but containers hold furniture: the headline
again, a kicker, the byline, photo credits, "Read more" teasers with their link lists, share
bars, comment counters, paywall and newsletter pitches. Most of it is recognisable by its
wording; that wording lives in ``etl/rules/boilerplate.toml`` (a documented table, one rule
per kind of furniture). The rest is recognisable by comparison with the article's own
metadata (a line that repeats the headline or names only the author) or by shape (a list
item that is all link text, a repeated paragraph); those checks are here.

The raw text comes from extraction with links as Markdown (``[anchor](url)``); this pass
measures link density with them, then removes the markup.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from etl.core.rules_table import anchored, load_rules, rule_matches
from etl.core.text import WHITESPACE_RUN, loose_words_expr
from etl.core.urls import registered_domain
from etl.extract.bylines import BYLINE_PREFIX

MARKDOWN_LINK = r"\[([^\]\n]*)\]\([^)\s]*\)"
# The target of one Markdown link, with the "](" before it.
MARKDOWN_TARGET = r"\]\([^)\s]*\)"
# A list item whose text is mostly link anchors is a teaser list, not prose.
LINK_LIST_ITEM_RATIO = 0.5
# A paragraph that is nearly all link text (and short) is a teaser too.
LINK_PARAGRAPH_RATIO = 0.8
LINK_PARAGRAPH_MAX_CHARS = 300
# A line with links that says this many words of its own and ends as a sentence ("This hotel
# features in my lists of [the best hotels in Bangkok](...) and [...]."; "Learn more about
# [choosing a card](...).") is prose that cites pages: a teaser is a headline, no sentence.
LINK_PROSE_MIN_WORDS = 5
# A link the line's own words go on after in lower case ("- [Pack for the honeymoon](...) or
# a mini moon", "- [ELKI](...) contains t-SNE") is a phrase of a sentence, not a headline.
LINK_IN_SENTENCE = r"\]\([^)\s]*\)\s+\p{Ll}"
# A link to a document (not a page to read): its path ends in one of these extensions.
DOCUMENT_LINK = r"(?i)\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|epub|zip|csv)(?:[?#][^/]*)?$"
# Lines before the headline line that are this short are kickers or section labels.
KICKER_MAX_WORDS = 6
# Only the first few lines can be the headline repeated with a kicker glued to it.
HEAD_LINES = 4
# A body line equal to what a picture says of itself is its caption; short alt texts
# ("Foto", "Logo") are too common to tell anything.
CAPTION_MIN_CHARS = 12
CAPTION_MAX_WORDS = 12
# A repeated label ("Pros:", "Key Features", "- Storage") heads each entry of a list or a
# round-up: the article's own structure, not a block the page printed twice. A repeated
# sentence, a longer line, a line of no words (table rules) and a run of repeated lines (a
# teaser list shown twice) are duplicates. A list item repeated among items that are not (the
# warm-up of each session of a training plan, "Case studies: see all" under each agency) is a
# step or field of each entry: only a run of repeated items is a list shown twice.
# A line announcing a list or links is a label of a few words ("Related posts:", "Das Thema
# könnte dich auch interessieren:"); a sentence ending in a colon is the article's own.
DANGLING_LEAD_MAX_WORDS = 6
REPEAT_LABEL_MAX_WORDS = 6
REPEAT_LABEL_MAX_CHARS = 40  # scripts without spaces between words
# An author's biography closes the article ("Jane Roe is a reporter at ..."): it is looked for
# in the last lines only, so that a credited person named early in the story stays, and it runs
# from the line that introduces the person to the end ("She has covered ...").
BIO_TAIL_LINES = 4


def strip_boilerplate(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``text`` without furniture and ``full_text`` (every line, links removed).

    ``frame`` needs ``text`` (lines separated by newlines, links as Markdown),
    ``title_variants`` and ``people`` (list columns of strings), and may have
    ``captions_raw`` (what the page's pictures say of themselves). Paragraphs come back
    separated by blank lines. A text whose every line is furniture keeps its lines: an empty
    article would be worse than a noisy one, and such pages are rare enough to inspect.
    """
    lines = line_verdicts(frame)
    kept = (
        lines.filter(~pl.col("_drop"))
        .group_by("_row", maintain_order=True)
        .agg(_kept=pl.col("_plain").str.join("\n\n"))
    )
    everything = lines.group_by("_row", maintain_order=True).agg(
        _all=pl.col("_plain").str.join("\n\n")
    )
    texts = (
        pl.DataFrame({"_row": pl.int_range(frame.height, dtype=pl.UInt32, eager=True)})
        .join(everything, on="_row", how="left")
        .join(kept, on="_row", how="left")
        .sort("_row")
    )
    return frame.with_columns(
        text=texts["_kept"].fill_null(texts["_all"]).fill_null(""),
        full_text=texts["_all"].fill_null(""),
    )


def line_verdicts(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per non-empty line: ``_row``, ``_pos``, ``_plain`` and the ``_drop`` verdict.

    The reasons stay as columns (``_rule``, ``_is_title``, ``_is_person``, ``_author_bio``,
    ``_is_caption``, ``_kicker``, ``_link_list``, ``_repeat``, ``_in_block``) so that a
    surprising verdict can be explained.
    """
    rows = frame.select(
        _row=pl.int_range(pl.len(), dtype=pl.UInt32),
        _line=pl.col("text").fill_null("").str.split("\n"),
    ).explode("_line")
    plain = (
        pl.col("_line")
        .str.replace_all(MARKDOWN_LINK, "$1")
        .str.replace_all(WHITESPACE_RUN, " ")
        .str.strip_chars()
    )
    lines = (
        rows.with_columns(
            _plain=plain,
            _unlinked=pl.col("_line")
            .str.replace_all(MARKDOWN_LINK, "")
            .str.replace_all(WHITESPACE_RUN, " ")
            .str.strip_chars(),
        )
        .filter(pl.col("_plain").str.len_chars() > 0)
        .with_columns(
            _pos=pl.int_range(pl.len()).over("_row"),
            _key=loose_words_expr(pl.col("_plain")),
            _chars=pl.col("_plain").str.len_chars(),
            _item=pl.col("_plain").str.starts_with("- "),
        )
        .with_columns(
            _link_ratio=(pl.col("_chars") - pl.col("_unlinked").str.len_chars()).clip(0)
            / pl.col("_chars"),
            # _plain is stripped, its spaces single: one word more than spaces, at a third
            # of the cost of counting r"\S+".
            _words=pl.col("_plain").str.count_matches(" ", literal=True) + 1,
            _compact=pl.col("_key").str.replace_all(" ", "", literal=True),
        )
    )
    lines = lines.join(_points_elsewhere(frame, lines), on=["_row", "_pos"], how="left")
    title_keys = _keys_by_row(frame, "title_variants", min_chars=12)
    people_keys = _keys_by_row(frame, "people", min_chars=4)
    bio_at = _author_bios(lines, _credited_names(frame))
    caption_keys = _keys_by_row(frame, "captions_raw", min_chars=CAPTION_MIN_CHARS)
    head = lines.filter(pl.col("_pos") < HEAD_LINES).select("_row", "_pos", "_key")
    headline_at = (
        head.join(title_keys, on="_row")
        .filter(
            (pl.col("_key") == pl.col("_k"))
            # A kicker glued in front ("Ukraine-KriegTrump kündigt ..."), or the outlet after.
            | (
                pl.col("_key").str.ends_with(pl.col("_k"))
                & (pl.col("_key").str.len_chars() <= pl.col("_k").str.len_chars() + 80)
            )
            | (
                pl.col("_key").str.starts_with(pl.col("_k"))
                & (pl.col("_key").str.len_chars() <= pl.col("_k").str.len_chars() + 30)
            )
        )
        .select("_row", "_pos")
        .unique()
    )
    lines = (
        lines.join(
            headline_at.with_columns(_headline_like=pl.lit(True)), on=["_row", "_pos"], how="left"
        )
        .join(
            headline_at.group_by("_row").agg(_headline_pos=pl.col("_pos").max()),
            on="_row",
            how="left",
        )
        .join(
            title_keys.rename({"_k": "_key"}).unique().with_columns(_is_title=pl.lit(True)),
            on=["_row", "_key"],
            how="left",
        )
        .join(
            # Without spaces: a byline read from its elements apart ("Jane Roe Author") is
            # the line the text glues together ("Jane RoeAuthor").
            people_keys.select("_row", _compact=pl.col("_k").str.replace_all(" ", "", literal=True))
            .unique()
            .with_columns(_is_person=pl.lit(True)),
            on=["_row", "_compact"],
            how="left",
        )
        .join(
            caption_keys.rename({"_k": "_key"}).unique().with_columns(_is_caption=pl.lit(True)),
            on=["_row", "_key"],
            how="left",
        )
        .join(bio_at, on=["_row", "_pos"], how="left")
        .sort("_row", "_pos")
    )
    length = pl.col("_chars")
    label = (
        pl.when((pl.col("_link_ratio") >= LINK_LIST_ITEM_RATIO) & (pl.col("_unlinked") != ""))
        .then(pl.col("_unlinked"))
        .otherwise(pl.lit(""))
    )
    labels = lines.select(label).to_series()
    # A block is a line and the list items after it.
    lines = lines.with_columns(_block=(~pl.col("_item")).cum_sum().over("_row"))
    # A list whose items are mostly plain text is the article's own (a checklist, some of
    # whose steps link a guide): its linked items are steps too. A teaser list is links.
    linked_items = (
        (pl.col("_item") & (pl.col("_link_ratio") >= LINK_LIST_ITEM_RATIO))
        .sum()
        .over("_row", "_block")
    )
    lines = lines.with_columns(
        _rule=rule_matches(lines["_plain"], lines["_chars"], "drop"),
        _is_title=pl.col("_is_title").fill_null(False),
        _is_person=pl.col("_is_person").fill_null(False),
        _author_bio=pl.col("_author_bio").fill_null(False),
        # Some outlets reuse a sentence of the body as the alt text of its picture: a caption
        # here is a label (short, not a sentence), not a line the body also says.
        _is_caption=pl.col("_is_caption").fill_null(False)
        & (pl.col("_words") <= CAPTION_MAX_WORDS)
        & ~pl.col("_plain").str.contains(r"[.!?…]$"),
        # Lines down to the last statement of the headline: the headline itself (also with an
        # outlet or kicker glued to it, as video players and print views repeat it) and the
        # short kicker or section lines around it.
        _kicker=(pl.col("_pos") <= pl.col("_headline_pos")).fill_null(False)
        & (pl.col("_headline_like").fill_null(False) | (pl.col("_words") <= KICKER_MAX_WORDS)),
        _link_list=(
            (
                pl.col("_item")
                & (pl.col("_link_ratio") >= LINK_LIST_ITEM_RATIO)
                & (
                    linked_items
                    >= LINK_LIST_ITEM_RATIO * pl.col("_item").sum().over("_row", "_block")
                )
            )
            | (
                ~pl.col("_item")
                & (pl.col("_link_ratio") >= LINK_PARAGRAPH_RATIO)
                & (length <= LINK_PARAGRAPH_MAX_CHARS)
            )
        )
        & ~pl.col("_elsewhere").fill_null(False)
        & ~(
            (pl.col("_unlinked").str.count_matches(r"\w+") >= LINK_PROSE_MIN_WORDS)
            & pl.col("_plain").str.contains(r"[.!?…。！？]$")
        )
        & ~pl.col("_line").str.contains(LINK_IN_SENTENCE),
        _seen=pl.int_range(pl.len()).over("_row", "_key") > 0,
        # "À lire aussi [Headline](...)": the words beside a link that is most of the line can
        # be the label of a teaser block with no separator the plain line's rule would need.
        _block_rule=rule_matches(lines["_plain"], lines["_chars"], "drop_block")
        | ((labels != "") & rule_matches(labels, labels.str.len_chars(), "drop_block")),
    )
    lines = lines.with_columns(
        _repeat=pl.col("_seen")
        & (
            (
                (
                    (pl.col("_words") > REPEAT_LABEL_MAX_WORDS)
                    | (pl.col("_chars") > REPEAT_LABEL_MAX_CHARS)
                    | pl.col("_plain").str.contains(r"[.!?…。！？]$")
                )
                & ~pl.col("_item")
            )
            | pl.col("_plain").str.contains(r"^\W*$")
            | pl.col("_seen").shift(1).over("_row").fill_null(False)
            | pl.col("_seen").shift(-1).over("_row").fill_null(False)
        ),
        _block_head=pl.col("_block_rule") & ~pl.col("_item"),
    )
    # A list item can head a block too ("- Eigene Recherche" over the list of sources): then
    # the block is that item and the items after it, never the paragraph above.
    item_head = pl.col("_block_rule") & pl.col("_item")
    lines = lines.with_columns(
        _in_block=pl.col("_block_head").any().over("_row", "_block")
        | (
            pl.col("_item")
            & (pl.col("_pos") >= pl.col("_pos").filter(item_head).min().over("_row", "_block"))
        ).fill_null(False)
    )
    lines = lines.with_columns(
        _drop=pl.any_horizontal(
            "_rule",
            "_is_title",
            "_is_person",
            "_author_bio",
            "_is_caption",
            "_kicker",
            "_link_list",
            "_repeat",
            "_in_block",
        )
    )
    # The text's last kept lines, when they only announce what follows ("Das könnte dich auch
    # interessieren:", "Editors' Recommendations:"): what they announced was furniture and is
    # gone, or was never extracted.
    lead_in = (
        ~pl.col("_drop")
        & pl.col("_plain").str.ends_with(":")
        & (pl.col("_words") <= DANGLING_LEAD_MAX_WORDS)
    )
    kept_after = (~pl.col("_drop")).cast(pl.Int32).reverse().cum_sum().reverse().over("_row")
    leads_after = lead_in.cast(pl.Int32).reverse().cum_sum().reverse().over("_row")
    return lines.with_columns(_dangling_lead=lead_in & (kept_after == leads_after)).with_columns(
        _drop=pl.col("_drop") | pl.col("_dangling_lead")
    )


def _points_elsewhere(frame: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """(row, position, ``_elsewhere``) of the lines none of whose links leads to more reading
    on the page's site: each leaves the site, stays on this very page, or opens a document.

    An outlet's teasers for more reading link its own pages; links to other sites are what
    the article points its reader to (the products of a round-up, the sources of a report,
    the changes of a release, an event's registration page): the article's own lines, however
    much of them is link text. So are links into the page itself (a heading that is its own
    anchor, a table of contents: ``#section``) and links to a document (a course book as a
    PDF, a form to fill in): neither is another page to read. A link without a host
    (``tel:``, ``mailto:``) proves nothing either way.
    """
    empty = pl.DataFrame(schema={"_row": pl.UInt32, "_pos": pl.Int64, "_elsewhere": pl.Boolean})
    if "url" not in frame.columns:
        return empty
    sites = frame.select(
        _row=pl.int_range(pl.len(), dtype=pl.UInt32),
        _site=pl.col("url").map_elements(registered_domain, return_dtype=pl.String),
        _page=_without_fragment(pl.col("url")),
    )
    links = (
        lines.select(
            "_row", "_pos", "_line", _target=pl.col("_line").str.extract_all(MARKDOWN_TARGET)
        )
        .explode("_target")
        .filter(pl.col("_target").is_not_null())
        .with_columns(
            _address=pl.col("_target").str.slice(2, pl.col("_target").str.len_chars() - 3),
        )
        .with_columns(
            _host=pl.col("_address")
            .str.extract(r"^(?i:https?)://([^/?#\s)]+)", 1)
            .str.to_lowercase()
            .str.replace(r":\d+$", "")
        )
        .join(sites, on="_row", how="left")
    )
    if links.is_empty():
        return empty
    same_site = (pl.col("_host") == pl.col("_site")) | pl.col("_host").str.ends_with(
        pl.concat_str(pl.lit("."), pl.col("_site"))
    )
    other_site = (
        pl.col("_host").is_not_null() & pl.col("_site").is_not_null() & ~same_site.fill_null(True)
    )
    # A question linked to the page itself opens its answer below (an FAQ's accordion).
    this_page = (
        pl.col("_address").str.contains("#", literal=True)
        | pl.col("_line").str.contains(r"\?\]\([^)\s]*\)\W*$")
    ) & (_without_fragment(pl.col("_address")) == pl.col("_page")).fill_null(False)
    document = pl.col("_address").str.contains(DOCUMENT_LINK)
    return links.group_by("_row", "_pos").agg(_elsewhere=(other_site | this_page | document).all())


def _without_fragment(address: pl.Expr) -> pl.Expr:
    """An address without its ``#fragment`` and trailing slash, to compare two for one page."""
    return address.str.replace(r"#.*$", "").str.strip_chars_end("/")


# "Jane Roe is ...", "Jane Roe ist ...": a credited person introduced.
_BIO_VERBS = (
    "is|was|has|holds|writes|covers|joined|serves|lives|leads|works|specializes|specialises|"
    "brings|enjoys|earned|graduated|ist|war|schreibt|arbeitet|lebt"
)


def _credited_names(frame: pl.DataFrame) -> pl.DataFrame:
    """(row, loose key) of the credited people's names, without "By" or "Von" before them."""
    if "people" not in frame.columns:
        return _keys_by_row(frame, "people", min_chars=4)
    prefix = f"(?i){BYLINE_PREFIX.pattern}"
    names = frame.select(people=pl.col("people").list.eval(pl.element().str.replace(prefix, "")))
    return _keys_by_row(names, "people", min_chars=4)


def _author_bios(lines: pl.DataFrame, people_keys: pl.DataFrame) -> pl.DataFrame:
    """(row, position, ``_author_bio``) of the lines of a credited person's closing biography.

    A biography opens with a credited person's full name and a verb of introduction ("is",
    "holds"): the byline has already said whose text it is, so this is the author introduced,
    not a person of the story. A first name alone is not enough ("Acme is ..." for a credit
    "Acme Team").
    """
    names = people_keys.filter(pl.col("_k").str.contains(" ")).select("_row", _name="_k").unique()
    tail = lines.filter(
        pl.col("_pos") >= pl.col("_pos").max().over("_row") - (BIO_TAIL_LINES - 1)
    ).select("_row", "_pos", "_key")
    starts = (
        tail.join(names, on="_row")
        .filter(
            pl.col("_key").str.starts_with(pl.concat_str("_name", pl.lit(" ")))
            & pl.col("_key")
            .str.slice(pl.col("_name").str.len_chars() + 1)
            .str.contains(rf"^(?:{_BIO_VERBS}) ")
        )
        .group_by("_row")
        .agg(_start=pl.col("_pos").min())
    )
    return (
        tail.join(starts, on="_row")
        .filter(pl.col("_pos") >= pl.col("_start"))
        .select("_row", "_pos", _author_bio=pl.lit(True))
    )


def _keys_by_row(frame: pl.DataFrame, column: str, min_chars: int) -> pl.DataFrame:
    """(row, loose key) pairs of a list column, keys shorter than ``min_chars`` left out."""
    empty = pl.lit([], dtype=pl.List(pl.String))
    values = pl.col(column).fill_null(empty) if column in frame.columns else empty
    return (
        frame.select(_row=pl.int_range(pl.len(), dtype=pl.UInt32), _k=values)
        .explode("_k")
        .with_columns(_k=loose_words_expr(pl.col("_k")))
        .filter(pl.col("_k").str.len_chars() >= min_chars)
    )


def matching_rules(lines: list[str]) -> list[list[str]]:
    """The names of the table's rules that match each line, as ``line_verdicts`` applies them
    (the same anchored patterns and length limits), for ``explain``; one rule at a time, so
    only for a few lines."""
    series = pl.Series(lines, dtype=pl.String)
    names: list[list[str]] = [[] for _ in lines]
    for rule in load_rules():
        hits = (series.str.len_chars() <= rule.max_chars) & series.str.contains(
            anchored([rule.pattern])
        )
        for i, hit in enumerate(hits):
            if hit:
                names[i].append(f"{rule.action} rule {rule.name}")
    return names


def describe_rules() -> list[dict[str, Any]]:
    """The table as rows (name, action, max_chars, example), for docs and tests."""
    return [
        {"name": r.name, "action": r.action, "max_chars": r.max_chars, "example": r.example}
        for r in load_rules()
    ]
