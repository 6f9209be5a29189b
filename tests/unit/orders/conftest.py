"""The orders tests' world: a desk with a WhatsApp channel, a client writing in (ticket 1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.desk import Desk
from tests.support.world import World

LINES = [{"description": "Polera talla M", "quantity": 2, "unit_price": 9990}]


@pytest.fixture
def desk(world: World) -> Desk:
    desk = Desk(world, default_caller="admin", agent_serves=True)
    desk.message("56911111111", "quiero dos poleras", name="Ana Pérez")
    return desk


def an_order(desk: Desk, who: str = "admin", ticket: int = 1, **body: Any) -> dict[str, Any]:
    """An order made from ticket ``ticket`` (201 asserted)."""
    made = desk.call("POST", f"/v1/tickets/{ticket}/orders", who,
                     {"currency": "CLP", "lines": LINES, **body})  # fmt: skip
    assert made.status_code == 201, made.json
    return dict(made.json)


def a_payment(desk: Desk, number: int, amount: int, who: str = "admin") -> dict[str, Any]:
    made = desk.call("POST", f"/v1/orders/{number}/payments", who,
                     {"amount": amount, "method": "transfer", "paid_on": "2026-12-05"})  # fmt: skip
    assert made.status_code == 201, made.json
    return dict(made.json)
