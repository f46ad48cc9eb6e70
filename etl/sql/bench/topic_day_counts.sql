-- Articles per topic and day over a window: the topic x day matrix in long form.
SELECT topic, day, articles
FROM topic_daily
WHERE day BETWEEN $since AND $until
ORDER BY day, topic;
