"""Benchmarks and the generated corpora they run on (on demand, not in CI)."""
