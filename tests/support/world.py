"""A tenant world built through the API, as a person would, and the fixtures every API test
shares (registered by ``pytest_plugins`` in tests/conftest.py):

- ``world``: a :class:`World` driving this test's API client and mailbox;
- ``signup``: a new account (the signup answer: the admin's tokens, the tenant);
- ``admin``: the signed-up admin's access token (a ``str``);
- ``tenant``: the signed-up tenant's id.
"""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from typing import Any

import pytest

import app
from chalicelib.http.openapi import openapi_document
from chalicelib.settings import get_settings
from devstack.worker import deliver_once, sqs_consumers

PASSWORD = "correct horse battery"


class World:
    """Drives the API of one test: signs up tenants, invites users, reads mail."""

    def __init__(self, api: Any, mailbox: Any) -> None:
        self.api = api
        self.mailbox = mailbox
        self._seen: set[str] = set()

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        raw = json.dumps(body) if body is not None else None
        response = getattr(self.api, method.lower())(path, headers=all_headers, body=raw)
        response.json = json.loads(response.body) if response.body else None
        return response

    def signup(
        self, company: str = "Acme", email: str = "ana@acme.example.com", locale: str = "es"
    ) -> dict:
        response = self.call(
            "POST",
            "/v1/signup",
            body={
                "company_name": company,
                "locale": locale,
                "timezone": "America/Santiago",
                "first_name": "Ana",
                "last_name": "Admin",
                "email": email,
                "password": PASSWORD,
            },
        )
        assert response.status_code == 201, response.json
        return response.json

    def run_mail_worker(self) -> None:
        [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "send_mail"]
        while deliver_once(source, handler, wait_seconds=0):
            pass

    def new_mail(self) -> list[Any]:
        self.run_mail_worker()
        fresh = [p for p in self.mailbox() if str(p) not in self._seen]
        self._seen.update(str(p) for p in fresh)
        return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in fresh]

    def token_in_mail(self, to: str) -> str:
        for message in self.new_mail():
            if to in message["To"]:
                found = re.search(
                    r"token=([A-Za-z0-9_\-]+)", message.get_body(("plain",)).get_content()
                )
                if found:
                    return found.group(1)
        raise AssertionError(f"no email with a token to {to}")

    def invite(self, admin_token: str, email: str, role: str, **extra: Any) -> dict:
        response = self.call(
            "POST",
            "/v1/users",
            admin_token,
            {
                "first_name": "Pat",
                "last_name": role.title(),
                "email": email,
                "role": role,
                **extra,
            },
        )
        assert response.status_code == 201, response.json
        return response.json["user"]

    def user_with_role(self, admin_token: str, email: str, role: str, **extra: Any) -> str:
        """Invite, accept, return the new user's access token."""
        self.invite(admin_token, email, role, **extra)
        token = self.token_in_mail(email)
        accepted = self.call(
            "POST", "/v1/auth/invitations/accept", body={"token": token, "password": PASSWORD}
        )
        assert accepted.status_code == 200, accepted.json
        return accepted.json["access_token"]


# --- the fixtures -----------------------------------------------------------------------
@pytest.fixture
def world(api: Any, mailbox: Any) -> World:
    return World(api, mailbox)


@pytest.fixture
def signup(world: World) -> dict[str, Any]:
    """A new account: the signup answer (the admin's tokens, the tenant)."""
    return world.signup()


@pytest.fixture
def admin(signup: dict[str, Any]) -> str:
    """The signed-up admin's access token."""
    return str(signup["access_token"])


@pytest.fixture
def tenant(signup: dict[str, Any]) -> str:
    """The signed-up tenant's id."""
    return str(signup["tenant"]["id"])


# --- every route, with one item of each kind to address ---------------------------
def operations():
    document = openapi_document()
    found = [
        (path, method.upper(), op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    ]
    # ending a session last, so the other calls keep their token
    return sorted(found, key=lambda item: item[0] == "/v1/auth/logout")


def make_items(world, admin):
    """One item of every kind a route can address, created by tenant A's admin."""
    user = world.invite(admin, "pat@a.example.com", "agent")
    department = world.call("POST", "/v1/departments", admin, {"name": "Ventas"}).json
    # /v1/assignments/{user_id}/recent addresses a user too
    made = {"users": user["id"], "assignments": user["id"], "departments": department["id"]}
    others = {
        "agent-groups": {"name": "Turno mañana", "members": [user["id"]]},
        "quick-replies": {"shortcut": "hola", "text": "¡Hola! ¿En qué te ayudo?"},
        "custom-fields": {"applies_to": "client", "key": "plan", "label": "Plan", "type": "text"},
        "account-contacts": {
            "first_name": "Carla",
            "last_name": "Cobros",
            "email": "carla@a.example.com",
        },
        "channels": {
            "type": "email",
            "name": "Soporte",
            "identifiers": {"address": "soporte@a.example.com"},
        },
        "tags": {"name": "VIP", "color": "#FFD700"},
        "templates": {
            "name": "hola",
            "language": "es",
            "category": "UTILITY",
            "body": "Hola {{1}}",
        },
        "integrations": {"url": "https://hooks.a.example.com/x", "events": ["ticket.created"]},
        "columns": {"name": "Todo", "filters": {"assignee": "any"}},
        "products": {"name": "Polera", "price": 9990, "currency": "CLP", "sku": "POL-M"},
    }
    made["payment-methods"] = a_card(world, admin)
    made["tickets"] = str(open_a_ticket(world, admin))
    made["clients"] = world.call("GET", "/v1/tickets/1", admin).json["client_id"]
    order = world.call("POST", "/v1/tickets/1/orders", admin, {
        "currency": "CLP", "lines": [{"description": "Polera", "quantity": 1, "unit_price": 9990}]})  # fmt: skip
    assert order.status_code == 201, order.json
    made["orders"] = str(order.json["number"])
    for collection, body in others.items():
        created = world.call("POST", f"/v1/{collection}", admin, body)
        assert created.status_code == 201, (collection, created.json)
        made[collection] = created.json["id"]
    report = world.call("POST", "/v1/reports", admin, {"kind": "conversations", "format": "csv",
                        "from": "2026-12-01", "to": "2026-12-07"})  # fmt: skip
    assert report.status_code == 202, report.json
    made["reports"] = report.json["id"]
    return made


def a_card(world, admin):
    """A card of the tenant (Stripe's test token through the setup the console follows):
    the test runs with the fake Stripe (``fake_stripe`` fixture)."""
    import stripe

    settings = get_settings()
    assert settings.stripe_api_key is not None, "make_items needs the fake_stripe fixture"
    assert world.call("POST", "/v1/billing/setup-intents", admin).status_code == 201
    client = stripe.StripeClient(
        settings.stripe_api_key.get_secret_value(),
        base_addresses={"api": str(settings.stripe_api_base)},
    )
    method = client.v1.payment_methods.create({"type": "card", "card": {"token": "tok_visa"}})
    added = world.call(
        "POST", "/v1/billing/payment-methods", admin, {"payment_method_id": method.id}
    )
    assert added.status_code == 201, added.json
    return str(method.id)


def open_a_ticket(world, admin):
    """A WhatsApp message through the signed webhook and the inbound worker."""
    from tests.support.webhooks import meta_headers, whatsapp_text

    phone = "106540352249876"
    created = world.call("POST", "/v1/channels", admin, {
        "type": "whatsapp", "name": "Ventas", "credentials": {"access_token": "EAAG-token-1234567890"},
        "identifiers": {"phone_number_id": phone, "business_account_id": "102290129340398",
                        "display_phone_number": "+56 9 1111 2222"}})  # fmt: skip
    assert created.status_code == 201, created.json
    body = whatsapp_text("56900000000", "hola", "wamid.A1", 1772460000, "Cliente", phone)
    world.api.post("/webhooks/meta", body=body, headers=meta_headers(body))
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "receive_inbound"]
    while deliver_once(source, handler, wait_seconds=0):
        pass
    return 1


def fill(path, items):
    if "{" not in path:
        return path
    parts = path.split("/")
    # the collection the first path parameter names: /v1/bot/tickets/{number}/... -> tickets
    collection = parts[next(i for i, part in enumerate(parts) if part.startswith("{")) - 1]
    if collection not in items:
        raise AssertionError(f"no item of tenant A to address {path}: add it to make_items")
    return re.sub(r"\{[^}]+\}", items[collection], path)


@pytest.fixture
def admin_principal() -> Any:
    """The first admin of a fresh tenant, as the domain sees them (budget and race tests
    that call the domain directly)."""
    from chalicelib.domain.accounts.principal import Principal
    from chalicelib.domain.accounts.tenants import signup

    tenant, user = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                          first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                          password="correct horse battery")  # fmt: skip
    return Principal(tenant.tenant_id, user.user_id, "admin", frozenset(), "s", user)
