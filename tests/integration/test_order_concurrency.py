"""Two reconcilers at once, against DynamoDB Local (docs/orders.md "Two reconcilers at
once"). DynamoDB Local never raises TransactionConflict: the writers are held at a
barrier after they decided and before they write, so both decide on the same reads and
the conditions alone settle who wins."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Conflict
from chalicelib.domain.orders import orders, payments
from chalicelib.store import orders as store
from chalicelib.store.order_models import OrderHistory

pytestmark = pytest.mark.ddb_local
LINES = [{"description": "Polera", "quantity": 2, "unit_price": 9990, "product_id": None}]


def standalone_order(admin: Principal) -> int:
    order = orders.create_standalone(admin, {"currency": "CLP", "note": None, "lines": LINES},
                                     None, {"name": "Ana Pérez"})  # fmt: skip
    return int(order.number)


def held_at_a_barrier(monkeypatch: pytest.MonkeyPatch, writers: int) -> None:
    """Every writer waits for the others before its first commit: they all decided first."""
    barrier = threading.Barrier(writers)
    first = threading.local()
    commit = store.commit

    def commit_after_all_decided(*args: Any, **kwargs: Any) -> None:
        if not getattr(first, "done", False):
            first.done = True
            barrier.wait(timeout=10)
        commit(*args, **kwargs)

    monkeypatch.setattr(store, "commit", commit_after_all_decided)


def outcome(call: Any) -> Any:
    try:
        return call()
    except Conflict as exc:
        return exc


def test_a_reconciler_settles_a_payment_once_when_two_try_at_once(admin_principal, monkeypatch):
    admin = admin_principal
    number = standalone_order(admin)
    _, payment = payments.record(admin, number, {"amount": 19980, "method": "transfer",
                                                 "paid_on": "2026-12-05", "proof": None})  # fmt: skip
    held_at_a_barrier(monkeypatch, 2)

    def settle() -> Any:
        return outcome(lambda: payments.settle(admin, number, payment.payment_id, "reconcile"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: settle(), range(2)))

    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == 1, results
    assert (
        refused[0].message == "This payment was already reconciled; a reconciled payment is final."
    )
    history = store.history_page(admin.tenant_id, number, 50, None).items
    assert [h.what for h in history if isinstance(h, OrderHistory)].count("payment.reconciled") == 1
    order = store.get_order(admin.tenant_id, number, consistent=True)
    assert order is not None
    assert (order.paid, order.pending, order.payment_state) == (19980, 0, "paid")


def test_two_payments_of_one_order_settled_at_once_both_land(admin_principal, monkeypatch):
    admin = admin_principal
    number = standalone_order(admin)
    ids = [payments.record(admin, number, {"amount": amount, "method": "cash",
                                           "paid_on": "2026-12-05", "proof": None})[1].payment_id
           for amount in (10000, 9980)]  # fmt: skip
    held_at_a_barrier(monkeypatch, 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda p: payments.settle(admin, number, p, "reconcile"), ids))

    assert sorted(payment.status for _, payment in results) == ["reconciled", "reconciled"]
    order = store.get_order(admin.tenant_id, number, consistent=True)
    assert order is not None
    assert (order.paid, order.pending, order.payment_state, order.version) == (19980, 0, "paid", 5)
