"""Auto-replies (SPEC §3): to a client's first message ever, when no agent is available,
outside business hours — each at most once per ticket within the quiet period."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.channels.hours import Schedule
from chalicelib.domain.helpdesk.timeline import compact, message_key, new_message_id
from chalicelib.store import keys, messages, tickets
from chalicelib.store.accounts import get_or_none
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Client, Message, Ticket

log = logging.getLogger(__name__)


#: the replies a ticket may be owed as it opens; the out-of-hours one answers any message
OPENING_REPLIES = ("first_message", "no_agent")


def _settings(channel: Channel) -> dict[str, Any]:
    return dict((channel.settings or {}).get("auto_replies") or {})


def _enabled(channel: Channel, kind: str) -> bool:
    reply = _settings(channel).get(kind) or {}
    return bool(reply.get("enabled") and reply.get("text"))


def out_of_hours(channel: Channel, at: datetime) -> bool:
    """The channel has business hours and ``at`` is outside them: the same schedule as SLA
    business minutes (hours.py), with its holidays and daylight saving."""
    hours = (channel.settings or {}).get("business_hours")
    return bool(hours) and not Schedule.from_settings(hours).is_open(at)


def reply_to_new_ticket(channel: Channel, ticket: Ticket) -> list[str]:
    """Queue what a ticket is owed as it opens: the first-message reply when it is the
    client's first ticket, the no-agent reply when nobody took it. Returns the kinds queued
    (none when they were queued before: the table's stream may hand the ticket over twice).
    An autoresponder's ticket opens with these replies spent (``ingest.ticket_from_claim``)."""
    kinds = []
    if _enabled(channel, "first_message") and _first_ticket_of_client(ticket):
        kinds.append("first_message")
    if ticket.assignee_id is None and _enabled(channel, "no_agent"):
        kinds.append("no_agent")
    at, cause = ticket.created_at, f"{ticket.PK}/{ticket.SK}"
    return [k for k in kinds if queue_auto_reply(channel, int(ticket.number), k, at, cause)]


def reply_to_message(channel: Channel, message: Message, bot_on: bool) -> list[str]:
    """Queue the out-of-hours reply to a client's message written outside business hours,
    unless the ticket got one within the quiet period. Never to an autoresponder (two
    robots would write to each other forever), nor while the ticket's bot answers."""
    extra = message.extra or {}
    at = message.stored_at
    if bot_on or extra.get("auto_submitted") or not _enabled(channel, "out_of_hours"):
        return []
    if not out_of_hours(channel, at):
        return []
    cause = f"{message.PK}/{message.SK}"
    queued = queue_auto_reply(channel, int(message.ticket_number), "out_of_hours", at, cause)
    return ["out_of_hours"] if queued else []


def _first_ticket_of_client(ticket: Ticket) -> bool:
    client = get_or_none(
        Client, keys.client_pk(ticket.tenant_id, ticket.client_id), keys.client_sk()
    )
    return client is not None and bool(client.tickets) and int(client.tickets[0]) == ticket.number


def auto_reply_id(at: datetime, cause: str, kind: str) -> str:
    """The reply's message id: its time, then a hash of what caused it and of its kind, so
    the same cause queues the same reply (and the second try finds it stored)."""
    digest = hashlib.sha256(f"{cause}\x00{kind}".encode()).hexdigest()[:16]
    return f"{compact(at)}-a{digest}"


def queue_auto_reply(channel: Channel, number: int, kind: str, at: datetime, cause: str) -> bool:
    """Store the ``kind`` reply as a queued outbound message of the ticket, in one
    transaction with its slot on the ticket: the slot is taken only if it is free or older
    than the quiet period (calendar time, in the one clock's UTC ISO format, so the stored
    times compare as strings). False when the slot is taken: the reply went out within the
    quiet period, or this very cause queued it before. The table's stream sends it."""
    quiet = timedelta(minutes=int(_settings(channel).get("quiet_period_minutes", 240)))
    message_id = auto_reply_id(at, cause, kind)
    message = Message(
        *message_key(channel.tenant_id, number, message_id),
        tenant_id=channel.tenant_id, message_id=message_id, ticket_number=number,
        channel_id=channel.channel_id, direction="out", author_id=None,
        text=_settings(channel)[kind]["text"], public=False, status="queued",
        extra={"auto_reply": kind}, sent_at=at, stored_at=at,
    )  # fmt: skip
    return tickets.take_reply_slot(
        channel.tenant_id, number, kind, at=at, free_before=at - quiet, message=message
    )


def queue_outbound(
    channel: Channel,
    number: int,
    text: str,
    at: datetime,
    author_id: str | None = None,
    extra: dict[str, Any] | None = None,
    public: bool = False,
) -> Message:
    """Store an outbound message (status queued); its record on the table's stream puts it
    on the outbound queue (jobs/effects.py)."""
    message_id = new_message_id(at)
    message = Message(
        *message_key(channel.tenant_id, number, message_id),
        tenant_id=channel.tenant_id, message_id=message_id, ticket_number=number,
        channel_id=channel.channel_id, direction="out", author_id=author_id, text=text,
        public=public, status="queued", extra=extra or {}, sent_at=at, stored_at=at,
    )  # fmt: skip
    messages.put_once(message)
    return message
