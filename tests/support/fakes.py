"""A provider's API on a real local HTTP server, for the tests of the code that calls it.

Answers are queued per path and served in order (404 when none is left); every request
is recorded as it arrived, so a test checks what went on the wire (method, path, query,
headers, body) as well as what the code made of the answers.

    with serving(FakeProvider(FIXTURES)) as fake:
        fake.queue("/v1/things", 200, "things.json")   # a file of FIXTURES
        ...  # point the code under test at fake.url
        assert fake.requests[0].query["limit"] == "50"
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlsplit


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class FakeProvider:
    """Queued answers per path, served in order; every request recorded.

    ``fixtures``: a folder; a ``str`` answer body is then the name of a file in it.
    Otherwise bytes go as they are and anything else as JSON."""

    def __init__(self, fixtures: Path | None = None) -> None:
        self.fixtures = fixtures
        self.requests: list[Seen] = []
        self.answers: dict[str, list[tuple[int, bytes, dict[str, str]]]] = {}
        self.url = ""
        self.delay = 0.0  # seconds each answer waits (slow providers, concurrent callers)
        self.lock = threading.Lock()

    def queue(
        self, path: str, status: int, body: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        if isinstance(body, bytes):
            raw = body
        elif isinstance(body, str) and self.fixtures is not None:
            raw = (self.fixtures / body).read_bytes()
        else:
            raw = json.dumps(body).encode()
        self.answers.setdefault(path, []).append((status, raw, headers or {}))

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self.lock:
            self.requests.append(Seen(handler.command, path, query, headers, body))
            pending = self.answers.get(path) or []
            status, raw, extra = pending.pop(0) if pending else (404, b'{"error":"no route"}', {})
        time.sleep(self.delay)
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        for name, value in extra.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(raw)

    def to(self, path: str) -> list[Seen]:
        return [request for request in self.requests if request.path == path]

    def unanswered(self) -> list[str]:
        return [path for path, pending in self.answers.items() if pending]


@contextmanager
def serving(fake: FakeProvider) -> Iterator[FakeProvider]:
    """``fake`` on 127.0.0.1 at a free port (``fake.url``) until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.answer(self)

        def do_POST(self) -> None:
            fake.answer(self)

        def do_PUT(self) -> None:
            fake.answer(self)

        def do_DELETE(self) -> None:
            fake.answer(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
