"""Stripe's events: verified and stored once as they arrive, processed later from the billing
queue (docs/billing.md "Events, invoices and dunning").

``POST /webhooks/stripe`` checks the ``Stripe-Signature`` on the raw body
(:func:`verify_signature`) and stores the event with one conditional write
(:func:`record`): a redelivery finds it stored and does nothing else. The item's insertion
reaches the billing queue through the table's stream (jobs/effects.py), and
``jobs/billing.py`` calls :func:`process` with its id.

Processing never trusts the event's copy of the object nor the order events arrive in: it
reads the subscription, invoice or customer from Stripe as it is now and mirrors that.
Every step is idempotent, so a message handled twice (a Lambda that died before marking
the event processed) changes nothing twice and sends no email twice.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from chalicelib.clock import now
from chalicelib.domain.errors import Invalid, NotFound
from chalicelib.store import billing_events as store
from chalicelib.store.billing_state import billing_of

log = logging.getLogger(__name__)

#: how far a signature's timestamp may be from our clock, either way (Stripe's default)
TOLERANCE_SECONDS = 300
#: how long a received event is kept (Stripe retries a delivery for three days)
KEPT = timedelta(days=30)

SUBSCRIPTION_EVENTS = frozenset({"customer.subscription.created", "customer.subscription.updated",
                                 "customer.subscription.deleted"})  # fmt: skip
INVOICE_EVENTS = {"invoice.finalized": "finalized", "invoice.paid": "paid",
                  "invoice.payment_failed": "payment_failed"}  # fmt: skip
PAYMENT_METHOD_EVENTS = frozenset({"payment_method.attached", "payment_method.detached"})
HANDLED = SUBSCRIPTION_EVENTS | set(INVOICE_EVENTS) | PAYMENT_METHOD_EVENTS


# --- receiving ---------------------------------------------------------------------------------
def secrets_of(setting: str | None) -> list[str]:
    """The endpoint's signing secrets: one, or during a rotation several, comma-separated."""
    return [part.strip() for part in (setting or "").split(",") if part.strip()]


def verify_signature(
    raw_body: bytes, header: str | None, secrets: Iterable[str], at: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:  # fmt: skip
    """Whether ``header`` (``t=<epoch>,v1=<hex>[,v1=<hex>...]``) signs ``raw_body`` with one
    of ``secrets``: HMAC-SHA256 of ``"<t>.<raw body>"``, any ``v1`` matching, compared in
    constant time, and ``t`` within ``tolerance`` seconds of ``at`` either way."""
    if not header:
        return False
    timestamp: int | None = None
    signatures: list[bytes] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif name == "v1" and value:
            signatures.append(value.strip().encode())
    if timestamp is None or not signatures or abs(at - timestamp) > tolerance:
        return False
    signed = str(timestamp).encode() + b"." + raw_body
    matched = False
    for secret in secrets:
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
        for signature in signatures:  # no early exit: the time taken says nothing
            matched |= hmac.compare_digest(expected, signature)
    return matched


def record(event: Any) -> bool:
    """Store a verified Stripe event once (one conditional write). False when it was
    stored before (a redelivery: nothing else to do). ``Invalid`` when the body is not a
    Stripe event object."""
    if not isinstance(event, dict) or event.get("object") != "event":
        raise Invalid("The body is not a Stripe event.", code="not_a_stripe_event")
    event_id, event_type = event.get("id"), event.get("type")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    created = event.get("created")
    if (
        not isinstance(event_id, str) or not event_id.startswith("evt_") or len(event_id) > 255
        or not isinstance(event_type, str) or not event_type or len(event_type) > 255
        or not isinstance(obj, dict) or not isinstance(created, int)
    ):  # fmt: skip
        raise Invalid("The body is not a Stripe event.", code="not_a_stripe_event")
    at = now()
    return store.record_event(store.new_event(
        event_id, event_type=event_type, object_id=_text(obj.get("id")),
        customer_id=customer_of(event_type, obj, data), created=created,
        livemode="true" if event.get("livemode") else "false", received_at=at,
        expires_at=int((at + KEPT).timestamp()),
    ))  # fmt: skip


def customer_of(event_type: str, obj: dict[str, Any], data: Any) -> str | None:
    """The customer an event is about: its object's ``customer`` (a detached payment
    method's is in ``previous_attributes``), or the customer itself."""
    if obj.get("object") == "customer":
        return _text(obj.get("id"))
    found = _id(obj.get("customer"))
    if found is None and isinstance(data, dict):
        found = _id((data.get("previous_attributes") or {}).get("customer"))
    return found


# --- processing --------------------------------------------------------------------------------
def process(event_id: str) -> str:
    """Do what one stored event asks, unless done before; returns what happened (for the
    log and the tests). Stripe unreachable raises ``Unavailable``: the message returns to
    the queue and is tried again."""
    event = store.stripe_event(event_id)
    if event is None:
        log.warning("a billing message for an event not stored", extra={"event_id": event_id})
        return "unknown"
    if event.processed_at is not None:
        return "done before"
    kind = str(event.event_type)
    if kind in SUBSCRIPTION_EVENTS:
        outcome = _subscription_event(event)
    elif kind in INVOICE_EVENTS:
        outcome = _invoice_event(event, INVOICE_EVENTS[kind])
    elif kind in PAYMENT_METHOD_EVENTS:
        outcome = _payment_method_event(event)
    else:
        outcome = "ignored"
    store.mark_processed(event_id, now())
    log.info("stripe event processed", extra={"event_id": event_id, "event_type": kind,
                                             "outcome": outcome})  # fmt: skip
    return outcome


def _subscription_event(event: Any) -> str:
    from chalicelib.billing import stripe_client
    from chalicelib.domain.billing.sync import sync_as_read

    sub_id = str(event.object_id or "")
    if not sub_id.startswith("sub_"):
        return "no subscription"
    read = now()
    try:
        subscription = stripe_client.call(stripe_client.client().v1.subscriptions.retrieve, sub_id)
    except NotFound:
        # gone from Stripe: as good as canceled
        subscription = {"id": sub_id, "object": "subscription", "status": "canceled",
                        "customer": event.customer_id, "items": {"data": []}}  # fmt: skip
    tenant_id = tenant_of(_id(subscription.get("customer")) or event.customer_id, subscription)
    if tenant_id is None:
        return "unknown customer"
    sync_as_read(tenant_id, subscription, read)
    return "subscription synced"


def _invoice_event(event: Any, what: str) -> str:
    from chalicelib.billing import stripe_client
    from chalicelib.domain.billing.invoices import email_invoice, mirror_invoice

    if not str(event.object_id or "").startswith("in_"):
        return "no invoice"
    read = now()
    try:
        invoice = stripe_client.call(
            stripe_client.client().v1.invoices.retrieve, str(event.object_id or "")
        )
    except NotFound:
        log.warning("an invoice event of an invoice Stripe does not have",
                    extra={"event_id": event.event_id, "invoice_id": event.object_id})  # fmt: skip
        return "invoice gone"
    tenant_id = tenant_of(_id(invoice.get("customer")) or event.customer_id, invoice)
    if tenant_id is None:
        return "unknown customer"
    mirror_invoice(tenant_id, invoice, read)
    emailed = email_invoice(tenant_id, invoice, what)
    return f"invoice mirrored{', emailed' if emailed else ''}"


def _payment_method_event(event: Any) -> str:
    from chalicelib.billing import stripe_client
    from chalicelib.domain.billing.sync import refresh_default_payment_method

    if not event.customer_id:
        return "no customer"
    try:
        customer = stripe_client.call(
            stripe_client.client().v1.customers.retrieve, str(event.customer_id)
        )
    except NotFound:
        return "customer gone"
    if customer.get("deleted"):
        return "customer gone"
    tenant_id = tenant_of(str(event.customer_id), customer)
    if tenant_id is None:
        return "unknown customer"
    refresh_default_payment_method(tenant_id, customer)
    return "payment method refreshed"


def tenant_of(customer_id: str | None, obj: dict[str, Any]) -> str | None:
    """The tenant a Stripe object belongs to: its customer's (StripeCustomer), or else the
    ``tenant_id`` of its metadata when that tenant exists and has no other customer.
    None (logged) for a customer that is none of ours."""
    if customer_id:
        found = store.tenant_of_customer(customer_id)
        if found is not None:
            return found
    claimed = _metadata_tenant(obj)
    if claimed:
        tenant = store.tenant(claimed)
        known = billing_of(tenant).get("customer_id") if tenant is not None else None
        if tenant is not None and (not known or known == customer_id):
            return claimed
    log.warning("a Stripe event of a customer that is no tenant's",
                extra={"customer_id": customer_id, "object_id": obj.get("id")})  # fmt: skip
    return None


def _metadata_tenant(obj: dict[str, Any]) -> str | None:
    places = [obj.get("metadata"),
              ((obj.get("parent") or {}).get("subscription_details") or {}).get("metadata")]  # fmt: skip
    for metadata in places:
        if isinstance(metadata, dict) and isinstance(metadata.get("tenant_id"), str):
            return str(metadata["tenant_id"])
    return None


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
