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
from chalicelib.channels.registry import parser_of
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
    parse_body = parser_of(envelope.provider)  # the channel's adapter, imported on first use
    if parse_body is None:
        raise MalformedPayload(f"no adapter for provider {envelope.provider!r}")
    return list(parse_body(body))


def handle_record(record: Any) -> None:
    from chalicelib.domain.channels.service import find_connected
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
            # what a stored message causes (search words, the assignee's notification,
            # integration events, auto-replies) follows from the table's stream, so a
            # redelivery after a crash loses none of it: jobs/effects.py
            ingest_message(channel, event)
        else:
            apply_status(channel, event)


def consume(event: Any) -> dict[str, Any]:
    return process_batch(event, handle_record)
