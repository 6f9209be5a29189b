"""The integrations queue's consumer: a tenant's events, fanned out to its webhooks and POSTed.

Two kinds of message travel on the queue:

- ``emit`` (from ``domain.integrations.emit``): one event of a tenant. It becomes one
  ``deliver`` message per active webhook of the tenant that listens to the event, sent
  back onto the same queue with one SendMessageBatch (ten webhooks at most).
- ``deliver``: one signed POST to one webhook. A 2xx answer is done. 429, 5xx or no
  answer (refused, timed out) raises, so only that record is reported in
  ``batchItemFailures`` and SQS delivers it again after the visibility timeout; after
  the queue's ``maxReceiveCount`` it lands in the dead-letter queue, the reason logged
  here. Any other answer (4xx, or a 3xx: redirects are never followed) is the
  receiver's "no": logged, recorded on the webhook and dropped.

The records of a batch run side by side (one thread each): ten receivers taking the
full 10-second timeout cost ten seconds, not a hundred, inside the 30-second function.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from chalicelib.clock import now
from chalicelib.domain import integrations
from chalicelib.domain.errors import NotFound
from chalicelib.domain.integrations import DeliverMessage, EmitMessage, delivery_id
from chalicelib.jobs.queue_batch import process_batch_concurrently
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
#: the integrations queue's ``maxReceiveCount`` in infra/resources.yaml
MAX_RECEIVES = 5
USER_AGENT = "Atiende-Webhooks/1.0"


class DeliveryFailed(Exception):
    """The receiver may take it later (429, 5xx, no answer): SQS retries the record."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as the 3xx it is: a signed body is not sent elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def handle(event: Any) -> dict[str, Any]:
    """Run a Chalice ``SQSEvent``'s records concurrently; report the failed ones for retry."""

    async def run(record: Any) -> None:
        await asyncio.to_thread(handle_record, record)

    return process_batch_concurrently(event, run)


def handle_record(record: Any) -> None:
    try:
        body = json.loads(record.body)
        kind = body.get("type") if isinstance(body, dict) else None
        if kind == "emit":
            message: EmitMessage | DeliverMessage = EmitMessage.model_validate(body)
        elif kind == "deliver":
            message = DeliverMessage.model_validate(body)
        else:
            raise ValueError(f"unknown message type {kind!r}")
    except ValueError as exc:  # pydantic's ValidationError is one
        log.error(
            "integrations message cannot be read; it will be retried, then dead-lettered",
            extra={"sqs_message_id": record.message_id, "reason": str(exc)[:500]},
        )
        raise
    if isinstance(message, EmitMessage):
        fan_out(message)
    else:
        attempt = int(record.attributes.approximate_receive_count or 1)
        deliver(message, attempt)


def fan_out(message: EmitMessage) -> None:
    """One ``deliver`` message per subscribed webhook; a retry sends the same delivery ids."""
    from chalicelib import aws

    targets = integrations.subscribed(message.tenant_id, message.event)
    if not targets:
        return
    entries = [
        {
            "Id": str(index),
            "MessageBody": DeliverMessage(
                delivery_id=delivery_id(message.event_id, target.integration_id),
                integration_id=target.integration_id,
                tenant_id=message.tenant_id,
                event=message.event,
                created_at=message.created_at,
                data=message.data,
            ).model_dump_json(),
        }
        for index, target in enumerate(targets)
    ]
    sent = aws.client("sqs").send_message_batch(
        QueueUrl=aws.queue_url("integrations"), Entries=entries
    )
    if sent.get("Failed"):
        # all are sent again; receivers drop repeats by X-Atiende-Delivery
        raise DeliveryFailed(f"{len(sent['Failed'])} of {len(entries)} deliveries not queued")
    log.info(
        "integration event fanned out",
        extra={
            "tenant_id": message.tenant_id,
            "event": message.event,
            "event_id": message.event_id,
            "webhooks": len(entries),
        },
    )


def _public_host(host: str, port: int) -> bool:
    """Every address ``host`` resolves to is public (checked again at each delivery, as
    a name can move; loopback and private ranges are refused outside the local stage)."""
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError:
        return True  # unresolvable: the POST fails as a network error and is retried
    return all(ipaddress.ip_address(info[4][0]).is_global for info in found)


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    """POST ``body``; returns (HTTP status or None when no answer came, what went wrong)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(64 * 1024)
            return int(response.status), None
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, f"HTTP {error.code} {error.reason}".strip()
    except urllib.error.URLError as error:
        return None, f"no answer: {error.reason}"[:300]
    except (TimeoutError, OSError) as error:
        return None, f"no answer: {error}"[:300]


def deliver(message: DeliverMessage, attempt: int = 1) -> None:
    """POST one event to one webhook, signed; raise ``DeliveryFailed`` to have it retried."""
    try:
        integration = integrations.get_integration(message.tenant_id, message.integration_id)
    except NotFound:
        integration = None
    where: dict[str, Any] = {
        "tenant_id": message.tenant_id,
        "integration_id": message.integration_id,
        "delivery_id": message.delivery_id,
        "event": message.event,
        "attempt": attempt,
    }
    test = message.event == integrations.TEST_EVENT
    if integration is None or (
        not test and (not integration.active or message.event not in integration.events)
    ):
        log.info("webhook deleted, paused or unsubscribed meanwhile; delivery dropped", extra=where)
        return
    parts = urlsplit(integration.url)
    where["host"] = parts.hostname  # never the whole URL: its path or query may hold a token
    if not get_settings().is_local and not _public_host(
        parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    ):
        refused = "the URL resolves to a private address"
        integrations.record_result(
            integration, "failed", None, refused, message=message, attempt=attempt
        )
        log.warning("webhook not called: %s; not retried", refused, extra=where)
        return

    body = message.payload()
    timestamp = str(int(now().timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Atiende-Event": message.event,
        "X-Atiende-Delivery": message.delivery_id,
        "X-Atiende-Timestamp": timestamp,
        "X-Atiende-Signature": integrations.sign(
            integrations.secret_of(integration), timestamp, body
        ),
    }
    started = time.monotonic()
    status, error = post(integration.url, body, headers)
    seconds = time.monotonic() - started
    where.update(status=status, seconds=round(seconds, 3))
    took = round(seconds * 1000)
    if status is not None and 200 <= status < 300:
        integrations.record_result(
            integration,
            "delivered",
            status,
            None,
            message=message,
            attempt=attempt,
            duration_ms=took,
        )
        log.info("webhook delivered", extra=where)
        return
    if status is None or status == 429 or status >= 500:
        last = attempt >= MAX_RECEIVES
        integrations.record_result(
            integration,
            "failed" if last else "retrying",
            status,
            error,
            message=message,
            attempt=attempt,
            duration_ms=took,
        )
        if last:
            log.error(
                "webhook delivery failed for the last time; it goes to the dead-letter queue",
                extra={**where, "reason": error},
            )
        else:
            log.warning(
                "webhook delivery failed; SQS will retry it", extra={**where, "reason": error}
            )
        raise DeliveryFailed(error or f"HTTP {status}")
    integrations.record_result(
        integration, "failed", status, error, message=message, attempt=attempt, duration_ms=took
    )
    log.warning("webhook refused the delivery; not retried", extra={**where, "reason": error})
