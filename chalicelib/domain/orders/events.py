"""The integration events of orders and payments (docs/integrations.md): one per change,
from the change's history entry as the table's stream delivers it (jobs/effects.py), so
a record handled twice queues the same event id."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import iso
from chalicelib.domain.orders.orders import reference, summary
from chalicelib.store import orders as store
from chalicelib.store.order_models import OrderHistory, Payment

#: history entries that are integration events (a comment, a reopening are not)
EVENTS = ("order.created", "order.annulled", "payment.recorded", "payment.reconciled",
          "payment.rejected")  # fmt: skip


def payment_view(payment: Payment) -> dict[str, Any]:
    """A payment as the API and the events show it (docs/orders.md Payment)."""
    proof = payment.proof
    return {
        "id": payment.payment_id, "order_number": int(payment.order_number),
        "amount": int(payment.amount), "currency": payment.currency, "method": payment.method,
        "reference": payment.reference, "paid_on": payment.paid_on,
        "proof": {"name": proof["name"], "content_type": proof["content_type"]} if proof else None,
        "status": payment.status, "rejection_reason": payment.rejection_reason,
        "recorded_by": payment.recorded_by, "recorded_by_name": payment.recorded_by_name,
        "recorded_at": iso(payment.recorded_at),
        "settled_by": payment.settled_by, "settled_by_name": payment.settled_by_name,
        "settled_at": iso(payment.settled_at) if payment.settled_at else None,
    }  # fmt: skip


def event_of(entry: OrderHistory) -> tuple[str, dict[str, Any]] | None:
    """The event a history entry is (None for one that is no event) and its body: the
    order's summary as it is now and, for a payment's event, the payment with the status
    the change gave it. An order deleted meanwhile is named by number and reference."""
    if entry.what not in EVENTS:
        return None
    number = int(entry.order_number)
    order, payments = store.order_with_payments(entry.tenant_id, number, consistent=True)
    data: dict[str, Any] = {
        "order": summary(order) if order else {"number": number, "reference": reference(number)}
    }
    if entry.payment_id:
        found = next((p for p in payments if p.payment_id == entry.payment_id), None)
        if found is not None:
            view = payment_view(found)
            view["status"] = (entry.after or {}).get("status", view["status"])
            data["payment"] = view
    return entry.what, data
