-- Collection health per source and day, from the collection stage's fetch log.
SELECT source, day, discovered, fetched, failed, articles
FROM fetch_log
WHERE day BETWEEN $since AND $until
ORDER BY source, day;
