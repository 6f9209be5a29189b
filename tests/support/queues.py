"""The app's SQS queues as the tests drive them (moto's queues, the handlers Lambda calls)."""

from __future__ import annotations

import app
from chalicelib import aws as aws_clients
from devstack.worker import deliver_once, sqs_consumers
from tests.support.table_stream import run_effects


def run_inbound_worker() -> None:
    """Drain the inbound queue into its handler, then the effects of what it stored."""
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "receive_inbound"]
    while deliver_once(source, handler, wait_seconds=0):
        pass
    run_effects()  # what the stored messages cause (jobs/effects.py)


def queue_depth(name: str) -> int:
    attributes = aws_clients.client("sqs").get_queue_attributes(
        QueueUrl=aws_clients.queue_url(name), AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])
