"""Orders and payments in the one table (docs/data-model.md "Orders").

An order's partition (``TENANT#t#ORDER#<number>``) holds the order (``ORDER``), its
payments (``P#<id>``), comments (``C#<id>``) and history (``H#<time>#<id>``): the detail
is one Query. Each list reads a listing partition (``TENANT#t#ORDERS#<facet>#<value>``)
whose items carry the order's summary and every facet value, newest first by creation."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.store.base import Item


class OrderCounter(Item, discriminator="OrderCounter"):
    """The last order number a tenant gave; advanced only together with a new order."""

    last = NumberAttribute(default=0)


class Order(Item, discriminator="Order"):
    """What a client asked for: lines, a currency and the totals Atiende computed; its
    payment state derived from its reconciled payments. ``version`` guards every change."""

    tenant_id = UnicodeAttribute()
    number = NumberAttribute()
    status = UnicodeAttribute(default="open")  # open | annulled
    payment_state = UnicodeAttribute(default="unpaid")  # unpaid | partially_paid | paid | overpaid
    currency = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    lines = JSONAttribute(default=list)
    total = NumberAttribute(default=0)
    paid = NumberAttribute(default=0)  # reconciled money
    pending = NumberAttribute(default=0)  # money of pending payments
    client_id = UnicodeAttribute()
    client_name = UnicodeAttribute(null=True)
    ticket_number = NumberAttribute(null=True)
    channel_id = UnicodeAttribute(null=True)
    channel_type = UnicodeAttribute(null=True)
    agent_id = UnicodeAttribute()  # who made it
    agent_name = UnicodeAttribute(null=True)  # their name then (orders admins cannot list users)
    standalone = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    annulment = JSONAttribute(null=True)  # {"reason", "by", "at"}
    payments_count = NumberAttribute(default=0)  # every payment ever recorded
    version = NumberAttribute(default=0)


class Payment(Item, discriminator="Payment"):
    """Money a client says they paid against an order, then reconciled or rejected."""

    tenant_id = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    order_number = NumberAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    method = UnicodeAttribute()  # transfer | card | cash | link | other
    reference = UnicodeAttribute(null=True)
    paid_on = UnicodeAttribute()  # YYYY-MM-DD
    proof = JSONAttribute(null=True)  # {"name", "content_type", "s3_key"}
    status = UnicodeAttribute(default="pending")  # pending | reconciled | rejected
    rejection_reason = UnicodeAttribute(null=True)
    recorded_by = UnicodeAttribute()
    recorded_by_name = UnicodeAttribute(null=True)
    recorded_at = UTCDateTimeAttribute()
    settled_by = UnicodeAttribute(null=True)
    settled_by_name = UnicodeAttribute(null=True)
    settled_at = UTCDateTimeAttribute(null=True)


class OrderComment(Item, discriminator="OrderComment"):
    """A comment on an order; never edited nor deleted."""

    tenant_id = UnicodeAttribute()
    comment_id = UnicodeAttribute()
    order_number = NumberAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class OrderHistory(Item, discriminator="OrderHistory"):
    """One change of an order or of one of its payments: who, what, before, after, when.
    Written in the transaction of the change; its insertion on the stream is what sends
    the integration event (once per change)."""

    tenant_id = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    order_number = NumberAttribute()
    at = UTCDateTimeAttribute()
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute(null=True)
    what = UnicodeAttribute()
    payment_id = UnicodeAttribute(null=True)
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)


class OrderListing(Item, discriminator="OrderListing"):
    """An order in one list (one facet's partition): its summary and the facet values the
    other filters read, so a page is one Query. Short attribute names keep it ~1 KB."""

    tenant_id = UnicodeAttribute()
    number = NumberAttribute(attr_name="n")
    status = UnicodeAttribute(attr_name="st")
    payment_state = UnicodeAttribute(attr_name="ps")
    agent_id = UnicodeAttribute(attr_name="ag")
    channel_id = UnicodeAttribute(null=True, attr_name="ch")
    client_id = UnicodeAttribute(attr_name="cl")
    ticket_number = NumberAttribute(null=True, attr_name="tk")
    standalone = BooleanAttribute(default=False, attr_name="sa")
    summary = JSONAttribute(attr_name="sm")
