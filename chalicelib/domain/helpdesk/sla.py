"""SLA deadlines (SPEC §5): computed when a ticket opens or reopens, from its channel's
targets (calendar or business minutes), kept on the ticket in ``sla`` and, for the
earliest one still pending, in the sparse Due index (``DUE#sla#<shard>``,
``<due ISO>#<tenant>#<number>``).

Only the sweep moves or removes the Due entry: a reply or a close writes nothing more
than it already does (the reply budget holds); the sweep, finding a deadline due,
reads the ticket and decides: answered or resolved in time (no breach, move on to the
next deadline or leave the index), or breached (marked once, conditionally).

``sla`` on the ticket: ``{"first_response_due", "resolution_due"`` (ISO times),
``"mode"`` (only when "business"), and once breached ``"breaches": {"first_response":
ISO, "resolution": ISO}`` and ``"breached": true``}`` — absent keys keep the ticket small.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.domain.channels.hours import Schedule, deadline
from chalicelib.store import keys
from chalicelib.store.tickets import DUE_KIND as DUE_KIND  # the Due index's, named by the store
from chalicelib.store.tickets import due_keys as due_keys
from chalicelib.store.tickets import due_shard as due_shard


def deadlines(settings: dict[str, Any] | None, opened_at: datetime) -> dict[str, Any]:
    """The ticket's ``sla`` for a channel's settings, opened (or reopened) at ``opened_at``;
    empty when the channel has no targets."""
    settings = settings or {}
    targets = settings.get("sla") or {}
    mode = targets.get("mode") or "calendar"
    schedule = (
        Schedule.from_settings(settings.get("business_hours")) if mode == "business" else None
    )
    sla: dict[str, Any] = {}
    for kind in ("first_response", "resolution"):
        minutes = targets.get(f"{kind}_minutes")
        if minutes:
            sla[f"{kind}_due"] = iso(deadline(schedule, opened_at, int(minutes), mode))  # type: ignore[arg-type]
    if sla and mode != "calendar":
        sla["mode"] = mode
    return sla


def next_due(sla: dict[str, Any], first_response_at: datetime | None = None) -> datetime | None:
    """The earliest deadline still pending (the first response one only until answered)."""
    pending = []
    breaches = sla.get("breaches") or {}
    if (
        sla.get("first_response_due")
        and first_response_at is None
        and "first_response" not in breaches
    ):
        pending.append(sla["first_response_due"])
    if sla.get("resolution_due") and "resolution" not in breaches:
        pending.append(sla["resolution_due"])
    return datetime.fromisoformat(min(pending)) if pending else None


# --- settling a due deadline (the sweep, jobs/sla.py) ------------------------------------------
KINDS = ("first_response", "resolution")
ACTIVE_STATES = ("open", "pending")
#: a merged or escalated ticket left the help desk: its deadlines no longer apply
WITHDRAWN_STATES = ("merged", "escalated")


@dataclass(frozen=True)
class Settlement:
    """What the sweep writes for a ticket found due: the deadlines breached now (none,
    one or both), the ``sla`` with them recorded, and the next pending deadline."""

    breached: tuple[str, ...]
    sla: dict[str, Any]
    next_due: datetime | None


def met_at(
    kind: str, first_response_at: datetime | None, closed_at: datetime | None
) -> datetime | None:
    """When a deadline was met: the first reply (or closing without one) meets the first
    response; closing meets the resolution."""
    if kind == "first_response":
        times = [t for t in (first_response_at, closed_at) if t is not None]
        return min(times) if times else None
    return closed_at


def settle(
    sla: dict[str, Any] | None,
    *,
    status: str,
    first_response_at: datetime | None,
    closed_at: datetime | None,
    at: datetime,
) -> Settlement:
    """Judge a ticket's deadlines at ``at``: each one due and not met in time is breached
    (once: a breach already recorded is never judged again). A closed ticket's late
    close is still a breach; a merged or escalated ticket's deadlines are dropped."""
    sla = dict(sla or {})
    if status in WITHDRAWN_STATES or not sla:
        return Settlement((), sla, None)
    recorded = dict(sla.get("breaches") or {})
    closed = closed_at if status == "closed" else None
    breached = []
    for kind in KINDS:
        due_iso = sla.get(f"{kind}_due")
        if not due_iso or kind in recorded:
            continue
        due = datetime.fromisoformat(due_iso)
        if due > at:
            continue
        met = met_at(kind, first_response_at, closed)
        if met is not None and met <= due:
            continue
        breached.append(kind)
    if breached:
        recorded.update({kind: iso(at) for kind in breached})
        sla.update({"breaches": recorded, "breached": True})
    pending = next_due(sla, first_response_at) if status in ACTIVE_STATES else None
    return Settlement(tuple(breached), sla, pending)


def due_bound(at: datetime) -> str:
    """The highest ``DueSK`` due by ``at``."""
    return keys.due_bound(iso(at))


def time_left(
    sla: dict[str, Any] | None,
    *,
    status: str,
    first_response_at: datetime | None,
    at: datetime,
) -> dict[str, int]:
    """Seconds until each deadline still pending (negative once overdue), for the ticket
    to show; a met, breached or withdrawn deadline is absent."""
    sla = sla or {}
    if status not in ACTIVE_STATES:
        return {}
    breaches = sla.get("breaches") or {}
    left = {}
    for kind in KINDS:
        due_iso = sla.get(f"{kind}_due")
        if not due_iso or kind in breaches:
            continue
        if kind == "first_response" and first_response_at is not None:
            continue
        left[kind] = int((datetime.fromisoformat(due_iso) - at).total_seconds())
    return left
