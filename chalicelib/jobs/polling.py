"""Polled channels (SPEC §3): X keyword search, App Store and Google Play reviews.

Every minute the scheduler runs ``scheduled_run``. It never scans: a connected polled
channel sits in the sparse ``Due`` index (``DuePK = DUE#poll#<shard>``, ``DueSK =
<next poll ISO>#<channel id>``), so the job asks each shard for ``DueSK <= now`` and
reads the due channels and nothing else (8 queries, however many channels wait).

For each due channel, oldest deadline first:

1. its credentials are opened and its descriptor's ``poll`` (``chalicelib/channels/
   registry.py``) asks the provider for what came after ``poll_cursor`` (the stores'
   ``poll`` first turns the credentials into a short-lived token);
2. the new events go on the inbound queue as ONE ``poll`` envelope: the inbound worker
   ingests them exactly once by provider message id, and SQS retries them;
3. one conditional UpdateItem saves the new cursor and the next poll time, on condition
   that the cursor and the deadline are still the ones read. Of two overlapping runs
   only one advances the channel; the other's events are dropped as duplicates.

A refused credential records ``poll_error``, calls ``on_credentials_rejected`` (the
first time) and waits an hour; a provider having a bad minute waits the normal
interval. One channel's failure never stops the others.
"""

from __future__ import annotations

import contextvars
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pynamodb.exceptions import UpdateError

from chalicelib import aws
from chalicelib.channels.events import InboundMessage, WebhookEnvelope
from chalicelib.channels.provider_http import HttpCall, ProviderError, default_http
from chalicelib.channels.registry import polling_of, resolve
from chalicelib.clock import iso, now
from chalicelib.domain.channels import alerts
from chalicelib.domain.channels.service import credentials_of
from chalicelib.jobs.scheduled import run_scheduled
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.base import condition_failed
from chalicelib.store.channels import POLL_DUE_KIND, Channel, poll_due_keys

log = logging.getLogger(__name__)

JOB = "poll_channels"

#: A refused credential or configuration: a person must act, asking every minute won't help.
REFUSED_BACKOFF = timedelta(hours=1)

#: Work of one run. The Lambda has 30 s: channels not started within the budget stay
#: due and are the oldest the next minute.
MAX_DUE_PER_SHARD = 50
WORKERS = 8
TIME_BUDGET_SECONDS = 20.0

#: What the inbound queue takes in one message; larger bodies wait in S3 (claim check).
SQS_BODY_LIMIT = 200 * 1024

_AFTER_ANY_ID = "~"  # sorts after every channel id, so ``<now ISO>#~`` bounds "due by now"
_EVENTS = TypeAdapter(list[InboundMessage])

Poll = Callable[..., tuple[list[InboundMessage], str | None]]


# --- the Due index ------------------------------------------------------------------------
def due_channels(at: datetime, per_shard: int = MAX_DUE_PER_SHARD) -> list[Channel]:
    """Channels whose poll is due by ``at``, oldest deadline first: one Query per shard
    (more only past 1 MB of due items), never a Scan."""
    upper = keys.due_sk(iso(at), _AFTER_ANY_ID)
    found: list[Channel] = []
    for shard in range(keys.DUE_SHARDS):
        found.extend(
            Channel.due.query(
                keys.due_pk(POLL_DUE_KIND, shard), Channel.DueSK <= upper, limit=per_shard
            )
        )
    return sorted(found, key=lambda channel: channel.DueSK or "")


# --- the job ----------------------------------------------------------------------------
def scheduled_run() -> dict[str, int]:
    """The scheduled handler's work, recorded for the status route."""
    return run_scheduled(JOB, poll_due_channels)


def poll_due_channels(http: HttpCall = default_http) -> dict[str, int]:
    """Poll every due channel (a few at a time); returns how many ended which way."""
    at = now()
    due = due_channels(at)
    started = time.monotonic()
    outcomes: dict[str, int] = {"due": len(due)}
    if not due:
        return outcomes

    def work(channel: Channel) -> str:
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            return "deferred"  # still due: the next run starts with it
        return _poll_safely(channel, at, http)

    with ThreadPoolExecutor(max_workers=min(WORKERS, len(due))) as pool:
        # each task in its own copy of the context, so log lines keep the request id
        futures = [pool.submit(contextvars.copy_context().run, work, c) for c in due]
        for future in futures:
            outcome = future.result()
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    log.info("polled channels", extra={"job": JOB, **outcomes})
    return outcomes


def on_credentials_rejected(channel: Channel) -> None:
    """Called once when a polled channel's credentials are first refused (not again on
    each hourly retry): the account contacts who take channel notices are emailed."""
    log.error(
        "a polled channel's credentials were refused; it is retried hourly until replaced",
        extra={**_context(channel), "poll_error": channel.poll_error},
    )
    alerts.notify_credentials_rejected(channel, channel.poll_error or "credentials refused")


def _context(channel: Channel) -> dict[str, str]:
    return {
        "tenant": channel.tenant_id,
        "channel": channel.channel_id,
        "channel_type": channel.channel_type,
    }


def _poll_safely(channel: Channel, at: datetime, http: HttpCall) -> str:
    try:
        return _poll(channel, at, http)
    except Exception:
        log.exception("polling a channel failed; it is tried again", extra=_context(channel))
        try:
            _reschedule(channel, at + (_interval(channel.channel_type) or REFUSED_BACKOFF))
        except Exception:
            log.exception("could not reschedule a channel after a failure", extra=_context(channel))
        return "failed"


def _poll(channel: Channel, at: datetime, http: HttpCall) -> str:
    interval = _interval(channel.channel_type)
    if interval is None or channel.status != "connected":
        log.warning("not a connected polled channel; taken off the poll", extra=_context(channel))
        _drop(channel)
        return "dropped"
    try:
        events, cursor = _fetch(channel, http)
    except ProviderError as exc:
        if exc.retryable:
            log.warning(
                "provider unavailable; polled again at the next interval",
                extra={**_context(channel), "status": exc.status},
            )
            return "retry" if _reschedule(channel, at + interval) else "lost"
        if exc.credentials_rejected:
            error = (
                f"credentials_rejected: the provider refused this channel's credentials "
                f"(HTTP {exc.status}); replace them in the channel's settings"
            )
            first = not (channel.poll_error or "").startswith("credentials_rejected")
            if not _record_error(channel, at, error):
                return "lost"
            if first:
                on_credentials_rejected(channel)
            return "refused"
        error = f"provider_error: the provider refused the request (HTTP {exc.status})"
        log.error("provider refused a poll", extra={**_context(channel), "status": exc.status})
        return "refused" if _record_error(channel, at, error) else "lost"
    except ValidationError:
        raise  # a provider answer we cannot read: logged, tried again at the normal interval
    except ValueError as exc:  # the channel's configuration cannot make a request
        log.error("polled channel misconfigured", extra={**_context(channel), "reason": str(exc)})
        return "refused" if _record_error(channel, at, f"configuration: {exc}") else "lost"

    if events:
        _enqueue(events)
    if not _advance(channel, cursor, at, at + interval):
        log.info("another run polled this channel first", extra=_context(channel))
        return "lost"
    log.info("channel polled", extra={**_context(channel), "events": len(events)})
    return "polled"


# --- provider calls -------------------------------------------------------------------------
def _interval(channel_type: str) -> timedelta | None:
    polled = polling_of(channel_type)
    return polled.interval if polled else None


def _fetch(channel: Channel, http: HttpCall) -> tuple[list[InboundMessage], str | None]:
    """Ask the channel's provider (its descriptor's ``poll``, which mints any short-lived
    token from the credentials) for what came after the cursor."""
    polled = polling_of(channel.channel_type)
    if polled is None:
        raise KeyError(channel.channel_type)
    poll: Poll = resolve(polled.poll)
    base_url: str | None = getattr(get_settings(), polled.base_url_setting)
    secret = credentials_of(channel)
    identifiers = dict(channel.identifiers or {})
    return poll(identifiers, secret, channel.account_id, channel.poll_cursor, base_url, http)


# --- the inbound queue ------------------------------------------------------------------------
def _enqueue(events: list[InboundMessage]) -> None:
    """One ``poll`` envelope with every new event (in S3 when too large for SQS)."""
    body = _EVENTS.dump_json(events).decode()
    envelope = WebhookEnvelope(provider="poll", received_at=now(), body=body)
    message = envelope.model_dump_json()
    if len(message.encode()) > SQS_BODY_LIMIT:  # the envelope's size: JSON escapes the body
        key = f"inbound/raw/poll/{uuid.uuid4().hex}"
        aws.client("s3").put_object(Bucket=get_settings().bucket, Key=key, Body=body.encode())
        message = envelope.model_copy(update={"body": "", "body_s3_key": key}).model_dump_json()
    aws.client("sqs").send_message(QueueUrl=aws.queue_url("inbound"), MessageBody=message)


# --- the channel's state: one conditional UpdateItem each ---------------------------------
def _still_as_read(channel: Channel) -> Any:
    """The channel is still connected and nobody moved its deadline since we read it."""
    return (Channel.status == "connected") & (Channel.DueSK == channel.DueSK)


def _update(channel: Channel, actions: list[Any], condition: Any) -> bool:
    """False when the condition failed (another run, a disconnect): nothing written."""
    try:
        Channel(channel.PK, channel.SK).update(actions=actions, condition=condition)
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def _advance(channel: Channel, cursor: str | None, at: datetime, next_at: datetime) -> bool:
    read = channel.poll_cursor
    same_cursor = (
        Channel.poll_cursor.does_not_exist() if read is None else Channel.poll_cursor == read
    )
    actions: list[Any] = [
        Channel.DueSK.set(poll_due_keys(channel.channel_id, next_at)[1]),
        Channel.polled_at.set(at),
        Channel.poll_cursor.set(cursor) if cursor else Channel.poll_cursor.remove(),
    ]
    if channel.poll_error:
        actions += [Channel.poll_error.remove(), Channel.poll_error_at.remove()]
    return _update(channel, actions, _still_as_read(channel) & same_cursor)


def _reschedule(channel: Channel, next_at: datetime) -> bool:
    actions = [Channel.DueSK.set(poll_due_keys(channel.channel_id, next_at)[1])]
    return _update(channel, actions, _still_as_read(channel))


def _record_error(channel: Channel, at: datetime, error: str) -> bool:
    """Keep the reason for a person to read and wait ``REFUSED_BACKOFF``."""
    actions = [
        Channel.DueSK.set(poll_due_keys(channel.channel_id, at + REFUSED_BACKOFF)[1]),
        Channel.poll_error.set(error[:500]),
        Channel.poll_error_at.set(at),
    ]
    written = _update(channel, actions, _still_as_read(channel))
    if written:
        channel.poll_error = error[:500]
    return written


def _drop(channel: Channel) -> bool:
    actions = [Channel.DuePK.remove(), Channel.DueSK.remove()]
    return _update(channel, actions, Channel.DueSK == channel.DueSK)
