"""The rules of assignment, tested without a table: who takes a new ticket, which
waiting tickets are handed out first, and how agents' loads move as a ticket changes
hands or state. The conditions that keep them true when two writers meet (the agent
still online and under the cap, the ticket still unassigned) are the store's
(chalicelib/store/agents.py, tickets.py); here no test may reach DynamoDB at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from chalicelib.domain.helpdesk.assignment import (
    REASON_CANDIDATES,
    anyone_taking,
    choose_agent,
    compact_reason,
    is_eligible,
    load_moves,
    oldest_first,
    took_one,
)
from chalicelib.store.base import Item
from chalicelib.store.helpdesk import AgentState

AT = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every model reaches the table through this: a rule that reads or writes fails."""

    def refused(*_: object, **__: object) -> None:
        raise AssertionError("a rule reached the table")

    monkeypatch.setattr(Item, "_get_connection", classmethod(refused))


def agent(user_id: str, **overrides: object) -> AgentState:
    values: dict = dict(presence="online", auto_assign=True, channels=["ch1"], cap=None,
                        open_tickets=0, waiting_since=AT)  # fmt: skip
    values.update(overrides)
    return AgentState("PK", f"AGENT#{user_id}", tenant_id="t1", user_id=user_id,
                      updated_at=AT, **values)  # fmt: skip


# --- who takes a new ticket -----------------------------------------------------------------
@pytest.mark.parametrize(
    "overrides",
    [{"presence": "away"}, {"presence": "offline"}, {"auto_assign": False},
     {"channels": ["ch2"]}, {"cap": 2, "open_tickets": 2}],
)  # fmt: skip
def test_only_an_online_agent_taking_tickets_of_the_channel_under_their_cap_is_eligible(
    overrides,
):
    assert is_eligible(agent("u1"), "ch1")
    assert not is_eligible(agent("u1", **overrides), "ch1")


def test_the_agent_with_fewest_open_tickets_takes_the_ticket():
    chosen, reason = choose_agent(
        [agent("u1", open_tickets=3), agent("u2", open_tickets=1), agent("u3", presence="away")],
        "ch1",
    )
    assert chosen is not None and chosen.user_id == "u2"
    assert reason["chosen"] == "u2"
    assert [c["user_id"] for c in reason["candidates"]] == ["u2", "u1"]


def test_between_equal_loads_the_one_who_waited_longest_takes_it():
    chosen, _ = choose_agent(
        [agent("u1", waiting_since=AT), agent("u2", waiting_since=AT - timedelta(hours=1))],
        "ch1",
    )
    assert chosen is not None and chosen.user_id == "u2"


def test_with_nobody_eligible_the_ticket_waits_unassigned():
    chosen, reason = choose_agent([agent("u1", channels=["ch2"])], "ch1")
    assert chosen is None
    assert reason["chosen"] is None and reason["candidates"] == []


def test_the_reason_kept_on_a_ticket_names_the_first_candidates_only():
    states = [agent(f"u{i}", open_tickets=i) for i in range(6)]
    _, reason = choose_agent(states, "ch1")
    short = compact_reason(reason)
    assert short["eligible"] == 6
    assert len(short["candidates"]) == REASON_CANDIDATES
    assert short["candidates"][0] == ["u0", 0]


# --- handing out waiting tickets ------------------------------------------------------------
def test_nothing_is_handed_out_while_nobody_takes_tickets():
    assert not anyone_taking([agent("u1", presence="away"), agent("u2", auto_assign=False)])
    assert anyone_taking([agent("u1", presence="away"), agent("u2")])


def test_the_oldest_waiting_tickets_go_first():
    waiting = [SimpleNamespace(number=n) for n in (9, 2, 5, 3)]
    assert [t.number for t in oldest_first(waiting, 3)] == [2, 3, 5]


def test_an_agent_given_a_ticket_counts_it_before_the_next_one_is_handed_out():
    u1, u2 = agent("u1"), agent("u2", waiting_since=AT + timedelta(seconds=1))
    first, _ = choose_agent([u1, u2], "ch1")
    assert first is u1
    took_one(u1, AT + timedelta(seconds=5))
    second, _ = choose_agent([u1, u2], "ch1")
    assert second is u2
    assert int(u1.open_tickets) == 1 and u1.waiting_since == AT + timedelta(seconds=5)


# --- agents' loads --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "after", "moves"),
    [
        (("open", "u1"), ("closed", "u1"), [("u1", -1)]),  # closed
        (("pending", "u1"), ("merged", "u1"), [("u1", -1)]),  # merged away
        (("closed", "u1"), ("open", "u1"), [("u1", 1)]),  # reopened
        (("open", "u1"), ("open", "u2"), [("u1", -1), ("u2", 1)]),  # handed over
        (("open", None), ("open", "u2"), [("u2", 1)]),  # taken from the queue
        (("open", "u1"), ("open", None), [("u1", -1)]),  # unassigned
        (("closed", "u1"), ("closed", "u2"), []),  # a closed ticket counts for nobody
        (("open", "u1"), ("pending", "u1"), []),  # still active, same agent
        (("open", None), ("closed", None), []),
    ],
)
def test_an_active_ticket_counts_one_for_its_assignee(before, after, moves):
    assert load_moves(before, after) == moves
