"""Exactly-once ingest: a client's message becomes one message in one ticket.

1. The client is found by (channel, sender) with one GetItem; its ``open_ticket`` is
   the ticket to join.
2. Without one, a transaction advances the tenant's counter, claims the number on the
   client (with what the ticket opens with: assignee, why) and adds to the chosen
   agent's load: numbers have no gaps, and two messages of a new client processed at
   once still make one ticket (the loser retries, finds the number and joins it). The
   ticket item is written right after, outside the transaction (it would cost double
   inside); whoever finds the number claimed but the ticket missing writes the same
   ticket from the client's claim.
3. The message is stored in the ticket's partition under an id made of its provider
   time and a hash of its provider id, with a condition: a redelivery is refused by
   DynamoDB itself, never by a read-then-write. A redelivery arriving after its ticket
   was closed is recognised in the client's previous ticket (one GetItem, only then).
4. The ticket is touched (last activity, its place on the board).

Cost (tests/integration/test_ingest_costs.py): a message into an open ticket is 2 write
requests, 4 WCU; the first message of a new client 9 WCU with an assignee.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError

from chalicelib.channels.events import InboundMessage, StatusUpdate
from chalicelib.clock import iso, now
from chalicelib.domain.helpdesk.assignment import (
    agent_states,
    choose_agent,
    compact_reason,
    takes_one_more,
)
from chalicelib.domain.helpdesk.sla import deadlines, due_keys, next_due
from chalicelib.domain.helpdesk.timeline import inbound_message_id, message_key
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import condition_failed as _condition_failed
from chalicelib.store.base import lost_race as _conflict
from chalicelib.store.base import transaction
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import AgentState, Client, Message, Ticket, TicketCounter

log = logging.getLogger(__name__)

ATTEMPTS = 10
OPEN_STATES = ("open", "pending")
PREVIEW_BYTES = 80


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
    message_id: str | None = None
    #: the ticket's bot is on: the message goes to the tenant's bot (``bot.message``)
    bot: bool = False


def client_id_for(channel_id: str, sender_id: str) -> str:
    """Stable and opaque: the same sender on the same channel is always the same client."""
    return "c" + hashlib.sha256(f"{channel_id}\x00{sender_id}".encode()).hexdigest()[:25]


def _backoff(attempt: int) -> None:
    time.sleep(min(0.2, 0.005 * (2**attempt)) * random.random())


def _claim_ticket(
    channel: Channel,
    event: InboundMessage,
    client: Client | None,
    client_key: tuple[str, str],
    at: datetime,
) -> Client | None:
    """Claim the tenant's next number for this client; None when a concurrent writer won.

    Returns the client as it now is (its claim says what the ticket opens with)."""
    tenant_id = channel.tenant_id
    counter_key = (keys.tenant_pk(tenant_id), keys.ticket_counter_sk())
    counter = get_or_none(TicketCounter, *counter_key, consistent=True)
    last = int(counter.last) if counter else 0
    number = last + 1
    agent, reason = choose_agent(agent_states(tenant_id), channel.channel_id)
    assignee = agent.user_id if agent else None
    assignment = compact_reason(reason) if agent else None
    client_id = client_key[0].rsplit("#", 1)[1]
    claimed = client or Client(
        *client_key, tenant_id=tenant_id, client_id=client_id, channel_id=channel.channel_id,
        channel_type=channel.channel_type, sender_id=event.sender_id, name=event.sender_name,
        handle=event.sender_handle, tickets=[], created_at=at,
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
            if client is None:
                claimed.open_ticket, claimed.open_assignee = number, assignee
                claimed.open_assignment, claimed.open_since = assignment, at
                claimed.tickets = [number]  # type: ignore[list-item]
                write.save(claimed, condition=Client.PK.does_not_exist())
            else:
                write.update(Client(*client_key), actions=[
                    Client.open_ticket.set(number), Client.tickets.set(Client.tickets.append([number])),
                    Client.open_assignee.set(assignee) if assignee else Client.open_assignee.remove(),
                    Client.open_assignment.set(assignment) if assignment else Client.open_assignment.remove(),
                    Client.open_since.set(at),
                ], condition=Client.open_ticket.does_not_exist())  # fmt: skip
            if agent is not None:
                write.update(AgentState(agent.PK, agent.SK), actions=[
                    AgentState.open_tickets.add(1), AgentState.waiting_since.set(at),
                ], condition=takes_one_more(agent))  # fmt: skip
    except TransactWriteError as exc:
        if _conflict(exc):
            return None
        raise
    if client is not None:
        claimed.open_ticket, claimed.open_assignee = number, assignee
        claimed.open_assignment, claimed.open_since = assignment, at
        claimed.tickets = [*(client.tickets or []), number]  # type: ignore[list-item]
    return claimed


def ticket_from_claim(channel: Channel, client: Client, event: InboundMessage) -> Ticket:
    """The ticket a client's claim describes (``open_ticket`` and what it opened with),
    with its SLA deadlines (the earliest in the Due index) when the channel has targets."""
    number = int(client.open_ticket or 0)
    opened = client.open_since or now()
    activity = max(opened, now())
    sla = deadlines(channel.settings, opened)
    due = next_due(sla)
    ticket = Ticket(
        keys.ticket_pk(client.tenant_id, number), keys.ticket_sk(),
        GSI2PK=keys.queue_pk(client.tenant_id, client.open_assignee),
        GSI2SK=keys.queue_sk(iso(activity), number),
        tenant_id=client.tenant_id, number=number, status="open", channel_id=client.channel_id,
        channel_type=client.channel_type, client_id=client.client_id,
        assignee_id=client.open_assignee, created_at=opened, last_activity_at=activity,
        last_client_message_at=event.sent_at, last_message=preview(event.text, "in", event.sent_at),
        assignment=client.open_assignment, auto_replies=_opening_replies_spent(event, opened),
        sla=sla or None,
    )  # fmt: skip
    if due is not None:
        for name, value in due_keys(client.tenant_id, number, due).items():
            setattr(ticket, name, value)
    return ticket


def _opening_replies_spent(event: InboundMessage, opened: datetime) -> dict[str, str]:
    """An autoresponder's ticket opens with its opening auto-replies taken: two robots
    would otherwise write to each other forever (``autoreply.reply_to_new_ticket``)."""
    from chalicelib.domain.inbound.autoreply import OPENING_REPLIES

    if not event.extra.get("auto_submitted"):
        return {}
    return dict.fromkeys(OPENING_REPLIES, iso(opened))


def preview(text: str, direction: str, at: datetime) -> dict[str, str]:
    """What a board shows of a ticket's latest message: at most ``PREVIEW_BYTES`` of
    UTF-8 (an emoji is 4), cut at a character, so the ticket stays under 1 KB."""
    cut = text.encode()[:PREVIEW_BYTES].decode(errors="ignore")
    return {"text": cut, "direction": direction, "at": iso(at)}


def _write_ticket(channel: Channel, client: Client, event: InboundMessage) -> None:
    """Write the claimed ticket unless it exists (a concurrent writer wrote the same)."""
    try:
        ticket_from_claim(channel, client, event).save(condition=Ticket.PK.does_not_exist())
    except PutError as exc:
        if not _condition_failed(exc):
            raise


def _stored_before(tenant_id: str, number: int, message_id: str) -> bool:
    found = get_or_none(Message, *message_key(tenant_id, number, message_id), consistent=True)
    return found is not None


def ingest_message(channel: Channel, event: InboundMessage) -> Outcome:
    tenant_id = channel.tenant_id
    client_id = client_id_for(channel.channel_id, event.sender_id)
    client_key = (keys.client_pk(tenant_id, client_id), keys.client_sk())
    message_id = inbound_message_id(event.sent_at, channel.channel_id, event.provider_message_id)
    at = now()
    outcome: Outcome | None = None
    for attempt in range(ATTEMPTS):
        client = get_or_none(Client, *client_key, consistent=True)
        if client is not None and client.open_ticket is not None:
            outcome = Outcome(ticket_number=int(client.open_ticket))
            break
        if client is not None and client.tickets:
            previous = int(client.tickets[-1])  # closed since this message first came?
            if _stored_before(tenant_id, previous, message_id):
                return Outcome(ticket_number=previous, duplicate=True)
        claimed = _claim_ticket(channel, event, client, client_key, at)
        if claimed is not None:
            _write_ticket(channel, claimed, event)
            outcome = Outcome(
                ticket_number=int(claimed.open_ticket or 0), new_ticket=True,
                new_client=client is None, assignee_id=claimed.open_assignee,
            )  # fmt: skip
            break
        _backoff(attempt)
    if outcome is None:
        raise IngestConflict(
            f"no ticket settled for {event.provider_message_id} after {ATTEMPTS} tries"
        )
    message = Message(
        *message_key(tenant_id, outcome.ticket_number, message_id),
        tenant_id=tenant_id, message_id=message_id, ticket_number=outcome.ticket_number,
        channel_id=channel.channel_id, direction="in", author_id=client_id, text=event.text,
        public=event.public, provider_message_id=event.provider_message_id,
        reply_to=event.reply_to_provider_id, reaction=event.reaction, subject=event.subject,
        attachments=[a.model_dump(mode="json", exclude_none=True) for a in event.attachments],
        extra=dict(event.extra), sent_at=event.sent_at, stored_at=at,
    )  # fmt: skip
    try:
        message.save(condition=Message.PK.does_not_exist())
    except PutError as exc:
        if not _condition_failed(exc):
            raise
        outcome.duplicate = True
    outcome.message_id = message_id
    if not outcome.new_ticket:  # a ticket opened for this very message is already current
        outcome.bot = _touch(channel, client_key, outcome.ticket_number, event, at)
    return outcome


def _touch(
    channel: Channel, client_key: tuple[str, str], number: int, event: InboundMessage, at: datetime
) -> bool:
    """Record the client's latest message on the ticket (only moves forward) and move it
    to the top of its queue. A pending ticket the client writes to is open again.
    Returns whether the ticket's bot is on: the update returns the item (PynamoDB asks
    for ALL_NEW), which costs no read capacity.

    When the condition fails the ticket is read once: it may be missing (its opener
    crashed after claiming the number: write it now) or already newer (nothing to do)."""
    tenant_id = channel.tenant_id
    ticket = Ticket(keys.ticket_pk(tenant_id, number), keys.ticket_sk())
    try:
        ticket.update(
            actions=[
                Ticket.last_activity_at.set(at),
                Ticket.last_client_message_at.set(event.sent_at),
                Ticket.last_message.set(preview(event.text, "in", event.sent_at)),
                Ticket.status.set("open"),
                Ticket.GSI2SK.set(keys.queue_sk(iso(at), number)),
            ],
            condition=Ticket.status.is_in(*OPEN_STATES)
            & (
                Ticket.last_client_message_at.does_not_exist()
                | (Ticket.last_client_message_at < event.sent_at)
            ),
        )
    except UpdateError as exc:
        if not _condition_failed(exc):
            raise
        found = get_or_none(Ticket, ticket.PK, ticket.SK, consistent=True)
        if found is None:
            client = get_or_none(Client, *client_key, consistent=True)
            if client is not None and client.open_ticket == number:
                _write_ticket(channel, client, event)
            return False
        return bool(found.bot) and found.status in OPEN_STATES
    return bool(ticket.bot)


class StatusTooEarly(Exception):
    """A status for a message whose sending is not recorded yet: the queue retries it."""


#: a status this fresh for an unknown message is retried (the worker may be recording
#: the send right now); an older one is for a message Atiende did not send: dropped
STATUS_GRACE = timedelta(minutes=5)
STATUS_ORDER = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


def apply_status(channel: Channel, event: StatusUpdate) -> bool:
    """Move an outbound message to sent/delivered/read/failed (never backwards).

    The message is found by its provider id (GSI1, written when it was sent)."""
    lookup = keys.provider_message_lookup(channel.channel_id, event.provider_message_id)
    found = next(iter(Message.by_provider_id.query(lookup, limit=1)), None)
    if found is None or found.tenant_id != channel.tenant_id:
        if now() - event.at < STATUS_GRACE:
            raise StatusTooEarly(f"no sent message {event.provider_message_id} yet")
        return False
    earlier = [s for s, rank in STATUS_ORDER.items() if rank < STATUS_ORDER[event.status]]
    actions: list[Any] = [Message.status.set(event.status)]
    if event.error:
        actions.append(Message.status_error.set(event.error))
    try:
        Message(found.PK, found.SK).update(
            actions=actions,
            condition=Message.PK.exists()
            & Message.direction.__eq__("out")
            & Message.status.is_in(*earlier),
        )
        return True
    except UpdateError as exc:
        if not _condition_failed(exc):
            raise
        return False
