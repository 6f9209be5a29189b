"""Lists of orders: filters, newest first, by cursor; a ticket's and a client's orders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.clock import clock
from tests.unit.orders.conftest import LINES, a_payment, an_order


def numbers(response):
    assert response.status_code == 200, response.json
    return [item["number"] for item in response.json["items"]]


def test_orders_are_listed_newest_first_by_cursor(desk):
    for _ in range(3):
        an_order(desk)
    first = desk.call("GET", "/v1/orders?limit=2")
    assert numbers(first) == [3, 2]
    cursor = first.json["next_cursor"]
    assert numbers(desk.call("GET", f"/v1/orders?limit=2&cursor={cursor}")) == [1]
    assert "lines" not in first.json["items"][0]


def test_orders_are_filtered_by_status_payment_state_agent_channel_and_client(desk):
    an_order(desk)
    an_order(desk)
    desk.call("POST", "/v1/orders/1/annul", "admin", {"reason": "duplicada"})
    payment = a_payment(desk, 2, 19980)
    desk.call("POST", f"/v1/orders/2/payments/{payment['id']}/reconcile", "admin")
    standalone = desk.call("POST", "/v1/orders", "admin", {
        "currency": "CLP", "lines": LINES, "client": {"name": "Bruno"}}).json  # fmt: skip
    assert numbers(desk.call("GET", "/v1/orders?status=annulled")) == [1]
    assert numbers(desk.call("GET", "/v1/orders?status=open")) == [3, 2]
    assert numbers(desk.call("GET", "/v1/orders?payment_state=paid")) == [2]
    assert numbers(desk.call("GET", "/v1/orders?payment_state=unpaid&status=open")) == [3]
    assert numbers(desk.call("GET", f"/v1/orders?channel={desk.whatsapp}")) == [2, 1]
    assert numbers(desk.call("GET", f"/v1/orders?agent={desk.id('admin')}&status=open")) == [3, 2]
    client = standalone["client"]["id"]
    assert numbers(desk.call("GET", f"/v1/orders?client={client}")) == [3]
    assert numbers(desk.call("GET", f"/v1/clients/{client}/orders")) == [3]
    assert numbers(desk.call("GET", "/v1/tickets/1/orders")) == [2, 1]


def test_orders_are_filtered_by_days_of_the_tenants_timezone(desk):
    # Santiago is UTC-3 in December: 02:00 UTC on the 5th is still the 4th there
    clock.freeze(datetime(2026, 12, 5, 2, 0, tzinfo=UTC))
    an_order(desk)
    clock.advance(timedelta(hours=2))
    an_order(desk)
    assert numbers(desk.call("GET", "/v1/orders?from=2026-12-04&to=2026-12-04")) == [1]
    assert numbers(desk.call("GET", "/v1/orders?from=2026-12-05")) == [2]
    assert numbers(desk.call("GET", "/v1/orders?to=2026-12-05")) == [2, 1]


def test_a_cursor_of_another_list_is_refused(desk):
    an_order(desk)
    an_order(desk)
    cursor = desk.call("GET", "/v1/orders?limit=1").json["next_cursor"]
    refused = desk.call("GET", f"/v1/orders?limit=1&status=open&cursor={cursor}")
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "invalid_cursor"
