"""The help desk (SPEC §4): a column page, a ticket view, searches and a reply — each
against its budget (tests/integration/test_column_costs.py, test_helpdesk_costs.py and
test_search_costs.py assert them; these rows show them with latency)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.harness import Bench, Measured, operation
from benchmarks.ingest import PHONE, online_desk

#: tickets in the tenant behind the column page (the cost test compares 50 with 20,000)
COLUMN_TICKETS = 5_000
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _message(n: int, sender: str, minutes_ago: int = 90) -> Any:
    from chalicelib.channels.events import InboundMessage
    from chalicelib.clock import now

    return InboundMessage(channel_type="whatsapp", account_id=PHONE, provider_message_id=f"wamid.{sender}.{n}",
                          sender_id=sender, sender_name="María José Pérez", text=f"mensaje {n}",
                          sent_at=now() - timedelta(minutes=minutes_ago) + timedelta(seconds=n))  # fmt: skip


@operation("help desk: column page of 25 among 5,000 tickets")
def column_page(bench: Bench) -> Measured:
    """The caller's "me" column: the column's GetItem and one Query of their queue."""
    from chalicelib.clock import iso
    from chalicelib.domain.helpdesk.columns import ColumnFilters, ColumnToggles, create_column
    from chalicelib.domain.helpdesk.columns import column_page as page
    from chalicelib.store import keys
    from chalicelib.store.helpdesk import Ticket

    principal, channel = online_desk()
    tenant_id = principal.tenant_id
    assignees = [principal.user_id, None, "u-agent-1", "u-agent-2"]
    with Ticket.batch_write() as batch:
        for n in range(1, COLUMN_TICKETS + 1):
            at = START + timedelta(seconds=n)
            assignee = assignees[n % len(assignees)]
            active = n % 7 != 0
            batch.save(Ticket(
                keys.ticket_pk(tenant_id, n), keys.ticket_sk(),
                GSI2PK=keys.queue_pk(tenant_id, assignee, active), GSI2SK=keys.queue_sk(iso(at), n),
                tenant_id=tenant_id, number=n, status="open" if active else "closed",
                channel_id=channel.channel_id, channel_type="whatsapp", client_id=f"c{n:025d}",
                assignee_id=assignee, created_at=at, last_activity_at=at, last_client_message_at=at,
                last_message={"text": f"mensaje {n}", "direction": "in", "at": iso(at)},
            ))  # fmt: skip
    mine = create_column(
        principal, "Mine", "tickets", ColumnFilters(assignee="me"), ColumnToggles()
    )
    column_id = mine.column.column_id

    def call(_: int) -> None:
        found = page(principal, column_id, 25, None)
        if len(found.tickets) != 25:
            raise RuntimeError(f"the column page held {len(found.tickets)} tickets, not 25")

    return call


@operation("help desk: ticket view with its last 50 messages")
def ticket_view(bench: Bench) -> Measured:
    """The ticket and its latest messages: one Query of the ticket's partition."""
    from chalicelib.domain.helpdesk.timeline import ticket_with_latest
    from chalicelib.domain.inbound.ingest import ingest_message

    principal, channel = online_desk()
    for n in range(60):
        ingest_message(channel, _message(n, "56912345678"))

    def call(_: int) -> None:
        ticket, latest = ticket_with_latest(principal.tenant_id, 1, 50)
        if ticket is None or len(latest) != 50:
            raise RuntimeError("the ticket view did not find the ticket's 50 latest messages")

    return call


def _searchable(bench: Bench) -> Any:
    """30 clients with a ticket each, indexed for search; client 7 has an email and a RUT."""
    from chalicelib.domain.helpdesk.clients import update_client
    from chalicelib.domain.helpdesk.search import index_new_client
    from chalicelib.domain.inbound.ingest import client_id_for, ingest_message
    from chalicelib.store import keys
    from chalicelib.store.helpdesk import Client

    principal, channel = online_desk()
    for n in range(30):
        sender = f"5691234{n:04d}"
        ingest_message(channel, _message(n, sender))
        client_id = client_id_for(channel.channel_id, sender)
        index_new_client(
            Client.get(keys.client_pk(principal.tenant_id, client_id), keys.client_sk())
        )
    update_client(principal, client_id_for(channel.channel_id, "56912340007"),
                  {"email": "maria7@example.com", "rut": "12.345.678-5"})  # fmt: skip
    return principal


def _search(bench: Bench, criterion: dict[str, Any]) -> Measured:
    from chalicelib.domain.helpdesk.search import search_tickets

    principal = _searchable(bench)

    def call(_: int) -> None:
        hits = search_tickets(principal, **criterion)
        if [hit.ticket.number for hit in hits] != [8]:
            raise RuntimeError(f"searching {criterion} found {[h.ticket.number for h in hits]}")

    return call


@operation("help desk: search by number")
def search_by_number(bench: Bench) -> Measured:
    return _search(bench, {"number": 8})


@operation("help desk: search by email")
def search_by_email(bench: Bench) -> Measured:
    return _search(bench, {"email": "Maria7@Example.com"})


@operation("help desk: search by RUT")
def search_by_rut(bench: Bench) -> Measured:
    return _search(bench, {"rut": "12345678-5"})


@operation("help desk: reply (before the outbound worker)")
def reply(bench: Bench) -> Measured:
    """The message queued, the ticket's latest message and activity; the send is queued."""
    from chalicelib.domain.helpdesk.replies import reply as answer
    from chalicelib.domain.inbound.ingest import ingest_message

    principal, channel = online_desk()
    ingest_message(channel, _message(1, "56912345678", minutes_ago=10))
    answer(principal, 1, text="primera respuesta", public=False)

    def call(i: int) -> None:
        answer(principal, 1, text=f"¡Hola! 😊 respuesta {i}", public=False)

    return call
