"""The Chalice app as a WSGI application, for tools that drive one (schemathesis).

Requests go through the same local gateway as Chalice's test client (and ``make run``),
in this process: moto's mock and the frozen clock apply, and no socket is opened.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from chalice.local import LocalGatewayException


def _raw_path(environ: dict[str, Any]) -> str:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
    query = environ.get("QUERY_STRING")
    return quote(path, safe="/%") + (f"?{query}" if query else "")


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = str(environ[key])
    return headers


def as_wsgi(
    current: dict[str, Any],
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """``current["http"]`` is the ``chalice.test.Client(...).http`` to call (read per request:
    each test has its own)."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        http = current["http"]
        try:
            # what chalice.test's client does, minus its failure on a body-less answer
            scoped = http._config.scope(http._config.chalice_stage, "api_handler")
            with http._patched_env_vars(scoped.environment_variables):
                answer = http._local_gateway.handle_request(
                    method=environ["REQUEST_METHOD"],
                    path=_raw_path(environ),
                    headers=_headers(environ),
                    body=body,
                )
            status, headers = answer["statusCode"], answer.get("headers") or {}
            payload = answer.get("body") or b""
            if answer.get("isBase64Encoded"):
                payload = base64.b64decode(payload)
        except LocalGatewayException as exc:
            status, headers, payload = exc.CODE, exc.headers or {}, exc.body or b""
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
        start_response(f"{status} {reason}", [(k, str(v)) for k, v in headers.items()])
        return [payload if isinstance(payload, bytes) else str(payload).encode()]

    return application
