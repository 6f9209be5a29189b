"""Exactly-once ingest: a client's message becomes one message in one ticket.

1. The client is found by (channel, sender) with one GetItem; its ``open_ticket`` is
   the ticket to join.
2. Without one, a transaction advances the tenant's counter *and* creates the ticket
   (and the client, and the assignee's load): numbers have no gaps, and two messages
   of a new client processed at once still make one ticket (the loser retries, finds
   the ticket and joins it).
3. The message is stored with a condition on its provider id: a redelivery is refused
   by DynamoDB itself, never by a read-then-write.
4. The ticket is touched (last activity). A retry after a crash between 3 and 4
   touches it again, harmlessly.
"""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from chalicelib.channels.events import InboundMessage, StatusUpdate
from chalicelib.clock import iso, now
from chalicelib.domain.helpdesk.assignment import agent_states, choose_agent, takes_one_more
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import transaction
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import AgentState, Client, Message, Ticket, TicketCounter

log = logging.getLogger(__name__)

ATTEMPTS = 10
OPEN_STATES = ("open", "pending")


class IngestConflict(Exception):
    """Could not settle a race in ``ATTEMPTS`` tries; the queue will deliver it again."""


@dataclass
class Outcome:
    """What ingesting one message did, for the caller (auto-replies, logs, tests)."""

    ticket_number: int
    duplicate: bool = False
    new_ticket: bool = False
    new_client: bool = False
    assignee_id: str | None = None
    notes: list[str] = field(default_factory=list)


def client_id_for(channel_id: str, sender_id: str) -> str:
    """Stable and opaque: the same sender on the same channel is always the same client."""
    return "c" + hashlib.sha256(f"{channel_id}\x00{sender_id}".encode()).hexdigest()[:25]


def _conflict(exc: Exception) -> bool:
    reasons = getattr(exc, "cancellation_reasons", None) or []
    codes = {r.code for r in reasons if r is not None}
    return bool(codes & {"ConditionalCheckFailed", "TransactionConflict"}) or "Conflict" in str(exc)


def _backoff(attempt: int) -> None:
    time.sleep(min(0.2, 0.005 * (2**attempt)) * random.random())


def _open_ticket(
    channel: Channel,
    event: InboundMessage,
    client: Client | None,
    client_key: tuple[str, str],
    at: datetime,
) -> tuple[int, bool, str | None] | None:
    """Create the client's new ticket; None when a concurrent writer won (retry)."""
    tenant_id = channel.tenant_id
    counter_key = (keys.tenant_pk(tenant_id), keys.ticket_counter_sk())
    counter = get_or_none(TicketCounter, *counter_key, consistent=True)
    last = int(counter.last) if counter else 0
    number = last + 1
    states = agent_states(tenant_id)
    agent, reason = choose_agent(states, channel.channel_id)
    activity = iso(at)
    ticket = Ticket(
        keys.ticket_pk(tenant_id, number), keys.ticket_sk(),
        GSI2PK=keys.queue_pk(tenant_id, agent.user_id if agent else None),
        GSI2SK=f"{activity}#{number:010d}",
        GSI3PK=keys.status_pk(tenant_id, "open"), GSI3SK=f"{number:010d}",
        tenant_id=tenant_id, number=number, status="open", channel_id=channel.channel_id,
        channel_type=channel.channel_type, client_id=client_key[0].rsplit("#", 1)[1],
        assignee_id=agent.user_id if agent else None, created_at=at, last_activity_at=at,
        last_client_message_at=event.sent_at, assignment=reason if agent else None, auto_replies={},
    )  # fmt: skip
    try:
        with transaction() as write:
            if counter is None:
                write.save(
                    TicketCounter(*counter_key, last=number),
                    condition=TicketCounter.PK.does_not_exist(),
                )
            else:
                write.update(
                    TicketCounter(*counter_key),
                    actions=[TicketCounter.last.set(number)],
                    condition=TicketCounter.last == last,
                )
            write.save(ticket, condition=Ticket.PK.does_not_exist())
            if client is None:
                write.save(Client(*client_key, tenant_id=tenant_id,
                                  client_id=client_key[0].rsplit("#", 1)[1],
                                  channel_id=channel.channel_id, channel_type=channel.channel_type,
                                  sender_id=event.sender_id, name=event.sender_name,
                                  handle=event.sender_handle, open_ticket=number, tickets=[number],
                                  created_at=at),
                           condition=Client.PK.does_not_exist())  # fmt: skip
            else:
                write.update(Client(*client_key), actions=[
                    Client.open_ticket.set(number), Client.tickets.append([number]),
                ], condition=Client.open_ticket.does_not_exist())  # fmt: skip
            if agent is not None:
                write.update(AgentState(agent.PK, agent.SK), actions=[
                    AgentState.open_tickets.add(1), AgentState.waiting_since.set(at),
                ], condition=takes_one_more(agent))  # fmt: skip
    except TransactWriteError as exc:
        if _conflict(exc):
            return None
        raise
    return number, client is None, agent.user_id if agent else None


def ingest_message(channel: Channel, event: InboundMessage) -> Outcome:
    tenant_id = channel.tenant_id
    client_id = client_id_for(channel.channel_id, event.sender_id)
    client_key = (keys.client_pk(tenant_id, client_id), keys.client_sk())
    at = now()
    outcome: Outcome | None = None
    for attempt in range(ATTEMPTS):
        client = get_or_none(Client, *client_key, consistent=True)
        if client is not None and client.open_ticket is not None:
            outcome = Outcome(ticket_number=int(client.open_ticket))
            break
        opened = _open_ticket(channel, event, client, client_key, at)
        if opened is not None:
            number, new_client, assignee = opened
            outcome = Outcome(
                ticket_number=number, new_ticket=True, new_client=new_client, assignee_id=assignee
            )
            break
        _backoff(attempt)
    if outcome is None:
        raise IngestConflict(
            f"no ticket settled for {event.provider_message_id} after {ATTEMPTS} tries"
        )
    message = Message(
        keys.message_pk(tenant_id, channel.channel_id, event.provider_message_id), keys.message_sk(),
        GSI3PK=keys.timeline_pk(tenant_id, outcome.ticket_number),
        GSI3SK=f"{iso(event.sent_at)}#{secrets.token_hex(3)}",
        tenant_id=tenant_id, message_id=new_id(), ticket_number=outcome.ticket_number,
        channel_id=channel.channel_id, direction="in", author_id=client_id, text=event.text,
        public=event.public, provider_message_id=event.provider_message_id,
        reply_to=event.reply_to_provider_id, reaction=event.reaction, subject=event.subject,
        attachments=[a.model_dump(mode="json", exclude_none=True) for a in event.attachments],
        extra=dict(event.extra), sent_at=event.sent_at, stored_at=at,
    )  # fmt: skip
    try:
        message.save(condition=Message.PK.does_not_exist())
    except PutError as exc:
        if "ConditionalCheckFailed" not in str(exc):
            raise
        outcome.duplicate = True
    if not outcome.new_ticket:  # a ticket opened for this very message is already current
        _touch(tenant_id, outcome.ticket_number, event.sent_at, at)
    return outcome


def _touch(tenant_id: str, number: int, sent_at: datetime, at: datetime) -> None:
    """Record the client's latest message on the ticket (idempotent: only moves forward).

    A pending ticket the client writes to is open again."""
    ticket = Ticket(keys.ticket_pk(tenant_id, number), keys.ticket_sk())
    try:
        ticket.update(
            actions=[
                Ticket.last_activity_at.set(at),
                Ticket.last_client_message_at.set(sent_at),
                Ticket.status.set("open"),
                Ticket.GSI3PK.set(keys.status_pk(tenant_id, "open")),
            ],
            condition=Ticket.status.is_in(*OPEN_STATES)
            & (
                Ticket.last_client_message_at.does_not_exist()
                | (Ticket.last_client_message_at < sent_at)
            ),
        )
    except UpdateError as exc:
        if "ConditionalCheckFailed" not in str(exc):
            raise


def apply_status(channel: Channel, event: StatusUpdate) -> bool:
    """Move an outbound message to sent/delivered/read/failed (never backwards)."""
    order = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
    key = (keys.message_pk(channel.tenant_id, channel.channel_id, event.provider_message_id),
           keys.message_sk())  # fmt: skip
    earlier = [s for s, rank in order.items() if rank < order[event.status]]
    actions: list[Any] = [Message.status.set(event.status)]
    if event.error:
        actions.append(Message.status_error.set(event.error))
    try:
        Message(*key).update(
            actions=actions,
            condition=Message.PK.exists()
            & Message.direction.__eq__("out")
            & Message.status.is_in(*earlier),
        )
        return True
    except UpdateError as exc:
        if "ConditionalCheckFailed" not in str(exc):
            raise
        return False
