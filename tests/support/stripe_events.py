"""Stripe's side of the billing tests: signed webhook deliveries, Stripe's API answered by a
``FakeProvider`` (queued answers per path) and the billing worker driven as Lambda would.

    def test_x(stripe_api, billing):
        tenant_id = billing.tenant_with_customer()
        stripe_api.queue(f"/v1/subscriptions/{SUB}", 200, "subscription_pro.json")
        billing.deliver(payload("stripe_events/customer.subscription.updated.json"))
        billing.process()

Until the lead's customer code is merged, ``tenant_with_customer`` writes the
StripeCustomer item as that code does when it creates a customer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

import app
from chalicelib.clock import now
from chalicelib.settings import get_settings
from devstack.worker import deliver_once, sqs_consumers
from tests.support.fakes import FakeProvider, serving
from tests.support.payloads import FIXTURES
from tests.support.table_stream import run_effects
from tests.support.world import World

WHSEC = "whsec_9p3Kc7vTq2LmX8rWz5NbY4hJ"
OLD_WHSEC = "whsec_1aB2cD3eF4gH5iJ6kL7mN8oP"
#: the customer, subscription and invoice of tests/fixtures/stripe_events/
CUSTOMER = "cus_TQd2m8ZpXv4WcA"
SUBSCRIPTION = "sub_1SaSubscr1pt10n01"
INVOICE = "in_1SaInv0ice0000001"


def sign(body: bytes, secret: str = WHSEC, at: float | None = None) -> str:
    """A ``Stripe-Signature`` header for ``body``, as Stripe computes it."""
    t = int(now().timestamp() if at is None else at)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def stripe_not_found(what: str, object_id: str) -> dict[str, Any]:
    """Stripe's answer to a GET of an object it does not have (404)."""
    return {"error": {"code": "resource_missing", "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
                      "message": f"No such {what}: '{object_id}'", "param": "id",
                      "request_log_url": "https://dashboard.stripe.com/test/logs/req_x",
                      "type": "invalid_request_error"}}  # fmt: skip


class Billing:
    """Delivers signed events to ``POST /webhooks/stripe`` and runs what follows them."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.signed_up: dict[str, Any] = {}  # the last signup's answer (its admin's token...)

    def tenant_with_customer(
        self, customer_id: str = CUSTOMER, *, company: str = "Acme", locale: str = "es",
        email: str = "ana@acme.example.com",
    ) -> str:  # fmt: skip
        """A tenant signed up through the API whose Stripe customer is ``customer_id``."""
        from chalicelib.store import keys
        from chalicelib.store.billing import StripeCustomer

        self.signed_up = self.world.signup(company, email, locale)
        tenant_id = str(self.signed_up["tenant"]["id"])
        StripeCustomer(keys.stripe_customer_pk(customer_id), keys.stripe_customer_sk(),
                       customer_id=customer_id, tenant_id=tenant_id).save()  # fmt: skip
        return tenant_id

    def tenant(self, tenant_id: str) -> Any:
        from chalicelib.store import keys
        from chalicelib.store.accounts import Tenant

        return Tenant.get(keys.tenant_pk(tenant_id), keys.tenant_sk(), consistent_read=True)

    def post(self, body: bytes, signature: str | None) -> Any:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if signature is not None:
            headers["Stripe-Signature"] = signature
        response = self.world.api.post("/webhooks/stripe", headers=headers, body=body)
        response.json = json.loads(response.body) if response.body else None
        return response

    def deliver(self, event: dict[str, Any], secret: str = WHSEC) -> Any:
        """POST ``event`` signed as Stripe signs it; asserts the 200."""
        body = json.dumps(event).encode()
        response = self.post(body, sign(body, secret))
        assert response.status_code == 200, response.json
        return response

    def process(self) -> None:
        """What Lambda does next: the stream queues each stored event, the billing worker
        processes what is on the queue."""
        run_effects()
        [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "process_billing"]
        while deliver_once(source, handler, wait_seconds=0):
            pass


@pytest.fixture
def stripe_api() -> Iterator[FakeProvider]:
    """Stripe's API (queued answers) with the keys and webhook secret configured."""
    names = ("STRIPE_API_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET")
    before = {name: os.environ.get(name) for name in names}
    with serving(FakeProvider(FIXTURES / "stripe_events")) as fake:
        os.environ.update({"STRIPE_API_KEY": "sk_test_x", "STRIPE_API_BASE": fake.url,
                           "STRIPE_WEBHOOK_SECRET": WHSEC})  # fmt: skip
        get_settings.cache_clear()
        try:
            yield fake
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            get_settings.cache_clear()


@pytest.fixture
def billing(world: World, stripe_api: FakeProvider) -> Billing:
    return Billing(world)


@pytest.fixture
def over_limit(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """A stand-in for domain/billing/limits.py's ``over_limit``: it answers what the test
    puts in the returned list (empty: within the limits)."""
    import sys
    import types

    answer: list[dict[str, Any]] = []
    stand_in = types.ModuleType("chalicelib.domain.billing.limits")
    stand_in.over_limit = lambda tenant, plan=None, addons=None: list(answer)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "chalicelib.domain.billing.limits", stand_in)
    return answer
