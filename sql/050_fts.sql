-- Full-text search over title and text (BM25), from the bundled FTS extension.
PRAGMA create_fts_index('articles', 'article_id', 'title', 'text', overwrite = 1);
