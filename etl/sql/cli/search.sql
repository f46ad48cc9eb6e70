-- `news-archive search`: every value is a bound parameter.
SELECT
    round(score, 3) AS score,
    published_date AS day,
    source,
    title,
    url
FROM search_articles(
    $query,
    since := $since,
    until := $until,
    source := $source,
    topic := $topic,
    language := $language,
    all_terms := $all_terms,
    max_rows := $max_rows
);
