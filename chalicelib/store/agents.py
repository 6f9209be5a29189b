"""Agents' assignment state (``AgentState``): how it is read and written, with the
conditions that keep an agent's load and cap true when two writers meet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.base import TransactItem
from chalicelib.store.helpdesk import AgentState


def states(tenant_id: str) -> list[AgentState]:
    """Every agent's assignment state: one query (a tenant has tens of agents, not thousands)."""
    return list(
        AgentState.query(keys.tenant_pk(tenant_id), AgentState.SK.startswith(keys.agents_prefix()))
    )


def state(tenant_id: str, user_id: str) -> AgentState | None:
    """One agent's assignment state (one GetItem), or None before their first setting."""
    found: AgentState | None = get_or_none(
        AgentState, keys.tenant_pk(tenant_id), keys.agent_state_sk(user_id)
    )
    return found


def _row(tenant_id: str, user_id: str) -> AgentState:
    return AgentState(keys.tenant_pk(tenant_id), keys.agent_state_sk(user_id))


def _takes_one_more(state: AgentState) -> Any:
    """The agent is still online, taking tickets and under the cap it had when chosen."""
    condition = (AgentState.presence == "online") & (AgentState.auto_assign == True)  # noqa: E712
    if state.cap is not None:
        condition &= AgentState.open_tickets < AgentState.cap
    return condition


def take_slot(state: AgentState, at: datetime) -> TransactItem:
    """One more open ticket for the chosen agent, on condition they still take one (online,
    auto-assignment on, under their cap); their wait for a ticket starts again."""

    def add(write: Any) -> None:
        write.update(AgentState(state.PK, state.SK), actions=[
            AgentState.open_tickets.add(1), AgentState.waiting_since.set(at),
        ], condition=_takes_one_more(state))  # fmt: skip

    return add


def add_load(tenant_id: str, user_id: str, delta: int) -> TransactItem:
    """``delta`` more open tickets for an agent who has a row (the row must exist)."""

    def add(write: Any) -> None:
        # no floor condition: a load that drifted must never block closing a ticket (the
        # assignment code reads a negative load as zero)
        write.update(_row(tenant_id, user_id), actions=[AgentState.open_tickets.add(delta)],
                     condition=AgentState.PK.exists())  # fmt: skip

    return add


def _identity(tenant_id: str, user_id: str, at: datetime) -> list[Any]:
    """What every write of an agent's row sets, so the first one creates it whole."""
    return [AgentState.updated_at.set(at), AgentState.tenant_id.set(tenant_id),
            AgentState.user_id.set(user_id), AgentState.kind.set(AgentState)]  # fmt: skip


def set_presence(tenant_id: str, user_id: str, presence: str, at: datetime) -> None:
    """The agent is online, away or offline; coming online starts their wait for a ticket."""
    actions = [AgentState.presence.set(presence), *_identity(tenant_id, user_id, at)]
    if presence == "online":
        actions.append(AgentState.waiting_since.set(at))
    _row(tenant_id, user_id).update(actions=actions)


def configure(
    tenant_id: str,
    user_id: str,
    *,
    auto_assign: bool,
    channels: list[str],
    cap: int | None,
    at: datetime,
) -> None:
    """An agent's auto-assignment, channels and cap (None: no cap)."""
    served: Any = sorted(set(channels))  # PynamoDB types a list of strings oddly
    _row(tenant_id, user_id).update(actions=[
        AgentState.auto_assign.set(auto_assign),
        AgentState.channels.set(served),
        AgentState.cap.set(cap) if cap is not None else AgentState.cap.remove(),
        *_identity(tenant_id, user_id, at),
    ])  # fmt: skip
