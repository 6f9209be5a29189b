"""The HTTP side of sending: one place that talks to providers, records and judges answers.

* :class:`HttpRequest` is what a sender builds (JSON, form or raw body); ``live`` says
  whether it really goes out: always in deployed stages, and locally only where the
  provider's base URL setting is set (SPEC §9).
* A :class:`Transport` carries it. :func:`http_transport`, the default, really sends only
  live requests (no redirects: they would forward our Authorization header; 10 s
  timeout); any other request gets a synthetic success, so ``make run`` works offline.
  Tests inject their own transport.
* An :class:`Exchange` is one outbound message's conversation with its provider: every
  request is numbered and recorded in ``settings.outbox_dir`` (local stages) with its
  secrets redacted, every non-2xx answer becomes a :class:`SendError` whose reason
  carries the provider's own message and never a secret.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from chalicelib.channels.outbound.model import OutboundRequest, SendError, SendResult
from chalicelib.channels.provider_http import TIMEOUT_SECONDS, ProviderError, _NoRedirects
from chalicelib.clock import now
from chalicelib.settings import get_settings
from chalicelib.untrusted import is_ascii_number

log = logging.getLogger(__name__)

REDACTED = "***"
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
_USER_AGENT = "Atiende/1.0 (+helpdesk replies)"
_MAX_ANSWER_BYTES = 1024 * 1024
#: header, query and form names whose values are credentials
_SENSITIVE_NAME = re.compile(r"auth|token|secret|key|signature|password|assertion|cookie", re.I)
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")
_MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words


# --- requests and answers -------------------------------------------------------------------
@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    live: bool = True  # False: a local stage without the provider's base URL; do not send

    def __repr__(self) -> str:  # never the token a URL or a header carries
        return f"HttpRequest({self.method} {redact_url(self.url)}, live={self.live})"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: Any = None  # parsed JSON, else the text, else None
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    synthetic: bool = False  # made up locally for a request that was not sent


class Transport(Protocol):
    """Carries one request. Raises ``OSError`` (or ``SendError``) when nothing answered."""

    def __call__(self, request: HttpRequest) -> HttpResponse: ...


def json_request(
    method: str,
    url: str,
    payload: Any,
    *,
    headers: Mapping[str, str] | None = None,
    live: bool = True,
) -> HttpRequest:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HttpRequest(method, url, {"Content-Type": JSON_TYPE, **(headers or {})}, body, live)


def form_request(
    method: str,
    url: str,
    fields: Mapping[str, str],
    *,
    headers: Mapping[str, str] | None = None,
    live: bool = True,
) -> HttpRequest:
    body = urlencode(fields).encode("ascii")
    return HttpRequest(method, url, {"Content-Type": FORM_TYPE, **(headers or {})}, body, live)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def provider_base(setting: str, default: str) -> tuple[str, bool]:
    """The provider's base URL, and whether requests to it really go out.

    Deployed stages always send (to the provider's real API unless the setting points
    elsewhere); the local stages send only where the setting is configured (SPEC §9).
    """
    settings = get_settings()
    configured: str | None = getattr(settings, setting)
    return (configured or default).rstrip("/"), bool(configured) or not settings.is_local


# --- the default transport --------------------------------------------------------------------
_opener = urllib.request.build_opener(_NoRedirects)


def http_transport(request: HttpRequest) -> HttpResponse:
    """Send a live request with urllib; answer any other one with a synthetic success."""
    if not request.live:
        return HttpResponse(200, synthetic=True)
    outgoing = urllib.request.Request(
        request.url,
        data=request.body or None,
        method=request.method,
        headers={"Accept": JSON_TYPE, "User-Agent": _USER_AGENT, **request.headers},
    )
    try:
        with _opener.open(outgoing, timeout=TIMEOUT_SECONDS) as answer:
            return _answer(answer.status, answer.headers, answer.read(_MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as error:  # non-2xx, redirects included
        return _answer(error.code, error.headers, error.read(_MAX_ANSWER_BYTES))


def _answer(status: int, headers: Any, raw: bytes) -> HttpResponse:
    names = {str(name).lower(): str(value) for name, value in (headers or {}).items()}
    text = raw.decode("utf-8", errors="replace")
    try:
        body: Any = json.loads(text) if text.strip() else None
    except ValueError:
        body = text
    return HttpResponse(status, body, names)


# --- judging answers ----------------------------------------------------------------------------
#: ``(answer, the provider's message already cleaned of secrets) -> the error to raise``
ErrorReader = Callable[[HttpResponse, str], SendError]


def retryable_status(status: int) -> bool:
    return status in (0, 408, 425, 429) or status >= 500


def http_error(
    response: HttpResponse,
    message: str,
    *,
    retryable: bool | None = None,
    credentials_rejected: bool | None = None,
) -> SendError:
    """The error for a non-2xx answer; ``retryable`` defaults to the status's nature."""
    again = retryable_status(response.status) if retryable is None else retryable
    reason = f"HTTP {response.status}" + (f": {message}" if message else "")
    return SendError(
        reason,
        retryable=again,
        status=response.status,
        retry_after=retry_after(response.headers) if again else None,
        credentials_rejected=credentials_rejected,
    )


def retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` (seconds or an HTTP date), else X's ``x-rate-limit-reset`` (epoch)."""
    value = (headers.get("retry-after") or "").strip()
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            return max(0.0, (parsedate_to_datetime(value) - now()).total_seconds())
        except (TypeError, ValueError):
            return None
    reset = (headers.get("x-rate-limit-reset") or "").strip()
    return max(0.0, int(reset) - now().timestamp()) if is_ascii_number(reset) else None


def provider_message(body: Any) -> str:
    """The provider's explanation, whatever its error shape.

    Meta and Google: ``{"error": {"message"}}`` (Meta may add ``error_data.details``);
    OAuth endpoints: ``{"error": "...", "error_description"}``; X: ``{"title", "detail",
    "errors": [{"message"}]}``; Apple: ``{"errors": [{"title", "detail"}]}``.
    """
    if isinstance(body, str):
        return " ".join(body.split())[:300]
    if not isinstance(body, Mapping):
        return ""
    error = body.get("error")
    if isinstance(error, Mapping):
        return _join(error.get("message"), dig(error, "error_data", "details"))
    if isinstance(error, str):
        return _join(error, body.get("error_description"))
    parts: list[Any] = [body.get("detail") or body.get("title")]
    errors = body.get("errors")
    for item in errors[:3] if isinstance(errors, list) else []:
        if isinstance(item, Mapping):
            parts.append(item.get("detail") or item.get("message") or item.get("title"))
    return _join(*parts)


def _join(*parts: Any) -> str:
    seen: list[str] = []
    for part in parts:
        if isinstance(part, str) and part.strip() and part.strip() not in seen:
            seen.append(part.strip())
    return "; ".join(seen)[:500]


def dig(value: Any, *path: str | int) -> str | None:
    """``value[path[0]][path[1]]...`` as a string, or None when any step is missing."""
    for step in path:
        if isinstance(step, int) and isinstance(value, list) and -len(value) <= step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
    return str(value) if isinstance(value, str | int) and str(value) else None


# --- one message's exchange -------------------------------------------------------------------------
class Exchange:
    """Numbers, records, carries and judges the requests one outbound message needs."""

    def __init__(
        self, message_id: str, transport: Transport, secrets: Iterable[str] = (), label: str = ""
    ) -> None:
        self.message_id = message_id
        self.transport = transport
        self.label = label or "provider"
        self.count = 0
        self._secrets: set[str] = set()
        for value in secrets:
            self.keep_secret(value)

    def keep_secret(self, value: str) -> None:
        """A value that must never reach the outbox nor an error (a minted token, ...)."""
        if isinstance(value, str) and len(value) >= _MIN_SECRET_LENGTH:
            self._secrets.add(value)

    def scrub(self, text: str) -> str:
        for value in sorted(self._secrets, key=len, reverse=True):
            escaped = json.dumps(value, ensure_ascii=False)[1:-1]
            text = text.replace(value, REDACTED).replace(escaped, REDACTED)
        return text

    def call(self, request: HttpRequest, errors: ErrorReader = http_error) -> HttpResponse:
        """Record, send, and return a 2xx answer; anything else raises ``SendError``."""
        self.record(describe(request))
        try:
            response = self.transport(request)
        except SendError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            # from None: a low-level error may quote the URL, and some URLs carry a token
            raise SendError(
                f"{self.label}: network failure ({type(exc).__name__}: {self.scrub(str(exc))[:200]})",
                retryable=True,
            ) from None
        if 200 <= response.status < 300:
            return response
        error = errors(response, self.scrub(provider_message(response.body)))
        error.reason = f"{self.label}: {error.reason}"
        error.args = (error.reason,)
        raise error

    def provider_id(self, response: HttpResponse, read: Callable[[Any], str | None]) -> str | None:
        """The id the provider gave the message just sent; offline, one made from ours."""
        if response.synthetic:
            suffix = "" if self.count == 1 else f"-{self.count}"
            return f"local-{self.message_id}{suffix}"
        return read(response.body)

    def failed_token(self, exc: ProviderError, what: str) -> SendError:
        """A token request that failed (401: the channel's key or account was refused)."""
        detail = self.scrub(" ".join(exc.body.split()))[:300]
        return SendError(
            f"{self.label}: {what} failed (HTTP {exc.status})" + (f": {detail}" if detail else ""),
            retryable=exc.retryable,
            status=exc.status,
        )

    def record(self, entry: Mapping[str, Any]) -> None:
        """Count one more request and keep it as ``<UTC timestamp>-<message id>-<n>.json``
        in the outbox (local stages only)."""
        self.count += 1
        outbox = get_settings().outbox_dir
        if outbox is None:
            return
        at = now()
        name = f"{at:%Y%m%dT%H%M%S.%f}Z-{_UNSAFE_FILENAME.sub('_', self.message_id)}-{self.count}"
        text = self.scrub(json.dumps({"message_id": self.message_id, **entry},
                                     ensure_ascii=False, indent=2, default=str))  # fmt: skip
        try:
            outbox.mkdir(parents=True, exist_ok=True)
            (outbox / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        except OSError:  # a full disk must not stop the message (the outbox is a local aid)
            log.warning("outbox record not written", extra={"message_id": self.message_id})


def describe(request: HttpRequest) -> dict[str, Any]:
    """The request as the outbox keeps it: credentials in headers and query redacted."""
    return {
        "method": request.method,
        "url": redact_url(request.url),
        "headers": {name: _redacted(name, value) for name, value in request.headers.items()},
        "body": _readable_body(request),
        "sent": request.live,
    }


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(name, _redacted(name, value)) for name, value in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def _redacted(name: str, value: str) -> str:
    return REDACTED if _SENSITIVE_NAME.search(name) else value


def _readable_body(request: HttpRequest) -> Any:
    if not request.body:
        return None
    content_type = next(
        (value for name, value in request.headers.items() if name.lower() == "content-type"), ""
    )
    text = request.body.decode("utf-8", errors="replace")
    if content_type.startswith(JSON_TYPE):
        try:
            return json.loads(text)
        except ValueError:
            return text
    if content_type.startswith(FORM_TYPE):
        return {name: _redacted(name, value) for name, value in parse_qsl(text, True)}
    return text


# --- helpers the senders share ---------------------------------------------------------------------
def plain(value: Any) -> str:
    """A credential's text (pydantic's ``SecretStr`` unwrapped), or ``""``."""
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return value if isinstance(value, str) else ""


def credential(credentials: Mapping[str, Any], name: str) -> str:
    value = plain(credentials.get(name))
    if not value:
        raise SendError(f"the channel has no {name}", retryable=False, credentials_rejected=True)
    return value


def secret_values(credentials: Mapping[str, Any]) -> list[str]:
    return [value for value in map(plain, credentials.values()) if value]


def review_id(request: OutboundRequest) -> str:
    """The review answered: ``reply_to``, else the recipient (``review:<id>`` is the
    client identity the store adapters give a reviewer)."""
    review = (request.reply_to or request.recipient_id or "").removeprefix("review:")
    if not review:
        raise SendError("a review reply needs the review's id", retryable=False)
    return review


def result_of(ids: list[str | None]) -> SendResult:
    """One reply's result: the first provider message's id (the others in ``extra``)."""
    extra = {"provider_message_ids": " ".join(i for i in ids if i)} if len(ids) > 1 else {}
    return SendResult(ids[0] if ids else None, extra=extra)


def required(value: str | None, what: str) -> str:
    if not value:
        raise SendError(f"{what} is missing", retryable=False)
    return value
