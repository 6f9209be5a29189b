"""Connecting an X account: OAuth 1.0a user context (X's "3-legged OAuth"), then its
Account Activity subscription.

1. ``POST {base}/oauth/request_token`` signed with the app's consumer key and secret and
   the ``oauth_callback`` protocol parameter (no token) answers the form
   ``oauth_token=…&oauth_token_secret=…&oauth_callback_confirmed=true``;
2. the person is sent to ``{base}/oauth/authorize?oauth_token=…``; X sends them back to
   the callback with ``oauth_token`` and ``oauth_verifier`` (or ``denied=…``);
3. ``POST {base}/oauth/access_token`` signed with the request token and its secret and
   the ``oauth_verifier`` parameter answers
   ``oauth_token=…&oauth_token_secret=…&user_id=…&screen_name=…`` (tokens that never
   expire; the person may revoke them);
4. ``POST {base}/2/account_activity/webhooks/{webhook_id}/subscriptions/all`` in the
   account's name subscribes it to the app's webhook (answer
   ``{"data": {"subscribed": true}}``); ``GET`` on the same path tells whether it still
   is (X's v2 Account Activity API; the v1.1 ``/account_activity/all/{env}`` routes
   are retired).

Everything goes to ``TWITTER_API_BASE_URL`` (``make run``: the fake X of
devstack/fake_x.py), default ``https://api.x.com``, where X serves the OAuth endpoints
too. Secrets never appear in an error: X's own message is kept, the request is not.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from chalicelib.channels.outbound.twitter import DEFAULT_BASE_URL, OAuthKeys, oauth1_header
from chalicelib.channels.provider_http import TIMEOUT_SECONDS, ProviderError, _NoRedirects
from chalicelib.settings import get_settings

_USER_AGENT = "Atiende/1.0 (+channel connection)"
_MAX_BODY = 256 * 1024
_opener = urllib.request.build_opener(_NoRedirects)


class NotConfigured(Exception):
    """The X app's keys or webhook id are not set (nothing was asked of X)."""


@dataclass(frozen=True)
class RequestToken:
    token: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class AccessGrant:
    token: str = field(repr=False)
    secret: str = field(repr=False)
    user_id: str
    screen_name: str


def base() -> str:
    """Where X is: locally only where ``TWITTER_API_BASE_URL`` says (SPEC §9)."""
    settings = get_settings()
    if settings.is_local and not settings.twitter_api_base_url:
        raise NotConfigured("TWITTER_API_BASE_URL is not set (make run points it at its fake X)")
    return (settings.twitter_api_base_url or DEFAULT_BASE_URL).rstrip("/")


def app_keys(token: str = "", token_secret: str = "") -> OAuthKeys:
    settings = get_settings()
    key = settings.twitter_consumer_key
    secret = (
        settings.twitter_consumer_secret.get_secret_value()
        if settings.twitter_consumer_secret
        else ""
    )
    if not key or not secret:
        raise NotConfigured("TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET are not set")
    return OAuthKeys(key, secret, token, token_secret)


def webhook_id() -> str:
    found = get_settings().twitter_webhook_id
    if not found:
        raise NotConfigured("TWITTER_WEBHOOK_ID is not set")
    return found


def authorize_url(token: str) -> str:
    return f"{base()}/oauth/authorize?{urlencode({'oauth_token': token})}"


def request_token(callback_url: str) -> RequestToken:
    """Step 1. Raises ``ProviderError`` when X refuses or does not confirm the callback."""
    url = f"{base()}/oauth/request_token"
    header = oauth1_header("POST", url, app_keys(), extra_oauth={"oauth_callback": callback_url})
    status, text = _call("POST", url, {"Authorization": header})
    answer = dict(parse_qsl(text))
    if answer.get("oauth_callback_confirmed") != "true" or not answer.get("oauth_token"):
        raise ProviderError(status, "X did not confirm the callback: " + _reason(text))
    return RequestToken(answer["oauth_token"], answer.get("oauth_token_secret", ""))


def access_token(token: str, token_secret: str, verifier: str) -> AccessGrant:
    """Step 3: the account's access token, its secret, id and handle."""
    url = f"{base()}/oauth/access_token"
    header = oauth1_header(
        "POST", url, app_keys(token, token_secret), extra_oauth={"oauth_verifier": verifier}
    )
    status, text = _call("POST", url, {"Authorization": header})
    answer = dict(parse_qsl(text))
    missing = [k for k in ("oauth_token", "oauth_token_secret", "user_id") if not answer.get(k)]
    if missing:
        raise ProviderError(status, "X's access token answer lacks " + ", ".join(missing))
    return AccessGrant(
        answer["oauth_token"],
        answer["oauth_token_secret"],
        answer["user_id"],
        answer.get("screen_name", ""),
    )


def _subscription_url() -> str:
    return f"{base()}/2/account_activity/webhooks/{quote(webhook_id(), safe='')}/subscriptions/all"


def subscribe(token: str, token_secret: str) -> None:
    """Step 4: the account's activity (DMs, mentions) posted to our webhook."""
    url = _subscription_url()
    header = oauth1_header("POST", url, app_keys(token, token_secret))
    _call("POST", url, {"Authorization": header, "Content-Type": "application/json"}, b"{}")


def is_subscribed(token: str, token_secret: str) -> bool:
    """Whether X still posts the account's activity to our webhook."""
    url = _subscription_url()
    header = oauth1_header("GET", url, app_keys(token, token_secret))
    _status, text = _call("GET", url, {"Authorization": header})
    try:
        body: Any = json.loads(text) if text.strip() else {}
    except ValueError:
        body = {}
    data = body.get("data") if isinstance(body, dict) else None
    return bool(isinstance(data, dict) and data.get("subscribed"))


def _call(
    method: str, url: str, headers: Mapping[str, str], body: bytes | None = None
) -> tuple[int, str]:
    """``(status, text)`` of a 2xx answer; ``ProviderError`` (X's own words) otherwise."""
    request = urllib.request.Request(
        url, data=body, method=method, headers={"User-Agent": _USER_AGENT, **headers}
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(_MAX_BODY).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        raise ProviderError(
            error.code, _reason(error.read(_MAX_BODY).decode("utf-8", "replace"))
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ProviderError(0, type(error).__name__) from error


def _reason(text: str) -> str:
    """X's message from a v1.1 (``errors[].message``) or v2 (``detail``/``title``) error."""
    try:
        body = json.loads(text)
    except ValueError:
        return text[:200]
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or errors[0].get("detail") or "")[:200]
        return str(body.get("detail") or body.get("title") or "")[:200]
    return ""
