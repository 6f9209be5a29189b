"""A known day of activity through the real pipeline — signed webhooks and the inbound
worker, the API, the bot's signed answer, the SLA sweep, the table's stream, the reports
worker — and the numbers the summary, the monitoring table and both exports (CSV and
XLSX) give for it: exactly the expected ones, the same in each (docs/analytics.md).

The day is Saturday 4 April 2026 in Santiago: Chile leaves summer time that night (at
24:00 the clocks go back to 23:00), so the day has 25 hours, and what happens between
02:00 and 04:00 UTC on the 5th still belongs to the 4th. The channel is open on
Saturdays from 10:00 to 12:00 only: some of the day is outside business hours.

Times (UTC; local = UTC-3 until 03:00 UTC on the 5th, then UTC-4):

- 14:00 client A writes (11:00, open): ticket 1
- 14:01 the bot answers A
- 14:10 the admin answers A (first response: 10 min, 10 min of business time; SLA met)
- 14:12 an order on ticket 1; 14:13 a payment of it
- 14:20 the admin closes ticket 1, the client pleased (first resolution 20 min)
- 15:30 the admin reopens it (12:30, closed hours); 15:35 answers (5 min, 0 business)
- 15:50 the admin closes it (full resolution 1 h 50 min; 1 h of business time)
- 15:55 Pat, an agent, comes online and takes new tickets
- 02:50 (5th) client B writes (23:50, out of hours): ticket 2, Pat's; the out-of-hours reply
- 03:25 the SLA sweep: ticket 2's first response (due 03:20) is breached (23:25, 2nd pass)
- 03:40 Pat answers B (23:40 of the 4th: 50 min, 0 business)
- 04:10 client B writes again: 00:10 on the 5th, counted on the 5th
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.clock import clock
from chalicelib.domain.analytics.counting import forget_cached
from chalicelib.jobs import inbound, sla
from tests.support.desk import Desk, bot_signed, run_worker
from tests.support.reports import downloaded, sheet_rows
from tests.support.table_stream import run_effects
from tests.support.world import World

SECRET = "whsec_bot-Known-Day-0001"
A, B = "56911111111", "56922222222"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def moment(text: str) -> datetime:
    clock.freeze(at(text))
    return clock.now()


def writes(desk: Desk, sender: str, text: str, when: str, name: str) -> None:
    moment(when)
    desk.client_writes(sender=sender, text=text, at=int(clock.now().timestamp()), name=name)
    run_effects()


def api(desk: Desk, method: str, path: str, body: Any = None, email: str | None = None) -> Any:
    answer = desk.call(method, path, desk.login(email), body)
    assert answer.status_code in (200, 201, 202), answer.json
    return answer.json


@pytest.fixture
def known_day(world: World) -> Desk:
    forget_cached()
    moment("2026-04-04T13:00:00")
    desk = Desk(world)
    settings = {
        "business_hours": {"timezone": "America/Santiago", "weekly": {
            **{d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "sat": [["10:00", "12:00"]]}},
        "sla": {"first_response_minutes": 30},
        "auto_replies": {"out_of_hours": {"enabled": True, "text": "Abrimos el lunes a las 9."}},
    }  # fmt: skip
    api(desk, "PATCH", f"/v1/channels/{desk.channel_id}", {"settings": settings})
    _, pat = desk.person("pat@acme.example.com", "agent")
    hook = api(desk, "POST", "/v1/integrations",
               {"url": "https://bot.example.com/hook", "events": ["bot.message"], "secret": SECRET})  # fmt: skip

    writes(desk, A, "Hola, ¿tienen poleras?", "2026-04-04T14:00:00", "Ana Pérez")
    api(desk, "PUT", "/v1/tickets/1/bot", {"enabled": True})
    moment("2026-04-04T14:01:00")
    body = {"id": "answer-1", "text": "Hola, soy el asistente. Ya te atiende una persona."}
    bot = desk.world.api.post("/v1/bot/tickets/1/messages", body=json.dumps(body),
                              headers=bot_signed(desk, hook["id"], body, SECRET))  # fmt: skip
    assert bot.status_code == 201, bot.body
    api(desk, "PUT", "/v1/tickets/1/bot", {"enabled": False})
    moment("2026-04-04T14:10:00")
    api(desk, "POST", "/v1/tickets/1/messages", {"text": "¡Sí! Tallas S a XL."})
    moment("2026-04-04T14:12:00")
    api(desk, "POST", "/v1/tickets/1/orders", {"currency": "CLP", "lines": [
        {"description": "Polera talla M", "quantity": 2, "unit_price": 9990}]})  # fmt: skip
    moment("2026-04-04T14:13:00")
    api(desk, "POST", "/v1/orders/1/payments",
        {"amount": 19980, "method": "transfer", "paid_on": "2026-04-04"})  # fmt: skip
    moment("2026-04-04T14:20:00")
    api(desk, "PATCH", "/v1/tickets/1", {"status": "closed", "sentiment_end": "happy"})
    moment("2026-04-04T15:30:00")
    api(desk, "PATCH", "/v1/tickets/1", {"status": "open"})
    moment("2026-04-04T15:35:00")
    api(desk, "POST", "/v1/tickets/1/messages", {"text": "Te envío el seguimiento."})
    moment("2026-04-04T15:50:00")
    api(desk, "PATCH", "/v1/tickets/1", {"status": "closed"})
    moment("2026-04-04T15:55:00")
    api(desk, "PUT", "/v1/assignments", {"agents": [
        {"user_id": pat, "auto_assign": True, "channels": [desk.channel_id]}]})  # fmt: skip
    api(desk, "PUT", "/v1/me/presence", {"presence": "online"}, email="pat@acme.example.com")
    run_effects()

    # eleven hours later: a warm inbound consumer trusts its last claim of a tenant for 2
    # real seconds (docs/decisions.md), which a frozen clock would stretch over the night
    inbound.forget()
    writes(desk, B, "¿Hacen envíos a Arica?", "2026-04-05T02:50:00", "Luis Soto")
    moment("2026-04-05T03:25:00")
    assert sla.sweep()["breached"] == 1  # ticket 1's deadlines were met: cleared
    run_effects()
    moment("2026-04-05T03:40:00")
    api(desk, "POST", "/v1/tickets/2/messages", {"text": "¡Sí! En 3 días."},
        email="pat@acme.example.com")  # fmt: skip
    writes(desk, B, "Perfecto, gracias", "2026-04-05T04:10:00", "Luis Soto")
    run_worker("receive_inbound")
    run_effects()
    return desk


def duration(count: int, mean: float | None) -> dict[str, Any]:
    return {"count": count, "mean_seconds": mean}


def export(desk: Desk, kind: str, file_format: str) -> list[list[Any]]:
    """The day's report of ``kind`` made by the reports worker, as rows (header first)."""
    asked = api(desk, "POST", "/v1/reports", {"kind": kind, "format": file_format,
                                              "from": "2026-04-04", "to": "2026-04-04"})  # fmt: skip
    run_worker("make_reports")
    report = api(desk, "GET", f"/v1/reports/{asked['id']}")
    assert report["state"] == "done", report
    raw = downloaded(report)
    if file_format == "csv":
        assert raw.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    rows, _ = sheet_rows(raw)
    return [[str(c) if not isinstance(c, float) else c for c in row] for row in rows]


def test_a_known_day_gives_exactly_the_expected_numbers_in_the_summary_the_table_and_exports(
    known_day: Desk,
) -> None:
    desk = known_day
    moment("2026-04-05T03:59:00")  # 23:59 of the 4th in Santiago
    answer = api(desk, "GET", "/v1/analytics/summary?from=2026-04-04&to=2026-04-05")
    day, next_day = answer["days"]
    assert day["date"] == "2026-04-04" and answer["timezone"] == "America/Santiago"
    assert day["messages"] == {"in": 2, "out": 3, "bot": 1, "auto": 1}
    assert next_day["messages"] == {"in": 1, "out": 0, "bot": 0, "auto": 0}
    assert day["tickets"] == {"opened": 2, "closed": 2, "reopened": 1}

    def stats(metric: str, clock_name: str) -> dict[str, Any]:
        found = day[metric][clock_name]
        return duration(found["count"], found["mean_seconds"])

    assert stats("first_response", "calendar") == duration(3, (600 + 300 + 3000) / 3)
    assert stats("first_response", "business") == duration(3, 600 / 3)
    assert stats("first_resolution", "calendar") == duration(1, 1200.0)
    assert stats("first_resolution", "business") == duration(1, 1200.0)
    assert stats("full_resolution", "calendar") == duration(1, 6600.0)  # the last close only
    assert stats("full_resolution", "business") == duration(1, 3600.0)  # 11:00 to 12:00
    assert day["sla"]["first_response"] == {"met": 2, "breached": 1, "compliance": 0.6667}
    assert day["sla"]["resolution"] == {"met": 0, "breached": 0, "compliance": None}
    assert day["sentiment"] == {"start": {"happy": 0, "neutral": 1, "angry": 0},
                                "end": {"happy": 1, "neutral": 0, "angry": 0}}  # fmt: skip
    assert day["orders"] == {"created": 1} and day["payments"] == {"recorded": 1}
    assert answer["total"]["messages"]["in"] == 3

    table = {row["name"]: row for row in api(desk, "GET", "/v1/analytics/agents")["agents"]}
    assert table["Ana Admin"] == {
        "user_id": api(desk, "GET", "/v1/me")["user"]["id"], "name": "Ana Admin",
        "role": "admin", "presence": "offline",
        "open_tickets": 0, "replies_today": 2, "first_response_today": duration(2, 450.0),
        "orders_today": 1, "sla_breaches_today": 0,
    }  # fmt: skip
    pat = table[next(name for name in table if name != "Ana Admin")]
    assert (pat["role"], pat["presence"], pat["open_tickets"]) == ("agent", "online", 1)
    assert pat["replies_today"] == 1 and pat["first_response_today"] == duration(1, 3000.0)
    assert pat["orders_today"] == 0 and pat["sla_breaches_today"] == 1

    # both exports, CSV and XLSX, give the same numbers as the summary's day
    for file_format in ("csv", "xlsx"):
        header, *rows = export(desk, "conversations", file_format)
        cell = {name: i for i, name in enumerate(header)}
        assert [str(row[0]).removesuffix(".0") for row in rows] == ["1", "2"]  # opened that day
        one, two = rows

        def seconds(row: list[Any], column: str, cell: dict[str, int] = cell) -> float:
            value = row[cell[column]]
            return float(value) if value not in ("", None) else 0.0

        assert one[cell["Creado"]] == "2026-04-04 11:00"
        assert two[cell["Creado"]] == "2026-04-04 23:50"  # 02:50 UTC on the 5th
        assert (seconds(one, "Primera respuesta (s calendario)"),
                seconds(one, "Primera respuesta tras reapertura (s calendario)"),
                seconds(two, "Primera respuesta (s calendario)")) == (600, 300, 3000)  # fmt: skip
        assert (seconds(one, "Primera respuesta (s hábiles)"),
                seconds(one, "Primera respuesta tras reapertura (s hábiles)"),
                seconds(two, "Primera respuesta (s hábiles)")) == (600, 0, 0)  # fmt: skip
        # the same numbers as the dashboard's
        calendar = [seconds(one, "Primera respuesta (s calendario)"),
                    seconds(one, "Primera respuesta tras reapertura (s calendario)"),
                    seconds(two, "Primera respuesta (s calendario)")]  # fmt: skip
        assert sum(calendar) / 3 == day["first_response"]["calendar"]["mean_seconds"]
        assert seconds(one, "Primera resolución (s calendario)") == 1200 == (
            day["first_resolution"]["calendar"]["mean_seconds"])  # fmt: skip
        assert seconds(one, "Resolución total (s calendario)") == 6600 == (
            day["full_resolution"]["calendar"]["mean_seconds"])  # fmt: skip
        assert seconds(one, "Resolución total (s hábiles)") == 3600 == (
            day["full_resolution"]["business"]["mean_seconds"])  # fmt: skip
        assert str(one[cell["Reaperturas"]]).removesuffix(".0") == "1"
        assert (one[cell["SLA primera respuesta"]], two[cell["SLA primera respuesta"]]) == (
            "cumplido", "incumplido")  # fmt: skip
        assert (one[cell["Sentimiento inicial"]], one[cell["Sentimiento final"]]) == (
            "neutral",
            "feliz",
        )
        assert (one[cell["Estado"]], two[cell["Estado"]]) == ("cerrado", "abierto")
        assert two[cell["Agente"]] != "" and one[cell["Agente"]] == "Ana Admin"

        header, *payments = export(desk, "payments", file_format)
        column = {name: i for i, name in enumerate(header)}
        assert len(payments) == day["payments"]["recorded"] == 1
        [payment] = payments
        assert float(payment[column["Monto"]]) == 19980
        assert payment[column["Moneda"]] == "CLP" and payment[column["Cliente"]] == "Ana Pérez"
        assert payment[column["Registrado"]] == "2026-04-04 11:13"
