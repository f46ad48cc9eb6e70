-- Collection health per source and day (the collector writes one row per source and run to
-- lake/fetch_log; empty until it has). Read whole at every load: it is small.
CREATE OR REPLACE TABLE fetch_log AS
SELECT
    source,
    fetched_date AS day,
    sum(discovered)::BIGINT AS discovered,
    sum(fetched)::BIGINT AS fetched,
    sum(failed)::BIGINT AS failed,
    sum(articles)::BIGINT AS articles,
    sum(bytes)::BIGINT AS bytes,
    sum(skipped)::BIGINT AS skipped,
    sum(rejects)::BIGINT AS rejects,
    sum(requests)::BIGINT AS requests,
    sum(retries)::BIGINT AS retries,
    count(*) AS runs
FROM lake_fetch_log
GROUP BY ALL;
