"""A ticket's durations and the day an event counts on (docs/analytics.md "Definitions").

The counters, the reports and the backfill all call these, so the dashboard and the
exports give the same numbers: each duration in calendar seconds and in business
seconds of the ticket's channel's hours, each event on the tenant's local date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import timezone_of
from chalicelib.domain.channels.hours import Schedule, business_minutes_between

ALWAYS_OPEN = Schedule(always_open=True)

#: the durations a ticket has, by metric name (the counters' and the reports' names)
METRICS = ("first_response", "first_resolution", "full_resolution")
CLOCKS = ("calendar", "business")


@dataclass(frozen=True)
class Duration:
    """One duration, in calendar seconds and in the business seconds of a schedule."""

    calendar: float
    business: float


def schedule_of(channel_settings: dict[str, Any] | None) -> Schedule:
    """The business hours of a channel (always open without any: business time is then
    calendar time)."""
    hours = (channel_settings or {}).get("business_hours")
    return Schedule.from_settings(hours) if hours else ALWAYS_OPEN


def between(schedule: Schedule, start: datetime, end: datetime) -> Duration:
    """From ``start`` to ``end`` (never negative: clocks of two writers may disagree by
    milliseconds)."""
    calendar = max(0.0, (end - start).total_seconds())
    business = max(0.0, business_minutes_between(schedule, start, end) * 60)
    return Duration(round(calendar, 3), round(business, 3))


def local_day(at: datetime, timezone: str | None) -> str:
    """The tenant's local date of an instant, ``YYYY-MM-DD`` (DST included)."""
    return at.astimezone(timezone_of(timezone)).date().isoformat()


def local_time(at: datetime | None, timezone: str | None) -> str:
    """An instant as the reports show it: ``YYYY-MM-DD HH:MM`` in the tenant's time."""
    if at is None:
        return ""
    return at.astimezone(timezone_of(timezone)).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class TicketDurations:
    """What a ticket took, as its item says now (None: not yet, or never)."""

    first_response: Duration | None  # its first opening's
    first_response_reopened: Duration | None  # its latest reopening's
    first_resolution: Duration | None
    full_resolution: Duration | None


def first_response_of(ticket: Any, schedule: Schedule) -> Duration | None:
    """The first opening's first response: kept in ``first_fr`` once reopened."""
    answered = ticket.first_fr or (ticket.first_response_at if not ticket.reopened_at else None)
    return between(schedule, ticket.created_at, answered) if answered else None


def reopened_response_of(ticket: Any, schedule: Schedule) -> Duration | None:
    """The latest reopening's first response (None when never reopened, or unanswered)."""
    if ticket.reopened_at and ticket.first_response_at:
        return between(schedule, ticket.reopened_at, ticket.first_response_at)
    return None


def durations(ticket: Any, schedule: Schedule) -> TicketDurations:
    """Every duration of a ticket (a ``store.helpdesk.Ticket``)."""
    closed = ticket.closed_at if ticket.status == "closed" else None
    first_close = ticket.first_closed_at or closed
    return TicketDurations(
        first_response=first_response_of(ticket, schedule),
        first_response_reopened=reopened_response_of(ticket, schedule),
        first_resolution=between(schedule, ticket.created_at, first_close) if first_close else None,
        full_resolution=between(schedule, ticket.created_at, closed) if closed else None,
    )


def sla_outcome(ticket: Any, kind: str) -> str | None:
    """``met``, ``breached`` or None (no such target, or not settled yet) for one SLA
    target of a ticket's current opening (domain/helpdesk/sla.py)."""
    sla = ticket.sla or {}
    due_iso = sla.get(f"{kind}_due")
    if not due_iso:
        return None
    if kind in (sla.get("breaches") or {}):
        return "breached"
    due = datetime.fromisoformat(due_iso)
    if kind == "first_response":
        done = ticket.first_response_at or (ticket.closed_at if ticket.status == "closed" else None)
    else:
        done = ticket.closed_at if ticket.status == "closed" else None
    if done is None:
        return None
    return "met" if done <= due else None  # late: the sweep records the breach
