"""The providers' side of ``make run``: one local HTTP server standing in for Meta
(Graph and the Facebook Login dialog) and X (OAuth 1.0a and the API), so a newcomer
connects channels in the browser with no provider account (docs/channels.md).

    python -m devstack.fake_providers --port 8020

``make run`` starts it and points ``GRAPH_API_BASE_URL``, ``META_LOGIN_BASE_URL``,
``TWITTER_API_BASE_URL`` at it unless they are set (``ATIENDE_FAKE_PROVIDERS=0``: not
started). Each provider is a module with ``handle(request) -> Answer | None``; the first
that answers wins, anything else is a 404 in the provider's error shape.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    #: this server's own origin (http://127.0.0.1:PORT), for links it hands out
    origin: str

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace")))

    def json(self) -> object:
        return json.loads(self.body or b"null")


@dataclass
class Answer:
    status: int = 200
    body: bytes | str | object = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/html; charset=utf-8")
        return json.dumps(self.body).encode(), "application/json"


Handler = Callable[[Request], Answer | None]


def handlers() -> list[Handler]:
    from devstack import fake_meta, fake_x

    return [fake_meta.handle, fake_x.handle]


def base_url_settings() -> list[str]:
    """The settings ``make run`` points at this server: each fake names those it fully
    answers (every call the adapters make), so a half-built fake never breaks replies."""
    from devstack import fake_meta, fake_x

    return [*fake_meta.SETTINGS, *fake_x.SETTINGS]


def serve(port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    chain = handlers()
    origin = f"http://{host}:{port}"

    class Handle(BaseHTTPRequestHandler):
        def _any(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=unquote(parts.path),
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
                origin=origin,
            )
            answer = None
            for handler in chain:
                answer = handler(request)
                if answer is not None:
                    break
            if answer is None:
                answer = Answer(
                    404, {"error": {"message": f"no fake for {request.method} {request.path}"}}
                )
            body, content_type = answer.encoded()
            self.send_response(answer.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                if name.lower() != "content-type":
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

        def log_message(self, format: str, *args: object) -> None:
            pass

    return ThreadingHTTPServer((host, port), Handle)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = serve(args.port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
