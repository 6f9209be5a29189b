"""Billing's items (docs/billing.md): Stripe events as received, the customer -> tenant
lookup and the mirrored invoices. The tenant's plan, add-ons and Stripe state live on its
``Tenant`` item (``plan``, ``addons``, ``billing``)."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.store.base import Item


class StripeEvent(Item, discriminator="StripeEvent"):
    """One Stripe event (``PK = STRIPE_EVENT#evt``): written once, with a condition, before
    ``POST /webhooks/stripe`` answers; its insertion reaches the billing queue through the
    table's stream (jobs/effects.py). Only what processing needs: the object is read again
    from Stripe as it is now, so the order events arrive in does not matter."""

    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    object_id = UnicodeAttribute(null=True)  # sub_…, in_…, pm_…
    customer_id = UnicodeAttribute(null=True)
    created = NumberAttribute()  # Stripe's, epoch seconds
    livemode = UnicodeAttribute(default="false")
    received_at = UTCDateTimeAttribute()
    processed_at = UTCDateTimeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # TTL: kept 30 days (Stripe retries for 3)


class StripeCustomer(Item, discriminator="StripeCustomer"):
    """``PK = STRIPE_CUSTOMER#cus``: the tenant a customer belongs to."""

    customer_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()


class Invoice(Item, discriminator="Invoice"):
    """A Stripe invoice of a tenant as last read from Stripe (``SK = INVOICE#in``).
    ``emailed`` lists what the billing contacts were already told (``finalized``,
    ``paid``, ``payment_failed:<attempt>``), so each email goes once."""

    tenant_id = UnicodeAttribute()
    invoice_id = UnicodeAttribute()
    number = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    currency = UnicodeAttribute()
    amount_due = NumberAttribute()
    amount_paid = NumberAttribute()
    total = NumberAttribute()
    period_start = UTCDateTimeAttribute(null=True)
    period_end = UTCDateTimeAttribute(null=True)
    hosted_invoice_url = UnicodeAttribute(null=True)
    invoice_pdf = UnicodeAttribute(null=True)
    attempt_count = NumberAttribute(default=0)
    lines = JSONAttribute(default=list)  # [{"description", "amount", "proration"}]
    emailed = ListAttribute(of=UnicodeAttribute, default=list)
    stripe_created = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
