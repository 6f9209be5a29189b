"""The monitoring table (``GET /v1/analytics/agents``, seed 002): each person who works the
desk, now — presence and open tickets from their agent state, today's replies, first
responses, orders and SLA breaches from their series of the counters (today in the
tenant's timezone). Four reads whatever the volume: the tenant, its users and agent
states (two Queries of the tenant's partition), and today's counters (one BatchGetItem
per 100 people); and one counting Query of the board for each person without an agent
row (an admin who never took tickets automatically), whose load nobody keeps.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.accounts.principal import Principal
from chalicelib.domain.analytics.counting import (
    SLA_KINDS,
    agent_series,
    count_name,
    prefix,
    sum_name,
)
from chalicelib.domain.analytics.summary import _n, tenant_timezone, today
from chalicelib.store import agents as agent_store
from chalicelib.store import analytics as store
from chalicelib.store import keys
from chalicelib.store.accounts import User

FIRST_RESPONSE = prefix("first_response", "calendar")
#: who works the desk, and so has a row
DESK_ROLES = ("admin", "supervisor", "agent")


def monitoring_table(principal: Principal) -> dict[str, Any]:
    """One row per active person of the desk, by name."""
    tenant_id = principal.tenant_id
    timezone = tenant_timezone(tenant_id)
    day = today(timezone).isoformat()
    people = [
        u for u in User.query(keys.tenant_pk(tenant_id), User.SK.startswith(keys.users_prefix()))
        if u.role in DESK_ROLES and u.active and u.status == "active"
    ]  # fmt: skip
    states = {s.user_id: s for s in agent_store.states(tenant_id)}
    counters = store.read_day_of_each(tenant_id, [agent_series(u.user_id) for u in people], day)
    rows = []
    for user in people:
        state = states.get(user.user_id)
        mine = counters.get(agent_series(user.user_id), {})
        answered = _n(mine, count_name(FIRST_RESPONSE))
        rows.append({
            "user_id": user.user_id,
            "name": f"{user.first_name} {user.last_name}".strip(),
            "role": user.role,
            "presence": state.presence if state is not None else "offline",
            "open_tickets": max(0, int(state.open_tickets)) if state is not None
            else store.open_tickets_of(tenant_id, user.user_id),
            "replies_today": _n(mine, "msgs_out"),
            "first_response_today": {
                "count": answered,
                "mean_seconds": round(mine.get(sum_name(FIRST_RESPONSE), 0) / answered, 1) if answered else None,
            },
            "orders_today": _n(mine, "orders"),
            "sla_breaches_today": sum(_n(mine, f"sla_{kind}_breached") for kind in SLA_KINDS),
        })  # fmt: skip
    rows.sort(key=lambda row: str(row["name"]).casefold())
    return {"date": day, "timezone": timezone, "agents": rows}
