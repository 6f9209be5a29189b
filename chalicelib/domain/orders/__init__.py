"""Orders, payments and the catalogue of products (SPEC §7, seed 002)."""
