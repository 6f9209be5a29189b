"""Every route of the OpenAPI document, called by every role and by another tenant.

The expected answer comes from the one access table (``access.ACTIONS``): a role
the table allows is never refused (401/403), a role it does not allow always gets
403, and a user of another tenant always gets 404 for this tenant's items.
"""

from __future__ import annotations

import json
import re

import pytest
from accounts_world import PASSWORD

from chalicelib.domain.accounts.access import ROLES, can
from chalicelib.http.openapi import openapi_document

MISSING_ID = "01aaaaaaaaaaaaaaaaaaaaaaaa"
ROLE_PERMISSIONS = {"agent": ["conversation_dispenser", "transfer_conversations"]}
#: valid bodies for routes whose body has required fields: another tenant must get 404 for
#: the item, not 400 for the body
EXAMPLE_BODIES = {
    ("POST", "/v1/tickets/{number}/comments"): {"text": "nota"},
    ("POST", "/v1/tickets/{number}/escalate"): {"email": "legal@partner.example.com"},
    ("PUT", "/v1/tickets/{number}/bot"): {"enabled": True},
    ("POST", "/v1/tickets/{number}/merge"): {"into": 999},
    ("POST", "/v1/tickets/{number}/messages"): {"text": "hola"},
    ("PUT", "/v1/tickets/{number}/assignee"): {"user_id": None},
}


def operations():
    document = openapi_document()
    found = [
        (path, method.upper(), op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    ]
    # ending a session last, so the other calls keep their token
    return sorted(found, key=lambda item: item[0] == "/v1/auth/logout")


@pytest.fixture
def staff(world):
    """A tenant with one signed-in user of every role."""
    admin = world.signup(email="ana@acme.example.com")["access_token"]
    tokens = {"admin": admin}
    for role in ROLES:
        if role != "admin":
            tokens[role] = world.user_with_role(
                admin,
                f"{role.replace('_', '.')}@acme.example.com",
                role,
                permissions=ROLE_PERMISSIONS.get(role, []),
            )
    return tokens


def test_every_route_answers_each_role_as_the_access_table_says(world, staff):
    checked = 0
    for path, method, op in operations():
        if "security" not in op:
            continue
        action = op["x-atiende-action"]
        concrete = re.sub(r"\{[^}]+\}", MISSING_ID, path)
        for role, token in staff.items():
            body = {} if method in ("POST", "PATCH", "PUT") else None
            response = world.call(method, concrete, token, body)
            if can(role, ROLE_PERMISSIONS.get(role, []), action):
                assert response.status_code not in (401, 403), (role, method, path, response.json)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
                assert response.json["error"]["details"]["action"] == action
            checked += 1
    assert checked > 0


def test_every_private_route_wants_a_token(world):
    for path, method, op in operations():
        if "security" in op:
            concrete = re.sub(r"\{[^}]+\}", MISSING_ID, path)
            response = world.call(method, concrete, None, {} if method != "GET" else None)
            assert response.status_code == 401, (method, path)
            assert response.json["error"]["code"] == "unauthorized"


# --- isolation between tenants ---------------------------------------------------
def make_items(world, admin):
    """One item of every kind a route can address, created by tenant A's admin."""
    user = world.invite(admin, "pat@a.example.com", "agent")
    department = world.call("POST", "/v1/departments", admin, {"name": "Ventas"}).json
    made = {"users": user["id"], "departments": department["id"]}
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
    }
    made["tickets"] = str(open_a_ticket(world, admin))
    made["clients"] = world.call("GET", "/v1/tickets/1", admin).json["client_id"]
    for collection, body in others.items():
        created = world.call("POST", f"/v1/{collection}", admin, body)
        assert created.status_code == 201, (collection, created.json)
        made[collection] = created.json["id"]
    return made


def open_a_ticket(world, admin):
    """A WhatsApp message through the signed webhook and the inbound worker."""
    import hashlib
    import hmac

    import app
    from chalicelib.settings import get_settings
    from devstack.worker import deliver_once, sqs_consumers

    phone = "106540352249876"
    created = world.call("POST", "/v1/channels", admin, {
        "type": "whatsapp", "name": "Ventas", "credentials": {"access_token": "EAAG-token-1234567890"},
        "identifiers": {"phone_number_id": phone, "business_account_id": "102290129340398",
                        "display_phone_number": "+56 9 1111 2222"}})  # fmt: skip
    assert created.status_code == 201, created.json
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {"messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "56911112222", "phone_number_id": phone},
        "contacts": [{"profile": {"name": "Cliente"}, "wa_id": "56900000000"}],
        "messages": [{"from": "56900000000", "id": "wamid.A1", "timestamp": "1772460000",
                      "type": "text", "text": {"body": "hola"}}]}}]}]}).encode()  # fmt: skip
    secret = get_settings().meta_app_secret.get_secret_value().encode()
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    world.api.post(
        "/webhooks/meta",
        body=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )
    [(source, handler)] = [(s, h) for s, h in sqs_consumers(app) if s.name == "receive_inbound"]
    while deliver_once(source, handler, wait_seconds=0):
        pass
    return 1


def fill(path, items):
    collection = path.split("/")[2]
    if "{" not in path:
        return path
    if collection not in items:
        raise AssertionError(f"no item of tenant A to address {path}: add it to make_items")
    return re.sub(r"\{[^}]+\}", items[collection], path)


def test_another_tenant_never_reads_nor_changes_this_tenants_items(world):
    admin_a = world.signup(company="A", email="ana@a.example.com")["access_token"]
    admin_b = world.signup(company="B", email="bea@b.example.com")["access_token"]
    items = make_items(world, admin_a)
    before = {
        path: world.call("GET", fill(path, items), admin_a).body
        for path, method, op in operations()
        if method == "GET" and "security" in op and "{" in path
    }
    for path, method, op in operations():
        if "security" not in op or path == "/v1/auth/logout":
            continue
        if "{" in path:
            response = world.call(
                method,
                fill(path, items),
                admin_b,
                EXAMPLE_BODIES.get((method, path), {})
                if method in ("POST", "PATCH", "PUT")
                else None,
            )
            assert response.status_code == 404, (method, path, response.status_code, response.json)
        elif method == "GET":
            body = world.call(method, path, admin_b).body.decode()
            # ticket numbers are per tenant (B has its own #1): only opaque ids can leak
            leaked = [
                kind for kind, item_id in items.items() if len(item_id) > 8 and item_id in body
            ]
            assert not leaked, (path, leaked)
            assert "a.example.com" not in body, path
    after = {path: world.call("GET", fill(path, items), admin_a).body for path in before}
    assert after == before


def test_tenant_b_sees_only_its_own_users_and_summary(world):
    admin_a = world.signup(company="A", email="ana@a.example.com")["access_token"]
    admin_b = world.signup(company="B", email="bea@b.example.com")["access_token"]
    world.invite(admin_a, "pat@a.example.com", "agent")
    users_b = world.call("GET", "/v1/users", admin_b).json["items"]
    assert [u["email"] for u in users_b] == ["bea@b.example.com"]
    summary = json.loads(world.call("GET", "/v1/account/summary", admin_b).body)
    assert summary["users"]["count"] == 1 and summary["establishment"]["name"] == "B"
    assert PASSWORD not in json.dumps(summary)


def test_the_roles_document_is_rendered_from_the_access_table():
    from pathlib import Path

    from chalicelib.domain.accounts.access import render_markdown

    document = Path(__file__).resolve().parents[3] / "docs" / "roles.md"
    assert document.read_text() == render_markdown(), "run `make roles-doc`"
