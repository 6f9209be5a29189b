"""Payments of an order (docs/orders.md): recorded, reconciled, rejected, reopened; the
proof through a presigned GET. The rules are in ``domain/orders/payments.py``."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field

from chalicelib import aws
from chalicelib.api.orders import OrderSummaryOut, PaymentOut, payment_out
from chalicelib.clock import now
from chalicelib.domain.orders import payments as domain
from chalicelib.domain.orders.orders import summary
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.order_models import Order, Payment

resource = Resource(__name__, "payments")
PROOF_SECONDS = 15 * 60


class ProofIn(RequestModel):
    name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(min_length=3, max_length=100)
    s3_key: str = Field(min_length=1, max_length=1024, description="from POST /v1/attachments")


class PaymentIn(RequestModel):
    amount: int = Field(ge=1, le=10**15, description="minor units of the order's currency")
    method: Literal["transfer", "card", "cash", "link", "other"]
    reference: str | None = Field(None, max_length=200)
    paid_on: date
    proof: ProofIn | None = None


class PaymentChangeOut(PaymentOut):
    order: OrderSummaryOut = Field(description="the order after the change (its payment state)")


class PaymentList(ResponseModel):
    items: list[PaymentOut]
    next_cursor: str | None = None


class RejectIn(RequestModel):
    reason: str = Field(min_length=1, max_length=500)


class ProofOut(ResponseModel):
    url: str
    expires_at: datetime


def changed(order: Order, payment: Payment) -> PaymentChangeOut:
    return PaymentChangeOut(
        **payment_out(payment).model_dump(), order=OrderSummaryOut(**summary(order))
    )


@resource.route(
    "/v1/orders/{number}/payments", "POST",
    summary="Record a payment (pending) against an open order, with an optional proof.",
    body=PaymentIn, response=PaymentChangeOut, status=201, action="payments.record",
    errors=(409,),
)  # fmt: skip
def record_payment(call: Call, number: str) -> PaymentChangeOut:
    body: PaymentIn = call.body
    fields = body.model_dump()
    return changed(*domain.record(call.principal, number, fields))


@resource.route(
    "/v1/orders/{number}/payments",
    summary="An order's payments, oldest first.",
    response=PaymentList, action="orders.read",
)  # fmt: skip
def list_payments(call: Call, number: str) -> PaymentList:
    return PaymentList(items=[payment_out(p) for p in domain.payments_of(call.principal, number)])


@resource.route(
    "/v1/orders/{number}/payments/{payment_id}/reconcile", "POST",
    summary="Reconcile a pending payment: the money is there (final).",
    response=PaymentChangeOut, action="payments.reconcile", errors=(409,),
)  # fmt: skip
def reconcile_payment(call: Call, number: str, payment_id: str) -> PaymentChangeOut:
    return changed(*domain.settle(call.principal, number, payment_id, "reconcile"))


@resource.route(
    "/v1/orders/{number}/payments/{payment_id}/reject", "POST",
    summary="Reject a pending payment, with the reason.",
    body=RejectIn, response=PaymentChangeOut, action="payments.reconcile", errors=(409,),
)  # fmt: skip
def reject_payment(call: Call, number: str, payment_id: str) -> PaymentChangeOut:
    body: RejectIn = call.body
    return changed(*domain.settle(call.principal, number, payment_id, "reject", body.reason))


@resource.route(
    "/v1/orders/{number}/payments/{payment_id}/reopen", "POST",
    summary="Reopen a rejected payment: pending again.",
    response=PaymentChangeOut, action="payments.reconcile", errors=(409,),
)  # fmt: skip
def reopen_payment(call: Call, number: str, payment_id: str) -> PaymentChangeOut:
    return changed(*domain.settle(call.principal, number, payment_id, "reopen"))


@resource.route(
    "/v1/orders/{number}/payments/{payment_id}/proof",
    summary="A presigned GET of the payment's proof (15 minutes).",
    response=ProofOut, action="orders.read",
)  # fmt: skip
def payment_proof(call: Call, number: str, payment_id: str) -> ProofOut:
    proof = domain.proof_of(call.principal, number, payment_id)
    return ProofOut(url=aws.presigned_get(proof["s3_key"], PROOF_SECONDS),
                    expires_at=now() + timedelta(seconds=PROOF_SECONDS))  # fmt: skip
