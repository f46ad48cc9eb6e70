-- Inputs that did not become articles, by stage and reason, over the window (by fetch day).
SELECT stage, reason, count(*) AS rejects
FROM rejects
WHERE fetched_date BETWEEN $since AND $until
GROUP BY ALL
ORDER BY rejects DESC, stage, reason;
