"""App Store reviews, polled: App Store Connect ``GET /v1/apps/{id}/customerReviews``.

Reviews are asked newest first (``sort=-createdDate``) and pages are followed through
the JSON:API ``links.next`` until a review at or before the cursor (the ``createdDate``
of the newest review already seen) shows up. The first poll reads only the newest page:
connecting an app must not turn years of reviews into tickets.

``poll`` (the channel's descriptor names it) signs the App Store Connect JWT with the
channel's key (it expires within 20 minutes, so one is made per poll, and per reply by
the sender) and hands it to ``fetch_app_store`` as ``credentials["token"]``, where it is
only a bearer token. ``jwt`` is imported on first use.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from chalicelib.channels.events import InboundMessage
from chalicelib.channels.provider_http import (
    HttpCall,
    ProviderError,
    bearer_token,
    default_http,
    get_json,
    same_origin,
)
from chalicelib.clock import now
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.appstoreconnect.apple.com"
PAGE_SIZE = "100"  # the endpoint allows up to 200
MAX_PAGES = 20


def poll(
    identifiers: Mapping[str, Any],
    credentials: Mapping[str, Any],
    account_id: str,
    cursor: str | None,
    base_url: str | None = None,
    http: HttpCall = default_http,
) -> tuple[list[InboundMessage], str | None]:
    """The app's new reviews (the descriptor's ``poll``), with a token signed just now."""
    return fetch_app_store(identifiers, app_store_token(credentials), cursor, base_url, http)


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


def fetch_app_store(
    config: Mapping[str, Any],
    credentials: Mapping[str, Any],
    cursor: str | None,
    base_url: str | None = None,
    http: HttpCall = default_http,
) -> tuple[list[InboundMessage], str | None]:
    """Reviews of ``config["app_id"]`` newer than ``cursor``, oldest first, and the
    ``createdDate`` of the newest one as the next cursor (unchanged if none is new).

    Sender identity: App Store reviews carry no reviewer id and nicknames can change
    hands, so ``sender_id`` is ``review:<review id>``. One reviewer has one review per
    app (editing keeps it), so this is one client per reviewer in practice, and two
    people sharing a nickname never land in the same ticket.
    """
    app_id = str(config.get("app_id") or "")
    if not app_id:
        raise ValueError("app_store channel without an app_id")
    base = (base_url or get_settings().app_store_api_base_url or DEFAULT_BASE_URL).rstrip("/")
    token = bearer_token(credentials)
    since = _parse(cursor)

    url = f"{base}/v1/apps/{quote(app_id, safe='')}/customerReviews"
    params: dict[str, str] | None = {"sort": "-createdDate", "limit": PAGE_SIZE}
    fresh: dict[str, InboundMessage] = {}
    newest, newest_at = (cursor if since else None), since
    for _ in range(MAX_PAGES):
        body = get_json(http, url, token, params)
        reached_cursor = False
        for item in body.get("data") or []:
            message = _message(item, app_id)
            if message is None:
                continue
            if since is not None and message.sent_at <= since:
                reached_cursor = True
                continue
            fresh[message.provider_message_id] = message
            if newest_at is None or message.sent_at > newest_at:
                newest, newest_at = message.extra["created_date"], message.sent_at
        next_link = (body.get("links") or {}).get("next")
        if reached_cursor or since is None or not next_link:
            break
        url, params = same_origin(str(next_link), base), None  # the link carries the query
    else:
        log.warning("app_store %s: more than %d pages of new reviews", app_id, MAX_PAGES)
    return sorted(fresh.values(), key=lambda m: m.sent_at), newest


def _message(item: object, app_id: str) -> InboundMessage | None:
    if not isinstance(item, Mapping) or item.get("type") != "customerReviews":
        return None
    review_id = str(item.get("id") or "")
    attributes = item.get("attributes") or {}
    created = _parse(attributes.get("createdDate"))
    if not review_id or created is None:
        log.warning("app_store %s: review without id or createdDate skipped", app_id)
        return None
    rating = attributes.get("rating")
    nickname = attributes.get("reviewerNickname") or None
    extra = {
        "created_date": str(attributes["createdDate"]),  # as Apple wrote it: the cursor
        "territory": str(attributes.get("territory") or ""),
    }
    return InboundMessage(
        channel_type="app_store",
        account_id=app_id,
        provider_message_id=review_id,
        sender_id=f"review:{review_id}",
        sender_name=nickname,  # a display name, not a handle: sender_handle stays empty
        text=str(attributes.get("body") or ""),
        subject=attributes.get("title") or None,
        rating=rating if isinstance(rating, int) and 1 <= rating <= 5 else None,
        public=True,
        sent_at=created,
        thread_key=review_id,
        extra={name: value for name, value in extra.items() if value},
    )


def _parse(value: object) -> datetime | None:
    """``createdDate`` is ISO 8601 with an offset (``2017-11-15T08:10:34-08:00``)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
