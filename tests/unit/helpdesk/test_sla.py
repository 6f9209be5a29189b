"""SLA deadlines and breaches (SPEC §5, docs/sla.md): a frozen, movable clock drives the
sweep the scheduler fires every minute; nobody calls a route to make a breach happen."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import app
from chalicelib.clock import clock
from chalicelib.domain.helpdesk.sla import settle, time_left
from chalicelib.jobs import sla
from chalicelib.store import keys
from chalicelib.store.helpdesk import Ticket
from devstack.scheduler import fire, scheduled_handlers
from tests.support.desk import Desk, World
from tests.support.world import PASSWORD

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {
    "timezone": "America/Santiago",
    "weekly": {day: [["09:00", "18:00"]] for day in WEEKDAYS},
}


@pytest.fixture
def desk(api, mailbox, frozen_clock):
    return Desk(World(api, mailbox))


def targets(desk: Desk, hours: dict[str, Any] | None = None, **sla_targets: Any) -> None:
    settings: dict[str, Any] = {"sla": sla_targets}
    if hours is not None:
        settings["business_hours"] = hours
    changed = desk.call("PATCH", f"/v1/channels/{desk.channel_id}", desk.admin,
                        {"settings": settings})  # fmt: skip
    assert changed.status_code == 200, changed.json


def login(desk: Desk, email: str = "ana@acme.example.com") -> str:
    """A fresh access token (they last 15 minutes; the tests move the clock by hours)."""
    return desk.login(email)


def ticket_item(desk: Desk, number: int = 1) -> Ticket:
    return Ticket.get(keys.ticket_pk(desk.tenant, number), keys.ticket_sk(), consistent_read=True)


def breaches(desk: Desk, number: int = 1) -> list[dict[str, Any]]:
    entries = desk.call("GET", f"/v1/tickets/{number}/history?limit=100", login(desk)).json
    return [e for e in entries["items"] if e["action"] == "sla_breached"]


def unread(desk: Desk, email: str) -> dict[str, Any]:
    return desk.call("GET", "/v1/notifications", login(desk, email)).json


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- calendar minutes ---------------------------------------------------------------------------
def test_an_unanswered_ticket_breaches_its_first_response_target_once(desk, frozen_clock):
    _, pat = desk.person("pat@acme.example.com", "agent", online=True)
    _, sue = desk.person("sue@acme.example.com", "supervisor")
    desk.person("lee@acme.example.com", "agent")
    targets(desk, first_response_minutes=30, resolution_minutes=240)
    desk.client_writes()
    view = desk.call("GET", "/v1/tickets/1", desk.admin).json
    assert view["assignee_id"] == pat
    assert view["sla"]["first_response_due"] == "2026-03-02T12:30:00.000Z"
    assert view["sla"]["resolution_due"] == "2026-03-02T16:00:00.000Z"

    frozen_clock.advance(timedelta(minutes=29, seconds=59))
    assert sla.sweep() == {"due": 0}
    frozen_clock.advance(timedelta(seconds=2))
    assert sla.sweep() == {"due": 1, "breached": 1}

    ticket = ticket_item(desk)
    assert ticket.sla["breached"] is True
    assert ticket.sla["breaches"] == {"first_response": "2026-03-02T12:30:01.000Z"}
    assert ticket.DueSK.startswith("2026-03-02T16:00:00.000Z#")  # on to the resolution
    [entry] = breaches(desk)
    assert entry["actor_id"] is None
    assert entry["after"] == {"deadline": "first_response", "due": "2026-03-02T12:30:00.000Z",
                              "breached_at": "2026-03-02T12:30:01.000Z"}  # fmt: skip
    for email in ("pat@acme.example.com", "sue@acme.example.com", "ana@acme.example.com"):
        told = unread(desk, email)
        # pat, the assignee, was also told of the automatic assignment
        assert told["unread_count"] == (2 if email.startswith("pat") else 1), email
        [notification] = [n for n in told["items"] if n["kind"] != "assigned"]
        assert notification["kind"] == "sla_breach" and notification["ticket_number"] == 1
        assert notification["text"] == "Ticket #1: venció el plazo de primera respuesta."
    assert unread(desk, "lee@acme.example.com")["unread_count"] == 0  # not theirs
    assert sue

    # a second run, and a run that still sees the ticket as it was, record nothing
    assert sla.sweep() == {"due": 0}
    stale = Ticket(ticket.PK, ticket.SK, DueSK="2026-03-02T12:30:00.000Z#x", tenant_id=desk.tenant)
    assert sla.settle_ticket(stale, clock.now()) == "lost"
    assert len(breaches(desk)) == 1
    assert unread(desk, "ana@acme.example.com")["unread_count"] == 1

    # the resolution deadline breaches in its turn; the ticket leaves the index
    frozen_clock.advance(timedelta(hours=3, minutes=30))
    assert sla.sweep() == {"due": 1, "breached": 1}
    ticket = ticket_item(desk)
    assert set(ticket.sla["breaches"]) == {"first_response", "resolution"}
    assert ticket.DuePK is None and ticket.DueSK is None
    assert [e["after"]["deadline"] for e in breaches(desk)] == ["resolution", "first_response"]
    assert unread(desk, "pat@acme.example.com")["unread_count"] == 3  # assigned + 2 breaches


def test_a_reply_just_before_the_deadline_is_no_breach(desk, frozen_clock):
    agent, _ = desk.person("pat@acme.example.com", "agent", online=True)
    targets(desk, first_response_minutes=30, resolution_minutes=600)
    desk.client_writes()
    frozen_clock.advance(timedelta(minutes=29, seconds=59))
    answered = desk.call("POST", "/v1/tickets/1/messages", login(desk, "pat@acme.example.com"),
                         {"text": "¡Hola! Lo reviso."})  # fmt: skip
    assert answered.status_code == 201, answered.json
    frozen_clock.advance(timedelta(minutes=5))
    assert sla.sweep() == {"due": 1, "cleared": 1}
    ticket = ticket_item(desk)
    assert not ticket.sla.get("breached") and not ticket.sla.get("breaches")
    assert ticket.DueSK.startswith("2026-03-02T22:00:00.000Z#")  # the resolution is next
    assert breaches(desk) == []
    assert unread(desk, "ana@acme.example.com")["unread_count"] == 0
    assert agent


def test_a_first_reply_after_the_deadline_is_still_a_breach(desk, frozen_clock):
    desk.person("pat@acme.example.com", "agent", online=True)
    targets(desk, first_response_minutes=30)
    desk.client_writes()
    frozen_clock.advance(timedelta(minutes=31))  # the sweep did not run in time
    answered = desk.call("POST", "/v1/tickets/1/messages", login(desk, "pat@acme.example.com"),
                         {"text": "Perdón la demora"})  # fmt: skip
    assert answered.status_code == 201
    frozen_clock.advance(timedelta(seconds=30))
    assert sla.sweep() == {"due": 1, "breached": 1}
    assert ticket_item(desk).DueSK is None  # no resolution target: nothing pending


def test_closing_in_time_clears_the_deadline_and_closing_late_is_recorded(desk, frozen_clock):
    targets(desk, first_response_minutes=30)
    desk.client_writes(sender="56911111111")
    desk.client_writes(sender="56922222222")
    frozen_clock.advance(timedelta(minutes=10))
    assert desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "closed"}).status_code == 200
    frozen_clock.advance(timedelta(minutes=20, seconds=30))  # 30:30 after opening
    assert desk.call("PATCH", "/v1/tickets/2", login(desk), {"status": "closed"}).status_code == 200
    frozen_clock.advance(timedelta(minutes=1))
    assert sla.sweep() == {"due": 2, "cleared": 1, "breached": 1}
    assert not ticket_item(desk, 1).sla.get("breached") and ticket_item(desk, 1).DueSK is None
    late = ticket_item(desk, 2)
    assert late.sla["breached"] is True and late.DueSK is None
    assert len(breaches(desk, 2)) == 1
    # nobody can act on a closed ticket: recorded, not notified
    assert unread(desk, "ana@acme.example.com")["unread_count"] == 0


def test_a_reopened_ticket_gets_new_deadlines(desk, frozen_clock):
    targets(desk, first_response_minutes=30)
    desk.client_writes()
    assert desk.call("PATCH", "/v1/tickets/1", desk.admin, {"status": "closed"}).status_code == 200
    frozen_clock.advance(timedelta(minutes=40))
    assert sla.sweep() == {"due": 1, "cleared": 1}
    reopened = desk.call("PATCH", "/v1/tickets/1", login(desk), {"status": "open"})
    assert reopened.status_code == 200, reopened.json
    assert ticket_item(desk).sla["first_response_due"] == "2026-03-02T13:10:00.000Z"
    frozen_clock.advance(timedelta(minutes=31))
    assert sla.sweep() == {"due": 1, "breached": 1}


def test_a_merged_ticket_leaves_the_index_without_a_breach(desk, frozen_clock):
    targets(desk, first_response_minutes=30)
    desk.client_writes(sender="56911111111")
    desk.client_writes(sender="56922222222")
    merged = desk.call("POST", "/v1/tickets/1/merge", desk.admin, {"into": 2})
    assert merged.status_code == 200, merged.json
    frozen_clock.advance(timedelta(minutes=31))
    assert sla.sweep() == {"due": 2, "cleared": 1, "breached": 1}
    assert not ticket_item(desk, 1).sla.get("breached") and ticket_item(desk, 1).DueSK is None
    assert ticket_item(desk, 2).sla["breached"] is True


def test_a_column_filters_the_breached_tickets(desk, frozen_clock):
    targets(desk, first_response_minutes=30)
    desk.client_writes(sender="56911111111")  # 1: nobody answers
    desk.client_writes(sender="56922222222")  # 2: answered in time
    answered = desk.call("POST", "/v1/tickets/2/messages", desk.admin, {"text": "¡Hola!"})
    assert answered.status_code == 201, answered.json
    frozen_clock.advance(timedelta(minutes=31))
    assert sla.sweep() == {"due": 2, "cleared": 1, "breached": 1}
    token = login(desk)

    def column_numbers(breached: bool) -> list[int]:
        made = desk.call("POST", "/v1/columns", token, {"name": f"SLA {breached}",
                         "filters": {"assignee": "any", "sla_breached": breached}})  # fmt: skip
        assert made.status_code == 201, made.json
        items = desk.call("GET", f"/v1/columns/{made.json['id']}/items", token)
        assert items.status_code == 200, items.json
        return [item["number"] for item in items.json["items"]]

    assert column_numbers(True) == [1]
    assert column_numbers(False) == [2]


# --- business minutes ---------------------------------------------------------------------------
def test_a_business_hours_deadline_waits_over_the_weekend_and_a_holiday(desk, frozen_clock):
    targets(desk, {**OFFICE, "holidays": ["2026-03-09"]}, first_response_minutes=60,
            mode="business")  # fmt: skip
    frozen_clock.freeze(at("2026-03-06T17:30:00-03:00"))  # Friday, half an hour before closing
    desk.client_writes()
    # 30 minutes on Friday, none on the weekend nor on Monday (a holiday), 30 on Tuesday
    assert ticket_item(desk).sla["first_response_due"] == "2026-03-10T12:30:00.000Z"
    for moment in ("2026-03-06T18:31:00-03:00", "2026-03-07T12:00:00-03:00",
                   "2026-03-09T10:00:00-03:00", "2026-03-10T09:29:00-03:00"):  # fmt: skip
        frozen_clock.freeze(at(moment))
        assert sla.sweep() == {"due": 0}, moment
    frozen_clock.freeze(at("2026-03-10T09:31:00-03:00"))
    assert sla.sweep() == {"due": 1, "breached": 1}
    assert ticket_item(desk).sla["breaches"] == {"first_response": "2026-03-10T12:31:00.000Z"}


def test_a_business_hours_deadline_across_a_daylight_saving_change(desk, frozen_clock):
    # Chile leaves summer time on the night of 4-5 April 2026 (UTC-3 -> UTC-4)
    targets(desk, OFFICE, first_response_minutes=120, mode="business")
    frozen_clock.freeze(at("2026-04-03T17:00:00-03:00"))  # Friday, an hour before closing
    desk.client_writes()
    # one hour on Friday, the other from 09:00 on Monday, which is now 13:00 UTC
    assert ticket_item(desk).sla["first_response_due"] == "2026-04-06T14:00:00.000Z"
    frozen_clock.freeze(at("2026-04-06T09:30:00-04:00"))  # 10:30 by the old offset
    assert sla.sweep() == {"due": 0}
    frozen_clock.freeze(at("2026-04-06T10:00:30-04:00"))
    assert sla.sweep() == {"due": 1, "breached": 1}


def test_the_scheduler_fires_the_sweep_and_records_its_heartbeat(desk, frozen_clock):
    from chalicelib.store.platform import last_heartbeats

    targets(desk, first_response_minutes=1)
    desk.client_writes()
    frozen_clock.advance(timedelta(minutes=1, seconds=1))
    [(source, handler)] = [(s, h) for s, h in scheduled_handlers(app) if s.name == "sla_sweep"]
    fire(source, handler)
    assert len(breaches(desk)) == 1
    assert last_heartbeats()["sla_sweep"] == frozen_clock.now()
    assert unread(desk, "ana@acme.example.com")["unread_count"] == 1


# --- the judgement itself -----------------------------------------------------------------------
def test_settling_judges_each_deadline_once():
    opened = {"first_response_due": "2026-03-02T12:30:00.000Z",
              "resolution_due": "2026-03-02T12:30:00.000Z", "mode": "calendar",
              "breaches": {}, "breached": False}  # fmt: skip
    when = at("2026-03-02T12:31:00+00:00")
    both = settle(opened, status="open", first_response_at=None, closed_at=None, at=when)
    assert both.breached == ("first_response", "resolution") and both.next_due is None
    again = settle(both.sla, status="open", first_response_at=None, closed_at=None, at=when)
    assert again.breached == ()
    answered = settle(opened, status="pending", first_response_at=at("2026-03-02T12:29:00+00:00"),
                      closed_at=None, at=when)  # fmt: skip
    assert answered.breached == ("resolution",)
    closed = settle(opened, status="closed", first_response_at=None,
                    closed_at=at("2026-03-02T12:30:00+00:00"), at=when)  # fmt: skip
    assert closed.breached == () and closed.next_due is None  # closing in time meets both
    late = settle(opened, status="closed", first_response_at=at("2026-03-02T12:00:00+00:00"),
                  closed_at=at("2026-03-02T12:30:30+00:00"), at=when)  # fmt: skip
    assert late.breached == ("resolution",) and late.next_due is None
    escalated = settle(opened, status="escalated", first_response_at=None, closed_at=None, at=when)
    assert escalated.breached == () and escalated.next_due is None
    left = time_left(opened, status="open", first_response_at=None,
                     at=at("2026-03-02T12:00:00+00:00"))  # fmt: skip
    assert left == {"first_response": 1800, "resolution": 1800}
    assert time_left(both.sla, status="open", first_response_at=None, at=when) == {}


# --- two sweeps at once -------------------------------------------------------------------------
PHONE = "106540352242922"


def inbound(n: int, sender: str) -> Any:
    from chalicelib.channels.events import InboundMessage

    return InboundMessage(channel_type="whatsapp", account_id=PHONE, provider_message_id=f"wamid.{n}",
                          sender_id=sender, sender_name="María", text=f"mensaje {n}",
                          sent_at=clock.now() - timedelta(seconds=60 - n))  # fmt: skip


@pytest.mark.ddb_local
def test_two_concurrent_sweeps_mark_each_breach_once(frozen_clock):
    from chalicelib.domain.accounts.principal import Principal
    from chalicelib.domain.accounts.tenants import signup
    from chalicelib.domain.channels.service import connect
    from chalicelib.domain.inbound.ingest import ingest_message
    from chalicelib.store.accounts import HistoryEntry
    from chalicelib.store.notifications import page, unread_count

    tenant, admin = signup(company_name="Acme", locale="es", timezone="America/Santiago",
                           first_name="Ana", last_name="Admin", email="ana@acme.example.com",
                           password=PASSWORD)  # fmt: skip
    principal = Principal(tenant.tenant_id, admin.user_id, "admin", frozenset(), "s", admin)
    channel = connect(principal, "whatsapp", "Ventas",
                      {"phone_number_id": PHONE, "business_account_id": "102290129340398",
                       "display_phone_number": "+56 9 1111 2222"},
                      {"access_token": "EAAG-token-1234567890"},
                      {"sla": {"first_response_minutes": 5}})  # fmt: skip
    tickets = 12
    for n in range(tickets):
        ingest_message(channel, inbound(n, sender=f"5691234{n:04d}"))
    frozen_clock.advance(timedelta(minutes=6))

    start = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def run() -> None:
        start.wait()
        results.append(sla.sweep())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    print("concurrent sweeps:", results)
    assert sum(r.get("breached", 0) for r in results) == tickets, results
    for number in range(1, tickets + 1):
        entries = HistoryEntry.query(keys.history_pk(tenant.tenant_id, "ticket", str(number)))
        assert [e.action for e in entries] == ["sla_breached"], number
    notifications, _ = page(tenant.tenant_id, admin.user_id, unread_only=True, limit=100,
                            cursor=None)  # fmt: skip
    assert len(notifications) == tickets
    assert unread_count(tenant.tenant_id, admin.user_id) == tickets
    assert sla.sweep() == {"due": 0}
