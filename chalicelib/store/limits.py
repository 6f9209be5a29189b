"""The Tenant's usage counters as plan limits read them, and the conditions that keep a
creation within its limit (domain/billing/limits.py says what counts and decides).

Every change goes inside the transaction that creates or removes the thing counted, as
one UpdateItem of the Tenant (DynamoDB takes one operation per item in a transaction, so
the account summary's own counters ride in the same update).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.store import keys
from chalicelib.store.accounts import Tenant
from chalicelib.store.base import TransactItem, condition_failed, failed_conditions, lost_race

SEATS = "seats"


@dataclass(frozen=True)
class Room:
    """What one more of a limit was decided on: the plan and the add-on units as read and
    the counters that share the limit. ``below``: each counter must still hold the value
    read (``counters``) -- or, for a single counter, only stay under ``below``."""

    plan: str
    addon: str
    units: int
    counters: dict[str, int] = field(default_factory=dict)
    below: int | None = None


def _unchanged(path: Any, value: int) -> Any:
    return (path.does_not_exist() | (path == 0)) if value == 0 else (path == value)


def _condition(room: Room) -> Any:
    condition = Tenant.PK.exists()
    if room.plan == "free":  # the model's default: an item may not hold it
        condition &= Tenant.plan.does_not_exist() | (Tenant.plan == "free")
    else:
        condition &= Tenant.plan == room.plan
    condition &= _unchanged(Tenant.addons[room.addon], room.units)
    if room.below is not None:
        (counter,) = room.counters
        condition &= Tenant.counts[counter] < room.below  # absent: false, as meant
    else:
        for counter, value in room.counters.items():
            condition &= _unchanged(Tenant.counts[counter], value)
    return condition


def count_within(tenant_id: str, changes: dict[str, int], room: Room) -> TransactItem:
    """The Tenant's counters move by ``changes`` on condition the room read is still there:
    plan and add-on as read, and the limit's counters as ``room`` says."""

    def add(write: Any) -> None:
        write.update(
            Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()),
            actions=[Tenant.counts[name].add(delta) for name, delta in changes.items()],
            condition=_condition(room),
        )

    return add


def count_change(tenant_id: str, changes: dict[str, int], *, seats_known: bool) -> TransactItem:
    """The Tenant's counters move by ``changes`` with no limit to keep; ``seats_known``:
    on condition the seats counter exists (a tenant written before it counts it first)."""

    def add(write: Any) -> None:
        condition = Tenant.PK.exists()
        if seats_known:
            condition &= Tenant.counts[SEATS].exists()
        write.update(
            Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()),
            actions=[Tenant.counts[name].add(delta) for name, delta in changes.items()],
            condition=condition,
        )

    return add


def set_seats_once(tenant_id: str, seats: int) -> bool:
    """Store the seats counted for a tenant written before the counter; False when another
    writer stored it first (read it again: that one holds)."""
    try:
        Tenant(keys.tenant_pk(tenant_id), keys.tenant_sk()).update_only(
            actions=[Tenant.counts[SEATS].set(seats)],
            condition=Tenant.PK.exists() & Tenant.counts[SEATS].does_not_exist(),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def tenant_key(tenant_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), keys.tenant_sk()


def tenant_lost(write: Any, error: Exception, tenant_id: str) -> bool:
    """Whether a cancelled transaction lost on the Tenant: its condition failed (the room
    read is gone, or its seats were not counted yet), or -- no condition failing -- a
    concurrent transaction held an item. Read the tenant again and decide again."""
    failed = failed_conditions(write, error)
    return tenant_key(tenant_id) in failed or (not failed and lost_race(error))
