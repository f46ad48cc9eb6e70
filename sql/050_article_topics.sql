-- Topic to category mapping: empty until the articles carry `topic_categories` or a mapping
-- is loaded into it; `category` is NULL for unmapped topics (issue 3 owns the taxonomy).
CREATE TABLE IF NOT EXISTS topic_map (topic VARCHAR, category VARCHAR);

-- One row per article and topic, for counting by topic.
CREATE OR REPLACE TABLE article_topics AS
SELECT t.article_id, t.topic, m.category
FROM (SELECT article_id, unnest(topics) AS topic FROM articles) AS t
LEFT JOIN topic_map AS m ON lower(m.topic) = lower(t.topic);

-- One row per article and wire agency it credits.
CREATE OR REPLACE TABLE article_agencies AS
SELECT article_id, unnest(agencies) AS agency
FROM articles;
