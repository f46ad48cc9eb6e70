"""Topics as pages give them, and a small canonical taxonomy over them.

Pages name their subjects in many places: ``article:tag`` and ``rel="tag"`` links, JSON-LD
``keywords`` and ``articleSection``, ``article:section``, breadcrumbs, and the URL's sections.
``clean_topic_list`` merges them in that order of trust, splits joined lists, drops machine
noise (ids, URLs, the outlet's own name, navigation words) and removes duplicates loosely.
Plain ``<meta name="keywords">`` lists are SEO material on many sites; they are used only
when the page gives no editorial tag at all.

``topic_categories`` maps topics to a fixed set of categories through the table in
``etl/rules/topic_categories.csv``; ``unmapped_topics`` lists what the table does not cover.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

from etl.core.resources import rules_file
from etl.core.text import WHITESPACE_RUN, loose_words_expr

# The taxonomy, a rule table in etl/rules/.
TOPIC_TABLE = "topic_categories.csv"
MAX_TOPIC_CHARS = 60
MAX_TOPIC_WORDS = 6
MIN_CODES = 8
# Navigation labels that breadcrumbs and section lists carry but that name no subject.
NAVIGATION_WORDS = {
    "home", "homepage", "startseite", "start", "index", "front page", "frontpage",
    "alle themen", "themen", "thema", "topics", "topic", "tags", "tag", "sections", "section",
    "organization", "artikel", "article", "articles", "story", "stories", "content", "page",
    "mehr", "more", "menu", "menü", "übersicht", "overview", "accueil", "inicio", "portada",
    "forside", "hem", "startsida", "anasayfa", "главная", "головна", "ホーム", "홈", "首页",
    "темы", "temat", "tematy", "aihe", "emne", "ämne", "thèmes", "temas", "temi",
}  # fmt: skip
# URL path segments that are structure, not sections.
URL_STOPWORDS = {
    "artikel", "article", "articles", "story", "stories", "news", "nachrichten", "content",
    "amp", "index", "html", "www", "detail", "details", "post", "posts", "blog", "id", "p",
    "a", "s", "de", "en", "fr", "es", "it", "nl", "uk", "us", "int", "world-news", "live",
    "video", "videos", "gallery", "galerie", "bilder", "fotos", "photos", "meldung",
    "meldungen", "aktuell", "aktuelles", "beitrag", "beitraege", "inhalt", "page", "seite",
}  # fmt: skip
_EMPTY: pl.Expr = pl.lit([], dtype=pl.List(pl.String))


def _loose(column: pl.Expr) -> pl.Expr:
    """Topic keys: loose words without compatibility folding (see ``loose_words_expr``)."""
    return loose_words_expr(column, compatibility_forms=False)


def clean_topics_frame(frame: pl.DataFrame) -> pl.Series:
    """The ``topics`` list for each row of ``frame``.

    ``frame`` holds ``topics_raw`` (tags), ``keywords_raw`` (plain meta keywords),
    ``sections_raw`` (declared sections), ``breadcrumbs_raw``, ``url`` and ``outlet_names``.
    Breadcrumbs stand in for a declared section, and URL sections for both, only where the
    page declares none: measured on labelled pages, adding all three to every row mostly
    repeated the section in other words.
    """
    rows = frame.select(
        _row=pl.int_range(pl.len(), dtype=pl.UInt32),
        _tags=pl.col("topics_raw").fill_null(_EMPTY),
        _keywords=pl.col("keywords_raw").fill_null(_EMPTY),
        _sections=pl.col("sections_raw").fill_null(_EMPTY),
        _crumbs=pl.col("breadcrumbs_raw").fill_null(_EMPTY),
        _url_sections=_url_sections(pl.col("url")),
        _outlets=pl.concat_list(
            pl.col("outlet_names").fill_null(_EMPTY),
            pl.col("url").str.extract(r"^[a-z]+://(?:www\d?\.)?([^./]+)\.", 1),
        ),
    )
    rows = rows.with_columns(
        _all=pl.concat_list(
            pl.col("_tags"),
            pl.when(pl.col("_tags").list.len() == 0).then(pl.col("_keywords")).otherwise(_EMPTY),
            pl.col("_sections").list.eval(pl.element().str.replace_all("/", " / ")),
            pl.when(pl.col("_sections").list.len() == 0).then(pl.col("_crumbs")).otherwise(_EMPTY),
            pl.when((pl.col("_sections").list.len() == 0) & (pl.col("_crumbs").list.len() == 0))
            .then(pl.col("_url_sections"))
            .otherwise(_EMPTY),
        )
    )
    outlets = (
        rows.select("_row", _k=pl.col("_outlets"))
        .explode("_k")
        .with_columns(_k=_loose(pl.col("_k")).str.replace_all(" ", ""))
        .drop_nulls()
    )
    topics = (
        rows.select("_row", _topic=pl.col("_all"))
        .explode("_topic")
        .with_columns(
            _topic=pl.col("_topic").str.replace_all(r"\s*[,;|]\s*|\s+[/>›»]\s+", "\u0000")
        )
        .with_columns(_topic=pl.col("_topic").str.split("\u0000"))
        .explode("_topic")
        .with_columns(_topic=_tidy(pl.col("_topic")))
        .with_columns(_key=_loose(pl.col("_topic")))
        .filter(_is_topic(pl.col("_topic"), pl.col("_key")))
        .filter(~_in_code_list(pl.col("_topic")))
        .join(
            outlets.rename({"_k": "_outlet"}),
            left_on=["_row", pl.col("_key").str.replace_all(" ", "")],
            right_on=["_row", "_outlet"],
            how="anti",
        )
        .filter(pl.int_range(pl.len()).over("_row", "_key") == 0)
        .group_by("_row", maintain_order=True)
        .agg(topics=pl.col("_topic"))
    )
    every = pl.DataFrame({"_row": pl.int_range(frame.height, dtype=pl.UInt32, eager=True)})
    joined = every.join(topics, on="_row", how="left").sort("_row")
    return joined["topics"].fill_null(pl.lit([], dtype=pl.List(pl.String)))


def _tidy(topic: pl.Expr) -> pl.Expr:
    """Trim marks around a topic; keep the value of "Label: value" machine tags."""
    return (
        topic.str.replace_all(WHITESPACE_RUN, " ")
        .str.replace_all(r"^\(\d+\)\s*", "")
        .str.replace(r"^[\w ]{1,30}:\s+", "")
        # "topic/misshandel", "sections/sverige": a machine path in front of the tag
        .str.replace(r"^[a-z_]+(?:/[a-z_]+)*/(\S)", "$1")
        .str.strip_chars(" #.-–—\"'«»„“”‚‘’")
        .str.strip_chars()
    )


def _in_code_list(topic: pl.Expr) -> pl.Expr:
    """Newsroom subject codes ("AER", "INDG08", "MEAST"): most of a row's topics are codes.

    Wire services publish their internal codes as keywords. One acronym among words ("USA",
    "EU") is a topic; a list made mostly of short capitals is a code list.
    """
    code = topic.str.contains(r"^[A-Z][A-Z0-9]{1,7}$")
    return code & (code.sum().over("_row") >= MIN_CODES) & (code.mean().over("_row") >= 0.6)


def _is_topic(topic: pl.Expr, key: pl.Expr) -> pl.Expr:
    chars = topic.str.len_chars()
    return (
        topic.is_not_null()
        & (chars >= 2)
        & (chars <= MAX_TOPIC_CHARS)
        & (topic.str.count_matches(r"\S+") <= MAX_TOPIC_WORDS)
        & ~key.is_in(list(NAVIGATION_WORDS))
        # ids, numbers, hashes, URLs and domains; "_commerce": a CMS's internal flag;
        # "PACKAGE:US-TOP-NEWS": a namespaced code of the newsroom's system
        & ~topic.str.contains(r"^[\d\W_]+$")
        & ~topic.str.starts_with("_")
        & ~topic.str.contains(
            r"^(?i:[0-9a-f]{8}-[0-9a-f]{4}-)|^[A-Z][A-Z0-9_]*:[A-Z0-9][A-Z0-9_-]*$"
        )
        & ~topic.str.contains(r"(?i)https?:|www\.|\.(?:com|de|org|net|at|ch|co\.uk)\b")
        & (key != "")
    )


def _url_sections(url: pl.Expr) -> pl.Expr:
    """Up to two section names from the URL path: /politik/ausland/slug.html."""
    path = url.str.extract(r"^[A-Za-z][\w+.-]*://[^/]+(/[^?#]*)", 1).fill_null("")
    return (
        path.str.split("/")
        .list.slice(1, None)
        .list.head(pl.max_horizontal(path.str.split("/").list.len() - 2, 0))
        .list.eval(
            pl.element().filter(
                pl.element().str.contains(r"^[a-zäöüß]+(?:-[a-zäöüß]+){0,2}$")
                & (pl.element().str.len_chars() >= 3)
                & ~pl.element().is_in(list(URL_STOPWORDS))
            )
        )
        .list.head(2)
        .list.eval(
            pl.element().str.replace_all("-", " ").str.slice(0, 1).str.to_uppercase()
            + pl.element().str.replace_all("-", " ").str.slice(1)
        )
    )


@lru_cache(maxsize=2)
def category_table(path: Path | None = None) -> pl.DataFrame:
    """term (loose form) -> category, one row per term (the shipped table unless ``path``)."""
    data = path.read_bytes() if path is not None else rules_file(TOPIC_TABLE).read_bytes()
    table = pl.read_csv(data, comment_prefix="#", schema={"term": pl.String, "category": pl.String})
    return (
        table.with_columns(term=_loose(pl.col("term")))
        .filter(pl.col("term") != "")
        .unique("term", keep="first", maintain_order=True)
    )


def topic_categories_frame(topics: pl.Series) -> pl.Series:
    """Categories for each row's topics: whole-topic matches, then matches of single words."""
    table = category_table()
    long = (
        pl.DataFrame({"_topics": topics})
        .with_row_index("_row")
        .explode("_topics")
        .with_row_index("_order")
        .with_columns(_key=_loose(pl.col("_topics")))
    )
    whole = long.join(table, left_on="_key", right_on="term", how="inner").select(
        "_row", "_order", "category", _rank=pl.lit(0)
    )
    words = (
        long.with_columns(_word=pl.col("_key").str.split(" "))
        .explode("_word")
        .join(table, left_on="_word", right_on="term", how="inner")
        .select("_row", "_order", "category", _rank=pl.lit(1))
    )
    found = (
        pl.concat([whole, words])
        .sort("_row", "_order", "_rank")
        .unique(["_row", "category"], keep="first", maintain_order=True)
        .group_by("_row", maintain_order=True)
        .agg(topic_categories=pl.col("category"))
    )
    every = pl.DataFrame({"_row": pl.int_range(topics.len(), dtype=pl.UInt32, eager=True)})
    joined = every.join(found, on="_row", how="left").sort("_row")
    return joined["topic_categories"].fill_null(pl.lit([], dtype=pl.List(pl.String)))


def unmapped_topics(articles: pl.DataFrame, limit: int = 50) -> pl.DataFrame:
    """Topics that no term of the table covers, most frequent first (to grow the table)."""
    table = category_table()
    long = articles.select(topic=pl.col("topics")).explode("topic").drop_nulls()
    keyed = long.with_columns(_key=_loose(pl.col("topic")))
    covered_whole = keyed.join(table, left_on="_key", right_on="term", how="semi")
    covered_word = (
        keyed.with_columns(_word=pl.col("_key").str.split(" "))
        .explode("_word")
        .join(table, left_on="_word", right_on="term", how="semi")
        .select("topic", "_key")
    )
    covered = pl.concat([covered_whole.select("_key"), covered_word.select("_key")]).unique()
    return (
        keyed.join(covered, on="_key", how="anti")
        .group_by("_key")
        .agg(topic=pl.col("topic").first(), articles=pl.len())
        .sort(["articles", "topic"], descending=[True, False])
        .head(limit)
        .select("topic", "articles")
    )
