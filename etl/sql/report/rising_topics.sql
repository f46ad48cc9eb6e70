-- Topics with more articles in the window's last seven days than in the seven before them.
WITH weekly AS (
    SELECT
        t.topic,
        count(DISTINCT t.article_id) FILTER (WHERE t.published_date > $until::DATE - 7)
            AS this_week,
        count(DISTINCT t.article_id) FILTER (WHERE t.published_date <= $until::DATE - 7)
            AS last_week
    FROM article_topics AS t
    WHERE t.published_date BETWEEN $until::DATE - 13 AND $until
    GROUP BY t.topic
)
SELECT topic, this_week, last_week, this_week - last_week AS change
FROM weekly
WHERE this_week > last_week
ORDER BY change DESC, this_week DESC, topic
LIMIT $top_n;
