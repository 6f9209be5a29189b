"""The effects sweep (every minute): what the table's stream consumer could not finish.

- **Stuck sends.** An outbound message whose trip to the outbound queue failed was
  marked in the Due index (``DUE#send#0``, due 5 minutes after it was stored,
  ``effects.mark_send_stuck``). Each due one still ``queued`` goes on the queue again
  and loses its mark; one that left ``queued`` meanwhile only loses its mark. One Query,
  then per stuck message one SendMessage and one UpdateItem.
- **Dead stream batches.** A batch of the stream that failed all of Lambda's retries is
  described (shard, first and last sequence numbers, not the records) in the
  ``effects-dlq`` queue. Its records are read from the stream again and handed to the
  effects consumer; the description is deleted once they all succeed, and otherwise
  comes back after the queue's visibility timeout. Every effect is idempotent, so the
  records of the batch that had succeeded before do nothing twice. The stream keeps
  records 24 hours: a batch older than that is logged as lost (with its place) and
  dropped.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.clock import iso, now
from chalicelib.jobs import effects
from chalicelib.jobs.scheduled import run_scheduled
from chalicelib.store import keys
from chalicelib.store.base import condition_failed
from chalicelib.store.helpdesk import Message

log = logging.getLogger(__name__)

#: at most this many stuck messages, and dead batches, per run (the rest wait a minute)
MOST_PER_RUN = 100
DEAD_BATCHES_PER_RUN = 10


def scheduled_run() -> dict[str, int]:
    return run_scheduled("effects_sweep", lambda: sweep(now()))


def sweep(at: datetime) -> dict[str, int]:
    """Re-drive what is stuck; returns how many sends and batches went through again."""
    return {"sends": redrive_sends(at), "batches": redrive_dead_batches()}


# --- stuck sends -------------------------------------------------------------------------------
def stuck_sends(at: datetime, most: int = MOST_PER_RUN) -> list[Message]:
    """Outbound messages marked stuck and due by ``at``, oldest first: one Query."""
    bound = keys.due_bound(iso(at))
    return list(Message.due.query(effects.STUCK_SENDS, Message.DueSK <= bound, limit=most))


def redrive_sends(at: datetime) -> int:
    """Put each due stuck message on the outbound queue again; returns how many went."""
    sent = 0
    for message in stuck_sends(at):
        if message.status == "queued":
            try:
                effects.enqueue_send(message)
            except Exception:
                log.exception("stuck outbound message not queued again; next run tries",
                              extra={"tenant_id": message.tenant_id,
                                     "message_id": message.message_id})  # fmt: skip
                continue
            sent += 1
        _unmark(message)
    return sent


def _unmark(message: Message) -> None:
    try:
        Message(message.PK, message.SK).update(
            actions=[Message.DuePK.remove(), Message.DueSK.remove()],
            condition=Message.DueSK == message.DueSK,  # not a newer mark of the same message
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


# --- dead stream batches -----------------------------------------------------------------------
def redrive_dead_batches(most: int = DEAD_BATCHES_PER_RUN) -> int:
    """Hand the records of the described dead batches to the effects consumer again;
    returns how many batches went through."""
    from chalicelib import aws

    sqs, url = aws.client("sqs"), aws.queue_url("effects-dlq")
    done = 0
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(most, 10)).get(
        "Messages", []
    )
    for dead in received:
        if _redrive(dead["Body"]):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=dead["ReceiptHandle"])
            done += 1
    return done


def _redrive(body: str) -> bool:
    """True when the batch is settled (its records all succeeded, or expired: logged)."""
    from chalice.app import DynamoDBEvent

    from chalicelib.store.stream import RecordsExpired, read_range

    try:
        batch = json.loads(body)["DDBStreamBatchInfo"]
    except (ValueError, KeyError, TypeError):
        log.error("effects-dlq message is not a stream batch; dropped", extra={"body": body[:500]})
        return True
    where = {k: batch.get(k) for k in ("streamArn", "shardId", "startSequenceNumber",
                                       "endSequenceNumber", "batchSize")}  # fmt: skip
    try:
        records = read_range(batch["streamArn"], batch["shardId"],
                             batch["startSequenceNumber"], batch["endSequenceNumber"])  # fmt: skip
    except RecordsExpired:
        log.error("a dead stream batch expired before it could be re-driven: its effects are "
                  "lost (docs/deploy.md, 'Effects')", extra=where)  # fmt: skip
        return True
    result: dict[str, Any] = effects.handle(DynamoDBEvent({"Records": records}, None))
    if result.get("batchItemFailures"):
        log.warning("a dead stream batch failed again; the next run tries", extra=where)
        return False
    log.info("dead stream batch re-driven", extra={**where, "records": len(records)})
    return True
