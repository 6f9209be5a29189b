"""Who may do what with orders and payments, as a matrix (docs/orders.md "Who may do
what"): every profile (a role and its optional permissions) tries every action, and each
answer is checked by status and message.

The route refuses a role that lacks the action (403 naming it); the domain narrows it by
order: an order the caller may not see is a 404, and whoever holds only standalone_orders
manages only the standalone orders they made (403)."""

from __future__ import annotations

import pytest

from tests.unit.orders.conftest import LINES, a_payment, an_order

ROLE_REFUSED = "does not allow this"
NOT_SEEN = "There is no such order."
ONLY_OWN = "only the standalone orders you made"

#: profile -> (role, permissions)
PROFILES = {
    "admin": ("admin", []),
    "supervisor": ("supervisor", []),
    "supervisor+orders_payments_admin": ("supervisor", ["orders_payments_admin"]),
    "supervisor+payment_reconciler": ("supervisor", ["payment_reconciler"]),
    "supervisor+standalone_orders": ("supervisor", ["standalone_orders"]),
    "agent": ("agent", []),
    "agent+standalone_orders": ("agent", ["standalone_orders"]),
    "stakeholder": ("stakeholder", []),
    "orders_admin": ("orders_admin", []),
    "orders_admin+standalone_orders": ("orders_admin", ["standalone_orders"]),
    "orders_admin+payment_reconciler": ("orders_admin", ["payment_reconciler"]),
    "analyst": ("analyst", []),
    "account_contact": ("account_contact", []),
}
ACTIONS = ("create_from_ticket", "create_standalone", "read_conversation_order",
           "read_others_standalone", "list", "annul_conversation_order", "annul_own_standalone",
           "delete_conversation_order", "comment", "record_payment", "reconcile", "reject",
           "reopen")  # fmt: skip
OK, R, N, OWN = "ok", "role", "not seen", "only own"
#: what each profile gets for each action (ACTIONS' order); None: it cannot be tried
#: (the profile cannot make a standalone order to annul)
MATRIX = {
    "admin":                            (OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK),
    "supervisor":                       (R, R, OK, OK, OK, R, None, R, R, R, R, R, R),
    "supervisor+orders_payments_admin": (OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, R, R, R),
    "supervisor+payment_reconciler":    (R, R, OK, OK, OK, R, None, R, OK, OK, OK, OK, OK),
    "supervisor+standalone_orders":     (R, OK, OK, OK, OK, OWN, OK, OWN, OK, R, R, R, R),
    "agent":                            (OK, R, OK, N, OK, R, None, R, OK, OK, R, R, R),
    "agent+standalone_orders":          (OK, OK, OK, N, OK, OWN, OK, OWN, OK, OK, R, R, R),
    "stakeholder":                      (OK, R, OK, N, OK, R, None, R, OK, OK, R, R, R),
    "orders_admin":                     (R, R, OK, OK, OK, R, None, R, OK, OK, R, R, R),
    "orders_admin+standalone_orders":   (R, OK, OK, OK, OK, OWN, OK, OWN, OK, OK, R, R, R),
    "orders_admin+payment_reconciler":  (R, R, OK, OK, OK, R, None, R, OK, OK, OK, OK, OK),
    "analyst":                          (R, R, R, R, R, R, None, R, R, R, R, R, R),
    "account_contact":                  (R, R, R, R, R, R, None, R, R, R, R, R, R),
}  # fmt: skip


def standalone(desk, who, client_id):
    return desk.call("POST", "/v1/orders", who,
                     {"currency": "CLP", "lines": LINES, "client_id": client_id})  # fmt: skip


class Targets:
    """What the actions are tried on, made by the admin: one conversation order (read,
    commented, paid, and annulled or deleted only when refused) with a pending and a
    rejected payment; an admin's standalone order. Fresh ones only where a write succeeds
    (moto copies the table for each transaction: the matrix stays quick)."""

    def __init__(self, desk, client_id):
        self.desk, self.client_id = desk, client_id
        self.order = an_order(desk)["number"]
        self.pending = a_payment(desk, self.order, 100)["id"]
        self.rejected = a_payment(desk, self.order, 100)["id"]
        self.settle(self.rejected, "reject", "admin")
        self.standalone = standalone(desk, "admin", client_id).json["number"]

    def settle(self, payment, how, token):
        body = {"reason": "no llegó"} if how == "reject" else None
        return self.desk.call("POST", f"/v1/orders/{self.order}/payments/{payment}/{how}",
                              token, body)  # fmt: skip


def attempt(targets, token, action, expected):
    """The answer ``token``'s user gets for ``action``."""
    desk, order = targets.desk, targets.order
    fresh = expected == OK
    if action == "create_from_ticket":
        return desk.call("POST", "/v1/tickets/1/orders", token, {"currency": "CLP", "lines": LINES})
    if action == "create_standalone":
        return standalone(desk, token, targets.client_id)
    if action == "read_conversation_order":
        return desk.call("GET", f"/v1/orders/{order}", token)
    if action == "read_others_standalone":
        return desk.call("GET", f"/v1/orders/ORD-{targets.standalone:06d}", token)
    if action == "list":
        return desk.call("GET", "/v1/orders", token)
    if action == "annul_conversation_order":
        number = an_order(desk)["number"] if fresh else order
        return desk.call("POST", f"/v1/orders/{number}/annul", token, {"reason": "x"})
    if action == "annul_own_standalone":
        number = standalone(desk, token, targets.client_id).json["number"]
        return desk.call("POST", f"/v1/orders/{number}/annul", token, {"reason": "x"})
    if action == "delete_conversation_order":
        number = an_order(desk)["number"] if fresh else order
        return desk.call("DELETE", f"/v1/orders/{number}", token)
    if action == "comment":
        return desk.call("POST", f"/v1/orders/{order}/comments", token, {"text": "hola"})
    if action == "record_payment":
        return desk.call("POST", f"/v1/orders/{order}/payments", token,
                         {"amount": 100, "method": "cash", "paid_on": "2026-12-05"})  # fmt: skip
    if action == "reopen":
        return targets.settle(targets.rejected, "reopen", token)
    payment = a_payment(desk, order, 100)["id"] if fresh else targets.pending
    return targets.settle(payment, action, token)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_each_profile_gets_what_the_access_table_and_the_order_allow(desk, profile):
    role, permissions = PROFILES[profile]
    token = desk.admin if role == "admin" else desk.world.user_with_role(
        desk.admin, f"{profile.replace('+', '.').replace('_', '.')}@acme.example.com", role,
        permissions=permissions)  # fmt: skip
    if role == "agent":  # the agent serves the channel: they see ticket 1
        desk.call("PUT", "/v1/assignments", desk.admin, {"agents": [{
            "user_id": desk.me(token)["id"], "auto_assign": False, "channels": [desk.whatsapp]}]})  # fmt: skip
    targets = Targets(desk, desk.call("GET", "/v1/tickets/1").json["client_id"])
    for action, expected in zip(ACTIONS, MATRIX[profile], strict=True):
        if expected is None:
            continue
        response = attempt(targets, token, action, expected)
        where = (profile, action, response.status_code, response.json)
        if expected == OK:
            assert response.status_code in (200, 201, 204), where
        elif expected == R:
            assert response.status_code == 403, where
            assert ROLE_REFUSED in response.json["error"]["message"], where
            assert response.json["error"]["details"]["role"] == role, where
        elif expected == N:
            assert response.status_code == 404, where
            assert response.json["error"]["message"] == NOT_SEEN, where
        else:
            assert response.status_code == 403, where
            assert ONLY_OWN in response.json["error"]["message"], where


def test_an_agent_sees_the_orders_of_tickets_they_see_and_the_ones_they_made(desk):
    mine = an_order(desk, "agent")["number"]
    desk.call("PUT", "/v1/assignments", desk.admin, {"agents": [
        {"user_id": desk.id("agent"), "auto_assign": False, "channels": []}]})  # fmt: skip
    theirs = an_order(desk)["number"]  # ticket 1, no longer served by the agent
    assert desk.call("GET", f"/v1/orders/{mine}", "agent").status_code == 200
    hidden = desk.call("GET", f"/v1/orders/{theirs}", "agent")
    assert hidden.status_code == 404 and hidden.json["error"]["message"] == NOT_SEEN
    listed = desk.call("GET", "/v1/orders", "agent").json["items"]
    assert [o["number"] for o in listed] == [mine]
    assert desk.call("GET", "/v1/tickets/1/orders", "agent").status_code == 404


def test_a_stakeholder_lists_conversation_orders_but_not_others_standalone_ones(desk):
    an_order(desk)
    client_id = desk.call("GET", "/v1/tickets/1").json["client_id"]
    assert standalone(desk, "admin", client_id).status_code == 201
    listed = desk.call("GET", "/v1/orders", "stakeholder").json["items"]
    assert [o["number"] for o in listed] == [1]
    by_client = desk.call("GET", f"/v1/clients/{client_id}/orders", "stakeholder").json["items"]
    assert [o["number"] for o in by_client] == [1]


def test_orders_admin_reaches_only_the_orders_area(desk):
    for method, path in (("GET", "/v1/tickets/1"), ("GET", "/v1/users"), ("GET", "/v1/tags")):
        refused = desk.call(method, path, "orders_admin")
        assert refused.status_code == 403, path
        assert ROLE_REFUSED in refused.json["error"]["message"]
    assert desk.call("GET", "/v1/orders", "orders_admin").status_code == 200


def test_another_tenants_order_is_not_found(desk):
    from tests.support.desk import Desk

    an_order(desk)
    other = Desk(desk.world, company="Beta", domain="beta.example.com")
    for method, path in (("GET", "/v1/orders/1"), ("POST", "/v1/orders/1/annul")):
        refused = other.call(
            method, path, other.admin, {"reason": "x"} if method == "POST" else None
        )
        assert refused.status_code == 404 and refused.json["error"]["message"] == NOT_SEEN


def test_an_orders_admin_with_every_permission_may_do_nothing_outside_the_orders_area():
    """Seed 002: "no tendrán acceso a ninguna otra sección de la plataforma más allá de la
    dedicada a la gestión de órdenes" — checked on the whole access table, so a new
    route's action is refused to them unless it is the orders area's."""
    from chalicelib.domain.accounts.access import ACTIONS, PERMISSIONS_BY_ROLE, can

    every = PERMISSIONS_BY_ROLE["orders_admin"]
    allowed = {action for action in ACTIONS if can("orders_admin", every, action)}
    assert allowed == {
        "me.read",  # their own profile and password
        "orders.read", "orders.standalone", "orders.manage", "orders.comment",
        "payments.record", "payments.reconcile", "products.read",
        "attachments.upload",  # payment proofs
        "channels.read",  # the channels' names in the orders' filter
        "reports.payments", "reports.read",  # the payments report (payment_reports, SPEC §2)
    }  # fmt: skip
