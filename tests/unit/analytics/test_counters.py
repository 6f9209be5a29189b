"""The counters follow what happens, once per event however often the stream is read
(docs/analytics.md "The counter model"), and the summary reads them by day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.clock import clock
from chalicelib.domain.analytics.counting import forget_cached
from tests.support.desk import Desk
from tests.support.table_stream import read_stream_again, run_effects
from tests.support.world import World

DAY = "2026-03-02"  # the frozen clock's day in Santiago (12:00 UTC is 09:00 there)


@pytest.fixture
def desk(world: World, frozen_clock: Any) -> Desk:
    forget_cached()
    desk = Desk(world, default_caller="admin", agent_serves=True)
    run_effects()
    return desk


def summary(desk: Desk, who: str = "admin", **query: str) -> Any:
    args = "&".join(f"{k}={v}" for k, v in {"from": DAY, "to": DAY, **query}.items())
    answer = desk.call("GET", f"/v1/analytics/summary?{args}", who)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_conversation_is_counted_once_however_often_the_stream_is_read(desk: Desk) -> None:
    desk.message("56911111111", "hola, ¿tienen poleras?", name="Ana Pérez")  # 12:01 UTC
    clock.advance(timedelta(minutes=4))
    assert desk.call("POST", "/v1/tickets/1/messages", "admin", {"text": "¡Sí!"}).status_code == 201
    run_effects()
    first = summary(desk)
    assert read_stream_again() > 0  # a worker restarted from the oldest record
    again = summary(desk)
    assert again == first
    day = first["days"][0]
    assert day["date"] == DAY
    assert day["messages"] == {"in": 1, "out": 1, "bot": 0, "auto": 0}
    assert day["tickets"] == {"opened": 1, "closed": 0, "reopened": 0}
    frt = day["first_response"]["calendar"]
    assert frt["count"] == 1
    assert frt["mean_seconds"] == 240.0
    assert first["total"]["messages"]["in"] == 1
    assert first["timezone"] == "America/Santiago"


def test_a_reopened_ticket_counts_its_new_first_response_and_its_last_resolution(
    desk: Desk,
) -> None:
    from chalicelib.domain.helpdesk.replies import reply
    from chalicelib.domain.helpdesk.tickets import edit

    admin = desk.principal()  # a session would expire in the half hour this takes
    desk.message("56911111111", "hola", name="Ana Pérez")
    clock.advance(timedelta(minutes=2))
    reply(admin, 1, text="Hola, ¿en qué te ayudo?", public=False)
    clock.advance(timedelta(minutes=10))
    edit(admin, 1, {}, status="closed")
    run_effects()
    closed_once = summary(desk)["total"]
    assert closed_once["full_resolution"]["calendar"]["count"] == 1
    assert closed_once["full_resolution"]["calendar"]["mean_seconds"] == 720.0

    clock.advance(timedelta(minutes=30))
    edit(admin, 1, {}, status="open")
    clock.advance(timedelta(minutes=1))
    reply(admin, 1, text="Retomo tu caso.", public=False)
    clock.advance(timedelta(minutes=5))
    edit(admin, 1, {}, status="closed")
    run_effects()
    read_stream_again()
    total = summary(desk, who=desk.login())["total"]
    assert total["tickets"] == {"opened": 1, "closed": 2, "reopened": 1}
    # the first response of each opening: 2 minutes, then 1 minute after the reopening
    assert total["first_response"]["calendar"]["count"] == 2
    assert total["first_response"]["calendar"]["mean_seconds"] == 90.0
    # the first resolution is the first close; the full one, the last close only
    assert total["first_resolution"]["calendar"]["count"] == 1
    assert total["first_resolution"]["calendar"]["mean_seconds"] == 720.0
    assert total["full_resolution"]["calendar"]["count"] == 1
    assert total["full_resolution"]["calendar"]["mean_seconds"] == (12 + 30 + 1 + 5) * 60.0
    assert total["sentiment"]["end"] == {"happy": 0, "neutral": 1, "angry": 0}
    # over what the stream counted, the backfill (docs/analytics.md "Backfill") adds nothing
    from chalicelib.domain.analytics.backfill import backfill

    done = backfill(desk.tenant)
    assert done.events > 0 and done.counted == 0
    assert summary(desk, who=desk.login())["total"] == total


def test_bot_answers_and_auto_replies_are_counted_apart_and_stop_no_clock(desk: Desk) -> None:
    from chalicelib.store.helpdesk import Message

    desk.message("56911111111", "hola", name="Ana Pérez")
    ticket = desk.ticket(1)
    for author, extra in ((None, {"auto_reply": "welcome"}), ("bot:b1", {})):
        at = clock.now()
        Message(ticket.PK, f"M#{at.isoformat()}-{author}", tenant_id=desk.tenant,
                message_id=f"{at.isoformat()}-{author}", ticket_number=1,
                channel_id=desk.whatsapp, direction="out", author_id=author, text="auto",
                status="sent", extra=extra, sent_at=at, stored_at=at).save()  # fmt: skip
        clock.advance(timedelta(seconds=1))
    run_effects()
    day = summary(desk)["days"][0]
    assert day["messages"] == {"in": 1, "out": 0, "bot": 1, "auto": 1}
    assert day["first_response"]["calendar"]["count"] == 0


def test_an_agent_and_a_channel_have_their_own_series(desk: Desk) -> None:
    desk.message("56911111111", "hola", name="Ana Pérez")
    clock.advance(timedelta(minutes=1))
    desk.call("POST", "/v1/tickets/1/messages", "admin", {"text": "Hola"})
    run_effects()
    mine = summary(desk, agent=desk.id("admin"))
    assert mine["series"] == {"kind": "agent", "id": desk.id("admin")}
    assert mine["total"]["messages"]["out"] == 1
    assert mine["total"]["messages"]["in"] == 0  # a client's message is the channel's
    channel = summary(desk, channel=desk.whatsapp)["total"]
    assert channel["messages"] == {"in": 1, "out": 1, "bot": 0, "auto": 0}


def test_every_day_of_the_range_is_given_zeros_included(desk: Desk) -> None:
    answer = desk.call("GET", "/v1/analytics/summary?from=2026-02-27&to=2026-03-02", "admin")
    assert [d["date"] for d in answer.json["days"]] == [
        "2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]  # fmt: skip
    assert answer.json["days"][0]["tickets"]["opened"] == 0
    assert answer.json["days"][0]["first_response"]["calendar"]["mean_seconds"] is None


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2026-03-05&to=2026-03-01", 400, "range_reversed"),
        ("from=2025-01-01&to=2026-03-01", 400, "range_too_long"),
        ("from=2026-13-01", 400, None),
        ("channel=x&agent=y", 400, "one_series"),
        ("channel=nope", 404, None),
        ("agent=nope", 404, None),
        ("colour=red", 400, None),
    ],
)
def test_a_bad_range_or_series_is_refused(
    desk: Desk, query: str, status: int, code: str | None
) -> None:
    answer = desk.call("GET", f"/v1/analytics/summary?{query}", "admin")
    assert answer.status_code == status, answer.json
    if code:
        assert answer.json["error"]["code"] == code


@pytest.mark.parametrize(
    ("role", "summary_status", "table_status"),
    [("admin", 200, 200), ("analyst", 200, 200), ("supervisor", 403, 200), ("agent", 403, 403),
     ("stakeholder", 403, 403), ("orders_admin", 403, 403), ("account_contact", 403, 403)],
)  # fmt: skip
def test_who_may_read_analytics(
    desk: Desk, role: str, summary_status: int, table_status: int
) -> None:
    assert desk.call("GET", "/v1/analytics/summary", role).status_code == summary_status
    assert desk.call("GET", "/v1/analytics/agents", role).status_code == table_status


def test_the_monitoring_table_shows_each_agents_day(desk: Desk) -> None:
    desk.message("56911111111", "hola", name="Ana Pérez")
    clock.advance(timedelta(minutes=3))
    desk.call("POST", "/v1/tickets/1/messages", "admin", {"text": "Hola"})
    desk.call("POST", "/v1/tickets/1/messages", "admin", {"text": "¿Algo más?"})
    run_effects()
    table = desk.call("GET", "/v1/analytics/agents", "analyst").json
    assert table["date"] == DAY
    admin = next(row for row in table["agents"] if row["user_id"] == desk.id("admin"))
    assert admin["replies_today"] == 2
    assert admin["first_response_today"] == {"count": 1, "mean_seconds": 180.0}
    assert admin["open_tickets"] == 1
    assert admin["sla_breaches_today"] == 0
    assert all(row["role"] in ("admin", "supervisor", "agent") for row in table["agents"])


def test_another_tenants_counters_are_never_read(desk: Desk, world: World) -> None:
    desk.message("56911111111", "hola", name="Ana Pérez")
    run_effects()
    other = Desk(world, company="Otra", domain="otra.example.com")
    assert other.call("GET", f"/v1/analytics/summary?from={DAY}&to={DAY}", "admin").json["total"][
        "messages"]["in"] == 0  # fmt: skip
    assert (
        other.call("GET", f"/v1/analytics/summary?channel={desk.whatsapp}", "admin").status_code
        == 404
    )


def test_the_90th_percentile_is_read_from_the_buckets_within_its_bound(desk: Desk) -> None:
    """Five first responses of one minute and five of ten: the 90th percentile is the
    ninth smallest, ten minutes, within the stated relative error; the mean is exact."""
    from chalicelib.domain.analytics.counting import Event, Part, duration_adds, record
    from chalicelib.domain.analytics.metrics import Duration

    at = clock.now()
    for i, seconds in enumerate([60.0] * 5 + [600.0] * 5):
        adds = duration_adds("first_response", Duration(seconds, seconds))
        assert record(desk.tenant, Event(f"probe#{i}", (Part(at, None, None, adds),)),
                      "America/Santiago")  # fmt: skip
    stats = summary(desk)["total"]["first_response"]["calendar"]
    assert stats["count"] == 10 and stats["mean_seconds"] == 330.0
    assert abs(stats["p90_seconds"] - 600) <= 600 * summary(desk)["percentile_error"]
    assert stats["p90_seconds"] > 330
