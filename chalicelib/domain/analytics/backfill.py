"""Rebuild a tenant's counters from its tickets and orders (docs/analytics.md "Backfill"),
for what happened before the counters were kept.

Every ticket is one Query of its partition (the ticket and its messages); every order one
Query of its (the order, its payments and history). From them the backfill makes the
events the stream would have counted, under the same keys, and records each once
(``counting.record``): run twice, or over events the stream counted already, it adds
nothing. What a ticket no longer says is not invented: of a ticket reopened more than
once, only its first close and its last reopening are known.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.analytics import counting
from chalicelib.domain.analytics.counting import Event
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import Item
from chalicelib.store.helpdesk import Message, Ticket, TicketCounter
from chalicelib.store.order_models import Order, OrderCounter, OrderHistory


@dataclass
class Backfilled:
    """What one run did: events found, and those newly counted (the rest were counted)."""

    tickets: int = 0
    orders: int = 0
    events: int = 0
    counted: int = 0


def backfill(tenant_id: str) -> Backfilled:
    """Count every event of the tenant's tickets and orders not counted yet."""
    zone = counting.timezone_of_tenant(tenant_id)
    done = Backfilled()
    for event in _all_events(tenant_id, done):
        done.events += 1
        done.counted += counting.record(tenant_id, event, zone)
    return done


def _all_events(tenant_id: str, done: Backfilled) -> Iterator[Event]:
    tickets = get_or_none(TicketCounter, keys.tenant_pk(tenant_id), keys.ticket_counter_sk(),
                          consistent=True)  # fmt: skip
    for number in range(1, int(tickets.last) + 1 if tickets else 1):
        items: list[Any] = list(
            Item.query(keys.ticket_pk(tenant_id, number))
        )  # the ticket, its messages
        ticket = next((i for i in items if isinstance(i, Ticket)), None)
        if ticket is None:
            continue
        done.tickets += 1
        yield from ticket_history(ticket)
        for message in items:
            if isinstance(message, Message):
                yield from counting.message_events(message)
    orders = get_or_none(OrderCounter, keys.tenant_pk(tenant_id), keys.order_counter_sk(),
                         consistent=True)  # fmt: skip
    for number in range(1, int(orders.last) + 1 if orders else 1):
        entries: list[Any] = list(Item.query(keys.order_pk(tenant_id, number)))
        order = next((i for i in entries if isinstance(i, Order)), None)
        done.orders += 1 if order is not None else 0
        for entry in entries:
            if isinstance(entry, OrderHistory):
                yield from counting.order_events(entry, order)


def ticket_history(ticket: Ticket) -> Iterator[Event]:
    """The events of a ticket's life as its item tells them, keyed as the stream keys them."""
    schedule = counting.schedule_of_channel(ticket.tenant_id, ticket.channel_id)

    def hours() -> Any:
        return schedule

    seen: set[str] = set()
    events: list[Event] = []
    if ticket.reopened_at:
        first = _as_first_opening(ticket)
        events += counting.ticket_events(first, None, hours)
        events.append(counting.reopened_event(ticket, first, hours()))
    events += counting.ticket_events(ticket, None, hours)
    for event in events:
        if event.key not in seen:
            seen.add(event.key)
            yield event


def _as_first_opening(ticket: Ticket) -> Any:
    """The ticket as it was at its first close (what a reopening kept of it)."""
    return _Snapshot(
        tenant_id=ticket.tenant_id, number=int(ticket.number), channel_id=ticket.channel_id,
        assignee_id=ticket.assignee_id, created_at=ticket.created_at,
        status="closed" if ticket.first_closed_at else "open",
        closed_at=ticket.first_closed_at, first_response_at=ticket.first_fr,
        reopened_at=None, reopens=0, sla={}, sentiment_start=ticket.sentiment_start,
        sentiment_end=ticket.sentiment_end, last_activity_at=ticket.first_closed_at,
    )  # fmt: skip


@dataclass(frozen=True)
class _Snapshot:
    tenant_id: str
    number: int
    channel_id: str
    assignee_id: str | None
    created_at: Any
    status: str
    closed_at: Any
    first_response_at: Any
    reopened_at: Any
    reopens: int
    sla: dict[str, Any]
    sentiment_start: str
    sentiment_end: str
    last_activity_at: Any
