"""Agents' presence and the admin's assignment table (SPEC §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.clock import now
from chalicelib.domain.accounts.people import get_user, list_users
from chalicelib.domain.helpdesk import assignment
from chalicelib.domain.helpdesk.assignment import ASSIGNABLE, AgentSettings, agent_states
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store.base import every_item

resource = Resource(__name__, "assignments")


class PresenceIn(RequestModel):
    presence: Literal["online", "away", "offline"]


class PresenceOut(ResponseModel):
    presence: Literal["online", "away", "offline"]


class AgentRow(ResponseModel):
    user_id: str
    name: str
    role: str
    presence: Literal["online", "away", "offline"]
    auto_assign: bool
    channels: list[str]
    cap: int | None
    open_tickets: int
    waiting_since: datetime | None


class AssignmentTable(ResponseModel):
    agents: list[AgentRow]


class AgentSetting(RequestModel):
    user_id: str = Field(min_length=1, max_length=64)
    auto_assign: bool
    channels: list[str] = Field(default_factory=list, max_length=100)
    cap: int | None = Field(None, ge=1, le=1000)


class AssignmentsIn(RequestModel):
    agents: list[AgentSetting] = Field(min_length=1, max_length=500)


class Candidate(ResponseModel):
    user_id: str
    open_tickets: int


class RecentTicket(ResponseModel):
    number: int
    status: str
    channel_id: str
    opened_at: datetime
    assigned_at: datetime | None = Field(
        description="when it went to the agent; null when not recorded"
    )
    how: Literal["automatic", "handed_out", "manual", "answered", "took_next", "unknown"] = Field(
        description="automatic: chosen as it opened; handed_out: it waited and was given when "
        "the agent became available; manual: someone assigned it (by); answered: the agent "
        "answered it; took_next: the agent took it as the next waiting ticket"
    )
    by: str | None = Field(description="who assigned it by hand, or who took it")
    eligible: int | None = Field(
        description="automatic ones: how many agents could take it at the time"
    )
    candidates: list[Candidate] = Field(
        description="automatic ones: the first eligible agents in the rule's order (fewest "
        "open tickets, then longest waiting), with their open tickets at the time"
    )


class RecentTickets(ResponseModel):
    user_id: str
    rule: str
    items: list[RecentTicket]


def _recent(a: assignment.AssignedTicket) -> RecentTicket:
    return RecentTicket(
        number=a.number, status=a.status, channel_id=a.channel_id, opened_at=a.opened_at,
        assigned_at=a.at, how=a.how, by=a.by, eligible=a.eligible,
        candidates=[Candidate(user_id=u, open_tickets=n) for u, n in a.candidates],
    )  # fmt: skip


def _table(tenant_id: str) -> AssignmentTable:
    users = [
        u for u in _all_users(tenant_id) if u.role in ASSIGNABLE | {"stakeholder"} and u.active
    ]
    states = {s.user_id: s for s in agent_states(tenant_id)}
    rows = []
    for user in users:
        state = states.get(user.user_id)
        rows.append(AgentRow(
            user_id=user.user_id, name=f"{user.first_name} {user.last_name}", role=user.role,
            presence=(state.presence if state else "offline"),
            auto_assign=bool(state and state.auto_assign), channels=list(state.channels or []) if state else [],
            cap=int(state.cap) if state and state.cap is not None else None,
            open_tickets=int(state.open_tickets) if state else 0,
            waiting_since=state.waiting_since if state else None,
        ))  # fmt: skip
    return AssignmentTable(agents=rows)


def _all_users(tenant_id: str) -> list[Any]:
    return list(every_item(lambda cursor: list_users(tenant_id, 100, cursor)))


@resource.route(
    "/v1/me/presence",
    summary="My presence (offline until I first set it).",
    response=PresenceOut,
    action="presence.set",
)
def get_presence(call: Call) -> PresenceOut:
    return PresenceOut.model_validate({"presence": assignment.presence_of(call.principal)})


@resource.route(
    "/v1/me/presence",
    "PUT",
    summary="Set my presence; only online agents receive tickets automatically.",
    body=PresenceIn,
    response=AgentRow,
    action="presence.set",
)
def set_presence(call: Call) -> AgentRow:
    principal = call.principal
    assignment.set_presence(principal, call.body.presence, now())
    row = next(r for r in _table(principal.tenant_id).agents if r.user_id == principal.user_id)
    return row


@resource.route(
    "/v1/assignments",
    summary="Who takes new tickets automatically, and from which channels.",
    response=AssignmentTable,
    action="assignments.read",
)
def get_assignments(call: Call) -> AssignmentTable:
    return _table(call.principal.tenant_id)


@resource.route(
    "/v1/assignments",
    "PUT",
    summary="Turn auto-assignment on or off per agent, with their channels and cap.",
    body=AssignmentsIn,
    response=AssignmentTable,
    action="assignments.manage",
)
def put_assignments(call: Call) -> AssignmentTable:
    tenant_id = call.principal.tenant_id
    rows = [AgentSettings(**row.model_dump()) for row in call.body.agents]
    assignment.configure_agents(tenant_id, rows, now())
    return _table(tenant_id)


@resource.route(
    "/v1/assignments/{user_id}/recent",
    summary="An agent's latest tickets and why each went to them.",
    response=RecentTickets,
    action="assignments.read",
)
def recent_tickets(call: Call, user_id: str) -> RecentTickets:
    tenant_id = call.principal.tenant_id
    get_user(tenant_id, user_id)
    items = [_recent(a) for a in assignment.recent_assignments(tenant_id, user_id)]
    return RecentTickets(user_id=user_id, rule=assignment.RULE, items=items)
