"""Warehouse: the DuckDB tables built from the lake, the queries, the report."""
