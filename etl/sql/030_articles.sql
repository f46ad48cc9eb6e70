-- The winning rows, read from the files `loader_reload` names (the loader registers
-- `lake_articles_reload` over exactly those files).
INSERT INTO articles BY NAME
SELECT r.* EXCLUDE (lake_file)
FROM lake_articles_reload AS r
SEMI JOIN loader_reload USING (article_id, lake_file);
