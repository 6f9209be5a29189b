"""Automatic assignment (SPEC §4): new tickets go to online agents with auto-assignment
on and the ticket's channel in their list, fewest open tickets first, then the one who
has waited longest; with nobody available the ticket waits unassigned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.errors import Invalid
from chalicelib.store import agents
from chalicelib.store.helpdesk import AgentState

#: who may receive tickets automatically; stakeholders work conversations but never get them
ASSIGNABLE = frozenset({"admin", "supervisor", "agent"})
RULE = "online, auto-assignment on, serves the channel, under its cap; fewest open tickets, then longest waiting"
_EPOCH = datetime(1970, 1, 1).astimezone()
#: unassigned tickets read per hand-out (a queue waiting longer than this is handed out
#: over several runs, each oldest-first among what it read)
WAITING_READ = 500
#: a ticket in these states counts in its assignee's load (and is handed out while waiting)
ACTIVE_STATES = ("open", "pending")


def agent_states(tenant_id: str) -> list[AgentState]:
    """Every agent's assignment state: one query (a tenant has tens of agents, not thousands)."""
    return agents.states(tenant_id)


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


def load_moves(
    before: tuple[str, str | None], after: tuple[str, str | None]
) -> list[tuple[str, int]]:
    """How agents' loads change when a ticket goes from (status, assignee) ``before`` to
    ``after``: an open or pending ticket counts one for its assignee, nothing otherwise.
    (user id, delta) pairs, the one who lets go first, without zeros."""
    moves: dict[str, int] = {}
    for (status, assignee), sign in ((before, -1), (after, 1)):
        if assignee and status in ACTIVE_STATES:
            moves[assignee] = moves.get(assignee, 0) + sign
    return [(user_id, delta) for user_id, delta in moves.items() if delta]


def anyone_taking(states: Sequence[AgentState]) -> bool:
    """Whether some agent is online with auto-assignment on (else nothing is handed out)."""
    return any(s.presence == "online" and s.auto_assign for s in states)


def oldest_first(waiting: Sequence[Any], limit: int) -> list[Any]:
    """The waiting tickets to hand out now: the oldest (lowest number) ``limit`` of them
    (the board's queue is ordered by activity, not age)."""
    return sorted(waiting, key=lambda t: int(t.number))[:limit]


def took_one(state: AgentState, at: datetime) -> None:
    """The agent's state as the hand-out goes on after giving them a ticket: one more
    open ticket, their wait starts again."""
    state.open_tickets = int(state.open_tickets) + 1
    state.waiting_since = at


def hand_out_waiting(tenant_id: str, limit: int = 50) -> list[tuple[int, str]]:
    """Give waiting unassigned tickets to eligible agents, oldest first (an agent came
    online, was given a channel, or dropped below their cap). Returns (ticket, agent)."""
    from chalicelib.clock import iso, now
    from chalicelib.store import tickets

    states = agent_states(tenant_id)
    if not anyone_taking(states):
        return []
    given: list[tuple[int, str]] = []
    for ticket in oldest_first(tickets.waiting(tenant_id, WAITING_READ), limit):
        agent, reason = choose_agent(states, ticket.channel_id)
        if agent is None:
            continue
        at = now()
        why = {**compact_reason(reason), "when": "handed out while waiting", "at": iso(at)}
        if not tickets.hand_out(ticket, agent.user_id, why, slot=agents.take_slot(agent, at),
                                while_status=ACTIVE_STATES):  # fmt: skip
            continue  # taken meanwhile, or the agent's state changed: the next run sees it
        took_one(agent, at)
        given.append((int(ticket.number), agent.user_id))
    return given


# --- the agents' own settings ------------------------------------------------------------
def set_presence(principal: Principal, presence: str, at: datetime) -> None:
    """The caller is online, away or offline; coming online starts their wait for a ticket
    and hands out what was waiting."""
    agents.set_presence(principal.tenant_id, principal.user_id, presence, at)
    if presence == "online":
        hand_out_waiting(principal.tenant_id)


def presence_of(principal: Principal) -> str:
    """The caller's presence; offline until they first set it."""
    state = agents.state(principal.tenant_id, principal.user_id)
    return str(state.presence) if state is not None else "offline"


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
        agents.configure(tenant_id, row.user_id, auto_assign=row.auto_assign,
                         channels=row.channels, cap=row.cap, at=at)  # fmt: skip
    hand_out_waiting(tenant_id)


# --- why each ticket went to its agent -----------------------------------------------------
#: how a ticket came to its agent, from the ``why`` of a change someone made
_BY_HAND = {"answered the client": "answered", "took the next ticket": "took_next"}
#: an agent's latest tickets the assignment page shows
RECENT = 10


@dataclass(frozen=True)
class AssignedTicket:
    """One ticket of an agent and why it is theirs, read from the reason kept on the
    ticket when it was given to them (no other record is written for it)."""

    number: int
    status: str
    channel_id: str
    opened_at: datetime
    #: when it went to the agent; None when not recorded (before reasons carried a time)
    at: datetime | None
    #: automatic | handed_out | manual | answered | took_next | unknown
    how: str
    #: who gave it (manual), or who took it (answered, took_next)
    by: str | None
    #: automatic ones: how many agents could take it, and the first of them in the
    #: rule's order with their open tickets at the time
    eligible: int | None
    candidates: list[tuple[str, int]]


def why_assigned(ticket: Any) -> AssignedTicket:
    """How ``ticket`` came to its assignee, from its ``assignment`` reason."""
    reason: dict[str, Any] = ticket.assignment or {}
    at = datetime.fromisoformat(reason["at"]) if reason.get("at") else None
    how, by, eligible, candidates = "unknown", None, None, []
    if reason.get("by"):
        how, by = _BY_HAND.get(str(reason.get("why")), "manual"), str(reason["by"])
    elif reason.get("chosen") and reason.get("chosen") == ticket.assignee_id:
        how = "handed_out" if reason.get("when") else "automatic"
        at = at or ticket.created_at  # chosen as the ticket opened
        eligible = int(reason.get("eligible") or 0)
        candidates = [(str(c[0]), int(c[1])) for c in reason.get("candidates") or []]
    return AssignedTicket(
        number=int(ticket.number), status=str(ticket.status), channel_id=str(ticket.channel_id),
        opened_at=ticket.created_at, at=at, how=how, by=by, eligible=eligible,
        candidates=candidates,
    )  # fmt: skip


def recent_assignments(tenant_id: str, user_id: str, most: int = RECENT) -> list[AssignedTicket]:
    """The agent's latest tickets, open or finished, each with why it went to them, the
    latest given first (two Queries: the agent's active and finished queues)."""
    from chalicelib.store import tickets

    found = [why_assigned(t) for t in tickets.of_assignee(tenant_id, user_id, most)]
    found.sort(key=lambda a: (a.at or a.opened_at, a.number), reverse=True)
    return found[:most]
