-- For each of the window's last $days days: the $top_n stories with an article that day carried
-- by the most outlets (counted over the whole archive, from `stories`), with every outlet's link.
WITH day_stories AS (
    SELECT DISTINCT published_date AS day, story_id
    FROM articles
    WHERE published_date BETWEEN greatest($since::DATE, $until::DATE - ($days - 1)) AND $until
),
ranked AS (
    SELECT
        d.day,
        s.story_id,
        s.headline,
        s.outlets,
        s.size,
        row_number() OVER (
            PARTITION BY d.day ORDER BY s.outlets DESC, s.size DESC, s.headline, s.story_id
        ) AS rank
    FROM day_stories AS d
    JOIN stories AS s USING (story_id)
)
SELECT
    r.day,
    r.rank,
    r.story_id,
    r.headline,
    r.outlets,
    list(
        {'source': a.source, 'title': a.title, 'url': coalesce(a.canonical_url, a.url)}
        ORDER BY a.published_at NULLS LAST, a.source
    ) AS links
FROM ranked AS r
JOIN articles AS a USING (story_id)
WHERE r.rank <= $top_n
GROUP BY ALL
ORDER BY r.day DESC, r.rank;
