"""The billing tests' own fixtures: Stripe's API answered from queued JSON (``stripe_api``),
signed deliveries to POST /webhooks/stripe (``billing``) and a stand-in for the limits
(``over_limit``), from tests/support/stripe_events.py."""

from tests.support.stripe_events import billing, over_limit, stripe_api  # noqa: F401
