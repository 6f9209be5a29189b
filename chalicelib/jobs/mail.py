"""The mail queue's consumer."""

from __future__ import annotations

from typing import Any

from chalicelib.jobs.queue_batch import process_batch
from chalicelib.mail.message import OutgoingEmail, deliver


def send_record(record: Any) -> None:
    deliver(OutgoingEmail.model_validate_json(record.body))


def consume(event: Any) -> dict[str, Any]:
    return process_batch(event, send_record)
