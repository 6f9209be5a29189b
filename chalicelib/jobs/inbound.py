"""The inbound queue's consumer: verified webhook bodies become tickets and statuses.

Each SQS record is one webhook delivery. A batch's events are applied client by client,
different clients side by side (``consume``). A record that fails (a provider payload
that cannot be parsed, a throttled table) is reported for retry, with the later records
of the same client; after the queue's ``maxReceiveCount`` it lands in the dead-letter
queue, with the reason logged here.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.channels.events import (
    InboundEvent,
    InboundMessage,
    MalformedPayload,
    WebhookEnvelope,
)
from chalicelib.channels.registry import parser_of

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


#: the clients whose records are stored side by side in a batch: as many as a batch has
#: records (SQS gives 10 at most; a Meta delivery may carry messages of several clients)
WORKERS = 10
#: how long a warm Lambda trusts a connected channel it looked up (a channel
#: disconnected meanwhile may still take messages for this long; docs/channels.md)
CHANNEL_TTL = timedelta(seconds=30)

_channels: dict[tuple[str, str], tuple[datetime, Any]] = {}
_memory_lock = threading.Lock()  # what a warm Lambda remembers: channels, tickets, pool


def channel_for(channel_type: str, account_id: str) -> Any:
    """The connected channel of a webhook's account, looked up at most once per
    ``CHANNEL_TTL`` by a warm Lambda (it is the same channel for every record)."""
    from chalicelib.clock import now
    from chalicelib.domain.channels.service import find_connected

    key = (channel_type, account_id)
    at = now()
    cached = _channels.get(key)
    if cached is not None and timedelta(0) <= at - cached[0] < CHANNEL_TTL:
        return cached[1]
    channel = find_connected(channel_type, account_id)
    if channel is not None:  # an absent one is asked again: it may be connected any moment
        with _memory_lock:
            _channels[key] = (at, channel)
    return channel


#: (tenant, client) -> the ticket its latest message went to: a guess ingest checks
#: (``ingest_message(known_ticket=...)``), so a message into an open ticket costs two
#: writes and no read. Bounded: the least recently used are forgotten.
_tickets: OrderedDict[tuple[str, str], int] = OrderedDict()
TICKETS_REMEMBERED = 10_000


def _known_ticket(key: tuple[str, str]) -> int | None:
    with _memory_lock:
        return _tickets.get(key)


def _remember_ticket(key: tuple[str, str], number: int) -> None:
    with _memory_lock:
        _tickets[key] = number
        _tickets.move_to_end(key)
        while len(_tickets) > TICKETS_REMEMBERED:
            _tickets.popitem(last=False)


def forget() -> None:
    """Drop the channels, tickets and claims this process remembers (a test's new table)."""
    from chalicelib.domain.inbound.ingest import forget_claims

    with _memory_lock:
        _channels.clear()
        _tickets.clear()
    forget_claims()


@dataclass(frozen=True)
class Record:
    """One SQS record: its id (what a partial failure names) and its body."""

    message_id: str
    body: str


_workers: dict[int, ThreadPoolExecutor] = {}


def _pool() -> ThreadPoolExecutor:
    """The threads a warm Lambda keeps for its batches (started once, not per batch)."""
    with _memory_lock:
        if WORKERS not in _workers:
            _workers[WORKERS] = ThreadPoolExecutor(
                max_workers=WORKERS, thread_name_prefix="inbound"
            )
        return _workers[WORKERS]


def parse_record(record: Record) -> list[InboundEvent]:
    try:
        envelope = WebhookEnvelope.model_validate_json(record.body)
        return parse(envelope)
    except (MalformedPayload, ValueError) as exc:
        log.error(
            "inbound payload cannot be parsed; it will be retried, then dead-lettered",
            extra={"sqs_message_id": record.message_id, "reason": str(exc)[:500]},
        )
        raise


def handle_event(event: InboundEvent) -> None:
    from chalicelib.domain.inbound.ingest import apply_status, client_id_for, ingest_message

    channel = channel_for(event.channel_type, event.account_id)
    if channel is None:
        log.warning("no connected channel for an inbound event; dropped",
                    extra={"channel_type": event.channel_type, "account_id": event.account_id})  # fmt: skip
        return
    if isinstance(event, InboundMessage):
        # what a stored message causes (search words, the assignee's notification,
        # integration events, auto-replies) follows from the table's stream, so a
        # redelivery after a crash loses none of it: jobs/effects.py
        key = (channel.tenant_id, client_id_for(channel.channel_id, event.sender_id))
        outcome = ingest_message(channel, event, known_ticket=_known_ticket(key))
        _remember_ticket(key, outcome.ticket_number)
    else:
        apply_status(channel, event)


def handle_record(record: Record) -> None:
    """One record, its events in order (what a batch does for each, but one at a time)."""
    for event in parse_record(record):
        handle_event(event)


def _lane(event: InboundEvent) -> tuple[str, ...]:
    """Events of one lane are applied in order; lanes run side by side. A client's
    messages share a lane (its ticket, its client item); a sent message's statuses too."""
    if isinstance(event, InboundMessage):
        return ("message", event.channel_type, event.account_id, event.sender_id)
    return ("status", event.channel_type, event.account_id, event.provider_message_id)


def consume(event: Any) -> dict[str, Any]:
    """A batch of records: parsed, then their events grouped by client and applied, each
    client's in the order of the batch, different clients' side by side (the DynamoDB
    calls wait on the network). A record whose event fails is reported for retry, and so
    is every later record of that client, so a client's messages never overtake each
    other; the others are done (docs/channels.md, "The inbound consumer")."""
    from chalicelib.domain.inbound.ingest import StatusTooEarly

    records = [Record(r["messageId"], r["body"]) for r in event.to_dict()["Records"]]
    failed: set[str] = set()
    lanes: dict[tuple[str, ...], list[tuple[str, InboundEvent]]] = {}
    for record in records:
        try:
            events = parse_record(record)
        except (MalformedPayload, ValueError):
            failed.add(record.message_id)
            continue
        for inbound in events:
            lanes.setdefault(_lane(inbound), []).append((record.message_id, inbound))

    def run(lane: list[tuple[str, InboundEvent]]) -> set[str]:
        lane_failed: set[str] = set()
        for record_id, inbound in lane:
            if lane_failed:  # an earlier message of this client failed: keep the order
                lane_failed.add(record_id)
                continue
            try:
                handle_event(inbound)
            except StatusTooEarly:  # the send is being recorded: the queue brings it back
                log.info("status before its send is recorded; retried",
                         extra={"sqs_message_id": record_id})  # fmt: skip
                lane_failed.add(record_id)
            except Exception:
                log.exception("inbound event failed; its record will be retried",
                              extra={"sqs_message_id": record_id, "channel_type": inbound.channel_type})  # fmt: skip
                lane_failed.add(record_id)
        return lane_failed

    groups = list(lanes.values())
    if len(groups) <= 1 or WORKERS <= 1:
        for lane in groups:
            failed |= run(lane)
    else:
        for lane_failed in _pool().map(run, groups):
            failed |= lane_failed
    return {
        "batchItemFailures": [
            {"itemIdentifier": r.message_id} for r in records if r.message_id in failed
        ]
    }
