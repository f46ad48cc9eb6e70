-- Counts by topic, source, agency and day ("day" is published_date: the publication day in
-- UTC, or the fetch day where the page gave none).
CREATE OR REPLACE VIEW topic_daily AS
SELECT topic, published_date AS day, count(*) AS articles, sum(word_count) AS words
FROM article_topics
GROUP BY ALL;

-- By canonical category (the articles' topic_categories): each article counts once per
-- category however many of its topics map there.
CREATE OR REPLACE VIEW category_daily AS
SELECT category, day, count(*) AS articles, sum(word_count) AS words
FROM (
    SELECT unnest(list_distinct(topic_categories)) AS category, published_date AS day, word_count
    FROM articles
)
GROUP BY ALL;

CREATE OR REPLACE VIEW source_daily AS
SELECT source, published_date AS day, count(*) AS articles, sum(word_count) AS words
FROM articles
GROUP BY ALL;

CREATE OR REPLACE VIEW agency_daily AS
SELECT g.agency, a.published_date AS day, count(*) AS articles, sum(a.word_count) AS words
FROM article_agencies AS g
JOIN articles AS a USING (article_id)
GROUP BY ALL;

CREATE OR REPLACE VIEW daily AS
SELECT published_date AS day, count(*) AS articles, count(DISTINCT source) AS sources,
       count(DISTINCT story_id) AS stories
FROM articles
GROUP BY ALL;

CREATE OR REPLACE VIEW topic_counts AS
SELECT topic, count(*) AS articles, count(DISTINCT source) AS sources
FROM article_topics
GROUP BY ALL;

CREATE OR REPLACE VIEW source_counts AS
SELECT source, articles, words FROM sources;

-- The topic x source matrix in long form (PIVOT it for a grid: see docs/analysts.md).
CREATE OR REPLACE VIEW topic_source AS
SELECT topic, source, count(*) AS articles, sum(word_count) AS words
FROM article_topics
GROUP BY ALL;

-- The stories of each day ranked by how many outlets ran them (rank 1 = most outlets).
CREATE OR REPLACE VIEW top_stories_daily AS
SELECT
    d.day,
    rank() OVER (PARTITION BY d.day ORDER BY d.outlets DESC, d.articles DESC) AS rank,
    d.story_id,
    d.outlets,
    d.articles,
    s.headline,
    d.sources,
    s.agencies
FROM (
    SELECT published_date AS day, story_id, count(DISTINCT source) AS outlets,
           count(*) AS articles, list(DISTINCT source ORDER BY source) AS sources
    FROM articles
    GROUP BY ALL
) AS d
JOIN stories AS s USING (story_id);

-- Share of wire copy per outlet: articles crediting at least one agency.
CREATE OR REPLACE VIEW wire_share AS
SELECT
    source,
    count(*) AS articles,
    count(*) FILTER (WHERE len(agencies) > 0) AS wire_articles,
    round(count(*) FILTER (WHERE len(agencies) > 0) / count(*), 4) AS wire_share,
    list_sort(list_distinct(flatten(list(agencies)))) AS agencies
FROM articles
GROUP BY source;

-- New versus updated articles per fetch day, from every version the lake holds: a version is
-- new when it is the article's first, updated when its text differs from the version before,
-- unchanged when the page was fetched again with the same text.
CREATE OR REPLACE VIEW new_vs_updated AS
SELECT
    v.day,
    count(*) FILTER (WHERE v.version = 1) AS new_articles,
    count(*) FILTER (WHERE v.version > 1 AND v.content_hash IS DISTINCT FROM v.previous_hash)
        AS updated_articles,
    count(*) FILTER (WHERE v.version > 1 AND v.content_hash IS NOT DISTINCT FROM v.previous_hash)
        AS unchanged_refetches
FROM (
    SELECT
        timezone('UTC', fetched_at)::DATE AS day,
        content_hash,
        row_number() OVER w AS version,
        lag(content_hash) OVER w AS previous_hash
    FROM article_versions
    WINDOW w AS (PARTITION BY article_id ORDER BY fetched_at NULLS FIRST, run_id, lake_file)
) AS v
GROUP BY v.day;
