"""The one HTTP call the polled channels make: GET JSON with a bearer token.

Kept tiny and injectable (``http=`` on every fetcher) so tests run a real local
server and the scheduler can tell a refused credential (notify the account's
contacts) from a provider having a bad minute (try again next time).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

TIMEOUT_SECONDS = 10.0
_MAX_BODY_BYTES = 10 * 1024 * 1024
_USER_AGENT = "Atiende/1.0 (+helpdesk polling)"


class ProviderError(Exception):
    """The provider answered with a non-2xx status (``status`` 0: no answer at all)."""

    def __init__(self, status: int, body: str = "") -> None:
        super().__init__(f"provider answered HTTP {status}: {body[:300]}")
        self.status = status
        self.body = body

    @property
    def credentials_rejected(self) -> bool:
        """401 (bad or expired token) or 403 (token without the access): a person must act."""
        return self.status in (401, 403)

    @property
    def retryable(self) -> bool:
        """Rate limits, server errors and network failures pass; polling again will do."""
        return self.status in (0, 408, 429) or self.status >= 500


class HttpCall(Protocol):
    def __call__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]: ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would forward our Authorization header to wherever a redirect points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def default_http(
    method: str,
    url: str,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None = None,
) -> tuple[int, Any]:
    """``(status, parsed JSON)`` of a 2xx answer; raises ``ProviderError`` otherwise."""
    if params:
        url = f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"
    request = urllib.request.Request(
        url,
        method=method,
        headers={"Accept": "application/json", "User-Agent": _USER_AGENT, **headers},
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
            raw = response.read(_MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ProviderError(error.code, _text(error.read(64 * 1024))) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ProviderError(0, str(error)) from error
    if len(raw) > _MAX_BODY_BYTES:
        raise ProviderError(status, "response body too large")
    try:
        return status, json.loads(raw) if raw.strip() else None
    except ValueError as error:
        raise ProviderError(status, "response is not JSON: " + _text(raw[:300])) from error


def get_json(
    http: HttpCall, url: str, token: str, params: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """GET with ``Authorization: Bearer``; any answer but a 2xx JSON object is an error,
    whatever ``http`` was injected."""
    status, body = http("GET", url, {"Authorization": f"Bearer {token}"}, params)
    if not 200 <= status < 300:
        raise ProviderError(status, _text(json.dumps(body).encode()))
    if not isinstance(body, dict):
        raise ProviderError(status, "response is not a JSON object")
    return body


def bearer_token(credentials: Mapping[str, Any]) -> str:
    """The channel's token, under whichever name its connect flow stored it."""
    for name in ("access_token", "bearer_token", "token"):
        value = credentials.get(name)
        if isinstance(value, str) and value:
            return value
    raise ProviderError(401, "the channel has no access token")


def same_origin(url: str, base_url: str) -> str:
    """``url`` moved onto ``base_url``'s scheme and host.

    Paging links come from the response; following them verbatim would send our token
    to any host the body names (and, in tests, to the real API instead of the fake).
    """
    target, base = urlsplit(url), urlsplit(base_url)
    if (target.scheme, target.netloc) == (base.scheme, base.netloc):
        return url
    path = base.path.rstrip("/") + target.path
    return urlunsplit((base.scheme, base.netloc, path, target.query, ""))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")
