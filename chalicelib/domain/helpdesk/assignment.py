"""Automatic assignment (SPEC §4): new tickets go to online agents with auto-assignment
on and the ticket's channel in their list, fewest open tickets first, then the one who
has waited longest; with nobody available the ticket waits unassigned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Invalid
from chalicelib.store import keys
from chalicelib.store.helpdesk import AgentState

#: who may receive tickets automatically; stakeholders work conversations but never get them
ASSIGNABLE = frozenset({"admin", "supervisor", "agent"})
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


# --- the agents' own settings ------------------------------------------------------------
def _state(tenant_id: str, user_id: str) -> AgentState:
    return AgentState(keys.tenant_pk(tenant_id), keys.agent_state_sk(user_id))


def _identity(tenant_id: str, user_id: str, at: datetime) -> list[Any]:
    """What every write of an agent's row sets, so the first one creates it whole."""
    return [AgentState.updated_at.set(at), AgentState.tenant_id.set(tenant_id),
            AgentState.user_id.set(user_id), AgentState.kind.set(AgentState)]  # fmt: skip


def set_presence(principal: Principal, presence: str, at: datetime) -> None:
    """The caller is online, away or offline; coming online starts their wait for a ticket
    and hands out what was waiting."""
    actions = [AgentState.presence.set(presence),
               *_identity(principal.tenant_id, principal.user_id, at)]  # fmt: skip
    if presence == "online":
        actions.append(AgentState.waiting_since.set(at))
    _state(principal.tenant_id, principal.user_id).update(actions=actions)
    if presence == "online":
        hand_out_waiting(principal.tenant_id)


@dataclass(frozen=True)
class AgentSettings:
    """One row of the admin's assignment table."""

    user_id: str
    auto_assign: bool
    channels: list[str]
    cap: int | None


def configure_agents(tenant_id: str, rows: list[AgentSettings], at: datetime) -> None:
    """Turn auto-assignment on or off per agent, with their channels and cap, then hand out
    what was waiting. Every row is checked first: an invalid table writes nothing."""
    from chalicelib.domain.accounts.people import list_users
    from chalicelib.domain.channels.service import list_channels
    from chalicelib.store.base import every_item

    users = {u.user_id: u for u in every_item(lambda c: list_users(tenant_id, 100, c))}
    connected = {
        c.channel_id
        for c in every_item(lambda cursor: list_channels(tenant_id, 100, cursor))
        if c.status == "connected"
    }
    problems: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        user = users.get(row.user_id)
        if user is None:
            problems.append({"loc": ["body", "agents", i, "user_id"], "msg": "no such user",
                             "type": "reference"})  # fmt: skip
        elif row.auto_assign and user.role not in ASSIGNABLE:
            problems.append({"loc": ["body", "agents", i, "auto_assign"],
                             "msg": f"a {user.role} never receives tickets automatically",
                             "type": "role"})  # fmt: skip
        problems.extend(
            {"loc": ["body", "agents", i, "channels"], "msg": f"no connected channel {channel}",
             "type": "reference"}
            for channel in set(row.channels) - connected
        )  # fmt: skip
    if problems:
        raise Invalid(
            "Some rows of the assignment table are not valid.",
            code="validation_error",
            details=problems,
        )
    for row in rows:
        channels: Any = sorted(set(row.channels))  # PynamoDB types a list of strings oddly
        _state(tenant_id, row.user_id).update(actions=[
            AgentState.auto_assign.set(row.auto_assign),
            AgentState.channels.set(channels),
            AgentState.cap.set(row.cap) if row.cap is not None else AgentState.cap.remove(),
            *_identity(tenant_id, row.user_id, at),
        ])  # fmt: skip
    hand_out_waiting(tenant_id)
