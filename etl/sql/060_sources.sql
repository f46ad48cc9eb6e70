-- The outlets: one row per registered domain.
CREATE OR REPLACE TABLE sources AS
SELECT
    source,
    mode(site_name) AS outlet,
    mode(regexp_extract(canonical_url, '^[a-z]+://([^/:?#]+)', 1)) AS domain,
    -- The country-code top-level domain where there is one; generic ones (.com, .tv) say nothing.
    CASE
        WHEN regexp_extract(source, '\.([a-z]{2})$', 1) = 'uk' THEN 'GB'
        WHEN regexp_extract(source, '\.([a-z]{2})$', 1) IN ('', 'tv', 'io', 'ai', 'me', 'fm', 'co', 'cc', 'ly')
            THEN NULL
        ELSE upper(regexp_extract(source, '\.([a-z]{2})$', 1))
    END AS country,
    mode(language) AS language,
    count(*) AS articles,
    sum(word_count) AS words,
    count(DISTINCT story_id) AS stories,
    count(*) FILTER (WHERE len(agencies) > 0) AS wire_articles,
    min(published_at) AS first_published,
    max(published_at) AS last_published,
    min(fetched_at) AS first_seen,
    max(fetched_at) AS last_seen
FROM articles
GROUP BY source;

-- Stories: the same story carried by one or several outlets.
CREATE OR REPLACE TABLE stories AS
SELECT
    story_id,
    min(coalesce(published_at, fetched_at)) AS first_seen,
    max(coalesce(published_at, fetched_at)) AS last_seen,
    count(DISTINCT source) AS outlets,
    count(*) AS size,
    arg_min(title, coalesce(published_at, fetched_at)) AS headline,
    list(DISTINCT source ORDER BY source) AS sources,
    list_sort(list_distinct(flatten(list(agencies)))) AS agencies
FROM articles
GROUP BY story_id;
