-- The tables the loader merges into; created once, kept across incremental updates.
-- `articles` takes its columns from etl.core.schema.ARTICLE_SCHEMA plus the hive partition
-- `published_date`: the loader provides them as the empty view `loader_article_columns`, so
-- the one schema definition is the DDL (a schema change changes the build's fingerprint, and
-- the next update rebuilds the file whole).
CREATE TABLE IF NOT EXISTS articles AS
SELECT * FROM loader_article_columns;

-- Every version of every article in the lake (one row per lake row, no text): which file
-- holds it, so that a replaced or deleted file can be taken out again, and the history
-- behind `new_vs_updated`. The newest version per article_id is the one in `articles`.
CREATE TABLE IF NOT EXISTS article_versions (
    article_id VARCHAR,
    lake_file VARCHAR,
    run_id VARCHAR,
    fetched_at TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    modified_at TIMESTAMPTZ,
    content_hash VARCHAR
);

-- The lake files this database holds, as path below lake/, size and modification time:
-- a file whose stamp changed was rewritten by a re-run and is loaded again.
CREATE TABLE IF NOT EXISTS lake_files (
    dataset VARCHAR,
    lake_file VARCHAR,
    size BIGINT,
    mtime_ns BIGINT,
    loaded_at TIMESTAMPTZ
);

-- One row per build or update, newest last.
CREATE TABLE IF NOT EXISTS warehouse_loads (
    loaded_at TIMESTAMPTZ,
    mode VARCHAR,
    fingerprint VARCHAR,
    files_added INTEGER,
    files_removed INTEGER,
    articles_changed INTEGER
);

-- The search index (see 080_search.sql): documents, terms and posting lists.
-- search_docs carries the columns searches filter on and return, so that a search never
-- scans `articles` (finding a few rows by a hash key there means reading every key).
CREATE TABLE IF NOT EXISTS search_docs (
    docid INTEGER,
    article_id VARCHAR,
    stemmer VARCHAR,
    len INTEGER,
    published_date DATE,
    source VARCHAR,
    language VARCHAR,
    title VARCHAR,
    url VARCHAR,
    story_id VARCHAR
);
CREATE TABLE IF NOT EXISTS search_dict (termid INTEGER, stemmer VARCHAR, term VARCHAR);
-- A posting carries its document's length too: scoring then never joins search_docs, whose
-- million rows the join would otherwise hash to meet a dozen postings.
CREATE TABLE IF NOT EXISTS search_postings (termid INTEGER, docid INTEGER, tf INTEGER, len INTEGER);
