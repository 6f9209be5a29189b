"""Analytics (SPEC §8, docs/analytics.md): counters kept as things happen, read by day."""
