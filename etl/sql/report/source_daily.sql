-- Articles per source and day in the window.
SELECT source, day, articles
FROM source_daily
WHERE day BETWEEN $since AND $until
ORDER BY day, source;
