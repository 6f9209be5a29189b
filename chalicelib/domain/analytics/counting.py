"""What each change of the table counts (docs/analytics.md "Definitions" and "The counter
model"), and its one write into the counters.

The table's stream consumer (jobs/effects.py) hands every Ticket, Message and
OrderHistory change here. Each counted thing is an :class:`Event` named by what it is
(the message's key, the ticket's number and the instant of the change), so a record
handled twice finds the event's mark and adds nothing (``store.analytics.count_once``).
The backfill (domain/analytics/backfill.py) makes the same events from the items as they
are, under the same keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.clock import iso
from chalicelib.domain.analytics import histogram
from chalicelib.domain.analytics.metrics import Duration, between, local_day, schedule_of
from chalicelib.domain.channels.hours import Schedule
from chalicelib.store import analytics as store
from chalicelib.store.analytics import Bump, Counted, ReportIndex

ALL = "all"
#: the counters' names of the durations are short (``frtc_n``, ``frtc_s``, ``frtc17``: a
#: day's item carries up to 6 x 93 of them, and its size is what a read costs)
SHORT = {"first_response": "frt", "first_resolution": "fst", "full_resolution": "res"}
CLOCK_SHORT = {"calendar": "c", "business": "b"}


def prefix(metric: str, clock: str) -> str:
    """The counters' prefix of one duration in one clock (``frtc``)."""
    return f"{SHORT[metric]}{CLOCK_SHORT[clock]}"


def count_name(duration_prefix: str) -> str:
    return f"{duration_prefix}_n"


def sum_name(duration_prefix: str) -> str:
    return f"{duration_prefix}_s"


def bucket_name(duration_prefix: str, index: int) -> str:
    return f"{duration_prefix}{index}"


SENTIMENTS = ("happy", "neutral", "angry")
SLA_KINDS = ("first_response", "resolution")


def channel_series(channel_id: str) -> str:
    return f"ch:{channel_id}"


def agent_series(user_id: str) -> str:
    return f"ag:{user_id}"


@dataclass(frozen=True)
class Part:
    """Numbers counted on the day of ``at``, for the whole account, the channel and the
    agent (each when known)."""

    at: datetime
    channel_id: str | None
    agent_id: str | None
    adds: dict[str, float]


@dataclass(frozen=True)
class Event:
    """One counted thing: its key (its mark), its parts, and report index entries to write
    with it (by kind: ``tickets`` or ``payments``, with their number and payment id)."""

    key: str
    parts: tuple[Part, ...]
    index: tuple[tuple[str, datetime, int, str | None], ...] = field(default_factory=tuple)


def duration_adds(metric: str, duration: Duration, sign: int = 1) -> dict[str, float]:
    """A duration's count, sum and histogram bucket, in both clocks (``sign`` -1 takes a
    count back)."""
    adds: dict[str, float] = {}
    for clock, seconds in (("calendar", duration.calendar), ("business", duration.business)):
        name = prefix(metric, clock)
        adds[count_name(name)] = sign
        adds[sum_name(name)] = sign * seconds
        adds[bucket_name(name, histogram.bucket_of(seconds))] = sign
    return adds


# --- from a change of the table ----------------------------------------------------------------
ALWAYS = schedule_of(None)  # no business hours: business time is calendar time


def message_events(message: Any) -> Iterator[Event]:
    """A message stored (not a merge's copy): in from a client, out from a person, a bot or
    an auto-reply."""
    if message.merged_from is not None:
        return
    if message.direction == "in":
        if message.reaction:
            return  # a reaction is no message (docs/analytics.md)
        adds, agent = {"msgs_in": 1.0}, None
    else:
        author = message.author_id or ""
        if not author:
            adds, agent = {"auto_out": 1.0}, None
        elif author.startswith("bot:"):
            adds, agent = {"bot_out": 1.0}, None
        else:
            adds, agent = {"msgs_out": 1.0}, author
    key = f"msg#{int(message.ticket_number)}#{message.message_id}"
    yield Event(key, (Part(message.sent_at, message.channel_id, agent, adds),))


def ticket_events(
    new: Any, old: Any | None, schedule: Callable[[], Schedule] | None = None
) -> Iterator[Event]:
    """A ticket created or changed: opened, first response, closed, reopened, SLA breached.
    ``schedule`` gives the channel's business hours (asked only when a duration counts)."""
    number = int(new.number)
    channel = new.channel_id

    def hours() -> Schedule:
        return schedule() if schedule is not None else ALWAYS

    if old is None:
        yield Event(f"open#{number}",
                    (Part(new.created_at, channel, new.assignee_id, {"opened": 1.0}),),
                    (("tickets", new.created_at, number, None),))  # fmt: skip
    old_fr = old.first_response_at if old is not None else None
    if new.first_response_at and not old_fr:
        yield _first_response(new, hours())
    was = old.status if old is not None else None
    if new.status == "closed" and was != "closed" and new.closed_at:
        yield _closed(new, hours())
    if was == "closed" and new.status in ("open", "pending") and old is not None:
        yield reopened_event(new, old, hours())
    before = ((old.sla or {}).get("breaches") or {}) if old is not None else {}
    for kind, at_iso in ((new.sla or {}).get("breaches") or {}).items():
        if kind not in before:
            at = datetime.fromisoformat(at_iso)
            yield Event(f"breach#{number}#{kind}#{at_iso}",
                        (Part(at, channel, new.assignee_id, {f"sla_{kind}_breached": 1.0}),))  # fmt: skip


def _first_response(ticket: Any, hours: Schedule) -> Event:
    answered = ticket.first_response_at
    start = ticket.reopened_at or ticket.created_at
    adds = duration_adds("first_response", between(hours, start, answered))
    sla = ticket.sla or {}
    due = sla.get("first_response_due")
    breached = "first_response" in (sla.get("breaches") or {})
    if due and not breached and answered <= datetime.fromisoformat(due):
        adds["sla_first_response_met"] = 1.0
    return Event(f"frt#{int(ticket.number)}#{iso(answered)}",
                 (Part(answered, ticket.channel_id, ticket.assignee_id, adds),))  # fmt: skip


def _closed(ticket: Any, hours: Schedule) -> Event:
    closed = ticket.closed_at
    adds: dict[str, float] = {"closed": 1.0}
    full = between(hours, ticket.created_at, closed)
    adds.update(duration_adds("full_resolution", full))
    if not ticket.reopens:  # its first close
        adds.update(duration_adds("first_resolution", full))
    adds[f"sent_start_{ticket.sentiment_start}"] = 1.0
    adds[f"sent_end_{ticket.sentiment_end}"] = 1.0
    sla = ticket.sla or {}
    breaches = sla.get("breaches") or {}
    for kind in SLA_KINDS:
        due = sla.get(f"{kind}_due")
        if not due or kind in breaches or closed > datetime.fromisoformat(due):
            continue
        if kind == "first_response" and ticket.first_response_at is not None:
            continue  # met (or not) when it was answered
        adds[f"sla_{kind}_met"] = 1.0
    return Event(f"close#{int(ticket.number)}#{iso(closed)}",
                 (Part(closed, ticket.channel_id, ticket.assignee_id, adds),))  # fmt: skip


def reopened_event(new: Any, old: Any, hours: Schedule) -> Event:
    """Reopened: counted on its day; the earlier close's full resolution and sentiment are
    taken back from that close's day (the next close counts them again)."""
    at = new.reopened_at or new.last_activity_at
    parts = [Part(at, new.channel_id, new.assignee_id, {"reopened": 1.0})]
    if old.closed_at:
        back = duration_adds("full_resolution", between(hours, old.created_at, old.closed_at), -1)
        back[f"sent_start_{old.sentiment_start}"] = -1.0
        back[f"sent_end_{old.sentiment_end}"] = -1.0
        parts.append(Part(old.closed_at, old.channel_id, old.assignee_id, back))
    return Event(f"reopen#{int(new.number)}#{iso(at)}", tuple(parts))


def order_events(entry: Any, order: Any | None) -> Iterator[Event]:
    """An order created, a payment recorded (its history entry); ``order`` as it is now."""
    number = int(entry.order_number)
    channel = order.channel_id if order is not None else None
    if entry.what == "order.created":
        agent = order.agent_id if order is not None else entry.actor_id
        yield Event(f"order#{number}", (Part(entry.at, channel, agent, {"orders": 1.0}),))
    elif entry.what == "payment.recorded" and entry.payment_id:
        agent = order.agent_id if order is not None else None
        yield Event(f"pay#{number}#{entry.payment_id}",
                    (Part(entry.at, channel, agent, {"payments": 1.0}),),
                    (("payments", entry.at, number, entry.payment_id),))  # fmt: skip


# --- writing ----------------------------------------------------------------------------------
def record(tenant_id: str, event: Event, timezone: str | None) -> bool:
    """Add one event to the counters (and its index entries) at most once: False when it
    was counted before."""
    bumps: list[Bump] = []
    for part in event.parts:
        day = local_day(part.at, timezone)
        for series in _series(part):
            bumps.append(Bump(series, day, part.adds))
    index: list[ReportIndex] = []
    for kind, at, number, payment_id in event.index:
        day = local_day(at, timezone)
        if kind == "tickets":
            index.append(store.ticket_entry(tenant_id, day, number))
        else:
            index.append(store.payment_entry(tenant_id, day, number, payment_id or ""))
    return store.count_once(Counted(tenant_id, event.key, _merged(bumps), tuple(index)))


def _series(part: Part) -> list[str]:
    series = [ALL]
    if part.channel_id:
        series.append(channel_series(part.channel_id))
    if part.agent_id:
        series.append(agent_series(part.agent_id))
    return series


def _merged(bumps: list[Bump]) -> list[Bump]:
    """One update per (series, day): a transaction may not touch an item twice."""
    merged: dict[tuple[str, str], dict[str, float]] = {}
    for bump in bumps:
        adds = merged.setdefault((bump.series, bump.day), {})
        for name, value in bump.adds.items():
            adds[name] = adds.get(name, 0) + value
    return [Bump(series, day, adds) for (series, day), adds in merged.items()]


# --- what the consumer reads: the tenant's timezone and a channel's hours ----------------------
#: a process trusts what it read of a tenant's timezone or a channel's hours this long
#: (a change made meanwhile counts from the next read on)
CACHE_SECONDS = 60.0
_timezones: dict[str, tuple[float, str | None]] = {}
_schedules: dict[tuple[str, str], tuple[float, Schedule]] = {}


def timezone_of_tenant(tenant_id: str) -> str | None:
    """The tenant's timezone (cached for a minute)."""
    cached = _timezones.get(tenant_id)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    from chalicelib.store import keys
    from chalicelib.store.accounts import Tenant, get_or_none

    tenant = get_or_none(Tenant, keys.tenant_pk(tenant_id), keys.tenant_sk())
    zone = tenant.timezone if tenant is not None else None
    _timezones[tenant_id] = (time.monotonic(), zone)
    return zone


def schedule_of_channel(tenant_id: str, channel_id: str) -> Schedule:
    """A channel's business hours (cached for a minute; always open when it is gone)."""
    cached = _schedules.get((tenant_id, channel_id))
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    from chalicelib.store import keys
    from chalicelib.store.accounts import get_or_none
    from chalicelib.store.channels import Channel

    channel = get_or_none(Channel, keys.tenant_pk(tenant_id), keys.channel_sk(channel_id))
    schedule = schedule_of(channel.settings if channel is not None else None)
    _schedules[(tenant_id, channel_id)] = (time.monotonic(), schedule)
    return schedule


def forget_cached() -> None:
    """Tests: read timezones and hours again."""
    _timezones.clear()
    _schedules.clear()


def count_change(new: Any, old: Any | None) -> int:
    """Count what one change of the table counts (the stream consumer's entry); the number
    of events newly counted."""
    from chalicelib.store.helpdesk import Message, Ticket
    from chalicelib.store.order_models import OrderHistory

    if isinstance(new, Message):
        if old is not None:
            return 0
        events = list(message_events(new))
    elif isinstance(new, Ticket):
        events = list(
            ticket_events(new, old, lambda: schedule_of_channel(new.tenant_id, new.channel_id))
        )
    elif isinstance(new, OrderHistory) and old is None:
        events = list(order_events(new, _order_of(new)))
    else:
        return 0
    if not events:
        return 0
    zone = timezone_of_tenant(new.tenant_id)
    return sum(record(new.tenant_id, event, zone) for event in events)


def _order_of(entry: Any) -> Any | None:
    if entry.what not in ("order.created", "payment.recorded"):
        return None
    from chalicelib.store import keys
    from chalicelib.store.accounts import get_or_none
    from chalicelib.store.order_models import Order

    return get_or_none(
        Order, keys.order_pk(entry.tenant_id, int(entry.order_number)), keys.order_sk()
    )
