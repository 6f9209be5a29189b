"""The console's test world: the local stack as a person's browser and mailbox see it,
and the checks every page must pass (used by tests/e2e)."""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from tests.support.payloads import encoded
from tests.support.webhooks import meta_headers, whatsapp_text

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ATIENDE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "var" / "screenshots"
#: The local stack's Meta app secret (chalicelib/settings.py): it signs Meta's webhooks.
META_APP_SECRET = "local-meta-app-secret"
PASSWORD = "caballo correcto batería"
MISSING_CHROMIUM = (
    f"the browser tests need Debian's Chromium at {CHROMIUM}: "
    "sudo apt-get install -y chromium (make test installs it when run as root)"
)


# --- the stack ------------------------------------------------------------------------
@dataclass
class Stack:
    url: str
    var: Path
    #: the fake providers (Meta, X) the stack's ``make run`` started (devstack/fake_providers.py)
    fakes_url: str = ""
    #: the stack's DynamoDB Local (its ``local`` table), for what no route sets: a plan
    dynamodb_url: str = ""

    def on_plan(self, token: str, plan: str = "pro") -> None:
        """The caller's company is on ``plan`` from now on, as the Stripe webhook would leave
        it (for a world with more users or channels than Free allows)."""
        import boto3

        from chalicelib.store import keys

        tenant_id = self.call("GET", "/v1/me", token=token)["tenant"]["id"]
        boto3.client(
            "dynamodb", endpoint_url=self.dynamodb_url, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
        ).update_item(
            TableName="atiende-local",
            Key={"PK": {"S": keys.tenant_pk(tenant_id)}, "SK": {"S": keys.tenant_sk()}},
            UpdateExpression="SET #plan = :plan",
            ExpressionAttributeNames={"#plan": "plan"},
            ExpressionAttributeValues={":plan": {"S": plan}},
        )  # fmt: skip

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers=headers,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return json.loads(raw) if raw else None

    def signup(self, email: str, company: str = "Ferretería Los Andes", **extra: Any) -> dict:
        return self.call(
            "POST",
            "/v1/signup",
            {
                "company_name": company,
                "first_name": "Ana",
                "last_name": "Pérez",
                "email": email,
                "password": PASSWORD,
                "locale": "es",
                "timezone": "America/Santiago",
                **extra,
            },
        )

    def connect_whatsapp(
        self, token: str, phone_number_id: str, name: str = "Ventas", settings: dict | None = None
    ) -> dict:
        """A WhatsApp number connected through the API, as docs/channels.md does it."""
        return self.call(
            "POST",
            "/v1/channels",
            {
                "type": "whatsapp",
                "name": name,
                "identifiers": {
                    "phone_number_id": phone_number_id,
                    "business_account_id": "102290129340398",
                    "display_phone_number": "+56 9 1111 2222",
                },
                "credentials": {"access_token": "EAAG-any-local-token"},
                "settings": settings,
            },
            token=token,
        )

    def whatsapp_messages(self, phone_number_id: str, senders: list[tuple[str, str, str]]) -> None:
        """Posts one signed Meta webhook with a text message from each ``(wa_id, name,
        text)``; the worker ingests it (a new client's message opens a ticket)."""
        stamp = str(int(time.time()))
        bodies = [
            json.loads(
                whatsapp_text(
                    wa_id,
                    text,
                    f"wamid.{phone_number_id}.{wa_id}.{stamp}",
                    stamp,
                    name=name,
                    phone_number_id=phone_number_id,
                )
            )
            for wa_id, name, text in senders
        ]
        document = bodies[0]  # one delivery: a change per sender
        document["entry"][0]["changes"] = [b["entry"][0]["changes"][0] for b in bodies]
        body = encoded(document)
        self.post_meta(body)

    def post_meta(self, body: bytes) -> None:
        """Posts ``body`` to the Meta webhook, signed with the local app secret."""
        request = urllib.request.Request(
            self.url + "/webhooks/meta",
            data=body,
            method="POST",
            headers=meta_headers(body, META_APP_SECRET),
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200

    def count_tickets(self, token: str, column_id: str) -> int:
        """How many tickets the column holds now, every page read."""
        seen, cursor = 0, None
        while True:
            query = "?limit=50" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
            page = self.call("GET", f"/v1/columns/{column_id}/items{query}", token=token)
            seen += len(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                return seen

    def wait_for_tickets(self, token: str, column_id: str, count: int, timeout: float = 60) -> None:
        """Until the column holds ``count`` tickets (the worker ingests asynchronously)."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            seen = self.count_tickets(token, column_id)
            if seen >= count:
                return
            time.sleep(0.5)
        raise AssertionError(f"the column has {seen} tickets, not {count}, after {timeout} s")

    def link_in_mail(self, to: str, path: str, timeout: float = 30) -> str:
        """The link to ``path`` in the newest email to ``to`` (the worker sends it)."""
        deadline = time.monotonic() + timeout
        pattern = re.compile(rf"{re.escape(self.url)}{re.escape(path)}\?token=[A-Za-z0-9_\-]+")
        while time.monotonic() < deadline:
            for eml in sorted(
                (self.var / "mail").glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True
            ):
                message = message_from_bytes(eml.read_bytes(), policy=policy.default)
                if to not in str(message["To"]):
                    continue
                found = pattern.search(message.get_body(("plain",)).get_content())
                if found:
                    return found.group(0)
            time.sleep(0.25)
        raise AssertionError(f"no email to {to} with a link to {path} within {timeout} s")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/v1/status", timeout=5) as response:
            status_ok = json.loads(response.read())["status"] == "ok"
        with urllib.request.urlopen(url + "/", timeout=5) as response:
            return status_ok and b'id="app"' in response.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, KeyError, ValueError):
        return False


# --- what every page must be --------------------------------------------------------------
UNNAMED_CONTROLS = """() => {
  const name = (el) => (el.getAttribute('aria-label') || '').trim()
    || (el.labels && [...el.labels].map((l) => l.textContent).join(' ').trim())
    || (el.getAttribute('aria-labelledby') || '').split(' ').map((id) =>
         document.getElementById(id)?.textContent || '').join(' ').trim()
    || (el.tagName !== 'INPUT' && el.tagName !== 'SELECT' && el.textContent.trim())
    || (el.getAttribute('title') || '').trim();
  return [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
    .filter((el) => el.getAttribute('tabindex') !== '-1' && !name(el))
    .map((el) => el.outerHTML.slice(0, 120));
}"""


def check_page(page: Any, name: str) -> None:
    """Every control has an accessible name and the page fits a 390 px phone; and, but in
    CI (``CI`` set: nobody looks at its screenshots, and they cost a second or two each,
    ~100 of them), a screenshot at 1280x800 and at 390 px under var/screenshots."""
    assert page.evaluate(UNNAMED_CONTROLS) == [], f"{name}: controls without a name"
    shots = not os.environ.get("CI")
    if shots:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390, f"{name}: the page is {scroll} px wide on a 390 px phone"
    if shots:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


# --- people, tickets and the header (tests/e2e/test_console_header.py, _roles.py) ----------
def new_person_email(who: str) -> str:
    import uuid

    return f"{who}.{uuid.uuid4().hex[:8]}@losandes.example.com"


def invite(
    stack: Stack,
    admin_token: str,
    first_name: str,
    last_name: str,
    role: str,
    permissions: tuple[str, ...] = (),
    accept: bool = True,
) -> dict:
    """A person the admin invites through the API (``POST /v1/users``: the invitation email
    goes to ``var/mail/``); with ``accept`` they choose ``PASSWORD`` through the emailed
    link's token, as the invitation page does. ``{id, email, link, token}`` (the token of
    their first session, when accepted)."""
    email = new_person_email(first_name.lower())
    created = stack.call(
        "POST",
        "/v1/users",
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "role": role,
            "permissions": list(permissions),
        },
        token=admin_token,
    )
    link = stack.link_in_mail(email, "/invitations/accept")
    person = {"id": created["user"]["id"], "email": email, "link": link, "token": None}
    if accept:
        session = stack.call(
            "POST",
            "/v1/auth/invitations/accept",
            {"token": link.split("token=", 1)[1], "password": PASSWORD},
        )
        person["token"] = session["access_token"]
    return person


def log_in(stack: Stack, email: str) -> str:
    """An access token for ``email`` (``PASSWORD``), as an API client gets one."""
    return stack.call("POST", "/v1/auth/login", {"email": email, "password": PASSWORD})[
        "access_token"
    ]


def refused(stack: Stack, method: str, path: str, token: str, body: Any = None) -> int:
    """The status the API answers a call it refuses (an ``AssertionError`` if it agrees)."""
    try:
        stack.call(method, path, body, token=token)
    except urllib.error.HTTPError as error:
        return error.code
    raise AssertionError(f"{method} {path} was allowed")


def wait_for(what: str, found: Any, timeout: float = 60) -> Any:
    """``found()`` once it is truthy (the worker and the table's stream work meanwhile)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.4)
    raise AssertionError(f"{what}: not within {timeout} s")


def ticket_of(stack: Stack, token: str, number: int) -> dict | None:
    """``GET /v1/tickets/{number}``, or None while it does not exist (or is not visible)."""
    try:
        return stack.call("GET", f"/v1/tickets/{number}", token=token)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


# --- the ticket view's helpers (tests/e2e/test_console_ticket.py) ---------------------------
def sign_in(page: Any, email: str, landing: str = "Mesón de ayuda") -> None:
    """Signs ``email`` in through the login form; the role's first page (the board for the
    help desk's roles) shows its ``landing`` heading."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("heading", name=landing, level=1)).to_be_visible()


def wait_for_ticket_of(stack: Stack, token: str, name: str, timeout: float = 60) -> int:
    """The number of the newest ticket of the client called ``name`` (found by the search
    by name), once the worker has ingested the message that opens it."""
    deadline = time.monotonic() + timeout
    query = urllib.parse.quote(name)
    while time.monotonic() < deadline:
        hits = stack.call("GET", f"/v1/search/tickets?name={query}", token=token)["items"]
        found = [hit for hit in hits if hit["client"] and hit["client"]["name"] == name]
        if found:
            return int(max(hit["number"] for hit in found))
        time.sleep(0.5)
    raise AssertionError(f"no ticket of {name} after {timeout} s")


def post_whatsapp_status(
    stack: Stack, phone_number_id: str, wamid: str, state: str, to: str
) -> None:
    """A signed WhatsApp status webhook (``delivered``, ``read``, ``failed``) for a message
    this number sent."""
    from tests.support.webhooks import whatsapp_status

    stack.post_meta(
        whatsapp_status(wamid, state, to, int(time.time()), phone_number_id=phone_number_id)
    )


def whatsapp_wamid(stack: Stack, phone_number_id: str, to: str) -> str:
    """The wamid the fake Graph gave the last WhatsApp message this number sent to ``to``
    (a status webhook names it)."""
    sent = json.loads(urllib.request.urlopen(f"{stack.fakes_url}/_fake/meta/whatsapp/sent",
                                             timeout=10).read())["data"]  # fmt: skip
    mine = [m["id"] for m in sent if m["phone_number_id"] == phone_number_id and m["to"] == to]
    assert mine, f"the fake Graph sent nothing from {phone_number_id} to {to}"
    return str(mine[-1])


def outbox_requests(stack: Stack, message_id: str) -> list[dict]:
    """The provider requests the outbound worker recorded for one message (``var/outbox``)."""
    found = []
    for path in sorted((stack.var / "outbox").glob(f"*-{message_id}-*.json")):
        found.append(json.loads(path.read_text(encoding="utf-8")))
    return found


# --- the chat widget on a shop's own site (tests/e2e/test_widget.py, _newcomer.py) ------
#: a shop's page, served from another origin than Atiende's, with the widget's one tag
SHOP = """<!doctype html>
<html lang="es"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ferretería Los Andes — Tienda</title>
<style>
  /* a shop's own CSS, meant to leak into anything it can reach */
  * { font-family: Georgia, serif !important; }
  button { background: hotpink; border: 4px dashed red; }
  body { margin: 0; background: #f3efe6; color: #2b2b2b; }
  header { background: #2f4f2f; color: #fff; padding: 18px 32px; font-size: 22px; }
  main { padding: 32px; max-width: 760px; }
</style></head>
<body>
<header>Ferretería Los Andes</header>
<main><h1>Taladro percutor 750 W</h1><p>Despacho a todo Chile. $54.990</p>
<button type="button">Agregar al carro</button></main>
<script src="%(atiende)s/widget.js" data-key="%(key)s" async></script>
</body></html>
"""
