"""The local stand-in for Lambda's SQS event source mappings.

Long-polls every queue that app.py consumes and calls the very handler Lambda
would call, with the same event. Messages the handler reports in
``batchItemFailures`` (or all of them, if it raises) stay on the queue, come back
after the visibility timeout and, after the queue's ``maxReceiveCount``, land in
its dead-letter queue, as on AWS.
"""

from __future__ import annotations

import logging
import signal
import threading
from functools import cache
from typing import Any

from chalice.app import SQSEventConfig

from chalicelib import aws, logs
from chalicelib.settings import get_settings
from devstack.lambda_events import LambdaContext, sqs_event

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
