"""Automatic assignment (SPEC §4): new tickets go to online agents with auto-assignment
on and the ticket's channel in their list, fewest open tickets first, then the one who
has waited longest; with nobody available the ticket waits unassigned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.store import keys
from chalicelib.store.helpdesk import AgentState

RULE = "online, auto-assignment on, serves the channel, under its cap; fewest open tickets, then longest waiting"
_EPOCH = datetime(1970, 1, 1).astimezone()
#: unassigned tickets read per hand-out (a queue waiting longer than this is handed out
#: over several runs, each oldest-first among what it read)
WAITING_READ = 500


def agent_states(tenant_id: str) -> list[AgentState]:
    """Every agent's assignment state: one query (a tenant has tens of agents, not thousands)."""
    return list(
        AgentState.query(keys.tenant_pk(tenant_id), AgentState.SK.startswith(keys.agents_prefix()))
    )


def is_eligible(state: AgentState, channel_id: str) -> bool:
    return bool(
        state.presence == "online"
        and state.auto_assign
        and channel_id in (state.channels or [])
        and (state.cap is None or state.open_tickets < state.cap)
    )


def choose_agent(
    states: list[AgentState], channel_id: str
) -> tuple[AgentState | None, dict[str, Any]]:
    """The agent who should take a new ticket, and why (kept in the ticket's history)."""
    eligible = [s for s in states if is_eligible(s, channel_id)]
    eligible.sort(key=lambda s: (int(s.open_tickets), s.waiting_since or _EPOCH, s.user_id))
    reason: dict[str, Any] = {
        "rule": RULE,
        "candidates": [
            {"user_id": s.user_id, "open_tickets": int(s.open_tickets),
             "waiting_since": s.waiting_since.isoformat() if s.waiting_since else None}
            for s in eligible
        ],
    }  # fmt: skip
    chosen = eligible[0] if eligible else None
    reason["chosen"] = chosen.user_id if chosen else None
    return chosen, reason


#: candidates kept with an automatic assignment (the ticket item stays under 1 KB)
REASON_CANDIDATES = 3


def compact_reason(reason: dict[str, Any]) -> dict[str, Any]:
    """Why an agent was chosen, short enough to live on the ticket: the chosen agent,
    how many were eligible, and the first candidates in the rule's order with their
    open tickets (the rule itself is ``RULE``)."""
    candidates = reason.get("candidates") or []
    return {
        "chosen": reason.get("chosen"),
        "eligible": len(candidates),
        "candidates": [[c["user_id"], c["open_tickets"]] for c in candidates[:REASON_CANDIDATES]],
    }


def takes_one_more(state: AgentState) -> Any:
    """Condition on the agent's state item, checked again when the ticket is written."""
    condition = (AgentState.presence == "online") & (AgentState.auto_assign == True)  # noqa: E712
    if state.cap is not None:
        condition &= AgentState.open_tickets < AgentState.cap
    return condition


def hand_out_waiting(tenant_id: str, limit: int = 50) -> list[tuple[int, str]]:
    """Give waiting unassigned tickets to eligible agents, oldest first (an agent came
    online, was given a channel, or dropped below their cap). Returns (ticket, agent)."""
    from pynamodb.exceptions import TransactWriteError

    from chalicelib.clock import now
    from chalicelib.store.base import transaction
    from chalicelib.store.helpdesk import Ticket

    states = agent_states(tenant_id)
    if not any(s.presence == "online" and s.auto_assign for s in states):
        return []
    given: list[tuple[int, str]] = []
    waiting = sorted(
        Ticket.by_queue.query(keys.queue_pk(tenant_id, None), limit=WAITING_READ),
        key=lambda t: int(t.number),
    )[:limit]  # the queue is by activity; oldest first means by number
    for ticket in waiting:
        agent, reason = choose_agent(states, ticket.channel_id)
        if agent is None:
            continue
        at = now()
        try:
            with transaction() as write:
                write.update(Ticket(ticket.PK, ticket.SK), actions=[
                    Ticket.assignee_id.set(agent.user_id),
                    Ticket.GSI2PK.set(keys.queue_pk(tenant_id, agent.user_id)),
                    Ticket.assignment.set({**compact_reason(reason), "when": "handed out while waiting"}),
                ], condition=Ticket.assignee_id.does_not_exist() & Ticket.status.is_in("open", "pending"))  # fmt: skip
                write.update(AgentState(agent.PK, agent.SK), actions=[
                    AgentState.open_tickets.add(1), AgentState.waiting_since.set(at),
                ], condition=takes_one_more(agent))  # fmt: skip
        except TransactWriteError:
            continue  # taken meanwhile, or the agent's state changed: the next run sees it
        agent.open_tickets = int(agent.open_tickets) + 1
        agent.waiting_since = at
        given.append((int(ticket.number), agent.user_id))
    return given
