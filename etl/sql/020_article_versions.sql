-- Merge the lake files that are new or rewritten since the last load, by article_id.
-- The loader provides: `lake_articles_new` (the rows of those files, with `lake_file`),
-- `loader_new_files` and `loader_gone_files` (files added or rewritten; files rewritten or
-- deleted). A full build is the same merge into empty tables with every file new.

-- Articles with a version in a file that changes now.
CREATE OR REPLACE TEMP TABLE loader_touched AS
SELECT article_id FROM article_versions
WHERE lake_file IN (SELECT lake_file FROM loader_gone_files)
UNION
SELECT article_id FROM lake_articles_new;

-- Newest version first: the same order a full build uses, so both give the same rows.
-- Versions here are rows of different runs (or rewritten files): each run's store already
-- kept one row per article_id (etl/load/dedup.py collapse_versions: newest fetch, then the
-- longer text). Across runs the newest fetch wins as there; on equal fetch times the greater
-- run_id, then lake_file: a fixed order, so the choice never depends on the order of reading.
CREATE OR REPLACE TEMP MACRO newest_versions() AS TABLE
SELECT article_id, lake_file
FROM article_versions
SEMI JOIN loader_touched USING (article_id)
QUALIFY row_number() OVER (
    PARTITION BY article_id
    ORDER BY fetched_at DESC NULLS LAST, run_id DESC NULLS LAST, lake_file DESC
) = 1;

CREATE OR REPLACE TEMP TABLE loader_before AS FROM newest_versions();

DELETE FROM article_versions WHERE lake_file IN (SELECT lake_file FROM loader_gone_files);

INSERT INTO article_versions BY NAME
SELECT article_id, lake_file, run_id, fetched_at, published_at, modified_at, content_hash
FROM lake_articles_new;

-- Rows to read from the lake: a new winner, or the winner's file was rewritten. An old file
-- is read again only when a rewritten or deleted file took away the version that won.
CREATE OR REPLACE TEMP TABLE loader_reload AS
SELECT after.article_id, after.lake_file
FROM newest_versions() AS after
LEFT JOIN loader_before AS before USING (article_id)
WHERE before.lake_file IS DISTINCT FROM after.lake_file
   OR after.lake_file IN (SELECT lake_file FROM loader_new_files);

-- Articles whose row changes: reloaded, or no longer in any file.
CREATE OR REPLACE TEMP TABLE loader_changed AS
SELECT article_id FROM loader_reload
UNION
SELECT article_id FROM loader_touched ANTI JOIN article_versions USING (article_id);

DELETE FROM articles WHERE article_id IN (SELECT article_id FROM loader_changed);
