"""Payments of an order (docs/orders.md): recorded pending, then reconciled or rejected by
a payment reconciler; a rejected one may be reopened. The order keeps its payment state,
derived from its reconciled money, changed in the same transaction as the payment.

Two reconcilers settling one payment: the payment's write is conditioned on the status
it was decided from, so one wins and the other gets 409. Two payments of one order
settled at once both land: the order's version race is read again and retried."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from chalicelib.clock import now
from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict, Invalid, NotFound
from chalicelib.domain.orders.money import payment_state
from chalicelib.domain.orders.orders import (
    change,
    history_entry,
    load_order,
    parse_number,
    person_name,
    reference,
    state_of,
)
from chalicelib.domain.uploads import is_own_upload
from chalicelib.ids import new_id
from chalicelib.store import keys
from chalicelib.store import orders as store
from chalicelib.store.order_models import Order, OrderHistory, Payment
from chalicelib.store.orders import PaymentMoved

METHODS = ("transfer", "card", "cash", "link", "other")
PAYMENT_ID = re.compile(r"[0-9a-z]{26}")
#: what each transition moves a payment from and to
TRANSITIONS = {
    "reconcile": ("pending", "reconciled", "payment.reconciled"),
    "reject": ("pending", "rejected", "payment.rejected"),
    "reopen": ("rejected", "pending", "payment.reopened"),
}


def payment_state_of(payment: Payment) -> dict[str, Any]:
    return {"status": payment.status, "rejection_reason": payment.rejection_reason}


def _reckon(order: Order, amount: int, was: str | None, becomes: str) -> None:
    """Move ``amount`` between the order's pending and paid sums, and derive its state."""
    if was == "pending":
        order.pending = int(order.pending) - amount
    if was == "reconciled":
        order.paid = int(order.paid) - amount
    if becomes == "pending":
        order.pending = int(order.pending) + amount
    if becomes == "reconciled":
        order.paid = int(order.paid) + amount
    order.payment_state = payment_state(int(order.total), int(order.paid))


def record(
    principal: Principal, number: int | str, fields: dict[str, Any]
) -> tuple[Order, Payment]:
    """A pending payment of an open order (409 on an annulled one); its proof must be a
    file the tenant uploaded."""
    proof = fields.get("proof")
    if proof is not None and not is_own_upload(principal.tenant_id, proof["s3_key"]):
        raise Invalid(
            "The proof is not a file uploaded to this account (use POST /v1/attachments).",
            code="validation_error",
            details=[{"loc": ["body", "proof", "s3_key"], "msg": "not an upload of this account",
                      "type": "foreign_upload"}],
        )  # fmt: skip
    payment_id = new_id()
    made: list[Payment] = []

    def decide(order: Order) -> tuple[OrderHistory, Payment, None]:
        if order.status == "annulled":
            raise Conflict(f"Order {reference(order.number)} is annulled and takes no new payment.",
                           code="order_annulled")  # fmt: skip
        at = now()
        payment = Payment(
            keys.order_pk(order.tenant_id, order.number), keys.order_payment_sk(payment_id),
            tenant_id=order.tenant_id, payment_id=payment_id, order_number=int(order.number),
            amount=int(fields["amount"]), currency=order.currency, method=fields["method"],
            reference=fields.get("reference"), paid_on=_day(fields["paid_on"]), proof=proof,
            status="pending", recorded_by=principal.user_id,
            recorded_by_name=person_name(principal), recorded_at=at,
        )  # fmt: skip
        before = {"order": state_of(order)}
        _reckon(order, int(payment.amount), None, "pending")
        order.payments_count = int(order.payments_count) + 1
        made[:] = [payment]
        after = {"status": "pending", "amount": int(payment.amount), "method": payment.method,
                 "order": state_of(order)}  # fmt: skip
        entry = history_entry(order, principal, "payment.recorded", at,
                              before=before, after=after, payment_id=payment_id)  # fmt: skip
        return entry, payment, None

    order = change(principal, number, decide)
    return order, made[0]


def _day(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def settle(
    principal: Principal, number: int | str, payment_id: str, transition: str,
    reason: str | None = None,
) -> tuple[Order, Payment]:  # fmt: skip
    """Reconcile, reject (``reason``) or reopen a payment. 409 when the payment is not in
    the status the transition starts from, or another reconciler moved it first."""
    was, becomes, what = TRANSITIONS[transition]
    moved: list[Payment] = []

    def decide(order: Order) -> tuple[OrderHistory, Payment, str]:
        payment = store.get_payment(order.tenant_id, int(order.number), payment_id)
        if payment is None:
            raise NotFound("This order has no such payment.")
        if payment.status != was:
            raise _settled(payment, transition)
        at = now()
        before = {**payment_state_of(payment), "order": state_of(order)}
        _reckon(order, int(payment.amount), was, becomes)
        payment.status = becomes
        payment.rejection_reason = reason if becomes == "rejected" else None
        payment.settled_by = None if becomes == "pending" else principal.user_id
        payment.settled_by_name = None if becomes == "pending" else person_name(principal)
        payment.settled_at = None if becomes == "pending" else at
        moved[:] = [payment]
        after = {**payment_state_of(payment), "order": state_of(order)}
        entry = history_entry(order, principal, what, at, before=before, after=after,
                              payment_id=payment_id)  # fmt: skip
        return entry, payment, was

    if not PAYMENT_ID.fullmatch(payment_id):
        load_order(principal, number)  # an order not seen is its 404 first
        raise NotFound("This order has no such payment.")
    try:
        order = change(principal, number, decide)
    except PaymentMoved:
        current = store.get_payment(principal.tenant_id, parse_number(str(number)), payment_id)
        if current is None:
            raise NotFound("This order has no such payment.") from None
        raise _settled(current, transition) from None
    return order, moved[0]


def _settled(payment: Payment, transition: str) -> Conflict:
    status = payment.status
    if status == "reconciled":
        message = "This payment was already reconciled; a reconciled payment is final."
    elif transition == "reopen":
        message = f"Only a rejected payment can be reopened; this one is {status}."
    elif status == "rejected":
        message = "This payment was already rejected; reopen it first."
    else:
        message = f"This payment is {status}."
    return Conflict(message, code=f"payment_{status}")


def payments_of(principal: Principal, number: int | str) -> list[Payment]:
    """The order's payments, oldest first (404 when the order is not seen)."""
    from chalicelib.domain.orders.orders import load_with_payments

    return load_with_payments(principal, number)[1]


def proof_of(principal: Principal, number: int | str, payment_id: str) -> dict[str, Any]:
    """A payment's proof (name, content type, key) when the caller sees the order."""
    order = load_order(principal, number)
    payment = (
        store.get_payment(principal.tenant_id, int(order.number), payment_id)
        if PAYMENT_ID.fullmatch(payment_id)
        else None
    )
    if payment is None:
        raise NotFound("This order has no such payment.")
    if not payment.proof:
        raise NotFound("This payment has no proof.")
    return dict(payment.proof)
