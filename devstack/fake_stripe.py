"""A fake Stripe: an in-memory, thread-safe, stateful imitation of the part of Stripe's
REST API Atiende uses (docs/billing.md), good enough for the real ``stripe`` SDK
(``StripeClient(key, base_addresses={"api": fake.url})``), plus a Stripe.js stand-in at
``/v3/`` (devstack/fake_stripe_js.py) and signed webhooks.

    python -m devstack.fake_stripe --port 8021 --webhook-url URL --webhook-secret whsec_…

``make run`` starts it with ``ATIENDE_FAKE_STRIPE=1`` (``start_for_stack``); the tests
start it in-process (tests/support/stripe.py, fixture ``fake_stripe``).

What it keeps to, as Stripe does (API version 2026-10-28.endive): form-encoded bodies in
bracket notation, Bearer auth with any ``sk_test_…`` key (``pk_test_…`` only for what
Stripe.js calls), ``Idempotency-Key`` replays, error objects and statuses, list objects,
``expand[]``, ids with Stripe's prefixes, subscription periods on the items, invoice lines
with ``parent.subscription_item_details.proration``, ``POST /v1/invoices/create_preview``.

Where it simplifies: prorations are computed in whole days (the unused and remaining days
of the current period, each rounded to the nearest day), so a preview and the change
made seconds later give the same amounts; every charge is off-session and at once (also
with ``payment_behavior=default_incomplete``); ``pending_if_incomplete`` refuses like
``error_if_incomplete``; there are no PaymentIntents nor charges objects; taxes are none.

Not Stripe's API, under ``/_fake/stripe/…`` and as methods of ``FakeStripe``: advance a
subscription to its next period (``advance``), make a customer's charges fail
(``fail_charges``), hold webhooks and release them in a chosen order, resend one, sign
with another secret or badly, and read what was delivered (``deliveries``).
"""

from __future__ import annotations

import argparse
import calendar
import copy
import hashlib
import hmac
import html
import json
import re
import secrets
import signal
import string
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

API_VERSION = "2026-10-28.endive"
TIMES = "\u00d7"  # the multiplication sign of Stripe's line descriptions ("2 x Extra user")
DAY = 86400
#: the local-only values ``make run`` and the tests use (never a real account's)
LOCAL_SECRET_KEY = "sk_test_fake_atiende_local"
LOCAL_PUBLISHABLE_KEY = "pk_test_fake_atiende_local"
LOCAL_WEBHOOK_SECRET = "whsec_fake_atiende_local"
#: attempts of an invoice after which Stripe "gives up" (Smart Retries' last one): the
#: subscription is canceled
MAX_ATTEMPTS = 3

Json = dict[str, Any]

# --- cards -------------------------------------------------------------------------------
#: test card numbers -> (brand, what happens): "ok", "declined" (refused at once, never
#: attached), "fails_later" (attaches fine, every charge fails)
CARDS: dict[str, tuple[str, str]] = {
    "4242424242424242": ("visa", "ok"),
    "4000056655665556": ("visa", "ok"),
    "5555555555554444": ("mastercard", "ok"),
    "2223003122003222": ("mastercard", "ok"),
    "378282246310005": ("amex", "ok"),
    "4000000000000002": ("visa", "declined"),
    "4000000000009995": ("visa", "declined"),
    "4000000000000341": ("visa", "fails_later"),
}
#: test tokens and ``pm_card_…`` ids -> a card number of CARDS
TOKENS: dict[str, str] = {
    "tok_visa": "4242424242424242",
    "tok_visa_debit": "4000056655665556",
    "tok_mastercard": "5555555555554444",
    "tok_amex": "378282246310005",
    "tok_chargeDeclined": "4000000000000002",
    "tok_chargeDeclinedInsufficientFunds": "4000000000009995",
    "tok_chargeCustomerFail": "4000000000000341",
}
MAGIC_PAYMENT_METHODS = {"pm_card_" + token[4:]: number for token, number in TOKENS.items()}
MAGIC_PAYMENT_METHODS["pm_card_visa_chargeDeclined"] = "4000000000000002"

TAX_ID_FORMATS: dict[str, tuple[str, str]] = {
    "cl_tin": ("CL", r"\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]"),
    "br_cnpj": ("BR", r"\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}"),
    "br_cpf": ("BR", r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}"),
    "ar_cuit": ("AR", r"\d{2}-?\d{7,8}-?\d"),
    "co_nit": ("CO", r"\d{3}\.?\d{3}\.?\d{3}-?\d"),
    "mx_rfc": ("MX", r"[A-Z&Ñ]{3,4}\d{6}[A-Z\d]{3}"),
    "pe_ruc": ("PE", r"\d{11}"),
    "us_ein": ("US", r"\d{2}-?\d{7}"),
    "eu_vat": ("EU", r"[A-Z]{2}[A-Z\d]{2,13}"),
    "es_cif": ("ES", r"[A-Z]\d{8}"),
}

_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "_" + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def add_months(ts: int, months: int = 1) -> int:
    """``ts`` moved ``months`` calendar months on, the day clamped (Jan 31 -> Feb 28)."""
    moment = datetime.fromtimestamp(ts, UTC)
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def add_interval(ts: int, interval: str, count: int = 1) -> int:
    if interval == "year":
        return add_months(ts, 12 * count)
    if interval == "week":
        return ts + 7 * DAY * count
    if interval == "day":
        return ts + DAY * count
    return add_months(ts, count)


def prorated(amount: int, start: int, end: int, at: int) -> int:
    """``amount`` for the part of [start, end) left after ``at``, in whole days."""
    total_days = max(1, round((end - start) / DAY))
    left_days = min(total_days, max(0, round((end - at) / DAY)))
    return round(amount * left_days / total_days)


# --- the wire: bracket-notation forms ------------------------------------------------------
def parse_form(raw: str) -> Json:
    """``items[0][price]=p&expand[]=x&metadata[k]=v`` -> nested dicts and lists."""
    root: Json = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        head = key.split("[", 1)[0]
        parts = [head, *re.findall(r"\[([^\]]*)\]", key[len(head) :])]
        node = root
        for part in parts[:-1]:
            if part == "":
                part = str(len(node))
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        last = parts[-1]
        if last == "":
            last = str(len(node))
        node[last] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


class StripeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: Json = {"type": type, "message": message}
        if code:
            self.body["code"] = code
            self.body["doc_url"] = f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}"
        if param:
            self.body["param"] = param
        self.body.update(extra)


def missing(kind: str, ident: str, param: str = "id") -> StripeError:
    return StripeError(404, f"No such {kind}: '{ident}'", code="resource_missing", param=param)


def card_declined(message: str = "Your card was declined.", **extra: Any) -> StripeError:
    return StripeError(
        402,
        message,
        type="card_error",
        code="card_declined",
        decline_code="generic_decline",
        **extra,
    )


def _int(value: Any, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeError(400, f"Invalid integer: {value}", param=param) from None


def _bool(value: Any, param: str) -> bool:
    if value in (True, "true"):
        return True
    if value in (False, "false"):
        return False
    raise StripeError(400, f"Invalid boolean: {value}", param=param)


def _allow(params: Json, allowed: Iterable[str]) -> None:
    allowed = set(allowed) | {"expand"}
    for name in params:
        if name not in allowed:
            raise StripeError(400, f"Received unknown parameter: {name}", param=name)


def _expand_list(params: Json) -> list[str]:
    value = params.get("expand") or []
    return [value] if isinstance(value, str) else list(value)


def _metadata(current: Json, given: Any) -> Json:
    """Stripe's metadata update: keys merged, ``""`` unsets a key (or all of them)."""
    if given == "":
        return {}
    if not isinstance(given, dict):
        raise StripeError(400, "Invalid object", param="metadata")
    merged = dict(current)
    for key, value in given.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


def list_object(url: str, data: list[Json], has_more: bool = False) -> Json:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    """Stripe's ``Stripe-Signature``: ``t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>">``; with
    several secrets (comma-separated: a rotation's old and new), one ``v1`` each."""
    signed = f"{timestamp}.".encode() + body
    digests = [hmac.new(one.strip().encode(), signed, hashlib.sha256).hexdigest()
               for one in secret.split(",")]  # fmt: skip
    return f"t={timestamp}," + ",".join(f"v1={digest}" for digest in digests)


class _Context(threading.local):
    request_id: str | None = None
    idempotency_key: str | None = None
    auth: str | None = None


Route = tuple[str, re.Pattern[str], Callable[..., Any], str]  # method, path, fn, auth


class FakeStripe:
    """The fake's state and behaviour; ``start()`` serves it on ``url``.

    Webhooks: with ``webhook_url`` (and ``webhook_secret``) each event is POSTed by a
    background thread, in order, never blocking an API answer. With ``webhook_sink``
    (``callable(body: bytes, headers: dict) -> status``, e.g. into Chalice's test client)
    nothing is delivered on its own: ``flush()`` delivers what is pending, in the calling
    thread (the app is not safe to call from two threads at once). ``flush()`` also waits
    for the background thread in URL mode."""

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        catalog: bool = False,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.webhook_sink: Callable[[bytes, dict[str, str]], Any] | None = None
        #: sign with this secret instead (an old secret after a rotation; "old,new": both,
        #: as Stripe does while a rotated secret still works)
        self.sign_with: str | None = None
        #: send a signature that matches no secret
        self.bad_signature = False
        #: deliveries to ``webhook_url`` answered with an error are tried again, up to
        #: this many attempts in all, ``retry_after`` x attempt seconds apart
        self.url_attempts = 4
        self.retry_after = 2.0
        self.url = ""
        #: the wall clock (epoch seconds): the app's own in the tests, so a frozen or moved
        #: app clock moves the fake too; the machine's otherwise
        self.clock = clock or time.time
        self.offset = 0  # seconds the fake's clock is ahead of the wall clock
        self.products: dict[str, Json] = {}
        self.prices: dict[str, Json] = {}
        self.customers: dict[str, Json] = {}
        self.tax_ids: dict[str, Json] = {}
        self.payment_methods: dict[str, Json] = {}
        self.setup_intents: dict[str, Json] = {}
        self.subscriptions: dict[str, Json] = {}
        self.invoices: dict[str, Json] = {}
        self.events: list[Json] = []
        self.events_by_id: dict[str, Json] = {}
        #: every webhook delivery: event id and type, where, status, answer, signature
        self.deliveries: list[Json] = []
        self._card_numbers: dict[str, str] = {}  # pm -> number
        self._failing: set[str] = set()  # pm or customer ids whose charges fail
        self._pending_items: dict[str, list[Json]] = {}  # sub -> proration lines to bill
        self._idempotency: dict[str, tuple[str, int, bytes]] = {}
        self._invoice_seq = 0
        self._held = False
        self._held_events: list[str] = []
        self._pending: deque[tuple[str, int]] = deque()  # (event id, attempt)
        self._duplicate_next = 0
        self._queue_cv = threading.Condition()
        self._busy = False
        self._ctx = _Context()
        self._server: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.routes = self._routes()
        if catalog:
            self.seed_catalog()

    # --- life ----------------------------------------------------------------------------
    def start(self, port: int = 0, host: str = "127.0.0.1") -> FakeStripe:
        self._server = serve(self, port, host)
        self.url = f"http://{host}:{self._server.server_address[1]}"
        for target in (self._server.serve_forever, self._deliver_loop):
            thread = threading.Thread(target=target, daemon=True, name="fake-stripe")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping = True
        with self._queue_cv:
            self._queue_cv.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeStripe:
        return self.start() if not self.url else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def now(self) -> int:
        """Stripe's time: the wall clock plus what ``advance_clock``/``advance`` moved it."""
        return int(self.clock()) + self.offset

    def advance_clock(self, seconds: int) -> None:
        """Move Stripe's time only (a test clock): the app's clock stays, so what the app
        computes from its own time (a ``proration_date``) does not move with it."""
        with self.lock:
            self.offset += seconds

    # --- the catalogue (tests start with it; make stripe-catalog does the same over HTTP) ---
    def seed_catalog(self) -> None:
        from chalicelib.domain.billing import plans

        entries = [
            (p.product_id, p.name, p.lookup_key, p.amount)
            for p in plans.PLANS.values()
            if p.product_id and p.lookup_key
        ]
        entries += [(a.product_id, a.name, a.lookup_key, a.amount) for a in plans.ADDONS.values()]
        with self.lock:
            for product_id, name, lookup_key, amount in entries:
                if product_id not in self.products:
                    self._create_product({"id": product_id, "name": name})
                if not any(p["lookup_key"] == lookup_key for p in self.prices.values()):
                    self._create_price(
                        {
                            "product": product_id,
                            "unit_amount": str(amount),
                            "currency": plans.CURRENCY,
                            "lookup_key": lookup_key,
                            "recurring": {"interval": plans.INTERVAL},
                        }
                    )

    def price_by_lookup_key(self, lookup_key: str) -> Json:
        with self.lock:
            return next(p for p in self.prices.values() if p["lookup_key"] == lookup_key)

    # --- HTTP ----------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        path = unquote(parts.path)
        request_id = new_id("req", 14)
        answer_headers = {
            "Request-Id": request_id,
            "Stripe-Version": API_VERSION,
            "Access-Control-Allow-Origin": "*",
        }
        if method == "OPTIONS":
            answer_headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            answer_headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE"
            return 204, answer_headers, b""
        if not path.startswith("/v1/"):
            origin = f"http://{headers['host']}" if headers.get("host") else self.url
            status, content_type, raw, more = self._other(method, path, parts.query, body, origin)
            return status, {**answer_headers, **more, "Content-Type": content_type}, raw
        answer_headers["Content-Type"] = "application/json"
        raw_params = parts.query if method in ("GET", "DELETE") else body.decode("utf-8", "replace")
        if method == "DELETE" and body:
            raw_params = body.decode("utf-8", "replace")
        key = headers.get("idempotency-key")
        fingerprint = hashlib.sha256(f"{method} {path} {raw_params}".encode()).hexdigest()
        try:
            params = parse_form(raw_params)
            auth = self._auth(headers.get("authorization", ""))
            route, groups = self._route(method, path)
            if route[3] == "secret" and auth != "secret":
                raise StripeError(
                    401,
                    "This API call cannot be made with a publishable API key. Please use a secret API key.",
                )
            idempotent = bool(key) and method == "POST"
            with self.lock:  # check, run and keep the result at once: a twin waits
                stored = self._idempotency.get(key or "") if idempotent else None
                if stored is not None:
                    if stored[0] != fingerprint:
                        raise StripeError(
                            400,
                            f"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.",
                            type="idempotency_error",
                        )
                    return (
                        stored[1],
                        {
                            **answer_headers,
                            "Idempotent-Replayed": "true",
                            "Idempotency-Key": key or "",
                        },
                        stored[2],
                    )
                self._ctx.request_id, self._ctx.idempotency_key = request_id, key
                self._ctx.auth = auth
                try:
                    status, raw = 200, json.dumps(route[2](params, *groups)).encode()
                except StripeError as exc:
                    status, raw = exc.status, self._error_body(exc, request_id)
                finally:
                    self._ctx.request_id = self._ctx.idempotency_key = self._ctx.auth = None
                # Stripe keeps what ran (a success, a declined card), not a refused request
                if idempotent and status in (200, 402):
                    self._idempotency[key or ""] = (fingerprint, status, raw)
        except StripeError as exc:
            status, raw = exc.status, self._error_body(exc, request_id)
        except Exception as exc:  # a bug of the fake: said as Stripe says its own failures
            traceback.print_exc()
            error = {"type": "api_error", "message": f"The fake Stripe failed: {exc!r}"}
            status, raw = 500, json.dumps({"error": error}).encode()
        if key and method == "POST":
            answer_headers["Idempotency-Key"] = key
        return status, answer_headers, raw

    @staticmethod
    def _error_body(exc: StripeError, request_id: str) -> bytes:
        error = dict(exc.body)
        error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return json.dumps({"error": error}).encode()

    def _auth(self, header: str) -> str:
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if header.lower().startswith("basic "):  # curl -u sk_test_…: (the key as user)
            import base64

            try:
                token = base64.b64decode(header[6:].strip()).decode().partition(":")[0]
            except ValueError:
                token = ""
        if not token:
            raise StripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        if token.startswith(("sk_test_", "rk_test_")):
            return "secret"
        if token.startswith("pk_test_"):
            return "publishable"
        shown = token[:8] + "*" * 4 + token[-4:] if len(token) > 12 else "****"
        raise StripeError(401, f"Invalid API Key provided: {shown}", code="api_key_invalid")

    def _route(self, method: str, path: str) -> tuple[Route, tuple[str, ...]]:
        for route in self.routes:
            if route[0] == method:
                found = route[1].fullmatch(path)
                if found:
                    return route, found.groups()
        raise StripeError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://docs.stripe.com or we can help at https://support.stripe.com/.",
        )

    def _routes(self) -> list[Route]:
        table: list[tuple[str, str, Callable[..., Any], str]] = [
            ("POST", "/v1/products", self.api_create_product, "secret"),
            ("GET", "/v1/products", self.api_list_products, "secret"),
            ("GET", "/v1/products/([^/]+)", self.api_get_product, "secret"),
            ("POST", "/v1/products/([^/]+)", self.api_update_product, "secret"),
            ("POST", "/v1/prices", self.api_create_price, "secret"),
            ("GET", "/v1/prices", self.api_list_prices, "secret"),
            ("GET", "/v1/prices/([^/]+)", self.api_get_price, "secret"),
            ("POST", "/v1/prices/([^/]+)", self.api_update_price, "secret"),
            ("POST", "/v1/customers", self.api_create_customer, "secret"),
            ("GET", "/v1/customers/([^/]+)", self.api_get_customer, "secret"),
            ("POST", "/v1/customers/([^/]+)", self.api_update_customer, "secret"),
            ("DELETE", "/v1/customers/([^/]+)", self.api_delete_customer, "secret"),
            ("GET", "/v1/customers/([^/]+)/tax_ids", self.api_list_tax_ids, "secret"),
            ("POST", "/v1/customers/([^/]+)/tax_ids", self.api_create_tax_id, "secret"),
            ("GET", "/v1/customers/([^/]+)/tax_ids/([^/]+)", self.api_get_tax_id, "secret"),
            ("DELETE", "/v1/customers/([^/]+)/tax_ids/([^/]+)", self.api_delete_tax_id, "secret"),
            ("GET", "/v1/customers/([^/]+)/payment_methods", self.api_customer_pms, "secret"),
            ("POST", "/v1/payment_methods", self.api_create_pm, "any"),
            ("GET", "/v1/payment_methods", self.api_list_pms, "secret"),
            ("GET", "/v1/payment_methods/([^/]+)", self.api_get_pm, "secret"),
            ("POST", "/v1/payment_methods/([^/]+)/attach", self.api_attach_pm, "secret"),
            ("POST", "/v1/payment_methods/([^/]+)/detach", self.api_detach_pm, "secret"),
            ("POST", "/v1/setup_intents", self.api_create_seti, "secret"),
            ("GET", "/v1/setup_intents/([^/]+)", self.api_get_seti, "any"),
            ("POST", "/v1/setup_intents/([^/]+)/confirm", self.api_confirm_seti, "any"),
            ("POST", "/v1/setup_intents/([^/]+)/cancel", self.api_cancel_seti, "secret"),
            ("POST", "/v1/subscriptions", self.api_create_sub, "secret"),
            ("GET", "/v1/subscriptions", self.api_list_subs, "secret"),
            ("GET", "/v1/subscriptions/([^/]+)", self.api_get_sub, "secret"),
            ("POST", "/v1/subscriptions/([^/]+)", self.api_update_sub, "secret"),
            ("DELETE", "/v1/subscriptions/([^/]+)", self.api_cancel_sub, "secret"),
            ("POST", "/v1/invoices/create_preview", self.api_preview, "secret"),
            ("GET", "/v1/invoices", self.api_list_invoices, "secret"),
            ("GET", "/v1/invoices/([^/]+)", self.api_get_invoice, "secret"),
            ("POST", "/v1/invoices/([^/]+)/pay", self.api_pay_invoice, "secret"),
            ("POST", "/v1/invoices/([^/]+)/void", self.api_void_invoice, "secret"),
            (
                "POST",
                "/v1/invoices/([^/]+)/mark_uncollectible",
                self.api_uncollectible_invoice,
                "secret",
            ),
            ("GET", "/v1/invoices/([^/]+)/lines", self.api_invoice_lines, "secret"),
            ("GET", "/v1/events", self.api_list_events, "secret"),
            ("GET", "/v1/events/([^/]+)", self.api_get_event, "secret"),
        ]
        return [(m, re.compile(p), fn, auth) for m, p, fn, auth in table]

    # --- output --------------------------------------------------------------------------
    def _out(self, obj: Json, params: Json | None = None, extra: Iterable[str] = ()) -> Json:
        shown = copy.deepcopy(obj)
        for path in [*_expand_list(params or {}), *extra]:
            self._expand(shown, path.split("."))
        return shown

    def _expand(self, node: Any, parts: list[str]) -> None:
        if not parts or node is None:
            return
        if isinstance(node, list):
            for element in node:
                self._expand(element, parts)
            return
        if not isinstance(node, dict):
            return
        head, rest = parts[0], parts[1:]
        if head == "tax_ids" and node.get("object") == "customer":
            node["tax_ids"] = list_object(
                f"/v1/customers/{node['id']}/tax_ids", self._tax_ids_of(node["id"])
            )
        if head not in node:
            return
        if isinstance(node[head], str):
            found = self._lookup(node[head])
            if found is not None:
                node[head] = copy.deepcopy(found)
        self._expand(node[head], rest)

    def _lookup(self, ident: str) -> Json | None:
        prefix = ident.split("_", 1)[0]
        store = {
            "cus": self.customers,
            "pm": self.payment_methods,
            "in": self.invoices,
            "sub": self.subscriptions,
            "price": self.prices,
            "seti": self.setup_intents,
            "txi": self.tax_ids,
            "evt": self.events_by_id,
        }.get(prefix)
        if store is not None and ident in store:
            return store[ident]
        return self.products.get(ident)

    def _page(self, url: str, items: list[Json], params: Json) -> Json:
        limit = _int(params.get("limit", 10), "limit")
        if not 1 <= limit <= 100:
            raise StripeError(
                400, "Invalid integer: limit must be between 1 and 100", param="limit"
            )
        after = params.get("starting_after")
        if after:
            ids = [i["id"] for i in items]
            if after not in ids:
                raise missing("object", after, "starting_after")
            items = items[ids.index(after) + 1 :]
        page = [
            self._out(
                i, None, [p[len("data.") :] for p in _expand_list(params) if p.startswith("data.")]
            )
            for i in items[:limit]
        ]
        return list_object(url, page, len(items) > limit)

    # --- events and webhooks -------------------------------------------------------------
    def _event(self, type: str, obj: Json, previous: Json | None = None) -> Json:
        data: Json = {"object": copy.deepcopy(obj)}
        if previous:
            data["previous_attributes"] = copy.deepcopy(previous)
        event: Json = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1 if (self.webhook_url or self.webhook_sink) else 0,
            "request": {"id": self._ctx.request_id, "idempotency_key": self._ctx.idempotency_key},
            "type": type,
        }
        self.events.append(event)
        self.events_by_id[event["id"]] = event
        if self._held:
            self._held_events.append(event["id"])
        else:
            self._enqueue(event["id"])
        return event

    def _enqueue(self, event_id: str) -> None:
        with self._queue_cv:
            copies = 1 + (1 if self._duplicate_next else 0)
            self._duplicate_next = max(0, self._duplicate_next - 1)
            for _ in range(copies):
                self._pending.append((event_id, 1))
            self._queue_cv.notify_all()

    def hold(self) -> None:
        """Keep the events from now on until ``release``."""
        with self.lock:
            self._held = True

    def held(self) -> list[Json]:
        with self.lock:
            return [self.events_by_id[e] for e in self._held_events]

    def release(self, order: Iterable[str] | None = None) -> None:
        """Deliver the held events: those named in ``order`` (event ids or types) first, in
        that order, then the rest as they happened; delivery resumes as usual."""
        with self.lock:
            held = list(self._held_events)
            chosen: list[str] = []
            for name in order or ():
                for event_id in held:
                    if event_id not in chosen and name in (
                        event_id,
                        self.events_by_id[event_id]["type"],
                    ):
                        chosen.append(event_id)
            chosen += [e for e in held if e not in chosen]
            self._held, self._held_events = False, []
            for event_id in chosen:
                self._enqueue(event_id)

    def resend(self, event_id: str) -> None:
        """Deliver the event once more (Stripe's retries, a "Resend" from the dashboard)."""
        with self.lock:
            if event_id not in self.events_by_id:
                raise KeyError(event_id)
            with self._queue_cv:
                self._pending.append((event_id, 2))
                self._queue_cv.notify_all()

    def duplicate_next(self, times: int = 1) -> None:
        """The next ``times`` events are delivered twice each, back to back."""
        with self._queue_cv:
            self._duplicate_next += times

    def flush(self, timeout: float = 10.0) -> None:
        """Deliver everything pending (with a sink: here, in this thread; with a URL: wait
        for the background thread). Held events stay held."""
        if self.webhook_sink is None and not self.webhook_url:
            return
        if self.webhook_sink is not None:
            while True:
                with self._queue_cv:
                    if not self._pending:
                        return
                    item = self._pending.popleft()
                self._deliver(*item)
        deadline = time.monotonic() + timeout
        with self._queue_cv:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("webhooks still pending")
                self._queue_cv.wait(min(left, 0.1))

    def _deliver_loop(self) -> None:
        while not self._stopping:
            with self._queue_cv:
                while not self._stopping and (
                    not self._pending or self.webhook_sink is not None or not self.webhook_url
                ):
                    self._queue_cv.wait(0.2)
                if self._stopping:
                    return
                item = self._pending.popleft()
                self._busy = True
            try:
                self._deliver(*item)
            finally:
                with self._queue_cv:
                    self._busy = False
                    self._queue_cv.notify_all()

    def _deliver(self, event_id: str, attempt: int) -> None:
        event = self.events_by_id[event_id]
        body = json.dumps(event, indent=2).encode()
        secret = self.sign_with or self.webhook_secret or ""
        timestamp = int(self.clock())  # the receiver checks it against its own clock
        signature = signature_header(secret, body, timestamp)
        if self.bad_signature:
            signature = signature_header("whsec_not_the_secret", body, timestamp)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature,
            "Cache-Control": "no-cache",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        record: Json = {
            "event_id": event_id,
            "type": event["type"],
            "attempt": attempt,
            "signature": signature,
            "at": timestamp,
        }
        if self.webhook_sink is not None:
            record["to"] = "sink"
            try:
                answer = self.webhook_sink(body, headers)
                status = getattr(answer, "status_code", getattr(answer, "status", answer))
                record["status"] = int(status) if status is not None else 200
                answer_body = getattr(answer, "body", b"")
                record["answer"] = (
                    answer_body.decode("utf-8", "replace")
                    if isinstance(answer_body, bytes)
                    else str(answer_body)
                )
            except Exception as exc:
                record["status"], record["answer"] = 0, f"{type(exc).__name__}: {exc}"
        else:
            record["to"] = self.webhook_url
            request = urllib.request.Request(
                self.webhook_url or "", data=body, headers=headers, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    record["status"], record["answer"] = (
                        answer.status,
                        answer.read(2000).decode("utf-8", "replace"),
                    )
            except urllib.error.HTTPError as exc:
                record["status"], record["answer"] = (
                    exc.code,
                    exc.read(2000).decode("utf-8", "replace"),
                )
            except OSError as exc:
                record["status"], record["answer"] = 0, str(exc)
        with self.lock:
            self.deliveries.append(record)
            if 200 <= record["status"] < 300:
                event["pending_webhooks"] = 0
            elif record["to"] != "sink" and attempt < self.url_attempts and not self._stopping:
                # Stripe retries a failed delivery later (hours there, seconds here); with
                # a sink the test decides (``resend``)
                retry = threading.Timer(self.retry_after * attempt, self._retry, (event_id, attempt + 1))  # fmt: skip
                retry.daemon = True
                retry.start()

    def _retry(self, event_id: str, attempt: int) -> None:
        with self._queue_cv:
            self._pending.append((event_id, attempt))
            self._queue_cv.notify_all()

    # --- products and prices -------------------------------------------------------------
    def _product(self, ident: str) -> Json:
        if ident not in self.products:
            raise missing("product", ident)
        return self.products[ident]

    def _price(self, ident: str, param: str = "price") -> Json:
        if ident not in self.prices:
            raise missing("price", ident, param)
        return self.prices[ident]

    def _create_product(self, params: Json) -> Json:
        _allow(
            params, ("id", "name", "active", "description", "metadata", "tax_code", "unit_label")
        )
        if not params.get("name"):
            raise StripeError(
                400, "Missing required param: name.", code="parameter_missing", param="name"
            )
        ident = params.get("id") or new_id("prod", 14)
        if ident in self.products:
            raise StripeError(
                400, "Product already exists.", code="resource_already_exists", param="id"
            )
        now = self.now()
        product = {
            "id": ident,
            "object": "product",
            "active": _bool(params.get("active", "true"), "active"),
            "created": now,
            "default_price": None,
            "description": params.get("description") or None,
            "images": [],
            "livemode": False,
            "marketing_features": [],
            "metadata": _metadata({}, params.get("metadata", {})),
            "name": params["name"],
            "package_dimensions": None,
            "shippable": None,
            "statement_descriptor": None,
            "tax_code": params.get("tax_code"),
            "type": "service",
            "unit_label": None,
            "updated": now,
            "url": None,
        }
        self.products[ident] = product
        return product

    def api_create_product(self, params: Json) -> Json:
        return self._out(self._create_product(params), params)

    def api_get_product(self, params: Json, ident: str) -> Json:
        return self._out(self._product(ident), params)

    def api_update_product(self, params: Json, ident: str) -> Json:
        product = self._product(ident)
        _allow(params, ("name", "active", "description", "metadata"))
        if "name" in params:
            product["name"] = params["name"]
        if "active" in params:
            product["active"] = _bool(params["active"], "active")
        if "description" in params:
            product["description"] = params["description"] or None
        if "metadata" in params:
            product["metadata"] = _metadata(product["metadata"], params["metadata"])
        product["updated"] = self.now()
        return self._out(product, params)

    def api_list_products(self, params: Json) -> Json:
        items = sorted(self.products.values(), key=lambda p: -p["created"])
        if "active" in params:
            items = [p for p in items if p["active"] == _bool(params["active"], "active")]
        return self._page("/v1/products", items, {k: v for k, v in params.items() if k != "active"})

    def _create_price(self, params: Json) -> Json:
        _allow(
            params,
            (
                "product",
                "unit_amount",
                "currency",
                "recurring",
                "lookup_key",
                "transfer_lookup_key",
                "nickname",
                "metadata",
                "active",
                "tax_behavior",
            ),
        )
        for name in ("currency", "product"):
            if not params.get(name):
                raise StripeError(
                    400, f"Missing required param: {name}.", code="parameter_missing", param=name
                )
        self._product(params["product"])
        amount = _int(params.get("unit_amount"), "unit_amount")
        if amount < 0:
            raise StripeError(
                400, "This value must be greater than or equal to 0.", param="unit_amount"
            )
        recurring = params.get("recurring")
        if recurring is not None:
            interval = recurring.get("interval") if isinstance(recurring, dict) else None
            if interval not in ("day", "week", "month", "year"):
                raise StripeError(400, "Invalid recurring[interval]", param="recurring[interval]")
            recurring = {
                "interval": interval,
                "interval_count": _int(
                    recurring.get("interval_count", 1), "recurring[interval_count]"
                ),
                "meter": None,
                "trial_period_days": None,
                "usage_type": "licensed",
            }
        lookup_key = params.get("lookup_key") or None
        if lookup_key:
            holder = next((p for p in self.prices.values() if p["lookup_key"] == lookup_key), None)
            if holder is not None:
                if not _bool(params.get("transfer_lookup_key", "false"), "transfer_lookup_key"):
                    raise StripeError(
                        400,
                        f"A price (`{holder['id']}`) already uses that lookup key.",
                        param="lookup_key",
                    )
                holder["lookup_key"] = None
        price = {
            "id": new_id("price"),
            "object": "price",
            "active": _bool(params.get("active", "true"), "active"),
            "billing_scheme": "per_unit",
            "created": self.now(),
            "currency": params["currency"].lower(),
            "custom_unit_amount": None,
            "livemode": False,
            "lookup_key": lookup_key,
            "metadata": _metadata({}, params.get("metadata", {})),
            "nickname": params.get("nickname") or None,
            "product": params["product"],
            "recurring": recurring,
            "tax_behavior": params.get("tax_behavior", "unspecified"),
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring" if recurring else "one_time",
            "unit_amount": amount,
            "unit_amount_decimal": str(amount),
        }
        self.prices[price["id"]] = price
        return price

    def api_create_price(self, params: Json) -> Json:
        return self._out(self._create_price(params), params)

    def api_get_price(self, params: Json, ident: str) -> Json:
        return self._out(self._price(ident, "id"), params)

    def api_update_price(self, params: Json, ident: str) -> Json:
        price = self._price(ident, "id")
        _allow(params, ("active", "lookup_key", "transfer_lookup_key", "nickname", "metadata"))
        if "active" in params:
            price["active"] = _bool(params["active"], "active")
        if "nickname" in params:
            price["nickname"] = params["nickname"] or None
        if "metadata" in params:
            price["metadata"] = _metadata(price["metadata"], params["metadata"])
        if "lookup_key" in params:
            key = params["lookup_key"] or None
            holder = next(
                (
                    p
                    for p in self.prices.values()
                    if key and p["lookup_key"] == key and p is not price
                ),
                None,
            )
            if holder is not None:
                if not _bool(params.get("transfer_lookup_key", "false"), "transfer_lookup_key"):
                    raise StripeError(
                        400,
                        f"A price (`{holder['id']}`) already uses that lookup key.",
                        param="lookup_key",
                    )
                holder["lookup_key"] = None
            price["lookup_key"] = key
        return self._out(price, params)

    def api_list_prices(self, params: Json) -> Json:
        items = sorted(self.prices.values(), key=lambda p: -p["created"])
        filters = {
            k: params.pop(k)
            for k in ("lookup_keys", "active", "product", "currency", "type")
            if k in params
        }
        if "lookup_keys" in filters:
            keys = filters["lookup_keys"]
            keys = [keys] if isinstance(keys, str) else list(keys)
            items = [p for p in items if p["lookup_key"] in keys]
        if "active" in filters:
            items = [p for p in items if p["active"] == _bool(filters["active"], "active")]
        for name in ("product", "currency", "type"):
            if name in filters:
                items = [p for p in items if p[name] == filters[name]]
        return self._page("/v1/prices", items, params)

    # --- customers and tax ids -----------------------------------------------------------
    def _customer(self, ident: str, param: str = "customer") -> Json:
        customer = self.customers.get(ident)
        if customer is None or customer.get("deleted"):
            raise missing("customer", ident, param)
        return customer

    def _tax_ids_of(self, customer_id: str) -> list[Json]:
        return [copy.deepcopy(t) for t in self.tax_ids.values() if t["customer"] == customer_id]

    def _apply_customer(self, customer: Json, params: Json) -> None:
        for name in ("name", "email", "phone", "description"):
            if name in params:
                customer[name] = params[name] or None
        if "address" in params:
            address = params["address"]
            if address == "":
                customer["address"] = None
            elif isinstance(address, dict):
                _allow(address, ("line1", "line2", "city", "state", "country", "postal_code"))
                base = customer["address"] or {
                    k: None for k in ("city", "country", "line1", "line2", "postal_code", "state")
                }
                customer["address"] = {**base, **{k: (v or None) for k, v in address.items()}}
        if "metadata" in params:
            customer["metadata"] = _metadata(customer["metadata"], params["metadata"])
        if "preferred_locales" in params:
            locales = params["preferred_locales"]
            customer["preferred_locales"] = [] if locales == "" else list(locales)
        settings = params.get("invoice_settings")
        if settings is not None:
            if not isinstance(settings, dict):
                raise StripeError(400, "Invalid object", param="invoice_settings")
            _allow(
                settings, ("default_payment_method", "custom_fields", "footer", "rendering_options")
            )
            current = customer["invoice_settings"]
            if "default_payment_method" in settings:
                pm_id = settings["default_payment_method"] or None
                if pm_id is not None:
                    pm = self.payment_methods.get(pm_id)
                    if pm is None:
                        raise missing(
                            "PaymentMethod", pm_id, "invoice_settings[default_payment_method]"
                        )
                    if pm["customer"] != customer["id"]:
                        raise StripeError(
                            400,
                            f"The customer does not have a payment method with the ID {pm_id}. The payment method must be attached to the customer.",
                            code="resource_missing",
                            param="invoice_settings[default_payment_method]",
                        )
                current["default_payment_method"] = pm_id
            if "custom_fields" in settings:
                fields = settings["custom_fields"]
                if fields == "":
                    current["custom_fields"] = None
                else:
                    if not isinstance(fields, list) or len(fields) > 4:
                        raise StripeError(
                            400, "Invalid array", param="invoice_settings[custom_fields]"
                        )
                    for i, f in enumerate(fields):
                        if not isinstance(f, dict) or not f.get("name") or not f.get("value"):
                            raise StripeError(
                                400,
                                f"Missing required param: invoice_settings[custom_fields][{i}][value]."
                                % i,
                                code="parameter_missing",
                                param=f"invoice_settings[custom_fields][{i}]",
                            )
                        if len(f["name"]) > 40 or len(f["value"]) > 140:
                            raise StripeError(
                                400,
                                "Invalid string: too long",
                                param=f"invoice_settings[custom_fields][{i}]",
                            )
                    current["custom_fields"] = [
                        {"name": f["name"], "value": f["value"]} for f in fields
                    ]
            if "footer" in settings:
                current["footer"] = settings["footer"] or None

    def _new_tax_id(self, customer_id: str, data: Any, param: str) -> Json:
        if not isinstance(data, dict):
            raise StripeError(400, "Invalid object", param=param)
        kind, value = data.get("type"), (data.get("value") or "").strip()
        if not kind:
            raise StripeError(
                400,
                f"Missing required param: {param}[type].",
                code="parameter_missing",
                param=f"{param}[type]",
            )
        if kind not in TAX_ID_FORMATS:
            raise StripeError(
                400,
                f"Invalid {param}[type]: must be one of {', '.join(sorted(TAX_ID_FORMATS))}",
                param=f"{param}[type]",
            )
        country, pattern = TAX_ID_FORMATS[kind]
        if not re.fullmatch(pattern, value):
            raise StripeError(
                400, f"Invalid value for {kind}.", code="tax_id_invalid", param=f"{param}[value]"
            )
        return {
            "id": new_id("txi"),
            "object": "tax_id",
            "country": country,
            "created": self.now(),
            "customer": customer_id,
            "livemode": False,
            "owner": {"customer": customer_id, "type": "customer"},
            "type": kind,
            "value": value,
            "verification": {
                "status": "unavailable",
                "verified_address": None,
                "verified_name": None,
            },
        }

    def api_create_customer(self, params: Json) -> Json:
        _allow(
            params,
            (
                "name",
                "email",
                "phone",
                "description",
                "address",
                "metadata",
                "preferred_locales",
                "invoice_settings",
                "tax_id_data",
                "payment_method",
            ),
        )
        ident = new_id("cus", 14)
        customer: Json = {
            "id": ident,
            "object": "customer",
            "address": None,
            "balance": 0,
            "created": self.now(),
            "currency": None,
            "default_source": None,
            "delinquent": False,
            "description": None,
            "discount": None,
            "email": None,
            "invoice_prefix": ident[4:12].upper(),
            "invoice_settings": {
                "custom_fields": None,
                "default_payment_method": None,
                "footer": None,
                "rendering_options": None,
            },
            "livemode": False,
            "metadata": {},
            "name": None,
            "next_invoice_sequence": 1,
            "phone": None,
            "preferred_locales": [],
            "shipping": None,
            "tax_exempt": "none",
            "test_clock": None,
        }
        settings = params.get("invoice_settings")
        if isinstance(settings, dict) and settings.get("default_payment_method"):
            raise StripeError(
                400,
                "The customer does not have a payment method with the ID {}.".format(
                    settings["default_payment_method"]
                ),
                code="resource_missing",
                param="invoice_settings[default_payment_method]",
            )
        self._apply_customer(customer, params)
        tax_data = params.get("tax_id_data") or []
        tax_ids = [self._new_tax_id(ident, d, f"tax_id_data[{i}]") for i, d in enumerate(tax_data)]
        self.customers[ident] = customer
        for tax_id in tax_ids:
            self.tax_ids[tax_id["id"]] = tax_id
        self._event("customer.created", customer)
        for tax_id in tax_ids:
            self._event("customer.tax_id.created", tax_id)
        return self._out(customer, params)

    def api_get_customer(self, params: Json, ident: str) -> Json:
        customer = self.customers.get(ident)
        if customer is None:
            raise missing("customer", ident)
        if customer.get("deleted"):
            return {"id": ident, "object": "customer", "deleted": True}
        return self._out(customer, params)

    def api_update_customer(self, params: Json, ident: str) -> Json:
        customer = self._customer(ident, "id")
        _allow(
            params,
            (
                "name",
                "email",
                "phone",
                "description",
                "address",
                "metadata",
                "preferred_locales",
                "invoice_settings",
            ),
        )
        before = copy.deepcopy(customer)
        self._apply_customer(customer, params)
        self._changed("customer.updated", customer, before)
        return self._out(customer, params)

    def api_delete_customer(self, params: Json, ident: str) -> Json:
        customer = self._customer(ident, "id")
        for sub in self.subscriptions.values():
            if sub["customer"] == ident and sub["status"] not in ("canceled", "incomplete_expired"):
                self._end_subscription(sub, "cancellation_requested")
        self._event("customer.deleted", customer)
        customer["deleted"] = True
        return {"id": ident, "object": "customer", "deleted": True}

    def _changed(self, type: str, obj: Json, before: Json) -> None:
        previous = {k: v for k, v in before.items() if obj.get(k) != v}
        if previous:
            self._event(type, obj, previous)

    def api_list_tax_ids(self, params: Json, customer_id: str) -> Json:
        self._customer(customer_id)
        items = sorted(self._tax_ids_of(customer_id), key=lambda t: -t["created"])
        return self._page(f"/v1/customers/{customer_id}/tax_ids", items, params)

    def api_create_tax_id(self, params: Json, customer_id: str) -> Json:
        self._customer(customer_id)
        _allow(params, ("type", "value"))
        tax_id = self._new_tax_id(customer_id, params, "tax_id").copy()
        self.tax_ids[tax_id["id"]] = tax_id
        self._event("customer.tax_id.created", tax_id)
        return self._out(tax_id, params)

    def api_get_tax_id(self, params: Json, customer_id: str, ident: str) -> Json:
        tax_id = self.tax_ids.get(ident)
        if tax_id is None or tax_id["customer"] != customer_id:
            raise missing("tax id", ident)
        return self._out(tax_id, params)

    def api_delete_tax_id(self, params: Json, customer_id: str, ident: str) -> Json:
        tax_id = self.tax_ids.get(ident)
        if tax_id is None or tax_id["customer"] != customer_id:
            raise missing("tax id", ident)
        del self.tax_ids[ident]
        self._event("customer.tax_id.deleted", tax_id)
        return {"id": ident, "object": "tax_id", "deleted": True}

    # --- payment methods -----------------------------------------------------------------
    def _new_card(self, number: str, exp_month: int = 12, exp_year: int | None = None) -> Json:
        number = re.sub(r"\D", "", number)
        brand = CARDS.get(number, ("unknown", "ok"))[0]
        if number not in CARDS:
            brand = {"4": "visa", "5": "mastercard", "3": "amex"}.get(number[:1], "unknown")
        exp_year = exp_year or datetime.now(UTC).year + 8
        pm: Json = {
            "id": new_id("pm"),
            "object": "payment_method",
            "allow_redisplay": "unspecified",
            "billing_details": {
                "address": {
                    k: None for k in ("city", "country", "line1", "line2", "postal_code", "state")
                },
                "email": None,
                "name": None,
                "phone": None,
                "tax_id": None,
            },
            "card": {
                "brand": brand,
                "checks": {
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                    "cvc_check": "pass",
                },
                "country": "US",
                "display_brand": brand,
                "exp_month": exp_month,
                "exp_year": exp_year,
                "fingerprint": hashlib.sha256(number.encode()).hexdigest()[:16],
                "funding": "credit",
                "generated_from": None,
                "last4": number[-4:],
                "networks": {"available": [brand], "preferred": None},
                "regulated_status": "unregulated",
                "three_d_secure_usage": {"supported": True},
                "wallet": None,
            },
            "created": self.now(),
            "customer": None,
            "livemode": False,
            "metadata": {},
            "type": "card",
        }
        self.payment_methods[pm["id"]] = pm
        self._card_numbers[pm["id"]] = number
        if CARDS.get(number, ("", "ok"))[1] == "fails_later":
            self._failing.add(pm["id"])
        return pm

    def _card_outcome(self, pm_id: str) -> str:
        return CARDS.get(self._card_numbers.get(pm_id, ""), ("", "ok"))[1]

    def _pm(self, ident: str, param: str = "payment_method") -> Json:
        if ident not in self.payment_methods:
            raise missing("PaymentMethod", ident, param)
        return self.payment_methods[ident]

    def _attach(self, pm: Json, customer: Json) -> None:
        if self._card_outcome(pm["id"]) == "declined":
            raise card_declined()
        if pm["customer"] == customer["id"]:
            return
        if pm["customer"] is not None:
            raise StripeError(
                400,
                "The payment method you provided has already been attached to a customer.",
                param="payment_method",
            )
        pm["customer"] = customer["id"]
        self._event("payment_method.attached", pm)

    def api_create_pm(self, params: Json) -> Json:
        _allow(params, ("type", "card", "billing_details", "metadata"))
        if params.get("type") != "card":
            raise StripeError(
                400, "Invalid type: only card is supported by this fake", param="type"
            )
        card = params.get("card")
        if not isinstance(card, dict):
            raise StripeError(
                400, "Missing required param: card.", code="parameter_missing", param="card"
            )
        if "token" in card:
            if card["token"] not in TOKENS:
                raise missing("token", card["token"], "card[token]")
            pm = self._new_card(TOKENS[card["token"]])
        else:
            number = re.sub(r"\D", "", card.get("number", ""))
            if len(number) < 13:
                raise StripeError(
                    402,
                    "Your card number is incorrect.",
                    type="card_error",
                    code="incorrect_number",
                    param="card[number]",
                )
            pm = self._new_card(
                number,
                _int(card.get("exp_month", 12), "card[exp_month]"),
                _int(card.get("exp_year", 2034), "card[exp_year]"),
            )
        if "metadata" in params:
            pm["metadata"] = _metadata({}, params["metadata"])
        return self._out(pm, params)

    def api_get_pm(self, params: Json, ident: str) -> Json:
        return self._out(self._pm(ident, "payment_method"), params)

    def api_attach_pm(self, params: Json, ident: str) -> Json:
        _allow(params, ("customer",))
        if not params.get("customer"):
            raise StripeError(
                400, "Missing required param: customer.", code="parameter_missing", param="customer"
            )
        customer = self._customer(params["customer"])
        if ident in MAGIC_PAYMENT_METHODS:
            number = MAGIC_PAYMENT_METHODS[ident]
            if CARDS[number][1] == "declined":
                raise card_declined()
            pm = self._new_card(number)
        else:
            pm = self._pm(ident)
        self._attach(pm, customer)
        return self._out(pm, params)

    def api_detach_pm(self, params: Json, ident: str) -> Json:
        pm = self._pm(ident)
        if pm["customer"] is None:
            raise StripeError(
                400,
                "The payment method you provided is not attached to a customer so detachment is impossible.",
                param="payment_method",
            )
        customer = self.customers.get(pm["customer"])
        pm["customer"] = None
        self._event(
            "payment_method.detached", pm, {"customer": customer["id"] if customer else None}
        )
        if customer is not None and customer["invoice_settings"]["default_payment_method"] == ident:
            before = copy.deepcopy(customer)
            customer["invoice_settings"]["default_payment_method"] = None
            self._changed("customer.updated", customer, before)
        for sub in self.subscriptions.values():
            if sub["default_payment_method"] == ident:
                before = copy.deepcopy(sub)
                sub["default_payment_method"] = None
                self._changed("customer.subscription.updated", sub, before)
        return self._out(pm, params)

    def api_customer_pms(self, params: Json, customer_id: str) -> Json:
        self._customer(customer_id)
        return self._list_pms(customer_id, params, f"/v1/customers/{customer_id}/payment_methods")

    def api_list_pms(self, params: Json) -> Json:
        customer_id = params.pop("customer", None)
        if not customer_id:
            raise StripeError(
                400, "Missing required param: customer.", code="parameter_missing", param="customer"
            )
        self._customer(customer_id)
        return self._list_pms(customer_id, params, "/v1/payment_methods")

    def _list_pms(self, customer_id: str, params: Json, url: str) -> Json:
        kind = params.pop("type", None)
        params.pop("allow_redisplay", None)
        items = [
            pm
            for pm in self.payment_methods.values()
            if pm["customer"] == customer_id and (kind in (None, pm["type"]))
        ]
        items.sort(key=lambda pm: -pm["created"])
        return self._page(url, items, params)

    # --- setup intents -------------------------------------------------------------------
    def api_create_seti(self, params: Json) -> Json:
        _allow(
            params,
            (
                "customer",
                "usage",
                "payment_method_types",
                "automatic_payment_methods",
                "metadata",
                "description",
                "payment_method",
                "confirm",
            ),
        )
        if params.get("customer"):
            self._customer(params["customer"])
        usage = params.get("usage", "off_session")
        if usage not in ("off_session", "on_session"):
            raise StripeError(400, "Invalid usage", param="usage")
        automatic = params.get("automatic_payment_methods")
        types = params.get("payment_method_types") or ["card"]
        ident = new_id("seti")
        seti = {
            "id": ident,
            "object": "setup_intent",
            "application": None,
            "automatic_payment_methods": (
                {"allow_redirects": "always", "enabled": True}
                if isinstance(automatic, dict)
                and _bool(automatic.get("enabled", "false"), "automatic_payment_methods[enabled]")
                else None
            ),
            "cancellation_reason": None,
            "client_secret": f"{ident}_secret_{new_id('x')[2:]}",
            "created": self.now(),
            "customer": params.get("customer"),
            "description": params.get("description"),
            "flow_directions": None,
            "last_setup_error": None,
            "latest_attempt": None,
            "livemode": False,
            "mandate": None,
            "metadata": _metadata({}, params.get("metadata", {})),
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": None,
            "payment_method_configuration_details": None,
            "payment_method_options": {
                "card": {
                    "mandate_options": None,
                    "network": None,
                    "request_three_d_secure": "automatic",
                }
            },
            "payment_method_types": list(types),
            "single_use_mandate": None,
            "status": "requires_payment_method",
            "usage": usage,
        }
        self.setup_intents[ident] = seti
        self._event("setup_intent.created", seti)
        return self._out(seti, params)

    def _seti(self, ident: str, params: Json, publishable: bool) -> Json:
        """The intent; with a publishable key only with its client secret (Stripe.js)."""
        seti = self.setup_intents.get(ident)
        secret = params.pop("client_secret", None)
        if seti is None:
            raise missing("setupintent", ident, "intent")
        if publishable and secret != seti["client_secret"]:
            raise StripeError(
                400,
                "The client_secret provided does not match the client_secret associated with the SetupIntent.",
                param="client_secret",
            )
        return seti

    def api_get_seti(self, params: Json, ident: str) -> Json:
        return self._out(self._seti(ident, params, self._ctx.auth == "publishable"), params)

    def api_confirm_seti(self, params: Json, ident: str) -> Json:
        """Stripe.js's confirmSetup (publishable key and client secret), or a server's
        confirm with ``payment_method``."""
        seti = self._seti(ident, params, self._ctx.auth == "publishable")
        _allow(
            params,
            (
                "payment_method",
                "payment_method_data",
                "return_url",
                "use_stripe_sdk",
                "mandate_data",
            ),
        )
        if seti["status"] == "succeeded":
            raise StripeError(
                400,
                "You cannot confirm this SetupIntent because it has already succeeded after being previously confirmed.",
                code="setup_intent_unexpected_state",
                setup_intent=self._out(seti),
            )
        if seti["status"] == "canceled":
            raise StripeError(
                400, "This SetupIntent was canceled.", code="setup_intent_unexpected_state"
            )
        data = params.get("payment_method_data")
        if isinstance(data, dict):
            card = data.get("card") or {}
            number = re.sub(r"\D", "", card.get("number", ""))
            if len(number) < 13 or not _luhn(number):
                raise StripeError(
                    402,
                    "Your card number is incorrect.",
                    type="card_error",
                    code="incorrect_number",
                    param="payment_method_data[card][number]",
                )
            month = _int(card.get("exp_month"), "payment_method_data[card][exp_month]")
            year = _int(card.get("exp_year"), "payment_method_data[card][exp_year]")
            year += 2000 if year < 100 else 0
            if not 1 <= month <= 12 or (year, month) < (
                datetime.now(UTC).year,
                datetime.now(UTC).month,
            ):
                raise StripeError(
                    402,
                    "Your card's expiration date is incomplete or in the past.",
                    type="card_error",
                    code="invalid_expiry_year",
                    param="payment_method_data[card][exp_year]",
                )
            if not re.fullmatch(r"\d{3,4}", card.get("cvc", "")):
                raise StripeError(
                    402,
                    "Your card's security code is incomplete.",
                    type="card_error",
                    code="incorrect_cvc",
                    param="payment_method_data[card][cvc]",
                )
            pm = self._new_card(number, month, year)
        elif params.get("payment_method"):
            pm_id = params["payment_method"]
            pm = (
                self._new_card(MAGIC_PAYMENT_METHODS[pm_id])
                if pm_id in MAGIC_PAYMENT_METHODS
                else self._pm(pm_id)
            )
        else:
            raise StripeError(
                400,
                "You cannot confirm this SetupIntent because it's missing a payment method.",
                code="setup_intent_unexpected_state",
            )
        if self._card_outcome(pm["id"]) == "declined":
            seti["last_setup_error"] = {
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
                "type": "card_error",
                "payment_method": copy.deepcopy(pm),
            }
            seti["status"] = "requires_payment_method"
            self._event("setup_intent.setup_failed", seti)
            raise card_declined(setup_intent=self._out(seti), payment_method=copy.deepcopy(pm))
        seti["payment_method"], seti["status"], seti["last_setup_error"] = (
            pm["id"],
            "succeeded",
            None,
        )
        if seti["customer"]:
            self._attach(pm, self._customer(seti["customer"]))
        self._event("setup_intent.succeeded", seti)
        return self._out(seti, params)

    def api_cancel_seti(self, params: Json, ident: str) -> Json:
        seti = self._seti(ident, params, False)
        seti["status"], seti["cancellation_reason"] = "canceled", params.get("cancellation_reason")
        self._event("setup_intent.canceled", seti)
        return self._out(seti, params)

    # --- subscriptions -------------------------------------------------------------------
    def _sub(self, ident: str) -> Json:
        if ident not in self.subscriptions:
            raise missing("subscription", ident)
        return self.subscriptions[ident]

    def _item(self, sub_id: str, price: Json, quantity: int, start: int, end: int) -> Json:
        return {
            "id": new_id("si", 14),
            "object": "subscription_item",
            "billing_thresholds": None,
            "created": self.now(),
            "current_period_end": end,
            "current_period_start": start,
            "discounts": [],
            "metadata": {},
            "price": copy.deepcopy(price),
            "quantity": quantity,
            "subscription": sub_id,
            "tax_rates": [],
        }

    def _period(self, sub: Json) -> tuple[int, int]:
        first = sub["items"]["data"][0]
        return first["current_period_start"], first["current_period_end"]

    def _charge_method(self, customer: Json, sub: Json | None) -> str | None:
        pm_id = (sub or {}).get("default_payment_method") or customer["invoice_settings"][
            "default_payment_method"
        ]
        return pm_id

    def _would_fail(self, customer: Json, pm_id: str | None) -> bool:
        return pm_id is None or pm_id in self._failing or customer["id"] in self._failing

    def _check_items(self, items: Any, param: str = "items") -> list[Json]:
        if not isinstance(items, list) or not items:
            raise StripeError(
                400, f"Missing required param: {param}.", code="parameter_missing", param=param
            )
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise StripeError(400, "Invalid object", param=f"{param}[{i}]")
            _allow(item, ("id", "price", "quantity", "deleted", "metadata", "clear_usage"))
        return items

    def _price_for_sub(self, ident: str, param: str) -> Json:
        price = self._price(ident, param)
        if not price["active"]:
            raise StripeError(
                400,
                "The price specified is inactive. This field only accepts active prices.",
                param=param,
            )
        if price["recurring"] is None:
            raise StripeError(
                400,
                "The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.",
                param=param,
            )
        return price

    def _lines_for_period(
        self, sub_id: str | None, items: list[Json], start: int, end: int
    ) -> list[Json]:
        lines = []
        for item in items:
            price, quantity = item["price"], item["quantity"]
            product = self.products.get(price["product"], {}).get("name", price["product"])
            lines.append(
                self._line(
                    f"{quantity} {TIMES} {product} (at {_money(price['unit_amount'], price['currency'])} / {price['recurring']['interval']})",
                    price["unit_amount"] * quantity,
                    price,
                    quantity,
                    start,
                    end,
                    sub_id,
                    item.get("id"),
                    proration=False,
                )
            )
        return lines

    def _line(
        self,
        description: str,
        amount: int,
        price: Json,
        quantity: int,
        start: int,
        end: int,
        sub_id: str | None,
        item_id: str | None,
        proration: bool,
    ) -> Json:
        return {
            "id": new_id("il"),
            "object": "line_item",
            "amount": amount,
            "currency": price["currency"],
            "description": description,
            "discount_amounts": [],
            "discountable": not proration,
            "discounts": [],
            "invoice": None,
            "livemode": False,
            "metadata": {},
            "parent": {
                "invoice_item_details": None,
                "subscription_item_details": {
                    "invoice_item": new_id("ii") if proration else None,
                    "proration": proration,
                    "proration_details": {"credited_items": None},
                    "subscription": sub_id,
                    "subscription_item": item_id,
                },
                "type": "subscription_item_details",
            },
            "period": {"end": end, "start": start},
            "pricing": {
                "price_details": {"price": price["id"], "product": price["product"]},
                "type": "price_details",
                "unit_amount_decimal": str(price["unit_amount"]),
            },
            "quantity": quantity,
            "taxes": [],
        }

    def _prorations(self, sub: Json, old: list[Json], new: list[Json], at: int) -> list[Json]:
        """Stripe's prorations: a credit for the unused time of each item that changed or
        went, a charge for the remaining time of each that changed or came."""
        start, end = self._period(sub)
        day = datetime.fromtimestamp(at, UTC).strftime("%d %b %Y")
        old_by_id = {i["id"]: i for i in old}
        new_by_id = {i["id"]: i for i in new}
        lines = []
        for item in old:
            after = new_by_id.get(item["id"])
            if (
                after is None
                or after["price"]["id"] != item["price"]["id"]
                or after["quantity"] != item["quantity"]
            ):
                name = self.products.get(item["price"]["product"], {}).get(
                    "name", item["price"]["product"]
                )
                amount = prorated(item["price"]["unit_amount"] * item["quantity"], start, end, at)
                lines.append(
                    self._line(
                        f"Unused time on {item['quantity']} {TIMES} {name} after {day}",
                        -amount,
                        item["price"],
                        item["quantity"],
                        at,
                        end,
                        sub["id"],
                        item["id"],
                        proration=True,
                    )
                )
        for item in new:
            before = old_by_id.get(item["id"])
            if (
                before is None
                or before["price"]["id"] != item["price"]["id"]
                or before["quantity"] != item["quantity"]
            ):
                name = self.products.get(item["price"]["product"], {}).get(
                    "name", item["price"]["product"]
                )
                amount = prorated(item["price"]["unit_amount"] * item["quantity"], start, end, at)
                lines.append(
                    self._line(
                        f"Remaining time on {item['quantity']} {TIMES} {name} after {day}",
                        amount,
                        item["price"],
                        item["quantity"],
                        at,
                        end,
                        sub["id"],
                        item["id"],
                        proration=True,
                    )
                )
        return lines

    def _new_items(self, sub: Json, given: list[Json], at: int) -> list[Json]:
        """The subscription's items after ``items[...]`` of an update (not stored)."""
        start, end = self._period(sub)
        items = copy.deepcopy(sub["items"]["data"])
        by_id = {i["id"]: i for i in items}
        for n, change in enumerate(given):
            param = f"items[{n}]"
            if change.get("id"):
                item = by_id.get(change["id"])
                if item is None:
                    raise missing("subscription item", change["id"], f"{param}[id]")
                if _bool(change.get("deleted", "false"), f"{param}[deleted]"):
                    items.remove(item)
                    continue
                if change.get("price"):
                    item["price"] = copy.deepcopy(
                        self._price_for_sub(change["price"], f"{param}[price]")
                    )
                if "quantity" in change:
                    item["quantity"] = _int(change["quantity"], f"{param}[quantity]")
                if "metadata" in change:
                    item["metadata"] = _metadata(item["metadata"], change["metadata"])
            else:
                if not change.get("price"):
                    raise StripeError(
                        400,
                        f"Missing required param: {param}[price].",
                        code="parameter_missing",
                        param=f"{param}[price]",
                    )
                price = self._price_for_sub(change["price"], f"{param}[price]")
                item = self._item(
                    sub["id"],
                    price,
                    _int(change.get("quantity", 1), f"{param}[quantity]"),
                    start,
                    end,
                )
                items.append(item)
        seen: set[str] = set()
        for item in items:
            if item["quantity"] < 0:
                raise StripeError(400, "Invalid integer: quantity must be 0 or more", param="items")
            if item["price"]["id"] in seen:
                raise StripeError(
                    400,
                    "Cannot add multiple subscription items with the same price.",
                    param="items",
                )
            seen.add(item["price"]["id"])
        if not items:
            raise StripeError(
                400,
                "A subscription must have at least one active plan. To cancel a subscription, please use the cancel API endpoint on /v1/subscriptions/:id.",
                param="items",
            )
        return items

    def _new_invoice(
        self, customer: Json, sub: Json | None, lines: list[Json], reason: str, start: int, end: int
    ) -> Json:
        ident = new_id("in")
        total = sum(line["amount"] for line in lines)
        currency = lines[0]["currency"] if lines else "usd"
        for line in lines:
            line["invoice"] = ident
        starting = customer["balance"]
        applied = max(starting, -total) if total > 0 else 0  # a credit (negative balance) used
        amount_due = max(0, total + applied)
        ending = starting - applied + (total if total < 0 else 0)
        invoice = {
            "id": ident,
            "object": "invoice",
            "account_country": "US",
            "account_name": "Atiende (fake Stripe)",
            "account_tax_ids": None,
            "amount_due": amount_due,
            "amount_overpaid": 0,
            "amount_paid": 0,
            "amount_remaining": amount_due,
            "amount_shipping": 0,
            "application": None,
            "attempt_count": 0,
            "attempted": False,
            "auto_advance": True,
            "automatic_tax": {
                "enabled": False,
                "liability": None,
                "provider": None,
                "status": None,
            },
            "automatically_finalizes_at": None,
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "confirmation_secret": None,
            "created": self.now(),
            "currency": currency,
            "custom_fields": copy.deepcopy(customer["invoice_settings"]["custom_fields"]),
            "customer": customer["id"],
            "customer_address": copy.deepcopy(customer["address"]),
            "customer_email": customer["email"],
            "customer_name": customer["name"],
            "customer_phone": customer["phone"],
            "customer_shipping": None,
            "customer_tax_exempt": customer["tax_exempt"],
            "customer_tax_ids": [
                {"type": t["type"], "value": t["value"]} for t in self._tax_ids_of(customer["id"])
            ],
            "default_payment_method": None,
            "default_source": None,
            "default_tax_rates": [],
            "description": None,
            "discounts": [],
            "due_date": None,
            "effective_at": None,
            "ending_balance": None,
            "footer": None,
            "from_invoice": None,
            "hosted_invoice_url": None,
            "invoice_pdf": None,
            "issuer": {"type": "self"},
            "last_finalization_error": None,
            "latest_revision": None,
            "lines": list_object(f"/v1/invoices/{ident}/lines", lines),
            "livemode": False,
            "metadata": {},
            "next_payment_attempt": None,
            "number": None,
            "on_behalf_of": None,
            "parent": (
                {
                    "quote_details": None,
                    "subscription_details": {
                        "metadata": copy.deepcopy(sub["metadata"]),
                        "subscription": sub["id"],
                    },
                    "type": "subscription_details",
                }
                if sub
                else None
            ),
            "payment_settings": {
                "default_mandate": None,
                "payment_method_options": None,
                "payment_method_types": None,
            },
            "period_end": end,
            "period_start": start,
            "post_payment_credit_notes_amount": 0,
            "pre_payment_credit_notes_amount": 0,
            "receipt_number": None,
            "rendering": None,
            "shipping_cost": None,
            "shipping_details": None,
            "starting_balance": starting,
            "statement_descriptor": None,
            "status": "draft",
            "status_transitions": {
                "finalized_at": None,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            "subtotal": total,
            "subtotal_excluding_tax": total,
            "test_clock": None,
            "total": total,
            "total_discount_amounts": [],
            "total_excluding_tax": total,
            "total_pretax_credit_amounts": [],
            "total_taxes": [],
            "webhooks_delivered_at": None,
        }
        customer["balance"] = ending
        invoice["_ending"] = ending
        return invoice

    def _finalize(self, invoice: Json) -> None:
        self._invoice_seq += 1
        ending = invoice.pop("_ending")
        invoice["number"] = f"ATI-{self._invoice_seq:04d}"
        invoice["status"] = "open"
        invoice["effective_at"] = invoice["status_transitions"]["finalized_at"] = self.now()
        invoice["hosted_invoice_url"] = f"{self.url}/_fake/stripe/invoices/{invoice['id']}"
        invoice["invoice_pdf"] = f"{self.url}/_fake/stripe/invoices/{invoice['id']}.pdf"
        invoice["ending_balance"] = ending
        self.invoices[invoice["id"]] = invoice

    def _attempt(self, invoice: Json, pm_id: str | None) -> bool:
        """Charge the invoice now; True when paid (nothing to pay is paid)."""
        customer = self.customers[invoice["customer"]]
        if invoice["amount_remaining"] > 0:
            invoice["attempt_count"] += 1
            invoice["attempted"] = True
            if self._would_fail(customer, pm_id):
                last = invoice["attempt_count"] >= MAX_ATTEMPTS
                invoice["next_payment_attempt"] = None if last else self.now() + 3 * DAY
                self._event("invoice.payment_failed", invoice)
                return False
        invoice["amount_paid"], invoice["amount_remaining"] = invoice["amount_due"], 0
        invoice["status"], invoice["next_payment_attempt"] = "paid", None
        invoice["status_transitions"]["paid_at"] = self.now()
        self._event("invoice.paid", invoice)
        self._event("invoice.payment_succeeded", invoice)
        return True

    def api_create_sub(self, params: Json) -> Json:
        _allow(
            params,
            (
                "customer",
                "items",
                "default_payment_method",
                "payment_behavior",
                "proration_behavior",
                "metadata",
                "cancel_at_period_end",
                "collection_method",
                "description",
                "off_session",
                "payment_settings",
            ),
        )
        if not params.get("customer"):
            raise StripeError(
                400, "Missing required param: customer.", code="parameter_missing", param="customer"
            )
        customer = self._customer(params["customer"])
        given = self._check_items(params.get("items"))
        behavior = params.get("payment_behavior", "allow_incomplete")
        if behavior not in (
            "allow_incomplete",
            "error_if_incomplete",
            "default_incomplete",
            "pending_if_incomplete",
        ):
            raise StripeError(400, "Invalid payment_behavior", param="payment_behavior")
        pm_id = params.get("default_payment_method") or None
        if pm_id is not None:
            pm = self._pm(pm_id, "default_payment_method")
            if pm["customer"] != customer["id"]:
                raise StripeError(
                    400,
                    f"The customer does not have a payment method with the ID {pm_id}. The payment method must be attached to the customer.",
                    code="resource_missing",
                    param="default_payment_method",
                )
        now = self.now()
        ident = new_id("sub")
        prices: list[tuple[Json, int]] = []
        for n, item in enumerate(given):
            if item.get("id"):
                raise StripeError(
                    400, f"Received unknown parameter: items[{n}][id]", param=f"items[{n}][id]"
                )
            if not item.get("price"):
                raise StripeError(
                    400,
                    f"Missing required param: items[{n}][price].",
                    code="parameter_missing",
                    param=f"items[{n}][price]",
                )
            prices.append(
                (
                    self._price_for_sub(item["price"], f"items[{n}][price]"),
                    _int(item.get("quantity", 1), f"items[{n}][quantity]"),
                )
            )
        if len({p["id"] for p, _ in prices}) < len(prices):
            raise StripeError(
                400, "Cannot add multiple subscription items with the same price.", param="items"
            )
        currencies = {p["currency"] for p, _ in prices}
        if len(currencies) > 1:
            raise StripeError(
                400, "All prices on a subscription must have the same currency.", param="items"
            )
        first = prices[0][0]["recurring"]
        end = add_interval(now, first["interval"], first["interval_count"])
        items = [self._item(ident, p, q, now, end) for p, q in prices]
        charge_pm = pm_id or customer["invoice_settings"]["default_payment_method"]
        total = sum(i["price"]["unit_amount"] * i["quantity"] for i in items)
        if total > 0 and charge_pm is None and behavior != "default_incomplete":
            raise StripeError(
                400,
                "This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://docs.stripe.com/billing/subscriptions/payment-methods-setting#payment-method-priority.",
                code="resource_missing",
            )
        if (
            total > 0
            and behavior in ("error_if_incomplete", "pending_if_incomplete")
            and self._would_fail(customer, charge_pm)
        ):
            raise card_declined()
        cancel = _bool(params.get("cancel_at_period_end", "false"), "cancel_at_period_end")
        sub = {
            "id": ident,
            "object": "subscription",
            "application": None,
            "application_fee_percent": None,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
            "billing_cycle_anchor": now,
            "billing_cycle_anchor_config": None,
            "billing_mode": {"flexible": None, "type": "classic"},
            "billing_thresholds": None,
            "cancel_at": end if cancel else None,
            "cancel_at_period_end": cancel,
            "canceled_at": None,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": now,
            "currency": first_currency(prices),
            "customer": customer["id"],
            "days_until_due": None,
            "default_payment_method": pm_id,
            "default_source": None,
            "default_tax_rates": [],
            "description": params.get("description"),
            "discounts": [],
            "ended_at": None,
            "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
            "items": list_object(f"/v1/subscription_items?subscription={ident}", items),
            "latest_invoice": None,
            "livemode": False,
            "metadata": _metadata({}, params.get("metadata", {})),
            "next_pending_invoice_item_invoice": None,
            "on_behalf_of": None,
            "pause_collection": None,
            "payment_settings": {
                "payment_method_options": None,
                "payment_method_types": None,
                "save_default_payment_method": "off",
            },
            "pending_invoice_item_interval": None,
            "pending_setup_intent": None,
            "pending_update": None,
            "schedule": None,
            "start_date": now,
            "status": "incomplete",
            "test_clock": None,
            "transfer_data": None,
            "trial_end": None,
            "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
            "trial_start": None,
        }
        sub["items"]["total_count"] = len(items)
        invoice = self._new_invoice(
            customer,
            sub,
            self._lines_for_period(ident, items, now, end),
            "subscription_create",
            now,
            now,
        )
        sub["latest_invoice"] = invoice["id"]
        self.subscriptions[ident] = sub
        self._finalize(invoice)
        paid = invoice["amount_due"] == 0 or not self._would_fail(customer, charge_pm)
        sub["status"] = "active" if paid else "incomplete"
        self._event("customer.subscription.created", sub)
        self._event("invoice.created", invoice)
        self._event("invoice.finalized", invoice)
        self._attempt(invoice, charge_pm)
        return self._out(sub, params)

    def api_get_sub(self, params: Json, ident: str) -> Json:
        return self._out(self._sub(ident), params)

    def api_list_subs(self, params: Json) -> Json:
        customer = params.pop("customer", None)
        status = params.pop("status", None)
        items = [s for s in self.subscriptions.values() if customer in (None, s["customer"])]
        if status is None:
            items = [s for s in items if s["status"] not in ("canceled", "incomplete_expired")]
        elif status != "all":
            items = [s for s in items if s["status"] == status]
        items.sort(key=lambda s: -s["created"])
        return self._page("/v1/subscriptions", items, params)

    def api_update_sub(self, params: Json, ident: str) -> Json:
        sub = self._sub(ident)
        _allow(
            params,
            (
                "items",
                "default_payment_method",
                "payment_behavior",
                "proration_behavior",
                "proration_date",
                "metadata",
                "cancel_at_period_end",
                "cancel_at",
                "description",
                "off_session",
                "cancellation_details",
            ),
        )
        if sub["status"] in ("canceled", "incomplete_expired") and (
            set(params) - {"metadata", "cancellation_details", "expand"}
        ):
            raise StripeError(
                400,
                "A canceled subscription can only update its cancellation_details and metadata.",
            )
        customer = self._customer(sub["customer"])
        behavior = params.get("payment_behavior", "allow_incomplete")
        proration = params.get("proration_behavior", "create_prorations")
        if proration not in ("create_prorations", "always_invoice", "none"):
            raise StripeError(400, "Invalid proration_behavior", param="proration_behavior")
        before = copy.deepcopy(sub)
        now = self.now()
        at = _int(params.get("proration_date", now), "proration_date")
        pm_id = sub["default_payment_method"]
        if "default_payment_method" in params:
            pm_id = params["default_payment_method"] or None
            if (
                pm_id is not None
                and self._pm(pm_id, "default_payment_method")["customer"] != customer["id"]
            ):
                raise StripeError(
                    400,
                    f"The customer does not have a payment method with the ID {pm_id}. The payment method must be attached to the customer.",
                    code="resource_missing",
                    param="default_payment_method",
                )
        items = sub["items"]["data"]
        lines: list[Json] = []
        if "items" in params:
            items = self._new_items(sub, self._check_items(params["items"]), at)
            if proration != "none":
                lines = self._prorations(sub, sub["items"]["data"], items, at)
        charge_pm = pm_id or customer["invoice_settings"]["default_payment_method"]
        invoice_now = proration == "always_invoice" and lines
        total = sum(line["amount"] for line in lines)
        if (
            invoice_now
            and total + min(0, customer["balance"]) > 0
            and behavior in ("error_if_incomplete", "pending_if_incomplete")
            and self._would_fail(customer, charge_pm)
        ):
            raise card_declined()
        # apply
        sub["default_payment_method"] = pm_id
        sub["items"] = list_object(sub["items"]["url"], items)
        sub["items"]["total_count"] = len(items)
        if "metadata" in params:
            sub["metadata"] = _metadata(sub["metadata"], params["metadata"])
        if "description" in params:
            sub["description"] = params["description"] or None
        if "cancel_at_period_end" in params:
            cancel = _bool(params["cancel_at_period_end"], "cancel_at_period_end")
            sub["cancel_at_period_end"] = cancel
            sub["cancel_at"] = self._period(sub)[1] if cancel else None
            sub["canceled_at"] = now if cancel else None
        if params.get("cancel_at") == "":
            sub["cancel_at_period_end"], sub["cancel_at"], sub["canceled_at"] = False, None, None
        invoice = None
        if invoice_now:
            invoice = self._new_invoice(customer, sub, lines, "subscription_update", now, now)
            sub["latest_invoice"] = invoice["id"]
            self._finalize(invoice)
            if invoice["amount_due"] > 0 and self._would_fail(customer, charge_pm):
                sub["status"] = "past_due"
        elif lines:
            self._pending_items.setdefault(sub["id"], []).extend(lines)
        self._changed("customer.subscription.updated", sub, before)
        if invoice is not None:
            self._event("invoice.created", invoice)
            self._event("invoice.finalized", invoice)
            self._attempt(invoice, charge_pm)
        return self._out(sub, params)

    def _end_subscription(self, sub: Json, reason: str) -> None:
        now = self.now()
        sub["status"] = "incomplete_expired" if sub["status"] == "incomplete" else "canceled"
        sub["canceled_at"] = sub["canceled_at"] or now
        sub["ended_at"] = now
        sub["cancellation_details"]["reason"] = reason
        self._pending_items.pop(sub["id"], None)
        self._event("customer.subscription.deleted", sub)
        latest = self.invoices.get(sub["latest_invoice"] or "")
        if latest is not None and latest["status"] == "open":
            latest["next_payment_attempt"] = None
            if sub["status"] == "incomplete_expired":  # Stripe voids the first invoice
                self._close_invoice(latest, "void")

    def _close_invoice(self, invoice: Json, status: str) -> None:
        before = copy.deepcopy(invoice)
        invoice["status"], invoice["next_payment_attempt"] = status, None
        invoice["amount_remaining"] = 0 if status == "void" else invoice["amount_remaining"]
        moment = "voided_at" if status == "void" else "marked_uncollectible_at"
        invoice["status_transitions"][moment] = self.now()
        self._changed("invoice.updated", invoice, before)
        self._event("invoice.voided" if status == "void" else "invoice.marked_uncollectible", invoice)  # fmt: skip

    def api_void_invoice(self, params: Json, ident: str) -> Json:
        return self._close(params, ident, "void")

    def api_uncollectible_invoice(self, params: Json, ident: str) -> Json:
        return self._close(params, ident, "uncollectible")

    def _close(self, params: Json, ident: str, status: str) -> Json:
        invoice = self._invoice(ident)
        _allow(params, ())
        if invoice["status"] not in ("open", "uncollectible") or invoice["status"] == status:
            raise StripeError(400, f"You can only mark an open invoice as {status}; this one is {invoice['status']}.", code="invoice_not_open")  # fmt: skip
        self._close_invoice(invoice, status)
        return self._out(invoice, params)

    def api_cancel_sub(self, params: Json, ident: str) -> Json:
        sub = self._sub(ident)
        _allow(params, ("invoice_now", "prorate", "cancellation_details"))
        if sub["status"] in ("canceled", "incomplete_expired"):
            raise StripeError(
                404, f"No such subscription: '{ident}'", code="resource_missing", param="id"
            )
        self._end_subscription(sub, "cancellation_requested")
        return self._out(sub, params)

    # --- invoices ------------------------------------------------------------------------
    def _invoice(self, ident: str) -> Json:
        if ident not in self.invoices:
            raise missing("invoice", ident)
        return self.invoices[ident]

    def api_get_invoice(self, params: Json, ident: str) -> Json:
        return self._out(self._invoice(ident), params)

    def api_invoice_lines(self, params: Json, ident: str) -> Json:
        invoice = self._invoice(ident)
        return self._page(f"/v1/invoices/{ident}/lines", invoice["lines"]["data"], params)

    def api_list_invoices(self, params: Json) -> Json:
        filters = {k: params.pop(k) for k in ("customer", "subscription", "status") if k in params}
        items = list(self.invoices.values())
        if "customer" in filters:
            items = [i for i in items if i["customer"] == filters["customer"]]
        if "subscription" in filters:
            items = [
                i
                for i in items
                if (i["parent"] or {}).get("subscription_details", {}).get("subscription")
                == filters["subscription"]
            ]
        if "status" in filters:
            items = [i for i in items if i["status"] == filters["status"]]
        items.sort(key=lambda i: (-i["created"], -int(i["number"][4:])))
        return self._page("/v1/invoices", items, params)

    def api_pay_invoice(self, params: Json, ident: str) -> Json:
        invoice = self._invoice(ident)
        _allow(params, ("payment_method", "off_session"))
        if invoice["status"] != "open":
            raise StripeError(
                400,
                "Invoice is already paid"
                if invoice["status"] == "paid"
                else f"This invoice can't be paid: it is {invoice['status']}.",
                code="invoice_not_open" if invoice["status"] != "paid" else "invoice_already_paid",
            )
        sub = self._sub_of(invoice)
        customer = self.customers[invoice["customer"]]
        pm_id = params.get("payment_method") or self._charge_method(customer, sub)
        if not self._settle(invoice, sub, pm_id):
            raise card_declined()
        return self._out(invoice, params)

    def _sub_of(self, invoice: Json) -> Json | None:
        details = (invoice.get("parent") or {}).get("subscription_details") or {}
        return self.subscriptions.get(details.get("subscription") or "")

    def _settle(self, invoice: Json, sub: Json | None, pm_id: str | None) -> bool:
        """One more attempt at an open invoice; the subscription follows."""
        paid = self._attempt(invoice, pm_id)
        if sub is None:
            return paid
        before = copy.deepcopy(sub)
        if paid and sub["status"] in ("past_due", "incomplete", "unpaid"):
            sub["status"] = "active"
            self._changed("customer.subscription.updated", sub, before)
        elif not paid and invoice["attempt_count"] >= MAX_ATTEMPTS:
            self._end_subscription(sub, "payment_failed")
        elif not paid and sub["status"] == "active":
            sub["status"] = "past_due"
            self._changed("customer.subscription.updated", sub, before)
        return paid

    def api_preview(self, params: Json) -> Json:
        _allow(params, ("customer", "subscription", "subscription_details", "automatic_tax"))
        details = params.get("subscription_details") or {}
        if not isinstance(details, dict):
            raise StripeError(400, "Invalid object", param="subscription_details")
        _allow(
            details,
            (
                "items",
                "proration_behavior",
                "proration_date",
                "cancel_at_period_end",
                "default_payment_method",
            ),
        )
        sub = self._sub(params["subscription"]) if params.get("subscription") else None
        customer_id = params.get("customer") or (sub["customer"] if sub else None)
        if not customer_id:
            raise StripeError(
                400, "Missing required param: customer.", code="parameter_missing", param="customer"
            )
        customer = self._customer(customer_id)
        if sub is not None and sub["customer"] != customer["id"]:
            raise StripeError(
                400, "The subscription does not belong to this customer.", param="subscription"
            )
        now = self.now()
        balance = customer["balance"]
        try:
            if sub is None:
                given = self._check_items(details.get("items"), "subscription_details[items]")
                prices = [
                    (
                        self._price_for_sub(
                            i.get("price", ""), f"subscription_details[items][{n}][price]"
                        ),
                        _int(i.get("quantity", 1), f"subscription_details[items][{n}][quantity]"),
                    )
                    for n, i in enumerate(given)
                ]
                recurring = prices[0][0]["recurring"]
                end = add_interval(now, recurring["interval"], recurring["interval_count"])
                items = [self._item("", p, q, now, end) for p, q in prices]
                for item in items:
                    item["id"] = None
                invoice = self._new_invoice(
                    customer,
                    None,
                    self._lines_for_period(None, items, now, end),
                    "subscription_create",
                    now,
                    now,
                )
            else:
                if sub["status"] in ("canceled", "incomplete_expired"):
                    raise StripeError(400, "The subscription is canceled.", param="subscription")
                proration = details.get("proration_behavior", "create_prorations")
                at = _int(
                    details.get("proration_date", now), "subscription_details[proration_date]"
                )
                items = sub["items"]["data"]
                lines: list[Json] = []
                if "items" in details:
                    items = self._new_items(
                        sub, self._check_items(details["items"], "subscription_details[items]"), at
                    )
                    if proration != "none":
                        lines = self._prorations(sub, sub["items"]["data"], items, at)
                start, end = self._period(sub)
                if proration == "always_invoice" and lines:
                    invoice = self._new_invoice(
                        customer, sub, lines, "subscription_update", now, now
                    )
                else:
                    recurring = items[0]["price"]["recurring"]
                    nxt = add_interval(end, recurring["interval"], recurring["interval_count"])
                    pending = copy.deepcopy(self._pending_items.get(sub["id"], []))
                    upcoming = pending + lines + self._lines_for_period(sub["id"], items, end, nxt)
                    invoice = self._new_invoice(
                        customer, sub, upcoming, "subscription_cycle", start, end
                    )
                    invoice["next_payment_attempt"] = end
        finally:
            customer["balance"] = balance  # a preview changes nothing
        invoice.pop("_ending", None)
        invoice["id"] = "upcoming_" + new_id("in")
        for line in invoice["lines"]["data"]:
            line["invoice"] = invoice["id"]
        invoice["lines"]["url"] = f"/v1/invoices/{invoice['id']}/lines"
        return self._out(invoice, params)

    def api_list_events(self, params: Json) -> Json:
        kind = params.pop("type", None)
        items = [e for e in reversed(self.events) if kind in (None, e["type"])]
        return self._page("/v1/events", items, params)

    def api_get_event(self, params: Json, ident: str) -> Json:
        if ident not in self.events_by_id:
            raise missing("event", ident)
        return self._out(self.events_by_id[ident], params)

    # --- test controls (not Stripe's API) ------------------------------------------------
    def fail_charges(self, customer_or_pm: str, failing: bool = True) -> None:
        """Every later charge of this customer (or payment method) fails (or works again)."""
        with self.lock:
            if failing:
                self._failing.add(customer_or_pm)
            else:
                self._failing.discard(customer_or_pm)
                for pm in self.payment_methods.values():
                    if pm["customer"] == customer_or_pm:
                        self._failing.discard(pm["id"])

    def advance(self, subscription_id: str) -> Json:
        """Move the subscription on as time would: an open invoice gets its next attempt
        (the third failed one cancels the subscription); otherwise the clock moves to the
        period's end and the next period is invoiced and charged (or, with
        ``cancel_at_period_end``, the subscription ends). Returns the subscription."""
        with self.lock:
            sub = self._sub(subscription_id)
            if sub["status"] in ("canceled", "incomplete_expired"):
                raise ValueError(f"{subscription_id} is {sub['status']}")
            customer = self.customers[sub["customer"]]
            latest = self.invoices.get(sub["latest_invoice"] or "")
            if latest is not None and latest["status"] == "open" and latest["amount_remaining"] > 0:
                if latest["next_payment_attempt"]:
                    self.offset += max(0, latest["next_payment_attempt"] - self.now())
                self._settle(latest, sub, self._charge_method(customer, sub))
                return copy.deepcopy(sub)
            start, end = self._period(sub)
            self.offset += max(0, end - self.now())
            before = copy.deepcopy(sub)
            if sub["cancel_at_period_end"]:
                self._end_subscription(sub, "cancellation_requested")
                return copy.deepcopy(sub)
            recurring = sub["items"]["data"][0]["price"]["recurring"]
            nxt = add_interval(end, recurring["interval"], recurring["interval_count"])
            for item in sub["items"]["data"]:
                item["current_period_start"], item["current_period_end"] = end, nxt
            pending = self._pending_items.pop(sub["id"], [])
            lines = pending + self._lines_for_period(sub["id"], sub["items"]["data"], end, nxt)
            invoice = self._new_invoice(customer, sub, lines, "subscription_cycle", start, end)
            sub["latest_invoice"] = invoice["id"]
            self._changed("customer.subscription.updated", sub, before)
            self._finalize(invoice)
            self._event("invoice.created", invoice)
            self._event("invoice.finalized", invoice)
            self._settle(invoice, sub, self._charge_method(customer, sub))
            return copy.deepcopy(sub)

    def state(self) -> Json:
        with self.lock:
            return copy.deepcopy(
                {
                    "now": self.now(),
                    "customers": self.customers,
                    "subscriptions": self.subscriptions,
                    "invoices": self.invoices,
                    "payment_methods": self.payment_methods,
                    "products": self.products,
                    "prices": self.prices,
                    "events": [{"id": e["id"], "type": e["type"]} for e in self.events],
                    "held": list(self._held_events),
                    "deliveries": self.deliveries,
                    "failing": sorted(self._failing),
                }
            )

    def events_of(self, type: str) -> list[Json]:
        with self.lock:
            return [copy.deepcopy(e) for e in self.events if e["type"] == type]

    def _other(
        self, method: str, path: str, query: str, body: bytes, origin: str
    ) -> tuple[int, str, bytes, dict[str, str]]:
        """``/v3/…`` (the Stripe.js stand-in), the hosted invoice pages and the controls."""
        from devstack import fake_stripe_js

        if method == "GET" and path.startswith("/v3"):
            asset = fake_stripe_js.asset(path, origin)
            if asset is not None:
                return 200, asset[0], asset[1], {"Cache-Control": "no-store", **asset[2]}
        found = re.fullmatch(r"/_fake/stripe/invoices/([^/.]+)(\.pdf)?", path)
        if method == "GET" and found:
            with self.lock:
                invoice = self.invoices.get(found.group(1))
                if invoice is None:
                    return 404, "text/plain", b"no such invoice", {}
                if found.group(2):
                    return 200, "application/pdf", invoice_pdf(invoice), {}
                return 200, "text/html; charset=utf-8", invoice_page(invoice).encode(), {}
        params = parse_form(body.decode("utf-8", "replace") or query)
        try:
            result = self._control(method, path, params)
        except (KeyError, ValueError, StripeError) as exc:
            error = {"error": {"message": str(exc)}}
            return 400, "application/json", json.dumps(error).encode(), {}
        if result is None:
            error = {"error": {"message": f"Unrecognized request URL ({method}: {path})"}}
            return 404, "application/json", json.dumps(error).encode(), {}
        return 200, "application/json", json.dumps(result).encode(), {}

    def _control(self, method: str, path: str, params: Json) -> Any:
        if method == "GET" and path == "/_fake/stripe/state":
            return self.state()
        if method == "GET" and path == "/_fake/stripe/deliveries":
            with self.lock:
                return list(self.deliveries)
        if method != "POST":
            return None
        found = re.fullmatch(r"/_fake/stripe/subscriptions/([^/]+)/advance", path)
        if found:
            return self.advance(found.group(1))
        found = re.fullmatch(r"/_fake/stripe/customers/([^/]+)/fail_charges", path)
        if found:
            self.fail_charges(found.group(1), params.get("failing", "true") != "false")
            return {"ok": True}
        found = re.fullmatch(r"/_fake/stripe/events/([^/]+)/resend", path)
        if found:
            self.resend(found.group(1))
            return {"ok": True}
        if path == "/_fake/stripe/webhooks/hold":
            self.hold()
            return {"ok": True}
        if path == "/_fake/stripe/webhooks/release":
            order = params.get("order") or []
            self.release([order] if isinstance(order, str) else order)
            return {"ok": True}
        if path == "/_fake/stripe/webhooks/config":
            with self.lock:
                if "url" in params:
                    self.webhook_url = params["url"] or None
                if "secret" in params:
                    self.webhook_secret = params["secret"] or None
                if "sign_with" in params:
                    self.sign_with = params["sign_with"] or None
                if "bad_signature" in params:
                    self.bad_signature = params["bad_signature"] == "true"
            return {"ok": True}
        return None


def first_currency(prices: list[tuple[Json, int]]) -> str:
    return str(prices[0][0]["currency"])


def _luhn(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        n = int(digit)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _money(amount: int, currency: str) -> str:
    sign = "-" if amount < 0 else ""
    symbol = "$" if currency in ("usd", "clp", "mxn", "ars", "cop") else currency.upper() + " "
    return f"{sign}{symbol}{abs(amount) / 100:,.2f}"


def invoice_page(invoice: Json) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(line['description'])}</td><td>{_money(line['amount'], line['currency'])}</td></tr>"
        for line in invoice["lines"]["data"]
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Invoice {html.escape(invoice['number'] or invoice['id'])}</title></head><body>"
        f"<h1>Invoice {html.escape(invoice['number'] or '')}</h1>"
        f"<p>Status: {html.escape(invoice['status'])}</p>"
        f"<p>Amount due: {_money(invoice['amount_due'], invoice['currency'])}</p>"
        f"<table>{rows}</table>"
        f"<p><a href='{html.escape(invoice['invoice_pdf'] or '')}'>Download PDF</a></p>"
        "<p><small>A stand-in for Stripe's hosted invoice page, for local use only.</small></p>"
        "</body></html>"
    )


def invoice_pdf(invoice: Json) -> bytes:
    """A one-page PDF naming the invoice, its status and amount."""
    text = f"Invoice {invoice['number']} - {invoice['status']} - {_money(invoice['total'], invoice['currency'])}"
    text = (
        text.encode("latin-1", "replace")
        .decode("latin-1")
        .replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
    )
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def serve(fake: FakeStripe, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    class Handle(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, answer_headers, raw = fake.handle(self.command, self.path, headers, body)
            self.send_response(status)
            for name, value in answer_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_DELETE = do_OPTIONS = _any

        def log_message(self, format: str, *args: object) -> None:
            if fake_log_requests:
                sys.stderr.write("[fake stripe] " + (format % args) + "\n")

    server = ThreadingHTTPServer((host, port), Handle)
    server.daemon_threads = True
    return server


fake_log_requests = False


# --- make run ----------------------------------------------------------------------------
def start_for_stack(env: dict[str, str], port: int, var: Any, say: Callable[[str], None]) -> Any:
    """``make run`` with ``ATIENDE_FAKE_STRIPE=1`` (and the browser tests' stack, which runs
    ``devstack.run`` with it): the fake on ``ATIENDE_FAKE_STRIPE_PORT`` (default
    ATIENDE_PORT+21), its webhooks to the front's ``/webhooks/stripe``, the catalogue
    created in it, and the STRIPE_* settings of the API and worker pointed at it.
    Returns the process (the caller stops it)."""
    import subprocess

    from devstack import ddb_local
    from devstack.template import ROOT

    stripe_port = int(env.get("ATIENDE_FAKE_STRIPE_PORT") or port + 21)
    url = f"http://127.0.0.1:{stripe_port}"
    say(f"starting the fake Stripe on {url} (a stand-in for local use only)")
    log = open(f"{var}/log/fake-stripe.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devstack.fake_stripe",
            "--port",
            str(stripe_port),
            "--webhook-url",
            f"http://127.0.0.1:{port}/webhooks/stripe",
            "--webhook-secret",
            LOCAL_WEBHOOK_SECRET,
            "--log-requests",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    ddb_local.wait_for_port(stripe_port, process=process)
    env.update(
        STRIPE_API_KEY=LOCAL_SECRET_KEY,
        STRIPE_API_BASE=url,
        STRIPE_PUBLISHABLE_KEY=LOCAL_PUBLISHABLE_KEY,
        STRIPE_JS_URL=f"{url}/v3/",
        STRIPE_WEBHOOK_SECRET=LOCAL_WEBHOOK_SECRET,
        ATIENDE_FAKE_STRIPE_URL=url,
    )
    catalog = subprocess.run(
        [sys.executable, "-m", "devstack.stripe_catalog"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if catalog.returncode != 0:
        say("could not create the catalogue in the fake Stripe (see var/log/fake-stripe.log)")
    return process


def main() -> int:
    global fake_log_requests
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret")
    parser.add_argument("--catalog", action="store_true", help="start with the catalogue")
    parser.add_argument("--log-requests", action="store_true")
    args = parser.parse_args()
    fake_log_requests = args.log_requests
    fake = FakeStripe(
        webhook_url=args.webhook_url, webhook_secret=args.webhook_secret, catalog=args.catalog
    )
    fake.start(args.port)
    print(f"fake Stripe on {fake.url} (a stand-in for local use only)", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
