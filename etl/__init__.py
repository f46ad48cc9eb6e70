"""news-archive: collect, extract, clean, store and analyse news articles."""
