-- Topic to category, for every topic the archive has met: the loader maps the topics of the
-- new lake files (`loader_topic_map`, with etl/transform/topics.py's taxonomy, the one behind the
-- articles' `topic_categories`); topics already mapped keep their row.
CREATE TABLE IF NOT EXISTS topic_map (topic VARCHAR, category VARCHAR);
INSERT INTO topic_map
SELECT topic, category FROM loader_topic_map
WHERE topic NOT IN (SELECT topic FROM topic_map);

-- One row per article and topic, for counting by topic. The article's day, source and length
-- come along, in day order: counting topics by day or source then reads only this table, and
-- only the row groups of the days asked for (joining `articles` by its hash key reads every
-- key).
CREATE OR REPLACE TABLE article_topics AS
SELECT t.article_id, t.topic, m.category, t.published_date, t.source, t.word_count
FROM (
    SELECT article_id, published_date, source, word_count, unnest(topics) AS topic
    FROM articles
) AS t
LEFT JOIN topic_map AS m ON m.topic = t.topic
ORDER BY t.published_date, t.topic;

-- One row per article and wire agency it credits.
CREATE OR REPLACE TABLE article_agencies AS
SELECT article_id, unnest(agencies) AS agency
FROM articles;
