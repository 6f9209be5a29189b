"""Reads tests use to look at what ingest stored (by key, never by scanning)."""

from __future__ import annotations

from chalicelib.domain.helpdesk.timeline import all_messages
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.helpdesk import Message, Ticket, TicketCounter


def tickets_of(tenant_id: str) -> list[Ticket]:
    """Every ticket of a tenant, by number (1 .. the counter)."""
    counter = get_or_none(TicketCounter, keys.tenant_pk(tenant_id), keys.ticket_counter_sk())
    found = []
    for number in range(1, int(counter.last) + 1 if counter else 1):
        ticket = get_or_none(Ticket, keys.ticket_pk(tenant_id, number), keys.ticket_sk())
        if ticket is not None:
            found.append(ticket)
    return found


def open_tickets(tenant_id: str) -> list[Ticket]:
    return [t for t in tickets_of(tenant_id) if t.status in ("open", "pending")]


def messages_of(tenant_id: str, number: int = 1) -> list[Message]:
    return all_messages(tenant_id, number)
