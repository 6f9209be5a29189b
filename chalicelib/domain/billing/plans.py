"""The plans catalogue (seed 000: Adereso Helpdesk Free, Lite, Pro) and its limits."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import LimitReached


@dataclass(frozen=True)
class Plan:
    name: str
    users: int
    twitter_accounts: int
    whatsapp_numbers: int


PLANS: dict[str, Plan] = {
    "free": Plan("Adereso Helpdesk Free", users=3, twitter_accounts=1, whatsapp_numbers=1),
    "lite": Plan("Adereso Helpdesk Lite", users=10, twitter_accounts=3, whatsapp_numbers=2),
    "pro": Plan("Adereso Helpdesk Pro", users=50, twitter_accounts=10, whatsapp_numbers=5),
}

# what a channel type counts against: its descriptor's ``plan_limit`` (channels/registry.py)
_NAMES = {"twitter_accounts": "Twitter accounts", "whatsapp_numbers": "WhatsApp numbers",
          "users": "users"}  # fmt: skip
_ADDONS = {"twitter_accounts": "extra Twitter accounts", "whatsapp_numbers":
           "WhatsApp Business numbers", "users": "extra users"}  # fmt: skip


def check_limit(plan: str, limit: str, in_use: int, extra: int = 0) -> None:
    """Refuse (``LimitReached``) naming the limit and how to lift it when one more would
    exceed it."""
    allowed = getattr(PLANS[plan], limit) + extra
    if in_use + 1 > allowed:
        raise LimitReached(
            f"Your {PLANS[plan].name} plan allows {allowed} {_NAMES[limit]}. Upgrade your plan "
            f"or add {_ADDONS[limit]} in Billing to connect more.",
            code="plan_limit",
            details={"limit": limit, "allowed": allowed, "in_use": in_use, "plan": plan},
        )
