"""Orders' budgets (issue 15, docs/data-model.md "Orders"): a page of a filtered list is
one Query of one listing partition, whatever the tenant's size (held by
tests/integration/test_order_costs.py with 50 and 20,000 orders); recording and
reconciling a payment are one transaction each, after the reads that decide them."""

from __future__ import annotations

import json
from typing import Any

from benchmarks.accounts import _signed_up
from benchmarks.harness import Bench, Measured, operation


def _admin(bench: Bench, email: str) -> dict[str, str]:
    admin = _signed_up(bench, email)
    return {"Content-Type": "application/json", "Authorization": f"Bearer {admin['access_token']}"}


def _call(bench: Bench, method: str, path: str, headers: dict[str, str],
          body: dict[str, Any] | None = None, status: int = 200) -> Any:  # fmt: skip
    response = getattr(bench.api, method.lower())(
        path, headers=headers, body=json.dumps(body) if body is not None else None
    )
    if response.status_code != status:
        raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.body}")
    return json.loads(response.body) if response.body else None


def _standalone_order(bench: Bench, headers: dict[str, str], total: int) -> int:
    made = _call(bench, "POST", "/v1/orders", headers, {
        "currency": "CLP", "client": {"name": "Ana Bench"},
        "lines": [{"description": "Polera", "quantity": 1, "unit_price": total}]}, 201)  # fmt: skip
    return int(made["number"])


@operation("a page of orders filtered by payment state")
def orders_page(bench: Bench) -> Measured:
    """GET /v1/orders?payment_state=unpaid&limit=25 among 60 orders: one Query of the
    ``PAY#unpaid`` listing partition (after the session's check)."""
    headers = _admin(bench, "orders-list@bench.example.com")
    for _ in range(60):
        _standalone_order(bench, headers, 9990)

    def call(i: int) -> None:
        page = _call(bench, "GET", "/v1/orders?payment_state=unpaid&limit=25", headers)
        if len(page["items"]) != 25:
            raise RuntimeError(f"a page of {len(page['items'])} orders")

    return call


@operation("record a payment")
def record_payment(bench: Bench) -> Measured:
    """POST /v1/orders/{n}/payments: the order read, then one transaction (the payment,
    the order at its next version, its listings, the history entry)."""
    headers = _admin(bench, "orders-pay@bench.example.com")
    number = _standalone_order(bench, headers, 10**9)

    def call(i: int) -> None:
        _call(bench, "POST", f"/v1/orders/{number}/payments", headers,
              {"amount": 1000, "method": "transfer", "paid_on": "2026-12-05"}, 201)  # fmt: skip

    return call
