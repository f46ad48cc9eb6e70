-- Each source's share of wire copy: articles crediting at least one agency.
SELECT
    source,
    count(*) AS articles,
    count(*) FILTER (WHERE len(agencies) > 0) AS wire_articles,
    count(*) FILTER (WHERE len(agencies) > 0) / count(*) AS wire_share
FROM articles
WHERE published_date BETWEEN $since AND $until
GROUP BY source
ORDER BY wire_share DESC, source;
