"""The one article record, and the reject record, as pyarrow schemas.

Every stage that writes or reads the lake refers to these: the Parquet writer casts to them,
the DuckDB DDL mirrors them (``sql/``), ``docs/schema.md`` is generated from them and the tests
compare all three. Column descriptions live in the field metadata so that the data dictionary
cannot drift from the code.
"""

from __future__ import annotations

import pyarrow as pa

from etl.core import datadir

# The partition columns are the data directory's (``etl.core.datadir``), named here too.
ARTICLE_PARTITION = datadir.ARTICLE_PARTITION
DISCOVERED_PARTITION = datadir.DISCOVERED_PARTITION
FETCH_LOG_PARTITION = datadir.FETCH_LOG_PARTITION
REJECT_PARTITION = datadir.REJECT_PARTITION
STORY_MERGE_PARTITION = datadir.STORY_MERGE_PARTITION

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())


def _field(
    name: str, type_: pa.DataType, description: str, example: str = ""
) -> pa.Field[pa.DataType]:
    return pa.field(
        name, type_, metadata={b"description": description.encode(), b"example": example.encode()}
    )


ARTICLE_SCHEMA = pa.schema(
    [
        _field(
            "article_id",
            pa.string(),
            "Stable hash of the canonical URL: one article of one outlet.",
            "3f9c1a0e5b7d2c64a1e8f0b9d3c7a512",
        ),
        _field(
            "story_id",
            pa.string(),
            "Shared by every outlet's copy of the same story (near-duplicate text).",
            "5b7d2c643f9c1a0ea1e8f0b9d3c7a512",
        ),
        _field(
            "url",
            pa.string(),
            "The page URL exactly as the input gave it.",
            "https://www.example.de/politik/trump-putin-123.html?ref=rss",
        ),
        _field(
            "canonical_url",
            pa.string(),
            "Normalised URL (the page's canonical link if it names the same site).",
            "https://www.example.de/politik/trump-putin-123.html",
        ),
        _field(
            "source",
            pa.string(),
            "The outlet's registered domain: the key analysts count by.",
            "example.de",
        ),
        _field(
            "site_name", pa.string(), "The outlet's name as the page gives it.", "Example Zeitung"
        ),
        _field(
            "title",
            pa.string(),
            "The article headline.",
            "Trump kündigt Treffen mit Putin in Budapest an",
        ),
        _field("description", pa.string(), "Teaser or lead as given in the page metadata.", ""),
        _field("text", pa.string(), "The article body: paragraphs separated by blank lines.", ""),
        _field(
            "authors",
            STRINGS,
            "People credited with the article; when it names no person, the one organisation"
            " it credits instead (an agency, the outlet, a desk), as the page states it.",
            '["Anna Beispiel"]',
        ),
        _field(
            "author_kind",
            pa.string(),
            "What `authors` lists: 'person' or 'organisation' (null when nobody is credited).",
            "person",
        ),
        _field(
            "agencies",
            STRINGS,
            "Wire agencies the article credits (dpa, AFP, Reuters, ...).",
            '["dpa"]',
        ),
        _field(
            "topics",
            STRINGS,
            "Topic tags, keywords and sections, split and deduplicated.",
            '["Diplomatie", "USA"]',
        ),
        _field(
            "topic_categories",
            STRINGS,
            "The topics mapped to a small fixed taxonomy (politics, economy, sport, world, ...)"
            " by etl/rules/topic_categories.csv.",
            '["politics", "world"]',
        ),
        _field("published_at", UTC_TIMESTAMP, "Publication time in UTC.", "2025-10-16 20:41:00+00"),
        _field(
            "published_offset_minutes",
            pa.int16(),
            "UTC offset the page gave with the publication time, in minutes.",
            "120",
        ),
        _field(
            "published_source",
            pa.string(),
            "Where the publication time came from: metadata (JSON-LD, meta tags, <time>),"
            " dateline (visible text) or trafilatura.",
            "metadata",
        ),
        _field(
            "date_flags",
            STRINGS,
            "Why a date the page gave was dropped: published_after_fetch,"
            " published_before_1990, modified_after_fetch, modified_before_1990.",
            '["published_after_fetch"]',
        ),
        _field(
            "modified_at",
            UTC_TIMESTAMP,
            "Last modification time in UTC, where the page gives one.",
            "",
        ),
        _field(
            "fetched_at",
            UTC_TIMESTAMP,
            "When the page was fetched (WARC-Date, manifest or file time).",
            "2025-10-16 21:05:13+00",
        ),
        _field("language", pa.string(), "ISO 639-1 language of the text.", "de"),
        _field("image_url", pa.string(), "Lead image URL.", ""),
        _field("word_count", pa.int32(), "Number of words in text.", "412"),
        _field(
            "content_hash",
            pa.string(),
            "Hash of the normalised text: identical bodies share it.",
            "",
        ),
        _field(
            "input_origin",
            pa.string(),
            "Where the page came from: file path, or WARC path and record offset.",
            "data/samples/warc/samples.warc.gz#1234",
        ),
        _field(
            "run_id",
            pa.string(),
            "The run that wrote the row; re-running it replaces its rows.",
            "cli-1a2b3c4d",
        ),
    ]
)

# The hive partition key; it is not stored inside the files, readers get it from the path.

REJECT_SCHEMA = pa.schema(
    [
        _field(
            "input_origin",
            pa.string(),
            "Where the input came from: file path, or WARC path and record offset.",
            "",
        ),
        _field("url", pa.string(), "The page URL where known.", ""),
        _field(
            "stage",
            pa.string(),
            "Pipeline stage that rejected the input (ingest, extract, clean).",
            "extract",
        ),
        _field(
            "reason",
            pa.string(),
            "Machine-readable reason (http_status, not_html, extraction_empty, duplicate, ...).",
            "extraction_empty",
        ),
        _field("detail", pa.string(), "Human-readable detail.", ""),
        _field("fetched_at", UTC_TIMESTAMP, "When the page was fetched, where known.", ""),
        _field("run_id", pa.string(), "The run that wrote the row.", ""),
    ]
)

# Rejects are partitioned by the day the input was fetched (or read, where unknown).

_COUNT: pa.DataType = pa.int64()

FETCH_LOG_SCHEMA = pa.schema(
    [
        _field("source", pa.string(), "The outlet's key (registered domain).", "example.de"),
        _field("source_name", pa.string(), "The outlet's name in sources.toml.", "Example"),
        _field(
            "discovered",
            _COUNT,
            "Distinct article URLs this run took up: found in feeds and sitemaps, or due again.",
            "120",
        ),
        _field(
            "skipped", _COUNT, "Of those, left alone: already seen, off-pattern, over limit.", ""
        ),
        _field("fetched", _COUNT, "URLs whose final response was HTTP 2xx.", "80"),
        _field(
            "failed",
            _COUNT,
            "URLs without a usable response (HTTP error, timeout, too large, robots, SSRF).",
            "3",
        ),
        _field("articles", _COUNT, "Article rows the run wrote.", "75"),
        _field("rejects", _COUNT, "Reject rows the run wrote for discovered URLs.", "8"),
        _field("requests", _COUNT, "HTTP requests sent, with robots.txt, feeds and retries.", ""),
        _field("retries", _COUNT, "Requests that repeated an attempt (timeout, 429, 5xx).", ""),
        _field("bytes", _COUNT, "Body bytes received, as sent on the wire.", "5123456"),
        _field("discovery_errors", _COUNT, "Feeds and sitemaps that could not be read.", "0"),
        _field("started_at", UTC_TIMESTAMP, "When the source's collect began.", ""),
        _field("finished_at", UTC_TIMESTAMP, "When its articles were stored.", ""),
        _field("run_id", pa.string(), "The collect run.", "collect-20251017T060000Z-1a2b"),
    ]
)
# One row per source and collect run, partitioned by the day of the collect (UTC).

DISCOVERED_SCHEMA = pa.schema(
    [
        _field("source", pa.string(), "The outlet's key (registered domain).", "example.de"),
        _field("url", pa.string(), "The URL as the feed or sitemap gave it.", ""),
        _field(
            "canonical_url", pa.string(), "The URL normalised (tracking parameters dropped).", ""
        ),
        _field("final_url", pa.string(), "Where redirects ended, where fetched.", ""),
        _field(
            "found_in",
            pa.string(),
            "The feed, sitemap or URL list that named it ('due' if retried).",
            "",
        ),
        _field("hint_title", pa.string(), "Title the feed or news sitemap gave.", ""),
        _field("hint_published_at", UTC_TIMESTAMP, "Date the feed or sitemap gave, in UTC.", ""),
        _field("hint_categories", STRINGS, "Categories or news keywords the listing gave.", ""),
        _field("hint_language", pa.string(), "Language the feed or news sitemap gave.", "de"),
        _field("outcome", pa.string(), "article, reject or skipped: exactly one per URL.", ""),
        _field(
            "reason",
            pa.string(),
            "Reject reason, or why skipped (seen, url_pattern, max_pages).",
            "seen",
        ),
        _field("article_id", pa.string(), "The article row it became, if any.", ""),
        _field("http_status", pa.int16(), "Status of the final response, where there was one.", ""),
        _field("input_origin", pa.string(), "The WARC record holding the fetch: path#offset.", ""),
        _field("discovered_at", UTC_TIMESTAMP, "When the run took the URL up.", ""),
        _field("run_id", pa.string(), "The collect run.", ""),
    ]
)

# The story index (etl/load/stories.py): one row per stored article, the MinHash signature that
# later runs match their new articles against. Same partitions and file names as the
# articles dataset, so each article file has its index file beside it; the story of a row is
# the `story_id` of its article file (the one place story ids are kept).
STORY_INDEX_SCHEMA = pa.schema(
    [
        _field("article_id", pa.string(), "The article (see articles.article_id).", ""),
        _field("published_at", UTC_TIMESTAMP, "The article's publication time, if known.", ""),
        _field("fetched_at", UTC_TIMESTAMP, "When this version was fetched.", ""),
        _field("run_id", pa.string(), "The run that stored it.", ""),
        _field(
            "signature",
            pa.binary(512),
            "MinHash signature of the text: 128 little-endian uint32 values.",
            "",
        ),
    ]
)

# Stories merged because a new article bridged them: the absorbed id now names the survivor.
STORY_MERGE_SCHEMA = pa.schema(
    [
        _field("absorbed_story_id", pa.string(), "The story id no longer in use.", ""),
        _field("story_id", pa.string(), "The story it became part of.", ""),
        _field("merged_at", UTC_TIMESTAMP, "When the merge was stored.", ""),
        _field("run_id", pa.string(), "The run whose article bridged the two.", ""),
    ]
)
