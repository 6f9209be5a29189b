"""The catalogue (seed 000: Adereso Helpdesk Free, Lite, Pro and their add-ons).

Limits are ours; prices live in Stripe, found by ``lookup_key`` (never by id). The amounts
here are what ``make stripe-catalog`` creates (devstack/stripe_catalog.py) and what
``GET /v1/billing`` shows while Stripe is not configured.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import LimitReached

#: the limits a plan sets and an add-on raises
LIMITS: tuple[str, ...] = ("users", "twitter_accounts", "whatsapp_numbers")
CURRENCY = "usd"
INTERVAL = "month"


@dataclass(frozen=True)
class Plan:
    name: str
    users: int
    twitter_accounts: int
    whatsapp_numbers: int
    product_id: str | None = None  # the Stripe product's id (ours); None: free
    lookup_key: str | None = None  # the Stripe price's lookup_key
    amount: int = 0  # monthly, in cents of CURRENCY

    def limit(self, name: str) -> int:
        return int(getattr(self, name))


@dataclass(frozen=True)
class Addon:
    """One unit raises ``limit`` by one."""

    limit: str
    name: str
    product_id: str
    lookup_key: str
    amount: int


PLANS: dict[str, Plan] = {
    "free": Plan("Adereso Helpdesk Free", users=3, twitter_accounts=1, whatsapp_numbers=1),
    "lite": Plan("Adereso Helpdesk Lite", users=10, twitter_accounts=3, whatsapp_numbers=2,
                 product_id="atiende_lite", lookup_key="atiende_lite_monthly", amount=4900),
    "pro": Plan("Adereso Helpdesk Pro", users=50, twitter_accounts=10, whatsapp_numbers=5,
                product_id="atiende_pro", lookup_key="atiende_pro_monthly", amount=9900),
}  # fmt: skip

ADDONS: dict[str, Addon] = {
    "users": Addon("users", "Extra user", "atiende_extra_user", "atiende_extra_user_monthly",
                   1500),
    "twitter_accounts": Addon("twitter_accounts", "Extra Twitter account",
                              "atiende_extra_twitter_account",
                              "atiende_extra_twitter_account_monthly", 1000),
    "whatsapp_numbers": Addon("whatsapp_numbers", "Extra WhatsApp Business number",
                              "atiende_extra_whatsapp_number",
                              "atiende_extra_whatsapp_number_monthly", 2000),
}  # fmt: skip

PAID_PLANS = tuple(name for name, plan in PLANS.items() if plan.lookup_key)


def lookup_keys() -> list[str]:
    """Every price of the catalogue, by lookup_key."""
    return [p.lookup_key for p in PLANS.values() if p.lookup_key] + [
        a.lookup_key for a in ADDONS.values()
    ]


def plan_of_lookup_key(key: str) -> str | None:
    return next((name for name, p in PLANS.items() if p.lookup_key == key), None)


def addon_of_lookup_key(key: str) -> str | None:
    return next((name for name, a in ADDONS.items() if a.lookup_key == key), None)


def allowed(plan: str, addons: dict[str, int] | None, limit: str) -> int:
    """The plan's limit plus its add-ons."""
    return PLANS.get(plan, PLANS["free"]).limit(limit) + int((addons or {}).get(limit, 0))


# what a channel type counts against: its descriptor's ``plan_limit`` (channels/registry.py)
_NAMES = {"twitter_accounts": "Twitter accounts", "whatsapp_numbers": "WhatsApp numbers",
          "users": "users"}  # fmt: skip
_ADDONS = {"twitter_accounts": "extra Twitter accounts", "whatsapp_numbers":
           "WhatsApp Business numbers", "users": "extra users"}  # fmt: skip


def limit_reached(plan: str, limit: str, in_use: int, extra: int = 0) -> LimitReached:
    """The refusal naming the limit, the plan and the add-on that lifts it."""
    allowed_now = PLANS[plan].limit(limit) + extra
    return LimitReached(
        f"Your {PLANS[plan].name} plan allows {allowed_now} {_NAMES[limit]}. Upgrade your plan "
        f"or add {_ADDONS[limit]} in Billing to add more.",
        code="plan_limit",
        details={"limit": limit, "allowed": allowed_now, "in_use": in_use, "plan": plan,
                 "addon": limit},
    )  # fmt: skip
