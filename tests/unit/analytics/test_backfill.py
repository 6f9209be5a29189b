"""The backfill rebuilds counters from the tickets and orders as the stream would have
kept them, and counts nothing twice (docs/analytics.md "Backfill")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.clock import clock
from chalicelib.domain.analytics import counting
from chalicelib.domain.analytics.backfill import backfill
from chalicelib.domain.helpdesk.replies import reply
from chalicelib.domain.helpdesk.tickets import edit
from devstack.analytics_backfill import main as command
from tests.support.desk import Desk
from tests.support.table_stream import run_effects
from tests.support.world import World

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RANGE = "from=2026-03-01&to=2026-03-03"


def a_day_of_work(desk: Desk) -> None:
    """Two clients; one answered, closed, reopened, answered and closed again; an order
    with a payment; the other waiting."""
    admin = desk.principal()
    desk.message("56911111111", "hola", name="Ana Pérez")
    clock.advance(timedelta(minutes=2))
    reply(admin, 1, text="Hola", public=False)
    clock.advance(timedelta(minutes=10))
    edit(admin, 1, {"sentiment_end": "happy"}, status="closed")
    clock.advance(timedelta(minutes=20))
    edit(admin, 1, {}, status="open")
    clock.advance(timedelta(minutes=1))
    reply(admin, 1, text="Sigo aquí", public=False)
    clock.advance(timedelta(minutes=4))
    edit(admin, 1, {}, status="closed")
    desk.message("56922222222", "¿precio?", name="Luis Soto")
    made = desk.call("POST", "/v1/tickets/2/orders", desk.login(),
                     {"currency": "CLP", "lines": [{"description": "Polera", "quantity": 1,
                                                    "unit_price": 9990}]})  # fmt: skip
    assert made.status_code == 201, made.json
    paid = desk.call("POST", "/v1/orders/1/payments", desk.login(),
                     {"amount": 9990, "method": "transfer", "paid_on": "2026-03-02"})  # fmt: skip
    assert paid.status_code == 201, paid.json
    run_effects()


def totals(desk: Desk) -> Any:
    answer = desk.call("GET", f"/v1/analytics/summary?{RANGE}", desk.login())
    assert answer.status_code == 200, answer.json
    return answer.json


@pytest.fixture
def not_counting(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The stream consumer as it was before the counters: it counts nothing."""
    monkeypatch.setattr(counting, "count_change", lambda new, old: 0)
    return monkeypatch


def test_the_backfill_gives_what_the_stream_would_have_counted_and_runs_twice_for_nothing(
    world: World, not_counting: pytest.MonkeyPatch
) -> None:
    counting.forget_cached()
    clock.freeze(START)
    try:
        before = Desk(world, company="Antes", domain="antes.example.com")
        a_day_of_work(before)
        assert totals(before)["total"]["tickets"]["opened"] == 0  # nothing counted yet
        not_counting.undo()

        clock.freeze(START)
        live = Desk(world, company="Vivo", domain="vivo.example.com")
        a_day_of_work(live)

        done = backfill(before.tenant)
        assert done.tickets == 2 and done.orders == 1
        assert done.counted == done.events > 0
        rebuilt, counted_live = totals(before), totals(live)
        assert rebuilt["days"] == counted_live["days"]
        assert rebuilt["total"] == counted_live["total"]
        assert rebuilt["total"]["tickets"] == {"opened": 2, "closed": 2, "reopened": 1}
        assert rebuilt["total"]["first_response"]["calendar"]["count"] == 2
        assert rebuilt["total"]["orders"] == {"created": 1}
        assert rebuilt["total"]["payments"] == {"recorded": 1}

        again = backfill(before.tenant)
        assert again.counted == 0 and again.events == done.events
        assert totals(before) == rebuilt
        # over what the stream counted, the backfill adds nothing either
        assert backfill(live.tenant).counted == 0
        assert totals(live) == counted_live
    finally:
        clock.release()


def test_the_command_names_what_it_counted(world: World, capsys: Any) -> None:
    desk = Desk(world)
    assert command([]) == 2
    assert command([desk.tenant]) == 0
    assert f"{desk.tenant}: 0 tickets, 0 orders" in capsys.readouterr().out
