-- `news-archive stats`: one row of headline figures.
SELECT
    (SELECT count(*) FROM articles) AS articles,
    (SELECT count(*) FROM sources) AS sources,
    (SELECT count(*) FROM stories) AS stories,
    (SELECT count(*) FROM stories WHERE outlets > 1) AS stories_on_several_outlets,
    (SELECT min(published_date) || ' .. ' || max(published_date) FROM articles) AS days,
    (
        SELECT string_agg(language || ' ' || n, ', ' ORDER BY n DESC, language)
        FROM (SELECT coalesce(language, '?') AS language, count(*) AS n FROM articles GROUP BY 1)
    ) AS languages,
    (
        SELECT string_agg(agency || ' ' || n, ', ' ORDER BY n DESC, agency)
        FROM (SELECT agency, count(*) AS n FROM article_agencies GROUP BY 1)
    ) AS agencies,
    (SELECT count(*) FROM article_versions) AS versions_in_lake,
    (SELECT count(*) FROM rejects) || coalesce(' (' || (
        SELECT string_agg(reason || ' ' || n, ', ' ORDER BY n DESC, reason)
        FROM (SELECT reason, count(*) AS n FROM rejects GROUP BY 1)
    ) || ')', '') AS rejects,
    (SELECT count(*) FROM search_docs) || ' documents, ' || (SELECT count(*) FROM search_dict)
        || ' terms' AS search_index,
    (
        SELECT string_agg(dataset || ' ' || n, ', ' ORDER BY dataset)
        FROM (SELECT dataset, count(*) AS n FROM lake_files GROUP BY 1)
    ) AS lake_files,
    (
        SELECT strftime(loaded_at, '%Y-%m-%d %H:%M:%S UTC') || ' (' || mode || ')'
        FROM warehouse_loads ORDER BY loaded_at DESC LIMIT 1
    ) AS last_load;
