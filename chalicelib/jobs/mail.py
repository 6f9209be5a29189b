"""The mail queue's consumer: emails to send, and password-reset requests to look up."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.jobs.queue_batch import process_batch
from chalicelib.mail.message import OutgoingEmail, deliver


def send_record(record: Any) -> None:
    body = json.loads(record.body)
    if isinstance(body, dict) and body.get("type") == "password_reset_request":
        from chalicelib.domain.accounts.recovery import PasswordResetRequest, process_reset_request

        process_reset_request(PasswordResetRequest.model_validate(body))
        return
    deliver(OutgoingEmail.model_validate(body))


def consume(event: Any) -> dict[str, Any]:
    return process_batch(event, send_record)
