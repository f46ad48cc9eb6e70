"""Extract: trafilatura and the page's own metadata, one page at a time."""
