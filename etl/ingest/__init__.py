"""Ingest: WARC files, folders of saved pages and URL lists read as page records."""
