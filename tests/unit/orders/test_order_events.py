"""Order and payment events reach the integrations once per change, from the table's
stream, however often it is read (docs/integrations.md)."""

from __future__ import annotations

from tests.support.table_stream import drain_integrations, read_stream_again, run_effects
from tests.unit.orders.conftest import a_payment, an_order


def test_each_change_of_an_order_is_one_event_however_often_the_stream_is_read(desk):
    run_effects()
    drain_integrations()
    an_order(desk)
    first, second = a_payment(desk, 1, 10000), a_payment(desk, 1, 500)
    desk.call("POST", f"/v1/orders/1/payments/{first['id']}/reconcile", "admin")
    desk.call("POST", f"/v1/orders/1/payments/{second['id']}/reject", "admin", {"reason": "no"})
    desk.call("POST", f"/v1/orders/1/payments/{second['id']}/reopen", "admin")  # no event
    desk.call("POST", "/v1/orders/1/comments", "admin", {"text": "listo"})  # no event
    desk.call("POST", "/v1/orders/1/annul", "admin", {"reason": "duplicada"})
    run_effects()
    events = [e for e in drain_integrations() if e["event"].split(".")[0] in ("order", "payment")]
    assert sorted(e["event"] for e in events) == sorted([
        "order.created", "payment.recorded", "payment.recorded", "payment.reconciled",
        "payment.rejected", "order.annulled"])  # fmt: skip
    reconciled = next(e for e in events if e["event"] == "payment.reconciled")
    assert reconciled["data"]["payment"]["id"] == first["id"]
    assert reconciled["data"]["payment"]["status"] == "reconciled"
    assert reconciled["data"]["order"]["reference"] == "ORD-000001"
    assert reconciled["data"]["order"]["paid"] == 10000

    assert read_stream_again() > 0  # a worker restarted from the oldest record
    again = [e for e in drain_integrations() if e["event"].split(".")[0] in ("order", "payment")]
    assert sorted(e["event_id"] for e in again) == sorted(e["event_id"] for e in events)
