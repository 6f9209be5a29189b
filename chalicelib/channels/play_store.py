"""Google Play reviews, polled: Play Developer API ``reviews.list``.

``GET /androidpublisher/v3/applications/{packageName}/reviews`` returns the reviews
created or modified in the last week, newest first, paged by
``tokenPagination.nextPageToken``. The cursor is the ``lastModified.seconds`` of the
newest user comment seen; paging stops at the first page that reaches it. The first
poll reads only the newest page.

``credentials["access_token"]`` is an OAuth 2.0 access token for the
``androidpublisher`` scope: ``poll`` (the channel's descriptor names it) and the reply
sender get one from the service account with ``play_access_token``, which signs the
JWT-bearer grant (``jwt`` imported on first use).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from chalicelib.channels.events import InboundMessage
from chalicelib.channels.provider_http import (
    TIMEOUT_SECONDS,
    HttpCall,
    ProviderError,
    bearer_token,
    default_http,
    get_json,
)
from chalicelib.clock import now
from chalicelib.settings import get_settings
from chalicelib.untrusted import is_ascii_number

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://androidpublisher.googleapis.com"
PAGE_SIZE = "100"
MAX_PAGES = 20


def poll(
    identifiers: Mapping[str, Any],
    credentials: Mapping[str, Any],
    account_id: str,
    cursor: str | None,
    base_url: str | None = None,
    http: HttpCall = default_http,
) -> tuple[list[InboundMessage], str | None]:
    """The app's new reviews (the descriptor's ``poll``), with an access token asked for
    just now (one token request per poll)."""
    token = play_access_token(credentials, base_url)
    return fetch_play_store(identifiers, token, cursor, base_url, http)


def fetch_play_store(
    config: Mapping[str, Any],
    credentials: Mapping[str, Any],
    cursor: str | None,
    base_url: str | None = None,
    http: HttpCall = default_http,
) -> tuple[list[InboundMessage], str | None]:
    """Reviews of ``config["package_name"]`` modified after ``cursor`` (epoch seconds),
    oldest first, and the newest ``lastModified.seconds`` as the next cursor.

    Sender identity: Play gives only a display name, but a Google account has one review
    per app (editing keeps its ``reviewId``), so ``sender_id`` is ``review:<reviewId>``.
    """
    package = str(config.get("package_name") or "")
    if not package:
        raise ValueError("play_store channel without a package_name")
    base = (base_url or get_settings().play_api_base_url or DEFAULT_BASE_URL).rstrip("/")
    token = bearer_token(credentials)
    since = int(cursor) if cursor and is_ascii_number(cursor) else None

    url = f"{base}/androidpublisher/v3/applications/{quote(package, safe='')}/reviews"
    params = {"maxResults": PAGE_SIZE}
    fresh: dict[str, InboundMessage] = {}
    newest = since
    for _ in range(MAX_PAGES):
        body = get_json(http, url, token, params)
        reached_cursor = False
        for item in body.get("reviews") or []:
            found = _message(item, package)
            if found is None:
                continue
            message, seconds = found
            if since is not None and seconds <= since:
                reached_cursor = True
                continue
            fresh[message.provider_message_id] = message
            newest = seconds if newest is None else max(newest, seconds)
        next_token = (body.get("tokenPagination") or {}).get("nextPageToken")
        if reached_cursor or since is None or not next_token:
            break
        params = {**params, "token": str(next_token)}
    else:
        log.warning("play_store %s: more than %d pages of new reviews", package, MAX_PAGES)
    ordered = sorted(fresh.values(), key=lambda m: m.sent_at)
    return ordered, str(newest) if newest is not None else None


def _message(item: object, package: str) -> tuple[InboundMessage, int] | None:
    """The review's user comment (the developer's replies are ours, not the client's)."""
    if not isinstance(item, Mapping) or not item.get("reviewId"):
        return None
    review_id = str(item["reviewId"])
    comment = next(
        (
            c["userComment"]
            for c in item.get("comments") or []
            if isinstance(c, Mapping) and isinstance(c.get("userComment"), Mapping)
        ),
        None,
    )
    if comment is None:
        return None
    modified = comment.get("lastModified") or {}
    try:
        seconds = int(str(modified.get("seconds")))  # int64: JSON gives it as a string
        nanos = int(modified.get("nanos") or 0)
    except (TypeError, ValueError):
        log.warning("play_store %s: review %s without lastModified skipped", package, review_id)
        return None
    # "title\tbody" when the user wrote a separate title (reviews.list documentation)
    title, _, text = str(comment.get("text") or "").partition("\t")
    if not text:
        title, text = "", title
    rating = comment.get("starRating")
    extra = {
        "last_modified": str(seconds),
        "reviewer_language": str(comment.get("reviewerLanguage") or ""),
        "app_version_name": str(comment.get("appVersionName") or ""),
        "device": str(comment.get("device") or ""),
    }
    message = InboundMessage(
        channel_type="play_store",
        account_id=package,
        provider_message_id=review_id,
        sender_id=f"review:{review_id}",
        sender_name=item.get("authorName") or None,
        text=text.strip(),
        subject=title.strip() or None,
        rating=rating if isinstance(rating, int) and 1 <= rating <= 5 else None,
        public=True,
        sent_at=datetime.fromtimestamp(seconds + nanos / 1e9, UTC),
        thread_key=review_id,
        extra={name: value for name, value in extra.items() if value},
    )
    return message, seconds


# --- the service account's OAuth 2.0 access token -----------------------------------------
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
