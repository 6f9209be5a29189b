"""Live updates (issue 12, item 6): the table's stream tells each tenant's pulse which tickets
changed, and ``GET /v1/changes?since=`` tells a console (docs/decisions.md, "Live updates";
the costs: tests/integration/test_live_costs.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import app
from chalicelib.domain.accounts.access import ROLES
from chalicelib.domain.helpdesk import live
from chalicelib.domain.helpdesk.live import RETAIN, RING_BYTES, Touch, hint, next_state
from chalicelib.store import live as live_store
from chalicelib.store.helpdesk import Message, Ticket
from devstack.lambda_events import LambdaContext
from tests.support.desk import Desk, run_effects
from tests.support.roles import roles_allowed

AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def poll(desk: Desk, who: str = "admin", since: Any = None) -> dict[str, Any]:
    path = "/v1/changes" + ("" if since is None else f"?since={since}")
    answer = desk.call("GET", path, who)
    assert answer.status_code == 200, answer.json
    return dict(answer.json)


def changed(feed: dict[str, Any]) -> set[tuple[int, str]]:
    return {(c["ticket"], c["kind"]) for c in feed["changes"]}


# --- the rules, without a table ---------------------------------------------------------------
def test_hints_are_four_base36_digits_of_fnv1a_the_same_as_the_console_computes():
    # web/src/live-hint.js computes these same values (tests/e2e/test_console_live.py)
    assert hint("") == "ntfp"  # FNV-1a's offset basis, 0x811c9dc5, mod 36**4
    assert hint("a") == "wi7g"  # FNV-1a("a") = 0xe40c292c
    assert hint("01jchannel0000000000000000") == hint("01jchannel0000000000000000")
    assert len({hint(f"01juser{n:019d}") for n in range(200)}) == 200
    assert all(len(hint(f"u{n}")) == 4 and hint(f"u{n}").isalnum() for n in range(50))


def test_a_touch_is_written_short_and_read_back_the_same():
    ticket = Touch(12, ticket=True, message=True, status="pending", channel_type="twitter_search",
                   channel_hint="1a2b", assignee_hint="zz09", assignee_before="aaaa")  # fmt: skip
    assert ticket.encode() == "12:tm:p:twitter_search:1a2b:zz09:aaaa"
    assert Touch.decode(ticket.encode()) == ticket
    unassigned = Touch(3, ticket=True, status="open", channel_type="whatsapp", channel_hint="0001")
    assert unassigned.encode() == "3:t:o:whatsapp:0001"
    assert Touch.decode(unassigned.encode()) == unassigned
    assert Touch(7, message=True).encode() == "7:m"
    assert Touch.decode("7:m") == Touch(7, message=True)


def test_a_batch_keeps_one_touch_per_ticket_with_its_latest_fields_and_the_assignee_it_left():
    touch = Touch(5, message=True)
    touch.merge(Touch(5, ticket=True, status="open", channel_type="whatsapp", channel_hint="c",
                      assignee_hint="aaaa"))  # fmt: skip
    touch.merge(Touch(5, ticket=True, status="closed", channel_type="whatsapp", channel_hint="c",
                      assignee_hint="bbbb", assignee_before="aaaa"))  # fmt: skip
    assert (touch.ticket, touch.message, touch.status) == (True, True, "closed")
    assert (touch.assignee_hint, touch.assignee_before) == ("bbbb", "aaaa")
    touch.merge(
        Touch(
            5,
            ticket=True,
            status="open",
            channel_type="whatsapp",
            channel_hint="c",
            assignee_hint="aaaa",
            assignee_before="bbbb",
        )
    )  # back: it left nobody
    assert (touch.assignee_hint, touch.assignee_before) == ("aaaa", "bbbb")


def test_the_pulse_moves_forward_even_when_clocks_go_back():
    first = next_state(None, [Touch(1, message=True)], AT)
    assert first.seq == int(AT.timestamp() * 1000) and first.floor == 0
    earlier = next_state(first, [Touch(2, message=True)], AT - timedelta(seconds=5))
    assert earlier.seq == first.seq + 1
    assert earlier.ring == [f"{first.seq} 1:m", f"{first.seq + 1} 2:m"]


def test_old_changes_leave_the_pulse_and_the_floor_says_where_it_starts():
    state = next_state(None, [Touch(1, message=True)], AT)
    state = next_state(state, [Touch(2, message=True)], AT + timedelta(seconds=10))
    later = next_state(state, [Touch(3, message=True)], AT + RETAIN + timedelta(seconds=5))
    assert [e.split(" ")[1] for e in later.ring] == ["2:m", "3:m"]
    assert later.floor == state.seq - 10_000  # the first batch's position


def test_the_pulse_stays_under_4_kb_however_busy_the_tenant():
    touches = [Touch(n, ticket=True, message=True, status="escalated", channel_type="twitter_search",
                     channel_hint="abcd", assignee_hint="efgh", assignee_before="ijkl")
               for n in range(1_000_000, 1_000_040)]  # fmt: skip
    state = None
    for second in range(30):
        state = next_state(state, touches, AT + timedelta(seconds=second))
        assert live_store.item_bytes(state.ring) <= live_store.ITEM_OVERHEAD + RING_BYTES < 4096
    assert state is not None and state.floor > 0 and len(state.ring) >= 1
    # a batch too large to keep on its own leaves nothing behind but the floor
    huge = next_state(state, touches * 4, AT + timedelta(seconds=31))
    assert huge.ring == [] and huge.floor == huge.seq


# --- what the stream tells ------------------------------------------------------------------------
def test_bookkeeping_on_a_ticket_or_a_message_is_no_change():
    ticket = Ticket("TENANT#t#TICKET#1", "TICKET", tenant_id="t", number=1, channel_id="c",
                    channel_type="whatsapp", client_id="x", created_at=AT, last_activity_at=AT)  # fmt: skip
    again = Ticket.from_raw_data(ticket.serialize())
    again.DuePK, again.DueSK, again.version = "DUE#sla#1", "2026...", 4
    assert live.touch_of(again, ticket) is None
    again.important = True
    assert live.touch_of(again, ticket) == Touch(1, ticket=True, status="open",
                                                 channel_type="whatsapp", channel_hint=hint("c"))  # fmt: skip
    message = Message("TENANT#t#TICKET#1", "M#1", tenant_id="t", message_id="1", ticket_number=1,
                      channel_id="c", direction="out", status="sent", sent_at=AT, stored_at=AT)  # fmt: skip
    marked = Message.from_raw_data(message.serialize())
    marked.DuePK = "DUE#send#0"
    assert live.touch_of(marked, message) is None
    marked.status = "delivered"
    assert live.touch_of(marked, message) == Touch(1, message=True)


def test_a_client_message_is_a_change_of_its_ticket_and_of_its_messages(world):
    desk = Desk(world)
    start = poll(desk)
    assert (start["changes"], start["complete"], start["poll_seconds"]) == ([], True, 3)
    desk.client_writes(text="Hola, ¿mi pedido?")  # the webhook, the inbound worker, the stream
    found = poll(desk, since=start["seq"])
    assert changed(found) == {(1, "ticket"), (1, "message")} and found["complete"]
    [ticket] = [c for c in found["changes"] if c["kind"] == "ticket"]
    assert ticket["status"] == "open" and ticket["channel_type"] == "whatsapp"
    assert ticket["channel_hint"] == hint(desk.channel_id) and ticket["assignee_hint"] is None
    assert found["seq"] > start["seq"] and ticket["seq"] <= found["seq"]
    assert poll(desk, since=found["seq"])["changes"] == []  # nothing since

    # another message of the same client: the same ticket again
    desk.client_writes(text="¿Hay novedades?")
    after = poll(desk, since=found["seq"])
    assert changed(after) == {(1, "ticket"), (1, "message")}


def test_a_delivery_status_is_a_change_of_the_tickets_messages_only(world):
    desk = Desk(world)
    desk.client_writes()
    message = desk.reply("Sale hoy.")  # stored queued; its record puts it on the queue
    seq = poll(desk)["seq"]
    message.update(actions=[Message.status.set("delivered")])  # what a status webhook does
    run_effects()
    assert changed(poll(desk, since=seq)) == {(1, "message")}


def test_an_assignment_tells_the_new_assignee_and_the_one_it_left(world):
    desk = Desk(world, agent_serves=True)
    desk.client_writes()
    start = poll(desk, "agent")["seq"]
    desk.id("supervisor")
    desk.assign(1, "agent")
    run_effects()
    to_agent = poll(desk, "agent", since=start)
    [ticket] = [c for c in to_agent["changes"] if c["kind"] == "ticket"]
    assert ticket["assignee_hint"] == hint(desk.id("agent"))
    assert ticket["assignee_hint_before"] is None  # it was unassigned

    desk.assign(1, "supervisor")  # it leaves the agent: the agent's board drops it
    run_effects()
    left = poll(desk, "agent", since=to_agent["seq"])
    [ticket] = [c for c in left["changes"] if c["kind"] == "ticket"]
    assert ticket["assignee_hint"] == hint(desk.id("supervisor"))
    assert ticket["assignee_hint_before"] == hint(desk.id("agent"))

    desk.patch_ticket(1, important=True)  # a change of the supervisor's ticket
    run_effects()
    assert poll(desk, "agent", since=left["seq"])["changes"] == []  # not the agent's
    assert changed(poll(desk, "supervisor", since=left["seq"])) == {(1, "ticket")}


def test_a_caller_from_before_the_oldest_change_kept_is_told_to_refresh_everything(world):
    desk = Desk(world)
    desk.client_writes()
    seq = poll(desk)["seq"]
    later = datetime.fromtimestamp(seq / 1000, tz=UTC) + RETAIN + timedelta(minutes=1)
    live.publish(desk.tenant, [Touch(1, message=True)], at=later)
    live.publish(desk.tenant, [Touch(1, message=True)], at=later + timedelta(seconds=1))
    stale = poll(desk, since=seq - 1)
    assert not stale["complete"]
    recent = poll(desk, since=stale["changes"][0]["seq"])
    assert recent["complete"] and changed(recent) == {(1, "message")}


def test_a_position_ahead_of_the_replica_read_is_nothing_new_and_kept():
    """An eventually consistent read may come from a replica behind the one read last time."""

    class Caller:
        tenant_id, user_id, role = "t-ahead", "u", "admin"

    live.publish("t-ahead", [Touch(1, message=True)], at=AT)
    seq = live_store.read_pulse("t-ahead").seq
    feed = live.changes_since(Caller(), seq + 5_000)  # type: ignore[arg-type]
    assert (feed.seq, feed.complete, feed.changes) == (seq + 5_000, True, [])


# --- the route: who, which tenant, what input ------------------------------------------------------
@pytest.mark.parametrize("since", ["abc", "-1", "1.5", str(2**53), "", "1e3"])
def test_a_bad_since_is_a_400_naming_it(world, since):
    desk = Desk(world)
    answer = desk.call("GET", f"/v1/changes?since={since}", "admin")
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == "validation_error"
    assert ["query", "since"] in [d["loc"] for d in answer.json["error"]["details"]]


def test_an_unknown_query_parameter_is_a_400(world):
    desk = Desk(world)
    answer = desk.call("GET", "/v1/changes?after=1", "admin")
    assert answer.status_code == 400 and answer.json["error"]["code"] == "validation_error"


def test_whoever_may_read_tickets_may_poll_and_nobody_else(world):
    desk = Desk(world, every_role=True)
    allowed = roles_allowed("tickets.read")
    assert {"admin", "supervisor", "agent"} <= allowed
    for role in ROLES:
        answer = desk.call("GET", "/v1/changes", role)
        assert answer.status_code == (200 if role in allowed else 403), (role, answer.json)
    assert desk.call("GET", "/v1/changes", None).status_code == 401


def test_a_tenant_never_hears_of_another_tenants_changes(world):
    acme = Desk(world)
    other = Desk(world, company="Otra", domain="otra.example.com")
    start = poll(other)["seq"]
    mine = poll(acme)["seq"]
    acme.client_writes(text="Hola Acme")
    assert poll(other, since=start)["changes"] == []
    assert poll(other, since=0)["changes"] == []
    assert changed(poll(acme, since=mine)) == {(1, "ticket"), (1, "message")}
    other.client_writes(text="Hola Otra")
    assert {
        c["channel_hint"] for c in poll(other, since=0)["changes"] if c["kind"] == "ticket"
    } == {hint(other.channel_id)}


# --- the stream consumer ---------------------------------------------------------------------------
def test_a_failing_pulse_holds_up_nothing(world, monkeypatch):
    desk = Desk(world)

    def broken(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("DynamoDB said no")

    monkeypatch.setattr(live_store, "write_pulse", broken)
    live.forget()
    desk.client_writes()  # the stream's other effects still happen (the ticket is there)
    assert desk.ticket(1).number == 1
    monkeypatch.undo()
    assert poll(desk, since=0)["changes"] == []


def test_the_records_handled_before_a_failing_one_are_told(world, monkeypatch):
    desk = Desk(world)
    desk.client_writes()
    seq = poll(desk)["seq"]
    ticket = desk.ticket(1)
    touched = Ticket.from_raw_data(ticket.serialize())
    touched.important = True
    failing = Ticket.from_raw_data(ticket.serialize())
    failing.status = "merged"  # a merge's copies: made to fail below
    monkeypatch.setattr("chalicelib.jobs.effects.ticket_merged", lambda t: 1 / 0)
    event = {"Records": [record(1, touched, ticket), record(2, failing, touched)]}
    result = app.apply_effects(event, LambdaContext("apply_effects"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert changed(poll(desk, since=seq)) == {(1, "ticket")}


def record(sequence: int, new: Any, old: Any) -> dict[str, Any]:
    """A MODIFY record of the table's stream as Lambda hands it over."""
    return {
        "eventID": str(sequence), "eventName": "MODIFY", "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/atiende-test/stream/x",
        "dynamodb": {
            "ApproximateCreationDateTime": 1_772_452_800, "Keys": {"PK": {"S": new.PK}, "SK": {"S": new.SK}},
            "NewImage": new.serialize(), "OldImage": old.serialize(), "SequenceNumber": str(sequence),
            "SizeBytes": 500, "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }  # fmt: skip
