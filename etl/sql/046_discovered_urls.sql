-- Every URL a collect took up and what became of it (article, reject with reason, or skipped
-- as seen / off-pattern / over the page limit), with the title, date and categories its feed
-- or news sitemap gave: hints to set beside the extracted article (join on article_id).
-- Read whole at every load from lake/discovered (empty until the collector writes it).
CREATE OR REPLACE TABLE discovered_urls AS
SELECT * EXCLUDE (fetched_date), fetched_date AS day
FROM lake_discovered;
