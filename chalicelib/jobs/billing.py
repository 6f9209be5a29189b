"""The billing queue's consumer: Stripe events stored by ``POST /webhooks/stripe``, one
message per event (jobs/effects.py), processed by id (domain/billing/events.py).

A record that fails (Stripe or DynamoDB unreachable) is reported in ``batchItemFailures``
and comes back after the queue's visibility timeout; after 5 receives it goes to the
billing dead-letter queue (infra/resources.yaml). Processing an event twice does nothing
twice: it is skipped once ``processed_at`` is set, and every step before is idempotent.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from chalicelib.jobs.queue_batch import process_batch

log = logging.getLogger(__name__)


def process_record(record: Any) -> None:
    from chalicelib.domain.billing.events import process

    body = json.loads(record.body)
    event_id = body.get("event_id") if isinstance(body, dict) else None
    if not isinstance(event_id, str) or not event_id:
        log.error(
            "a billing message without an event id; dropped", extra={"body": record.body[:200]}
        )
        return
    process(event_id)


def handle(event: Any) -> dict[str, Any]:
    """Process a Chalice ``SQSEvent`` of the billing queue; failed records are retried."""
    return process_batch(event, process_record)
