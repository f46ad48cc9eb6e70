-- One row per article and topic, for counting by topic.
CREATE OR REPLACE TABLE article_topics AS
SELECT article_id, unnest(topics) AS topic
FROM articles;

CREATE OR REPLACE TABLE article_agencies AS
SELECT article_id, unnest(agencies) AS agency
FROM articles;
