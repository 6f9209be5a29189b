"""Orders and payments (SPEC §7, docs/orders.md)."""
