-- Headline figures for the window.
SELECT
    count(*) AS articles,
    count(DISTINCT source) AS sources,
    count(DISTINCT story_id) AS stories,
    count(*) FILTER (WHERE len(agencies) > 0) AS wire_articles,
    (SELECT count(*) FROM rejects WHERE fetched_date BETWEEN $since AND $until) AS rejects
FROM articles
WHERE published_date BETWEEN $since AND $until;
