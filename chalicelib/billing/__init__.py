"""Billing's provider adapter: Stripe (docs/billing.md)."""
