-- The first day with articles from $since on: a default window starts there, not on empty days.
SELECT min(published_date) AS first_day
FROM articles
WHERE published_date BETWEEN $since AND $until;
