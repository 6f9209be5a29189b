"""Outgoing webhooks of a tenant (``PK = TENANT#t``, ``SK = INTEGRATION#<id>``).

At most ten per tenant, so the fan-out reads them all with one Query of the tenant's
partition. ``sealed_secret`` is a KMS envelope (``crypto.seal``), never returned.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.store.base import Item


class Integration(Item, discriminator="Integration"):
    """One outgoing webhook; ``last_*`` is the outcome of its latest delivery attempt."""

    tenant_id = UnicodeAttribute()
    integration_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    active = BooleanAttribute(default=True)
    description = UnicodeAttribute(null=True)
    sealed_secret = UnicodeAttribute()
    secret_updated_at = UTCDateTimeAttribute()
    last_status = UnicodeAttribute(null=True)  # delivered | retrying | failed
    last_response_code = NumberAttribute(null=True)  # HTTP status; none when no answer came
    last_error = UnicodeAttribute(null=True)
    last_delivery_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class DeliveryAttempt(Item, discriminator="DeliveryAttempt"):
    """The outcome of one attempt to deliver one event to one webhook (its delivery log).

    ``PK = TENANT#t#INTEGRATION#<id>#DELIVERIES``, ``SK = <at>#<delivery id>#<attempt>``,
    so one Query reads the newest first; ``expires_at`` lets TTL drop it after 30 days.
    Never the secret nor the body: the event's name and the answer only.
    """

    tenant_id = UnicodeAttribute()
    integration_id = UnicodeAttribute()
    delivery_id = UnicodeAttribute()
    event = UnicodeAttribute()
    attempt = NumberAttribute()
    status = UnicodeAttribute()  # delivered | retrying | failed
    response_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    duration_ms = NumberAttribute(null=True)
    at = UTCDateTimeAttribute()
