"""Collect: sources.toml's feeds and sitemaps, fetched politely into raw WARC archives."""
