"""Billing's budgets (issue 14): the plan-limit check on creating a user adds at most one
read to the route, and a Stripe webhook costs one conditional write before it is
acknowledged."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time

from benchmarks.accounts import _signed_up
from benchmarks.harness import Bench, Measured, operation

WEBHOOK_SECRET = "whsec_bench"


@operation("invite a user (plan limit checked)")
def invite_within_the_limit(bench: Bench) -> Measured:
    """POST /v1/users on Pro with add-ons enough for every run: the tenant's one GetItem
    (which the route needed anyway for the invitation's email) carries the plan, the
    add-ons and the seats counter; the seat is taken by a condition of the invitation's
    own transaction, so the check adds no other request."""
    from chalicelib.store import keys
    from chalicelib.store.accounts import Tenant

    admin = _signed_up(bench, "limits@bench.example.com")
    Tenant(keys.tenant_pk(admin["tenant"]["id"]), keys.tenant_sk()).update_only(
        [Tenant.plan.set("pro"), Tenant.addons.set({"users": 500})]
    )
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {admin['access_token']}",
    }

    def call(i: int) -> None:
        body = {"first_name": "Ana", "last_name": "Bench", "role": "agent",
                "email": f"agent{i}.{time.monotonic_ns()}@bench.example.com"}  # fmt: skip
        response = bench.api.post("/v1/users", headers=headers, body=json.dumps(body))
        if response.status_code != 201:
            raise RuntimeError(f"POST /v1/users answered {response.status_code}: {response.body}")

    return call


@operation("Stripe webhook, stored once")
def stripe_webhook(bench: Bench) -> Measured:
    """POST /webhooks/stripe: the signature checked in memory, then one conditional
    PutItem of the event (1 WCU) before the 200; the billing queue hears of it from the
    table's stream, not from the request."""
    from chalicelib.settings import reset_settings

    os.environ["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    reset_settings()

    def call(i: int) -> None:
        event = {"id": f"evt_bench{i}_{time.monotonic_ns()}", "object": "event",
                 "type": "invoice.paid", "created": int(time.time()), "livemode": False,
                 "api_version": "2026-10-28.endive",
                 "data": {"object": {"id": f"in_bench{i}", "object": "invoice",
                                     "customer": "cus_bench"}}}  # fmt: skip
        raw = json.dumps(event)
        stamp = str(int(time.time()))
        signature = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.{raw}".encode(), hashlib.sha256)
        response = bench.api.post(
            "/webhooks/stripe",
            headers={"Content-Type": "application/json",
                     "Stripe-Signature": f"t={stamp},v1={signature.hexdigest()}"},
            body=raw,
        )  # fmt: skip
        if response.status_code != 200:
            raise RuntimeError(f"the webhook answered {response.status_code}: {response.body}")

    return call
