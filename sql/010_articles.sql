-- One row per article: the newest version across all runs in the lake.
-- `lake_articles` and `lake_rejects` are views the loader makes over the Parquet files.
CREATE OR REPLACE TABLE articles AS
SELECT *
FROM lake_articles
QUALIFY row_number() OVER (
    PARTITION BY article_id
    ORDER BY fetched_at DESC NULLS LAST, run_id DESC
) = 1;

CREATE OR REPLACE TABLE rejects AS
SELECT * FROM lake_rejects;
