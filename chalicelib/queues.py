"""The platform's queues, as the domain hands work to them.

``send`` puts one message on one of the platform's queues (``inbound``, ``outbound``,
``mail``, ``integrations``). The domain calls it and never sees SQS: a message the queue
did not take is ``NotQueued``, whatever the AWS client said (docs/decisions.md, "Fences").
"""

from __future__ import annotations

from chalicelib import aws


class NotQueued(Exception):
    """The queue refused the message or did not answer after the client's retries."""


def send(queue: str, body: str) -> None:
    """Put ``body`` on the platform's queue ``queue``; ``NotQueued`` if it did not go."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        aws.client("sqs").send_message(QueueUrl=aws.queue_url(queue), MessageBody=body)
    except (BotoCoreError, ClientError) as exc:
        raise NotQueued(f"the {queue} queue did not take the message: {exc}") from exc
