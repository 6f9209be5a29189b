"""What ``GET /v1/billing`` shows (docs/billing.md): the plan, its limits and usage, the
subscription as mirrored on the tenant, and the catalogue to choose from. One read of the
tenant; Stripe is asked only for the catalogue's prices (kept 10 minutes per Lambda), and
not at all without keys."""

from __future__ import annotations

from typing import Any

from chalicelib.billing import stripe_client as stripe
from chalicelib.domain.billing.limits import limits_view, over_limit
from chalicelib.domain.billing.plans import ADDONS, CURRENCY, INTERVAL, LIMITS, PLANS
from chalicelib.domain.billing.subscription import catalogue_prices, subscription_view
from chalicelib.domain.billing.sync import is_past_due
from chalicelib.domain.errors import DomainError
from chalicelib.settings import get_settings
from chalicelib.store.accounts import Tenant
from chalicelib.store.billing_state import addons_of, billing_of


def _price(prices: dict[str, Any] | None, key: str | None, amount: int) -> dict[str, Any] | None:
    if key is None:
        return None
    if prices and key in prices:
        found = prices[key]
        return {"amount": found["amount"], "currency": found["currency"],
                "interval": found["interval"]}  # fmt: skip
    return {"amount": amount, "currency": CURRENCY, "interval": INTERVAL}


def catalogue() -> dict[str, Any]:
    prices = None
    if stripe.configured():
        try:
            prices = catalogue_prices()
        except DomainError:  # Stripe down or no catalogue yet: our own amounts meanwhile
            prices = None
    return {
        "plans": [
            {"id": name, "name": plan.name,
             **{limit: plan.limit(limit) for limit in LIMITS},
             "price": _price(prices, plan.lookup_key, plan.amount)}
            for name, plan in PLANS.items()
        ],
        "addons": [
            {"id": name, "name": addon.name,
             "price": _price(prices, addon.lookup_key, addon.amount)}
            for name, addon in ADDONS.items()
        ],
    }  # fmt: skip


def overview(tenant: Tenant) -> dict[str, Any]:
    settings = get_settings()
    configured = stripe.configured()
    billing = billing_of(tenant)
    addons = addons_of(tenant)
    plan = tenant.plan if tenant.plan in PLANS else "free"
    return {
        "configured": configured,
        "publishable_key": settings.stripe_publishable_key if configured else None,
        "stripe_js_url": settings.stripe_js_url if configured else None,
        "plan": plan,
        "plan_name": PLANS[plan].name,
        "addons": {name: int(addons.get(name, 0)) for name in ADDONS},
        "limits": limits_view(tenant),
        "over_limit": over_limit(tenant),
        "subscription": subscription_view(tenant),
        "past_due": is_past_due(tenant),
        "default_payment_method": billing.get("default_payment_method"),
        "catalogue": catalogue(),
    }
