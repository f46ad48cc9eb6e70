-- Counts by topic, source and day.
CREATE OR REPLACE VIEW topic_daily AS
SELECT t.topic, a.published_date AS day, count(*) AS articles, sum(a.word_count) AS words
FROM article_topics AS t
JOIN articles AS a USING (article_id)
GROUP BY ALL;

CREATE OR REPLACE VIEW source_daily AS
SELECT source, published_date AS day, count(*) AS articles, sum(word_count) AS words
FROM articles
GROUP BY ALL;

CREATE OR REPLACE VIEW daily AS
SELECT published_date AS day, count(*) AS articles, count(DISTINCT source) AS sources,
       count(DISTINCT story_id) AS stories
FROM articles
GROUP BY ALL;

CREATE OR REPLACE VIEW topic_counts AS
SELECT topic, count(*) AS articles, count(DISTINCT a.source) AS sources
FROM article_topics
JOIN articles AS a USING (article_id)
GROUP BY ALL;

CREATE OR REPLACE VIEW source_counts AS
SELECT source, articles, words FROM sources;
