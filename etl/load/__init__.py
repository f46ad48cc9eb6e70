"""Load: deduplicated, story-linked rows written atomically into the Parquet lake."""
