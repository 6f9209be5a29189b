"""Running an SQS batch record by record, reporting only the failed ones for retry.

Uses Powertools' batch processor: the Lambda event source mapping has
``ReportBatchItemFailures`` (set in ``infra/``), and the local worker honours the
same ``batchItemFailures`` answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


def process_batch(event: Any, handle_record: Callable[[Any], None]) -> dict[str, Any]:
    """Call ``handle_record`` on each record of a Chalice ``SQSEvent``; failures are retried."""
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    return process_partial_response(  # type: ignore[return-value]
        event=event.to_dict(),
        record_handler=handle_record,
        # every record failing is still a partial answer (all ids listed), not an exception
        processor=BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False),
        context=event.context,
    )


def process_batch_concurrently(
    event: Any, handle_record: Callable[[Any], Awaitable[None]]
) -> dict[str, Any]:
    """Like :func:`process_batch`, with the records' coroutines run side by side (each
    one usually ``asyncio.to_thread`` of blocking work: slow receivers or providers)."""
    from aws_lambda_powertools.utilities.batch import (
        AsyncBatchProcessor,
        EventType,
        async_process_partial_response,
    )

    return async_process_partial_response(  # type: ignore[return-value]
        event=event.to_dict(),
        record_handler=handle_record,
        processor=AsyncBatchProcessor(
            event_type=EventType.SQS, raise_on_entire_batch_failure=False
        ),
        context=event.context,
    )
