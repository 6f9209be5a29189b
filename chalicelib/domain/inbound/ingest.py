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
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.channels.events import InboundMessage, StatusUpdate
from chalicelib.clock import iso, now
from chalicelib.domain.helpdesk.assignment import agent_states, choose_agent, compact_reason
from chalicelib.domain.helpdesk.sla import deadlines, next_due
from chalicelib.domain.helpdesk.timeline import inbound_message_id, message_key
from chalicelib.store import agents, keys, messages, tickets
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import AlreadyStored
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Client, Message, Ticket, TicketCounter

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


def client_id_for(channel_id: str, sender_id: str) -> str:
    """Stable and opaque: the same sender on the same channel is always the same client."""
    return "c" + hashlib.sha256(f"{channel_id}\x00{sender_id}".encode()).hexdigest()[:25]


def _backoff(attempt: int) -> None:
    time.sleep(min(0.2, 0.005 * (2**attempt)) * random.random())


# --- the rules (plain values in, decisions out: tests/unit/helpdesk/test_ingest_rules.py) ---
@dataclass(frozen=True)
class Route:
    """Where a client's message goes: into ``join`` (its open ticket), or a new ticket is
    claimed, after checking ``previous`` (its latest ticket, closed since this message
    may first have come) for the same message."""

    join: int | None = None
    previous: int | None = None


def route(open_ticket: int | None, tickets: Sequence[int]) -> Route:
    """A client with an open ticket joins it; otherwise a new one is claimed (a known
    client's latest ticket is checked for this very message first: a redelivery)."""
    if open_ticket is not None:
        return Route(join=int(open_ticket))
    return Route(previous=int(tickets[-1]) if tickets else None)


@dataclass(frozen=True)
class Claim:
    """What a new ticket opens with, claimed on the client in one transaction with the
    tenant's counter (``docs/data-model.md`` C5) and the agent's load."""

    number: int
    assignee: str | None
    assignment: dict[str, Any] | None
    since: datetime
    tickets: list[int]


def claim_for(
    counter_last: int | None, agent_id: str | None, reason: dict[str, Any], tickets: Sequence[int],
    at: datetime,
) -> Claim:  # fmt: skip
    """The next number (no gaps: the counter's last plus one), the chosen agent (or
    nobody) with why, kept short, and the client's tickets with the new one last."""
    number = (counter_last or 0) + 1
    return Claim(
        number=number, assignee=agent_id,
        assignment=compact_reason(reason) if agent_id else None, since=at,
        tickets=[*(int(n) for n in tickets), number],
    )  # fmt: skip


def opening_fields(
    *, tenant_id: str, number: int, channel_id: str, channel_type: str, client_id: str,
    assignee: str | None, assignment: dict[str, Any] | None, opened: datetime, at: datetime,
    sent_at: datetime, text: str, auto_submitted: bool, settings: dict[str, Any] | None,
) -> tuple[dict[str, Any], datetime | None]:  # fmt: skip
    """A new ticket's fields and its first SLA deadline (None: the channel has no targets):
    open, with the claim's assignee, its activity never before it was claimed, the
    client's message as its latest, its SLA counted from the claim, and for an
    autoresponder the opening auto-replies already spent (two robots would otherwise
    write to each other forever)."""
    sla = deadlines(settings, opened)
    fields: dict[str, Any] = dict(
        tenant_id=tenant_id, number=number, status="open", channel_id=channel_id,
        channel_type=channel_type, client_id=client_id, assignee_id=assignee,
        created_at=opened, last_activity_at=max(opened, at), last_client_message_at=sent_at,
        last_message=preview(text, "in", sent_at), assignment=assignment,
        auto_replies=_opening_replies_spent(auto_submitted, opened), sla=sla or None,
    )  # fmt: skip
    return fields, next_due(sla)


def bot_answers(bot: bool | None, status: str) -> bool:
    """The tenant's bot takes the client's message while the ticket's bot is on and the
    ticket is still open or pending."""
    return bool(bot) and status in OPEN_STATES


def statuses_before(status: str) -> list[str]:
    """The delivery states a status may follow: a message's status never goes back."""
    return [s for s, rank in STATUS_ORDER.items() if rank < STATUS_ORDER[status]]


# --- ingest --------------------------------------------------------------------------------
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
    remembered = _last_claim(tenant_id)
    counter_last: int | None
    if remembered is not None:
        counter_last, states = remembered
    else:
        counter = get_or_none(
            TicketCounter, keys.tenant_pk(tenant_id), keys.ticket_counter_sk(), consistent=True
        )
        counter_last = int(counter.last) if counter else None
        states = agent_states(tenant_id)
    agent, reason = choose_agent(states, channel.channel_id)
    claim = claim_for(counter_last, agent.user_id if agent else None, reason,
                      _numbers(client), at)  # fmt: skip
    claimed = client or Client(
        *client_key, tenant_id=tenant_id, client_id=client_key[0].rsplit("#", 1)[1],
        channel_id=channel.channel_id, channel_type=channel.channel_type,
        sender_id=event.sender_id, name=event.sender_name, handle=event.sender_handle,
        tickets=[], created_at=at,
    )  # fmt: skip
    claimed.open_ticket, claimed.open_assignee = claim.number, claim.assignee
    claimed.open_assignment, claimed.open_since = claim.assignment, claim.since
    claimed.tickets = claim.tickets  # type: ignore[assignment]
    also = [agents.take_slot(agent, at)] if agent is not None else []
    if not tickets.claim_number(
        claimed, counter_last=counter_last, new_client=client is None, also=also
    ):
        _LAST_CLAIMS.pop(tenant_id, None)  # read again: someone else claimed, or moved
        return None
    if agent is not None:
        agent.open_tickets = int(agent.open_tickets or 0) + 1  # what the slot just wrote
        agent.waiting_since = at
    _LAST_CLAIMS[tenant_id] = (time.monotonic(), int(claim.number), states)
    return claimed


#: a tenant's new tickets are claimed one at a time by the threads of one process (the
#: inbound consumer runs a batch's clients side by side, jobs/inbound.py): they would
#: otherwise race for the same counter, and all but one read it again and retry. Writers
#: in other processes still race, and the counter's condition still settles it.
_CLAIM_LOCKS = tuple(threading.Lock() for _ in range(64))


def _claiming(tenant_id: str) -> threading.Lock:
    return _CLAIM_LOCKS[hash(tenant_id) % len(_CLAIM_LOCKS)]  # stable within the process


#: how long a process trusts what its own last claim of a tenant wrote (the counter's
#: number, the agents' loads after it) instead of reading them again: a batch of new
#: clients then costs one transaction each, not a read, a query and a transaction. A
#: claim by another writer meanwhile fails the counter's condition (read again, claim
#: again); an agent gone offline or at their cap fails the slot's. What it may miss for
#: this long: an agent who just came online, or another process's assignments (the
#: least-loaded choice may then be off by those).
CLAIM_MEMORY_SECONDS = 2.0
_LAST_CLAIMS: dict[str, tuple[float, int, list[Any]]] = {}


def _last_claim(tenant_id: str) -> tuple[int, list[Any]] | None:
    """(the counter's number, the agents' states) as this process's last claim of the
    tenant left them, if it was less than ``CLAIM_MEMORY_SECONDS`` ago; called under
    the tenant's claim lock."""
    remembered = _LAST_CLAIMS.get(tenant_id)
    if remembered is None or time.monotonic() - remembered[0] >= CLAIM_MEMORY_SECONDS:
        return None
    return remembered[1], remembered[2]


def forget_claims() -> None:
    """Drop what this process remembers of its claims (a test's new table)."""
    _LAST_CLAIMS.clear()


def _numbers(client: Client | None) -> list[int]:
    """The client's tickets, oldest first (none for a new client)."""
    return [int(n) for n in (client.tickets or [])] if client else []  # type: ignore[call-overload]


def ticket_from_claim(channel: Channel, client: Client, event: InboundMessage) -> Ticket:
    """The ticket a client's claim describes (``open_ticket`` and what it opened with),
    with its SLA deadlines (the earliest in the Due index) when the channel has targets."""
    fields, due = opening_fields(
        tenant_id=client.tenant_id, number=int(client.open_ticket or 0),
        channel_id=client.channel_id, channel_type=client.channel_type,
        client_id=client.client_id, assignee=client.open_assignee,
        assignment=client.open_assignment, opened=client.open_since or now(), at=now(),
        sent_at=event.sent_at, text=event.text,
        auto_submitted=bool(event.extra.get("auto_submitted")), settings=channel.settings,
    )  # fmt: skip
    return tickets.new_ticket(due, **fields)


def _opening_replies_spent(auto_submitted: bool, opened: datetime) -> dict[str, str]:
    """An autoresponder's ticket opens with its opening auto-replies taken: two robots
    would otherwise write to each other forever (``autoreply.reply_to_new_ticket``)."""
    from chalicelib.domain.inbound.autoreply import OPENING_REPLIES

    if not auto_submitted:
        return {}
    return dict.fromkeys(OPENING_REPLIES, iso(opened))


def preview(text: str, direction: str, at: datetime) -> dict[str, str]:
    """What a board shows of a ticket's latest message: at most ``PREVIEW_BYTES`` of
    UTF-8 (an emoji is 4), cut at a character, so the ticket stays under 1 KB."""
    cut = text.encode()[:PREVIEW_BYTES].decode(errors="ignore")
    return {"text": cut, "direction": direction, "at": iso(at)}


def _write_ticket(channel: Channel, client: Client, event: InboundMessage) -> None:
    """Write the claimed ticket unless it exists (a concurrent writer wrote the same)."""
    tickets.create_once(ticket_from_claim(channel, client, event))


def _stored_before(tenant_id: str, number: int, message_id: str) -> bool:
    found = get_or_none(Message, *message_key(tenant_id, number, message_id), consistent=True)
    return found is not None


def ingest_message(
    channel: Channel, event: InboundMessage, known_ticket: int | None = None
) -> Outcome:
    """Store a client's message in its open ticket, or in a new one.

    ``known_ticket``: the ticket this client's previous message went to, as a warm
    consumer remembers it. It is only a guess: the message goes there only when the
    ticket takes it (this client's, open or pending, and the message newer than its
    latest), else the client is read as always. A ticket of the client that is open is
    the client's open ticket (they change together), so the guess is right or refused."""
    tenant_id = channel.tenant_id
    client_id = client_id_for(channel.channel_id, event.sender_id)
    client_key = (keys.client_pk(tenant_id, client_id), keys.client_sk())
    message_id = inbound_message_id(event.sent_at, channel.channel_id, event.provider_message_id)
    at = now()
    if known_ticket is not None:
        into_known = _into_known_ticket(channel, event, known_ticket, client_id, message_id, at)
        if into_known is not None:
            return into_known
    outcome: Outcome | None = None
    for attempt in range(ATTEMPTS):
        client = get_or_none(Client, *client_key, consistent=True)
        way = route(client.open_ticket if client else None, _numbers(client))
        if way.join is not None:
            outcome = Outcome(ticket_number=way.join)
            break
        # closed since this message first came?
        if way.previous is not None and _stored_before(tenant_id, way.previous, message_id):
            return Outcome(ticket_number=way.previous, duplicate=True)
        with _claiming(tenant_id):
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
    message = _inbound_message(channel, event, outcome.ticket_number, client_id, message_id, at)
    try:
        messages.put_once(message)
    except AlreadyStored:
        outcome.duplicate = True
    outcome.message_id = message_id
    if not outcome.new_ticket:  # a ticket opened for this very message is already current
        _touch(channel, client_key, outcome.ticket_number, event, at)
    return outcome


def _into_known_ticket(
    channel: Channel,
    event: InboundMessage,
    number: int,
    client_id: str,
    message_id: str,
    at: datetime,
) -> Outcome | None:
    """Two writes instead of three: the ticket touched first (the condition that it is
    open and this message newer checks the guess), then the message stored. None when
    the ticket refused: the caller reads the client. A crash between the two leaves the
    touch only; the redelivery's touch is then refused (not newer), and the usual path
    stores the message."""
    touched = tickets.touch_inbound(
        channel.tenant_id, number, at=at, sent_at=event.sent_at,
        last_message=preview(event.text, "in", event.sent_at), while_status=OPEN_STATES,
        of_client=client_id,
    )  # fmt: skip
    if not touched:
        return None
    outcome = Outcome(ticket_number=number, message_id=message_id)
    try:
        messages.put_once(_inbound_message(channel, event, number, client_id, message_id, at))
    except AlreadyStored:
        outcome.duplicate = True
    return outcome


def _inbound_message(
    channel: Channel,
    event: InboundMessage,
    number: int,
    client_id: str,
    message_id: str,
    at: datetime,
) -> Message:
    tenant_id = channel.tenant_id
    return Message(
        *message_key(tenant_id, number, message_id),
        tenant_id=tenant_id, message_id=message_id, ticket_number=number,
        channel_id=channel.channel_id, direction="in", author_id=client_id, text=event.text,
        public=event.public, provider_message_id=event.provider_message_id,
        reply_to=event.reply_to_provider_id, reaction=event.reaction, subject=event.subject,
        attachments=[a.model_dump(mode="json", exclude_none=True) for a in event.attachments],
        extra=dict(event.extra), sent_at=event.sent_at, stored_at=at,
    )  # fmt: skip


def _touch(
    channel: Channel, client_key: tuple[str, str], number: int, event: InboundMessage, at: datetime
) -> None:
    """Record the client's latest message on the ticket (only moves forward) and move it
    to the top of its queue. A pending ticket the client writes to is open again.

    When the touch does not apply the ticket is read once: it may be missing (its opener
    crashed after claiming the number: write it now) or already newer (nothing to do)."""
    tenant_id = channel.tenant_id
    touched = tickets.touch_inbound(
        tenant_id, number, at=at, sent_at=event.sent_at,
        last_message=preview(event.text, "in", event.sent_at), while_status=OPEN_STATES,
    )  # fmt: skip
    if touched:
        return
    found = get_or_none(
        Ticket, keys.ticket_pk(tenant_id, number), keys.ticket_sk(), consistent=True
    )
    if found is None:
        client = get_or_none(Client, *client_key, consistent=True)
        if client is not None and client.open_ticket == number:
            _write_ticket(channel, client, event)


class StatusTooEarly(Exception):
    """A status for a message whose sending is not recorded yet: the queue retries it."""


#: a status this fresh for an unknown message is retried (the worker may be recording
#: the send right now); an older one is for a message Atiende did not send: dropped
STATUS_GRACE = timedelta(minutes=5)
STATUS_ORDER = {"queued": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}


def apply_status(channel: Channel, event: StatusUpdate) -> bool:
    """Move an outbound message to sent/delivered/read/failed (never backwards).

    The message is found by its provider id (GSI1, written when it was sent)."""
    found = messages.find_sent(channel.channel_id, event.provider_message_id)
    if found is None or found.tenant_id != channel.tenant_id:
        if now() - event.at < STATUS_GRACE:
            raise StatusTooEarly(f"no sent message {event.provider_message_id} yet")
        return False
    return messages.advance_status(
        found, event.status, event.error, from_status=statuses_before(event.status)
    )
