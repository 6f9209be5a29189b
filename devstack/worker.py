"""The local stand-in for Lambda's event source mappings: the queues and the table's stream.

Long-polls every queue that app.py consumes and calls the very handler Lambda
would call, with the same event. Messages the handler reports in
``batchItemFailures`` (or all of them, if it raises) stay on the queue, come back
after the visibility timeout and, after the queue's ``maxReceiveCount``, land in
its dead-letter queue, as on AWS.

The table's stream (DynamoDB Local serves one) is read the same way for app.py's
``@app.on_dynamodb_record`` handler (:class:`TableStream`): records in order per shard,
a reported failure retried from that record, and after :data:`STREAM_MAX_RETRIES` the
batch described in the ``effects-dlq`` queue, as Lambda's on-failure destination does.
Where each shard stopped is kept in memory: a restarted worker reads the stream from
its oldest record (24 hours) again, and the effects, idempotent, are not done twice.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

from chalice.app import DynamoDBEventConfig, SQSEventConfig

from chalicelib import aws, logs
from chalicelib.settings import get_settings
from chalicelib.store.stream import client as stream_client
from devstack.lambda_events import LambdaContext, dynamodb_event, sqs_event

log = logging.getLogger("devstack.worker")


def sqs_consumers(app_module: Any) -> list[tuple[SQSEventConfig, Any]]:
    """(event source, handler) for every ``@app.on_sqs_message`` of the app."""
    return [
        (source, getattr(app_module, source.name))
        for source in app_module.app.event_sources
        if isinstance(source, SQSEventConfig)
    ]


@cache
def _queue(name: str) -> tuple[str, str]:
    """URL and ARN of a queue, by name."""
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def deliver_once(source: SQSEventConfig, handler: Any, wait_seconds: int = 10) -> int:
    """Receive one batch and hand it to the handler; returns how many messages came."""
    sqs = aws.client("sqs")
    url, arn = _queue(str(source.queue))
    received = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=min(source.batch_size, 10),
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    ).get("Messages", [])
    if not received:
        return 0
    event = sqs_event(received, arn, get_settings().region)
    context = LambdaContext(source.name)
    token = logs.request_id.set(context.aws_request_id)
    failed: set[str] = set()
    try:
        result = handler(event, context)
        if isinstance(result, dict):
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    except Exception:
        log.exception(
            "handler raised; the whole batch will be retried", extra={"handler": source.name}
        )
        failed = {m["MessageId"] for m in received}
    finally:
        logs.request_id.reset(token)
    done = [m for m in received if m["MessageId"] not in failed]
    if done:
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
            ],
        )
    if failed:
        log.warning(
            "messages left for retry", extra={"handler": source.name, "failed": sorted(failed)}
        )
    return len(received)


def stream_consumers(app_module: Any) -> list[tuple[DynamoDBEventConfig, Any]]:
    """(event source, handler) for every ``@app.on_dynamodb_record`` of the app."""
    return [
        (source, getattr(app_module, source.name))
        for source in app_module.app.event_sources
        if isinstance(source, DynamoDBEventConfig)
    ]


#: the stream event source's ``MaximumRetryAttempts`` (infra/package.py)
STREAM_MAX_RETRIES = 10


class TableStream:
    """Lambda's event source mapping for the table's stream, on this machine.

    Each :meth:`deliver_once` reads one batch from each shard (a parent shard before its
    children) after the last record handled and hands it to the handler as Lambda
    would. A record reported in ``batchItemFailures`` (or the whole batch, if the
    handler raises) and every record after it are read again next time; a record that
    failed more than :data:`STREAM_MAX_RETRIES` times has its batch described in the
    ``effects-dlq`` queue and is passed over.
    """

    def __init__(self, source: DynamoDBEventConfig, handler: Any) -> None:
        from chalicelib.store.base import Item

        self.source = source
        self.handler = handler
        self.table = Item.Meta.table_name  # the models' table, wherever they point
        self.arn: str | None = None
        self.after: dict[str, str] = {}  # shard -> sequence number of the last record handled
        self.closed: set[str] = set()  # shards read to their end
        self.failures: dict[tuple[str, str], int] = {}
        self.dead_lettered = 0

    def stream_arn(self) -> str | None:
        from chalicelib.store.base import Item

        described = Item._get_connection().connection.describe_table(self.table)
        arn = described.get("LatestStreamArn")
        if arn != self.arn:  # a new table (or stream): start again from its beginning
            self.arn, self.after, self.closed, self.failures = arn, {}, set(), {}
        return arn

    def _shards(self, streams: Any, arn: str) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        start: dict[str, str] = {}
        while True:
            described = streams.describe_stream(StreamArn=arn, **start)["StreamDescription"]
            shards += described.get("Shards", [])
            last = described.get("LastEvaluatedShardId")
            if not last:
                return shards
            start = {"ExclusiveStartShardId": last}

    def deliver_once(self) -> int:
        """One batch from each readable shard; returns how many records were handed over."""
        arn = self.stream_arn()
        if arn is None:
            return 0
        streams = stream_client()
        shards = self._shards(streams, arn)
        known = {shard["ShardId"] for shard in shards}
        count = 0
        for shard in shards:
            shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
            if shard_id in self.closed or (parent in known and parent not in self.closed):
                continue
            count += self._read(streams, arn, shard_id)
        return count

    def _read(self, streams: Any, arn: str, shard_id: str) -> int:
        # a new iterator each time: cheap locally, and never stale
        where: dict[str, str] = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self.after[shard_id]}
            if shard_id in self.after
            else {"ShardIteratorType": "TRIM_HORIZON"}
        )
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, **where)
        page = streams.get_records(
            ShardIterator=iterator["ShardIterator"], Limit=min(self.source.batch_size, 1000)
        )
        records = page.get("Records", [])
        if not records:
            if not page.get("NextShardIterator"):
                self.closed.add(shard_id)
            return 0
        failed = self._handle(records, arn)
        done = [r for r in records if failed is None or _seq(r) < failed]
        if done:
            self.after[shard_id] = done[-1]["dynamodb"]["SequenceNumber"]
        if failed is not None:
            tries = self.failures.get((shard_id, str(failed)), 0) + 1
            self.failures[(shard_id, str(failed))] = tries
            if tries > STREAM_MAX_RETRIES:
                rest = records[len(done) :]
                self._dead_letter(arn, shard_id, rest, tries)
                self.after[shard_id] = rest[-1]["dynamodb"]["SequenceNumber"]
        return len(records)

    def _handle(self, records: list[dict[str, Any]], arn: str) -> int | None:
        """Hand the batch over; returns the sequence number to retry from, if any."""
        event = dynamodb_event(records, arn, get_settings().region)
        context = LambdaContext(self.source.name)
        token = logs.request_id.set(context.aws_request_id)
        try:
            result = self.handler(event, context)
        except Exception:
            log.exception("stream handler raised; the batch will be retried",
                          extra={"handler": self.source.name})  # fmt: skip
            return _seq(records[0])
        finally:
            logs.request_id.reset(token)
        failures = result.get("batchItemFailures") or [] if isinstance(result, dict) else []
        return min((int(f["itemIdentifier"]) for f in failures), default=None)

    def _dead_letter(
        self, arn: str, shard_id: str, records: list[dict[str, Any]], tries: int
    ) -> None:
        """What Lambda's on-failure destination gets: the batch's place, not its records."""
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        body = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": LambdaContext(self.source.name).invoked_function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": tries,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": str(first.get("ApproximateCreationDateTime")),
                "approximateArrivalOfLastRecord": str(last.get("ApproximateCreationDateTime")),
                "batchSize": len(records),
                "streamArn": arn,
            },
        }
        aws.client("sqs").send_message(
            QueueUrl=aws.queue_url("effects-dlq"), MessageBody=json.dumps(body)
        )
        self.dead_lettered += 1
        log.error("stream records failed every retry; described in effects-dlq",
                  extra={"handler": self.source.name, **body["DDBStreamBatchInfo"]})  # fmt: skip

    def drain(self) -> int:
        """Read until the stream has nothing new (tests; a failing record ends dead-lettered)."""
        total = 0
        while count := self.deliver_once():
            total += count
        return total


def _seq(record: dict[str, Any]) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


def run_forever(stop: threading.Event) -> None:
    import app as app_module

    threads = []
    for source, handler in sqs_consumers(app_module):

        def loop(source: SQSEventConfig = source, handler: Any = handler) -> None:
            while not stop.is_set():
                try:
                    deliver_once(source, handler, wait_seconds=2)
                except Exception:
                    log.exception("polling failed", extra={"queue": source.queue})
                    stop.wait(2)

        thread = threading.Thread(target=loop, name=f"worker-{source.name}", daemon=True)
        thread.start()
        threads.append(thread)
        log.info("worker consuming", extra={"queue": source.queue, "handler": source.name})
    for stream_source, stream_handler in stream_consumers(app_module):
        stream = TableStream(stream_source, stream_handler)

        def follow(stream: TableStream = stream) -> None:
            while not stop.is_set():
                try:
                    if not stream.deliver_once():
                        stop.wait(0.5)
                except Exception:
                    log.exception(
                        "reading the table's stream failed", extra={"table": stream.table}
                    )
                    stop.wait(2)

        thread = threading.Thread(target=follow, name=f"worker-{stream_source.name}", daemon=True)
        thread.start()
        threads.append(thread)
        log.info("worker following the table's stream",
                 extra={"table": stream.table, "handler": stream_source.name})  # fmt: skip
    stop.wait()
    for thread in threads:
        thread.join(timeout=5)


def main() -> None:
    logs.configure(get_settings().log_level)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_forever(stop)


if __name__ == "__main__":
    main()
