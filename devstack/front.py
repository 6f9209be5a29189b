"""The local front door of ``make run``: the console and the API on one origin.

    python -m devstack.front --port 8000 --api-port 8010

Serves the built console (``web/dist``, see ``web/build.mjs``) with its security headers,
and passes ``/v1``, ``/webhooks``, ``/docs`` and ``/chat`` unchanged to ``chalice local``
on the internal port, so the browser sees one origin, as it will behind CloudFront
(docs/console.md). A console path that is not a file is the console's own route: it gets
``index.html`` and the page's router shows the screen.
"""

from __future__ import annotations

import argparse
import http.client
import json
import mimetypes
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from devstack.template import ROOT

DIST = ROOT / "web" / "dist"
#: What the API answers; everything else is the console.
API_PREFIXES = ("/v1", "/webhooks", "/docs", "/chat")
#: Hop-by-hop headers are not forwarded (RFC 9110 §7.6.1).
NOT_PASSED = frozenset(
    {
        "connection",
        "date",  # Date and Server: the front writes its own
        "server",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)


def upload_origin(endpoint: str | None) -> str:
    """Where the browser sends attachments: the presigned POST of ``POST /v1/attachments``
    goes straight to the bucket (moto's server locally, S3 deployed), not to this origin."""
    if not endpoint:
        return "https://*.amazonaws.com"
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


#: Stripe.js and what it opens (Stripe's CSP guide): its script, its iframes (the card form,
#: 3-D Secure through hooks.stripe.com) and its API. The card is typed in Stripe's iframe.
STRIPE_SCRIPTS = "https://js.stripe.com https://*.js.stripe.com"
STRIPE_FRAMES = "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"
STRIPE_CONNECT = "https://api.stripe.com"


def stripe_origin(js_url: str | None) -> str:
    """The origin of a Stripe.js other than Stripe's own (the fake Stripe's stand-in of
    ``make run`` and the browser tests, ``STRIPE_JS_URL``), or "" for Stripe's."""
    if not js_url:
        return ""
    parts = urlsplit(js_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return "" if origin == "https://js.stripe.com" else f" {origin}"


#: The console's headers: no inline script or style, no framing, no sniffing, no
#: address (with its reset token) sent to other sites; the page talks to its own origin,
#: to the bucket for uploads, and to Stripe (Stripe.js, its card iframe and its API).
def security_headers(
    upload_endpoint: str | None, stripe_js_url: str | None = None
) -> dict[str, str]:
    """The console's headers, its uploads going to ``upload_endpoint`` (None: S3 itself,
    as deployed) and Stripe.js loaded from ``stripe_js_url`` (None: Stripe's own, as
    deployed); infra/console.yaml sends the same, tests/integration/test_infra.py."""
    fake = stripe_origin(stripe_js_url)
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self' {STRIPE_SCRIPTS}{fake}; style-src 'self'; "
            "img-src 'self' data: blob:; font-src 'self'; "
            f"connect-src 'self' {upload_origin(upload_endpoint)} {STRIPE_CONNECT}{fake}; "
            f"frame-src {STRIPE_FRAMES}{fake}; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


SECURITY_HEADERS = security_headers(
    os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("STRIPE_JS_URL")
)
#: The chat widget (web/widget): other sites load it with a <script> tag, at a URL that
#: never changes, so browsers keep it 5 minutes and then check for a new build (an hour
#: at most on a slow link). Any site may load it (CORS and CORP say so, for a tag with
#: ``crossorigin`` or ``integrity`` too); the console's CSP is not sent: it is a script.
WIDGET = "/widget.js"
WIDGET_CACHE = "public, max-age=300, stale-while-revalidate=3600"
WIDGET_HEADERS = {
    "Cache-Control": WIDGET_CACHE,
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
NOT_BUILT = (
    "<!doctype html><meta charset=utf-8><title>Atiende</title>"
    "<p>The console is not built yet: run <code>make run</code> (or <code>node web/build.mjs</code>)."
    " The API answers at <a href=/docs>/docs</a>.</p>"
)


def is_api_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PREFIXES)


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "atiende-front"
    sys_version = ""
    api_port = 0
    dist = DIST

    # --- the API, passed through --------------------------------------------------
    def _body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def _proxy(self) -> None:
        body = self._body()
        headers = {k: v for k, v in self.headers.items() if k.lower() not in NOT_PASSED}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection("127.0.0.1", self.api_port, timeout=120)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
        except OSError:
            error = {
                "error": {
                    "code": "api_unavailable",
                    "message": "The local API is not answering yet; try again in a moment.",
                    "details": None,
                }
            }
            self._send(502, json.dumps(error).encode(), {"Content-Type": "application/json"})
            return
        finally:
            connection.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in NOT_PASSED and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    # --- the console --------------------------------------------------------------
    def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _file(self, path: str) -> Path | None:
        relative = unquote(path).lstrip("/")
        if not relative:
            return None
        candidate = (self.dist / relative).resolve()
        inside = candidate.is_relative_to(self.dist.resolve())
        return candidate if inside and candidate.is_file() else None

    def _console(self, path: str) -> None:
        index = self.dist / "index.html"
        if not index.is_file():
            self._send(503, NOT_BUILT.encode(), {"Content-Type": TYPES[".html"]})
            return
        found = self._file(path)
        if path == WIDGET and found is not None:
            headers = {"Content-Type": TYPES[".js"], **WIDGET_HEADERS}
            self._send(200, found.read_bytes(), headers)
            return
        if found is None and (path.startswith("/assets/") or path == WIDGET):
            self._send(404, b"not found", {"Content-Type": "text/plain", **SECURITY_HEADERS})
            return
        target = found or index
        kind = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        cache = (
            "public, max-age=31536000, immutable" if target.parent.name == "assets" else "no-cache"
        )
        self._send(
            200,
            target.read_bytes(),
            {
                "Content-Type": kind or "application/octet-stream",
                "Cache-Control": cache,
                **SECURITY_HEADERS,
            },
        )

    def _route(self) -> None:
        path = urlsplit(self.path).path
        if is_api_path(path):
            self._proxy()
        elif self.command in ("GET", "HEAD"):
            self._console(path)
        else:
            self._body()
            self._send(
                405,
                b"The console's pages are read with GET.",
                {"Allow": "GET, HEAD", "Content-Type": "text/plain", **SECURITY_HEADERS},
            )

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _route

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the API logs its own requests (JSON lines with a request id)."""


def serve(port: int, api_port: int, dist: Path = DIST) -> ThreadingHTTPServer:
    handler = type("BoundFront", (Front,), {"api_port": api_port, "dist": dist})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-port", type=int, required=True)
    args = parser.parse_args(argv)
    server = serve(args.port, args.api_port)

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
