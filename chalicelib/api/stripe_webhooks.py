"""Stripe's webhook: the signature checked on the raw body, the event stored once, 200 at once.

The one cost before the answer is one conditional write (the event, by its id): what the
event asks is done later, from the billing queue (domain/billing/events.py). This module
stays cheap to import: no Stripe SDK here.
"""

from __future__ import annotations

from pydantic import BaseModel

from chalicelib.clock import now
from chalicelib.domain.billing import events
from chalicelib.http.errors import ServiceUnavailable, Unauthorized
from chalicelib.http.routing import Call, Resource, parse_json_body
from chalicelib.settings import get_settings

resource = Resource(__name__, "stripe_webhooks")


class Received(BaseModel):
    received: bool = True


@resource.route(
    "/webhooks/stripe",
    "POST",
    summary="Stripe's events (Stripe-Signature): stored once, processed from the billing queue.",
    response=Received,
    public=True,
    errors=(400, 401, 503),
)
def stripe_events(call: Call) -> Received:
    secret = get_settings().stripe_webhook_secret
    secrets = events.secrets_of(secret.get_secret_value() if secret is not None else None)
    if not secrets:
        raise ServiceUnavailable(
            "STRIPE_WEBHOOK_SECRET is not configured, so Stripe's events cannot be verified.",
            code="billing_not_configured",
        )
    header = call.headers.get("stripe-signature")
    if not events.verify_signature(call.raw_body, header, secrets, now().timestamp()):
        raise Unauthorized(
            "The Stripe-Signature is missing, wrong or too old.", code="bad_signature"
        )
    events.record(parse_json_body(call.raw_body))  # a redelivery: stored before, 200 too
    return Received()
