"""X API v2, signed with OAuth 1.0a user context (RFC 5849, HMAC-SHA1).

* private: ``POST {base}/2/dm_conversations/with/{participant_id}/messages`` ``{"text"}``
  (answer ``data.dm_event_id``);
* public: ``POST {base}/2/tweets`` ``{"text", "reply": {"in_reply_to_tweet_id"}}``
  (answer ``data.id``).

The app's consumer key and secret sign together with the account's access token and
secret (the channel's credentials). The consumer secret is ``TWITTER_CONSUMER_SECRET``
(the one the webhooks' CRC uses); the consumer key comes from the channel's credentials
(``consumer_key``) or a ``twitter_consumer_key`` setting. JSON bodies are not part of the
signature (RFC 5849 §3.4.1.3.1: only form-encoded bodies are).

A ``twitter_search`` channel holds only an app-only bearer token, which X refuses for
posting: its messages cannot be answered from Atiende.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from chalicelib.channels.outbound.model import OutboundRequest, SendError, SendResult
from chalicelib.channels.outbound.transport import (
    Exchange,
    HttpResponse,
    dig,
    http_error,
    json_request,
    plain,
    provider_base,
    required,
    result_of,
)
from chalicelib.clock import now
from chalicelib.settings import get_settings

DEFAULT_BASE_URL = "https://api.x.com"
#: offline (local, no TWITTER_API_BASE_URL) nothing is sent: a missing key must not stop ``make run``
OFFLINE_CONSUMER_KEY = "local-twitter-consumer-key"
#: X problem types (``https://api.twitter.com/2/problems/<type>``) that refuse the app or token
_REJECTED_PROBLEMS = ("client-forbidden", "unsupported-authentication")


@dataclass(frozen=True)
class OAuthKeys:
    consumer_key: str
    consumer_secret: str = field(repr=False)
    token: str = field(repr=False)
    token_secret: str = field(repr=False)


def send_dm(request: OutboundRequest, exchange: Exchange) -> SendResult:
    if request.attachments:
        raise SendError("X direct messages with files are not supported yet", retryable=False)
    participant = quote(required(request.recipient_id, "the X user id"), safe="")
    path = f"/2/dm_conversations/with/{participant}/messages"
    answer = _post(request, exchange, path, {"text": request.text})
    return result_of([exchange.provider_id(answer, lambda body: dig(body, "data", "dm_event_id"))])


def reply_to_tweet(request: OutboundRequest, exchange: Exchange) -> SendResult:
    tweet = required(request.reply_to, "the id of the post answered")
    payload = {"text": request.text, "reply": {"in_reply_to_tweet_id": tweet}}
    answer = _post(request, exchange, "/2/tweets", payload)
    return result_of([exchange.provider_id(answer, lambda body: dig(body, "data", "id"))])


def _post(
    request: OutboundRequest, exchange: Exchange, path: str, payload: Mapping[str, Any]
) -> HttpResponse:
    base, live = provider_base("twitter_api_base_url", DEFAULT_BASE_URL)
    keys = _keys(request.credentials, live)
    url = base + path
    headers = {"Authorization": oauth1_header("POST", url, keys)}
    return exchange.call(json_request("POST", url, payload, headers=headers, live=live), x_error)


def x_error(response: HttpResponse, message: str) -> SendError:
    """A 403 is often about the recipient (DMs closed, protected account); only the
    problem types about the app or the token mean the channel must be reconnected."""
    problem = str(response.body.get("type") or "") if isinstance(response.body, dict) else ""
    rejected = response.status == 401 or (
        response.status == 403 and problem.endswith(_REJECTED_PROBLEMS)
    )
    return http_error(response, message, credentials_rejected=rejected)


def _keys(credentials: Mapping[str, Any], live: bool) -> OAuthKeys:
    token = plain(credentials.get("access_token"))
    token_secret = plain(credentials.get("access_token_secret"))
    if not (token and token_secret):
        raise SendError(
            "this X channel has no user access token and secret: X accepts posts and direct "
            "messages only in a user's name (a keyword-search channel holds an app-only bearer "
            "token); connect the account as a twitter channel to answer",
            retryable=False,
        )
    settings = get_settings()
    consumer_key = plain(credentials.get("consumer_key")) or plain(
        getattr(settings, "twitter_consumer_key", None)
    )
    consumer_secret = plain(credentials.get("consumer_secret")) or plain(
        settings.twitter_consumer_secret
    )
    if live and not (consumer_key and consumer_secret):
        raise SendError("the X app's consumer key or secret is not configured", retryable=False)
    return OAuthKeys(consumer_key or OFFLINE_CONSUMER_KEY, consumer_secret, token, token_secret)


# --- OAuth 1.0a (RFC 5849) ---------------------------------------------------------------------
def oauth1_header(
    method: str,
    url: str,
    keys: OAuthKeys,
    form: Mapping[str, str] | None = None,
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
    extra_oauth: Mapping[str, str] | None = None,
) -> str:
    """The ``Authorization`` header of a request to ``url`` (its query is signed too;
    ``form`` are the fields of a form-encoded body, if any). ``extra_oauth``: protocol
    parameters of the 3-legged flow (``oauth_callback``, ``oauth_verifier``); an empty
    ``keys.token`` (asking for a request token) sends no ``oauth_token``."""
    oauth = {
        "oauth_consumer_key": keys.consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(timestamp if timestamp is not None else int(now().timestamp())),
        "oauth_version": "1.0",
        **(extra_oauth or {}),
    }
    if keys.token:
        oauth["oauth_token"] = keys.token
    params = [*_query(url), *(form or {}).items(), *oauth.items()]
    base = signature_base(method, url, params)
    oauth["oauth_signature"] = sign(base, keys.consumer_secret, keys.token_secret)
    return "OAuth " + ", ".join(f'{encode(k)}="{encode(v)}"' for k, v in sorted(oauth.items()))


def signature_base(method: str, url: str, params: list[tuple[str, str]]) -> str:
    """``METHOD&enc(base URL)&enc(sorted, encoded parameters)`` (RFC 5849 §3.4.1)."""
    pairs = sorted((encode(name), encode(value)) for name, value in params)
    normalized = "&".join(f"{name}={value}" for name, value in pairs)
    return "&".join((method.upper(), encode(base_url(url)), encode(normalized)))


def sign(base: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{encode(consumer_secret)}&{encode(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()


def base_url(url: str) -> str:
    """Scheme and host in lower case, default port dropped, no query nor fragment."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if parts.port in (None, default) else f"{host}:{parts.port}"
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


def encode(value: str) -> str:
    """RFC 3986 percent-encoding: everything but unreserved characters, UTF-8."""
    return quote(value, safe="-._~")


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)
