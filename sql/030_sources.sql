-- The outlets: one row per registered domain.
CREATE OR REPLACE TABLE sources AS
SELECT
    source,
    mode(site_name) AS site_name,
    mode(language) AS language,
    count(*) AS articles,
    sum(word_count) AS words,
    min(published_at) AS first_published,
    max(published_at) AS last_published,
    min(fetched_at) AS first_seen,
    max(fetched_at) AS last_seen
FROM articles
GROUP BY source;

-- Stories: the same story carried by several outlets.
CREATE OR REPLACE TABLE stories AS
SELECT
    story_id,
    min(coalesce(published_at, fetched_at)) AS first_seen,
    count(DISTINCT source) AS outlets,
    count(*) AS size,
    arg_min(title, coalesce(published_at, fetched_at)) AS headline,
    list(DISTINCT source ORDER BY source) AS sources
FROM articles
GROUP BY story_id;
