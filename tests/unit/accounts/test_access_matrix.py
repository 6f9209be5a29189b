"""Every route of the OpenAPI document, called by every role and by another tenant.

The expected answer comes from the one access table (``access.ACTIONS``): a role
the table allows is never refused (401/403), a role it does not allow always gets
403, and a user of another tenant always gets 404 for this tenant's items.
"""

from __future__ import annotations

import json
import re

import pytest

from chalicelib.domain.accounts.access import ROLES, can
from tests.support.plans import on_plan
from tests.support.world import PASSWORD, fill, make_items, operations

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
    ("POST", "/v1/tickets/{number}/orders"): {
        "currency": "CLP",
        "lines": [{"description": "Polera", "quantity": 1, "unit_price": 1}],
    },
    ("POST", "/v1/orders/{number}/annul"): {"reason": "duplicada"},
    ("POST", "/v1/orders/{number}/comments"): {"text": "nota"},
    ("POST", "/v1/orders/{number}/payments"): {
        "amount": 100,
        "method": "cash",
        "paid_on": "2026-12-05",
    },
    ("POST", "/v1/orders/{number}/payments/{payment_id}/reject"): {"reason": "no llegó"},
    ("POST", "/v1/tickets/{number}/catalogue"): {"product_ids": ["01abc"]},
}


@pytest.fixture
def staff(world):
    """A tenant with one signed-in user of every role."""
    signed_up = world.signup(email="ana@acme.example.com")
    on_plan(signed_up["tenant"]["id"], "lite")  # more users than Free allows
    admin = signed_up["access_token"]
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
def test_another_tenant_never_reads_nor_changes_this_tenants_items(world, fake_stripe):
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
