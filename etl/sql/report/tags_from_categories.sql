-- What the topic chart counts by: the canonical categories, where the schema has them.
CREATE OR REPLACE TEMP VIEW report_tags AS
SELECT article_id, unnest(topic_categories) AS tag
FROM articles;
