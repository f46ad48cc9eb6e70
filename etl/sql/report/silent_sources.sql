-- Sources that published in the window but not in its last $silent_days days.
SELECT
    source,
    max(published_date) AS last_day,
    $until::DATE - max(published_date) AS days_silent,
    count(*) AS articles
FROM articles
WHERE published_date BETWEEN $since AND $until
GROUP BY source
HAVING max(published_date) <= $until::DATE - $silent_days
ORDER BY days_silent DESC, source;
