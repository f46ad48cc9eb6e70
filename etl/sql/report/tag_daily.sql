-- Articles per day and tag (category or topic) over the window. The $top_n tags with the most
-- articles keep their name, the rest become "other" and untagged articles "(untagged)", so the
-- stacked area stays readable; an article counts once per tag it carries. Every series has a row
-- for every day, or the areas would be drawn across days without articles.
WITH tagged AS (
    SELECT DISTINCT a.article_id, a.published_date AS day, coalesce(t.tag, '(untagged)') AS tag
    FROM articles AS a
    LEFT JOIN report_tags AS t USING (article_id)
    WHERE a.published_date BETWEEN $since AND $until
),
top AS (
    SELECT tag
    FROM tagged
    WHERE tag <> '(untagged)'
    GROUP BY tag
    ORDER BY count(*) DESC, tag
    LIMIT $top_n
),
labelled AS (
    SELECT DISTINCT
        t.article_id,
        t.day,
        CASE
            WHEN t.tag = '(untagged)' OR top.tag IS NOT NULL THEN t.tag
            ELSE 'other'
        END AS tag
    FROM tagged AS t
    LEFT JOIN top USING (tag)
),
days AS (
    SELECT unnest(generate_series($since::DATE, $until::DATE, INTERVAL 1 DAY))::DATE AS day
),
series AS (
    SELECT DISTINCT tag FROM labelled
)
SELECT s.tag, d.day, count(l.article_id) AS articles
FROM series AS s
CROSS JOIN days AS d
LEFT JOIN labelled AS l ON l.tag = s.tag AND l.day = d.day
GROUP BY ALL
ORDER BY d.day, s.tag;
