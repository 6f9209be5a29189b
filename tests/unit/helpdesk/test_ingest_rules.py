"""The rules of ingest, tested without a table: which ticket a client's message goes
to, what a new ticket is claimed and opened with, when the bot takes the message, which
way a delivery status may move. The conditions that make them hold under redelivery and
concurrency are the store's (chalicelib/store/tickets.py, messages.py) and are tested
through the domain elsewhere; here no test may reach DynamoDB at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.clock import iso
from chalicelib.domain.helpdesk.tickets import may_reopen
from chalicelib.domain.inbound.autoreply import OPENING_REPLIES
from chalicelib.domain.inbound.ingest import (
    PREVIEW_BYTES,
    bot_answers,
    claim_for,
    opening_fields,
    preview,
    route,
    statuses_before,
)
from chalicelib.store.base import Item

OPENED = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
SENT = OPENED - timedelta(seconds=3)


@pytest.fixture(autouse=True)
def no_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every model reaches the table through this: a rule that reads or writes fails."""

    def refused(*_: object, **__: object) -> None:
        raise AssertionError("a rule reached the table")

    monkeypatch.setattr(Item, "_get_connection", classmethod(refused))


def opening(**overrides: object) -> tuple[dict, datetime | None]:
    values: dict = dict(
        tenant_id="t1", number=7, channel_id="ch1", channel_type="whatsapp", client_id="c1",
        assignee="u1", assignment={"chosen": "u1"}, opened=OPENED, at=OPENED, sent_at=SENT,
        text="Hola, mi pedido no llegó", auto_submitted=False, settings={},
    )  # fmt: skip
    values.update(overrides)
    return opening_fields(**values)


# --- which ticket ---------------------------------------------------------------------------
def test_a_message_of_a_client_with_an_open_ticket_joins_it():
    assert route(open_ticket=4, tickets=[1, 4]).join == 4


def test_a_known_client_without_an_open_ticket_gets_a_new_one_after_its_last_is_checked():
    way = route(open_ticket=None, tickets=[1, 4])
    assert way.join is None
    assert way.previous == 4  # a redelivery of a message stored before that ticket closed


def test_a_new_client_gets_a_new_ticket_with_nothing_to_check():
    assert route(open_ticket=None, tickets=[]) == route(None, ())
    assert route(None, []).join is None and route(None, []).previous is None


# --- what a new ticket is claimed with ------------------------------------------------------
def test_the_first_ticket_of_a_tenant_is_number_one():
    assert claim_for(None, None, {}, [], OPENED).number == 1


def test_ticket_numbers_follow_the_counter_without_gaps():
    claim = claim_for(41, None, {}, [3, 17], OPENED)
    assert claim.number == 42
    assert claim.tickets == [3, 17, 42]
    assert claim.since == OPENED


def test_a_claim_with_an_agent_keeps_why_in_short():
    reason = {
        "rule": "long text",
        "chosen": "u1",
        "candidates": [{"user_id": f"u{i}", "open_tickets": i} for i in range(1, 6)],
    }
    claim = claim_for(0, "u1", reason, [], OPENED)
    assert claim.assignee == "u1"
    assert claim.assignment == {
        "chosen": "u1",
        "eligible": 5,
        "candidates": [["u1", 1], ["u2", 2], ["u3", 3]],
    }


def test_a_claim_without_an_agent_waits_unassigned_with_no_reason():
    claim = claim_for(0, None, {"chosen": None, "candidates": []}, [], OPENED)
    assert claim.assignee is None and claim.assignment is None


# --- what a new ticket opens with -----------------------------------------------------------
def test_a_new_ticket_is_open_with_its_claim_and_the_clients_message():
    fields, due = opening()
    assert fields["status"] == "open"
    assert fields["assignee_id"] == "u1"
    assert fields["assignment"] == {"chosen": "u1"}
    assert fields["created_at"] == OPENED
    assert fields["last_client_message_at"] == SENT
    assert fields["last_message"] == {"text": "Hola, mi pedido no llegó", "direction": "in",
                                      "at": iso(SENT)}  # fmt: skip
    assert fields["sla"] is None and due is None  # the channel has no targets
    assert fields["auto_replies"] == {}


def test_a_ticket_written_late_from_its_claim_keeps_when_it_was_claimed():
    later = OPENED + timedelta(minutes=2)  # whoever found the claim without its ticket
    fields, _ = opening(at=later)
    assert fields["created_at"] == OPENED
    assert fields["last_activity_at"] == later


def test_the_latest_message_preview_is_cut_at_a_character_within_its_bytes():
    shown = preview("🙂" * 30, "in", SENT)["text"]
    assert len(shown.encode()) <= PREVIEW_BYTES
    assert shown == "🙂" * (PREVIEW_BYTES // 4)
    assert preview("é" * 50, "out", SENT)["text"] == "é" * 40


def test_a_channel_with_targets_opens_the_ticket_with_its_deadlines():
    settings = {"sla": {"first_response_minutes": 30, "resolution_minutes": 240}}
    fields, due = opening(settings=settings)
    assert fields["sla"] == {
        "first_response_due": iso(OPENED + timedelta(minutes=30)),
        "resolution_due": iso(OPENED + timedelta(minutes=240)),
    }
    assert due == OPENED + timedelta(minutes=30)  # the earliest one is the one due


def test_an_autoresponders_ticket_opens_with_its_opening_replies_spent():
    fields, _ = opening(auto_submitted=True)
    assert fields["auto_replies"] == dict.fromkeys(OPENING_REPLIES, iso(OPENED))


# --- after the message ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bot", "status", "answers"),
    [
        (True, "open", True),
        (True, "pending", True),
        (True, "closed", False),
        (True, "merged", False),
        (False, "open", False),
        (None, "open", False),
    ],
)
def test_the_bot_takes_the_message_only_while_on_and_the_ticket_is_active(bot, status, answers):
    assert bot_answers(bot, status) is answers


def test_a_delivery_status_never_goes_back():
    assert statuses_before("queued") == []
    assert statuses_before("delivered") == ["queued", "sent"]
    assert statuses_before("read") == ["queued", "sent", "delivered"]
    assert statuses_before("failed") == ["queued", "sent", "delivered", "read"]


@pytest.mark.parametrize(("client_open", "reopens"), [(None, True), (7, True), (8, False)])
def test_a_closed_ticket_reopens_unless_its_client_has_another_open(client_open, reopens):
    assert may_reopen(client_open, 7) is reopens
