-- One outlet's articles per day, over everything the warehouse holds.
SELECT day, articles, words
FROM source_daily
WHERE source = $source
ORDER BY day;
