"""Agents' presence and the admin's assignment table (SPEC §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from chalicelib.clock import now
from chalicelib.domain.accounts.people import list_users
from chalicelib.domain.channels.service import list_channels
from chalicelib.domain.helpdesk.assignment import agent_states, hand_out_waiting
from chalicelib.http.errors import BadRequest
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel
from chalicelib.store import keys
from chalicelib.store.base import every_item
from chalicelib.store.helpdesk import AgentState

resource = Resource(__name__, "assignments")

#: who may receive tickets automatically; stakeholders work conversations but never get them
ASSIGNABLE = frozenset({"admin", "supervisor", "agent"})


class PresenceIn(RequestModel):
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


def _state_key(tenant_id: str, user_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), keys.agent_state_sk(user_id)


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
    "PUT",
    summary="Set my presence; only online agents receive tickets automatically.",
    body=PresenceIn,
    response=AgentRow,
    action="presence.set",
)
def set_presence(call: Call) -> AgentRow:
    principal = call.principal
    at = now()
    key = _state_key(principal.tenant_id, principal.user_id)
    actions: list[Any] = [AgentState.presence.set(call.body.presence), AgentState.updated_at.set(at),
               AgentState.tenant_id.set(principal.tenant_id), AgentState.user_id.set(principal.user_id),
               AgentState.kind.set(AgentState)]  # fmt: skip
    if call.body.presence == "online":
        actions.append(AgentState.waiting_since.set(at))
    AgentState(*key).update(actions=actions)
    if call.body.presence == "online":
        hand_out_waiting(principal.tenant_id)
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
    users = {u.user_id: u for u in _all_users(tenant_id)}
    channel_ids = {
        c.channel_id
        for c in every_item(lambda cursor: list_channels(tenant_id, 100, cursor))
        if c.status == "connected"
    }
    problems = []
    for i, row in enumerate(call.body.agents):
        user = users.get(row.user_id)
        if user is None:
            problems.append(
                {
                    "loc": ["body", "agents", i, "user_id"],
                    "msg": "no such user",
                    "type": "reference",
                }
            )
        elif row.auto_assign and user.role not in ASSIGNABLE:
            problems.append(
                {
                    "loc": ["body", "agents", i, "auto_assign"],
                    "msg": f"a {user.role} never receives tickets automatically",
                    "type": "role",
                }
            )
        for channel in set(row.channels) - channel_ids:
            problems.append(
                {
                    "loc": ["body", "agents", i, "channels"],
                    "msg": f"no connected channel {channel}",
                    "type": "reference",
                }
            )
    if problems:
        raise BadRequest(
            "Some rows of the assignment table are not valid.",
            code="validation_error",
            details=problems,
        )
    at = now()
    for row in call.body.agents:
        AgentState(*_state_key(tenant_id, row.user_id)).update(actions=[
            AgentState.auto_assign.set(row.auto_assign), AgentState.channels.set(sorted(set(row.channels))),
            AgentState.cap.set(row.cap) if row.cap is not None else AgentState.cap.remove(),
            AgentState.updated_at.set(at), AgentState.tenant_id.set(tenant_id),
            AgentState.user_id.set(row.user_id), AgentState.kind.set(AgentState),
        ])  # fmt: skip
    hand_out_waiting(tenant_id)
    return _table(tenant_id)
