"""Auto-replies (SPEC §3): to a client's first message ever, when no agent is available,
outside business hours — each at most once per ticket within the quiet period."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib import aws
from chalicelib.clock import iso, now
from chalicelib.domain.channels.hours import Schedule
from chalicelib.domain.helpdesk.timeline import message_key, new_message_id
from chalicelib.domain.inbound.ingest import Outcome
from chalicelib.store import keys
from chalicelib.store.base import condition_failed
from chalicelib.store.channels import Channel
from chalicelib.store.helpdesk import Message, Ticket

log = logging.getLogger(__name__)


def due_kinds(channel: Channel, outcome: Outcome, at: datetime) -> list[str]:
    replies = (channel.settings or {}).get("auto_replies") or {}

    def enabled(kind: str) -> bool:
        reply = replies.get(kind) or {}
        return bool(reply.get("enabled") and reply.get("text"))

    kinds = []
    if outcome.new_client and enabled("first_message"):
        kinds.append("first_message")
    if outcome.new_ticket and outcome.assignee_id is None and enabled("no_agent"):
        kinds.append("no_agent")
    hours = (channel.settings or {}).get("business_hours")
    # the same schedule as SLA business minutes (hours.py): holidays, daylight saving
    if hours and enabled("out_of_hours") and not Schedule.from_settings(hours).is_open(at):
        kinds.append("out_of_hours")
    return kinds


def _claim(channel: Channel, number: int, kind: str, at: datetime, quiet: timedelta) -> bool:
    """Mark the reply as sent on the ticket unless it was, within the quiet period (calendar
    time, in the one clock's UTC ISO format, so the stored times compare as strings)."""
    slot = Ticket.auto_replies[kind]
    try:
        Ticket(keys.ticket_pk(channel.tenant_id, number), keys.ticket_sk()).update(
            actions=[slot.set(iso(at))],
            condition=Ticket.PK.exists() & (slot.does_not_exist() | (slot < iso(at - quiet))),
        )
        return True
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise


def send_due_auto_replies(channel: Channel, outcome: Outcome) -> list[str]:
    """Queue each due auto-reply as an outbound message of the ticket; returns the kinds."""
    at = now()
    replies = (channel.settings or {}).get("auto_replies") or {}
    quiet = timedelta(minutes=int(replies.get("quiet_period_minutes", 240)))
    sent = []
    for kind in due_kinds(channel, outcome, at):
        if not _claim(channel, outcome.ticket_number, kind, at, quiet):
            continue
        queue_outbound(channel, outcome.ticket_number, replies[kind]["text"], at,
                       extra={"auto_reply": kind})  # fmt: skip
        sent.append(kind)
    return sent


def queue_outbound(
    channel: Channel,
    number: int,
    text: str,
    at: datetime,
    author_id: str | None = None,
    extra: dict[str, Any] | None = None,
    public: bool = False,
) -> Message:
    """Store an outbound message (status queued) and put it on the outbound queue."""
    message_id = new_message_id(at)
    message = Message(
        *message_key(channel.tenant_id, number, message_id),
        tenant_id=channel.tenant_id, message_id=message_id, ticket_number=number,
        channel_id=channel.channel_id, direction="out", author_id=author_id, text=text,
        public=public, status="queued", extra=extra or {}, sent_at=at, stored_at=at,
    )  # fmt: skip
    message.save(condition=Message.PK.does_not_exist())
    enqueue_send(message)
    return message


def enqueue_send(message: Message) -> None:
    """Hand a stored outbound message to the outbound worker."""
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url("outbound"),
        MessageBody=json.dumps({"type": "send_message", "tenant_id": message.tenant_id,
                                "ticket_number": int(message.ticket_number),
                                "message_id": message.message_id}),
    )  # fmt: skip
