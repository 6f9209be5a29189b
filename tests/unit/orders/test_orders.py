"""Orders made from a conversation and standalone: numbers, totals, lines, currencies,
annulment, deletion, comments and history (docs/orders.md)."""

from __future__ import annotations

import pytest

from tests.unit.orders.conftest import LINES, a_payment, an_order


def test_an_order_from_a_conversation_links_the_client_ticket_and_channel(desk):
    order = an_order(desk, note="entrega el lunes")
    assert order["number"] == 1 and order["reference"] == "ORD-000001"
    assert order["status"] == "open" and order["payment_state"] == "unpaid"
    assert order["total"] == 19980 and order["balance"] == 19980
    assert order["lines"][0]["total"] == 19980
    assert order["ticket_number"] == 1 and order["channel_id"] == desk.whatsapp
    assert order["client"]["name"] == "Ana Pérez"
    assert order["agent_id"] == desk.id("admin") and order["standalone"] is False
    assert desk.call("GET", "/v1/orders/ORD-000001").json == {**order, "payments": []}


def test_numbers_are_gapless_and_a_deleted_number_is_not_reused(desk):
    assert [an_order(desk)["number"] for _ in range(3)] == [1, 2, 3]
    assert desk.call("DELETE", "/v1/orders/3").status_code == 204
    assert desk.call("GET", "/v1/orders/3").status_code == 404
    assert an_order(desk)["number"] == 4


def test_a_total_sent_by_the_client_is_refused(desk):
    refused = desk.call("POST", "/v1/tickets/1/orders", "admin",
                        {"currency": "CLP", "lines": LINES, "total": 1})  # fmt: skip
    assert refused.status_code == 400
    assert refused.json["error"]["details"][0]["loc"] == ["body", "total"]


def test_an_unknown_currency_is_refused(desk):
    refused = desk.call(
        "POST", "/v1/tickets/1/orders", "admin", {"currency": "XYZ", "lines": LINES}
    )
    assert refused.status_code == 400
    assert "XYZ" in refused.json["error"]["message"]
    assert refused.json["error"]["details"][0]["type"] == "unknown_currency"


def test_amounts_are_minor_units_of_the_currency(desk):
    order = an_order(desk, currency="USD",
                     lines=[{"description": "Polera", "quantity": 3, "unit_price": 1999}])  # fmt: skip
    assert order["currency"] == "USD" and order["total"] == 5997


def a_product(desk, **fields):
    made = desk.call("POST", "/v1/products", "admin", {
        "name": "Polera", "price": 9990, "currency": "CLP", "sku": "POL-M", **fields})  # fmt: skip
    assert made.status_code == 201, made.json
    return made.json


def test_a_line_of_the_catalogue_takes_the_products_name_price_and_sku(desk):
    polera = a_product(desk)
    order = an_order(desk, lines=[
        {"product_id": polera["id"], "quantity": 2},
        {"product_id": polera["id"], "quantity": 1, "unit_price": 5000, "description": "Oferta"},
        {"description": "Envío", "quantity": 1, "unit_price": 3500}])  # fmt: skip
    assert [(x["description"], x["unit_price"], x["total"], x["sku"]) for x in order["lines"]] == [
        ("Polera", 9990, 19980, "POL-M"), ("Oferta", 5000, 5000, "POL-M"),
        ("Envío", 3500, 3500, None)]  # fmt: skip
    assert order["total"] == 28480


@pytest.mark.parametrize("case", ["unknown", "inactive", "other currency", "other tenant"])
def test_a_line_of_a_product_that_cannot_be_sold_is_refused_naming_it(desk, world, case):
    if case == "unknown":
        product_id = "0" * 26
    elif case == "other tenant":
        other = world.signup(company="Otra", email="otra@otra.example.com")["access_token"]
        made = desk.call("POST", "/v1/products", other,
                         {"name": "Ajena", "price": 1, "currency": "CLP"})  # fmt: skip
        product_id = made.json["id"]
    else:
        fields = {"active": False} if case == "inactive" else {"currency": "USD"}
        product_id = a_product(desk, **fields)["id"]
    refused = desk.call("POST", "/v1/tickets/1/orders", "admin", {
        "currency": "CLP", "lines": [LINES[0], {"quantity": 1, "product_id": product_id}]})  # fmt: skip
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["message"].startswith("Line 2 is not valid")
    assert refused.json["error"]["details"][0]["loc"][-1] == "product_id"
    assert desk.call("GET", "/v1/tickets/1/orders", "admin").json["items"] == []


def test_an_order_of_a_ticket_one_does_not_see_is_not_found(desk):
    refused = desk.call(
        "POST", "/v1/tickets/99/orders", "admin", {"currency": "CLP", "lines": LINES}
    )
    assert refused.status_code == 404
    assert refused.json["error"]["message"] == "There is no such ticket."


def test_a_standalone_order_for_a_new_client_makes_the_client(desk):
    made = desk.call("POST", "/v1/orders", "admin", {
        "currency": "CLP", "lines": LINES,
        "client": {"name": "Bruno Díaz", "email": "Bruno@Example.com"}})  # fmt: skip
    assert made.status_code == 201, made.json
    order = made.json
    assert order["standalone"] is True and order["ticket_number"] is None
    client = desk.call("GET", f"/v1/clients/{order['client']['id']}").json
    assert client["name"] == "Bruno Díaz" and client["email"] == "bruno@example.com"


def test_a_refused_standalone_order_leaves_no_client_behind(desk, monkeypatch):
    from chalicelib.domain.orders import orders

    an_order(desk)  # the counter exists: a stale read of it loses every race
    made = []
    new_client = orders._new_client
    monkeypatch.setattr(orders, "_new_client", lambda *a: made.append(new_client(*a)) or made[-1])
    monkeypatch.setattr(orders.store, "counter_last", lambda tenant_id: None)
    refused = desk.call("POST", "/v1/orders", "admin", {
        "currency": "CLP", "lines": LINES, "client": {"name": "Nadie"}})  # fmt: skip
    assert refused.status_code == 409
    assert refused.json["error"]["message"] == "Many orders are being made right now; try again."
    assert desk.call("GET", f"/v1/clients/{made[0].client_id}").status_code == 404


def test_a_standalone_order_needs_one_client(desk):
    refused = desk.call("POST", "/v1/orders", "admin", {"currency": "CLP", "lines": LINES})
    assert refused.status_code == 400
    assert "either client_id" in refused.json["error"]["details"][0]["msg"]


def test_an_annulled_order_takes_no_payment_nor_a_second_annulment(desk):
    an_order(desk)
    annulled = desk.call("POST", "/v1/orders/1/annul", "admin", {"reason": "cliente desistió"})
    assert annulled.status_code == 200, annulled.json
    assert annulled.json["status"] == "annulled"
    assert annulled.json["annulment"]["reason"] == "cliente desistió"
    again = desk.call("POST", "/v1/orders/1/annul", "admin", {"reason": "otra vez"})
    assert again.status_code == 409
    assert again.json["error"]["message"] == "Order ORD-000001 is already annulled."
    paid = desk.call("POST", "/v1/orders/1/payments", "admin",
                     {"amount": 100, "method": "cash", "paid_on": "2026-12-05"})  # fmt: skip
    assert paid.status_code == 409
    assert paid.json["error"]["message"] == "Order ORD-000001 is annulled and takes no new payment."


def test_an_order_with_a_payment_cannot_be_deleted(desk):
    an_order(desk)
    a_payment(desk, 1, 100)
    refused = desk.call("DELETE", "/v1/orders/1")
    assert refused.status_code == 409
    assert refused.json["error"]["message"].endswith("annul it instead.")


def test_comments_are_kept_and_every_change_is_in_the_history(desk):
    an_order(desk)
    comment = desk.call("POST", "/v1/orders/1/comments", "admin", {"text": "llamar mañana"})
    assert comment.status_code == 201
    assert desk.call("GET", "/v1/orders/1/comments").json["items"][0]["text"] == "llamar mañana"
    a_payment(desk, 1, 5000)
    desk.call("POST", "/v1/orders/1/annul", "admin", {"reason": "duplicada"})
    history = desk.call("GET", "/v1/orders/1/history").json["items"]
    assert [h["what"] for h in history] == [
        "order.annulled",
        "payment.recorded",
        "order.commented",
        "order.created",
    ]
    assert history[0]["before"]["status"] == "open" and history[0]["after"]["status"] == "annulled"
    assert all(h["actor_id"] == desk.id("admin") for h in history)


def test_a_standalone_order_for_an_unknown_client_is_refused(desk):
    refused = desk.call("POST", "/v1/orders", "admin",
                        {"currency": "CLP", "lines": LINES, "client_id": "nobody"})  # fmt: skip
    assert refused.status_code == 400
    assert refused.json["error"]["message"].startswith("There is no such client")
    assert refused.json["error"]["details"][0]["loc"] == ["body", "client_id"]


def test_lines_quantities_and_prices_have_limits(desk):
    line = {"description": "Polera", "quantity": 1, "unit_price": 1}
    for lines, field in (
        ([], ["body", "lines"]),
        ([line] * 101, ["body", "lines"]),
        ([{**line, "quantity": 0}], ["body", "lines", 0, "quantity"]),
        ([{**line, "quantity": 100_001}], ["body", "lines", 0, "quantity"]),
        ([{**line, "unit_price": -1}], ["body", "lines", 0, "unit_price"]),
        ([{**line, "unit_price": 10**12 + 1}], ["body", "lines", 0, "unit_price"]),
        ([{"quantity": 1, "unit_price": 1}], ["body", "lines", 0, "description"]),
    ):
        refused = desk.call(
            "POST", "/v1/tickets/1/orders", "admin", {"currency": "CLP", "lines": lines}
        )
        assert refused.status_code == 400, (field, refused.json)
        assert refused.json["error"]["details"][0]["loc"] == field, refused.json


def test_a_total_stays_exact_in_every_client(desk):
    line = {"description": "Maquinaria", "quantity": 1001, "unit_price": 10**12}
    refused = desk.call(
        "POST", "/v1/tickets/1/orders", "admin", {"currency": "CLP", "lines": [line]}
    )
    assert refused.status_code == 400
    assert refused.json["error"]["details"][0]["msg"] == "the line's total is over 10^15"
    line = {"description": "Maquinaria", "quantity": 1000, "unit_price": 10**11}
    refused = desk.call(
        "POST", "/v1/tickets/1/orders", "admin", {"currency": "CLP", "lines": [line] * 11}
    )
    assert refused.status_code == 400
    assert refused.json["error"]["message"] == "The order's total is over 10^15 minor units."
    assert an_order(desk, lines=[line] * 10)["total"] == 10**15


def test_an_order_is_addressed_by_number_or_reference(desk):
    an_order(desk)
    assert desk.call("GET", "/v1/orders/1").json["reference"] == "ORD-000001"
    assert desk.call("GET", "/v1/orders/ORD-000001").json["number"] == 1
    for wrong in ("ORD-", "0", "ORD-1x", "99"):
        refused = desk.call("GET", f"/v1/orders/{wrong}")
        assert refused.status_code == 404, wrong
        assert refused.json["error"]["message"] == "There is no such order."


def test_an_orders_admin_reads_who_sold_recorded_settled_and_commented_by_name(desk):
    """Orders admins may not list the team: the order keeps the names with the ids."""
    agent = desk.me(desk.token("agent"))
    name = f"{agent['first_name']} {agent['last_name']}".strip()
    order = an_order(desk, "agent")
    payment = a_payment(desk, order["number"], 1000, "agent")
    assert desk.call("POST", f"/v1/orders/{order['number']}/comments", "agent",
                     {"text": "pagó por transferencia"}).status_code == 201  # fmt: skip
    admin_name = desk.me(desk.token("admin"))
    settled = desk.call(
        "POST",
        f"/v1/orders/{order['number']}/payments/{payment['id']}/reject",
        "admin",
        {"reason": "no llegó"},
    ).json
    seen = desk.call("GET", f"/v1/orders/{order['number']}", "orders_admin").json
    assert seen["agent_name"] == name
    assert seen["payments"][0]["recorded_by_name"] == name
    assert settled["settled_by_name"] == f"{admin_name['first_name']} {admin_name['last_name']}"
    history = desk.call("GET", f"/v1/orders/{order['number']}/history", "orders_admin").json
    assert {entry["actor_name"] for entry in history["items"]} == {
        name, settled["settled_by_name"]}  # fmt: skip
    comments = desk.call("GET", f"/v1/orders/{order['number']}/comments", "orders_admin").json
    assert comments["items"][0]["author_name"] == name
    listed = desk.call("GET", "/v1/orders", "orders_admin").json["items"]
    assert listed[0]["agent_name"] == name
