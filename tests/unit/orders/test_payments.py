"""Payments: recorded pending, reconciled or rejected, reopened; the order's payment
state follows its reconciled money (docs/orders.md)."""

from __future__ import annotations

from tests.unit.orders.conftest import a_payment, an_order


def settle(desk, payment, how, body=None, who="admin"):
    return desk.call("POST", f"/v1/orders/1/payments/{payment['id']}/{how}", who, body)


def test_a_recorded_payment_is_pending_and_does_not_count_as_paid(desk):
    an_order(desk)
    payment = a_payment(desk, 1, 5000)
    assert payment["status"] == "pending" and payment["currency"] == "CLP"
    assert payment["order"]["pending"] == 5000 and payment["order"]["paid"] == 0
    assert payment["order"]["payment_state"] == "unpaid"
    order = desk.call("GET", "/v1/orders/1").json
    assert order["payments"][0]["id"] == payment["id"] and order["payments_count"] == 1


def test_reconciled_money_moves_the_order_through_its_payment_states(desk):
    an_order(desk)  # 19980
    first, second, third = (a_payment(desk, 1, amount) for amount in (10000, 9980, 1))
    assert settle(desk, first, "reconcile").json["order"]["payment_state"] == "partially_paid"
    done = settle(desk, second, "reconcile").json
    assert done["status"] == "reconciled" and done["settled_by"] == desk.id("admin")
    assert done["order"]["payment_state"] == "paid" and done["order"]["balance"] == 0
    assert settle(desk, third, "reconcile").json["order"]["payment_state"] == "overpaid"


def test_an_order_of_total_zero_is_paid(desk):
    order = an_order(desk, lines=[{"description": "Regalo", "quantity": 1, "unit_price": 0}])
    assert order["payment_state"] == "paid"


def test_a_rejected_payment_keeps_its_reason_and_can_be_reopened(desk):
    an_order(desk)
    payment = a_payment(desk, 1, 5000)
    rejected = settle(desk, payment, "reject", {"reason": "no llegó"})
    assert rejected.status_code == 200, rejected.json
    assert rejected.json["status"] == "rejected" and rejected.json["rejection_reason"] == "no llegó"
    assert rejected.json["order"]["pending"] == 0
    again = settle(desk, payment, "reject", {"reason": "otra"})
    assert again.status_code == 409
    assert again.json["error"]["message"] == "This payment was already rejected; reopen it first."
    reopened = settle(desk, payment, "reopen")
    assert reopened.json["status"] == "pending" and reopened.json["rejection_reason"] is None
    assert reopened.json["order"]["pending"] == 5000


def test_a_reconciled_payment_is_final(desk):
    an_order(desk)
    payment = a_payment(desk, 1, 5000)
    settle(desk, payment, "reconcile")
    for how, body in (("reconcile", None), ("reject", {"reason": "x"}), ("reopen", None)):
        refused = settle(desk, payment, how, body)
        assert refused.status_code == 409, how
        assert refused.json["error"]["message"] == (
            "This payment was already reconciled; a reconciled payment is final."
        )


def test_a_pending_payment_cannot_be_reopened(desk):
    an_order(desk)
    refused = settle(desk, a_payment(desk, 1, 5000), "reopen")
    assert refused.status_code == 409
    assert refused.json["error"]["message"] == (
        "Only a rejected payment can be reopened; this one is pending."
    )


def test_a_payment_of_an_annulled_order_can_still_be_settled(desk):
    an_order(desk)
    payment = a_payment(desk, 1, 19980)
    desk.call("POST", "/v1/orders/1/annul", "admin", {"reason": "duplicada"})
    assert settle(desk, payment, "reconcile").json["order"]["payment_state"] == "paid"


def test_an_unknown_payment_is_not_found(desk):
    an_order(desk)
    refused = settle(desk, {"id": "0" * 26}, "reconcile")
    assert refused.status_code == 404
    assert refused.json["error"]["message"] == "This order has no such payment."


def test_a_proof_must_be_an_upload_of_the_account(desk):
    an_order(desk)
    refused = desk.call("POST", "/v1/orders/1/payments", "admin", {
        "amount": 100, "method": "transfer", "paid_on": "2026-12-05",
        "proof": {"name": "x.pdf", "content_type": "application/pdf",
                  "s3_key": "uploads/another-tenant/x.pdf"}})  # fmt: skip
    assert refused.status_code == 400
    assert refused.json["error"]["details"][0]["type"] == "foreign_upload"


def test_a_proof_is_given_through_a_presigned_link(desk):
    an_order(desk)
    key = f"uploads/{desk.tenant}/2026/12/x/comprobante.pdf"
    made = desk.call("POST", "/v1/orders/1/payments", "admin", {
        "amount": 100, "method": "transfer", "paid_on": "2026-12-05",
        "proof": {"name": "comprobante.pdf", "content_type": "application/pdf", "s3_key": key}})  # fmt: skip
    assert made.json["proof"] == {"name": "comprobante.pdf", "content_type": "application/pdf"}
    proof = desk.call("GET", f"/v1/orders/1/payments/{made.json['id']}/proof").json
    assert "comprobante.pdf" in proof["url"] and "X-Amz-Signature" in proof["url"]


def test_every_transition_is_in_the_history(desk):
    an_order(desk)
    payment = a_payment(desk, 1, 5000)
    settle(desk, payment, "reject", {"reason": "no llegó"})
    settle(desk, payment, "reopen")
    settle(desk, payment, "reconcile")
    history = desk.call("GET", "/v1/orders/1/history").json["items"]
    assert [h["what"] for h in history] == ["payment.reconciled", "payment.reopened",
        "payment.rejected", "payment.recorded", "order.created"]  # fmt: skip
    assert history[0]["before"]["status"] == "pending"
    assert history[0]["after"] == {"status": "reconciled", "rejection_reason": None, "order": {
        "status": "open", "payment_state": "partially_paid", "paid": 5000, "pending": 0}}  # fmt: skip
