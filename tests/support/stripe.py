"""The fake Stripe (devstack/fake_stripe.py) for the tests: fixture ``fake_stripe``.

It starts the fake in this process on a free port, with the catalogue of
chalicelib/domain/billing/plans.py already created (``@pytest.mark.fake_stripe(catalog=False)``:
an empty account), and points Atiende at it (``STRIPE_API_KEY``, ``STRIPE_API_BASE``,
``STRIPE_PUBLISHABLE_KEY``, ``STRIPE_JS_URL``, ``STRIPE_WEBHOOK_SECRET``; the cached
settings are forgotten before and after).

Webhooks: unit tests have no HTTP server for the app, so ``deliver_to(fake, api)`` makes
the fake's webhooks go into Chalice's test client (``api`` fixture); they are delivered,
signed as Stripe signs them, when the test calls ``fake.flush()``::

    def test_paid(fake_stripe, api, admin):
        deliver_to(fake_stripe, api)
        ...  # PUT /v1/billing/subscription
        fake_stripe.flush()  # the events so far reach POST /webhooks/stripe, in order
        assert [d["status"] for d in fake_stripe.deliveries] == [200, ...]

Time: the fake reads the app's clock (``chalicelib.clock``): with ``frozen_clock`` the
objects are dated at the frozen time, and ``frozen_clock.advance(...)`` moves both.
``fake.advance_clock(s)`` and ``fake.advance(sub_id)`` move Stripe's time only (a test
clock): what the app computes from its own clock (a ``proration_date``) stays behind.

Test controls: ``fake.advance(sub_id)`` (renewal, or the next attempt of an unpaid
invoice), ``fake.fail_charges(customer_id)``, ``fake.hold()`` / ``fake.release(order)``,
``fake.resend(event_id)``, ``fake.duplicate_next()``, ``fake.sign_with = "whsec_old"``,
``fake.bad_signature = True``, ``fake.events_of(type)``, ``fake.state()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.clock import clock
from devstack.fake_stripe import (
    LOCAL_PUBLISHABLE_KEY,
    LOCAL_SECRET_KEY,
    LOCAL_WEBHOOK_SECRET,
    FakeStripe,
)

SECRET_KEY = LOCAL_SECRET_KEY
PUBLISHABLE_KEY = LOCAL_PUBLISHABLE_KEY
WEBHOOK_SECRET = LOCAL_WEBHOOK_SECRET


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fake_stripe(catalog=True): options of the fake_stripe fixture (catalog=False: "
        "an account without the catalogue)",
    )


def _forget_settings() -> None:
    from chalicelib.billing import stripe_client
    from chalicelib.settings import reset_settings

    reset_settings()
    stripe_client._client.cache_clear()


@pytest.fixture
def fake_stripe(request: pytest.FixtureRequest) -> Iterator[FakeStripe]:
    marker = request.node.get_closest_marker("fake_stripe")
    catalog = bool((marker.kwargs if marker else {}).get("catalog", True))
    # the app's clock: a frozen (``frozen_clock``) or moved app clock moves Stripe's time too,
    # and the webhooks are signed at the app's "now", as its check expects
    fake = FakeStripe(webhook_secret=WEBHOOK_SECRET, catalog=catalog,
                      clock=lambda: clock.now().timestamp()).start()  # fmt: skip
    with pytest.MonkeyPatch.context() as env:
        env.setenv("STRIPE_API_KEY", SECRET_KEY)
        env.setenv("STRIPE_API_BASE", fake.url)
        env.setenv("STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
        env.setenv("STRIPE_JS_URL", fake.url + "/v3/")
        env.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        _forget_settings()
        try:
            yield fake
        finally:
            fake.stop()
    _forget_settings()


def deliver_to(fake: FakeStripe, api: Any, path: str = "/webhooks/stripe") -> None:
    """The fake's webhooks go to ``POST path`` of Chalice's test client, on ``fake.flush()``."""

    def sink(body: bytes, headers: dict[str, str]) -> Any:
        return api.post(path, body=body, headers=headers)

    fake.webhook_sink = sink


def sdk(fake: FakeStripe) -> Any:
    """The real SDK's client, pointed at the fake."""
    import stripe

    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": fake.url})
