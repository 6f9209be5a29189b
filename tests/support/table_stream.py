"""The table's stream handed to app.py's effects handler as Lambda would hand it.

What a stored item causes (search words, notifications, integration events,
auto-replies, outbound sends, a merge's copies) follows from the table's stream
(chalicelib/jobs/effects.py). Tests call :func:`run_effects` after the writes whose
effects they look at, as the local worker would have, moments later.
"""

from __future__ import annotations

import json
from typing import Any

import app
from chalicelib import aws as aws_clients
from devstack.worker import TableStream, stream_consumers

_STREAMS: dict[str, TableStream] = {}


def table_stream() -> TableStream:
    """The reader of the current table's stream (it remembers where it stopped)."""
    [(source, handler)] = stream_consumers(app)
    reader = TableStream(source, handler)
    arn = reader.stream_arn()
    assert arn, "the table has no stream: infra/resources.yaml's StreamSpecification?"
    return _STREAMS.setdefault(arn, reader)


def run_effects() -> int:
    """Apply the effects of every change not yet handled; returns how many records came."""
    return table_stream().drain()


def drain_integrations() -> list[dict[str, Any]]:
    """The integration events queued so far (removed from the queue)."""
    sqs, url = aws_clients.client("sqs"), aws_clients.queue_url("integrations")
    found = []
    while received := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        found += [json.loads(m["Body"]) for m in received]
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)])  # fmt: skip
    return found


def read_stream_again() -> int:
    """A reader that starts from the stream's oldest record, as a restarted worker does."""
    [(source, handler)] = stream_consumers(app)
    return TableStream(source, handler).drain()
