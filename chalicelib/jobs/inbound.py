"""The inbound queue's consumer: verified webhook bodies become tickets and statuses.

Each SQS record is one webhook delivery. A record that fails (a provider payload that
cannot be parsed, a throttled table) is reported alone for retry; after the queue's
``maxReceiveCount`` it lands in the dead-letter queue, with the reason logged here.
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.channels.events import (
    InboundEvent,
    InboundMessage,
    MalformedPayload,
    WebhookEnvelope,
)
from chalicelib.jobs.queue_batch import process_batch

log = logging.getLogger(__name__)


def parse(envelope: WebhookEnvelope) -> list[InboundEvent]:
    """The provider's adapter turns the raw body into normalised events."""
    body = envelope.body
    if envelope.body_s3_key:
        from chalicelib import aws
        from chalicelib.settings import get_settings

        body = (
            aws.client("s3")
            .get_object(Bucket=get_settings().bucket, Key=envelope.body_s3_key)["Body"]
            .read()
            .decode("utf-8")
        )
    if envelope.provider == "meta":
        from chalicelib.channels import meta

        return list(meta.parse(body))
    if envelope.provider == "twitter":
        from chalicelib.channels import twitter

        return list(twitter.parse(body))
    if envelope.provider in ("chat", "poll"):
        from pydantic import TypeAdapter, ValidationError

        try:
            return list(TypeAdapter(list[InboundMessage]).validate_json(body))
        except ValidationError as exc:
            raise MalformedPayload(str(exc)) from exc
    if envelope.provider == "ses":
        from chalicelib.jobs.inbound_email import parse_email

        return parse_email(body)
    raise MalformedPayload(f"no adapter for provider {envelope.provider!r}")


def handle_record(record: Any) -> None:
    from chalicelib.domain.channels.service import find_connected
    from chalicelib.domain.inbound.autoreply import send_due_auto_replies
    from chalicelib.domain.inbound.ingest import apply_status, ingest_message

    try:
        envelope = WebhookEnvelope.model_validate_json(record.body)
        events = parse(envelope)
    except (MalformedPayload, ValueError) as exc:
        log.error(
            "inbound payload cannot be parsed; it will be retried, then dead-lettered",
            extra={"sqs_message_id": record.message_id, "reason": str(exc)[:500]},
        )
        raise
    channels: dict[tuple[str, str], Any] = {}
    for event in events:
        key = (event.channel_type, event.account_id)
        if key not in channels:
            channels[key] = find_connected(*key)
        channel = channels[key]
        if channel is None:
            log.warning("no connected channel for an inbound event; dropped",
                        extra={"channel_type": key[0], "account_id": key[1]})  # fmt: skip
            continue
        if isinstance(event, InboundMessage):
            outcome = ingest_message(channel, event)
            # never answer an autoresponder: two robots would write to each other forever;
            # while the ticket's bot is on, the bot answers instead of the auto-replies
            if not outcome.duplicate and not outcome.bot and not event.extra.get("auto_submitted"):
                send_due_auto_replies(channel, outcome)
            if not outcome.duplicate:
                after_ingest(channel, event, outcome)
        else:
            apply_status(channel, event)


def after_ingest(channel: Any, event: InboundMessage, outcome: Any) -> None:
    """What follows a stored message, outside the ingest budget and best effort (the
    message is stored; a failure here is logged, never retried into a duplicate):
    a new client's search words, the assignee's notification, the integrations' events."""
    from chalicelib.domain import integrations, notifications
    from chalicelib.domain.helpdesk.search import index_new_client
    from chalicelib.store import keys
    from chalicelib.store.accounts import get_or_none
    from chalicelib.store.helpdesk import Client, Ticket

    tenant_id = channel.tenant_id
    try:
        if outcome.new_client:
            from chalicelib.domain.inbound.ingest import client_id_for

            client_id = client_id_for(channel.channel_id, event.sender_id)
            client = get_or_none(Client, keys.client_pk(tenant_id, client_id), keys.client_sk())
            if client is not None:
                index_new_client(client)
        if outcome.new_ticket:
            ticket = Ticket(tenant_id=tenant_id, number=outcome.ticket_number,
                            assignee_id=outcome.assignee_id)  # fmt: skip
            notifications.notify_assigned(ticket, None)
            integrations.emit(tenant_id, "ticket.created", {
                "ticket": outcome.ticket_number, "channel_id": channel.channel_id,
                "assignee_id": outcome.assignee_id})  # fmt: skip
        integrations.emit(tenant_id, "message.received", {
            "ticket": outcome.ticket_number, "channel_id": channel.channel_id,
            "text": event.text[:1000]})  # fmt: skip
        if outcome.bot:  # the ticket's bot is on: the tenant's bot gets the whole message
            integrations.emit(tenant_id, "bot.message", bot_message(channel, event, outcome))
    except Exception:
        log.exception("after-ingest step failed (search words, notification or events)",
                      extra={"tenant": tenant_id, "ticket": outcome.ticket_number})  # fmt: skip


def bot_message(channel: Any, event: InboundMessage, outcome: Any) -> dict[str, Any]:
    """What the bot hears of a client's message (docs/integrations.md "The bot"): enough
    to answer through ``POST /v1/bot/tickets/{number}/messages`` without another read."""
    from chalicelib.clock import iso

    return {
        "ticket": outcome.ticket_number,
        "message_id": outcome.message_id,
        "channel_id": channel.channel_id,
        "channel_type": channel.channel_type,
        "client_name": event.sender_name,
        "public": bool(event.public),
        "text": event.text[:4000],
        "attachments": [
            {"kind": a.kind, "mime_type": a.mime_type, "name": a.name} for a in event.attachments
        ],
        "sent_at": iso(event.sent_at),
    }


def consume(event: Any) -> dict[str, Any]:
    return process_batch(event, handle_record)
