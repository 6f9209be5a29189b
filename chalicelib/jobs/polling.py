"""Polled channels (SPEC §3): X keyword search, App Store and Google Play reviews.

Every minute the scheduler runs ``scheduled_run``. It never scans: a connected polled
channel sits in the sparse ``Due`` index (``DuePK = DUE#poll#<shard>``, ``DueSK =
<next poll ISO>#<channel id>``), so the job asks each shard for ``DueSK <= now`` and
reads the due channels and nothing else (8 queries, however many channels wait).

For each due channel, oldest deadline first:

1. its credentials are opened (and, for the stores, turned into a short-lived token);
2. the provider is asked for what came after ``poll_cursor``;
3. the new events go on the inbound queue as ONE ``poll`` envelope: the inbound worker
   ingests them exactly once by provider message id, and SQS retries them;
4. one conditional UpdateItem saves the new cursor and the next poll time, on condition
   that the cursor and the deadline are still the ones read. Of two overlapping runs
   only one advances the channel; the other's events are dropped as duplicates.

A refused credential records ``poll_error``, calls ``on_credentials_rejected`` (the
first time) and waits an hour; a provider having a bad minute waits the normal
interval. One channel's failure never stops the others.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from pydantic import TypeAdapter, ValidationError
from pynamodb.exceptions import UpdateError

from chalicelib import aws
from chalicelib.channels.app_store import fetch_app_store
from chalicelib.channels.events import InboundMessage, WebhookEnvelope
from chalicelib.channels.play_store import fetch_play_store
from chalicelib.channels.provider_http import (
    TIMEOUT_SECONDS,
    HttpCall,
    ProviderError,
    default_http,
)
from chalicelib.channels.twitter_search import fetch_twitter_search
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

#: How often each polled type is read. X search is near real time; store reviews are
#: not (and both stores publish them with a delay anyway).
POLL_INTERVALS: dict[str, timedelta] = {
    "twitter_search": timedelta(minutes=2),
    "app_store": timedelta(minutes=15),
    "play_store": timedelta(minutes=15),
}
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

Fetcher = Callable[..., tuple[list[InboundMessage], str | None]]


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
            _reschedule(channel, at + POLL_INTERVALS.get(channel.channel_type, REFUSED_BACKOFF))
        except Exception:
            log.exception("could not reschedule a channel after a failure", extra=_context(channel))
        return "failed"


def _poll(channel: Channel, at: datetime, http: HttpCall) -> str:
    interval = POLL_INTERVALS.get(channel.channel_type)
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
_FETCHERS: dict[str, tuple[Fetcher, str]] = {
    "twitter_search": (fetch_twitter_search, "twitter_api_base_url"),
    "app_store": (fetch_app_store, "app_store_api_base_url"),
    "play_store": (fetch_play_store, "play_api_base_url"),
}


def _fetch(channel: Channel, http: HttpCall) -> tuple[list[InboundMessage], str | None]:
    fetcher, setting = _FETCHERS[channel.channel_type]
    base_url: str | None = getattr(get_settings(), setting)
    secret = credentials_of(channel)
    identifiers = dict(channel.identifiers or {})
    if channel.channel_type == "twitter_search":
        config = {"query": search_query(identifiers), "channel_key": channel.account_id}
        credentials: Mapping[str, Any] = secret
    elif channel.channel_type == "app_store":
        config, credentials = identifiers, app_store_token(secret)
    else:
        config, credentials = identifiers, play_access_token(secret, base_url)
    return fetcher(config, credentials, channel.poll_cursor, base_url, http)


_BARE_TERM = re.compile(r"^[#@$]?\w+$")


def search_query(identifiers: Mapping[str, Any]) -> str:
    """The X search query of a channel's keywords: any of them (a phrase is quoted),
    in its language if one is set, reposts left out (they would be read and billed,
    then skipped)."""
    terms = []
    for keyword in identifiers.get("keywords") or []:
        word = " ".join(str(keyword).replace('"', " ").split())
        if word:
            terms.append(word if _BARE_TERM.match(word) else f'"{word}"')
    if not terms:
        raise ValueError("twitter_search channel without keywords")
    query = " OR ".join(terms)
    if len(terms) > 1:
        query = f"({query})"
    if identifiers.get("language"):
        query += f" lang:{identifiers['language']}"
    return query + " -is:retweet"


#: App Store Connect refuses tokens that live more than 20 minutes.
APP_STORE_TOKEN_LIFETIME = timedelta(minutes=10)


def app_store_token(secret: Mapping[str, Any]) -> dict[str, str]:
    """An App Store Connect API token (ES256 JWT) signed with the channel's key."""
    import jwt

    issued = int(now().timestamp())
    claims = {
        "iss": str(secret.get("issuer_id") or ""),
        "iat": issued,
        "exp": issued + int(APP_STORE_TOKEN_LIFETIME.total_seconds()),
        "aud": "appstoreconnect-v1",
    }
    try:
        token = jwt.encode(
            claims,
            str(secret["private_key"]),
            algorithm="ES256",
            headers={"kid": str(secret["key_id"]), "typ": "JWT"},
        )
    except (KeyError, TypeError, ValueError, jwt.PyJWTError) as exc:
        # never the exception's text: it could quote the key
        raise ProviderError(401, "the App Store Connect key cannot sign a token") from exc
    return {"token": token}


GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
PLAY_SCOPE = "https://www.googleapis.com/auth/androidpublisher"
_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def play_access_token(secret: Mapping[str, Any], base_url: str | None) -> dict[str, str]:
    """An OAuth 2.0 access token for the Play Developer API, from the service account
    (JWT bearer grant; one token request per poll).

    The token endpoint is Google's, whatever ``token_uri`` the uploaded JSON names (it
    would receive a signed assertion); when ``PLAY_API_BASE_URL`` points elsewhere (the
    local stack, tests), that host's ``/token`` stands in for it.
    """
    import jwt

    try:
        account = json.loads(str(secret["service_account_json"]))
        email, key = str(account["client_email"]), str(account["private_key"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(401, "the service account JSON has no client_email and key") from exc
    token_url = f"{base_url.rstrip('/')}/token" if base_url else GOOGLE_TOKEN_URL
    issued = int(now().timestamp())
    claims = {"iss": email, "scope": PLAY_SCOPE, "aud": token_url, "iat": issued,
              "exp": issued + 3600}  # fmt: skip
    headers = {"kid": str(account["private_key_id"])} if account.get("private_key_id") else None
    try:
        assertion = jwt.encode(claims, key, algorithm="RS256", headers=headers)
    except (TypeError, ValueError, jwt.PyJWTError) as exc:
        raise ProviderError(401, "the service account key cannot sign a token") from exc
    try:
        body = _post_form(token_url, {"grant_type": _JWT_BEARER, "assertion": assertion})
    except ProviderError as exc:
        if exc.status in (400, 401, 403):  # invalid_grant, unauthorized_client, ...
            raise ProviderError(401, exc.body) from exc
        raise
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise ProviderError(502, "the token endpoint answered without an access_token")
    return {"access_token": token}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post_form(url: str, form: Mapping[str, str]) -> dict[str, Any]:
    """POST ``application/x-www-form-urlencoded``; the JSON object answered, or
    ``ProviderError`` (status 0 when nothing answered)."""
    request = urllib.request.Request(
        url,
        data=urlencode(form).encode(),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            raw = response.read(1024 * 1024)
    except urllib.error.HTTPError as error:
        raise ProviderError(error.code, error.read(4096).decode("utf-8", "replace")) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ProviderError(0, str(error)) from error
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise ProviderError(502, "the token endpoint did not answer JSON") from error
    if not isinstance(body, dict):
        raise ProviderError(502, "the token endpoint did not answer a JSON object")
    return body


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
