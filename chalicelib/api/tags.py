"""Tags (SPEC §4): the tenant's list of ticket labels; columns filter tickets by them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from chalicelib.api.settings_crud import crud_routes
from chalicelib.domain.accounts.settings_items import SettingsItem
from chalicelib.domain.helpdesk.tags import NAME_MAX, TAGS, clean_name, fold, with_name_key
from chalicelib.http.pagination import PageQuery
from chalicelib.http.routing import Call, RequestModel, Resource, ResponseModel

resource = Resource(__name__, "tags")

TagName = Annotated[str, AfterValidator(clean_name)]
COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"


class TagIn(RequestModel):
    name: TagName = Field(max_length=NAME_MAX * 4)  # the real limit is checked after trimming
    color: str | None = Field(None, pattern=COLOR_PATTERN, description="#RRGGBB")


class TagPatch(RequestModel):
    """``color: ""`` removes the colour; a field left out (or null) stays as it is."""

    name: TagName | None = Field(None, max_length=NAME_MAX * 4)
    color: str | None = Field(None, pattern=r"^(#[0-9A-Fa-f]{6})?$", description="#RRGGBB or ''")


class TagOut(ResponseModel):
    id: str
    name: str
    color: str | None
    created_at: datetime
    updated_at: datetime


class TagQuery(PageQuery):
    """With ``prefix`` (a tag picker): the first ``limit`` tags whose name starts with it,
    case and accents aside, in name order; no cursor."""

    prefix: str | None = Field(None, max_length=NAME_MAX)


def tag_out(item: SettingsItem) -> TagOut:
    return TagOut(
        id=item.item_id,
        name=item.data["name"],
        color=item.data.get("color"),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def prepare(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    return with_name_key(data)


def list_tags(call: Call) -> tuple[list[SettingsItem], str | None]:
    tenant_id, query = call.principal.tenant_id, call.query
    if query.prefix is not None:
        return TAGS.by_prefix(tenant_id, fold(query.prefix), query.limit), None
    return TAGS.listing(tenant_id, query.limit, query.cursor)


crud_routes(
    resource,
    path="/v1/tags",
    kind=TAGS,
    body=TagIn,
    patch=TagPatch,
    out=TagOut,
    read_action="tags.read",
    manage_action="tags.manage",
    to_out=tag_out,
    prepare=prepare,
    list_query=TagQuery,
    list_items=list_tags,
)
