"""Transform: polars cleaning of extracted records (dates, authors, agencies, topics)."""
