-- What the topic chart counts by, until the schema has topic categories: the topics themselves.
CREATE OR REPLACE TEMP VIEW report_tags AS
SELECT article_id, topic AS tag
FROM article_topics;
