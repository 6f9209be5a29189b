"""Agent groups (SPEC §2): a named set of the tenant's users, for routing and reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from chalicelib.api.settings_crud import crud_routes
from chalicelib.domain.accounts.people import staff_ids
from chalicelib.domain.accounts.settings_items import AGENT_GROUPS, SettingsItem
from chalicelib.http.errors import BadRequest
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "agent_groups")

MAX_MEMBERS = 200
UserId = Annotated[str, Field(min_length=1, max_length=64)]


class AgentGroupIn(RequestModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=500)
    members: list[UserId] = Field(default_factory=list, max_length=MAX_MEMBERS)


class AgentGroupPatch(RequestModel):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)
    members: list[UserId] | None = Field(None, max_length=MAX_MEMBERS)


class AgentGroupOut(ResponseModel):
    id: str
    name: str
    description: str
    members: list[str]
    created_at: datetime
    updated_at: datetime


def agent_group_out(item: SettingsItem) -> AgentGroupOut:
    return AgentGroupOut(
        id=item.item_id, created_at=item.created_at, updated_at=item.updated_at, **item.data
    )


def check_members(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Members are users of the caller's tenant: the ids sent are looked up, never trusted.

    Another tenant's user id is simply not found, and portal users (account contacts) do
    not work conversations. Duplicates are dropped, keeping the order the admin chose.
    """
    members = list(dict.fromkeys(data.get("members") or []))
    found = staff_ids(call.principal.tenant_id, members)
    missing = [m for m in members if m not in found]
    if missing:
        raise BadRequest(
            "Not users of the help desk: " + ", ".join(missing) + ".",
            code="validation_error",
            details=[
                {"loc": ["body", "members"], "msg": f"no user {m}", "type": "reference"}
                for m in missing
            ],
        )
    return {**data, "members": members}


crud_routes(
    resource,
    path="/v1/agent-groups",
    kind=AGENT_GROUPS,
    body=AgentGroupIn,
    patch=AgentGroupPatch,
    out=AgentGroupOut,
    read_action="agent_groups.read",
    manage_action="agent_groups.manage",
    to_out=agent_group_out,
    prepare=check_members,
)
