-- The best matches for a search, as an analyst would ask for them.
SELECT *
FROM search_articles($query, max_rows := 20);
