"""Plan limits (docs/billing.md, "Limits"): what a tenant may have, what it has, and the
conditional writes that keep the one within the other.

A limit is the plan's plus its add-ons (:func:`plans.allowed`). What is in use is read from
the Tenant's counters, never counted from the items:

- ``users``: the staff users, every role but ``account_contact`` -- invited, active or
  deactivated (a deactivated user keeps the seat until deleted, as in most help desks).
  An account contact with portal access is a user (``counts["users"]``, the account
  summary's) but takes no seat. Counter ``counts["seats"]``: +1 in the transaction that
  creates a staff user (an invitation; signup's first admin), -1 in the one that deletes
  one, moved when a role changes to or from ``account_contact``.
- ``twitter_accounts``: connected ``twitter`` and ``twitter_search`` channels;
  ``whatsapp_numbers``: connected ``whatsapp`` channels (``counts["channels:<type>"]``,
  kept by domain/channels/service.py; the registry's ``plan_limit`` says which types).

Never count then write: one more of a limit is a condition of the transaction that creates
it (store/limits.py). For seats, ``seats < allowed``; for channels, the counters sharing the
limit still hold the values read (their sum was under the limit); for both, the plan and
the limit's add-on units still as read. When that condition fails the tenant is read again
once and the decision taken again: 402 when full, else the write is tried once more.

A tenant written before the seats counter has no ``seats``: the first thing that needs it
counts the tenant's staff users once (one Query of its users) and stores the number on
condition it is still absent, then goes on (when another writer stored it first, theirs
holds). Every seat change is conditioned on the counter existing, so none can happen
between that count and its storing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.channels.registry import sharing_limit
from chalicelib.domain.billing.plans import LIMITS, PLANS, allowed, limit_reached
from chalicelib.domain.errors import Conflict, LimitReached
from chalicelib.store import keys
from chalicelib.store.accounts import Tenant, User
from chalicelib.store.base import LostRace, TransactItem
from chalicelib.store.limits import SEATS, Room, count_change, count_within, set_seats_once

T = TypeVar("T")

#: the roles that take no seat: the customer company's own people on the portal
SEATLESS_ROLES = frozenset({"account_contact"})


def takes_seat(role: str) -> bool:
    """Whether a user of this role counts against the ``users`` limit."""
    return role not in SEATLESS_ROLES


def counters_of(limit: str) -> tuple[str, ...]:
    """The Tenant counters (``counts[...]``) whose sum is what ``limit`` counts."""
    if limit == "users":
        return (SEATS,)
    return tuple(f"channels:{channel_type}" for channel_type in sharing_limit(limit))


def _as_dict(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if hasattr(value, "as_dict"):
        return dict(value.as_dict())
    return dict(value)


def plan_of(tenant: Tenant) -> str:
    plan = tenant.plan or "free"
    return plan if plan in PLANS else "free"


def addons_of(tenant: Tenant) -> dict[str, int]:
    """The tenant's add-on units by limit (0 for those it has none of)."""
    found = _as_dict(tenant.addons)
    return {limit: int(found.get(limit) or 0) for limit in LIMITS}


def read_tenant(tenant_id: str, *, consistent: bool = False) -> Tenant:
    return Tenant.get(keys.tenant_pk(tenant_id), keys.tenant_sk(), consistent_read=consistent)


def count_staff(tenant_id: str) -> int:
    """The tenant's staff users, counted from its items (one Query): only for a tenant
    written before the seats counter."""
    found = User.query(
        keys.tenant_pk(tenant_id), User.SK.startswith(keys.users_prefix()), consistent_read=True
    )
    return sum(1 for user in found if takes_seat(user.role))


def with_seats(tenant: Tenant) -> Tenant:
    """The tenant with its seats counter: counted and stored once if it had none."""
    counts = _as_dict(tenant.counts)
    if SEATS in counts:
        return tenant
    counted = count_staff(tenant.tenant_id)
    if not set_seats_once(tenant.tenant_id, counted):  # another writer stored it first
        return read_tenant(tenant.tenant_id, consistent=True)
    tenant.counts = {**counts, SEATS: counted}
    return tenant


def usage(tenant: Tenant) -> dict[str, int]:
    """What the tenant has of each limit, from its counters."""
    counts = _as_dict(with_seats(tenant).counts)
    return {
        limit: sum(max(0, int(counts.get(counter) or 0)) for counter in counters_of(limit))
        for limit in LIMITS
    }


def limits_view(tenant: Tenant) -> dict[str, dict[str, int]]:
    """Each limit as ``GET /v1/billing`` shows it: the plan's, the add-ons', the sum and
    what is in use."""
    plan, addons, used = plan_of(tenant), addons_of(tenant), usage(tenant)
    return {
        limit: {
            "plan": PLANS[plan].limit(limit),
            "addons": addons[limit],
            "allowed": allowed(plan, addons, limit),
            "in_use": used[limit],
        }
        for limit in LIMITS
    }


def over_limit(
    tenant: Tenant, plan: str | None = None, addons: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """What is in use above ``plan`` and ``addons`` (the tenant's own when not given), and
    how many to remove: a downgrade below it is refused; a tenant fallen back to Free is
    told what to remove."""
    plan = plan or plan_of(tenant)
    addons = addons_of(tenant) if addons is None else addons
    used = usage(tenant)
    found = []
    for limit in LIMITS:
        allowed_then = allowed(plan, addons, limit)
        if used[limit] > allowed_then:
            found.append({"limit": limit, "allowed": allowed_then, "in_use": used[limit],
                          "remove": used[limit] - allowed_then})  # fmt: skip
    return found


# --- enforcement ---------------------------------------------------------------------------
def refusal(tenant: Tenant, limit: str, in_use: int) -> LimitReached:
    """402 ``plan_limit`` naming the limit, the plan and the add-on that lifts it."""
    return limit_reached(plan_of(tenant), limit, in_use, addons_of(tenant)[limit])


def _room(tenant: Tenant, limit: str) -> Room:
    """The room for one more of ``limit`` as read; 402 when there is none."""
    counts = _as_dict(tenant.counts)
    plan, addons = plan_of(tenant), addons_of(tenant)
    held = {counter: max(0, int(counts.get(counter) or 0)) for counter in counters_of(limit)}
    in_use, allowed_now = sum(held.values()), allowed(plan, addons, limit)
    if in_use >= allowed_now:
        raise refusal(tenant, limit, in_use)
    if limit == "users":  # seats only need to stay under the limit
        return Room(plan, limit, addons[limit], held, below=allowed_now)
    return Room(plan, limit, addons[limit], held)


def check_room(tenant: Tenant, limit: str | None) -> None:
    """402 now when there is no room for one more (before asking a provider for anything);
    the creating write's condition still decides."""
    if limit:
        _room(with_seats(tenant) if limit == "users" else tenant, limit)


def one_more(
    tenant: Tenant,
    limit: str,
    changes: dict[str, int],
    attempt: Callable[[TransactItem], T],
) -> T:
    """Create one more of ``limit`` within it: ``attempt(claim)`` runs the creating
    transaction with ``claim`` in it (the Tenant's counters moved by ``changes``, on
    condition the room read is still there) and raises ``LostRace`` when the Tenant's
    condition failed. Then the tenant is read again once and the decision taken again."""
    for last in (False, True):
        if limit == "users":
            tenant = with_seats(tenant)
        claim = count_within(tenant.tenant_id, changes, _room(tenant, limit))
        try:
            return attempt(claim)
        except LostRace:
            if last:
                break
            tenant = read_tenant(tenant.tenant_id, consistent=True)
    raise Conflict(
        "The account changed while this was being saved; try again.", code="changed_meanwhile"
    )


def seats_change(
    tenant_id: str, changes: dict[str, int], attempt: Callable[[TransactItem], T]
) -> T:
    """Move the Tenant's counters by ``changes`` (``seats`` among them) with no limit to keep
    -- a seat given back: ``attempt(item)`` runs the transaction with ``item`` in it and
    raises ``LostRace`` when the Tenant's condition failed (a tenant whose seats were not
    counted yet: they are, and the write is tried once more)."""
    try:
        return attempt(count_change(tenant_id, changes, seats_known=True))
    except LostRace:
        with_seats(read_tenant(tenant_id, consistent=True))
    try:
        return attempt(count_change(tenant_id, changes, seats_known=True))
    except LostRace:
        raise Conflict(
            "The account changed while this was being saved; try again.",
            code="changed_meanwhile",
        ) from None
