-- Articles per agency and day; every agency has a row for every day, so its line drops to zero
-- on days without its copy instead of bridging them.
WITH counts AS (
    SELECT g.agency, a.published_date AS day, count(DISTINCT a.article_id) AS articles
    FROM article_agencies AS g
    JOIN articles AS a USING (article_id)
    WHERE a.published_date BETWEEN $since AND $until
    GROUP BY ALL
),
days AS (
    SELECT unnest(generate_series($since::DATE, $until::DATE, INTERVAL 1 DAY))::DATE AS day
),
series AS (
    SELECT DISTINCT agency FROM counts
)
SELECT s.agency, d.day, coalesce(c.articles, 0) AS articles
FROM series AS s
CROSS JOIN days AS d
LEFT JOIN counts AS c ON c.agency = s.agency AND c.day = d.day
ORDER BY d.day, s.agency;
