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
    """The day's numbers as the stream counts them (tests/unit/analytics/test_known_day.py
    drives such a day live): the first response of each opening (2 min, then 1 min after
    the reopening), the first close's resolution, the last close's full resolution, the
    sentiment of the close that stands."""
    counting.forget_cached()
    clock.freeze(START)
    try:
        before = Desk(world, company="Antes", domain="antes.example.com")
        a_day_of_work(before)
        assert totals(before)["total"]["tickets"]["opened"] == 0  # nothing counted yet
        not_counting.undo()

        done = backfill(before.tenant)
        assert done.tickets == 2 and done.orders == 1
        assert done.counted == done.events > 0
        rebuilt = totals(before)
        day = next(d for d in rebuilt["days"] if d["date"] == "2026-03-02")
        assert day["messages"] == {"in": 2, "out": 2, "bot": 0, "auto": 0}
        assert day["tickets"] == {"opened": 2, "closed": 2, "reopened": 1}
        frt = day["first_response"]["calendar"]
        assert (frt["count"], frt["mean_seconds"]) == (2, 90.0)
        first = day["first_resolution"]["calendar"]
        assert (first["count"], first["mean_seconds"]) == (1, 720.0)
        full = day["full_resolution"]["calendar"]
        assert (full["count"], full["mean_seconds"]) == (1, (12 + 20 + 1 + 4) * 60.0)
        assert day["sentiment"]["end"] == {"happy": 1, "neutral": 0, "angry": 0}
        assert day["orders"] == {"created": 1} and day["payments"] == {"recorded": 1}
        total = {k: v for k, v in rebuilt["total"].items() if k != "distributions"}
        assert total == {k: v for k, v in day.items() if k != "date"}  # the day is the range's all

        again = backfill(before.tenant)
        assert again.counted == 0 and again.events == done.events
        assert totals(before) == rebuilt
    finally:
        clock.release()


def test_the_command_names_what_it_counted(world: World, capsys: Any) -> None:
    desk = Desk(world)
    assert command([]) == 2
    assert command([desk.tenant]) == 0
    assert f"{desk.tenant}: 0 tickets, 0 orders" in capsys.readouterr().out
