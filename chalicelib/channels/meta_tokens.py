"""When a Meta token expires, asked of Graph's ``debug_token`` (docs/sla.md "Channel notices").

``GET {graph}/{version}/debug_token?input_token=<token>&access_token=<app id>|<app secret>``
answers ``{"data": {"app_id", "type", "is_valid", "expires_at", "data_access_expires_at",
"scopes", ...}}``; ``expires_at`` is in Unix seconds, 0 when the token never expires
(a system-user token generated without expiry, a Page token from a long-lived user token).

Of the channel types only Meta's carry a token that may expire, each descriptor's
``expiring_credential`` (``registry.py``): WhatsApp's ``access_token``, the Page token
(``page_access_token``) of Messenger and Instagram.

Best effort: the question is asked when a channel is connected or its credentials are
replaced, and any failure (settings missing, Graph unreachable or refusing, an answer
without ``data``) is logged and means "not known" — the connect goes on. The request
carries the token and the app secret in its query, so its URL is never logged or
recorded. Like every provider call, it goes to ``GRAPH_API_BASE_URL`` when set; locally
without it nothing leaves the machine and the expiry stays unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chalicelib.channels.provider_http import HttpCall, ProviderError, default_http
from chalicelib.channels.registry import expiring_credential_of
from chalicelib.settings import get_settings

log = logging.getLogger(__name__)


def token_expiry(
    channel_type: str,
    credentials: Mapping[str, Any],
    context: Mapping[str, str],
    *,
    http: HttpCall = default_http,
) -> datetime | None:
    """When the channel's token expires (UTC); None when it never does, when the type's
    credentials do not expire, or when it could not be learnt (logged with ``context``,
    the tenant and channel; never raises)."""
    name = expiring_credential_of(channel_type)
    token = credentials.get(name) if name else None
    if not isinstance(token, str) or not token:
        return None
    extra = {**context, "channel_type": channel_type}
    settings = get_settings()
    secret = settings.meta_app_secret.get_secret_value() if settings.meta_app_secret else ""
    if not settings.meta_app_id or not secret:
        log.warning("META_APP_ID or META_APP_SECRET is not set: the token's expiry is unknown",
                    extra=extra)  # fmt: skip
        return None
    from chalicelib.channels.outbound.meta_pages import graph  # the senders: not at import

    root, live = graph()
    if not live:
        log.info("GRAPH_API_BASE_URL is not set locally: the token's expiry is not asked",
                 extra=extra)  # fmt: skip
        return None
    try:
        status, body = http("GET", f"{root}/debug_token", {},
                            {"input_token": token, "access_token": f"{settings.meta_app_id}|{secret}"})  # fmt: skip
        return _expiry(status, body, extra)
    except ProviderError as error:
        log.warning("Graph's debug_token failed: the token's expiry is unknown",
                    extra={**extra, "status": error.status, "reason": error.body[:300]})  # fmt: skip
    except Exception as error:  # best effort: never refuse a connect over it
        log.warning("Graph's debug_token failed: the token's expiry is unknown",
                    extra={**extra, "reason": type(error).__name__})  # fmt: skip
    return None


def _expiry(status: int, body: Any, extra: dict[str, str]) -> datetime | None:
    data = body.get("data") if isinstance(body, dict) else None
    if not 200 <= status < 300 or not isinstance(data, dict):
        log.warning("Graph's debug_token answered without data: the token's expiry is unknown",
                    extra={**extra, "status": status})  # fmt: skip
        return None
    if data.get("is_valid") is False:
        log.warning("Graph says the channel's token is not valid", extra=extra)
    expires = data.get("expires_at")
    if isinstance(expires, bool) or not isinstance(expires, int | float) or expires < 0:
        log.warning("Graph's debug_token gave no expires_at: the token's expiry is unknown",
                    extra=extra)  # fmt: skip
        return None
    if expires == 0:
        return None  # never expires
    return datetime.fromtimestamp(int(expires), UTC)
