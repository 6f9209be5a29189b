"""A tenant with one signed-in user of every role, and a walk of a resource's routes by role
(used by the tags, templates and integrations tests)."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.accounts.access import ROLES, can
from chalicelib.domain.accounts.sessions import authenticate
from tests.support.plans import on_plan
from tests.support.world import World

__all__ = ["World", "every_role", "roles_allowed", "walk_routes_by_role"]


def every_role(world: World, admin: str, domain: str = "acme.example.com") -> dict[str, str]:
    """Access tokens of the tenant's admin and of one new user of each other role (the
    tenant goes on Lite: more users than Free allows)."""
    on_plan(authenticate(admin).tenant_id, "lite")
    tokens = {"admin": admin}
    for role in ROLES:
        if role != "admin":
            tokens[role] = world.user_with_role(admin, f"{role.replace('_', '.')}@{domain}", role)
    return tokens


def roles_allowed(action: str) -> set[str]:
    """Who the access table lets do ``action`` (no optional permissions)."""
    return {role for role in ROLES if can(role, [], action)}


def walk_routes_by_role(
    world: World,
    tokens: dict[str, str],
    path: str,
    item_id: str,
    create_body: dict[str, Any],
    patch_body: dict[str, Any],
    readers: set[str],
    history_readers: set[str],
) -> None:
    """Every route of a settings resource, called by every role: readers see, only the
    admin changes, everyone else gets 403 naming the action."""
    item = f"{path}/{item_id}"
    for role, token in tokens.items():
        is_admin = role == "admin"
        calls = [
            ("GET", path, None, role in readers, 200),
            ("GET", item, None, role in readers, 200),
            ("GET", item + "/history", None, role in history_readers, 200),
            ("PATCH", item, patch_body, is_admin, 200),
            ("POST", path, create_body, is_admin, 201),
        ]
        for method, where, body, allowed, success in calls:
            response = world.call(method, where, token, body)
            expected = success if allowed else 403
            assert response.status_code == expected, (role, method, where, response.json)
            if not allowed:
                assert response.json["error"]["code"] == "forbidden"
    for role, token in tokens.items():
        if role != "admin":
            refused = world.call("DELETE", item, token)
            assert refused.status_code == 403, (role, refused.json)
    assert world.call("DELETE", item, tokens["admin"]).status_code == 204
    assert world.call("GET", item, tokens["admin"]).status_code == 404
