"""The tenant's plan, add-ons and Stripe state, mirrored from the subscription as Stripe has
it now (docs/billing.md "Events, invoices and dunning").

``sync_subscription`` is called with a subscription just read from Stripe: by the event
processing (which reads it again for each event, so the order events arrive in does not
matter) and by ``PUT /v1/billing/subscription`` (with what Stripe answered). A read older
than the one stored never overwrites it, and only the tenant's current subscription
changes its plan: an event of a replaced subscription changes nothing.
"""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime
from typing import Any

from chalicelib.clock import iso, now
from chalicelib.domain.billing import plans
from chalicelib.domain.errors import Unavailable
from chalicelib.store import billing_events as store
from chalicelib.store.billing_state import billing_of

log = logging.getLogger(__name__)

#: a subscription in one of these states no longer pays for a plan: the tenant is on Free
GONE = frozenset({"canceled", "incomplete_expired", "unpaid"})
#: a subscription not yet paid for the first time: tracked, but its plan not granted
PENDING = frozenset({"incomplete"})
ATTEMPTS = 4


def sync_subscription(tenant_id: str, subscription: dict[str, Any]) -> None:
    """Mirror ``subscription`` (a Stripe subscription object, as just read) on the tenant:
    plan, add-ons and ``billing``. A subscription gone returns the tenant to Free and tells
    the admins and billing contacts, once, what to remove when it is over Free's limits."""
    sync_as_read(tenant_id, subscription, now())


def sync_as_read(tenant_id: str, subscription: dict[str, Any], read: datetime) -> None:
    """``sync_subscription`` of a subscription read from Stripe at ``read`` (taken before
    the request: of two reads, the one that started later wins)."""
    read_at = _micros(read)
    for _ in range(ATTEMPTS):
        outcome = _try_sync(tenant_id, subscription, read_at)
        if outcome is not None:
            break
    else:
        raise Unavailable("The tenant kept changing while its subscription was written.",
                          code="billing_busy")  # fmt: skip
    if outcome == "downgraded":
        tell_downgrade(tenant_id, str(subscription["id"]))


def _try_sync(tenant_id: str, subscription: dict[str, Any], read_at: int) -> str | None:
    """One read-decide-write; None when the tenant changed meanwhile (try again)."""
    tenant = store.tenant(tenant_id)
    if tenant is None:
        log.warning("a subscription of a tenant that is gone", extra={"tenant_id": tenant_id})
        return "skipped"
    billing = billing_of(tenant)
    if int(billing.get("read_at") or 0) > read_at:
        return "skipped"  # a later read of Stripe is already mirrored
    sub_id = str(subscription["id"])
    status = str(subscription.get("status") or "canceled")
    current = billing.get("subscription_id")
    gone = status in GONE
    if current and current != sub_id:
        current_alive = billing.get("status") not in GONE
        newer = int(subscription.get("created") or 0) >= int(
            billing.get("subscription_created") or 0
        )
        if gone or (current_alive and not newer):
            log.info("an event of a replaced subscription; the tenant keeps its current one",
                     extra={"tenant_id": tenant_id, "subscription_id": sub_id,
                            "current": current})  # fmt: skip
            return "skipped"
    fields = billing_fields(subscription, read_at)
    if not fields.get("default_payment_method") and billing.get("default_payment_method"):
        fields.pop("default_payment_method")  # the customer's default, kept as refreshed
    plan: str | None
    addons: dict[str, int] | None
    if gone:
        plan, addons = "free", {}
    elif status in PENDING:
        plan, addons = None, None
    else:
        plan, addons = plan_and_addons(subscription)
    written = store.write_subscription(
        tenant_id, had_billing=tenant.billing is not None, expected_subscription=current,
        billing=fields, plan=plan, addons=addons, at=now(),
    )  # fmt: skip
    if not written:
        return None
    # told once per subscription gone (the claim), also when a Lambda died before telling
    return "downgraded" if gone and current in (None, sub_id) else "synced"


def plan_and_addons(subscription: dict[str, Any]) -> tuple[str, dict[str, int]]:
    """The plan and add-on quantities of a subscription's items, by their prices'
    lookup keys (items of prices not in the catalogue are ignored, and logged)."""
    plan = "free"
    addons: dict[str, int] = {}
    for item in _items(subscription):
        price = item.get("price") or {}
        key = str(price.get("lookup_key") or "") if isinstance(price, dict) else ""
        quantity = int(item.get("quantity") or 0)
        if (name := plans.plan_of_lookup_key(key)) is not None:
            plan = name
        elif (addon := plans.addon_of_lookup_key(key)) is not None:
            if quantity > 0:
                addons[addon] = addons.get(addon, 0) + quantity
        else:
            log.warning("a subscription item of a price not in the catalogue",
                        extra={"subscription_id": subscription.get("id"), "lookup_key": key})  # fmt: skip
    return plan, addons


def billing_fields(subscription: dict[str, Any], read_at: int) -> dict[str, Any]:
    """What ``tenant.billing`` keeps of a subscription (docs/billing.md)."""
    ends = [int(i["current_period_end"]) for i in _items(subscription)
            if i.get("current_period_end")]  # fmt: skip
    amount = 0
    currency = None
    for item in _items(subscription):
        price = item.get("price") or {}
        amount += int(price.get("unit_amount") or 0) * int(item.get("quantity") or 0)
        currency = currency or price.get("currency")
    return {
        "customer_id": _id(subscription.get("customer")),
        "subscription_id": str(subscription["id"]),
        "subscription_created": int(subscription.get("created") or 0),
        "status": str(subscription.get("status") or "canceled"),
        "cancel_at_period_end": bool(subscription.get("cancel_at_period_end")),
        "current_period_end": iso(datetime.fromtimestamp(max(ends), UTC)) if ends else None,
        "default_payment_method": _id(subscription.get("default_payment_method")),
        "amount": amount,
        "currency": currency or plans.CURRENCY,
        "synced_at": iso(now()),
        "read_at": read_at,
    }


def refresh_default_payment_method(tenant_id: str, customer: dict[str, Any]) -> None:
    """Mirror the customer's default payment method (``invoice_settings``) on the tenant,
    unless a later read of it is there."""
    read_at = _micros(now())
    settings = customer.get("invoice_settings") or {}
    method = _id(settings.get("default_payment_method"))
    for _ in range(ATTEMPTS):
        tenant = store.tenant(tenant_id)
        if tenant is None:
            return
        if int(billing_of(tenant).get("payment_method_read_at") or 0) > read_at:
            return
        if store.write_default_payment_method(tenant_id, str(customer["id"]), method, read_at,
                                              had_billing=tenant.billing is not None):  # fmt: skip
            return
    raise Unavailable("The tenant kept changing while its payment method was written.",
                      code="billing_busy")  # fmt: skip


def _items(subscription: dict[str, Any]) -> list[dict[str, Any]]:
    items = subscription.get("items") or {}
    data = items.get("data") if isinstance(items, dict) else None
    return [i for i in data or [] if isinstance(i, dict)]


def _id(value: Any) -> str | None:
    """An expandable field's id (a string, or the expanded object's ``id``)."""
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _micros(at: datetime) -> int:
    return int(at.timestamp() * 1_000_000)


def tell_downgrade(tenant_id: str, subscription_id: str) -> bool:
    """The subscription ended and the tenant is on Free: when it uses more than Free allows,
    its admins and billing contacts get one email saying what to remove (once per
    subscription ended: claimed on the tenant before it is queued). Returns whether it
    was queued."""
    from chalicelib.domain.billing.invoices import billing_link, billing_recipients
    from chalicelib.mail import message as mail
    from chalicelib.mail.templates import render_downgrade

    tenant = store.tenant(tenant_id)
    if tenant is None or tenant.plan != "free":
        return False  # another subscription took its place meanwhile
    # the limits' module (domain/billing/limits.py), looked up when needed
    limits = importlib.import_module("chalicelib.domain.billing.limits")
    over = list(limits.over_limit(tenant))
    if not over:
        return False
    admins = [user.email for user in store.active_admins(tenant_id)]
    recipients = sorted({*admins, *billing_recipients(tenant)}, key=str.lower)
    if not recipients or not store.claim_downgrade_notice(tenant_id, subscription_id):
        return False
    email = render_downgrade(
        tenant.locale, recipients, tenant_id=tenant_id, company=tenant.name,
        plan=plans.PLANS["free"].name, over=over, link=billing_link(),
    )  # fmt: skip
    try:
        mail.enqueue(email)
    except Exception:
        store.release_downgrade_notice(tenant_id, subscription_id)
        raise
    log.info("told the tenant what to remove after its subscription ended",
             extra={"tenant_id": tenant_id, "subscription_id": subscription_id,
                    "over_limit": [o.get("limit") for o in over]})  # fmt: skip
    return True


def is_past_due(tenant: Any) -> bool:
    """Whether the tenant's subscription has a payment overdue (``GET /v1/billing``'s
    ``past_due``: the console's banner)."""
    return billing_of(tenant).get("status") == "past_due"
