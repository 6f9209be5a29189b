"""Who may see a ticket (SPEC §2).

Admins, supervisors, analysts and stakeholders see every ticket of their tenant; an agent
sees the tickets assigned to them and the unassigned ones of the channels in their
assignment list. Kept apart from the tickets' changes so that what reads visibility (the
notifications, search, the board) does not import what writes tickets.
"""

from __future__ import annotations

from chalicelib.domain.accounts.principal import Principal
from chalicelib.store import keys
from chalicelib.store.accounts import get_or_none
from chalicelib.store.helpdesk import AgentState, Ticket


def agent_channels(principal: Principal) -> list[str]:
    """The channels an agent serves (their row of the assignment table)."""
    state = get_or_none(
        AgentState, keys.tenant_pk(principal.tenant_id), keys.agent_state_sk(principal.user_id)
    )
    return list(state.channels or []) if state else []


def may_see(principal: Principal, ticket: Ticket, channels: list[str] | None = None) -> bool:
    """Whether ``principal`` may see ``ticket``. ``channels``: the agent's channels when
    already read (saves a GetItem)."""
    if ticket.tenant_id != principal.tenant_id:
        return False
    if principal.role != "agent":
        return True
    if ticket.assignee_id == principal.user_id:
        return True
    if ticket.assignee_id is None:
        served = agent_channels(principal) if channels is None else channels
        return ticket.channel_id in served
    return False
