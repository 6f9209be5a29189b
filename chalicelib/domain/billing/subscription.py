"""The subscription ("Editar suscripción", "Añadir añadidos"; issue 14 item 5).

One subscription per tenant, one item per price: the plan's, and one per add-on bought,
with its quantity. ``change`` moves the plan and the add-on quantities in ONE Stripe call
(create from Free, or update the items: prorations invoiced and charged at once,
``always_invoice``; a declined card changes nothing, ``error_if_incomplete``), after
``preview`` showed the prorated amount. Going below what is in use is refused with what
to remove: nothing is ever deleted to fit a plan. Free means leaving: the subscription
ends at the end of the period it was paid for (``cancel``; ``resume`` undoes it).

Every Stripe POST carries an Idempotency-Key made of what is asked and the state it is
asked of (the subscription's items as Stripe just told them): a retried Lambda, or a
double click, changes and charges once; a later change from another state is another key.
The tenant's plan and add-ons then follow the subscription Stripe answered with
(``sync.sync_subscription``), the same path the webhooks take.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from chalicelib.billing import stripe_client as stripe
from chalicelib.domain.billing.customers import ensure_customer
from chalicelib.domain.billing.invoices import mirror_invoice
from chalicelib.domain.billing.limits import over_limit
from chalicelib.domain.billing.plans import ADDONS, PLANS, lookup_keys
from chalicelib.domain.billing.sync import GONE, sync_subscription
from chalicelib.domain.errors import Conflict, DomainError, Invalid, Unavailable
from chalicelib.store.accounts import Tenant
from chalicelib.store.billing_state import addons_of, billing_of

#: a subscription in these states is over: the tenant is on Free (sync.py)
ENDED = GONE
PRICES_TTL = 600.0  # seconds a Lambda keeps the catalogue's prices
_prices: tuple[float, dict[str, dict[str, Any]]] | None = None


def catalogue_prices() -> dict[str, dict[str, Any]]:
    """The catalogue's prices in Stripe by lookup_key: ``{"id", "amount", "currency",
    "interval"}`` (one list call per Lambda every 10 minutes)."""
    global _prices
    if _prices and time.monotonic() - _prices[0] < PRICES_TTL:
        return _prices[1]
    found = stripe.call(
        stripe.client().v1.prices.list,
        params={"lookup_keys": lookup_keys(), "active": True, "limit": 100},
    )
    prices = {
        p["lookup_key"]: {
            "id": p["id"],
            "amount": int(p.get("unit_amount") or 0),
            "currency": p.get("currency") or "usd",
            "interval": (p.get("recurring") or {}).get("interval") or "month",
        }
        for p in found.get("data", [])
        if p.get("lookup_key")
    }
    missing = sorted(set(lookup_keys()) - set(prices))
    if missing:
        raise Unavailable(
            "The Stripe account has no prices for " + ", ".join(missing) + ". Run "
            "`make stripe-catalog` against it (docs/deploy.md).",
            code="billing_catalogue_missing",
        )
    _prices = (time.monotonic(), prices)
    return prices


def forget_prices() -> None:
    global _prices
    _prices = None


def current_subscription_id(tenant: Tenant) -> str | None:
    billing = billing_of(tenant)
    if billing.get("subscription_id") and billing.get("status") not in ENDED:
        return str(billing["subscription_id"])
    return None


def _wanted(plan: str, addons: dict[str, int]) -> dict[str, int]:
    """lookup_key -> quantity of the items the subscription should have."""
    lookup = PLANS[plan].lookup_key
    assert lookup is not None
    wanted = {lookup: 1}
    for name, quantity in sorted(addons.items()):
        if quantity > 0:
            wanted[ADDONS[name].lookup_key] = quantity
    return wanted


def _check(tenant: Tenant, plan: str, addons: dict[str, int]) -> dict[str, int]:
    if plan not in PLANS:
        raise Invalid(f"No plan {plan!r}.", code="validation_error")
    addons = {name: int(q) for name, q in (addons or {}).items() if int(q) > 0}
    if plan == "free" and addons:
        raise Invalid(
            "Add-ons go with a paid plan (Lite or Pro): choose one to add them.",
            code="addons_need_plan",
        )
    above = over_limit(tenant, plan=plan, addons=addons)
    if above:
        parts = [f"{a['remove']} {a['limit'].replace('_', ' ')}" for a in above]
        raise Conflict(
            f"{PLANS[plan].name} with these add-ons allows less than is in use. Remove "
            + ", ".join(parts)
            + " first, or keep more add-ons.",
            code="below_usage",
            details=above,
        )
    return addons


def _item_of(item: dict[str, Any]) -> tuple[str | None, int]:
    price = item.get("price") or {}
    return price.get("lookup_key"), int(item.get("quantity") or 1)


def _item_changes(
    current: dict[str, Any], wanted: dict[str, int], prices: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The ``items`` of one update: each current item moved to its wanted price/quantity
    or deleted; each wanted price without an item added. The plan's item changes price
    in place (Lite to Pro), so the proration is one credit and one charge."""
    plans = {p.lookup_key for p in PLANS.values() if p.lookup_key}
    left = dict(wanted)
    wanted_plan = next(k for k in wanted if k in plans)
    changes: list[dict[str, Any]] = []
    for item in (current.get("items") or {}).get("data", []):
        key, quantity = _item_of(item)
        if key in plans and wanted_plan in left:
            left.pop(wanted_plan)
            if key != wanted_plan:
                changes.append({"id": item["id"], "price": prices[wanted_plan]["id"]})
        elif key in left:
            target = left.pop(key)
            if target != quantity:
                changes.append({"id": item["id"], "quantity": target})
        else:
            changes.append({"id": item["id"], "deleted": True})
    for key, quantity in left.items():
        changes.append({"price": prices[key]["id"], "quantity": quantity})
    return changes


def _state(subscription: dict[str, Any]) -> list[Any]:
    items = sorted(
        (item["id"], *_item_of(item)) for item in (subscription.get("items") or {}).get("data", [])
    )
    return [subscription.get("id"), subscription.get("status"),
            subscription.get("cancel_at_period_end"), items]  # fmt: skip


def _after(tenant: Tenant, subscription: dict[str, Any]) -> dict[str, Any]:
    """The tenant follows the subscription Stripe answered with; its latest invoice is
    mirrored at once (the webhooks will say the same later)."""
    sync_subscription(tenant.tenant_id, subscription)
    invoice = subscription.get("latest_invoice")
    if isinstance(invoice, dict):
        mirror_invoice(tenant.tenant_id, invoice)
    return subscription


def change(tenant: Tenant, plan: str, addons: dict[str, int]) -> dict[str, Any]:
    """Move to ``plan`` with ``addons`` in one Stripe call; returns the subscription."""
    stripe.require_configured()
    addons = _check(tenant, plan, addons)
    subscription_id = current_subscription_id(tenant)
    api = stripe.client().v1
    if plan == "free":
        if subscription_id is None:
            return {}
        return set_cancel(tenant, True)
    customer_id = ensure_customer(tenant)
    prices = catalogue_prices()
    wanted = _wanted(plan, addons)
    if subscription_id is None:
        customer = stripe.call(api.customers.retrieve, customer_id)
        if not (customer.get("invoice_settings") or {}).get("default_payment_method"):
            raise Conflict(
                "Add a payment method first (Facturación > Métodos de pago): a paid plan "
                "is charged when it starts.",
                code="payment_method_required",
            )
        subscription = stripe.call(
            api.subscriptions.create,
            params={
                "customer": customer_id,
                "items": [{"price": prices[k]["id"], "quantity": q} for k, q in wanted.items()],
                "payment_behavior": "error_if_incomplete",
                "metadata": {"tenant_id": tenant.tenant_id},
                "expand": ["latest_invoice"],
            },
            key=stripe.idempotency_key("subscribe", customer_id, wanted, billing_of(tenant).get("subscription_id")),
        )  # fmt: skip
        return _after(tenant, subscription)
    current = stripe.call(api.subscriptions.retrieve, subscription_id)
    changes = _item_changes(current, wanted, prices)
    params: dict[str, Any] = {
        "proration_behavior": "always_invoice",
        "payment_behavior": "error_if_incomplete",
        "expand": ["latest_invoice"],
    }
    if changes:
        params["items"] = changes
    if current.get("cancel_at_period_end"):
        params["cancel_at_period_end"] = False  # choosing a paid plan again keeps it
    if len(params) == 3:  # nothing to change
        return _after(tenant, current)
    subscription = stripe.call(
        api.subscriptions.update,
        subscription_id,
        params=params,
        key=stripe.idempotency_key("change", subscription_id, wanted, _state(current)),
    )
    return _after(tenant, subscription)


def set_cancel(tenant: Tenant, cancel: bool) -> dict[str, Any]:
    """Cancel at the end of the paid period, or undo that."""
    stripe.require_configured()
    subscription_id = current_subscription_id(tenant)
    if subscription_id is None:
        raise Conflict("There is no paid subscription: the account is on Free.",
                       code="no_subscription")  # fmt: skip
    api = stripe.client().v1
    current = stripe.call(api.subscriptions.retrieve, subscription_id)
    if bool(current.get("cancel_at_period_end")) == cancel:
        return _after(tenant, current)
    subscription = stripe.call(
        api.subscriptions.update,
        subscription_id,
        params={"cancel_at_period_end": cancel},
        key=stripe.idempotency_key("cancel" if cancel else "resume", subscription_id, _state(current)),
    )  # fmt: skip
    return _after(tenant, subscription)


def preview(tenant: Tenant, plan: str, addons: dict[str, int]) -> dict[str, Any]:
    """What ``change`` would charge today: the prorations (or the first period)."""
    stripe.require_configured()
    addons = _check(tenant, plan, addons)
    subscription_id = current_subscription_id(tenant)
    if plan == "free":
        return {"amount_due": 0, "currency": "usd", "lines": [], "next_payment_at": None}
    customer_id = ensure_customer(tenant)
    prices = catalogue_prices()
    wanted = _wanted(plan, addons)
    api = stripe.client().v1
    params: dict[str, Any] = {"customer": customer_id}
    next_payment_at = None
    if subscription_id is None:
        params["subscription_details"] = {
            "items": [{"price": prices[k]["id"], "quantity": q} for k, q in wanted.items()]
        }
    else:
        current = stripe.call(api.subscriptions.retrieve, subscription_id)
        changes = _item_changes(current, wanted, prices)
        if not changes:
            return {"amount_due": 0, "currency": _currency(prices), "lines": [],
                    "next_payment_at": _period_end(current)}  # fmt: skip
        params["subscription"] = subscription_id
        params["subscription_details"] = {
            "items": changes,
            "proration_behavior": "always_invoice",
        }  # prorated as of Stripe's now, as the change will be
        next_payment_at = _period_end(current)
    invoice = stripe.call(api.invoices.create_preview, params=params)
    return {
        "amount_due": int(invoice.get("amount_due") or 0),
        "currency": invoice.get("currency") or _currency(prices),
        "lines": [_line(line, prices) for line in (invoice.get("lines") or {}).get("data", [])],
        "next_payment_at": next_payment_at,
    }


def _line(line: dict[str, Any], prices: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One line of a preview: Stripe's description, and what it is of ours (a plan's or an
    add-on's id, and how many) so the console can name it in the user's language."""
    price = ((line.get("pricing") or {}).get("price_details") or {}).get("price")
    if isinstance(price, dict):
        price = price.get("id")
    key = next((k for k, found in prices.items() if found["id"] == price), None)
    item = None
    if key:
        item = next((name for name, p in PLANS.items() if p.lookup_key == key), None) or next(
            (name for name, a in ADDONS.items() if a.lookup_key == key), None
        )
    return {
        "description": line.get("description") or "",
        "amount": int(line.get("amount") or 0),
        "proration": bool(
            ((line.get("parent") or {}).get("subscription_item_details") or {}).get("proration")
        ),
        "item": item,
        "quantity": int(line.get("quantity") or 1),
    }


def _currency(prices: dict[str, dict[str, Any]]) -> str:
    return next(iter(prices.values()))["currency"] if prices else "usd"


def _period_end(subscription: dict[str, Any]) -> datetime | None:
    ends = [
        int(item["current_period_end"])
        for item in (subscription.get("items") or {}).get("data", [])
        if item.get("current_period_end")
    ]
    return datetime.fromtimestamp(min(ends), tz=UTC) if ends else None


def subscription_view(tenant: Tenant) -> dict[str, Any] | None:
    """The subscription as mirrored on the tenant (no Stripe call), for GET /v1/billing."""
    billing = billing_of(tenant)
    if not billing.get("subscription_id") or billing.get("status") in ENDED:
        return None
    addons = addons_of(tenant)
    amount, currency = _amount(tenant.plan, addons)
    end = billing.get("current_period_end")
    return {
        "id": billing["subscription_id"],
        "status": billing.get("status") or "active",
        "plan": tenant.plan,
        "addons": {name: int(addons.get(name, 0)) for name in ADDONS},
        "current_period_end": _moment(end),
        "cancel_at_period_end": bool(billing.get("cancel_at_period_end")),
        "amount": amount,
        "currency": currency,
    }


def _moment(value: Any) -> datetime | None:
    """A moment kept as ISO text (or epoch seconds) as a datetime."""
    if not value:
        return None
    if isinstance(value, int | float) or str(value).isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    return datetime.fromisoformat(str(value))


def _amount(plan: str, addons: dict[str, int]) -> tuple[int, str]:
    """The monthly amount of a plan with add-ons, at Stripe's prices (our catalogue's when
    Stripe cannot tell)."""
    try:
        prices = catalogue_prices() if stripe.configured() else None
    except DomainError:  # a display value: our catalogue's amounts serve meanwhile
        prices = None

    def price(key: str | None, fallback: int) -> int:
        return int(prices[key]["amount"]) if prices and key in prices else fallback

    total = price(PLANS[plan].lookup_key, PLANS[plan].amount)
    for name, quantity in addons.items():
        total += quantity * price(ADDONS[name].lookup_key, ADDONS[name].amount)
    return total, (_currency(prices) if prices else "usd")
